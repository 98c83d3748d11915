"""Incremental builds: document records cached by file content and pipeline version.

A document's record depends only on its bytes and on the pipeline that read them, so a record
is stored under (sha256 of the file, pipeline key). The pipeline key covers what shapes a
record, derived rather than listed:

- code: the source of every module of the package that the stage chain imports, directly or
  not, lazily or not (`record_modules`: the static import graph from `RECORD_ROOT`, the module
  that wires the stages). A module nothing in the chain imports (the CLI, the fact base and
  history writers, the cache, the engines) is left out, whatever its name;
- the third-party libraries those modules import (trafilatura, pypdfium2, ftfy, lingua, spaCy...):
  their installed versions, with the configured spaCy model packages and the Python version;
- data: every file of the data folder (models/, `cfg.models_dir`) and EXTRACTOR_VERSION;
- the Config fields that reach the stages (not `processes`, `batch_size`, timeouts...).

Storage is one SQLite file in WAL mode, one row per document holding the zlib-compressed JSON
record (without its `source`, which is the path it was found at this time). Each record is
committed as its document finishes, so a build killed half-way keeps everything it had done.
Only documents whose outcome does not depend on luck are cached: `ok` and `skipped`, not
`failed` (a timeout or a crash is tried again next time).
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
import importlib.metadata
import json
import logging
import os
import sqlite3
import stat
import zlib
from pathlib import Path
from typing import Any, Self

from pipeline.config import PACKAGE_ROOT, Config
from pipeline.records import EXTRACTOR_VERSION, readable_path

LOGGER = logging.getLogger(__name__)

CACHE_FILE = "records.sqlite"
# The module that wires the stages: what it imports, directly or not, makes a record.
RECORD_ROOT = "pipeline.run"
# Config fields that change how a build runs, not what a record says.
NOT_RECORD_FIELDS = frozenset({"batch_size", "processes", "spacy_max_new_strings", "strict", "isolate",
                               "doc_timeout", "doc_memory_mb", "models_dir"})
CACHED_STATUSES = ("ok", "skipped")


def file_sha256(path: Path, max_bytes: int | None = None) -> str | None:
    """Hex sha256 of a regular file's bytes; None when it is not hashed (ingest reports why).

    The path is stat'ed first and only a regular file is opened (without blocking, and checked
    again once open): a named pipe, a socket or a device, even behind a link, is never read, so
    it cannot block or spin the build. None too for a file over `max_bytes` (ingest skips it
    from its size alone) and for one that cannot be read.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or (max_bytes is not None and info.st_size > max_bytes):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # replaced since the stat
                return None
            h = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def _tree_digest(root: Path) -> str:
    """sha256 over the relative paths and bytes of every file under `root`, in sorted order."""
    h = hashlib.sha256()
    if not root.is_dir():
        return "missing"
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and "__pycache__" not in rel.parts:
            h.update(rel.as_posix().encode("utf-8") + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


# `import a.b, c` and `from a.b import c, d` (or `from . import x`), at any indentation: lazy
# imports inside functions count too (the PDF and HTML readers are imported that way).
_IMPORT = re.compile(r"^[ \t]*(?:import[ \t]+([\w., \t]+)|from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+))",
                     re.MULTILINE)


def _imported_names(module: str, source: str, is_package: bool) -> set[str]:
    """Every module name `source` may import (for `from m import x`, both m and m.x)."""
    names: set[str] = set()
    for plain, origin, what in _IMPORT.findall(source):
        if plain:
            names.update(part.split(" as ")[0].strip() for part in plain.split(","))
            continue
        level = len(origin) - len(origin.lstrip("."))
        base = origin[level:]
        if level:  # relative: from the package this module is in (or is)
            anchor = module if is_package else module.rpartition(".")[0]
            for _ in range(level - 1):
                anchor = anchor.rpartition(".")[0]
            base = f"{anchor}.{base}" if base else anchor
        names.add(base)
        for part in what.strip("()").replace("\n", " ").split(","):
            if word := part.split(" as ")[0].strip():
                names.add(f"{base}.{word}")
    names.discard("")
    return names


def _module_file(root: Path, name: str) -> Path | None:
    """The source file of module `name` of the package at `root` (None: not one of ours)."""
    parts = name.split(".")[1:]
    if not parts:  # the package's own __init__: the public API, whose imports are the build's
        return None
    base = root.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def record_modules(root: Path = PACKAGE_ROOT, entry: str = RECORD_ROOT) -> tuple[dict[str, bytes], set[str]]:
    """The package's modules that the stage chain imports from `entry`, directly or not (name ->
    source bytes), and the top-level names of the other libraries they import (the standard
    library left out). Read from the source, nothing imported: a static import graph."""
    package = entry.split(".")[0]
    found: dict[str, bytes] = {}
    libraries: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        if name in found or (path := _module_file(root, name)) is None:
            continue
        found[name] = source = path.read_bytes()
        for imported in _imported_names(name, source.decode("utf-8"), path.name == "__init__.py"):
            top, *rest = imported.split(".")
            if top == package:  # the module, and the packages it is in (their __init__ runs first)
                todo.extend(".".join([top, *rest[:i]]) for i in range(1, len(rest) + 1))
            elif top not in sys.stdlib_module_names and not top.startswith("_"):
                libraries.add(top)
    return found, libraries


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Digest of the source of the modules that make a record (`record_modules`), taken once per
    process: the code a process runs is the code it imported, whatever happens to the files
    afterwards."""
    h = hashlib.sha256()
    for name, source in sorted(record_modules()[0].items()):
        h.update(name.encode("utf-8") + b"\0" + source + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def full_code_digest() -> str:
    """Digest of every module of the package, output code included (once per process)."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE_ROOT.rglob("*.py")):
        if "__pycache__" not in p.parts:
            h.update(p.relative_to(PACKAGE_ROOT).as_posix().encode("utf-8") + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _library_versions() -> dict[str, str]:
    """Installed versions of the libraries the record modules import, by distribution name."""
    dists = importlib.metadata.packages_distributions()
    out = {"python": "%d.%d" % sys.version_info[:2]}
    for top in sorted(record_modules()[1]):
        for dist in dists.get(top, [top]):
            try:
                out[dist] = importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                out[dist] = "absent"
    return out


def _versions(cfg: Config) -> dict[str, str]:
    """Installed versions of the record modules' libraries and of every configured spaCy model
    package (no import)."""
    out = dict(_library_versions())
    for name in sorted({n for names in cfg.spacy_models.values() for n in names}):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def pipeline_key(cfg: Config) -> str:
    """A short hash naming the pipeline that makes records under `cfg` (see module docstring)."""
    fields = {k: v for k, v in cfg.model_dump(mode="json").items() if k not in NOT_RECORD_FIELDS}
    parts = {
        "extractor": EXTRACTOR_VERSION,
        "code": code_digest(),
        "models": _tree_digest(Path(cfg.models_dir)),
        "versions": _versions(cfg),
        "config": fields,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:24]


class RecordCache:
    """Document records by file sha256 for one pipeline key, in `<directory>/records.sqlite`."""

    def __init__(self, directory: Path | str, key: str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.key = key
        self.hits = 0
        self.writes = 0
        self._db = sqlite3.connect(self.directory / CACHE_FILE, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a commit survives a killed process, not a power cut
        self._db.execute("CREATE TABLE IF NOT EXISTS records (sha256 TEXT NOT NULL, pipeline TEXT NOT NULL, "
                         "record BLOB NOT NULL, PRIMARY KEY (sha256, pipeline)) WITHOUT ROWID")
        self._db.commit()

    def get(self, sha256: str, source: str) -> dict[str, Any] | None:
        """The cached record for these bytes, with `source` set to where they are now (made readable:
        `records.readable_path`)."""
        row = self._db.execute("SELECT record FROM records WHERE sha256 = ? AND pipeline = ?",
                               (sha256, self.key)).fetchone()
        if row is None:
            return None
        record: dict[str, Any] = json.loads(zlib.decompress(row[0]))
        record["source"] = readable_path(source)
        self.hits += 1
        return record

    def __contains__(self, sha256: str) -> bool:
        return self._db.execute("SELECT 1 FROM records WHERE sha256 = ? AND pipeline = ?",
                                (sha256, self.key)).fetchone() is not None

    def put(self, sha256: str, record: dict[str, Any], text: str | None = None, commit: bool = True) -> bool:
        """Store a record; False when its status is not worth caching.

        `text`: the record's JSON, when the caller has it already (its `source` is stored too,
        and replaced on reading). `commit=False` leaves it to a later put or `commit` (`close`
        commits too): a build commits the records of a batch together, as they come.
        """
        stored = record.get("status") in CACHED_STATUSES
        if stored:
            if text is None:
                text = json.dumps({k: v for k, v in record.items() if k != "source"}, ensure_ascii=False,
                                  sort_keys=True)
            blob = zlib.compress(text.encode("utf-8"), 1)
            self._db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", (sha256, self.key, blob))
            self.writes += 1
        if commit:
            self._db.commit()
        return stored

    def commit(self) -> None:
        self._db.commit()

    def prune(self) -> int:
        """Drop the records of other pipeline versions; returns how many went."""
        with self._db:
            n = self._db.execute("DELETE FROM records WHERE pipeline != ?", (self.key,)).rowcount
        return int(n)

    def close(self) -> None:
        """Commit what was put and close (a no-op once closed)."""
        try:
            self._db.commit()
        except sqlite3.ProgrammingError:  # closed already
            return
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

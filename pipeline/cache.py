"""Incremental builds: document records cached by file content and pipeline version.

A document's record depends only on its bytes and on the pipeline that read them, so a record
is stored under (sha256 of the file, pipeline key). The pipeline key hashes what can change a
record: EXTRACTOR_VERSION, the source of the stage modules (ingest, clean, language, nlp,
extraction, normalize...), every data file in models/, the installed spaCy and model versions,
and the Config fields that reach the stages. Runner and output modules (cli, factbase, cache,
engines, history, store) are left out: changing them never invalidates a record.

Storage is one SQLite file in WAL mode, one row per document holding the zlib-compressed JSON
record (without its `source`, which is the path it was found at this time). Each record is
committed as its document finishes, so a build killed half-way keeps everything it had done.
Only documents whose outcome does not depend on luck are cached: `ok` and `skipped`, not
`failed` (a timeout or a crash is tried again next time).
"""

from __future__ import annotations

import functools
import hashlib
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
# Modules that run or write a build but never change a document record.
NOT_RECORD_CODE = frozenset({
    "__init__.py", "cli.py", "cli_ops.py", "factbase.py", "cache.py", "engines.py", "history.py", "store",
    "inputs.py",
})
# Config fields that change how a build runs, not what a record says.
NOT_RECORD_FIELDS = frozenset({"batch_size", "processes", "spacy_process", "spacy_max_new_strings", "strict",
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


def _tree_digest(root: Path, *, skip_top: frozenset[str] = frozenset(), suffixes: tuple[str, ...] = ()) -> str:
    """sha256 over the relative paths and bytes of every file under `root`, in sorted order."""
    h = hashlib.sha256()
    if not root.is_dir():
        return "missing"
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_file() or rel.parts[0] in skip_top or "__pycache__" in rel.parts:
            continue
        if suffixes and p.suffix not in suffixes:
            continue
        h.update(rel.as_posix().encode("utf-8") + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Digest of the stage modules' source, taken once per process: the code a process runs is the
    code it imported, whatever happens to the files afterwards."""
    return _tree_digest(PACKAGE_ROOT, skip_top=NOT_RECORD_CODE, suffixes=(".py",))


@functools.lru_cache(maxsize=1)
def full_code_digest() -> str:
    """Digest of every module of the package, output code included (once per process)."""
    return _tree_digest(PACKAGE_ROOT, suffixes=(".py",))


def _versions(cfg: Config) -> dict[str, str]:
    """Installed versions of spaCy and of every configured model package (no spaCy import)."""
    names = ["spacy"] + sorted({n for names in cfg.spacy_models.values() for n in names})
    out = {}
    for name in names:
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

    def put(self, sha256: str, record: dict[str, Any]) -> bool:
        """Store a record (committed at once); False when its status is not worth caching."""
        if record.get("status") not in CACHED_STATUSES:
            return False
        data = {k: v for k, v in record.items() if k != "source"}
        blob = zlib.compress(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"), 1)
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", (sha256, self.key, blob))
        self.writes += 1
        return True

    def prune(self) -> int:
        """Drop the records of other pipeline versions; returns how many went."""
        with self._db:
            n = self._db.execute("DELETE FROM records WHERE pipeline != ?", (self.key,)).rowcount
        return int(n)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

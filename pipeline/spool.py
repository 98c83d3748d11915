"""Rows of a build kept on disk until the end, then read back sorted: memory does not grow with the corpus.

`Spool` is a throw-away SQLite file inside the build's temporary folder. `factbase.build` adds
each document's facts, entities and manifest row as the document finishes; at the end the
final files are written from ordered queries, one group at a time:

- facts.jsonl      ORDER BY source, start, fact_id
- entities.jsonl   grouped by (type, folded name), then ordered by (type, canonical name)
- history.json     metrics consolidated one (subject, metric, period, status) group at a time,
                   roles one organization at a time, with the functions of pipeline.history
- manifest.json    ORDER BY path

SQLite's BINARY collation orders UTF-8 text as Python orders str, so the files are the ones an
in-memory `sorted()` would give. `write_json` writes `json.dumps(..., indent=1)` byte for byte
while reading lists from iterators.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Self

from pipeline.history import build_history, consolidate_metrics, pair_targets, role_timeline
from pipeline.resources import fold

LOGGER = logging.getLogger(__name__)

Row = dict[str, Any]
# The parts of history.json written here group by group; another part added to build_history
# makes write_history fall back to consolidating in memory (correct, not flat).
STREAMED_HISTORY = frozenset({"metrics", "targets_vs_actuals", "conflicts", "roles"})


class LazyList:
    """A JSON list written from an iterator, item by item."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


class LazyDict:
    """A JSON object written from an iterator of (key, value) pairs already in key order."""

    def __init__(self, items: Iterable[tuple[str, Any]]) -> None:
        self.items = items


_KEY = json.encoder.encode_basestring  # a str as the encoders write it (ensure_ascii=False)
_CONSTANTS = {True: "true", False: "false", None: "null"}


@functools.lru_cache(maxsize=64)
def _flat_encoder(level: int) -> Callable[[Any], str]:
    """json's C encoder with the separators `indent=1` puts between the items of a container
    whose own items sit at `level` + 1: for a container that holds no non-empty container, its
    output is the indented text once the brackets are put on lines of their own."""
    enc = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",\n" + " " * (level + 1), ": "))
    c_make_encoder = json.encoder.c_make_encoder
    if c_make_encoder is None:  # an interpreter without json's C accelerator
        return enc.encode
    chunks = c_make_encoder(None, enc.default, _KEY, None, enc.key_separator, enc.item_separator,
                            True, False, True)
    return lambda value: "".join(chunks(value, 0))


def _flat(items: Iterable[Any]) -> bool:
    """None of `items` is a non-empty container."""
    return not any(isinstance(v, (dict, list, tuple)) and v for v in items)


def _item(value: Any, level: int) -> str:
    """An item of a container, at `level`: the common scalars written here as json writes them."""
    kind = type(value)
    if kind is str:
        return _KEY(value)
    if kind is int:
        return int.__repr__(value)
    if kind is bool or value is None:
        return _CONSTANTS[value]
    return indented(value, level)


def indented(value: Any, level: int = 0) -> str:
    """json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1), as written at nesting
    `level` (every line after the first indented by `level` more spaces), byte for byte.

    json's indented output comes from its pure-Python encoder; here the containers that hold
    non-empty containers are laid out in Python and the others by the C encoder, which writes
    scalars (floats, non-ASCII text, escapes) as the Python encoder does. A dict whose keys are
    not all str (json converts and sorts those its own way), and a value of another type than
    json's (which only json knows how to convert or refuse), go to json.dumps.
    """
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(type(k) is str for k in value):
            return _slow(value, level)
        if not _flat(value.values()):
            inner = ",\n" + " " * (level + 1)
            return "{" + inner[1:] + inner.join(
                f"{_KEY(k)}: {_item(value[k], level + 1)}" for k in sorted(value)) + "\n" + " " * level + "}"
    elif isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if not _flat(value):
            inner = ",\n" + " " * (level + 1)
            return "[" + inner[1:] + inner.join(_item(v, level + 1) for v in value) + "\n" + " " * level + "]"
    elif value is None or isinstance(value, (str, int, float)):
        return _flat_encoder(level)(value)
    else:
        return _slow(value, level)
    text = _flat_encoder(level)(value)
    return text[0] + "\n" + " " * (level + 1) + text[1:-1] + "\n" + " " * level + text[-1]


def _slow(value: Any, level: int) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    return text.replace("\n", "\n" + " " * level) if level else text


def write_json(fh: IO[str], value: Any, level: int = 0) -> None:
    """Write what json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) would, streaming
    LazyList and LazyDict values (and dicts holding them)."""
    if isinstance(value, dict) and any(isinstance(v, (LazyList, LazyDict)) for v in value.values()):
        value = LazyDict(sorted(value.items()))
    if isinstance(value, (LazyList, LazyDict)):
        mapping = isinstance(value, LazyDict)
        opening, closing = ("{", "}") if mapping else ("[", "]")
        first = True
        for item in value.items:
            fh.write(f"{opening}\n" if first else ",\n")
            first = False
            fh.write(" " * (level + 1))
            if mapping:
                key, item = item
                fh.write(json.dumps(key, ensure_ascii=False) + ": ")
            write_json(fh, item, level + 1)
        fh.write(opening + closing if first else "\n" + " " * level + closing)
        return
    fh.write(indented(value, level))


class _ListFile:
    """A JSON list at nesting level 1 (indent=1), written to `path` an item at a time (each item
    already encoded at level 2), then copied where it belongs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = path.open("w", encoding="utf-8")
        self.items = 0

    def add(self, text: str) -> None:
        self.fh.write(("[\n  " if not self.items else ",\n  ") + text)
        self.items += 1

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.write("\n ]" if self.items else "[]")
            self.fh.close()

    def copy_to(self, fh: IO[str]) -> None:
        with self.path.open(encoding="utf-8") as src:
            shutil.copyfileobj(src, fh, 1 << 20)


class Spool:
    """Facts, entities and manifest rows of one build, on disk in `directory` (removed on exit)."""

    def __init__(self, directory: Path, models_dir: Path | None = None) -> None:
        self.dir = Path(directory)
        self.models_dir = models_dir  # the data folder whose single-seat roles the terms use
        self.dir.mkdir(parents=True, exist_ok=True)
        self.facts = 0
        self.counts: Counter[str] = Counter()
        self.inputs = hashlib.sha256()  # over the manifest rows, in input order
        self.db = sqlite3.connect(self.dir / "spool.sqlite", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript("""
            CREATE TABLE facts (source TEXT, start INT, fact_id TEXT, kind TEXT,
                                k1 TEXT, k2 TEXT, k3 TEXT, k4 TEXT, row TEXT);
            CREATE TABLE entities (type TEXT, fkey TEXT, name TEXT, count INT, mentions TEXT, doc_id TEXT);
            CREATE TABLE manifest (path TEXT, row TEXT);
            CREATE TABLE entities_out (type TEXT, name TEXT, row TEXT);
            BEGIN;
        """)

    def single_seat(self) -> tuple[str, ...] | None:
        """Roles with one holder at a time (models/leadership.yaml), read when the history is written
        (None: the default data folder's)."""
        if self.models_dir is None:
            return None
        from pipeline.resources import load_resources

        return tuple(load_resources(self.models_dir).leadership.single_seat)
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- adding ---------------------------------------------------------------------------------

    def add_document(self, rec: Row, fact_id: Callable[[Row], str]) -> None:
        """The facts (with source, published, lang and fact_id added) and entities of one record."""
        rows = []
        for f in rec["facts"]:
            row = dict(f)
            row.update({"source": rec["source"], "published": rec["published"], "lang": rec["lang"]})
            row["fact_id"] = fact_id(row)
            keys: tuple[Any, ...] = (None,) * 4
            if row["kind"] == "metric":
                keys = (row["subject"], row["metric"], str(row.get("period")), row["status"])
            elif row["kind"] == "role":
                keys = (row["org"], None, None, None)
            rows.append((row["source"], row["evidence"]["start"], row["fact_id"], row["kind"], *keys,
                         json.dumps(row, ensure_ascii=False, sort_keys=True)))
        self.db.executemany("INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?)", rows)
        self.facts += len(rows)
        self.db.executemany("INSERT INTO entities VALUES (?,?,?,?,?,?)", [
            (e["type"], fold(e["name"]), e["name"], e["count"], json.dumps(e["mentions"], ensure_ascii=False),
             rec["doc_id"]) for e in rec["entities"]])

    def add_manifest(self, path: str, status: str, row: str) -> None:
        self.db.execute("INSERT INTO manifest VALUES (?, ?)", (path, row))
        self.counts[status] += 1
        self.inputs.update(row.encode("utf-8", "surrogateescape") + b"\n")

    # --- reading back, sorted -------------------------------------------------------------------

    def facts_sorted(self) -> Iterator[str]:
        for (row,) in self.db.execute("SELECT row FROM facts ORDER BY source, start, fact_id, rowid"):
            yield row

    def _facts_of(self, kind: str, group_by: int) -> Iterator[tuple[tuple[Any, ...], list[Row]]]:
        """Facts of one kind grouped on their first `group_by` keys, each group in facts.jsonl order."""
        keys = ", ".join(f"k{i}" for i in range(1, group_by + 1))
        cur = self.db.execute(f"SELECT {keys}, row FROM facts WHERE kind = ? "
                              f"ORDER BY {keys}, source, start, fact_id, rowid", (kind,))
        for key, rows in itertools.groupby(cur, key=lambda r: r[:group_by]):
            yield key, [json.loads(r[-1]) for r in rows]

    def entities_sorted(self) -> Iterator[Row]:
        """One row per (type, folded name), by (type, canonical name)."""
        cur = self.db.execute("SELECT type, fkey, name, count, mentions, doc_id FROM entities "
                              "ORDER BY type, fkey, rowid")
        out = self.db.cursor()
        for (type_, _fkey), group in itertools.groupby(cur, key=lambda r: r[:2]):
            names: Counter[str] = Counter()
            mentions: set[str] = set()
            doc_ids: set[str] = set()
            count = 0
            for _t, _k, name, n, ments, doc_id in group:
                names[name] += n
                mentions.update(json.loads(ments))
                doc_ids.add(doc_id)
                count += n
            name = min(names.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            row = {"type": type_, "name": name, "mentions": sorted(mentions | set(names)),
                   "documents": len(doc_ids), "doc_ids": sorted(doc_ids), "count": count}
            out.execute("INSERT INTO entities_out VALUES (?, ?, ?)", (type_, name, json.dumps(row, ensure_ascii=False)))
        for (row,) in self.db.execute("SELECT row FROM entities_out ORDER BY type, name, rowid"):
            yield json.loads(row)

    def manifest_counts(self) -> Counter[str]:
        return self.counts

    def manifest_sorted(self) -> LazyList:
        cur = self.db.execute("SELECT row FROM manifest ORDER BY path, rowid")
        return LazyList(json.loads(r) for (r,) in cur)

    # --- history --------------------------------------------------------------------------------

    def write_history(self, fh: IO[str]) -> None:
        """history.json, as json.dumps(build_history(all facts)) would write it, group by group."""
        if set(build_history([])) != STREAMED_HISTORY:
            LOGGER.warning("history has parts this spool does not stream: consolidating in memory")
            write_json(fh, build_history([json.loads(r) for r in self.facts_sorted()], self.single_seat()))
            fh.write("\n")
            return
        # The lists of history.json at nesting level 1, each to a file of its own as its items come
        # (an entry of metrics that is a conflict too is encoded once), then copied in key order.
        lists = {name: _ListFile(self.dir / f"{name}.part") for name in ("conflicts", "metrics", "targets_vs_actuals")}
        try:
            last_actual: Row | None = None
            for _key, facts in self._facts_of("metric", 4):
                for entry in consolidate_metrics(facts):
                    text = indented(entry, 2)
                    lists["metrics"].add(text)
                    if entry["conflict"]:
                        lists["conflicts"].add(text)
                    if entry["status"] == "actual":
                        last_actual = entry
                        continue
                    # "actual" sorts before "target": the matching actual, if any, was the group just before
                    same = last_actual is not None and all(
                        last_actual[k] == entry[k] for k in ("subject", "metric", "period"))
                    for row in pair_targets([last_actual, entry] if same and last_actual else [entry]):
                        lists["targets_vs_actuals"].add(indented(row, 2))
        finally:
            for part in lists.values():
                part.close()
        seats = self.single_seat()
        roles = (item for _key, facts in self._facts_of("role", 1) for item in role_timeline(facts, seats).items())
        fh.write('{\n "conflicts": ')
        lists["conflicts"].copy_to(fh)
        fh.write(',\n "metrics": ')
        lists["metrics"].copy_to(fh)
        fh.write(',\n "roles": ')
        write_json(fh, LazyDict(roles), 1)
        fh.write(',\n "targets_vs_actuals": ')
        lists["targets_vs_actuals"].copy_to(fh)
        fh.write("\n}\n")

    @staticmethod
    def write_json(fh: IO[str], value: Any) -> None:
        write_json(fh, value)
        fh.write("\n")

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
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    fh.write(text.replace("\n", "\n" + " " * level) if level else text)


def _jsonl(path: Path) -> Iterator[Any]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


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
        parts = {name: self.dir / f"{name}.jsonl" for name in ("metrics", "conflicts", "targets_vs_actuals")}
        handles = {name: p.open("w", encoding="utf-8") for name, p in parts.items()}
        try:
            last_actual: Row | None = None
            for _key, facts in self._facts_of("metric", 4):
                for entry in consolidate_metrics(facts):
                    line = json.dumps(entry, ensure_ascii=False) + "\n"
                    handles["metrics"].write(line)
                    if entry["conflict"]:
                        handles["conflicts"].write(line)
                    if entry["status"] == "actual":
                        last_actual = entry
                        continue
                    # "actual" sorts before "target": the matching actual, if any, was the group just before
                    same = last_actual is not None and all(
                        last_actual[k] == entry[k] for k in ("subject", "metric", "period"))
                    for row in pair_targets([last_actual, entry] if same and last_actual else [entry]):
                        handles["targets_vs_actuals"].write(json.dumps(row, ensure_ascii=False) + "\n")
        finally:
            for h in handles.values():
                h.close()
        seats = self.single_seat()
        roles = (item for _key, facts in self._facts_of("role", 1) for item in role_timeline(facts, seats).items())
        write_json(fh, {"conflicts": LazyList(_jsonl(parts["conflicts"])), "metrics": LazyList(_jsonl(parts["metrics"])),
                        "roles": LazyDict(roles), "targets_vs_actuals": LazyList(_jsonl(parts["targets_vs_actuals"]))})
        fh.write("\n")

    @staticmethod
    def write_json(fh: IO[str], value: Any) -> None:
        write_json(fh, value)
        fh.write("\n")

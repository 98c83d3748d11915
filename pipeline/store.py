"""The SQLite fact base: `facts.db`, written from the JSON outputs of a build.

`write_db(out_dir)` reads documents.jsonl, facts.jsonl, entities.jsonl, history.json and
manifest.json from `out_dir` and writes `out_dir/facts.db`:

- tables   documents, entities, entity_mentions, facts, problems, history, history_sources,
           targets, roles, and `migrations` (the schema steps applied, in order)
- search   FTS5 over facts.sentence and documents.title/text, tokenizer "porter unicode61
           remove_diacritics 2": words reduced to their stem ("emplois" and "emploi", "jobs" and
           "job" are one word) and accents folded ("developpement" finds "développement")
- views    history_by_year (actual vs target side by side), leadership_timeline, conflicts, and one
           view per kind of fact with only that kind's columns: figure_facts, role_facts,
           implantation_facts

The schema is a list of named migration functions (`MIGRATIONS`); a schema change is a new
function appended to the list, never an edit of an old one. Every input is streamed, so memory
does not grow with the corpus: documents and facts go in in the order build wrote them (sorted);
the other tables are spooled to temporary SQLite tables and copied in sorted; history.json and
manifest.json are decoded one element at a time. The file is built beside the target and renamed
into place, so the same outputs give the same database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database
from sqlite_utils.db import jsonify_if_needed

from pipeline.history import value_label

LOGGER = logging.getLogger(__name__)

DB_NAME = "facts.db"
TOKENIZE = "unicode61 remove_diacritics 2"  # migration 002; replaced by TOKENIZE_STEMMED in 005
# Porter's stemmer over unicode61: plurals and inflections meet in both languages ("emplois" and
# "emploi", "projets" and "projet", "jobs" and "job"); measured against unicode61 alone and a
# Snowball-stemmed column in bench/search.py.
TOKENIZE_STEMMED = "porter unicode61 remove_diacritics 2"

Row = dict[str, Any]
Migration = Callable[[Database], None]


# ---------------------------------------------------------------- migrations (never edit one)

def _m001_tables(db: Database) -> None:
    db.executescript("""
    CREATE TABLE documents (
        doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, format TEXT, title TEXT, published TEXT,
        lang TEXT, status TEXT NOT NULL, n_facts INTEGER NOT NULL DEFAULT 0,
        extractor_version TEXT, text TEXT);
    CREATE TABLE entities (
        type TEXT NOT NULL, name TEXT NOT NULL, documents INTEGER NOT NULL, count INTEGER NOT NULL,
        doc_ids TEXT NOT NULL, PRIMARY KEY (type, name));
    CREATE TABLE entity_mentions (
        type TEXT NOT NULL, name TEXT NOT NULL, mention TEXT NOT NULL, PRIMARY KEY (type, name, mention));
    CREATE TABLE facts (
        fact_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id), kind TEXT NOT NULL,
        subject TEXT, metric TEXT, value NUMERIC, unit TEXT, period TEXT, status TEXT, approx INTEGER,
        confidence REAL, person TEXT, role TEXT, org TEXT, as_of TEXT,
        company TEXT, place TEXT, origin TEXT, year TEXT, jobs INTEGER,
        sentence TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        source TEXT, published TEXT, lang TEXT, extractor_version TEXT);
    CREATE INDEX facts_doc_id ON facts(doc_id);
    CREATE INDEX facts_subject_metric ON facts(subject, metric, period);
    CREATE INDEX facts_person ON facts(person);
    CREATE TABLE problems (
        problem_id TEXT PRIMARY KEY, doc_id TEXT, path TEXT NOT NULL, status TEXT NOT NULL,
        stage TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL);
    CREATE TABLE history (
        subject TEXT NOT NULL, metric TEXT NOT NULL, period TEXT NOT NULL, status TEXT NOT NULL,
        value NUMERIC, unit TEXT, approx INTEGER NOT NULL, conflict INTEGER NOT NULL,
        n_sources INTEGER NOT NULL, competing_values TEXT, values_json TEXT NOT NULL,
        PRIMARY KEY (subject, metric, period, status));
    CREATE TABLE history_sources (
        subject TEXT NOT NULL, metric TEXT NOT NULL, period TEXT NOT NULL, status TEXT NOT NULL,
        fact_id TEXT NOT NULL REFERENCES facts(fact_id), doc_id TEXT NOT NULL REFERENCES documents(doc_id),
        value NUMERIC, approx INTEGER NOT NULL, source TEXT, published TEXT, lang TEXT, sentence TEXT,
        PRIMARY KEY (subject, metric, period, status, fact_id));
    CREATE TABLE targets (
        subject TEXT NOT NULL, metric TEXT NOT NULL, period TEXT NOT NULL, unit TEXT,
        target NUMERIC, actual NUMERIC, outcome TEXT NOT NULL, difference NUMERIC, ratio REAL,
        actual_approx INTEGER, actual_conflict INTEGER, PRIMARY KEY (subject, metric, period));
    CREATE TABLE roles (
        org TEXT NOT NULL, role TEXT NOT NULL, person TEXT NOT NULL, first_seen TEXT, last_seen TEXT,
        former_as_of TEXT, incoming_as_of TEXT, n_sources INTEGER NOT NULL, sources TEXT NOT NULL,
        sources_json TEXT NOT NULL, PRIMARY KEY (org, role, person));
    """)


def _m002_full_text(db: Database) -> None:
    db.table("facts").enable_fts(["sentence"], tokenize=TOKENIZE)
    db.table("documents").enable_fts(["title", "text"], tokenize=TOKENIZE)


def _m003_views(db: Database) -> None:
    db.create_view("history_by_year", """
    SELECT k.subject, k.metric, k.period, COALESCE(a.unit, t.unit) AS unit,
           a.value AS actual, a.approx AS actual_approx, a.conflict AS actual_conflict,
           a.competing_values AS actual_values,
           t.value AS target, t.approx AS target_approx, t.conflict AS target_conflict,
           t.competing_values AS target_values,
           g.outcome, g.difference, g.ratio,
           COALESCE(a.n_sources, 0) + COALESCE(t.n_sources, 0) AS n_sources
    FROM (SELECT DISTINCT subject, metric, period FROM history) AS k
    LEFT JOIN history AS a ON a.subject = k.subject AND a.metric = k.metric AND a.period = k.period
                          AND a.status = 'actual'
    LEFT JOIN history AS t ON t.subject = k.subject AND t.metric = k.metric AND t.period = k.period
                          AND t.status = 'target'
    LEFT JOIN targets AS g ON g.subject = k.subject AND g.metric = k.metric AND g.period = k.period
    ORDER BY k.subject, k.metric, k.period""")
    db.create_view("leadership_timeline", """
    SELECT org, role, person, first_seen, last_seen, former_as_of, incoming_as_of,
           LEAD(person) OVER w AS next_person,
           LEAD(COALESCE(first_seen, incoming_as_of, former_as_of)) OVER w AS next_first_seen,
           n_sources, sources
    FROM roles
    WINDOW w AS (PARTITION BY org, role
                 ORDER BY COALESCE(first_seen, incoming_as_of, former_as_of, '9999'), person)
    ORDER BY org, role, COALESCE(first_seen, incoming_as_of, former_as_of, '9999'), person""")
    db.create_view("conflicts", """
    SELECT h.subject, h.metric, h.period, h.status, h.value AS retained, h.approx AS retained_approx,
           h.competing_values,
           s.value, s.approx, s.source, s.published, s.lang, s.sentence, s.fact_id, s.doc_id
    FROM history AS h
    JOIN history_sources AS s ON s.subject = h.subject AND s.metric = h.metric AND s.period = h.period
                              AND s.status = h.status
    WHERE h.conflict = 1
    ORDER BY h.subject, h.metric, h.period, h.status, s.value, s.source""")


def _m004_published_source(db: Database) -> None:
    db.execute("ALTER TABLE documents ADD COLUMN published_source TEXT")


def _m005_terms(db: Database) -> None:
    """Terms of office: stated bounds on role facts, each holder's term on roles, the timeline
    with the term bounds and how each was established."""
    db.executescript("""
    ALTER TABLE facts ADD COLUMN since TEXT;
    ALTER TABLE facts ADD COLUMN until TEXT;
    ALTER TABLE facts ADD COLUMN change TEXT;
    ALTER TABLE roles ADD COLUMN term_start TEXT;
    ALTER TABLE roles ADD COLUMN term_start_how TEXT;
    ALTER TABLE roles ADD COLUMN term_start_basis TEXT;
    ALTER TABLE roles ADD COLUMN term_start_source TEXT;
    ALTER TABLE roles ADD COLUMN term_start_sentence TEXT;
    ALTER TABLE roles ADD COLUMN term_end TEXT;
    ALTER TABLE roles ADD COLUMN term_end_how TEXT;
    ALTER TABLE roles ADD COLUMN term_end_basis TEXT;
    ALTER TABLE roles ADD COLUMN term_end_source TEXT;
    ALTER TABLE roles ADD COLUMN term_end_sentence TEXT;
    ALTER TABLE roles ADD COLUMN term_conflict INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE roles ADD COLUMN term_conflicts TEXT;
    DROP VIEW leadership_timeline;
    """)
    # The first and last day each bound can mean ("2014" -> 2014-01-01 .. 2014-12-31), so a date
    # can be tested against a term in SQL: start_first <= day < end_last (the end is the first day
    # out of office).
    first = "CASE length({c}) WHEN 4 THEN {c} || '-01-01' WHEN 7 THEN {c} || '-01' ELSE {c} END"
    last = ("CASE length({c}) WHEN 4 THEN {c} || '-12-31' "
            "WHEN 7 THEN date({c} || '-01', '+1 month', '-1 day') ELSE {c} END")
    db.create_view("leadership_timeline", f"""
    SELECT org, role, person, term_start, term_start_how, term_start_basis, term_end, term_end_how,
           term_end_basis, term_conflict,
           {first.format(c="term_start")} AS term_start_first_day,
           {last.format(c="term_end")} AS term_end_last_day,
           first_seen, last_seen, former_as_of, incoming_as_of,
           LEAD(person) OVER w AS next_person,
           LEAD(term_start) OVER w AS next_term_start,
           LEAD(COALESCE(first_seen, incoming_as_of, former_as_of)) OVER w AS next_first_seen,
           term_start_source, term_start_sentence, term_end_source, term_end_sentence, term_conflicts,
           n_sources, sources
    FROM roles
    WINDOW w AS (PARTITION BY org, role
                 ORDER BY {first.format(c="COALESCE(term_start, first_seen, incoming_as_of, former_as_of, '9999')")}, person)
    ORDER BY org, role, {first.format(c="COALESCE(term_start, first_seen, incoming_as_of, former_as_of, '9999')")}, person""")


# The columns of each kind of fact (the rest of `facts` is empty for that kind), evidence last.
_EVIDENCE = ("confidence", "sentence", "source", "published", "lang", "start", "end", "doc_id", "fact_id")
KIND_VIEWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "figure_facts": ("metric", ("subject", "metric", "period", "status", "value", "unit", "approx") + _EVIDENCE),
    "role_facts": ("role", ("person", "role", "org", "status", "as_of", "since", "until", "change") + _EVIDENCE),
    "implantation_facts": ("implantation", ("company", "place", "origin", "year", "jobs") + _EVIDENCE),
}


def _m006_stemmed_search_kind_views(db: Database) -> None:
    db.table("facts").enable_fts(["sentence"], tokenize=TOKENIZE_STEMMED, replace=True)
    db.table("documents").enable_fts(["title", "text"], tokenize=TOKENIZE_STEMMED, replace=True)
    for view, (kind, columns) in KIND_VIEWS.items():
        cols = ", ".join(f'"{c}"' for c in columns)
        db.create_view(view, f"SELECT {cols} FROM facts WHERE kind = '{kind}' ORDER BY published, source, start")


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_tables", _m001_tables),
    ("002_full_text", _m002_full_text),
    ("003_views", _m003_views),
    ("004_published_source", _m004_published_source),
    ("005_terms", _m005_terms),
    ("006_stemmed_search_kind_views", _m006_stemmed_search_kind_views),
]


def migrate(db: Database, migrations: list[tuple[str, Migration]] = MIGRATIONS) -> list[str]:
    """Apply the migrations `db` has not seen yet, in order; return the names applied."""
    if not db["migrations"].exists():
        db.execute("CREATE TABLE migrations (seq INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    done = {r[0] for r in db.execute("SELECT name FROM migrations").fetchall()}
    applied = []
    for seq, (name, fn) in enumerate(migrations, start=1):
        if name in done:
            continue
        with db.conn:
            fn(db)
            db.execute("INSERT INTO migrations (seq, name) VALUES (?, ?)", [seq, name])
        LOGGER.debug("migration applied: %s", name)
        applied.append(name)
    return applied


# ---------------------------------------------------------------- reading a build's outputs

def _jsonl(path: Path) -> Iterator[Row]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


_NOT_SPACE = re.compile(r"[^ \t\n\r]")
_NUMBER_TAIL = re.compile(r"[0-9.eE+-]*\Z")  # the rest of the buffer could still belong to a number


class _JsonReader:
    """A JSON text read from a file a chunk at a time, value by value (json.JSONDecoder.raw_decode)."""

    def __init__(self, fh: IO[str], chunk: int = 1 << 16) -> None:
        self.fh, self.chunk = fh, chunk
        self.buf, self.pos, self.eof = "", 0, False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        """Append the next chunk (at least as much as is buffered, so a long value is decoded in
        O(length)); False at the end of the file."""
        if self.eof:
            return False
        data = self.fh.read(max(self.chunk, len(self.buf) - self.pos))
        if not data:
            self.eof = True
            return False
        self.buf, self.pos = self.buf[self.pos:] + data, 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end), without consuming it."""
        while not (m := _NOT_SPACE.search(self.buf, self.pos)):
            self.pos = len(self.buf)
            if not self._more():
                return ""
        self.pos = m.start()
        return self.buf[self.pos]

    def take(self, char: str) -> None:
        if (found := self.peek()) != char:
            raise ValueError(f"{self.fh.name}: expected {char!r}, found {found or 'the end'!r}")
        self.pos += 1

    def key(self) -> str:
        """The next member name of an object, and its colon."""
        if (found := self.peek()) != '"':
            raise ValueError(f"{self.fh.name}: expected a member name, found {found or 'the end'!r}")
        key: str = self.value()
        self.take(":")
        return key

    def value(self) -> Any:
        """The next JSON value, whole."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if self._more():
                    continue
                raise
            if _NUMBER_TAIL.match(self.buf, end) and self._more():  # a number may go on in the next chunk
                continue
            self.pos = end
            return value


def _json_members(path: Path, chunk: int = 1 << 16, nested: frozenset[str] = frozenset()) -> Iterator[tuple[str, Any]]:
    """(member name, item) for a file holding one JSON object, without loading it whole.

    A member whose value is a list gives one pair per element, an object one pair per
    (key, value), anything else one pair with the value; for a member in `nested`, an object of
    lists gives one pair per (key, element of its list). history.json and manifest.json grow with
    the corpus, their elements much less. A missing file gives nothing.
    """
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        r = _JsonReader(fh, chunk)
        r.take("{")
        more = r.peek() != "}"
        while more:
            name = r.key()
            if r.peek() in ("[", "{"):
                for item in _json_items(r, name in nested):
                    yield name, item
            else:
                yield name, r.value()
            if more := r.peek() == ",":
                r.pos += 1
        r.take("}")
        if r.peek():
            raise ValueError(f"{path}: extra data after the JSON object")


def _json_items(r: _JsonReader, nested: bool = False) -> Iterator[Any]:
    """The elements of the list, or the (key, value) pairs of the object, that comes next in `r`;
    with `nested`, a value that is a list or an object is split the same way, one level down."""
    opening = r.peek()
    closing = "]" if opening == "[" else "}"
    r.take(opening)
    more = r.peek() != closing
    while more:
        key = r.key() if opening == "{" else None
        values = _json_items(r) if nested and r.peek() in ("[", "{") else iter([r.value()])
        for value in values:
            yield value if key is None else (key, value)
        if more := r.peek() == ",":
            r.pos += 1
    r.take(closing)


# ---------------------------------------------------------------- rows (pure functions)

def document_row(d: Row) -> Row:
    return {"doc_id": d["doc_id"], "source": d["source"], "format": d.get("format"), "title": d.get("title"),
            "published": d.get("published"), "lang": d.get("lang"), "status": d.get("status", "ok"),
            "n_facts": len(d.get("facts", [])), "extractor_version": d.get("extractor_version"),
            "text": d.get("text", ""), "published_source": d.get("published_source")}


FACT_FIELDS = ("kind", "subject", "metric", "value", "unit", "period", "status", "approx", "confidence", "person",
               "role", "org", "as_of", "company", "place", "origin", "year", "jobs", "source", "published", "lang",
               "since", "until", "change")


def fact_row(f: Row) -> Row:
    """A facts row; extractor_version is None when the fact has none (`load` then takes its document's)."""
    ev = f["evidence"]
    row: Row = {"fact_id": f["fact_id"], "doc_id": ev["doc_id"]}
    row.update({k: f.get(k) for k in FACT_FIELDS})
    row.update({"sentence": ev["sentence"], "start": ev["start"], "end": ev["end"],
                "extractor_version": f.get("extractor_version") or None})
    return row


def entity_row(e: Row) -> Row:
    return {"type": e["type"], "name": e["name"], "documents": e.get("documents", len(e.get("doc_ids", []))),
            "count": e.get("count", 0), "doc_ids": json.dumps(sorted(e.get("doc_ids", [])))}


def mention_rows(e: Row) -> Iterator[Row]:
    """The surface forms of an entity (entity_mentions), its canonical name included."""
    for m in [e["name"], *e.get("mentions", [])]:
        yield {"type": e["type"], "name": e["name"], "mention": m}


def document_problems(d: Row) -> Iterator[Row]:
    """Problems recorded on a document."""
    for p in d.get("problems") or []:
        yield _with_problem_id({"doc_id": d["doc_id"], "path": d["source"], "status": d.get("status") or "ok",
                                "stage": p["stage"], "kind": p["kind"], "message": p["message"]})


def input_problem(m: Row) -> Row | None:
    """The problem of a manifest entry the build skipped or failed (None when it is ok)."""
    if m["status"] == "ok":
        return None
    return _with_problem_id({"doc_id": m.get("doc_id"), "path": m["path"], "status": m["status"], "stage": "input",
                             "kind": m["status"], "message": m.get("reason") or ""})


def _with_problem_id(r: Row) -> Row:
    r["problem_id"] = _hash(r["path"], r["stage"], r["kind"], r["message"])
    return r


def _hash(*parts: Any) -> str:
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def metric_rows(m: Row) -> tuple[Row, list[Row]]:
    """The history row of one consolidated metric of history.json, and its history_sources rows."""
    key = {"subject": m["subject"], "metric": m["metric"], "period": m["period"], "status": m["status"]}
    values = m.get("values") or _values_of(m["sources"])
    hist = {**key, "value": m["value"], "unit": m.get("unit"), "approx": bool(m.get("approx")),
            "conflict": bool(m.get("conflict")),
            "n_sources": m.get("n_sources", len({s["doc_id"] for s in m["sources"]})),
            "competing_values": _competing(values) if m.get("conflict") else None,
            "values_json": json.dumps(values, ensure_ascii=False, sort_keys=True)}
    sources = [{**key, "fact_id": s["fact_id"], "doc_id": s["doc_id"], "value": s["value"],
                "approx": bool(s.get("approx")), "source": s.get("source"), "published": s.get("published"),
                "lang": s.get("lang"), "sentence": s.get("sentence")} for s in m["sources"] if s.get("fact_id")]
    return hist, sources


def target_row(t: Row) -> Row:
    """A targets row from an entry of history.json's targets_vs_actuals."""
    return {"subject": t["subject"], "metric": t["metric"], "period": t["period"], "unit": t.get("unit"),
            "target": t["target"], "actual": t.get("actual"), "outcome": t.get("outcome") or _outcome(t.get("met")),
            "difference": t.get("difference"), "ratio": t.get("ratio"), "actual_approx": t.get("actual_approx"),
            "actual_conflict": t.get("actual_conflict")}


def _outcome(met: bool | None) -> str:
    return "no actual reported" if met is None else ("met" if met else "missed")


def _values_of(sources: list[Row]) -> list[Row]:
    """For a history.json without `values`: the distinct values and their documents."""
    groups: dict[str, set[str]] = {}
    for s in sources:
        groups.setdefault(value_label(s["value"], bool(s.get("approx"))), set()).add(s["doc_id"])
    return [{"value": k, "doc_ids": sorted(v)} for k, v in sorted(groups.items())]


def _competing(values: list[Row]) -> str:
    """"63 [d02.html] | ~70 [d10.txt]": each value with the sources that give it."""
    parts = []
    for v in values:
        names = [Path(s).name for s in v.get("sources") or v.get("doc_ids", [])]
        parts.append(f"{v['value']} [{', '.join(names)}]")
    return " | ".join(parts)


def role_row(org: str, r: Row) -> Row:
    """A roles row: one holder of a role at `org`, from history.json's roles."""
    srcs = r.get("sources", [])
    readable = "; ".join(f"{Path(s.get('source') or s['doc_id']).name} ({s.get('as_of') or '?'}, {s['status']})"
                         for s in srcs)
    return {"org": org, "role": r["role"], "person": r["person"], "first_seen": r.get("first_seen"),
            "last_seen": r.get("last_seen"), "former_as_of": r.get("former_as_of"),
            "incoming_as_of": r.get("incoming_as_of"), "n_sources": len({s["doc_id"] for s in srcs}),
            "sources": readable, "sources_json": json.dumps(srcs, ensure_ascii=False, sort_keys=True),
            **_term_columns(r.get("term") or {})}


def _term_columns(term: Row) -> Row:
    out: Row = {}
    for side in ("start", "end"):
        b = term.get(side) or {}
        ev = b.get("evidence") or {}
        out.update({f"term_{side}": b.get("date"), f"term_{side}_how": b.get("how"),
                    f"term_{side}_basis": b.get("basis"),
                    f"term_{side}_source": Path(ev["source"]).name if ev.get("source") else ev.get("doc_id"),
                    f"term_{side}_sentence": ev.get("sentence")})
    conflicts = term.get("conflicts") or []
    out["term_conflict"] = int(bool(conflicts))
    out["term_conflicts"] = json.dumps(conflicts, ensure_ascii=False, sort_keys=True) if conflicts else None
    return out


# ---------------------------------------------------------------- writing

CHUNK = 500  # rows per executemany
# The tables whose inputs come in no useful order, with the columns they are sorted on: each is
# spooled to a temporary table, then copied in sorted (the last row of a primary key wins, as in
# an upsert), in this sequence.
SORTED_TABLES: dict[str, tuple[str, ...]] = {
    "entities": ("type", "name"),
    "entity_mentions": ("type", "name", "mention"),
    "problems": ("path", "stage", "kind", "message"),
    "history": ("subject", "metric", "period", "status"),
    "history_sources": ("subject", "metric", "period", "status", "fact_id"),
    "targets": ("subject", "metric", "period"),
    "roles": ("org", "role", "person"),
}


_PLAIN = frozenset({str, int, float, bool, type(None)})  # what sqlite3 stores as is; the rest as sqlite-utils would


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Rows:
    """Rows for one table, written `CHUNK` at a time with one upsert statement (last row of a key wins).

    With `order`, rows go to an untyped temporary table first (values kept as given) and
    `finish()` copies them into the table sorted by `order`, then by arrival: SQLite sorts on
    disk, so memory does not grow with the number of rows, and the rowids are the ones an
    in-memory sort and upsert would give.
    """

    def __init__(self, db: Database, table: str, order: tuple[str, ...] = ()) -> None:
        self.db, self.table, self.order = db, table, order
        info = db.execute(f"PRAGMA main.table_info({_q(table)})").fetchall()
        self.columns = [c[1] for c in info]
        pk = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]]
        updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in self.columns if c not in pk)
        self.upsert = f"ON CONFLICT({', '.join(map(_q, pk))}) " + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING")
        cols = ", ".join(map(_q, self.columns))
        self.target = f"main.{_q(table)}"
        if order:
            self.target = f"temp.{_q('_stage_' + table)}"
            db.execute(f"CREATE TEMP TABLE {self.target} ({cols}, _seq INTEGER PRIMARY KEY)")
            self.sql = f"INSERT INTO {self.target} ({cols}) VALUES ({', '.join('?' * len(self.columns))})"
        else:
            self.sql = f"INSERT INTO {self.target} ({cols}) VALUES ({', '.join('?' * len(self.columns))}) {self.upsert}"
        self.pending: list[list[Any]] = []

    def add(self, row: Row) -> None:
        values = [row.get(c) for c in self.columns]
        self.pending.append([v if type(v) in _PLAIN else jsonify_if_needed(v) for v in values])
        if len(self.pending) >= CHUNK:
            self.flush()

    def add_all(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if self.pending:
            self.db.conn.executemany(self.sql, self.pending)
            self.pending.clear()

    def finish(self) -> None:
        self.flush()
        if self.order:
            cols = ", ".join(map(_q, self.columns))
            self.db.execute(f"INSERT INTO main.{_q(self.table)} ({cols}) SELECT {cols} FROM {self.target} "
                            f"WHERE true ORDER BY {', '.join(map(_q, self.order))}, _seq {self.upsert}")
            self.db.execute(f"DROP TABLE {self.target}")


def _complete(name: str) -> None:
    """Every output file is complete before `load` starts (see `READ_ORDER`)."""


# The outputs `load` reads, in the order it reads them: a build that writes facts.db while it
# writes the other files (pipeline.factbase) writes them in this order and says when each is done.
READ_ORDER = ("documents.jsonl", "facts.jsonl", "entities.jsonl", "manifest.json", "history.json")


def load(db: Database, out_dir: Path, ready: Callable[[str], None] = _complete) -> None:
    """Upsert the outputs in `out_dir` into a migrated database and rebuild the search indexes.

    Every file is streamed: documents.jsonl and facts.jsonl go in in file order (build writes
    them sorted); entities, problems and the parts of history.json are spooled to temporary
    tables and copied in sorted (see `_Rows`). Nothing held in memory grows with the corpus.
    `ready(name)` is called before each file is read, in `READ_ORDER`, and returns once it is
    complete.
    """
    # temporary tables (the spools, the sorts) on disk, not in memory
    db.execute("PRAGMA temp_store = FILE")
    with db.conn:
        db.execute("CREATE TEMP TABLE _sources (source TEXT PRIMARY KEY)")  # of the documents read
        staged = {name: _Rows(db, name, order) for name, order in SORTED_TABLES.items()}
        docs = _Rows(db, "documents")
        ready("documents.jsonl")
        for d in _jsonl(out_dir / "documents.jsonl"):
            docs.add(document_row(d))
            staged["problems"].add_all(document_problems(d))
            db.conn.execute("INSERT OR IGNORE INTO temp._sources VALUES (?)", [d["source"]])
        docs.finish()
        facts = _Rows(db, "facts")
        ready("facts.jsonl")
        facts.add_all(fact_row(f) for f in _jsonl(out_dir / "facts.jsonl"))
        facts.finish()
        db.execute("UPDATE facts SET extractor_version = (SELECT d.extractor_version FROM documents AS d "
                   "WHERE d.doc_id = facts.doc_id) WHERE extractor_version IS NULL")
        ready("entities.jsonl")
        for e in _jsonl(out_dir / "entities.jsonl"):
            staged["entities"].add(entity_row(e))
            staged["entity_mentions"].add_all(mention_rows(e))
        ready("manifest.json")
        for name, m in _json_members(out_dir / "manifest.json"):
            if name == "files" and (p := input_problem(m)) and not db.execute(
                    "SELECT 1 FROM temp._sources WHERE source = ?", [p["path"]]).fetchone():
                staged["problems"].add(p)
        ready("history.json")
        for name, item in _json_members(out_dir / "history.json", nested=frozenset({"roles"})):
            if name == "metrics":
                hist, sources = metric_rows(item)
                staged["history"].add(hist)
                staged["history_sources"].add_all(sources)
            elif name == "targets_vs_actuals":
                staged["targets"].add(target_row(item))
            elif name == "roles":
                staged["roles"].add(role_row(*item))  # (organization, one of its roles)
        for rows in staged.values():
            rows.finish()
        db.execute("DROP TABLE temp._sources")
    for name in ("facts", "documents"):
        db.table(name).rebuild_fts()


def write_db(out_dir: Path, ready: Callable[[str], None] = _complete) -> Path:
    """Write `out_dir/facts.db` from the JSON outputs in `out_dir`; return its path. `ready`: see `load`.

    The database is written to a temporary file without a rollback journal or fsyncs (a failed
    write leaves only that file, deleted on the next attempt) and renamed into place when done.

    Example: write_db(Path("output"))  # -> output/facts.db
    """
    out_dir = Path(out_dir)
    path = out_dir / DB_NAME
    tmp = out_dir / f".{DB_NAME}.tmp"
    tmp.unlink(missing_ok=True)
    db = Database(tmp)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        migrate(db)
        load(db, out_dir, ready)
        db.execute("VACUUM")
    finally:
        db.close()
    os.replace(tmp, path)
    LOGGER.info("fact base written: %s", path)
    return path


# ---------------------------------------------------------------- what the tables mean (Datasette metadata)

TABLE_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "documents": ("One row per processed input file; `text` is the cleaned text that evidence offsets refer to.", {
        "doc_id": "first 16 hex characters of the sha256 of the file's bytes",
        "source": "path or URL of the file as given to the build",
        "format": "html, pdf or txt (sniffed from the content)", "title": "headline, when the file has one",
        "published": "publication date (YYYY-MM-DD)", "lang": "main language (fr or en)",
        "published_source": "where the date was read: metadata (meta tags, JSON-LD) or text (a dateline)",
        "status": "ok, skipped or failed (see problems)", "n_facts": "facts extracted from this document",
        "extractor_version": "version of the extraction rules", "text": "cleaned text"}),
    "facts": ("Every fact extracted, with the sentence it comes from (kind: metric, role or implantation).", {
        "fact_id": "stable id: hash of document, kind, key fields and character span",
        "doc_id": "document the fact comes from", "kind": "metric (a figure), role (who held which position) "
        "or implantation (a company that set up in the territory)",
        "subject": "metric: the organization the figure is about",
        "metric": "metric: what is counted (location_projects, jobs_created, foreign_share_projects, budget, ...)",
        "value": "metric: the number", "unit": "metric: count, EUR or percent",
        "period": "metric: the year the figure is about (not the publication year)",
        "status": "metric: actual or target; role: current, former or incoming",
        "approx": "1 when the source gives an approximate figure (\"près de\", \"about\")",
        "confidence": "extractor's confidence, 0 to 1", "person": "role: the person", "role": "role: the position",
        "org": "role: the organization", "as_of": "role: date the source describes (its publication date)",
        "company": "implantation: the company", "place": "implantation: where it set up",
        "origin": "implantation: the company's country", "year": "implantation: the year",
        "jobs": "implantation: jobs announced",
        "since": "role: start of the term as the sentence states it (2014, 2014-06, 2014-06-30)",
        "until": "role: end of the term as the sentence states it",
        "change": "role: start or end when the sentence reports an appointment or a departure",
        "sentence": "the evidence sentence, as in the cleaned text",
        "start": "character offset of the sentence in documents.text", "end": "end offset (exclusive)",
        "source": "path or URL of the source document", "published": "publication date of the source",
        "lang": "language of the source", "extractor_version": "version of the extraction rules"}),
    "entities": ("Organizations and people across documents, under one canonical name.", {
        "type": "ORG or PERSON", "name": "canonical name", "documents": "number of documents naming it",
        "count": "mentions in all documents", "doc_ids": "JSON list of the documents naming it"}),
    "entity_mentions": ("Every surface form seen for an entity (\"CCIMP\", \"CCI Marseille Provence\", ...).", {
        "type": "ORG or PERSON", "name": "canonical name", "mention": "a form seen in a document"}),
    "problems": ("Why an input was skipped or failed, or what is doubtful about it.", {
        "doc_id": "document, when it was read", "path": "input file", "status": "ok, skipped or failed",
        "stage": "stage that reported it (input, ingest, clean, language, ...)",
        "kind": "unreadable, unsupported, empty_text, wrong_language, decode, exception, ...",
        "message": "what happened and what to do"}),
    "history": ("Figures consolidated across documents: one row per subject, metric, period and status.", {
        "value": "value retained (exact figures win over approximate ones, then agreement)",
        "approx": "1 when only approximate figures were found", "conflict": "1 when sources disagree",
        "n_sources": "documents reporting the figure",
        "competing_values": "when sources disagree: each value with the sources that give it (~ = approximate)",
        "values_json": "JSON list of the distinct values, with their documents and sources"}),
    "history_sources": ("Each source of a consolidated figure, with its own value and sentence.", {
        "fact_id": "the fact in `facts`", "value": "value this source gives", "sentence": "evidence sentence"}),
    "targets": ("Each target paired with the actual of the same subject, metric and year.", {
        "target": "value set as a goal", "actual": "value reported for the same year",
        "outcome": "met, missed or no actual reported", "difference": "actual minus target",
        "ratio": "actual divided by target", "actual_approx": "1 when the actual is approximate",
        "actual_conflict": "1 when sources disagree on the actual"}),
    "roles": ("Who held which position at which organization, with the dates sources describe.", {
        "first_seen": "earliest date a source describes the person in the role",
        "last_seen": "latest such date", "former_as_of": "earliest date a source calls them former",
        "incoming_as_of": "earliest date a source announces them", "n_sources": "documents",
        "sources": "each source file, its date and what it says (current, former, incoming)",
        "sources_json": "the same as JSON, with the evidence sentences"}),
    "history_by_year": ("Per subject, metric and year: the actual and the target side by side.", {
        "actual": "value reported", "actual_approx": "1 when approximate",
        "actual_conflict": "1 when sources disagree", "actual_values": "the competing values and their sources",
        "target": "goal set for that year", "outcome": "met, missed or no actual reported",
        "difference": "actual minus target", "ratio": "actual divided by target"}),
    "leadership_timeline": ("Per organization and role, the holders in order with their terms of office, each "
                            "with the next holder.", {
        "term_start": "first day of the term (partial ISO date: 2014, 2014-06, 2014-06-30)",
        "term_start_how": "stated (a sentence gives it) or inferred (see term_start_basis)",
        "term_start_basis": "what the start rests on: the sentence, an appointment article, the predecessor's end...",
        "term_end": "first day out of office, same form; blank while in office or unknown",
        "term_end_how": "stated or inferred", "term_end_basis": "what the end rests on",
        "term_conflict": "1 when two sources state different bounds",
        "term_start_first_day": "the earliest day term_start can mean",
        "term_end_last_day": "the latest day term_end can mean",
        "next_person": "the next holder of the same role", "next_term_start": "when their term starts",
        "next_first_seen": "when they were first seen"}),
    "conflicts": ("Figures on which sources disagree: one row per source, with its value and sentence.", {
        "retained": "value kept in history", "retained_approx": "1 when the kept value is approximate",
        "value": "value this source gives"}),
}
# The views of one kind of fact describe their columns as `facts` does.
for _view, (_kind, _columns) in KIND_VIEWS.items():
    TABLE_DOCS[_view] = ({"metric": "Figures as each source gives them: subject, metric, year, actual or target, value.",
                          "role": "Roles as each source states them: person, position, organization, status, date.",
                          "implantation": "Companies setting up in the territory, as each source reports them."}[_kind],
                         {c: TABLE_DOCS["facts"][1][c] for c in _columns})

TITLES = {"documents": "Documents", "facts": "Facts and their evidence", "entities": "Organizations and people",
          "entity_mentions": "Surface forms of entities", "problems": "Problems with inputs",
          "history": "Consolidated figures", "history_sources": "Sources of each consolidated figure",
          "targets": "Targets vs actuals", "roles": "Roles", "history_by_year": "History by year",
          "leadership_timeline": "Leadership timeline", "conflicts": "Conflicting figures",
          "figure_facts": "Figures", "role_facts": "Roles, source by source",
          "implantation_facts": "Implantations"}
# Tables of the machinery, not of the facts: kept out of Datasette's lists.
HIDDEN_TABLES = ("migrations",)

FACETS = {"documents": ["lang", "format", "status"], "facts": ["kind", "metric", "status", "lang"],
          "entities": ["type"], "problems": ["status", "stage", "kind"],
          "history": ["subject", "metric", "status", "conflict"], "targets": ["subject", "outcome"],
          "roles": ["org", "role"], "history_by_year": ["subject", "metric"], "leadership_timeline": ["org", "role"],
          "conflicts": ["subject", "metric"], "figure_facts": ["subject", "metric", "status", "period"],
          "role_facts": ["org", "role", "status"], "implantation_facts": ["place", "origin", "year"]}


# Holders whose term covers some day of :on (a partial date). A term's end is its holder's first
# day out of office, so :on must fall before the last day the end can mean; an open end runs on.
_ON_FIRST = "(CASE length(:on) WHEN 4 THEN :on || '-01-01' WHEN 7 THEN :on || '-01' ELSE :on END)"
_ON_LAST = ("(CASE length(:on) WHEN 4 THEN :on || '-12-31' WHEN 7 THEN date(:on || '-01', '+1 month', '-1 day') "
            "ELSE :on END)")
HOLDERS_ON_SQL = (
    "SELECT org, role, person, term_start, term_start_how, term_start_basis, term_end, term_end_how, "
    "term_end_basis, last_seen, term_conflict, term_start_source, term_start_sentence, term_end_source, "
    "term_end_sentence FROM leadership_timeline "
    f"WHERE :on <> '' AND term_start IS NOT NULL AND term_start_first_day <= {_ON_LAST} "
    f"AND (term_end IS NULL OR {_ON_FIRST} < term_end_last_day) "
    "AND (:role = '' OR role = :role) AND (:org = '' OR org LIKE '%' || :org || '%') "
    "ORDER BY org, role, term_start_first_day, person")

CANNED_QUERIES: dict[str, Row] = {
    "history_by_year_for": {
        "title": "History by year",
        "description": "A subject's figures year by year, actual and target side by side (blank: all subjects).",
        "sql": "SELECT subject, period AS year, metric, unit, actual, actual_approx, actual_values, target, "
               "outcome, difference, ratio, n_sources FROM history_by_year "
               "WHERE (:subject = '' OR subject = :subject) ORDER BY subject, period, metric"},
    "who_held_which_role_when": {
        "title": "Who held which role when",
        "description": "Holders of each role per organization in order, with their terms of office (how each "
                       "bound was established) and the dates the sources describe.",
        "sql": "SELECT org, role, person, term_start, term_start_how, term_end, term_end_how, first_seen, last_seen, "
               "next_person, term_start_basis, term_end_basis, sources FROM leadership_timeline "
               "WHERE (:org = '' OR org LIKE '%' || :org || '%') "
               "AND (:person = '' OR person LIKE '%' || :person || '%')"},
    "who_held_office_on": {
        "title": "Who held which office on a date",
        "description": "Holders whose term covers a date (2014, 2014-09 or 2014-09-15), with the evidence of "
                       "each bound; blank role or organization: all.",
        "sql": HOLDERS_ON_SQL},
    "conflicting_figures": {
        "title": "Conflicting figures",
        "description": "Figures on which sources disagree, each source with its value and sentence.",
        "sql": "SELECT subject, metric, period, status, retained, value, approx, source, published, sentence, "
               "doc_id, fact_id FROM conflicts"},
    "search_the_sources": {
        "title": "Search the sources",
        "description": "Words in the evidence sentences and in the documents' text: plurals and inflections match "
                       "(emploi, emplois), accents are optional, recrut* is a prefix, 'emploi OR jobs' either "
                       "word, -word excludes, \"a phrase\" keeps words together.",
        # pf_fts (pipeline.query.fts_query, registered by pressfacts serve) rebuilds the words into a
        # well-formed FTS5 expression: no input is a syntax error or an operator it does not allow.
        "sql": "SELECT 'evidence' AS found_in, f.source, f.published, f.kind, "
               "COALESCE(f.subject, f.org, f.company) AS about, COALESCE(f.metric, f.role) AS what, f.value, "
               "f.person, f.sentence AS text, f.doc_id, f.fact_id "
               "FROM facts_fts JOIN facts AS f ON f.rowid = facts_fts.rowid "
               "WHERE pf_fts(:q) IS NOT NULL AND facts_fts MATCH pf_fts(:q) "
               "UNION ALL SELECT 'document', d.source, d.published, NULL, d.title, NULL, NULL, NULL, "
               "snippet(documents_fts, -1, '[', ']', ' … ', 24), d.doc_id, NULL FROM documents_fts "
               "JOIN documents AS d ON d.rowid = documents_fts.rowid "
               "WHERE pf_fts(:q) IS NOT NULL AND documents_fts MATCH pf_fts(:q) "
               "ORDER BY found_in DESC, published, source"},
}


def datasette_metadata(db_name: str = "facts") -> Row:
    """Datasette metadata for a fact base: titles, descriptions, column meanings, facets, canned queries."""
    tables = {name: {"title": TITLES[name], "description": desc, "columns": cols,
                     **({"facets": FACETS[name]} if name in FACETS else {})}
              for name, (desc, cols) in TABLE_DOCS.items()}
    tables["documents"]["label_column"] = "title"
    tables["facts"]["sort"] = "published"
    for name in HIDDEN_TABLES:
        tables[name] = {"hidden": True}
    return {
        "title": "pressfacts: the fact base",
        "description": "Facts extracted from press articles, each with the sentence and document it comes from. "
                       "Read-only.",
        "source": "the press articles listed in the documents table (column source)",
        "databases": {db_name: {"description": "Built by `pressfacts build`; see docs/factbase.md.",
                                "tables": tables, "queries": CANNED_QUERIES}},
    }

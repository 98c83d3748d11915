"""The SQLite fact base: `facts.db`, written from the JSON outputs of a build.

`write_db(out_dir)` reads documents.jsonl, facts.jsonl, entities.jsonl, history.json and
manifest.json from `out_dir` and writes `out_dir/facts.db`:

- tables   documents, entities, entity_mentions, facts, problems, history, history_sources,
           targets, roles, and `migrations` (the schema steps applied, in order)
- search   FTS5 over facts.sentence and documents.text, tokenizer "unicode61 remove_diacritics 2"
           ("developpement" finds "développement")
- views    history_by_year (actual vs target side by side), leadership_timeline, conflicts

The schema is a list of named migration functions (`MIGRATIONS`); a schema change is a new
function appended to the list, never an edit of an old one. Documents and facts are streamed
in the order build wrote them (sorted); the other tables are sorted before insertion. The file is
built beside the target and renamed into place, so the same outputs give the same database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pipeline.history import value_label

LOGGER = logging.getLogger(__name__)

DB_NAME = "facts.db"
TOKENIZE = "unicode61 remove_diacritics 2"

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


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_tables", _m001_tables),
    ("002_full_text", _m002_full_text),
    ("003_views", _m003_views),
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


def _json(path: Path) -> Row:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


# ---------------------------------------------------------------- rows (pure functions)

def document_row(d: Row) -> Row:
    return {"doc_id": d["doc_id"], "source": d["source"], "format": d.get("format"), "title": d.get("title"),
            "published": d.get("published"), "lang": d.get("lang"), "status": d.get("status", "ok"),
            "n_facts": len(d.get("facts", [])), "extractor_version": d.get("extractor_version"),
            "text": d.get("text", "")}


FACT_FIELDS = ("kind", "subject", "metric", "value", "unit", "period", "status", "approx", "confidence", "person",
               "role", "org", "as_of", "company", "place", "origin", "year", "jobs", "source", "published", "lang")


def fact_row(f: Row, versions: dict[str, str | None]) -> Row:
    ev = f["evidence"]
    row: Row = {"fact_id": f["fact_id"], "doc_id": ev["doc_id"]}
    row.update({k: f.get(k) for k in FACT_FIELDS})
    row.update({"sentence": ev["sentence"], "start": ev["start"], "end": ev["end"],
                "extractor_version": f.get("extractor_version") or versions.get(ev["doc_id"])})
    return row


def entity_rows(entities: list[Row]) -> tuple[list[Row], list[Row]]:
    """The entities table and their surface forms (entity_mentions)."""
    rows: list[Row] = []
    mentions: set[tuple[str, str, str]] = set()
    for e in entities:
        rows.append({"type": e["type"], "name": e["name"], "documents": e.get("documents", len(e.get("doc_ids", []))),
                     "count": e.get("count", 0), "doc_ids": json.dumps(sorted(e.get("doc_ids", [])))})
        mentions.update((e["type"], e["name"], m) for m in [e["name"], *e.get("mentions", [])])
    return (sorted(rows, key=lambda r: (r["type"], r["name"])),
            [{"type": t, "name": n, "mention": m} for t, n, m in sorted(mentions)])


def problem_rows(documents: list[Row], manifest: Row) -> list[Row]:
    """Problems recorded on documents, and inputs the manifest skipped before reading them."""
    rows, seen = [], set()
    for d in documents:
        for p in d.get("problems") or []:
            rows.append({"doc_id": d["doc_id"], "path": d["source"], "status": d.get("status") or "ok",
                         "stage": p["stage"], "kind": p["kind"], "message": p["message"]})
        seen.add(d["source"])
    for m in manifest.get("files", []):
        if m["status"] != "ok" and m["path"] not in seen:
            rows.append({"doc_id": m.get("doc_id"), "path": m["path"], "status": m["status"], "stage": "input",
                         "kind": m["status"], "message": m.get("reason") or ""})
    for r in rows:
        r["problem_id"] = _hash(r["path"], r["stage"], r["kind"], r["message"])
    return sorted(_unique(rows, "problem_id"), key=lambda r: (r["path"], r["stage"], r["kind"], r["message"]))


def _hash(*parts: Any) -> str:
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _unique(rows: list[Row], key: str) -> list[Row]:
    return list({r[key]: r for r in rows}.values())


def history_rows(history: Row) -> tuple[list[Row], list[Row], list[Row]]:
    """The history, history_sources and targets tables from history.json."""
    hist, sources = [], []
    for m in history.get("metrics", []):
        key = {"subject": m["subject"], "metric": m["metric"], "period": m["period"], "status": m["status"]}
        values = m.get("values") or _values_of(m["sources"])
        hist.append({**key, "value": m["value"], "unit": m.get("unit"), "approx": bool(m.get("approx")),
                     "conflict": bool(m.get("conflict")),
                     "n_sources": m.get("n_sources", len({s["doc_id"] for s in m["sources"]})),
                     "competing_values": _competing(values) if m.get("conflict") else None,
                     "values_json": json.dumps(values, ensure_ascii=False, sort_keys=True)})
        for s in m["sources"]:
            if s.get("fact_id"):
                sources.append({**key, "fact_id": s["fact_id"], "doc_id": s["doc_id"], "value": s["value"],
                                "approx": bool(s.get("approx")), "source": s.get("source"),
                                "published": s.get("published"), "lang": s.get("lang"), "sentence": s.get("sentence")})
    targets = [{"subject": t["subject"], "metric": t["metric"], "period": t["period"], "unit": t.get("unit"),
                "target": t["target"], "actual": t.get("actual"),
                "outcome": t.get("outcome") or _outcome(t.get("met")), "difference": t.get("difference"),
                "ratio": t.get("ratio"), "actual_approx": t.get("actual_approx"),
                "actual_conflict": t.get("actual_conflict")} for t in history.get("targets_vs_actuals", [])]
    key4 = ("subject", "metric", "period", "status")
    return (sorted(hist, key=lambda r: tuple(r[k] for k in key4)),
            sorted(_unique_by(sources, (*key4, "fact_id")), key=lambda r: (*(r[k] for k in key4), r["fact_id"])),
            sorted(targets, key=lambda r: (r["subject"], r["metric"], r["period"])))


def _unique_by(rows: list[Row], keys: tuple[str, ...]) -> list[Row]:
    return list({tuple(r[k] for k in keys): r for r in rows}.values())


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


def role_rows(roles: dict[str, list[Row]]) -> list[Row]:
    rows = []
    for org, items in roles.items():
        for r in items:
            srcs = r.get("sources", [])
            readable = "; ".join(f"{Path(s.get('source') or s['doc_id']).name} ({s.get('as_of') or '?'}, {s['status']})"
                                 for s in srcs)
            rows.append({"org": org, "role": r["role"], "person": r["person"], "first_seen": r.get("first_seen"),
                         "last_seen": r.get("last_seen"), "former_as_of": r.get("former_as_of"),
                         "incoming_as_of": r.get("incoming_as_of"), "n_sources": len({s["doc_id"] for s in srcs}),
                         "sources": readable, "sources_json": json.dumps(srcs, ensure_ascii=False, sort_keys=True)})
    return sorted(rows, key=lambda r: (r["org"], r["role"], r["person"]))


# ---------------------------------------------------------------- writing

def load(db: Database, out_dir: Path) -> None:
    """Upsert the outputs in `out_dir` into a migrated database and rebuild the search indexes.

    documents.jsonl and facts.jsonl are streamed in file order (build writes them sorted), so a
    large corpus is never held in memory; the smaller tables are sorted here before insertion.
    """
    versions: dict[str, str | None] = {}
    problem_docs: list[Row] = []

    def documents() -> Iterator[Row]:
        for d in _jsonl(out_dir / "documents.jsonl"):
            versions[d["doc_id"]] = d.get("extractor_version")
            problem_docs.append({k: d.get(k) for k in ("doc_id", "source", "status", "problems")})
            yield document_row(d)

    history = _json(out_dir / "history.json")
    entities, mentions = entity_rows(list(_jsonl(out_dir / "entities.jsonl")))
    hist, sources, targets = history_rows(history)
    with db.conn:
        db.table("documents").upsert_all(documents(), pk="doc_id")
        db.table("facts").upsert_all((fact_row(f, versions) for f in _jsonl(out_dir / "facts.jsonl")), pk="fact_id")
        tables: list[tuple[str, list[Row], str | tuple[str, ...]]] = [
            ("entities", entities, ("type", "name")),
            ("entity_mentions", mentions, ("type", "name", "mention")),
            ("problems", problem_rows(problem_docs, _json(out_dir / "manifest.json")), "problem_id"),
            ("history", hist, ("subject", "metric", "period", "status")),
            ("history_sources", sources, ("subject", "metric", "period", "status", "fact_id")),
            ("targets", targets, ("subject", "metric", "period")),
            ("roles", role_rows(history.get("roles", {})), ("org", "role", "person")),
        ]
        for name, rows, pk in tables:
            if rows:
                db.table(name).upsert_all(rows, pk=pk)
    for name in ("facts", "documents"):
        db.table(name).rebuild_fts()


def write_db(out_dir: Path) -> Path:
    """Write `out_dir/facts.db` from the JSON outputs in `out_dir`; return its path.

    Example: write_db(Path("output"))  # -> output/facts.db
    """
    out_dir = Path(out_dir)
    path = out_dir / DB_NAME
    tmp = out_dir / f".{DB_NAME}.tmp"
    tmp.unlink(missing_ok=True)
    db = Database(tmp)
    try:
        migrate(db)
        load(db, out_dir)
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
        "jobs": "implantation: jobs announced", "sentence": "the evidence sentence, as in the cleaned text",
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
    "leadership_timeline": ("Per organization and role, the holders in order, each with the next holder.", {
        "next_person": "the next person seen in the same role", "next_first_seen": "when they were first seen"}),
    "conflicts": ("Figures on which sources disagree: one row per source, with its value and sentence.", {
        "retained": "value kept in history", "retained_approx": "1 when the kept value is approximate",
        "value": "value this source gives"}),
}

TITLES = {"documents": "Documents", "facts": "Facts and their evidence", "entities": "Organizations and people",
          "entity_mentions": "Surface forms of entities", "problems": "Problems with inputs",
          "history": "Consolidated figures", "history_sources": "Sources of each consolidated figure",
          "targets": "Targets vs actuals", "roles": "Roles", "history_by_year": "History by year",
          "leadership_timeline": "Leadership timeline", "conflicts": "Conflicting figures"}

FACETS = {"documents": ["lang", "format", "status"], "facts": ["kind", "metric", "status", "lang"],
          "entities": ["type"], "problems": ["status", "stage", "kind"],
          "history": ["subject", "metric", "status", "conflict"], "targets": ["subject", "outcome"],
          "roles": ["org", "role"], "history_by_year": ["subject", "metric"], "leadership_timeline": ["org", "role"],
          "conflicts": ["subject", "metric"]}

_PHRASE = "'\"' || replace(:q, '\"', '\"\"') || '\"'"  # the words as one FTS5 phrase: no operators

CANNED_QUERIES: dict[str, Row] = {
    "history_by_year_for": {
        "title": "History by year",
        "description": "A subject's figures year by year, actual and target side by side (blank: all subjects).",
        "sql": "SELECT subject, period AS year, metric, unit, actual, actual_approx, actual_values, target, "
               "outcome, difference, ratio, n_sources FROM history_by_year "
               "WHERE (:subject = '' OR subject = :subject) ORDER BY subject, period, metric"},
    "who_held_which_role_when": {
        "title": "Who held which role when",
        "description": "Holders of each role per organization in order, with the dates the sources describe.",
        "sql": "SELECT org, role, person, first_seen, last_seen, former_as_of, incoming_as_of, next_person, "
               "next_first_seen, sources FROM leadership_timeline "
               "WHERE (:org = '' OR org LIKE '%' || :org || '%') "
               "AND (:person = '' OR person LIKE '%' || :person || '%')"},
    "conflicting_figures": {
        "title": "Conflicting figures",
        "description": "Figures on which sources disagree, each source with its value and sentence.",
        "sql": "SELECT subject, metric, period, status, retained, value, approx, source, published, sentence "
               "FROM conflicts"},
    "search_the_sources": {
        "title": "Search the sources",
        "description": "Words in the evidence sentences and in the documents' text, accents optional "
                       "(\"developpement\" finds \"développement\").",
        "sql": "SELECT 'evidence' AS found_in, f.source, f.published, f.kind, "
               "COALESCE(f.subject, f.org, f.company) AS about, COALESCE(f.metric, f.role) AS what, f.value, "
               "f.person, f.sentence AS text FROM facts_fts JOIN facts AS f ON f.rowid = facts_fts.rowid "
               f"WHERE :q <> '' AND facts_fts MATCH {_PHRASE} "
               "UNION ALL SELECT 'document', d.source, d.published, NULL, d.title, NULL, NULL, NULL, "
               "snippet(documents_fts, -1, '[', ']', ' … ', 24) FROM documents_fts "
               "JOIN documents AS d ON d.rowid = documents_fts.rowid "
               f"WHERE :q <> '' AND documents_fts MATCH {_PHRASE} "
               "ORDER BY found_in DESC, published, source"},
}


def datasette_metadata(db_name: str = "facts") -> Row:
    """Datasette metadata for a fact base: titles, descriptions, column meanings, facets, canned queries."""
    tables = {name: {"title": TITLES[name], "description": desc, "columns": cols,
                     **({"facets": FACETS[name]} if name in FACETS else {})}
              for name, (desc, cols) in TABLE_DOCS.items()}
    tables["documents"]["label_column"] = "title"
    tables["facts"]["sort"] = "published"
    return {
        "title": "pressfacts: the fact base",
        "description": "Facts extracted from press articles, each with the sentence and document it comes from. "
                       "Read-only.",
        "source": "the press articles listed in the documents table (column source)",
        "databases": {db_name: {"description": "Built by `pressfacts build`; see docs/factbase.md.",
                                "tables": tables, "queries": CANNED_QUERIES}},
    }

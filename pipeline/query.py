"""Questions to the fact base (`facts.db`): facts by filter, a subject's history by year, conflicts.

Every value a caller gives travels as an SQL parameter; identifiers (columns, views) come only from
the fixed tuples below. Names are compared without case or accents ("stefanini" finds
"Philippe Stéfanini"), full text goes through the FTS5 index with each word quoted, so no input
can change the shape of a query.

Example:
    rows = find_facts(open_db("output/facts.db"), FactQuery(person="Chauvin", year="2015-2020"))
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

Row = dict[str, Any]

FACT_COLUMNS = ("fact_id", "doc_id", "kind", "subject", "metric", "value", "unit", "period", "status", "approx",
                "confidence", "person", "role", "org", "as_of", "company", "place", "origin", "year", "jobs",
                "sentence", "start", "end", "source", "published", "lang", "extractor_version")
# The year a fact is about: a metric's period, an implantation's year, a role's date, else publication.
_FACT_YEAR = "CAST(substr(COALESCE(f.period, f.year, f.as_of, f.published), 1, 4) AS INTEGER)"
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:[-–/]|\.\.)?\s*(\d{4})?\s*$")
_WORD = re.compile(r"\w+")

# The four series of `pressfacts history`: (label, metric).
HISTORY_SERIES = (("projects", "location_projects"), ("jobs", "jobs_created"),
                  ("foreign share", "foreign_share_projects"), ("budget", "budget"))


class QueryError(ValueError):
    """A filter that cannot be used; the message says what to write instead."""


def fold(text: str) -> str:
    """Compare key: no accents, no case ("Stéfanini" -> "stefanini")."""
    s = unicodedata.normalize("NFKD", text)
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def _sql_fold(text: Any) -> str | None:
    return None if text is None else fold(str(text))


def open_db(path: str | Path) -> Database:
    """Open a fact base read-only (queries cannot change it), with the `pf_fold()` SQL function."""
    path = Path(path)
    if not path.is_file():
        raise QueryError(f"no fact base at {path}: run `pressfacts build CORPUS --out DIR` first, "
                         "then pass --db DIR/facts.db")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.create_function("pf_fold", 1, _sql_fold, deterministic=True)
    return Database(conn)


def parse_years(spec: str) -> tuple[int, int]:
    """"2014" -> (2014, 2014); "2010-2015" -> (2010, 2015)."""
    m = _YEARS.match(spec or "")
    if not m:
        raise QueryError(f"year {spec!r}: write a year (2014) or a range (2010-2015)")
    first = int(m.group(1))
    last = int(m.group(2) or first)
    if last < first:
        raise QueryError(f"year range {spec!r} runs backwards: write {last}-{first}")
    return first, last


def fts_phrase(text: str) -> str | None:
    """A full-text query that matches every word of `text`, each quoted (no FTS5 operators)."""
    words = _WORD.findall(text)
    return " ".join(f'"{w}"' for w in words) or None


@dataclass(frozen=True)
class FactQuery:
    """Filters for `find_facts`; None means "any"."""

    org: str | None = None  # subject of a metric, organization of a role, company of an implantation
    person: str | None = None
    metric: str | None = None
    year: str | None = None  # "2014" or "2010-2015"
    status: str | None = None  # actual | target | current | former | incoming
    lang: str | None = None
    kind: str | None = None  # metric | role | implantation
    text: str | None = None  # words of the evidence sentence (full-text search)
    limit: int | None = None


def _where(q: FactQuery) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if q.org:
        clauses.append("(instr(pf_fold(f.subject), ?) OR instr(pf_fold(f.org), ?) OR instr(pf_fold(f.company), ?))")
        params += [fold(q.org)] * 3
    if q.person:
        clauses.append("instr(pf_fold(f.person), ?)")
        params.append(fold(q.person))
    for column, value in (("metric", q.metric), ("status", q.status), ("lang", q.lang), ("kind", q.kind)):
        if value:
            clauses.append(f"f.{column} = ?")  # column from the fixed tuple above, value a parameter
            params.append(value)
    if q.year:
        first, last = parse_years(q.year)
        clauses.append(f"{_FACT_YEAR} BETWEEN ? AND ?")
        params += [first, last]
    if q.text is not None:
        phrase = fts_phrase(q.text)
        clauses.append("f.rowid IN (SELECT rowid FROM facts_fts WHERE facts_fts MATCH ?)" if phrase else "0")
        if phrase:
            params.append(phrase)
    return clauses, params


def find_facts(db: Database, q: FactQuery, columns: tuple[str, ...] = FACT_COLUMNS) -> list[Row]:
    """Facts matching every filter of `q`, oldest publication first, each with its source and sentence."""
    unknown = [c for c in columns if c not in FACT_COLUMNS]
    if unknown:
        raise QueryError(f"unknown column(s) {', '.join(unknown)}; choose from {', '.join(FACT_COLUMNS)}")
    clauses, params = _where(q)
    sql = "SELECT " + ", ".join(f'f."{c}"' for c in columns) + " FROM facts AS f"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY f.published, f.source, f.start, f.fact_id"
    if q.limit is not None:
        sql += " LIMIT ?"
        params.append(int(q.limit))
    rows = list(db.query(sql, params))
    for r in rows:
        if r.get("approx") is not None:  # SQLite stores booleans as 0/1
            r["approx"] = bool(r["approx"])
    return rows


def subjects(db: Database) -> list[tuple[str, int]]:
    """Subjects of the history, most figures first."""
    rows = db.execute("SELECT subject, count(*) AS n FROM history GROUP BY subject ORDER BY n DESC, subject").fetchall()
    return [(r[0], r[1]) for r in rows]


def resolve_subject(db: Database, subject: str | None) -> str:
    """The subject as stored: `subject` matched without case or accents, else the most documented one."""
    known = subjects(db)
    if not known:
        raise QueryError("the fact base has no figures yet (history is empty)")
    if subject is None:
        return known[0][0]
    for name, _n in known:
        if fold(name) == fold(subject):
            return name
    close = [name for name, _n in known if fold(subject) in fold(name)]
    if len(close) == 1:
        return close[0]
    raise QueryError(f"no figures for subject {subject!r}; known subjects: " + ", ".join(n for n, _ in known))


def history_by_year(db: Database, subject: str, metrics: tuple[str, ...] | None = None) -> list[Row]:
    """Rows of the history_by_year view for one subject (actual and target side by side)."""
    sql = "SELECT * FROM history_by_year WHERE subject = ?"
    params: list[Any] = [subject]
    if metrics:
        sql += " AND metric IN (" + ", ".join("?" for _ in metrics) + ")"
        params += list(metrics)
    return list(db.query(sql + " ORDER BY period, metric", params))


def year_table(rows: list[Row], series: tuple[tuple[str, str], ...] = HISTORY_SERIES) -> list[Row]:
    """Pivot history_by_year rows to one row per year: {"year", label: history row or None, ...}."""
    by_year: dict[str, Row] = {}
    metric_label = {metric: label for label, metric in series}
    for r in rows:
        label = metric_label.get(r["metric"])
        if label is None:
            continue
        by_year.setdefault(r["period"], {"year": r["period"], **{lbl: None for lbl, _ in series}})[label] = r
    return [by_year[y] for y in sorted(by_year)]


def conflicts(db: Database, subject: str | None = None) -> list[Row]:
    """Rows of the conflicts view (one per source of a disagreeing figure), optionally for one subject."""
    if subject is None:
        return list(db.query("SELECT * FROM conflicts"))
    return list(db.query("SELECT * FROM conflicts WHERE subject = ?", [subject]))


def targets(db: Database, subject: str) -> list[Row]:
    """Targets of a subject with the actual of the same metric and year: met, missed, by how much."""
    return list(db.query("SELECT * FROM targets WHERE subject = ? ORDER BY period, metric", [subject]))


ROLES = ("president", "vice_president", "director_general", "chief_executive", "founder")
_PARTIAL_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def holders_on(db: Database, on: str, role: str | None = None, org: str | None = None) -> list[Row]:
    """Who held an office on a date: the terms (leadership_timeline) that cover some day of `on`
    ("2014", "2014-09", "2014-09-15"), each with its bounds, how they were established and the
    sentences they rest on. `role` is one of ROLES; `org` matches without case or accents."""
    from pipeline.store import HOLDERS_ON_SQL
    from pipeline.terms import valid_partial

    on = on.strip()
    if not (_PARTIAL_DATE.match(on) and valid_partial(on)):
        raise QueryError(f"--on {on!r} is not a date: write 2014, 2014-09 or 2014-09-15")
    if role is not None and role not in ROLES:
        raise QueryError(f"unknown role {role!r}; valid roles: {', '.join(ROLES)}")
    rows = list(db.query(HOLDERS_ON_SQL, {"on": on, "role": role or "", "org": ""}))
    if org:
        rows = [r for r in rows if fold(org) in fold(r["org"])]
    return rows


def leaders(db: Database, org: str) -> list[Row]:
    """The leadership_timeline of one organization (as stored), single-seat offices first, oldest first."""
    return list(db.query(
        "SELECT * FROM leadership_timeline WHERE org = ? ORDER BY CASE role WHEN 'president' THEN 0 "
        "WHEN 'director_general' THEN 1 WHEN 'chief_executive' THEN 2 WHEN 'vice_president' THEN 3 ELSE 4 END, "
        "COALESCE(term_start_first_day, first_seen, incoming_as_of, former_as_of, '9999'), person", [org]))

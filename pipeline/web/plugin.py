"""Datasette plugin of `pressfacts serve`: the front page, the source pages, links and search.

Hooks (Datasette's plugin mechanism; `pressfacts serve` registers this module, its templates are
in pipeline/web/templates):
- prepare_connection   SQL functions `pf_fts(q)` (a search box's words as a safe FTS5 expression,
                       as `pressfacts query --text` reads them) and `pf_fold(text)`
- extra_template_vars  what the front page (templates/index.html) shows: the main subject's
                       figures by year with targets and met/missed, its leaders, the conflicts
                       with each side's source, the canned queries, the views per kind of fact
- register_routes      /-/source/{doc_id}: a document's cleaned text with an evidence sentence
                       highlighted at its offsets (?fact=FACT_ID, or ?start=&end=), its metadata
                       and its other facts
- render_cell          a fact's `source` links to that page, the sentence highlighted
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from pipeline import query as q

SOURCE_ROUTE = "/-/source/"
# Where a row's `source` links to its page: tables and views (and canned queries) with these columns.
_LINKED = frozenset({"facts", "figure_facts", "role_facts", "implantation_facts", "history_sources", "conflicts",
                     "documents"})
# Columns of leadership_timeline the front page shows (the organization is the section's): each
# holder's term, how each bound is known, and when they were last seen in office.
_LEADER_COLUMNS = ("role", "person", "term_start", "term_start_how", "term_end", "term_end_how", "last_seen",
                   "next_person")


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    q.register_sql_functions(conn)


def source_path(doc_id: str, fact_id: str | None = None) -> str:
    """The path of a document's page, highlighting a fact's sentence when given."""
    path = SOURCE_ROUTE + urllib.parse.quote(str(doc_id), safe="")
    return path + (f"?fact={urllib.parse.quote(str(fact_id), safe='')}#evidence" if fact_id else "")


def _plain(value: Any) -> Any:
    """A cell's value; a table page gives a foreign key as {"value": ..., "label": ...}."""
    return value.get("value") if isinstance(value, dict) else value


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, datasette: Any) -> Markup | None:
    if column != "source" or value is None or (table is not None and table not in _LINKED):
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    doc_id = _plain(row["doc_id"]) if "doc_id" in keys else None
    if doc_id is None:
        return None
    fact_id = _plain(row["fact_id"]) if "fact_id" in keys else None
    url = datasette.urls.path(source_path(doc_id, fact_id))
    return Markup(f'<a href="{escape(url)}" title="read the source">{escape(str(value))}</a>')


# ---------------------------------------------------------------- the front page

def front_page(conn: sqlite3.Connection) -> dict[str, Any]:
    """Everything the front page shows, read from a fact base connection (plain values)."""
    from sqlite_utils import Database

    from pipeline.cli_factbase import cell

    db = Database(conn)
    counts = dict(conn.execute(
        "SELECT 'documents', count(*) FROM documents UNION ALL SELECT 'facts', count(*) FROM facts "
        "UNION ALL SELECT 'conflicts', count(*) FROM history WHERE conflict = 1").fetchall())
    first, last = conn.execute("SELECT min(published), max(published) FROM documents").fetchone()
    page: dict[str, Any] = {"counts": counts, "first": first, "last": last, "subject": None, "years": [],
                            "series": [label for label, _m in q.HISTORY_SERIES], "leaders": [], "leader_columns": [],
                            "conflicts": []}
    known = q.subjects(db)
    if known:
        subject = page["subject"] = known[0][0]
        for t in q.year_table(q.history_by_year(db, subject)):
            cells = []
            for label in page["series"]:
                r = t[label]
                cells.append({"actual": cell(r, "actual"), "target": cell(r, "target"),
                              "outcome": (r or {}).get("outcome") if r and r.get("target") is not None else None})
            page["years"].append({"year": t["year"], "cells": cells})
        org = subject
    else:
        org = None
    cur = conn.execute("SELECT * FROM leadership_timeline WHERE (? IS NULL OR org = ?)", [org, org])
    columns = [d[0] for d in cur.description]
    page["leader_columns"] = [c for c in _LEADER_COLUMNS if c in columns]
    page["leaders"] = [dict(zip(columns, r)) for r in cur.fetchall()]
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in q.conflicts(db):
        key = (r["subject"], r["metric"], r["period"], r["status"])
        g = groups.setdefault(key, {"subject": r["subject"], "metric": r["metric"], "period": r["period"],
                                    "status": r["status"], "retained": _value(r["retained"], r["retained_approx"]),
                                    "sources": []})
        g["sources"].append({"value": _value(r["value"], r["approx"]), "source": r["source"],
                             "published": r["published"], "sentence": r["sentence"],
                             "href": source_path(r["doc_id"], r["fact_id"])})
    page["conflicts"] = list(groups.values())
    return page


def _value(v: Any, approx: Any) -> str:
    from pipeline.cli_factbase import _num

    return ("~" if approx else "") + _num(v)


@hookimpl
def extra_template_vars(template: str, datasette: Any) -> Any:
    if template != "index.html":
        return None

    async def inner() -> dict[str, Any]:
        db = datasette.get_database()
        meta = datasette.metadata(database=db.name) or {}
        queries = [{"name": name, "title": c.get("title", name), "description": c.get("description", "")}
                   for name, c in (meta.get("queries") or {}).items()]
        tables = meta.get("tables") or {}
        views = [{"name": name, "title": tables.get(name, {}).get("title", name),
                  "description": tables.get(name, {}).get("description", "")}
                 for name in ("figure_facts", "role_facts", "implantation_facts", "history_by_year", "targets",
                              "documents", "problems")]
        return {"pf": await db.execute_fn(front_page), "pf_db": db.name, "pf_queries": queries,
                "pf_views": views, "pf_source_route": datasette.urls.path(SOURCE_ROUTE)}

    return inner


# ---------------------------------------------------------------- the source pages

def source_page_data(conn: sqlite3.Connection, doc_id: str, fact_id: str | None, start: int | None,
                     end: int | None) -> dict[str, Any] | None:
    """A document, its text cut around the highlighted span, and its facts; None if unknown."""
    from pipeline.cli_factbase import fact_summary

    cur = conn.cursor()  # rows by name on this cursor only: the connection is Datasette's
    cur.row_factory = sqlite3.Row
    doc = cur.execute("SELECT * FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
    if doc is None:
        return None
    cols = ", ".join(f'"{c}"' for c in q.FACT_COLUMNS)
    facts = [dict(r) for r in cur.execute(f"SELECT {cols} FROM facts WHERE doc_id = ? ORDER BY start, fact_id",
                                          [doc_id]).fetchall()]
    text = doc["text"] or ""
    chosen = next((f for f in facts if f["fact_id"] == fact_id), None) if fact_id else None
    note = None
    if chosen is not None:
        start, end = chosen["start"], chosen["end"]
        if text[start:end] != chosen["sentence"]:
            note = "the evidence sentence is not at its offsets in this text (the document changed?)"
    elif fact_id:
        note = f"no fact {fact_id} in this document"
    if start is not None and end is not None and not 0 <= start < end <= len(text):
        note, start, end = f"offsets {start}-{end} are outside the text ({len(text)} characters)", None, None
    parts = {"before": text, "mark": None, "after": ""}
    if start is not None and end is not None:
        parts = {"before": text[:start], "mark": text[start:end], "after": text[end:]}
    for f in facts:
        f["summary"] = fact_summary(f)
        f["href"] = source_path(doc_id, f["fact_id"])
    meta = {k: doc[k] for k in ("source", "title", "published", "lang", "format", "status", "n_facts", "doc_id")}
    return {"doc": meta, "parts": parts, "start": start, "end": end, "facts": facts, "chosen": chosen,
            "note": note}


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


async def source_view(datasette: Any, request: Any) -> Response:
    doc_id = request.url_vars["doc_id"]
    args = request.args
    db = datasette.get_database()
    data = await db.execute_fn(lambda conn: source_page_data(conn, doc_id, args.get("fact"), _int(args.get("start")),
                                                             _int(args.get("end"))))
    if data is None:
        raise NotFound(f"no document {doc_id} in the fact base")
    for f in data["facts"]:
        f["href"] = datasette.urls.path(f["href"])
    html = await datasette.render_template("pressfacts_source.html", {**data, "pf_db": db.name}, request=request)
    return Response.html(html)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/source/(?P<doc_id>[^/?#]+)$", source_view)]

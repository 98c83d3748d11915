"""Consolidation across documents: one entry per (subject, metric, period, status), roles as a
timeline per organization, targets paired with the actuals of the same metric and year.

Input: fact rows as `pipeline.factbase` writes them to facts.jsonl (a fact's fields, its `evidence`,
and the document's `source`, `published`, `lang`, plus `fact_id`).

Values agree when they are equal, or when one of them is approximate ("près de 1 800") and the
other lies within APPROX_TOLERANCE of it. Disagreeing values make a conflict; every entry lists its
distinct values, each with the documents and sources that give it, so a conflict can be checked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from pipeline.records import FIRM_CONFIDENCE
from pipeline.terms import build_terms

APPROX_TOLERANCE = 0.05  # "about 70" agrees with 67..73, not with 63

Fact = dict[str, Any]


Reading = tuple[float, bool]  # what agreement looks at: a fact's value and whether it is approximate


def _reading(f: Fact) -> Reading:
    return float(f["value"]), bool(f.get("approx"))


def _readings_agree(a: Reading, b: Reading) -> bool:
    (va, approx_a), (vb, approx_b) = a, b
    if va == vb:
        return True
    if approx_a or approx_b:
        ref = max(abs(va), abs(vb)) or 1.0
        return abs(va - vb) <= APPROX_TOLERANCE * ref
    return False


def _agree(a: Fact, b: Fact) -> bool:
    return _readings_agree(_reading(a), _reading(b))


def _support(items: list[Fact]) -> Callable[[Fact], int]:
    """How many of `items` agree with a fact (itself included), counted over the distinct readings
    of `items` rather than item by item: a figure that 600 sources give has a handful of readings."""
    counts = Counter(_reading(f) for f in items)
    known: dict[Reading, int] = {}

    def support(f: Fact) -> int:
        r = _reading(f)
        if (n := known.get(r)) is None:
            n = known[r] = sum(k for other, k in counts.items() if _readings_agree(r, other))
        return n

    return support


def _any_disagree(facts: list[Fact]) -> bool:
    """Two of `facts` disagree (over their distinct readings)."""
    counts = list(Counter(_reading(f) for f in facts).items())
    return any((n > 1 and not _readings_agree(r, r)) or any(not _readings_agree(r, other) for other, _ in counts[i + 1:])
               for i, (r, n) in enumerate(counts))


def _fmt(v: Any) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def value_label(value: Any, approx: bool) -> str:
    """How a value reads in a conflict list: "63", "~70"."""
    return ("~" if approx else "") + _fmt(value)


def _source(f: Fact) -> dict[str, Any]:
    ev = f["evidence"]
    return {"fact_id": f.get("fact_id"), "doc_id": ev["doc_id"], "source": f.get("source"),
            "published": f.get("published"), "lang": f.get("lang"), "value": f["value"],
            "approx": bool(f.get("approx")), "sentence": ev["sentence"], "start": ev["start"]}


def _fact_order(f: Fact) -> tuple[Any, ...]:
    """A total order on facts, so that no result depends on the order they come in: a document
    found at two paths has the same doc_id, offsets and values twice, told apart by `source`."""
    ev = f["evidence"]
    return (ev["doc_id"], ev["start"], str(f.get("source") or ""), str(f.get("fact_id") or ""), float(f["value"]),
            bool(f.get("approx")), -float(f.get("confidence", 0)), ev.get("end", 0), ev["sentence"])


def _dedupe(items: list[Fact]) -> list[Fact]:
    """One fact per (document, span, value): a sentence matched twice is one source, not two."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for f in items:
        key = (f["evidence"]["doc_id"], f["evidence"]["start"], float(f["value"]), bool(f.get("approx")))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _values(items: list[Fact]) -> list[dict[str, Any]]:
    groups: dict[str, list[Fact]] = defaultdict(list)
    for f in items:
        groups[value_label(f["value"], bool(f.get("approx")))].append(f)
    return [{"value": label, "doc_ids": sorted({f["evidence"]["doc_id"] for f in fs}),
             "sources": sorted({str(f.get("source") or f["evidence"]["doc_id"]) for f in fs})}
            for label, fs in sorted(groups.items(), key=lambda kv: (float(kv[0].lstrip("~")), kv[0]))]


def consolidate_metrics(facts: Iterable[Fact]) -> list[dict[str, Any]]:
    """One entry per (subject, metric, period, status) with the retained value and every source."""
    groups: dict[tuple[str, str, str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        # A figure whose year could not be resolved stays in facts.jsonl but fills no cell: a
        # history row "None" is no year a journalist can read.
        if f.get("kind") == "metric" and f.get("period") not in (None, "", "None"):
            groups[(f["subject"], f["metric"], str(f.get("period")), f["status"])].append(f)
    out = []
    for (subject, metric, period, status), items in sorted(groups.items()):
        items = _dedupe(sorted(items, key=_fact_order))
        # Sources disagree when two firm readings do. A weak reading (a year borrowed from the
        # context or the publication date) that disagrees with a firm one is the likelier error:
        # it is kept among the values and listed as doubtful, and raises no conflict.
        firm = [f for f in items if float(f.get("confidence", 0)) >= FIRM_CONFIDENCE - 1e-9]
        pool = firm or items
        exact = [f for f in pool if not f.get("approx")]
        support = _support(items)
        retained = max(exact or pool, key=lambda f: (support(f), f.get("confidence", 0)))
        conflict = _any_disagree(firm)
        # (a fact equal to a firm one is firm: `f in firm` is whether f itself is)
        firm_ids = {id(f) for f in firm}
        doubtful = [f for f in items if id(f) not in firm_ids and not _agree(f, retained)]
        out.append({
            "subject": subject, "metric": metric, "period": period, "status": status,
            "value": retained["value"], "unit": retained.get("unit", "count"),
            "approx": bool(retained.get("approx")) and not exact,
            "n_sources": len({f["evidence"]["doc_id"] for f in items}),
            "sources": [_source(f) for f in items], "conflict": conflict, "values": _values(items),
            "doubtful": _values(doubtful),
        })
    return out


def pair_targets(metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target with the actual of the same subject, metric and period: met or missed, by how much.

    `outcome` is "met", "missed" or "no actual reported"; `difference` is actual minus target and
    `ratio` actual over target. An approximate or conflicting actual is flagged, not hidden.
    """
    actual = {(m["subject"], m["metric"], m["period"]): m for m in metrics if m["status"] == "actual"}
    out = []
    for t in metrics:
        if t["status"] != "target":
            continue
        a = actual.get((t["subject"], t["metric"], t["period"]))
        row: dict[str, Any] = {"subject": t["subject"], "metric": t["metric"], "period": t["period"],
                               "unit": t.get("unit", "count"), "target": t["value"],
                               "actual": a["value"] if a else None, "outcome": "no actual reported"}
        if a:
            diff = float(a["value"]) - float(t["value"])
            row.update({"met": diff >= 0, "outcome": "met" if diff >= 0 else "missed", "difference": _num(diff),
                        "ratio": round(float(a["value"]) / float(t["value"]), 3) if t["value"] else None,
                        "actual_approx": bool(a.get("approx")), "actual_conflict": bool(a.get("conflict"))})
        out.append(row)
    return out


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 2)


def _dates(items: list[Fact], status: str) -> list[str]:
    return sorted(d for i in items if i.get("status", "current") == status and (d := i.get("as_of")))


def single_seat_roles() -> tuple[str, ...]:
    """The single-seat roles of the default models folder (models/leadership.yaml)."""
    from pipeline.config import DEFAULT_MODELS_DIR
    from pipeline.resources import load_resources

    return tuple(load_resources(DEFAULT_MODELS_DIR).leadership.single_seat)


def role_timeline(facts: Iterable[Fact], single_seat: tuple[str, ...] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Per organization: who held which role, as of when, with sources and term, oldest first.

    `first_seen`/`last_seen` are the earliest and latest dates a source describes the person as
    holding the role; `former_as_of` the earliest date one calls them former; `incoming_as_of` the
    earliest date one announces them; `term` the start and end of the term of office with how each
    was established (pipeline/terms.py). `single_seat`: roles held by one person at a time
    (default: models/leadership.yaml).
    """
    facts = [f for f in facts if f.get("kind") == "role"]
    terms = build_terms(facts, single_seat_roles() if single_seat is None else single_seat)
    groups: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        groups[(f["org"], f["role"], f["person"])].append(f)
    by_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (org, role, person), items in groups.items():
        current, former, incoming = (_dates(items, s) for s in ("current", "former", "incoming"))
        sources = {(i["evidence"]["doc_id"], i.get("as_of") or "", i.get("status", "current"),
                    str(i.get("source") or ""), i["evidence"]["sentence"]) for i in items}
        by_org[org].append({
            "person": person, "role": role,
            "first_seen": current[0] if current else None,
            "last_seen": current[-1] if current else None,
            "former_as_of": former[0] if former else None,
            "incoming_as_of": incoming[0] if incoming else None,
            "term": terms[(org, role, person)],
            "sources": [{"doc_id": d, "as_of": a or None, "status": s, "source": src or None, "sentence": sent}
                        for d, a, s, src, sent in sorted(sources, key=lambda x: (x[1], x[0], x[2], x[4], x[3]))],
        })
    for rows in by_org.values():  # total: (role, person) is unique within an organization
        rows.sort(key=lambda r: (r["first_seen"] or r["incoming_as_of"] or r["former_as_of"] or "9999",
                                 r["role"], r["person"]))
    return dict(sorted(by_org.items()))


def build_history(facts: list[Fact], single_seat: tuple[str, ...] | None = None) -> dict[str, Any]:
    """history.json: consolidated metrics, targets vs actuals, conflicts, role timelines."""
    metrics = consolidate_metrics(facts)
    return {
        "metrics": metrics,
        "targets_vs_actuals": pair_targets(metrics),
        "conflicts": [m for m in metrics if m["conflict"]],
        "roles": role_timeline(facts, single_seat),
    }

"""Consolidation across documents: one entry per (subject, metric, period, status), roles as a
timeline per organization, targets paired with the actuals of the same metric and year.

Values agree when they are equal, or when one of them is approximate ("près de 1 800") and the
other lies within APPROX_TOLERANCE of it. Disagreeing values make a conflict listing each value
with its sources.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

APPROX_TOLERANCE = 0.05  # "about 70" agrees with 67..73, not with 63


def _agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    va, vb = float(a["value"]), float(b["value"])
    if va == vb:
        return True
    if a.get("approx") or b.get("approx"):
        ref = max(abs(va), abs(vb)) or 1.0
        return abs(va - vb) <= APPROX_TOLERANCE * ref
    return False


def _source(f: dict[str, Any]) -> dict[str, Any]:
    ev = f["evidence"]
    return {"doc_id": ev["doc_id"], "source": f.get("source"), "published": f.get("published"),
            "value": f["value"], "approx": f.get("approx", False), "sentence": ev["sentence"]}


def consolidate_metrics(facts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for f in facts:
        if f.get("kind") == "metric":
            groups[(f["subject"], f["metric"], str(f.get("period")), f["status"])].append(f)
    out = []
    for (subject, metric, period, status), items in sorted(groups.items()):
        items = sorted(items, key=lambda f: (f["evidence"]["doc_id"], f["evidence"]["start"]))
        exact = [f for f in items if not f.get("approx")]
        retained = max(exact or items, key=lambda f: (sum(_agree(f, g) for g in items), f.get("confidence", 0)))
        conflict = any(not _agree(a, b) for i, a in enumerate(items) for b in items[i + 1:])
        entry: dict[str, Any] = {
            "subject": subject, "metric": metric, "period": period, "status": status,
            "value": retained["value"], "unit": retained.get("unit", "count"),
            "approx": bool(retained.get("approx")) and not exact,
            "sources": [_source(f) for f in items], "conflict": conflict,
        }
        if conflict:
            values: dict[str, list[str]] = defaultdict(list)
            for f in items:
                label = ("~" if f.get("approx") else "") + _fmt(f["value"])
                values[label].append(f["evidence"]["doc_id"])
            entry["values"] = [{"value": k, "doc_ids": sorted(set(v))} for k, v in sorted(values.items())]
        out.append(entry)
    return out


def _fmt(v: Any) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def pair_targets(metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target with the actual of the same subject, metric and period: met or missed."""
    actual = {(m["subject"], m["metric"], m["period"]): m for m in metrics if m["status"] == "actual"}
    out = []
    for t in metrics:
        if t["status"] != "target":
            continue
        a = actual.get((t["subject"], t["metric"], t["period"]))
        row = {"subject": t["subject"], "metric": t["metric"], "period": t["period"], "target": t["value"],
               "actual": a["value"] if a else None}
        if a:
            diff = float(a["value"]) - float(t["value"])
            row.update({"met": diff >= 0, "difference": _num(diff),
                        "ratio": round(float(a["value"]) / float(t["value"]), 3) if t["value"] else None})
        out.append(row)
    return out


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 2)


def role_timeline(facts: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per organization: who held which role, as of when, with sources, oldest first."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for f in facts:
        if f.get("kind") == "role":
            groups[(f["org"], f["role"], f["person"])].append(f)
    by_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (org, role, person), items in groups.items():
        dates = sorted(d for d in (i.get("as_of") for i in items) if d)
        current = [d for i in items if i.get("status") == "current" and (d := i.get("as_of"))]
        former = [d for i in items if i.get("status") == "former" and (d := i.get("as_of"))]
        by_org[org].append({
            "person": person, "role": role,
            "first_seen": min(current) if current else None,
            "last_seen": max(current) if current else None,
            "former_as_of": min(former) if former else None,
            "sources": sorted({(i["evidence"]["doc_id"], i.get("as_of") or "", i.get("status", "current")) for i in items}),
        })
        _ = dates
    for org in by_org:
        by_org[org].sort(key=lambda r: (r["first_seen"] or r["former_as_of"] or "9999", r["role"], r["person"]))
        for r in by_org[org]:
            r["sources"] = [{"doc_id": d, "as_of": a or None, "status": s} for d, a, s in r["sources"]]
    return dict(sorted(by_org.items()))


def build_history(facts: list[dict[str, Any]]) -> dict[str, Any]:
    metrics = consolidate_metrics(facts)
    return {
        "metrics": metrics,
        "targets_vs_actuals": pair_targets(metrics),
        "conflicts": [m for m in metrics if m["conflict"]],
        "roles": role_timeline(facts),
    }

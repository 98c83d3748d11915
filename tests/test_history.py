from __future__ import annotations

import pytest

from pipeline.history import build_history, consolidate_metrics, pair_targets, role_timeline


def metric(value, *, doc="d1", approx=False, period="2014", status="actual", metric="location_projects", start=0):
    return {"kind": "metric", "subject": "Provence Promotion", "metric": metric, "value": value, "unit": "count",
            "period": period, "status": status, "approx": approx, "confidence": 0.7,
            "evidence": {"doc_id": doc, "sentence": f"{value} projets", "start": start, "end": start + 10}}


@pytest.mark.parametrize(
    "facts, conflict, value",
    [
        ([metric(63, doc="a"), metric(63, doc="b")], False, 63),
        ([metric(63, doc="a"), metric(70, doc="b", approx=True)], True, 63),  # ~70 is 10 % off 63: beyond tolerance
        ([metric(1800, doc="a", approx=True), metric(1790, doc="b")], False, 1790),
        ([metric(63, doc="a"), metric(64, doc="b")], True, 63),
    ],
)
def test_history_consolidate_conflicts(facts, conflict, value):
    [entry] = consolidate_metrics(facts)
    assert entry["conflict"] is conflict
    assert entry["value"] == value
    assert sorted(s["doc_id"] for s in entry["sources"]) == sorted(f["evidence"]["doc_id"] for f in facts)
    if conflict:
        assert len(entry["values"]) == 2


def test_history_targets_paired_with_actuals():
    metrics = consolidate_metrics([metric(75, status="target", period="2018"), metric(77, period="2018"),
                                   metric(65, status="target", period="2021")])
    rows = {r["period"]: r for r in pair_targets(metrics)}
    assert rows["2018"]["met"] is True and rows["2018"]["difference"] == 2
    assert rows["2021"]["actual"] is None and "met" not in rows["2021"]


def test_history_role_timeline_orders_by_date():
    def role(person, as_of, status="current"):
        return {"kind": "role", "person": person, "role": "president", "org": "Provence Promotion",
                "status": status, "as_of": as_of, "evidence": {"doc_id": as_of, "sentence": "", "start": 0, "end": 1}}

    timeline = role_timeline([role("B", "2017-07-13"), role("A", "2011-03-04"), role("A", "2017-07-13", "former")])
    people = [r["person"] for r in timeline["Provence Promotion"]]
    assert people == ["A", "B"]
    assert timeline["Provence Promotion"][0]["former_as_of"] == "2017-07-13"


def test_history_build_lists_conflicts():
    h = build_history([metric(63, doc="a"), metric(70, doc="b")])
    assert len(h["conflicts"]) == 1 and h["conflicts"][0]["period"] == "2014"

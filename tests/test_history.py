from __future__ import annotations

import pytest

from pipeline.history import build_history, consolidate_metrics, pair_targets, role_timeline


def metric(value, *, doc="d1", approx=False, period="2014", status="actual", metric="location_projects", start=0,
           confidence=0.9):
    return {"kind": "metric", "subject": "Provence Promotion", "metric": metric, "value": value, "unit": "count",
            "period": period, "status": status, "approx": approx, "confidence": confidence,
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


def test_history_weak_reading_against_a_firm_one_is_doubtful_not_a_conflict():
    # A figure dated only by the paragraph before it (confidence below FIRM_CONFIDENCE) that
    # disagrees with a figure whose year is stated where it is: the likelier extraction error.
    [entry] = consolidate_metrics([metric(63, doc="a"), metric(24, doc="b", confidence=0.75)])
    assert entry["conflict"] is False and entry["value"] == 63
    assert [v["value"] for v in entry["doubtful"]] == ["24"]
    assert len(entry["values"]) == 2 and len(entry["sources"]) == 2  # nothing hidden


def test_history_weak_readings_alone_keep_the_best_supported_value_and_raise_no_conflict():
    [entry] = consolidate_metrics([metric(80, doc="a", confidence=0.75), metric(80, doc="b", confidence=0.65),
                                   metric(60, doc="c", confidence=0.75)])
    assert entry["conflict"] is False and entry["value"] == 80
    assert [v["value"] for v in entry["doubtful"]] == ["60"]


def test_history_two_firm_readings_that_disagree_are_a_conflict_whatever_the_weak_ones_say():
    [entry] = consolidate_metrics([metric(63, doc="a"), metric(70, doc="b", confidence=0.8),
                                   metric(63, doc="c", confidence=0.6)])
    assert entry["conflict"] is True and entry["value"] == 63 and entry["doubtful"] == []


def test_history_a_figure_without_a_year_fills_no_cell():
    entries = consolidate_metrics([metric(63, doc="a"), metric(130, doc="b", period=None)])
    assert [(e["period"], e["value"]) for e in entries] == [("2014", 63)]


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


def test_history_merges_languages_and_lists_every_source():
    en = {**metric(63, doc="en"), "lang": "en", "source": "d02.html", "fact_id": "f-en"}
    fr = {**metric(63, doc="fr"), "lang": "fr", "source": "d10.txt", "fact_id": "f-fr"}
    [entry] = consolidate_metrics([fr, en])
    assert entry["conflict"] is False and entry["n_sources"] == 2
    assert [(s["lang"], s["source"], s["fact_id"]) for s in entry["sources"]] == [("en", "d02.html", "f-en"),
                                                                                ("fr", "d10.txt", "f-fr")]
    assert entry["values"] == [{"value": "63", "doc_ids": ["en", "fr"], "sources": ["d02.html", "d10.txt"]}]


def test_history_same_sentence_twice_is_one_source():
    [entry] = consolidate_metrics([metric(63, doc="a"), metric(63, doc="a")])
    assert len(entry["sources"]) == 1 and entry["n_sources"] == 1


@pytest.mark.parametrize(
    "values, approx, conflict",
    [
        ((1800, 1790), (True, False), False),  # "près de 1 800" vs 1 790: within 5 %
        ((1800, 1700), (True, False), True),  # 1 700 is 5.6 % off
        ((70, 72), (True, True), False),  # two approximations that overlap
        ((70, 70.0), (False, False), False),  # 70 and 70.0 are one value
    ],
)
def test_history_approx_tolerance(values, approx, conflict):
    facts = [metric(v, doc=f"d{i}", approx=a) for i, (v, a) in enumerate(zip(values, approx))]
    assert consolidate_metrics(facts)[0]["conflict"] is conflict


def test_history_conflict_lists_values_with_their_sources():
    facts = [{**metric(63, doc="a"), "source": "corpus/d02.html"},
             {**metric(70, doc="b", approx=True), "source": "corpus/d10.txt"}]
    [entry] = consolidate_metrics(facts)
    assert entry["values"] == [{"value": "63", "doc_ids": ["a"], "sources": ["corpus/d02.html"]},
                               {"value": "~70", "doc_ids": ["b"], "sources": ["corpus/d10.txt"]}]


@pytest.mark.parametrize(
    "target, actual, outcome, difference, ratio",
    [(75, 77, "met", 2, 1.027), (1300, 1100, "missed", -200, 0.846), (65, None, "no actual reported", None, None)],
)
def test_history_target_outcome(target, actual, outcome, difference, ratio):
    facts = [metric(target, status="target", period="2018")]
    if actual is not None:
        facts.append(metric(actual, period="2018"))
    [row] = pair_targets(consolidate_metrics(facts))
    assert (row["outcome"], row.get("difference"), row.get("ratio")) == (outcome, difference, ratio)


def test_history_role_timeline_incoming_and_sources():
    def role(person, as_of, status):
        return {"kind": "role", "person": person, "role": "president", "org": "Provence Promotion", "status": status,
                "as_of": as_of, "source": f"{as_of}.html",
                "evidence": {"doc_id": as_of, "sentence": f"{person} ({status})", "start": 0, "end": 1}}

    [row] = role_timeline([role("C", "2017-07-13", "current"), role("C", "2017-06-01", "incoming")])["Provence Promotion"]
    assert row["incoming_as_of"] == "2017-06-01" and row["first_seen"] == "2017-07-13"
    assert [s["source"] for s in row["sources"]] == ["2017-06-01.html", "2017-07-13.html"]
    assert row["sources"][0]["sentence"] == "C (incoming)"


def test_history_output_does_not_depend_on_input_order():
    """Facts equal on every old sort key (one document found at two paths: same doc_id, offsets
    and values, another source) come out in the same order however the input is shuffled."""
    import json
    import random

    def role(person, as_of, source, status="current", doc="same"):
        return {"kind": "role", "person": person, "role": "president", "org": "Provence Promotion", "status": status,
                "as_of": as_of, "source": source, "fact_id": f"r-{person}-{as_of}",
                "evidence": {"doc_id": doc, "sentence": f"{person} préside", "start": 0, "end": 1}}

    facts = []
    for source in ("b/copy.txt", "a/orig.txt", "c/other.html"):
        facts += [{**metric(63, doc="same", start=5), "source": source, "fact_id": "m1", "lang": "fr"},
                  {**metric(70, doc="same", start=5, approx=True), "source": source, "fact_id": "m2"},
                  {**metric(75, doc="same", status="target", period="2018"), "source": source, "fact_id": "m3"},
                  role("A", "2011-03-04", source), role("A", "2011-03-04", source, "former", doc="other"),
                  role("B", None, source, "incoming")]
    expected = json.dumps(build_history(facts), sort_keys=True)
    rng = random.Random(7)
    for _ in range(30):
        rng.shuffle(facts)
        assert json.dumps(build_history(facts), sort_keys=True) == expected
    history = json.loads(expected)
    [a] = [r for r in history["roles"]["Provence Promotion"] if r["person"] == "A"]
    assert [s["source"] for s in a["sources"] if s["doc_id"] == "same"] == ["a/orig.txt", "b/copy.txt", "c/other.html"]
    [m] = [m for m in history["metrics"] if m["status"] == "actual"]
    assert m["sources"][0]["source"] == "a/orig.txt"


# --- agreement counted over distinct readings: the same answers as pair by pair -----------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pipeline.history import FIRM_CONFIDENCE, _agree, _any_disagree, _support  # noqa: E402

VALUES = st.sampled_from([0, 0.0, 1, 60, 63, 66, 67, 70, 70.0, 73, 74, 1200, 1250, -5, 2.5, float("nan")])
FACTS = st.lists(st.fixed_dictionaries({
    "value": VALUES, "approx": st.booleans(), "confidence": st.sampled_from([0.4, 0.6, FIRM_CONFIDENCE, 0.9])}),
    max_size=25)


@settings(max_examples=400)
@given(FACTS)
def test_history_support_and_conflict_match_the_pairwise_definition(facts: list[dict[str, object]]) -> None:
    support = _support(facts)
    for f in facts:
        assert support(f) == sum(_agree(f, g) for g in facts)
    assert _any_disagree(facts) == any(not _agree(a, b) for i, a in enumerate(facts) for b in facts[i + 1:])

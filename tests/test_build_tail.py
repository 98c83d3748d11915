"""The end of a build: history.json's encoder and facts.db written beside the other outputs."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.spool import indented

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(), inner, max_size=4)),
                      max_leaves=30)


def reference(value: object, level: int = 0) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    return text.replace("\n", "\n" + " " * level)


@settings(max_examples=400)
@given(VALUES, st.integers(min_value=0, max_value=3))
def test_indented_writes_what_json_dumps_writes(value: object, level: int) -> None:
    assert indented(value, level) == reference(value, level)


@pytest.mark.parametrize("value", [
    {"sources": [{"sentence": "L'agence a reçu 1\u202f200 visiteurs — « record ».", "value": 1.5e-7,
                  "approx": False, "start": 0}], "empty": {}, "none": [], "nested": [[], [{}], [[1]]]},
    [-0.0, math.inf, -math.inf, math.nan, 10**30, 1e300, "\x00\x1f\"\\\u2028\ud800"],
    (1, (2, 3), {"t": ()}),
    {"z": 1, "a": {"m": [True, None]}},
    {10: "int keys", 2: "json converts itself"},
    {"b": [{2.5: "float key"}]},
])
def test_indented_edge_cases(value: object) -> None:
    for level in (0, 2):
        assert indented(value, level) == reference(value, level)


def test_indented_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        indented({"a": [{"b": {1, 2}}]})

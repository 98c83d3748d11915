"""Normalization of figures and time expressions: numbers.py (values, units, approximation)
and dates.py (years, relative periods, date strings).

Also holds the loader the two modules share for their vocabulary, models/numbers.yaml and
models/dates.yaml: each file is read once, and its word lists become regex alternations.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from pipeline.config import DEFAULT_MODELS_DIR
from pipeline.resources import grouped_alternation, parse_yaml


@functools.lru_cache(maxsize=None)
def lexicon(name: str) -> dict[str, Any]:
    """The YAML data file models/<name>.yaml, loaded once."""
    data = parse_yaml((DEFAULT_MODELS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def entry(name: str, key: str, lang: str) -> Any:
    """models/<name>.yaml's `key` for `lang`; the English entry when `lang` has none."""
    table = lexicon(name).get(key, {})
    if not isinstance(table, dict):
        return table
    return table.get(lang, table.get("en", {}))


def alternation(words: Iterable[Any], *, ignore_case: bool = True, whole_words: bool = True) -> str:
    """A regex alternation of `words`, longest first, a space matching any whitespace.

    With `whole_words`, a word ending in a letter or digit must end there ("mai" is not
    found in "maison").
    """
    parts = sorted({str(w) for w in words}, key=len, reverse=True)
    body = grouped_alternation(parts, lambda p: re.escape(p).replace(r"\ ", r"\s+")) if any(parts) else "(?!)"
    group = f"(?i:{body})" if ignore_case else f"(?:{body})"
    return group + r"(?:(?<=\W)|(?!\w))" if whole_words else group


@functools.lru_cache(maxsize=None)
def month_names() -> tuple[dict[str, int], str]:
    """Every month name of models/dates.yaml (lower-cased) with its number, and a pattern
    with group `month` matching them (case-sensitive for the languages the data lists)."""
    data = lexicon("dates")
    sensitive = set(data.get("case_sensitive_months", []))
    names: dict[str, int] = {}
    parts = []
    for lang, table in data.get("months", {}).items():
        names.update({str(k).lower(): int(v) for k, v in table.items()})
        parts.append(alternation(table, ignore_case=lang not in sensitive))
    return names, r"(?P<month>" + "|".join(parts or ["(?!)"]) + r")\b\.?"


# The public API, imported last: both modules import the helpers above from this package.
from pipeline.normalize.dates import PeriodMention, find_periods, parse_date, resolve_relative  # noqa: E402
from pipeline.normalize.numbers import NumberMatch, find_numbers, parse_number  # noqa: E402

__all__ = [
    "NumberMatch",
    "PeriodMention",
    "find_numbers",
    "find_periods",
    "parse_date",
    "parse_number",
    "resolve_relative",
]

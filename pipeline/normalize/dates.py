"""Years in press text: explicit, relative to the publication date, and ends of periods.

`find_periods(text, lang, published)` returns the year each time expression points to, with
its span and a kind: "date" (a day or month with its year), "year", "relative" (resolved
against `published`; skipped when it is None), "range_start" / "range_end" ("de 2017 à
2019"), and "range_end" for the end of a period ("à fin 2010", "by the end of 2021").

The phrases (month names, "l'an dernier", "il y a {n} ans", "d'ici", range connectors,
fiscal-year prefixes) are data in models/dates.yaml; this module holds the grammar only.
Everything is regular expressions: dateparser is used only by `parse_date`, on short strings.
Dates without a year ("le 28 janvier") and without a relative cue are not reported.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.normalize import alternation, entry, month_names
from pipeline.normalize.numbers import parse_number
from pipeline.resources import PhraseGate

_YEAR = r"(?:19[0-9]{2}|20[0-9]{2}|2100)"
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])"
_BARE_YEAR = re.compile(r"(?<![\w.,/])(?<![^\W\d_]-)(" + _YEAR + r")(?![\w]|[.,][0-9]| ?[%€$])")
_NUMERIC_DATE = re.compile(
    r"(?<![\w./-])(?:(" + _YEAR + r")-([01][0-9])-([0-3][0-9])"
    r"|(" + _DAY + r")([/.-])([01]?[0-9])\5(" + _YEAR + r"))(?![\w]|[./-][0-9])"
)
# Every pattern with a year or a day in digits needs an ASCII digit; most sentences have none.
_DIGIT = re.compile(r"[0-9]")
# The digits of a _YEAR, with nothing around them: every pattern but the fiscal year's ("FY18")
# holds one, and most sentences with digits have none (a pattern that opens with a lookbehind is
# tried at every position of the text; this one only where a "1" or a "2" is).
_YEAR_DIGITS = re.compile(_YEAR)
_ISO = re.compile(r"\s*(" + _YEAR + r")-([01][0-9])-([0-3][0-9])(?:[T ][0-9:.+Z-]*)?\s*")
_MAX_DATE_CHARS = 80


@dataclass(frozen=True)
class PeriodMention:
    """One time expression: its span, the year it points to, and how that was found."""

    start: int
    end: int
    text: str
    year: int
    relative: bool
    kind: str


@dataclass(frozen=True)
class _Grammar:
    """Per-language patterns compiled once from models/dates.yaml."""

    months: dict[str, int]
    full_dates: tuple[re.Pattern[str], ...]
    relative_months: tuple[tuple[re.Pattern[str], dict[str, int]], ...]
    relative_phrases: re.Pattern[str]
    offsets: dict[str, int]
    templates: tuple[tuple[re.Pattern[str], int], ...]
    template_words: re.Pattern[str]  # found wherever a template matches (a cheap test first)
    ranges: tuple[re.Pattern[str], ...]
    range_end: re.Pattern[str]
    fiscal: re.Pattern[str]


def _section(key: str, lang: str) -> Any:
    return entry("dates", key, lang)


def _key(phrase: str) -> str:
    return re.sub(r"\s+", " ", phrase.strip().lower())


@functools.lru_cache(maxsize=None)
def _grammar(lang: str) -> _Grammar:
    names, month = month_names()
    after = _section("month_cues_after", lang)
    before = _section("month_cues_before", lang)
    relative_months = tuple(
        (re.compile(pattern), {k.lower(): int(v) for k, v in cues.items()})
        for pattern, cues in (
            (r"(?<![\w])(?:(?P<day>" + _DAY + r")(?:er|re)?\s+)?" + month + r",?\s+(?P<cue>"
             + alternation(after) + r")(?![\w])", after),
            (r"(?<![\w])(?P<cue>" + alternation(before) + r")\s+" + month + r"(?![\w])", before),
        )
        if cues  # a language without such cues would scan every month name for nothing
    )
    offsets = {_key(k): int(v) for k, v in _section("relative_years", lang).items()}
    templates = tuple(
        (re.compile(r"(?<![\w])" + re.escape(t).replace(r"\{n\}", r"([0-9]+|[^\W\d_]+(?:-[^\W\d_]+)*)")
                    .replace(r"\ ", r"\s+") + r"(?![\w])", re.I), int(sign))
        for t, sign in _section("relative_templates", lang).items()
    )
    # The longest fixed part of each template ("years ago" of "{n} years ago"); a template
    # without one could match anywhere.
    fixed = [max((part.strip() for part in t.split("{n}")), key=len) for t in _section("relative_templates", lang)]
    template_words = alternation(fixed, whole_words=False) if all(fixed) else ""
    return _Grammar(
        months=names,
        full_dates=(
            re.compile(r"(?<![\w])(" + _DAY + r")(?:er|re|st|nd|rd|th)?\s+(?:de\s+)?" + month
                       + r",?\s+(" + _YEAR + r")(?![\w])"),
            re.compile(r"(?<![\w])" + month + r"\s+(" + _DAY + r")(?:st|nd|rd|th)?,?\s+("
                       + _YEAR + r")(?![\w])"),
            re.compile(r"(?<![\w])()" + month + r",?\s+(" + _YEAR + r")(?![\w])"),
        ),
        relative_months=relative_months,
        relative_phrases=re.compile(r"(?<![\w])(" + alternation(offsets) + r")(?![\w])"),
        offsets=offsets,
        templates=templates,
        template_words=re.compile(template_words),
        ranges=tuple(_range_pattern(first, between) for first, between in _section("ranges", lang)),
        range_end=re.compile(r"(?<![\w'])(" + alternation(_section("range_end_cues", lang))
                             + r")\s*(" + _YEAR + r")(?![\w]|[.,][0-9])"),
        fiscal=re.compile(r"(?<![\w'])(" + alternation(_section("fiscal_prefixes", lang), whole_words=False)
                          + r")\s*(" + _YEAR + r"|[0-9]{2})(?![\w]|[.,][0-9])"),
    )


def _range_pattern(first: str, between: str) -> re.Pattern[str]:
    """"de 2017 à 2019", "between 2017 and 2019", "2017-2019", "2017-19"."""
    lead = r"(?i:" + re.escape(first) + r")\s+" if first else ""
    symbol = not between[-1:].isalpha()
    gap = r"\s*" if symbol else r"\s+"
    last = r"(" + _YEAR + r"|[0-9]{2})" if symbol else r"(" + _YEAR + r")"
    return re.compile(r"(?<![\w.,/-])" + lead + r"(" + _YEAR + r")" + gap + r"(?i:" + re.escape(between)
                      + r")" + gap + last + r"(?![\w]|[.,/-][0-9])")


def _mention(text: str, start: int, end: int, year: int, kind: str, relative: bool = False) -> PeriodMention:
    return PeriodMention(start, end, text[start:end], year, relative, kind)


def _explicit(text: str, g: _Grammar, month_words: bool = True) -> Iterator[PeriodMention]:
    """Dates with a year, in words or digits: "13 July 2017", "février 2017", "13/07/2017".
    `month_words` False: the text holds no month name (the dates in words are not looked for)."""
    for m in _NUMERIC_DATE.finditer(text):
        year = m.group(1) or m.group(7)
        yield _mention(text, m.start(), m.end(), int(year), "date")
    for pattern in g.full_dates if month_words else ():
        for m in pattern.finditer(text):
            yield _mention(text, m.start(), m.end(), int(m.group(3)), "date")


def _ranges(text: str, g: _Grammar) -> Iterator[PeriodMention]:
    for pattern in g.ranges:
        for m in pattern.finditer(text):
            first, last = int(m.group(1)), m.group(2)
            end_year = int(last) if len(last) == 4 else first - first % 100 + int(last)
            if first < end_year <= first + 100:
                yield _mention(text, m.start(1), m.end(1), first, "range_start")
                yield _mention(text, m.start(2), m.end(2), end_year, "range_end")


def _cued_years(text: str, g: _Grammar, year: bool = True) -> Iterator[PeriodMention]:
    """"à fin 2010" (range_end), "l'exercice 2010", "FY18" (year); `year` False: the text holds
    no _YEAR (the range ends are not looked for)."""
    for m in g.range_end.finditer(text) if year else ():
        yield _mention(text, m.start(), m.end(), int(m.group(2)), "range_end")
    for m in g.fiscal.finditer(text):
        digits = m.group(2)
        if len(digits) == 4:
            yield _mention(text, m.start(), m.end(), int(digits), "year")
        elif m.group(1) == "FY":
            yield _mention(text, m.start(), m.end(), 2000 + int(digits), "year")


@functools.lru_cache(maxsize=None)
def _phrase_gate(lang: str) -> PhraseGate:
    """The phrases of `relative_phrases` ("l'an dernier", "last year") as a phrase gate."""
    return PhraseGate(_grammar(lang).offsets)


@functools.lru_cache(maxsize=None)
def _template_gate(lang: str) -> PhraseGate:
    """The words of the `templates` ("il y a {n} ans": "il", "y", "a", "ans") as a phrase gate.

    Always open when a template's number touches a letter ("{n}e anniversaire": the text's
    word is "10e", not "e")."""
    templates = _section("relative_templates", lang)
    if any(_NUMBER_IN_WORD.search(t) for t in templates):
        return PhraseGate([""])  # a phrase without a word: the gate never closes
    return PhraseGate([t.replace("{n}", " ") for t in templates])


_NUMBER_IN_WORD = re.compile(r"\w\{n\}|\{n\}\w")


@functools.lru_cache(maxsize=None)
def _relative_gate(lang: str) -> PhraseGate:
    """The three gates of `_relative` in one: open where one of them is (a phrase of any of
    them), always open where one of them always is."""
    return PhraseGate.union(_month_gate(), _phrase_gate(lang), _template_gate(lang))


@functools.lru_cache(maxsize=None)
def _month_gate() -> PhraseGate:
    """The month names as a phrase gate: every pattern of `relative_months` holds one as a whole
    word ("mars dernier", "d'ici juin", "next March")."""
    return PhraseGate(month_names()[0])


def _relative(text: str, lang: str, g: _Grammar, published: datetime.date,
              words: frozenset[str] | None = None) -> Iterator[PeriodMention]:
    """Phrases resolved against the publication date (`words`: see `find_periods`)."""
    for pattern, cues in g.relative_months if _month_gate().may_match(words) else ():
        for m in pattern.finditer(text):
            day = m.groupdict().get("day")
            month = g.months[m.group("month").lower().rstrip(".")]
            year = _month_year(month, int(day) if day else None, cues[m.group("cue").lower()], published)
            yield _mention(text, m.start(), m.end(), year, "relative", True)
    for m in g.relative_phrases.finditer(text) if _phrase_gate(lang).may_match(words) else ():
        year = published.year + g.offsets[_key(m.group(1))]
        yield _mention(text, m.start(), m.end(), year, "relative", True)
    if not _template_gate(lang).may_match(words) or not g.template_words.search(text):
        return
    for pattern, sign in g.templates:
        for m in pattern.finditer(text):
            n = parse_number(m.group(1), lang)
            if isinstance(n, int) and 0 < n <= 100:
                yield _mention(text, m.start(), m.end(), published.year + sign * n, "relative", True)


def _month_year(month: int, day: int | None, offset: int, published: datetime.date) -> int:
    """The year of the previous (offset < 0) or next (offset > 0) such month or day."""
    here = (published.month, published.day)
    if offset < 0:
        past = (month, day) <= here if day is not None else month < published.month
        return published.year if past else published.year - 1
    ahead = (month, day) > here if day is not None else month > published.month
    return published.year if ahead else published.year + 1


def _bare_years(text: str, pos: int = 0) -> Iterator[PeriodMention]:
    """Years alone; `pos`: where the text's first _YEAR starts (none can start before it)."""
    for m in _BARE_YEAR.finditer(text, pos):
        yield _mention(text, m.start(1), m.end(1), int(m.group(1)), "year")


def is_month(word: str, lang: str) -> bool:
    """A month name or abbreviation in any language of models/dates.yaml ("novembre", "November",
    "Nov"); `lang` picks the cached grammar."""
    return word.lower().rstrip(".") in _grammar(lang).months


def find_periods(text: str, lang: str, published: datetime.date | None,
                 words: frozenset[str] | None = None) -> list[PeriodMention]:
    """Every year mention in `text`, in order; overlapping candidates keep the most specific.
    `words`, the text's `resources.plain_words` when known, spare the scans for "mars dernier"
    and the like in a text that names no month."""
    if not text:
        return []
    digits = _DIGIT.search(text) is not None
    if not digits and (published is None or not _relative_gate(lang).may_match(words)):
        return []  # (most sentences: no digit, and none of the words of a relative date)
    g = _grammar(lang)
    # Most sentences have no digit; most with digits have no year (only a fiscal year's two
    # digits are read there); most with a year name no month (the dates in words need one).
    year = _YEAR_DIGITS.search(text) if digits else None
    candidates: list[Iterator[PeriodMention]] = [_explicit(text, g, _month_gate().may_match(words))] if year else []
    if published is not None:
        candidates.append(_relative(text, lang, g, published, words))
    if year:
        candidates += [_ranges(text, g), _cued_years(text, g), _bare_years(text, year.start())]
    elif digits:
        candidates.append(_cued_years(text, g, year=False))
    return _first_found(text, candidates)


def _first_found(text: str, candidates: list[Iterator[PeriodMention]]) -> list[PeriodMention]:
    """The candidates in order, each kept unless it overlaps one kept before; sorted by span."""
    taken = bytearray(len(text))
    found: list[PeriodMention] = []
    for group in candidates:
        for mention in group:
            if not any(taken[mention.start:mention.end]):
                found.append(mention)
                taken[mention.start:mention.end] = b"\x01" * (mention.end - mention.start)
    return sorted(found, key=lambda p: (p.start, p.end))


def relative_year_offsets(text: str, lang: str) -> list[tuple[int, int, int]]:
    """Where `text` names a year relative to the time of writing ("l'an dernier", "cette année",
    "next year"), as (start, end, offset in years)."""
    g = _grammar(lang)
    return [(*m.span(), g.offsets[_key(m.group(1))]) for m in g.relative_phrases.finditer(text)]


def resolve_relative(phrase: str, lang: str, published: datetime.date) -> int | None:
    """The year a relative phrase ("l'an dernier", "two years ago", "last March") points to."""
    found = list(_relative(phrase, lang, _grammar(lang), published))
    return min(found, key=lambda p: p.start).year if found else None


def parse_date(s: str, languages: tuple[str, ...] = ("fr", "en")) -> datetime.date | None:
    """A calendar date from a short string ("13 July 2017", "Mardi 2 novembre 2010"), else None.

    Needs at least a month and a year (a missing day is the 1st), so the result never depends
    on today's date; relative phrases ("hier") are not read. Never raises.
    """
    if not isinstance(s, str) or not s.strip() or len(s) > _MAX_DATE_CHARS:
        return None
    iso = _ISO.fullmatch(s)
    if iso:
        return _safe_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    try:
        import dateparser  # imported here: its import alone takes about half a second

        settings = {
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["month", "year"],
            "PARSERS": ["custom-formats", "absolute-time"],
            "DATE_ORDER": "DMY",
        }
        parsed = dateparser.parse(s, languages=list(languages), settings=settings)
    except Exception:  # noqa: BLE001 - dateparser raises many types on odd input
        return None
    if parsed is not None:
        day: datetime.date = parsed.date()
        return day
    return _date_inside(s, languages)


def _date_inside(s: str, languages: tuple[str, ...]) -> datetime.date | None:
    """The first explicit date inside a longer string ("Last modified Friday 9 May 2021, 08:15")."""
    for lang in languages:
        for mention in _explicit(s, _grammar(lang)):
            if mention.text != s.strip():
                return parse_date(mention.text, languages)
    return None


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None

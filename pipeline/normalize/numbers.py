"""Figures in press text: where they are, what they are worth, and whether they are counts.

`find_numbers(text, lang)` returns every figure with its character span, value, unit
("count", "EUR", "USD", "GBP", "percent"), an approximation flag and a kind ("number",
"year", "ordinal", "date_part", "other"). Only kind "number" is a quantity; the other kinds
are reported so that a caller can tell why a figure was not a count.

Grammar (code) versus vocabulary (data): the scale words, currencies, percent words,
approximation cues, approximate nouns and reference cues live in models/numbers.yaml, the
month names in models/dates.yaml. Number words are read with text2num.

Separators. A space, or a separator followed by groups of exactly three digits, groups
thousands ("1 300", "3 170 000", "1,300,000", "1.300.000"); with both "." and ",", the last
one is the decimal mark ("1,300.5", "1.300,5"). A single "," or "." followed by exactly
three digits is ambiguous: the language's own thousands mark ("," in English, "." in
French) is read as thousands; the language's decimal mark ("," in French, "." in English)
is read as a decimal only before a scale word or a percent ("1,250 milliard", "1,300 %")
and as thousands otherwise ("1,300 emplois": jobs and euros are not counted in thousandths).
Other lengths are decimals ("3,17", "3.17"). Figures of more than 15 digits are kind "other".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from text_to_num import find_numbers as _t2n_find_numbers  # type: ignore[import-untyped]

from pipeline.normalize import alternation, entry, lexicon, month_names
from pipeline.resources import PhraseGate, plain_class

MAX_DIGITS = 15
# Languages text2num reads number words in.
_WORD_LANGS = frozenset({"fr", "en", "es", "de", "it", "pt", "nl"})
_LETTERS = re.compile(r"[^\W\d_]+")
_VERSION_TAIL = re.compile(r"(?:[.,][0-9]+)+")
_CORE = re.compile(
    r"(?<![\w.,])(?<![^\W\d_]-)"
    # A group of three is a whole group: "3.1701" is one decimal, not "3.170" then "1".
    r"(?:[0-9]{1,3}(?: [0-9]{3})+(?![0-9])(?:[.,][0-9]+)?"
    r"|[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?"
    r"|[0-9]{1,3}(?:\.[0-9]{3})+(?![0-9])(?:,[0-9]+)?"
    r"|[0-9]+(?:[.,][0-9]+)?)"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+[0-9]{1,3}[ .-]?(?:\(0\)[ .-]?)?[0-9](?:[ .-]?[0-9]{2}){4}"
    r"|0[0-9](?:[ .-]?[0-9]{2}){4}|\(?[0-9]{3}\)?[ .-]?[0-9]{3}[.-][0-9]{4})(?![\w])"
)
_TIME = re.compile(
    r"(?<![\w:.,])(?:(?:1[0-2]|0?[0-9])(?::[0-5][0-9])?\s?(?i:am|pm|a\.m\.|p\.m\.)(?![\w])"
    r"|(?:[01]?[0-9]|2[0-3])(?::[0-5][0-9]|\s?h\s?[0-5][0-9])(?![\w:]))"
)
# "1. Fos : ..." at the start of a line: a list marker.
_LIST_MARKER = re.compile(r"(?:^|(?<=\n))[ \t]*[0-9]{1,2}[.)][ \t]")
_NUMERIC_DATE = re.compile(
    r"(?<![\w./-])(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}([/.-])[0-9]{1,2}\1[0-9]{4}"
    r"|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2})(?![\w]|[./-][0-9])"
)
_DAY_END = re.compile(r"(?:st|nd|rd|th)?(?:\s*(?:[,.;:)!?]|\Z)|\s+[0-9]{4}(?![0-9]))")
_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")
_WORD_LISTS = ("approx_articles", "bare_scale_words", "ambiguous_words", "ambiguous_stops", "percent_words")
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|[0-9]+|\s+|.", re.S)
# The tokens of _TOKEN that text2num may read as a number part: words and single symbols,
# found at the same positions (digit and whitespace runs are skipped).
_WORD_CANDIDATE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|[^\s0-9]")
# Every digit pattern here (figures, phone numbers, times, numeric dates) needs an ASCII digit.
_DIGIT = re.compile(r"[0-9]")


def _plain(pattern: str) -> str:
    """`pattern` with its classes \\s and [^\\W\\d_] written as the plain characters
    (resources.PLAIN_CHARS) they hold: the same matches in a text of plain characters, where a
    set of characters is read at a table's cost, not by looking up each one's category."""
    letters, spaces = plain_class(r"[^\W\d_]"), plain_class(r"\s")
    return pattern.replace(r"[^\W\d_]", f"[{letters}]").replace(r"[^\s0-9]", f"[^{spaces}0-9]") \
        .replace(r"\s+", f"[{spaces}]+")


# _TOKEN and _WORD_CANDIDATE for a text of plain characters (a sentence whose `plain_words` are known)
_PLAIN_TOKEN = re.compile(_plain(_TOKEN.pattern), _TOKEN.flags)
_PLAIN_WORD_CANDIDATE = re.compile(_plain(_WORD_CANDIDATE.pattern))


@dataclass(frozen=True)
class NumberMatch:
    """One figure: its span in the text (approximation cue excluded) and its reading."""

    start: int
    end: int
    text: str
    value: float | int
    unit: str
    approx: bool
    kind: str
    words: bool


@dataclass(frozen=True)
class _Grammar:
    """Per-language patterns compiled once from the lexicon."""

    lang: str
    scales: dict[str, int]
    abbreviations: dict[str, int]
    symbols: dict[str, str]
    currency_words: dict[str, str]
    ordinals: frozenset[str]
    scale_word: re.Pattern[str]
    abbreviation: re.Pattern[str]
    percent: re.Pattern[str]
    currency_after: re.Pattern[str]
    currency_before: re.Pattern[str]
    approx_cue: re.Pattern[str]
    reference_cue: re.Pattern[str]
    approx_noun: re.Pattern[str]
    approx_noun_word: re.Pattern[str]  # the noun of `approx_noun` alone: a cheap test first
    fractions: dict[str, float]  # "moitié" -> 50
    denominators: dict[str, int]  # "deux" of "un sur deux" -> 2
    fraction: re.Pattern[str] | None  # a word of `fractions`; None without any
    share: re.Pattern[str] | None  # "un ... sur deux", "one in two"; None without denominators
    scale_article: re.Pattern[str]
    day_before_month: re.Pattern[str]
    after_month: re.Pattern[str]
    nouns: dict[str, int]
    # lower-cased word lists: approx_articles, bare_scale_words, ambiguous_words, ...
    words: dict[str, frozenset[str]]


@functools.lru_cache(maxsize=None)
def _grammar(lang: str) -> _Grammar:
    def sec(key: str) -> Any:
        return entry("numbers", key, lang)

    symbols: dict[str, str] = lexicon("numbers").get("currency_symbols", {})
    currency_words: dict[str, str] = sec("currency_words")
    connectors = alternation(sec("currency_connectors"))
    months = month_names()[1]
    noun = alternation([*sec("approx_nouns"), *(f"{n}s" for n in sec("approx_nouns"))])
    fractions: dict[str, float] = sec("fractions") or {}
    denominators: dict[str, int] = sec("fraction_denominators") or {}
    one = r"(?:un|une)" if lang == "fr" else r"(?:one)"
    per = r"(?:sur)" if lang == "fr" else r"(?:in|out of)"
    return _Grammar(
        lang=lang,
        scales={k.lower(): int(v) for k, v in sec("scales").items()},
        abbreviations={k: int(v) for k, v in sec("scale_abbreviations").items()},
        symbols=symbols,
        currency_words={k.lower(): v for k, v in currency_words.items()},
        ordinals=frozenset(s.lower() for s in sec("ordinal_suffixes")),
        scale_word=re.compile(r" ?(" + alternation(sec("scales")) + ")"),
        abbreviation=re.compile(
            r" ?(" + alternation(sec("scale_abbreviations"), ignore_case=False) + r")(?![^\W\d_])"
        ),
        percent=re.compile(r" ?(%|" + alternation(sec("percent_words")) + ")"),
        currency_after=re.compile(
            r" ?(?:" + connectors + r"\s?)??(" + alternation(currency_words) + "|"
            + alternation(symbols, ignore_case=False) + ")"
        ),
        currency_before=re.compile(r"(" + alternation(symbols, ignore_case=False) + r") ?\Z"),
        approx_cue=re.compile(r"(?<![\w])(" + alternation(sec("approx_cues")) + r")\s*\Z"),
        reference_cue=re.compile(r"(?<![\w])(" + alternation(sec("reference_cues")) + r")\s*\Z"),
        approx_noun=re.compile(
            r"(?<![\w])([0-9]+|[^\W\d_]+(?:-[^\W\d_]+)*)\s+(?:("
            + alternation(sec("approx_adjectives")) + r")\s+)?(" + noun + r")"
        ),
        # (the noun follows a space in `approx_noun`: tried only where a word starts)
        approx_noun_word=re.compile(r"(?<!\w)" + noun),
        fractions=fractions,
        denominators=denominators,
        fraction=re.compile(r"(?<![\w-])(" + alternation(list(fractions)) + r")(?![\w-])", re.I) if fractions else None,
        share=(re.compile(rf"(?<![\w-]){one}\s+(?:[\w'-]+\s+)?{per}\s+(" + alternation(list(denominators)) + r")(?![\w-])", re.I)
               if denominators else None),
        scale_article=re.compile(r"(?<![\w'])(" + alternation(sec("scale_articles")) + r")\s+\Z"),
        day_before_month=re.compile(r"(?:er|re|st|nd|rd|th)?\.?\s+(?:de\s+)?" + months),
        after_month=re.compile(months + r",?\s+(?:[0-9]{1,2}(?:st|nd|rd|th)?,?\s+)?\Z"),
        nouns={k.lower(): int(v) for k, v in sec("approx_nouns").items()},
        words={key: frozenset(str(w).lower() for w in sec(key)) for key in _WORD_LISTS},
    )


def _to_number(value: Decimal) -> float | int:
    """int when integral, float otherwise."""
    return int(value) if value == value.to_integral_value() else float(value)


def _digits_value(core: str, lang: str, decimal_context: bool) -> Decimal | None:
    """The value of a digit string with separators (rules in the module docstring)."""
    spaced = " " in core
    s = core.replace(" ", "")
    if sum(c.isdigit() for c in s) > MAX_DIGITS:
        return None
    try:
        if "." in s and "," in s:
            dec = "." if s.rfind(".") > s.rfind(",") else ","
            whole, frac = s.rsplit(dec, 1)
            return Decimal(whole.replace("," if dec == "." else ".", "") + "." + frac)
        sep = "." if "." in s else "," if "," in s else ""
        if not sep:
            return Decimal(s)
        parts = s.split(sep)
        if len(parts) > 2:
            return Decimal("".join(parts))
        whole, frac = parts
        if spaced or len(frac) != 3 or whole.startswith("0") or len(whole) > 3:
            return Decimal(whole + "." + frac)
        thousands_mark = "," if lang == "en" else "."
        if sep == thousands_mark or not decimal_context:
            return Decimal(whole + frac)
        return Decimal(whole + "." + frac)
    except InvalidOperation:
        return None


def _approx(text: str, start: int, g: _Grammar) -> bool:
    return g.approx_cue.search(text, max(0, start - 40), start) is not None


def _is_date_part(text: str, start: int, end: int, core: str, g: _Grammar) -> bool:
    """A day or a year written next to a month name ("4 mars 2011", "February, 2017")."""
    if not core.isdigit() or len(core) > 4:
        return False
    value = int(core)
    is_day = len(core) <= 2 and 1 <= value <= 31
    if is_day and g.day_before_month.match(text, end):
        return True
    if not g.after_month.search(text, max(0, start - 24), start):
        return False
    # "July 13, 2017" is a date; "in March 12 firms" is a count.
    return len(core) == 4 or (is_day and _DAY_END.match(text, end) is not None)


def _make(text: str, start: int, end: int, value: Any, *, unit: str = "count", approx: bool = False,
          kind: str = "number", words: bool = False) -> NumberMatch:
    return NumberMatch(start, end, text[start:end], value, unit, approx, kind, words)


def _special_matches(text: str, g: _Grammar) -> Iterator[NumberMatch]:
    """Phone numbers and times (kind "other"), numeric dates (kind "date_part", value: year)."""
    for pattern in (_PHONE, _TIME):
        for m in pattern.finditer(text):
            yield _make(text, m.start(), m.end(), int(re.sub(r"\D", "", m.group())[:MAX_DIGITS]), kind="other")
    for m in _NUMERIC_DATE.finditer(text):
        fields = [int(x) for x in re.findall(r"[0-9]+", m.group())]
        year = fields[0] if fields[0] > 31 else fields[2] + (2000 if fields[2] < 100 else 0)
        if min(fields[1], fields[2] if fields[0] > 31 else fields[0]) <= 12:
            yield _make(text, m.start(), m.end(), year, kind="date_part")


@dataclass(frozen=True)
class _Gates:
    """The phrase gates (resources.PhraseGate) of the word patterns of a language: the words of a
    text that hold none of a gate's key words hold no match of its pattern. Each pattern holds its
    phrase as whole words: a fraction ("trois quarts", "two-thirds"), a share's denominator ("un
    projet sur [trois]"), an approximate noun ("une [soixantaine]")."""

    fraction: PhraseGate
    share: PhraseGate
    approx_noun: PhraseGate
    any_phrase: PhraseGate  # the three in one: open where one of them is


@functools.lru_cache(maxsize=None)
def _gates(lang: str) -> _Gates:
    nouns = [str(n) for n in entry("numbers", "approx_nouns", lang)]
    fractions = [str(f) for f in entry("numbers", "fractions", lang) or {}]
    denominators = [str(d) for d in entry("numbers", "fraction_denominators", lang) or {}]
    approx = [*nouns, *(f"{n}s" for n in nouns)]
    gates = PhraseGate(fractions), PhraseGate(denominators), PhraseGate(approx)
    return _Gates(*gates, any_phrase=PhraseGate.union(*gates))


def _approx_noun_matches(text: str, g: _Grammar, words: frozenset[str] | None = None) -> Iterator[NumberMatch]:
    """"une soixantaine" (60), "deux centaines" (200), "a dozen" (12): always approximate."""
    if not _gates(g.lang).approx_noun.may_match(words) or not g.approx_noun_word.search(text):
        return
    for m in g.approx_noun.finditer(text):
        head, noun = m.group(1), m.group(3).lower()
        plural = noun not in g.nouns
        if head.lower() in g.words["approx_articles"] and not plural:
            factor: float | int | None = 1
        elif head.isdigit():
            factor = int(head) if len(head) <= MAX_DIGITS else None
        else:
            factor = _word_value(head, g.lang)
        if factor is None or factor < 1 or (plural and factor < 2):
            continue
        value = factor * g.nouns[noun[:-1] if plural else noun]
        yield _make(text, m.start(), m.end(), value, approx=True, words=not head.isdigit())


def _fraction_matches(text: str, g: _Grammar, words: frozenset[str] | None = None) -> Iterator[NumberMatch]:
    """"la moitié" (50 %), "one project in two" (50 %), "trois quarts" (75 %)."""
    gates = _gates(g.lang)
    if g.fraction is not None and gates.fraction.may_match(words):
        for m in g.fraction.finditer(text):
            yield _make(text, m.start(), m.end(), g.fractions[m.group(1).lower()], unit="percent",
                        approx=_fraction_approx(text, m.start(), g.lang), words=True)
    if g.share is not None and gates.share.may_match(words):
        for m in g.share.finditer(text):
            share = 100 / g.denominators[m.group(1).lower()]
            yield _make(text, m.start(), m.end(), int(share) if share.is_integer() else round(share, 1), unit="percent",
                        approx=_fraction_approx(text, m.start(), g.lang), words=True)


def _fraction_approx(text: str, start: int, lang: str) -> bool:
    """"plus de la moitié", "more than half", "dépasse la moitié", "autour d'un tiers"."""
    before = text[max(0, start - 25):start].lower()
    cues = entry("numbers", "approx_cues", lang) or []
    return bool(re.search(r"(?:" + alternation(list(cues) + ["dépasse", "dépassent", "exceeds", "exceed", "autour d'", "over"]) + r")\s*$", before))


def _word_value(word: str, lang: str) -> float | int | None:
    """The value of a number word read alone by text2num, or None."""
    if lang not in _WORD_LANGS:
        return None
    found = _run_text2num([_Token(word, False)], lang)
    if len(found) != 1 or found[0].is_ordinal:
        return None
    return _to_number(Decimal(str(found[0].value)))


def _digit_match(text: str, m: re.Match[str], g: _Grammar) -> NumberMatch | None:
    """Read one digit core with its sign, currency, scale, percent or ordinal suffix."""
    start, end, core = m.start(), m.end(), m.group()
    tail = _VERSION_TAIL.match(text, end)
    if tail:  # "1.2.3", "2016,3,4": a reference, not a figure
        return _make(text, start, tail.end(), 0, kind="other")
    before = g.currency_before.search(text, max(0, start - 4), start)
    unit = g.symbols[before.group(1)] if before else "count"
    if _is_date_part(text, start, end, core, g):
        value = _digits_value(core, g.lang, False)
        return _make(text, start, end, _to_number(value), kind="date_part") if value is not None else None
    glued = _LETTERS.match(text, end)
    if glued and glued.group().lower() in g.ordinals:
        ordinal = int(core) if core.isdigit() and len(core) <= MAX_DIGITS else 0
        return _make(text, start, glued.end(), ordinal, kind="ordinal")
    scale, end, unit = _read_scale(text, end, unit, g)
    if _LETTERS.match(text, end):  # "4G", "3D": glued to letters, not a figure
        return None
    pct = g.percent.match(text, end)
    if pct:
        unit, end = "percent", pct.end()
    elif unit == "count" and (cur := g.currency_after.match(text, end)):
        unit, end = _currency_unit(cur.group(1), g), cur.end()
    value = _digits_value(core, g.lang, decimal_context=scale > 1 or unit == "percent")
    if value is None:
        return _make(text, start, end, 0, kind="other")
    if before:
        start = before.start()
    sign = _sign(text, start)
    if sign:
        start, value = start - 1, value * sign
    kind = _digit_kind(text, start, core, scale, unit, g)
    if kind == "number" and _LIST_MARKER.match(text, text.rfind("\n", 0, start) + 1) and end == m.end():
        kind = "other"
    return _make(text, start, end, _to_number(value * scale), unit=unit,
                 approx=kind == "number" and _approx(text, start, g), kind=kind)


def _read_scale(text: str, end: int, unit: str, g: _Grammar) -> tuple[int, int, str]:
    """A scale word ("millions"), or an abbreviation ("M", "k") when a currency is attached."""
    word = g.scale_word.match(text, end)
    if word:
        return g.scales[re.sub(r"\s+", " ", word.group(1).lower())], word.end(), unit
    abbr = g.abbreviation.match(text, end)
    if abbr:
        after = g.currency_after.match(text, abbr.end())
        if unit != "count":
            return g.abbreviations[abbr.group(1)], abbr.end(), unit
        if after and after.group(1) in g.symbols:
            return g.abbreviations[abbr.group(1)], after.end(), g.symbols[after.group(1)]
    return 1, end, unit


def _currency_unit(word: str, g: _Grammar) -> str:
    return g.symbols.get(word) or g.currency_words.get(re.sub(r"\s+", " ", word.lower()), "count")


def _sign(text: str, start: int) -> int:
    """-1 or +1 for a sign written right before the figure after a space, 0 without one."""
    if start >= 1 and text[start - 1] in "-+−" and (start == 1 or text[start - 2] in " \t\n("):
        return -1 if text[start - 1] != "+" else 1
    return 0


def _digit_kind(text: str, start: int, core: str, scale: int, unit: str, g: _Grammar) -> str:
    if g.reference_cue.search(text, max(0, start - 12), start):
        return "other"
    if scale == 1 and unit == "count" and len(core) == 4 and core.isdigit() and 1900 <= int(core) <= 2100:
        return "year"
    return "number"


class _Token:
    """A token as text2num's find_numbers wants it; `blocked` tokens are never number parts."""

    __slots__ = ("value", "blocked")

    def __init__(self, value: str, blocked: bool) -> None:
        self.value, self.blocked = value, blocked

    def text(self) -> str:
        return self.value

    def nt_separated(self, previous: _Token) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return self.blocked


def _run_text2num(tokens: list[_Token], lang: str) -> list[Any]:
    """text2num's find_numbers, which can panic (a BaseException) on odd input."""
    try:
        return list(_t2n_find_numbers(tokens, lang, 0.0))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - pyo3 panics are BaseException; a miss is acceptable
        return []


class _NumberWords:
    """The tokens text2num reads as a number in one language, learnt one token at a time.

    text2num's interpreters are stateless, and a number starts with a word that an empty parser
    accepts ("un", "premier", "millions"; not "et", "and" or "virgule"), which text2num then
    reports alone (threshold 0 keeps every number, "zéro" included). So text2num finds nothing
    in a text none of whose tokens it reports alone: such a text (most sentences) need not be
    tokenized for it, which costs a Python call per token.
    """

    MAX_OTHERS = 200_000  # bound on the remembered non-number tokens; forgetting is always safe

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.numbers: set[str] = set()
        self.others: set[str] = set()

    def any_in(self, text: str, plain: bool = False) -> bool:
        """Whether a token of `text`, as _word_matches passes it to text2num, is a number alone
        (`plain`: `text` holds plain characters only, resources.PLAIN_CHARS)."""
        tokens = set((_PLAIN_WORD_CANDIDATE if plain else _WORD_CANDIDATE).findall(text))
        if "\n\n" in text:
            tokens.add(".")  # _word_matches passes a paragraph break as a full stop
        unknown = tokens - self.others
        for token in unknown - self.numbers:
            if len(self.others) >= self.MAX_OTHERS:
                self.others.clear()
            (self.numbers if _run_text2num([_Token(token, False)], self.lang) else self.others).add(token)
        return not unknown.isdisjoint(self.numbers)


@functools.lru_cache(maxsize=None)
def _number_words(lang: str) -> _NumberWords:
    return _NumberWords(lang)


def _word_matches(text: str, g: _Grammar, taken: bytearray, plain: bool = False,
                  known: bool = False) -> Iterator[NumberMatch]:
    """Numbers in words ("soixante-cinq", "two million"), outside the spans already taken
    (`plain`: `text` holds plain characters only; `known`: a token of it is known to be read as
    a number alone, _NumberWords.any_in)."""
    if not known and (g.lang not in _WORD_LANGS or not _number_words(g.lang).any_in(text, plain)):
        return
    spans = [m.span() for m in (_PLAIN_TOKEN if plain else _TOKEN).finditer(text)]
    blocked = any(taken)  # (with nothing taken, no token is)
    tokens = [
        _Token("." if "\n\n" in (word := text[s:e]) else word, (blocked and any(taken[s:e])) or text[s].isdigit())
        for s, e in spans
    ]
    for occ in _run_text2num(tokens, g.lang):
        start, end = spans[occ.start][0], spans[occ.end - 1][1]
        found = _word_occurrence(text, start, end, occ, g)
        if found is not None:
            yield found


def _word_occurrence(text: str, start: int, end: int, occ: Any, g: _Grammar) -> NumberMatch | None:
    words = text[start:end]
    lower = words.lower()
    value = _to_number(Decimal(str(occ.value)))
    if occ.is_ordinal:
        return _make(text, start, end, value, kind="ordinal", words=True)
    if lower in g.words["bare_scale_words"]:
        article = g.scale_article.search(text, max(0, start - 6), start)
        if article is None:
            return None
        start = article.start()
    elif value < 2 or _is_percent_tail(text, start, lower, g) or _ambiguous(text, end, lower, g):
        return None
    unit = "count"
    pct = g.percent.match(text, end)
    cur = None if pct else g.currency_after.match(text, end)
    if pct:
        unit, end = "percent", pct.end()
    elif cur:
        unit, end = _currency_unit(cur.group(1), g), cur.end()
    return _make(text, start, end, value, unit=unit, approx=_approx(text, start, g), words=True)


def _is_percent_tail(text: str, start: int, lower: str, g: _Grammar) -> bool:
    """"cent" in "pour cent" is the percent word, not a hundred."""
    for phrase in g.words["percent_words"]:
        head, _, last = phrase.rpartition(" ")
        if head and last == lower and re.search(re.escape(head) + r"\s+\Z", text[max(0, start - 12):start].lower()):
            return True
    return False


def _ambiguous(text: str, end: int, lower: str, g: _Grammar) -> bool:
    """An ambiguous word alone ("neuf") is a number only when a content word follows."""
    if lower not in g.words["ambiguous_words"]:
        return False
    follower = _NEXT_WORD.match(text, end)
    return follower is None or follower.group(1).lower() in g.words["ambiguous_stops"]


def _claim(taken: bytearray, found: NumberMatch) -> bool:
    """Mark the span as taken unless it overlaps an earlier match."""
    if any(taken[found.start:found.end]):
        return False
    taken[found.start:found.end] = b"\x01" * (found.end - found.start)
    return True


def find_numbers(text: str, lang: str, words: frozenset[str] | None = None) -> list[NumberMatch]:
    """Every figure in `text`, in order of position; see the module docstring for the rules.
    `words`, the text's `resources.plain_words` when known, spare the scans for fractions and
    approximate nouns in a text without their words."""
    if not text:
        return []
    g = _grammar(lang)
    has_digits = _DIGIT.search(text) is not None  # most sentences have none
    plain = words is not None
    number_words = g.lang in _WORD_LANGS and _number_words(g.lang).any_in(text, plain)
    if not (has_digits or number_words or _gates(g.lang).any_phrase.may_match(words)):
        return []  # (most sentences: no digit, no number word, no fraction or approximate noun)
    taken = bytearray(len(text))
    special = _special_matches(text, g) if has_digits else ()
    digits = (hit for m in _CORE.finditer(text) if (hit := _digit_match(text, m, g)) is not None) if has_digits else ()
    stages = (special, _fraction_matches(text, g, words), _approx_noun_matches(text, g, words), digits)
    found = [m for stage in stages for m in stage if _claim(taken, m)]
    found.extend(m for m in (_word_matches(text, g, taken, plain, True) if number_words else ()) if _claim(taken, m))
    return sorted(found, key=lambda m: (m.start, m.end))


def parse_number(s: str, lang: str) -> float | int | None:
    """The value of a string that is one figure (cue allowed before it), else None.

    Articles alone ("un", "one"), references, times and figures of more than 15 digits are None.
    """
    s = s.strip()
    if not s or len(s) > 200:
        return None
    found = find_numbers(s, lang)
    if len(found) != 1 or found[0].kind == "other" or found[0].end != len(s):
        return None
    head = s[: found[0].start]
    if head and not _grammar(lang).approx_cue.fullmatch(head):
        return None
    return found[0].value

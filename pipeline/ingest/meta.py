"""Metadata helpers shared by the format readers: publication dates, titles, the result record.

Dates: regexes find date-shaped spans ("Vendredi 12 février 2021", "13 July 2017",
"March 26, 2019", "28/06/2018", "2018-06-28") in short candidate lines only; dateparser
(French and English) turns a span into a date. It is never run on a whole text: it is slow,
and the usual shapes ("12 février 2021", "March 26, 2019") are read without it, as it reads them.

A dateline that gives only a month and a year ("Février 2015", "Lettre n° 27 – Février 2015")
dates the text to the first day of that month, the usual convention, unless a date of that
month is known from elsewhere (a PDF's creation date, say): that one is more precise.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dateparser.date import DateDataParser

from pipeline.normalize import alternation, month_names
from pipeline.records import ProblemKind

LOGGER = logging.getLogger(__name__)

DATEPARSER_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
DATE_LANGUAGES = ["fr", "en"]
MIN_YEAR = 1950
DATELINE_MAX_CHARS = 160  # a dateline is a short line; dates inside long prose are ignored

_DAY = r"(?:1er|1re|[0-3]?\d(?:st|nd|rd|th|er|e)?)"
_YEAR = r"(?:19|20)\d\d"


@functools.lru_cache(maxsize=1)
def _month_numbers() -> dict[str, int]:
    """Every month spelling of models/dates.yaml (`normalize.month_names`, every language),
    lower-cased and with a capital ("février", "Février", "sept", "Sept"), with its number."""
    return {form: number for name, number in month_names()[0].items() for form in (name, name.capitalize())}


@functools.lru_cache(maxsize=1)
def _date_patterns() -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str]]:
    """The dateline patterns ("12 février 2021", "March 26, 2019") and the month-and-year line
    pattern ("Février 2015"), over the month spellings of models/dates.yaml in any case."""
    month = alternation(month_names()[0], whole_words=False) + r"\.?"
    text_dates = (
        re.compile(rf"\b{_DAY}\s+(?:de\s+)?{month},?\s+(?:de\s+)?{_YEAR}\b", re.IGNORECASE),
        re.compile(rf"\b{month}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    )
    return text_dates, re.compile(rf"^\W*{month}\s+{_YEAR}\W*$", re.IGNORECASE)


_LINE_PARTS = re.compile(r"\s+[-–—|·•/]\s+|,\s+")  # "Lettre n° 27 – Février 2015": three parts
_ISO = re.compile(r"\b((?:19|20)\d\d)([-/.])([01]?\d)\2([0-3]?\d)(?:\b|T)")  # 2018-06-28, 2018/6/28
_NUMERIC = re.compile(r"\b([0-3]?\d)[/.-]([0-3]?\d)[/.-]((?:19|20)\d\d)\b")
_UPDATED = re.compile(r"\b(?:updated|mis à jour|mise à jour|modifié|last modified|màj|maj)\b", re.IGNORECASE)

_TITLE_SEPARATORS = re.compile(r"(\s+(?:\||–|—|-|::|·|»)\s+)")
_JUNK_TITLE = re.compile(
    r"^(?:untitled|sans titre|titre|title|document\s*\d*|diapositive\s*\d*)$"  # placeholders
    r"|^microsoft (?:word|powerpoint)\b|\.(?:docx?|pdf|indd|odt|rtf|pptx?)$",  # file names
    re.IGNORECASE,
)


@dataclass
class Extraction:
    """What a format reader returns: the article text and metadata, plus problems to record."""

    text: str = ""
    title: str | None = None
    published: str | None = None
    # Where `published` came from: "metadata" (meta tags, JSON-LD, <time>, PDF fields) or
    # "text" (a dateline or a "Publié le" / "Updated" line near the top or bottom of the text).
    published_source: str | None = None
    problems: list[tuple[ProblemKind, str, bool]] = field(default_factory=list)

    def problem(self, kind: ProblemKind, message: str, *, fatal: bool = False) -> None:
        self.problems.append((kind, message, fatal))


# --- dates -----------------------------------------------------------------------------------


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if not MIN_YEAR <= year <= dt.date.today().year + 1:
        return None
    return date.isoformat()


def _parse_numeric(day: str, month: str, year: str) -> str | None:
    """Day first (French and British usage); month first only when day-first is impossible."""
    d, m, y = int(day), int(month), int(year)
    return _valid(y, m, d) or _valid(y, d, m)


# The spans of nearly every dateline: "12 février 2021", "March 26, 2019", "Février 2015". A
# span of exactly one of these shapes (one space, a day without a leading zero, a month spelling
# of models/dates.yaml in lower case or with a capital) is read directly when it is a real day;
# dateparser, which takes about a millisecond per span, gets every other one. Reading it
# directly gives what dateparser gives (tests/test_ingest.py compares the two on every day and
# month spelling).
_PLAIN_DAY = r"([1-9]|[12]\d|3[01])"
_PLAIN_SPAN = re.compile(
    rf"(?:{_PLAIN_DAY} (\w+)|(\w+) {_PLAIN_DAY},?|(\w+)()) ((?:19|20)\d\d)"
)


def _plain_day(span: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a span in one of the usual shapes, as dateparser reads it; None for
    any other span and for a day that does not exist (dateparser decides those)."""
    match = _PLAIN_SPAN.fullmatch(span)
    if match is None:
        return None
    day = match[1] or match[4] or "1"  # a month and a year: the first of the month
    month = _month_numbers().get(match[2] or match[3] or match[5])
    if month is None:
        return None
    try:
        dt.date(int(match[7]), month, int(day))
    except ValueError:
        return None
    return int(match[7]), month, int(day)


def _parse_words(span: str) -> str | None:
    parsed = _plain_day(span) or _dateparser_day(span)
    return _valid(*parsed) if parsed else None


@functools.lru_cache(maxsize=1)
def _date_parser() -> DateDataParser:
    """One dateparser parser, built once per process, that tries only absolute dates: the spans
    it gets are a day, a month name and a year, or a month and a year, never "il y a 3 jours".
    `dateparser.parse` builds a parser on every call and also tries the relative-date and
    timestamp parsers: about twice the CPU for the same answers (tests/test_ingest.py checks
    the two agree on every day, month spelling and span shape the regexes let through)."""
    return DateDataParser(languages=DATE_LANGUAGES, settings={**DATEPARSER_SETTINGS, "PARSERS": ["absolute-time"]})


# dateparser takes most of a millisecond per call, and the same span is often read twice (a
# dateline is also tested as a headline candidate) or recurs from file to file
@functools.lru_cache(maxsize=4096)
def _dateparser_day(span: str) -> tuple[int, int, int] | None:
    parsed = _date_parser().get_date_data(span).date_obj
    return (parsed.year, parsed.month, parsed.day) if parsed is not None else None


def find_date(text: str, *, month_only: bool = False) -> str | None:
    """The first date in a short string as 'YYYY-MM-DD', or None.

    With month_only, a line that is a month and a year ("février 2021"), or has one as a part
    between separators ("Lettre n° 27 – février 2021"), also counts, as the first of the month.
    """
    if len(text) > DATELINE_MAX_CHARS * 2:
        return None
    hits: list[tuple[int, str | None]] = []
    text_dates, month_year = _date_patterns()
    for pattern in text_dates:
        hits += [(m.start(), _parse_words(m.group(0))) for m in pattern.finditer(text)]
    hits += [(m.start(), _valid(int(m[1]), int(m[3]), int(m[4]))) for m in _ISO.finditer(text)]
    hits += [(m.start(), _parse_numeric(*m.groups())) for m in _NUMERIC.finditer(text)]
    for _, iso in sorted(hits, key=lambda hit: hit[0]):
        if iso:
            return iso
    if month_only:
        for part in _LINE_PARTS.split(text.strip()):
            if month_year.match(part):
                return _parse_words(part.strip(" .,;:()[]"))
    return None


def parse_date_value(value: str) -> str | None:
    """A date from a metadata value ("2013-06-18T14:05:00+02:00", "27/03/2015", "March 27, 2015")."""
    value = value.strip()
    match = _ISO.match(value)
    if match:
        return _valid(int(match[1]), int(match[3]), int(match[4]))
    return find_date(value[:DATELINE_MAX_CHARS])


def dateline(
    lines: Sequence[str], *, top: int = 30, bottom: int = 8, known: Sequence[str] = ()
) -> tuple[int, str] | None:
    """The first date in a short line near the top (then the bottom) of a text.

    Returns (line index, 'YYYY-MM-DD'). A second "Updated ..." date on the line is ignored.
    Full dates come first; then a month-only line near the top gives the first of the month,
    or the first of the `known` dates ('YYYY-MM-DD', e.g. file metadata) in that month.
    """
    candidates = list(enumerate(lines[:top]))
    candidates += [(i, lines[i]) for i in range(max(top, len(lines) - bottom), len(lines))]
    for month_only in (False, True):
        for index, line in candidates:
            stripped = line.strip()
            if not stripped or len(stripped) > DATELINE_MAX_CHARS:
                continue
            if month_only and index >= top:
                continue
            iso = find_date(_before_update(stripped), month_only=month_only)
            if iso and month_only:
                iso = next((day for day in known if day[:7] == iso[:7]), iso)
            if iso:
                return index, iso
    return None


def _before_update(line: str) -> str:
    """The part of a line before "Updated"/"Mis à jour", when that part is not empty."""
    match = _UPDATED.search(line)
    return line[: match.start()] if match and match.start() > 0 else line


def is_dateline(line: str) -> bool:
    """A short line that is mostly a date ("Mardi 2 novembre 2010", "Lyon, le 5 février 2015")."""
    stripped = line.strip()
    return 0 < len(stripped) <= 80 and find_date(stripped) is not None


# --- titles ----------------------------------------------------------------------------------


def strip_site_suffix(title: str, site_names: Iterable[str] = ()) -> str:
    """'Headline | Site' -> 'Headline'; a part equal to a known site name goes wherever it is."""
    pieces = _TITLE_SEPARATORS.split(" ".join(title.split()))  # part, sep, part, sep, part...
    parts, seps = pieces[0::2], pieces[1::2]
    names = {" ".join(n.split()).casefold() for n in site_names if n}
    keep = [i for i, part in enumerate(parts) if part.casefold() not in names]
    if len(keep) == len(parts) and len(parts) > 1:
        last = parts[-1]
        if len(last.split()) <= 5 and len(last) < sum(len(p) for p in parts[:-1]):
            keep = keep[:-1]
    if not keep:
        return " ".join(title.split())
    out = parts[keep[0]]
    for i in keep[1:]:
        out += seps[i - 1] + parts[i]
    return out


def usable_title(title: str | None) -> str | None:
    """None for empty, placeholder or file-name titles ("Untitled", "Microsoft Word - x.docx")."""
    if not title:
        return None
    title = " ".join(title.split())
    if len(title) < 4 or _JUNK_TITLE.search(title) or not any(ch.isalpha() for ch in title):
        return None
    return title[:300]

"""What the fact extractors share: per-document context and clause windows around a figure.

A `DocContext` holds what every extractor needs about one document (language resources, the
entity index, the publication date, the period mentions already resolved) so that each
extractor is a pure function of (sentence, context).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.extraction.entities import Mentions
from pipeline.nlp import Sentence
from pipeline.normalize.dates import PeriodMention, find_periods
from pipeline.records import Evidence
from pipeline.resources import Resources, phrase_regex

# Tokens that end a clause: a figure's qualifiers are looked for inside its clause only.
CLAUSE_BREAKS = {";", ":", "(", ")", "et", "and", "mais", "but", "tandis", "while", "whereas", "alors", "dont", "—", "–"}
# Words meaning "since" before a year: that year is an origin, not the period of a figure.
_SINCE = re.compile(r"\b(?:depuis|since|créée?|founded|fondée?|set up|established|création|creation|inception)\b[^.;:,]{0,25}$", re.I)


@dataclass
class DocContext:
    doc_id: str
    text: str
    res: Resources
    mentions: Mentions
    published: dt.date | None
    periods: dict[int, list[PeriodMention]] = field(default_factory=dict)  # by sentence start
    stated: dict[int, list[PeriodMention]] = field(default_factory=dict)  # by sentence start
    # Discourse memory for roles, updated sentence by sentence in reading order.
    last_person: str | None = None  # the last person named (what "Il"/"She" refers to)
    last_people: list[str] = field(default_factory=list)  # the last two people named ("Tous deux", "Both")
    pending_office: tuple[str, str] | None = None  # (role, org) of an office named without a holder
    roles_held: dict[str, tuple[str, str]] = field(default_factory=dict)  # person -> (role, org) at the agency
    # Figures whose frame names the agency as the one who did what they count ("l'agence a
    # accompagné 68 projets"), as (sentence start, metric, value).
    agency_done: set[tuple[int, str, object]] = field(default_factory=set)
    # The last counted noun of the last sentence with figures (paragraph, end offset, noun class,
    # noun-scope qualifiers, headcount): what a clitic in the sentence right after it stands for
    # ("Elle en comptait 160").
    last_counted: tuple[int, int, str, frozenset[str], bool] | None = None

    def evidence(self, sent: Sentence) -> Evidence:
        return Evidence(doc_id=self.doc_id, sentence=sent.text, start=sent.start, end=sent.end)

    def is_comparison(self, sent: Sentence, p: PeriodMention) -> bool:
        """A year given as a point of comparison: "up 36% on 2017", "trois de plus qu'en 2011",
        "contre 1 800 un an plus tôt"."""
        cues = self.res.cues
        if self.res.lang_regex(sent.lang, cues.context_relative).search(p.text):
            return True
        comparison = self.res.lang_regex(sent.lang, cues.comparison_before)
        lo = max(0, p.start - 30)
        window = sent.text[lo:p.end]
        digits = re.search(r"\d{4}", p.text)
        year_at = p.start - lo + (digits.start() if digits else len(p.text))
        # The cue may be followed by the compared figure: "contre 32 % en 2010", "up from 97 in 2017".
        return any(m.start() < year_at and re.fullmatch(r"[\s\d.,%€]*(?:in|en|of|de)?\s*", window[m.end():p.start - lo] if m.end() <= p.start - lo else "")
                   for m in comparison.finditer(window))

    def stated_periods(self, sent: Sentence) -> list[PeriodMention]:
        """Periods a sentence is about: no ranges, no points of comparison (cached)."""
        if sent.start not in self.stated:
            self.stated[sent.start] = [p for p in self.periods_of(sent)
                                       if not p.kind.startswith("range") and not self.is_comparison(sent, p)]
        return self.stated[sent.start]

    def periods_of(self, sent: Sentence) -> list[PeriodMention]:
        """Period mentions of a sentence, with 'since 1994'-style origins left out (cached)."""
        if sent.start not in self.periods:
            found = find_periods(sent.text, sent.lang, self.published, sent.words)
            self.periods[sent.start] = [p for p in found if not _SINCE.search(sent.text[: p.start])]
        return self.periods[sent.start]


def has_phrase(text: str, phrases: list[str]) -> bool:
    return bool(phrase_regex(tuple(phrases)).search(text))


def find_phrase(text: str, phrases: list[str]) -> re.Match[str] | None:
    return phrase_regex(tuple(phrases)).search(text)


def parse_published(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def clause_bounds(text: str, start: int, end: int, others: list[tuple[int, int]]) -> tuple[int, int]:
    """The clause around text[start:end]: back to the previous figure or clause break, forward
    to the next figure or clause break. Offsets are relative to `text` (one sentence)."""
    left = 0
    for s, e in others:
        if e <= start:
            left = max(left, e)
    right = len(text)
    for s, _e in others:
        if s >= end:
            right = min(right, s)
    for m in _BREAK_RE.finditer(text, left, start):
        left = max(left, m.end())
    m = _BREAK_RE.search(text, end, right)
    if m:
        right = m.start()
    return left, right


_BREAK_RE = re.compile(
    r"[;:()\u2014\u2013]|,\s|\s-\s|\s(?:et|and|mais|but|tandis que|while|whereas|alors que|dont)\s|\salors qu'", re.I
)

"""Implantation facts: a company that set up or expanded in the territory.

Reads: sentences, the entity index, the periods. Writes: ImplantationFact list.

A sentence with an implantation verb (models/cues.yaml) that names a company (an organization
that is not an agency, authority or chamber) gives one fact: the place is the first place named
in the sentence that is not a foreign country or city; the origin is a nationality word or an
"X-based" foreign city in the sentence (models/places.yaml); the year is the sentence's period;
jobs are a job count in the same sentence.
"""

from __future__ import annotations

import re

from pipeline.extraction.context import DocContext, find_phrase
from pipeline.nlp import Sentence
from pipeline.normalize.numbers import find_numbers
from pipeline.records import ImplantationFact

_NOT_COMPANIES = {"agency", "authority", "chamber", "network", "institution", "operator"}
_WORDS = re.compile(r"[\w'-]+(?:\s[\w'-]+)?")


def _companies(sent: Sentence, ctx: DocContext) -> list[str]:
    out = []
    for m in ctx.mentions.within(sent.start, sent.end, "ORG"):
        entry = ctx.res.org_by_name.get(m.name)
        if m.name == ctx.mentions.subject or (entry is not None and entry.kind in _NOT_COMPANIES):
            continue
        if m.name not in out:
            out.append(m.name)
    return out


def _origin(sent: Sentence, ctx: DocContext) -> str | None:
    low = sent.text.lower()
    based = re.search(r"([\w\s-]{2,30}?)-based\b|basée? à ([\w\s-]{2,30})", low)
    if based:
        city = (based.group(1) or based.group(2) or "").strip()
        for word, country in ctx.res.country_by_word.items():
            if city.endswith(word):
                return country
    for m in re.finditer(r"[\w'.-]+(?:\s[\w'.-]+)?", low):
        token = m.group(0).split()[0].strip(".").removeprefix("l'").removeprefix("d'")
        country = ctx.res.country_by_word.get(token)
        if country and country != "France" and token not in {"us", "uk"}:
            return country
    return None


def _place(sent: Sentence, ctx: DocContext) -> str | None:
    for m in ctx.mentions.within(sent.start, sent.end, "PLACE"):
        if m.surface.lower() not in ctx.res.country_by_word:
            return m.surface
    return None


def find_implantations(sent: Sentence, ctx: DocContext, period: str | None) -> list[ImplantationFact]:
    verbs = ctx.res.cues.implantation_verbs
    if not find_phrase(sent.text, verbs.get(sent.lang) + verbs.get("en")):
        return []
    companies = _companies(sent, ctx)
    if not companies:
        return []
    place = _place(sent, ctx)
    if place is None:
        return []
    jobs = None
    job_words = ctx.res.metrics.heads["jobs"].all()
    for n in find_numbers(sent.text, sent.lang):
        if n.kind == "number" and n.unit == "count" and find_phrase(sent.text[n.end:n.end + 20], job_words):
            jobs = int(n.value)
            break
    origin = _origin(sent, ctx)
    return [ImplantationFact(company=companies[0], place=place, origin=origin, year=period, jobs=jobs,
                             confidence=0.7 if origin else 0.5, evidence=ctx.evidence(sent))]

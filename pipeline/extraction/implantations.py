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
from pipeline.resources import fold, phrase_regex

_NOT_COMPANIES = {"agency", "authority", "chamber", "network", "institution", "operator"}
_WORDS = re.compile(r"[\w'-]+(?:\s[\w'-]+)?")


def _is_company(name: str, ctx: DocContext) -> bool:
    entry = ctx.res.org_by_name.get(name)
    return name != ctx.mentions.subject and (entry is None or entry.kind not in _NOT_COMPANIES)


def _company_before(verb_start: int, sent: Sentence, ctx: DocContext) -> str | None:
    """The company that does the verb: the organization the parser gives as the verb's subject
    ("Digital Realty, qui a racheté X, vient d'ouvrir"), else the nearest organization before
    it in the clause, else a proper-noun subject the parser attached to the verb."""
    parsed = _parsed_company(verb_start, sent, ctx) or _agent_after(verb_start, sent, ctx)
    if parsed:
        return parsed
    companies = [m for m in ctx.mentions.within(sent.start, sent.end, "ORG") if _is_company(m.name, ctx)]
    for i, m in enumerate(companies):  # "X, qui a racheté Y, vient d'ouvrir": X opens, not Y
        rel_start = m.end - sent.start
        if rel_start < verb_start and _RELATIVE.match(sent.text[rel_start:verb_start]):
            return m.name
    for m in reversed(ctx.mentions.within(sent.start, sent.end, "ORG")):
        rel_end = m.end - sent.start
        if rel_end <= verb_start and _is_company(m.name, ctx) and not re.search(r"[.;:]", sent.text[rel_end:verb_start]) \
                and verb_start - rel_end <= 80:
            return m.name
    return _parsed_subject(verb_start, sent, ctx)


_BY = re.compile(r"\b(?:par|by)\s+(?:le |la |les |l'|the |an? |un |une )?(?:[\w'-]+\s+){0,3}?$", re.I)


def _agent_after(verb_start: int, sent: Sentence, ctx: DocContext) -> str | None:
    """The agent of a passive or a noun: "l'ouverture d'un bureau à Toulon, par le groupe suédois Nordvik",
    "a plant opened in Arles by the Korean firm Hanseo"."""
    for m in ctx.mentions.within(sent.start, sent.end, "ORG"):
        rel = m.start - sent.start
        if rel > verb_start and rel - verb_start <= 90 and _is_company(m.name, ctx) \
                and _BY.search(sent.text[verb_start:rel]) and not re.search(r"[.;:]", sent.text[verb_start:rel]):
            return m.name
    return None


_RELATIVE = re.compile(r"^\s*,\s*(?:qui|which|who|that|dont|lequel|laquelle)\b[^,]*,\s*(?:\S+\s*){0,3}$", re.I)


def _parsed_company(verb_start: int, sent: Sentence, ctx: DocContext) -> str | None:
    verb = next((t for t in sent.tokens if t.start - sent.start >= verb_start and t.pos in ("VERB", "AUX")), None)
    if verb is None:
        return None
    chain = [verb]
    while chain[-1].dep in ("xcomp", "ccomp", "conj", "aux", "aux:pass") and chain[-1].head != chain[-1].i and len(chain) < 4:
        chain.append(sent.tokens[chain[-1].head])
    companies = [m for m in ctx.mentions.within(sent.start, sent.end, "ORG") if _is_company(m.name, ctx)]
    for v in chain:
        for t in sent.tokens:
            if t.head == v.i and t.dep.startswith("nsubj"):
                for m in companies:
                    if m.start <= t.start < m.end:
                        return m.name
    return None


def _parsed_subject(verb_start: int, sent: Sentence, ctx: DocContext) -> str | None:
    verb = next((t for t in sent.tokens if t.start - sent.start >= verb_start and t.pos in ("VERB", "AUX")), None)
    if verb is None:
        return None
    taken = [(m.start, m.end) for m in ctx.mentions.within(sent.start, sent.end)]
    for t in sent.tokens:
        if t.head == verb.i and t.dep.startswith("nsubj") and t.pos == "PROPN" and t.text[:1].isupper():
            if any(a <= t.start < b for a, b in taken) or t.lower in ctx.res.country_by_word \
                    or t.lower in ctx.res.first_names or fold(t.text) in ctx.res.territory_keys:
                return None
            return t.text
    return None


def _origin(sent: Sentence, ctx: DocContext) -> str | None:
    low = sent.text.lower()
    based = re.search(r"([\w\s-]{2,30}?)-based\b|basée? à ([\w\s-]{2,30})", low)
    if based:
        city = (based.group(1) or based.group(2) or "").strip()
        for word, country in ctx.res.country_by_word.items():
            if city.endswith(word):
                return country
    words = [w.strip(".").removeprefix("l'").removeprefix("d'") for w in re.findall(r"[\w'.-]+", low)]
    for i, w in enumerate(words):
        for cand in (" ".join(words[i:i + 2]), w):  # "corée du sud" before "corée"
            country = ctx.res.country_by_word.get(cand)
            if country and country != "France" and cand not in {"us", "uk"}:
                return country
    return None


def _place(sent: Sentence, ctx: DocContext) -> str | None:
    for m in ctx.mentions.within(sent.start, sent.end, "PLACE"):
        if m.surface.lower() not in ctx.res.country_by_word:
            return m.surface
    return None


def find_implantations(sent: Sentence, ctx: DocContext, period: str | None) -> list[ImplantationFact]:
    verbs = ctx.res.cues.implantation_verbs
    facts: list[ImplantationFact] = []
    seen: set[str] = set()
    generic = phrase_regex(tuple(ctx.res.cues.implantation_generic.get(sent.lang) + ctx.res.cues.implantation_generic.get("en")))
    for v in phrase_regex(tuple(verbs.get(sent.lang) + verbs.get("en"))).finditer(sent.text):
        before = sent.text[max(0, v.start() - 25):v.start()]
        if any(m.end() >= len(before) - 4 for m in generic.finditer(before)):
            continue
        company = _company_before(v.start(), sent, ctx)
        if company is None or company in seen:
            continue
        seen.add(company)
        year = period
        if ctx.published and find_phrase(sent.text, ctx.res.cues.recent.get(sent.lang) + ctx.res.cues.recent.get("en")) \
                and not ctx.stated_periods(sent):
            year = str(ctx.published.year)
        facts.append(ImplantationFact(
            company=company, place=_place(sent, ctx), origin=_origin(sent, ctx), year=year,
            jobs=_jobs(sent.text[v.start():], sent.lang, ctx), confidence=0.6, evidence=ctx.evidence(sent)))
    return facts


def _jobs(text: str, lang: str, ctx: DocContext) -> int | None:
    job_words = ctx.res.metrics.heads["jobs"].all()
    for n in find_numbers(text[:120], lang):
        if n.kind == "number" and n.unit == "count" and find_phrase(text[n.end:n.end + 20], job_words):
            return int(n.value)
    return None

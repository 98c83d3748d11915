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
from pipeline.nlp import Sentence, Token
from pipeline.normalize.dates import is_month
from pipeline.normalize.numbers import find_numbers
from pipeline.records import ImplantationFact
from pipeline.resources import PhraseGate, Resources, fold, phrase_gate, phrase_regex

_NOT_COMPANIES = {"agency", "authority", "chamber", "network", "institution", "operator"}
_WORDS = re.compile(r"[\w'-]+(?:\s[\w'-]+)?")


def _is_company(name: str, ctx: DocContext, lang: str) -> bool:
    """An organization that can set up: not the agency, not an authority, chamber, club or network
    (by the gazetteer, or by its first or last word: "Métropole de X", "X County Council"), not a
    month, not a lone name-ending word ("Invest")."""
    entry = ctx.res.org_by_name.get(name)
    if name == ctx.mentions.subject or (entry is not None and entry.kind in _NOT_COMPANIES):
        return False
    words = name.split()
    heads = ctx.res.memo(f"implantations:not_company_heads:{lang}", lambda r: frozenset(
        fold(w) for w in r.cues.not_company_heads.get(lang) + r.cues.not_company_heads.get("en")))
    if not words or {fold(words[0]), fold(words[-1])} & heads:
        return False
    tails = ctx.res.memo("implantations:tails", lambda r: frozenset(w.lower() for w in r.org_cues.org_tail_words))
    if len(words) == 1 and (is_month(words[0], lang) or words[0].lower() in tails):
        return False
    return True


def _company_before(verb_start: int, sent: Sentence, ctx: DocContext) -> str | None:
    """The company that does the verb: the organization the parser gives as the verb's subject
    ("Digital Realty, qui a racheté X, vient d'ouvrir"), else the nearest organization before
    it in the clause, else a proper-noun subject the parser attached to the verb."""
    parsed = _parsed_company(verb_start, sent, ctx) or _agent_after(verb_start, sent, ctx)
    if parsed:
        return parsed
    companies = [m for m in ctx.mentions.within(sent.start, sent.end, "ORG") if _is_company(m.name, ctx, sent.lang)]
    for i, m in enumerate(companies):  # "X, qui a racheté Y, vient d'ouvrir": X opens, not Y
        rel_start = m.end - sent.start
        if rel_start < verb_start and _RELATIVE.match(sent.text[rel_start:verb_start]):
            return m.name
    for m in reversed(ctx.mentions.within(sent.start, sent.end, "ORG")):
        rel_end = m.end - sent.start
        if rel_end <= verb_start and _is_company(m.name, ctx, sent.lang) and not re.search(r"[.;:]", sent.text[rel_end:verb_start]) \
                and verb_start - rel_end <= 80:
            return m.name
    return _parsed_subject(verb_start, sent, ctx)


_BY = re.compile(r"\b(?:par|by)\s+(?:le |la |les |l'|the |an? |un |une )?(?:[\w'-]+\s+){0,3}?$", re.I)


def _agent_after(verb_start: int, sent: Sentence, ctx: DocContext) -> str | None:
    """The agent of a passive or a noun: "l'ouverture d'un bureau à Toulon, par le groupe suédois Nordvik",
    "a plant opened in Arles by the Korean firm Hanseo"."""
    for m in ctx.mentions.within(sent.start, sent.end, "ORG"):
        rel = m.start - sent.start
        if rel > verb_start and rel - verb_start <= 90 and _is_company(m.name, ctx, sent.lang) \
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
    companies = [m for m in ctx.mentions.within(sent.start, sent.end, "ORG") if _is_company(m.name, ctx, sent.lang)]
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
                    or t.lower in ctx.res.first_names or fold(t.text) in ctx.res.territory_keys \
                    or not _is_company(t.text, ctx, sent.lang):
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


def _place(sent: Sentence, ctx: DocContext, company: str = "") -> str | None:
    """The first place of the sentence that is no foreign country or city and no name the document
    also uses for an organization (the model may read an agency's name, or the company's, as a place)."""
    orgs = {m.name for m in ctx.mentions.items if m.type == "ORG"} | {company}
    for m in ctx.mentions.within(sent.start, sent.end, "PLACE"):
        if sent.text[m.end - sent.start:].startswith("-based"):
            continue  # "the Oslo-based group": where the company comes from (its origin)
        if m.surface.lower() not in ctx.res.country_by_word and m.surface not in orgs and m.name not in orgs:
            article = re.search(r"\b(?:La|Le|Les|L')\s*$", sent.text[:m.start - sent.start])
            whole = sent.text[article.start():m.end - sent.start] if article else ""
            return whole if whole and fold(whole) in ctx.res.territory_keys else m.surface  # "La Ciotat"
    return None


_OWNER_GAP = re.compile(r"^\s+(?:(?:de|du|des|of)\s+(?:la\s+|le\s+|les\s+|l'|the\s+|its\s+|son\s+|sa\s+|ses\s+)?|d')"
                        r"(?:[\w-]+\s+(?:de|du|des|of)\s+(?:la\s+|le\s+|l'|the\s+)?|[\w-]+\s+d')?$", re.I)


def _company_after_noun(noun_end: int, sent: Sentence, ctx: DocContext) -> str | None:
    """The company of an implantation noun: "l'implantation de X", "l'extension de la plate-forme
    de X", "the arrival of X", "the opening of the plant of X"."""
    for m in ctx.mentions.within(sent.start, sent.end, "ORG"):
        rel = m.start - sent.start
        if rel >= noun_end and _owner_gap(sent.text[noun_end:rel], ctx) and _is_company(m.name, ctx, sent.lang):
            return m.name
    return _unlabelled_owner(noun_end, sent, ctx)


_OWNER_PREP = re.compile(r"^\s+(?:(?:de|du|des|of)\s+(?:la\s+|le\s+|les\s+|l'|the\s+|its\s+|son\s+|sa\s+|ses\s+)?|d')", re.I)


def _owner_gap(gap: str, ctx: DocContext) -> bool:
    """The words between an implantation noun and its company: a preposition ("de", "of") with
    its article, then a noun with its own preposition ("de la plate-forme de"), or up to three
    words that describe the company: lowercase words, nationality words, short acronyms of
    models/org_cues.yaml's stoplist ("of the Korean", "of the Indian IT major", "du groupe chinois").
    A company in apposition to the noun counts too (`_apposition_gap`)."""
    if _OWNER_GAP.match(gap):
        return True
    prep = _OWNER_PREP.match(gap) or _APPOSITION.match(gap)
    if not prep or any(w.lower() in _JOINS for w in re.findall(r"[\w'-]+", gap[:prep.end()])):
        return False
    words = gap[prep.end():].split()
    return len(words) <= 3 and all(
        w[:1].islower() or w.lower() in ctx.res.country_by_word or w in ctx.res.org_cues.acronym_stoplist
        for w in words) and not any(w.lower() in _STOP_WORDS for w in words)


# A company in apposition to an implantation noun: "une nouvelle implantation, Vetrox, ...", "la
# plus récente arrivée, le coréen Hanseo", "the latest arrival, Vetrox, ...": up to three
# lowercase words after the noun, a comma or colon, an article.
_APPOSITION = re.compile(r"^(?:\s+[a-zà-ÿ]+){0,3}\s*[,:]\s*(?:(?:le|la|les|un|une|the|an?)\s+|l')?")


def _by_apposition(noun_end: int, company: str, sent: Sentence, ctx: DocContext) -> bool:
    """Whether the company found after an implantation noun stands in apposition to it."""
    for m in ctx.mentions.within(sent.start, sent.end, "ORG"):
        rel = m.start - sent.start
        if m.name == company and rel >= noun_end:
            return not _OWNER_GAP.match(sent.text[noun_end:rel]) and not _OWNER_PREP.match(sent.text[noun_end:rel])
    return False


_JOINS = {"et", "and", "ou", "or", "qui", "which", "who", "que", "that"}
_STOP_WORDS = _JOINS | {"à", "in", "en", "au", "aux", "at", "to"}


_CAPITALIZED_RUN = re.compile(r"[A-ZÀ-Ý][\w&+'-]*(?:[^\S\n]+[A-ZÀ-Ý][\w&+'-]*){0,2}")


# "X in Y", "X à Y": the name in the company slot goes somewhere, so it is no place itself.
_LOCATIVE = re.compile(r"^\s+(?:à|en|dans|sur|près de|in|at|into|near)\s", re.I)


def _unknown_place(m, ctx: DocContext) -> bool:
    """A mention the model read as a place that no lexicon knows (no territory, country or foreign
    city of models/places.yaml): in a company's slot and followed by where it goes ("the set-up
    of Trevlog in Truro"), a company."""
    return m.type == "PLACE" and fold(m.surface) not in ctx.res.territory_keys \
        and m.surface.lower() not in ctx.res.country_by_word


def _unlabelled_owner(noun_end: int, sent: Sentence, ctx: DocContext) -> str | None:
    """The company slot of an implantation noun holding a capitalized name the model left untagged
    or read as a place no lexicon knows ("l'extension de la plate-forme de Vetrox Natie à Brest"):
    the name, unless it is a known place, a person, a country word, a month or another mention."""
    rest = sent.text[noun_end:]
    for m in _CAPITALIZED_RUN.finditer(rest, 0, 80):
        if not _OWNER_GAP.match(rest[:m.start()]):
            continue
        name = m.group(0)
        at = sent.start + noun_end + m.start()
        following = next((t for t in sent.tokens if t.start >= at + len(name)), None)
        if following is not None and following.pos in ("NOUN", "ADJ") and following.text[:1].islower():
            return None  # "the arrival of the Olympic torch": a capitalized adjective, no name
        place_read = any(x.start < at + len(name) and at < x.end for x in ctx.mentions.items)
        if place_read and not _LOCATIVE.match(rest[m.end():]):
            return None  # "l'ouverture de Quimper aux investisseurs": the place itself
        if any(x.start < at + len(name) and at < x.end and not _unknown_place(x, ctx) for x in ctx.mentions.items) \
                or fold(name) in ctx.res.territory_keys or name.lower() in ctx.res.country_by_word \
                or name.split()[0].lower() in ctx.res.first_names or not _is_company(name, ctx, sent.lang):
            return None
        return name
    return None


_LIST_SEP = re.compile(r"^(?:\s*\([^()]{0,160}\))?\s*(?:,|;|et|and|&|ou encore|or|ainsi que|as well as)"
                       r"(?:\s*(?:et|and|ou encore))?\s*$", re.I)


def _listed_with(company: str, sent: Sentence, ctx: DocContext) -> list[str]:
    """The companies listed with `company`, in order: "A, B et C ont choisi ...", "dont A (R&D), B
    (siège) ou encore C ...", "A, B and C represent ...". Each member is an organization named
    right after the previous one, with a separator and at most one parenthesis between."""
    orgs = [m for m in ctx.mentions.within(sent.start, sent.end, "ORG")]
    at = next((k for k, m in enumerate(orgs) if m.name == company), None)
    if at is None:
        return [company]
    lo = hi = at
    while lo > 0 and _LIST_SEP.match(sent.text[orgs[lo - 1].end - sent.start:orgs[lo].start - sent.start]):
        lo -= 1
    while hi + 1 < len(orgs) and _LIST_SEP.match(sent.text[orgs[hi].end - sent.start:orgs[hi + 1].start - sent.start]):
        hi += 1
    return list(dict.fromkeys(m.name for m in orgs[lo:hi + 1] if _is_company(m.name, ctx, sent.lang)))


def _memberships(sent: Sentence, ctx: DocContext) -> list[str]:
    """The membership phrases of the sentence that a noun of projects or companies follows within a
    few words ("font partie des 68 projets", "are among the 68 projects"): cues like a verb."""
    out: list[str] = []
    if not ctx.res.lang_gate(sent.lang, ctx.res.cues.implantation_membership).may_match(sent.words):
        return out
    for m in ctx.res.lang_regex(sent.lang, ctx.res.cues.implantation_membership).finditer(sent.text):
        heads = ctx.res.metrics.heads["projects"].all()
        if find_phrase(" ".join(sent.text[m.end():].split()[:5]), heads):
            out.append(m.group(0).lower())
    return out


def _cue_year(cue: Token | None, sent: Sentence, ctx: DocContext) -> str | None:
    """Of a sentence's several years, the one the parse attaches closest to the cue's verb ("met in
    2016 at a fair, Vetrox opened its office in 2018" -> 2018); None with one year or none attached."""
    periods = ctx.stated_periods(sent)
    if cue is None or len(periods) < 2:
        return None
    verb = sent.tokens[cue.head] if cue.pos == "AUX" else cue
    best: tuple[int, str] | None = None
    for p in periods:
        span = [t for t in sent.tokens if p.start <= t.start - sent.start < p.end]
        tok = next((t for t in span if any(c.isdigit() for c in t.text)), span[0] if span else None)
        steps = 0
        while tok is not None and tok.i != verb.i and tok.head != tok.i and steps < 6:
            tok, steps = sent.tokens[tok.head], steps + 1
        if tok is not None and tok.i == verb.i and (best is None or steps < best[0]):
            best = (steps, str(p.year))
    return best[1] if best else None


def _joins_no_company(cue: Token, sent: Sentence, ctx: DocContext) -> bool:
    """Whether the cue's verb has for object an organization that is no company (the agency, an
    authority, a network): joining or choosing it is no implantation."""
    verb = sent.tokens[cue.head] if cue.pos == "AUX" else cue
    if verb.pos not in ("VERB", "AUX"):
        return False
    orgs = ctx.mentions.within(sent.start, sent.end, "ORG")
    for t in sent.tokens:
        if t.head == verb.i and t.dep in ("obj", "dobj"):
            # the object, or a name hanging from it ("l'agence Nordinvest", "the Northbay Invest agency")
            words = [t] + [c for c in sent.tokens if c.head == t.i and c.i != t.i]
            m = next((m for m in orgs for w in words if m.start <= w.start < m.end), None)
            return m is not None and not _is_company(m.name, ctx, sent.lang)
    return False


def _under(tok: Token, told: set[int], sent: Sentence) -> bool:
    """Whether `tok` hangs, through its heads, from the cue of a fact already told in the sentence."""
    seen = {tok.i}
    while tok.head != tok.i and tok.head not in seen:
        if tok.head in told:
            return True
        seen.add(tok.head)
        tok = sent.tokens[tok.head]
    return False


def _coordinated(company: str, sent: Sentence, ctx: DocContext) -> list[str]:
    """The companies the parser coordinates with `company` ("the arrival of A in X and of the Indian
    IT major B in Y"): a company whose word is a conjunct of the company's head word, or of one of
    those."""
    mentions = [m for m in ctx.mentions.within(sent.start, sent.end, "ORG") if _is_company(m.name, ctx, sent.lang)]
    own = next((m for m in mentions if m.name == company), None)
    if own is None:
        return []
    inside = [t for t in sent.tokens if own.start <= t.start < own.end]
    heads = [t.i for t in inside if not own.start <= sent.tokens[t.head].start < own.end or t.head == t.i]
    out: list[str] = []
    while heads:
        h = heads.pop()
        for t in sent.tokens:
            if t.head == h and t.dep == "conj" and t.i != h:
                other = next((m for m in mentions if m.start <= t.start < m.end), None)
                if other is not None and other.name != company and other.name not in out:
                    out.append(other.name)
                    heads.append(t.i)
    return out


def _cue_phrases(res: Resources, lang: str) -> tuple[frozenset[str], tuple[str, ...], re.Pattern[str], PhraseGate]:
    """The implantation nouns (lower-cased), the cue phrases (the verbs, then the nouns), their
    regex and its gate, built once per language."""
    def build(r: Resources) -> tuple[frozenset[str], tuple[str, ...], re.Pattern[str], PhraseGate]:
        cues = r.cues
        nouns = {w.lower() for w in cues.implantation_nouns.get(lang) + cues.implantation_nouns.get("en")}
        verbs = cues.implantation_verbs.get(lang) + cues.implantation_verbs.get("en")
        phrases = tuple(verbs + sorted(nouns))
        return frozenset(nouns), phrases, phrase_regex(phrases), phrase_gate(phrases)
    return res.memo(f"implantations:cue_phrases:{lang}", build)


def find_implantations(sent: Sentence, ctx: DocContext, period: str | None) -> list[ImplantationFact]:
    cues = ctx.res.cues
    nouns, cue_phrases, cue_rx, gate = _cue_phrases(ctx.res, sent.lang)
    facts: list[ImplantationFact] = []
    seen: set[str] = set()
    generic = ctx.res.lang_regex(sent.lang, cues.implantation_generic)
    memberships = _memberships(sent, ctx)
    if memberships:
        cue_rx = phrase_regex(cue_phrases + tuple(memberships))
    elif not gate.may_match(sent.words):
        return facts  # no cue in the sentence
    told: set[int] = set()  # the tokens of the cues that gave a fact
    for v in cue_rx.finditer(sent.text):
        before = sent.text[max(0, v.start() - 25):v.start()]
        if any(m.end() >= len(before) - 4 for m in generic.finditer(before)):
            continue
        cue = next((t for t in sent.tokens if t.start - sent.start >= v.start()), None)
        if cue is not None and _under(cue, told, sent):
            continue  # "the set-up of X in the warehouse built by Y": what Y did describes X's place
        if cue is not None and _joins_no_company(cue, sent, ctx):
            continue  # "X et Y ont rejoint l'agence Nordinvest": members of the agency, no set-up
        after = _company_after_noun(v.end(), sent, ctx) if v.group(0).lower() in nouns else None
        found = [after] if after else []
        if not after or _by_apposition(v.end(), after, sent, ctx):
            # "A, B et, plus récente arrivée, le coréen C": the list before the noun has companies too
            found.append(_company_before(v.start(), sent, ctx))
        found = [c for c in found if c]
        if not found:
            continue
        if cue is not None:
            told.add(cue.i)
        year = _cue_year(cue, sent, ctx) or period
        if ctx.published and ctx.res.lang_regex(sent.lang, cues.recent).search(sent.text) \
                and not ctx.stated_periods(sent):
            year = str(ctx.published.year)
        for name in (n for company in found for n in _listed_with(company, sent, ctx) + _coordinated(company, sent, ctx)):
            if name in seen:
                continue
            seen.add(name)
            facts.append(ImplantationFact(
                company=name, place=_place(sent, ctx, name), origin=_origin(sent, ctx), year=year,
                jobs=_jobs(sent.text[v.start():], sent.lang, ctx), confidence=0.6, evidence=ctx.evidence(sent)))
    return facts


def _jobs(text: str, lang: str, ctx: DocContext) -> int | None:
    job_words = ctx.res.metrics.heads["jobs"].all()
    for n in find_numbers(text[:120], lang):
        if n.kind == "number" and n.unit == "count" and find_phrase(text[n.end:n.end + 20], job_words):
            return int(n.value)
    return None

"""Role facts: who holds which title in which organization, and whether still.

Reads: sentences, the entity index. Writes: RoleFact list.

Shapes, in both languages (titles and status words come from models/roles.yaml):
- apposition after a name: "X, président de Y", "X, vice-president of Y", "X (DG)",
  "X, the agency's outgoing president", "X, Y's CEO";
- title before a name: "le président X", "Y's CEO X", "le directeur général de Y, X";
- possessive or prefixed organization: "Y's CEO", "the Y president";
- no organization named: the title belongs to the document's agency ("le Président X").
A status word next to the title ("sortant", "outgoing", "ancien", "former", "futur") sets the
status; "succède à X"/"replaces X" makes X the former holder of the same role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extraction.context import DocContext, find_phrase, has_phrase
from pipeline.extraction.entities import Mention
from pipeline.nlp import Sentence
from pipeline.records import RoleFact
from pipeline.resources import Title, phrase_regex

_PREP_AFTER = re.compile(r"^\s*(?:de|du|des|d'|of|at|chez|for|au sein de)\s*(?:la |le |l'|les |the )?", re.I)
_SUBJECT_REF = re.compile(r"^\s*(?:de|of|at)\s+(?:l'agence|la structure|l'association|the agency|the organisation|the organization)\b", re.I)
_POSSESSIVE_AGENCY = re.compile(r"(?:the |l')?(?:\w+ ){0,3}(?:agency|agence)'s\s*$", re.I)
_BARE_TITLES = {"directeur", "directrice", "director", "head", "dirigeant", "dirigeante", "patron", "boss"}


@dataclass(frozen=True)
class TitleMatch:
    start: int
    end: int
    title: Title


def _title_matches(sent: Sentence, ctx: DocContext) -> list[TitleMatch]:
    out: list[TitleMatch] = []
    taken: list[tuple[int, int]] = []
    forms = [(form, t) for t in ctx.res.roles.titles for form in (t.fr + t.en)]
    forms.sort(key=lambda ft: len(ft[0]), reverse=True)
    for form, title in forms:
        for m in phrase_regex((form,)).finditer(sent.text):
            if form.isupper() and m.group(0) != form:
                continue  # "DG", "CEO" only in capitals
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append(TitleMatch(m.start(), m.end(), title))
    return sorted(out, key=lambda t: t.start)


def _org_for(tm: TitleMatch, sent: Sentence, ctx: DocContext, orgs: list[Mention]) -> tuple[str | None, int]:
    """The organization of a title and where the title phrase ends; (None, -1) when the title
    is followed by something that is not an organization ("director of marketing")."""
    text, base = sent.text, sent.start
    after = text[tm.end:]
    if _SUBJECT_REF.match(after):
        return ctx.mentions.subject, tm.end + _SUBJECT_REF.match(after).end()  # type: ignore[union-attr]
    prep = _PREP_AFTER.match(after)
    if prep:
        at = tm.end + prep.end()
        for m in orgs:
            if abs((m.start - base) - at) <= 1:
                return m.name, m.end - base
        return None, -1
    before = text[: tm.start]
    for m in orgs:  # "Fin-Track's CEO", "the Provence Promotion president"
        gap = before[m.end - base:]
        if m.end - base <= tm.start and re.fullmatch(r"(?:'s|’s)?\s*(?:\w+\s+)?", gap):
            return m.name, tm.end
    if _POSSESSIVE_AGENCY.search(re.sub(r"(?:\w+\s+)?$", "", before) if not before.endswith("'s ") else before):
        return ctx.mentions.subject, tm.end
    if tm.title.fr and text[tm.start:tm.end].lower() in _BARE_TITLES:
        return None, -1
    return ctx.mentions.subject, tm.end


def _person_for(tm: TitleMatch, phrase_end: int, sent: Sentence, people: list[Mention]) -> Mention | None:
    text, base = sent.text, sent.start
    for p in people:  # title before the name: "le président X", "CEO of Y, X"
        gap = text[phrase_end:p.start - base] if p.start - base >= phrase_end else None
        if gap is not None and re.fullmatch(r"\s*,?\s*", gap):
            return p
    best = None
    for p in people:  # apposition: "X, ... président de Y"
        end = p.end - base
        if end <= tm.start:
            between = text[end:tm.start]
            if re.match(r"^\s*[,(]", between) and len(between.split()) <= 14 and not any(
                    q is not p and end <= q.start - base < tm.start for q in people):
                best = p
    return best


def _status(tm: TitleMatch, sent: Sentence, ctx: DocContext) -> str:
    window = sent.text[max(0, tm.start - 25):tm.end + 12]
    cues = ctx.res.roles.status_cues
    for status in ("former", "incoming"):
        if status in cues and has_phrase(window, cues[status].get(sent.lang) + cues[status].get("en")):
            return status
    return "current"


def _role(tm: TitleMatch, org: str, ctx: DocContext) -> str:
    t = tm.title
    if not (t.agency_role or t.company_role):
        return t.role
    entry = ctx.res.org_by_name.get(org)
    agency = org == ctx.mentions.subject or (entry is not None and entry.kind in ("agency", "network", "chamber", "authority"))
    return (t.agency_role if agency else t.company_role) or t.role


def find_roles(sent: Sentence, ctx: DocContext) -> list[RoleFact]:
    orgs = ctx.mentions.within(sent.start, sent.end, "ORG")
    people = ctx.mentions.within(sent.start, sent.end, "PERSON")
    if not people:
        return []
    facts: list[RoleFact] = []
    for tm in _title_matches(sent, ctx):
        org, phrase_end = _org_for(tm, sent, ctx, orgs)
        if org is None:
            continue
        person = _person_for(tm, phrase_end, sent, people)
        if person is None:
            continue
        facts.append(RoleFact(
            person=person.name, role=_role(tm, org, ctx), org=org, status=_status(tm, sent, ctx),  # type: ignore[arg-type]
            as_of=ctx.published.isoformat() if ctx.published else None,
            confidence=0.8 if org != ctx.mentions.subject or find_phrase(sent.text, [org]) else 0.6,
            evidence=ctx.evidence(sent)))
    return facts + _successions(sent, ctx, facts, people)


def _successions(sent: Sentence, ctx: DocContext, found: list[RoleFact], people: list[Mention]) -> list[RoleFact]:
    """"X succède à Y" / "X replaces Y": Y held X's role before."""
    m = find_phrase(sent.text, ctx.res.roles.succession.get(sent.lang) + ctx.res.roles.succession.get("en"))
    if not m:
        return []
    after = [p for p in people if p.start - sent.start >= m.end()]
    before = [p for p in people if p.end - sent.start <= m.start()]
    out: list[RoleFact] = []
    if after and before:
        newcomer, predecessor = before[-1], after[0]
        for f in found:
            if f.person == newcomer.name and f.status == "current":
                out.append(f.model_copy(update={"person": predecessor.name, "status": "former", "confidence": 0.6}))
    return out

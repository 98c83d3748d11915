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


_COORD = re.compile(r"^\s*(?:,\s*)?(?:et|and|ainsi que|as well as)\s+(?:de |du |des |d'|of |at )?(?:la |le |l'|les |the )?", re.I)


def coordinated(end: int, sent: Sentence, orgs: list[Mention]) -> list[str]:
    """Organizations coordinated after the one ending at `end`: "de X et de Y", "X and Y"."""
    out: list[str] = []
    while True:
        m = _COORD.match(sent.text[end:])
        if not m:
            return out
        at = end + m.end()
        nxt = next((o for o in orgs if 0 <= o.start - sent.start - at <= 1), None)
        if nxt is None:
            return out
        out.append(nxt.name)
        end = nxt.end - sent.start


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
        for m in orgs:  # "of Y", "of the département's Y": at most two words in between
            gap = text[at:m.start - base] if m.start - base >= at else None
            if gap is not None and len(gap.split()) <= 2 and not re.search(r"[,;:.]", gap):
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


def _person_for(tm: TitleMatch, phrase_end: int, sent: Sentence, people: list[Mention],
                copulas: list[str] = ()) -> Mention | None:  # type: ignore[assignment]
    text, base = sent.text, sent.start
    for p in people:  # title before the name: "le président X", "CEO of Y, X", "Chairwoman: X"
        gap = text[phrase_end:p.start - base] if p.start - base >= phrase_end else None
        if gap is not None and re.fullmatch(r"\s*[,:]?\s*", gap):
            return p
    best = None
    for p in people:  # apposition: "X, ... président de Y"
        end = p.end - base
        if end <= tm.start:
            between = text[end:tm.start]
            apposed = (re.match(r"^\s*[,(]", between) or not between.strip()
                       or (copulas and phrase_regex(tuple(copulas)).fullmatch(between.strip(" ,")) is not None))
            if apposed and len(between.split()) <= 14 and not any(
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
    """Role facts of one sentence; updates the discourse memory in `ctx` (reading order)."""
    orgs = ctx.mentions.within(sent.start, sent.end, "ORG")
    people = _people_with_pronoun(sent, ctx)
    ctx_office = _office_without_holder(sent, ctx, orgs)
    facts: list[RoleFact] = []
    if people:
        for tm in _title_matches(sent, ctx):
            org, phrase_end = _org_for(tm, sent, ctx, orgs)
            if org is None:
                continue
            copulas = ctx.res.roles.copulas.get(sent.lang) + ctx.res.roles.copulas.get("en")
            person = _person_for(tm, phrase_end, sent, people, copulas)
            if person is not None:
                for o in [org, *coordinated(phrase_end, sent, orgs)]:
                    facts.append(_fact(person.name, _role(tm, o, ctx), o, _status(tm, sent, ctx), sent, ctx,
                                       0.8 if o != ctx.mentions.subject or find_phrase(sent.text, [o]) else 0.6))
        facts += _office_roles(sent, ctx, orgs, people)
        facts += _successions(sent, ctx, facts, people, ctx_office)
    for f in facts:
        if f.org == ctx.mentions.subject and f.status == "current":
            ctx.roles_held[f.person] = (f.role, f.org)
    real = [p for p in people if p.surface not in _PRONOUN_MARK]
    if real:
        ctx.last_person = real[-1].name
    ctx.pending_office = ctx_office or (ctx.pending_office if not people else None)
    return facts


_PRONOUN_MARK = {"<pronoun>"}


def _fact(person: str, role: str, org: str, status: str, sent: Sentence, ctx: DocContext, confidence: float) -> RoleFact:
    return RoleFact(person=person, role=role, org=org, status=status,  # type: ignore[arg-type]
                    as_of=ctx.published.isoformat() if ctx.published else None,
                    confidence=confidence, evidence=ctx.evidence(sent))


def _people_with_pronoun(sent: Sentence, ctx: DocContext) -> list[Mention]:
    """People named in the sentence, plus the last person named when a pronoun opens it."""
    people = ctx.mentions.within(sent.start, sent.end, "PERSON")
    first = sent.text.split(" ", 1)[0].lower()
    pronouns = ctx.res.roles.pronouns.get(sent.lang) + ctx.res.roles.pronouns.get("en")
    if ctx.last_person and first in pronouns and not any(p.start - sent.start < 3 for p in people):
        people = [Mention(sent.start, sent.start + len(first), "PERSON", ctx.last_person, "<pronoun>"), *people]
    return people


def _office_matches(sent: Sentence, ctx: DocContext) -> list[tuple[re.Match[str], str]]:
    out = []
    for office in ctx.res.roles.offices:
        for m in phrase_regex(tuple(office.fr + office.en)).finditer(sent.text):
            if not any(a.start() <= m.start() < a.end() or m.start() <= a.start() < m.end() for a, _r in out):
                out.append((m, office.role))
    return out


def _office_org(m: re.Match[str], sent: Sentence, ctx: DocContext, orgs: list[Mention]) -> str | None:
    after = sent.text[m.end():]
    prep = _PREP_AFTER.match(after)
    if prep:
        at = m.end() + prep.end()
        for o in orgs:
            if 0 <= o.start - sent.start - at <= 1:
                return o.name
    return ctx.mentions.subject


def _office_without_holder(sent: Sentence, ctx: DocContext, orgs: list[Mention]) -> tuple[str, str] | None:
    """An office named in the sentence ("the chairmanship of Y"), for a holder named later."""
    for m, role in _office_matches(sent, ctx):
        org = _office_org(m, sent, ctx, orgs)
        if org:
            return role, org
    return None


def _office_roles(sent: Sentence, ctx: DocContext, orgs: list[Mention], people: list[Mention]) -> list[RoleFact]:
    """"X prend la présidence", "a élu X à sa présidence", "X had chaired the agency"."""
    facts = []
    take = ctx.res.roles.take_verbs.get(sent.lang) + ctx.res.roles.take_verbs.get("en")
    leaving = ctx.res.roles.leaving.get(sent.lang) + ctx.res.roles.leaving.get("en")
    give = ctx.res.roles.give_verbs.get(sent.lang) + ctx.res.roles.give_verbs.get("en")
    for m, role in _office_matches(sent, ctx):
        before = [p for p in people if p.end - sent.start <= m.start()]
        after = [p for p in people if p.start - sent.start >= m.end()]
        given = has_phrase(sent.text[max(0, m.start() - 40):m.start()], give)
        if given and after:  # "ont confié leur présidence à X"
            person, window = after[0], sent.text[max(0, m.start() - 40):after[0].end - sent.start]
        elif before:
            person = before[-1]
            window = sent.text[max(0, person.start - sent.start - 30):m.end()]
        else:
            continue
        if not (given or has_phrase(window, take) or has_phrase(window, leaving)):
            continue
        org = _office_org(m, sent, ctx, orgs)
        if org:
            status = "former" if has_phrase(window, leaving) else "current"
            facts.append(_fact(person.name, role, org, status, sent, ctx, 0.7))
    for verbs in ctx.res.roles.office_verbs:
        for m in phrase_regex(tuple(verbs.fr + verbs.en)).finditer(sent.text):
            facts.extend(_verb_roles(m, verbs.role, sent, ctx, orgs, people))
    return facts


_AGENCY_REF = re.compile(r"^\s*(?:both\s+|à la fois\s+)?(?:l'agence|the agency|l'association|the organisation|the organization)\b", re.I)


def _verb_role(m: re.Match[str], role: str, sent: Sentence, ctx: DocContext, orgs: list[Mention],
               people: list[Mention]) -> RoleFact | None:
    after = sent.text[m.end():]
    passive = re.match(r"^\s*(?:\S+\s+){0,3}?(?:par|by)\s", after)
    if passive:
        person = next((p for p in people if p.start - sent.start >= m.end()), None)
        org = next((o.name for o in reversed(orgs) if o.end - sent.start <= m.start()
                    and len(sent.text[o.end - sent.start:m.start()].split()) <= 3), None)
        if org is None and re.search(r"(?:l'agence|the agency)(?:'s\s+board)?[^.;]{0,25}$", sent.text[:m.start()], re.I):
            org = ctx.mentions.subject  # "The agency's board, chaired since June by X"
    else:
        person = next((p for p in reversed(people) if p.end - sent.start <= m.start()), None)
        org = None
        reach = 45 if role == "founder" else 6  # "fonder à Toulon une jeune pousse du numérique"
        if _AGENCY_REF.match(after):
            org = ctx.mentions.subject
        else:
            org = next((o.name for o in orgs if 0 <= o.start - sent.start - m.end() <= reach
                        and not re.search(r"[,;:.]", sent.text[m.end():o.start - sent.start])), None)
    if person is None or org is None:
        return None
    return _fact(person.name, role, org, "current", sent, ctx, 0.6)


def _verb_roles(m: re.Match[str], role: str, sent: Sentence, ctx: DocContext, orgs: list[Mention],
                people: list[Mention]) -> list[RoleFact]:
    fact = _verb_role(m, role, sent, ctx, orgs, people)
    if fact is None:
        return []
    ref = _AGENCY_REF.match(sent.text[m.end():])
    end = m.end() + ref.end() if ref else next((o.end - sent.start for o in orgs if o.name == fact.org and o.start - sent.start >= m.end()), m.end())
    return [fact] + [fact.model_copy(update={"org": o}) for o in coordinated(end, sent, orgs)]


def _successions(sent: Sentence, ctx: DocContext, found: list[RoleFact], people: list[Mention],
                 office: tuple[str, str] | None) -> list[RoleFact]:
    """"X succède à Y" / "X takes over from Y": Y held the office before X; "X handed over to
    Y": Y holds it now. The office is the one X gets in this sentence, or the one named in this
    or the previous sentence, or the one X was last said to hold at the agency."""
    out: list[RoleFact] = []
    roles = ctx.res.roles
    for phrases, reverse in ((roles.succession, False), (roles.handover, True), (roles.succession_from, False)):
        m = find_phrase(sent.text, phrases.get(sent.lang) + phrases.get("en"))
        if not m:
            continue
        before = [p for p in people if p.end - sent.start <= m.start()]
        after = [p for p in people if p.start - sent.start >= m.end()]
        pronouns = roles.pronouns.get(sent.lang) + roles.pronouns.get("en")
        if ctx.last_person and re.search(r"(?:^|\W)(?:" + "|".join(pronouns) + r")\s+(?:\S+\s+)?$", sent.text[:m.start()], re.I):
            before = before + [Mention(sent.start, sent.start, "PERSON", ctx.last_person, "<pronoun>")]  # "..., il succède à X"
        if phrases is roles.succession_from:  # the predecessor is the one named after "from"
            frm = re.search(r"\b(?:from|de|à)\s+", sent.text[m.end():])
            after = [p for p in after if frm and p.start - sent.start >= m.end() + frm.end() - 1
                     and p.start - sent.start - (m.end() + frm.end()) <= 1]
        newcomer, predecessor = (after[0] if after else None, before[-1] if before else None) if reverse else (
            before[-1] if before else None, after[0] if after else None)
        if newcomer is None:
            continue
        held = next(((f.role, f.org) for f in found if f.person == newcomer.name and f.org == ctx.mentions.subject), None)
        held = held or office or ctx.pending_office or ctx.roles_held.get(newcomer.name)
        if held is None:
            continue
        role, org = held
        if not any(f.person == newcomer.name and f.role == role and f.org == org for f in found):
            out.append(_fact(newcomer.name, role, org, "current", sent, ctx, 0.6))
        if predecessor is not None and predecessor.name != newcomer.name:
            out.append(_fact(predecessor.name, role, org, "former", sent, ctx, 0.6))
    return out

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
from pipeline.extraction.leadership import Event, bound_words, partial_date, read_events
from pipeline.nlp import Sentence
from pipeline.records import RoleFact
from pipeline.resources import PhraseLists, Resources, Title, phrase_regex

_PREP_AFTER = re.compile(r"^\s*(?:de|du|des|d'|of|at|chez|for|au sein de)\s*(?:la |le |l'|les |the )?", re.I)
_SUBJECT_REF = re.compile(r"^\s*(?:de|of|at)\s+(?:l'agence|la structure|l'association|the agency|the organisation|the organization)\b", re.I)
_POSSESSIVE_AGENCY = re.compile(r"(?:the |l')?(?:\w+ ){0,3}(?:agency|agence)'s\s*$", re.I)
_BARE_TITLES = {"directeur", "directrice", "director", "head", "dirigeant", "dirigeante", "patron", "boss"}


@dataclass(frozen=True)
class TitleMatch:
    start: int
    end: int
    title: Title


def _title_forms(res: Resources) -> tuple[list[tuple[str, Title]], PhraseLists]:
    """Every written form of a title with its title, longest first, and the forms as phrase lists
    of one form each (read in one scan of a sentence)."""
    forms = [(form, t) for t in res.roles.titles for form in (t.fr + t.en)]
    forms.sort(key=lambda ft: len(ft[0]), reverse=True)
    return forms, PhraseLists([(form,) for form, _ in forms])


def _title_matches(sent: Sentence, ctx: DocContext) -> list[TitleMatch]:
    out: list[TitleMatch] = []
    taken: list[tuple[int, int]] = []
    forms, lists = ctx.res.memo("roles:title-forms", _title_forms)
    for (form, title), matches in zip(forms, lists.matches(sent.text, sent.words)):
        for m in matches:
            if form != form.lower() and m.group(0) != form:
                continue  # abbreviations ("DG", "CEO", "Pdt") only as written
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append(TitleMatch(m.start(), m.end(), title))
    return sorted(out, key=lambda t: t.start)


_COORD = re.compile(r"^\s*(?:,\s*)?(?:et|and|ainsi que|as well as)\s+(?:de |du |des |d'|of |at )?(?:la |le |l'|les |the )?", re.I)


def coordinated(end: int, sent: Sentence, orgs: list[Mention], ctx: DocContext | None = None) -> list[str]:
    """Organizations coordinated after the one ending at `end`: "de X et de Y", "X and Y"; with
    `ctx`, an agency noun standing for the document's agency too ("de X et de l'agence")."""
    out: list[str] = []
    while True:
        m = _COORD.match(sent.text[end:])
        if not m:
            return out
        at = end + m.end()
        nxt = next((o for o in orgs if 0 <= o.start - sent.start - at <= 1), None)
        if nxt is None:
            if ctx is not None and ctx.mentions.subject and ctx.mentions.subject not in out:
                nouns = ctx.res.org_cues.agency_nouns.get(sent.lang) + ctx.res.org_cues.agency_nouns.get("en")
                if re.match(r"(?:" + "|".join(map(re.escape, nouns)) + r")\b", sent.text[at:], re.I):
                    out.append(ctx.mentions.subject)
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


# A comma or an opening parenthesis and at most two words (a determiner, a status word) between
# a name and its title: "X, l'ancien président", "X (présidente de Y)".
_APPOSED = re.compile(r"\s*(?:,|\(+)\s*(?:[\w'’-]+\s+){0,2}")


def _person_for(tm: TitleMatch, phrase_end: int, sent: Sentence, people: list[Mention],
                copulas: list[str] = ()) -> Mention | None:  # type: ignore[assignment]
    text, base = sent.text, sent.start
    for p in people:  # apposition right after a name: "X, président de Y, Z, ..." is X's title, not Z's
        if p.end - base <= tm.start and _APPOSED.fullmatch(text[p.end - base:tm.start]):
            return p
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
                       or (copulas and _copula_then_words(between.strip(" ,"), copulas)))
            if apposed and len(between.split()) <= 14 and not any(
                    q is not p and end <= q.start - base < tm.start for q in people):
                best = p
    return best


def _copula_then_words(between: str, copulas: list[str]) -> bool:
    """A copula, then at most two lowercase words before the title: "est", "sont les actuels",
    "are the current"."""
    m = phrase_regex(tuple(copulas)).match(between)
    if m is None:
        return False
    rest = between[m.end():].split()
    return len(rest) <= 2 and all(w[:1].islower() for w in rest)


def _status(tm: TitleMatch, sent: Sentence, ctx: DocContext) -> str:
    """A status word right next to the title: the two words before it ("l'ancien président", "the
    former agency chairman") or the one after ("président sortant", "président désigné")."""
    before = re.findall(r"[\w'-]+", sent.text[max(0, tm.start - 40):tm.start])[-2:]
    after = re.findall(r"[\w'-]+", sent.text[tm.end:tm.end + 20])[:1]
    window = " ".join(before + [sent.text[tm.start:tm.end]] + after)
    cues = ctx.res.roles.status_cues
    for status in ("former", "incoming"):
        if status in cues and has_phrase(window, cues[status].get(sent.lang) + cues[status].get("en")):
            return status
    return "current"


_AND = re.compile(r"\s*(?:et|and|&)\s*", re.I)


def _respectively(titles: list[TitleMatch], people: list[Mention], sent: Sentence) -> dict[int, tuple[Mention, TitleMatch]]:
    """Two names coordinated, then two titles coordinated: each name takes the title in the same
    place ("X et Y, vice-président et président de Z", "X and Y, chair and CEO of Z"). Maps each
    title (by its start) to its holder and to the title whose organization it shares (the last one)."""
    out: dict[int, tuple[Mention, TitleMatch]] = {}
    text, base = sent.text, sent.start
    for t1, t2 in zip(titles, titles[1:]):
        if not _AND.fullmatch(text[t1.end:t2.start]):
            continue
        p2 = next((p for p in people if p.end - base <= t1.start and _APPOSED.fullmatch(text[p.end - base:t1.start])
                   and not text[p.end - base:t1.start].strip(" ,(")), None)
        p1 = next((p for p in people if p2 is not None and p.end <= p2.start
                   and _AND.fullmatch(text[p.end - base:p2.start - base])), None)
        if p1 is not None and p2 is not None:
            out[t1.start], out[t2.start] = (p1, t2), (p2, t2)
    return out


def _apposed_bounds(phrase_end: int, sent: Sentence, ctx: DocContext) -> tuple[str | None, str | None]:
    """A since/until phrase closing a title's apposition: "X, présidente de Y depuis juin 2014,",
    "X, chair of Y until 2017,": (since, until) as partial dates."""
    if phrase_end < 0:
        return None, None
    rest = re.split(r"[,;:.()]", sent.text[phrase_end:], maxsplit=1)[0]
    since_w, until_w = bound_words(ctx.res, "since", sent.lang), bound_words(ctx.res, "until", sent.lang)
    for m in re.finditer(r"[\w'’-]+", rest):
        word = m.group(0).lower().replace("’", "'")
        side = "since" if word in since_w else "until" if word in until_w or word.split("'")[0] + "'" in until_w else None
        if side is not None:
            value = partial_date(rest[m.start():].strip(), sent.lang, ctx.published)
            return (value, None) if side == "since" else (None, value)
    return None, None


def _not_an_officer(tm: TitleMatch, phrase_end: int, sent: Sentence, ctx: DocContext) -> bool:
    """An honorary title ("présidente d'honneur", "honorary chairman"), or the head of a local
    unit ("directeur de l'usine X", "manager of the X plant"), is no officer of the organization."""
    lex, lang = ctx.res.roles, sent.lang
    before = re.findall(r"[\w'’-]+", sent.text[max(0, tm.start - 25):tm.start])[-1:]
    after = re.findall(r"[\w'’-]+", sent.text[tm.end:tm.end + 20])[:1]
    if has_phrase(" ".join(before + after), lex.honorary.get(lang) + lex.honorary.get("en")):
        return True
    gap = sent.text[tm.end:max(tm.end, phrase_end)]
    return has_phrase(gap, lex.units.get(lang) + lex.units.get("en"))


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
    offices = _office_matches(sent, ctx)  # found once, read by every shape below
    ctx_office = _office_without_holder(sent, ctx, orgs, offices)
    facts: list[RoleFact] = []
    if people:
        titles = _title_matches(sent, ctx)
        pairs = _respectively(titles, people, sent)
        for tm in titles:
            org, phrase_end = _org_for(pairs[tm.start][1] if tm.start in pairs else tm, sent, ctx, orgs)
            if org is None or _not_an_officer(tm, phrase_end, sent, ctx):
                continue
            copulas = ctx.res.roles.copulas.get(sent.lang) + ctx.res.roles.copulas.get("en")
            person = pairs[tm.start][0] if tm.start in pairs else _person_for(tm, phrase_end, sent, people, copulas)
            if person is not None:
                since, until = _apposed_bounds(phrase_end, sent, ctx)
                for o in dict.fromkeys([org, *coordinated(phrase_end, sent, orgs, ctx)]):
                    f = _fact(person.name, _role(tm, o, ctx), o, _status(tm, sent, ctx), sent, ctx,
                              0.8 if o != ctx.mentions.subject or find_phrase(sent.text, [o]) else 0.6)
                    facts.append(f.model_copy(update={"since": since, "until": until}) if since or until else f)
        facts += _office_roles(sent, ctx, orgs, people, offices)
        facts += _successions(sent, ctx, facts, people, ctx_office)
        facts = _with_events(sent, ctx, facts, people, orgs, ctx_office, titles, offices)
    for f in facts:
        if f.org == ctx.mentions.subject and f.status == "current":
            ctx.roles_held[f.person] = (f.role, f.org)
    pair = [p.name for p in people if p.surface == _PLURAL_MARK]
    if len(pair) == 2:  # "Tous deux sont co-présidents de X": what one of them holds, the other holds
        for f in list(facts):
            if f.person in pair:
                other = pair[1] if f.person == pair[0] else pair[0]
                if not any(g.person == other and (g.role, g.org) == (f.role, f.org) for g in facts):
                    facts.append(f.model_copy(update={"person": other}))
    real = [p for p in people if p.surface not in _PRONOUN_MARK | {_PLURAL_MARK}]
    if real:
        ctx.last_person = real[-1].name
        for name in (p.name for p in real):
            ctx.last_people = [n for n in ctx.last_people if n != name][-1:] + [name]
    ctx.pending_office = ctx_office or (ctx.pending_office if not people else None)
    return facts


_PRONOUN_MARK = {"<pronoun>"}
_PLURAL_MARK = "<both>"


def _fact(person: str, role: str, org: str, status: str, sent: Sentence, ctx: DocContext, confidence: float) -> RoleFact:
    return RoleFact(person=person, role=role, org=org, status=status,  # type: ignore[arg-type]
                    as_of=ctx.published.isoformat() if ctx.published else None,
                    confidence=confidence, evidence=ctx.evidence(sent))


def _people_with_pronoun(sent: Sentence, ctx: DocContext) -> list[Mention]:
    """People named in the sentence, plus the last person named when a pronoun opens it."""
    people = ctx.mentions.within(sent.start, sent.end, "PERSON")
    first = sent.text.split(" ", 1)[0].lower()
    lang = sent.lang
    pronouns, plural = ctx.res.memo(f"roles:pronouns:{lang}", lambda r: (
        frozenset(r.roles.pronouns.get(lang) + r.roles.pronouns.get("en")),
        tuple(w + " " for w in r.roles.plural_pronouns.get(lang) + r.roles.plural_pronouns.get("en"))))
    if ctx.last_person and first in pronouns and not any(p.start - sent.start < 3 for p in people):
        people = [Mention(sent.start, sent.start + len(first), "PERSON", ctx.last_person, "<pronoun>"), *people]
    if len(ctx.last_people) != 2:
        return people  # what follows needs two people named before
    low = sent.text.lower()
    opening = next((w[:-1] for w in plural if low.startswith(w)), None)
    if opening and not any(p.start - sent.start < len(opening) + 2 for p in people):
        people = [Mention(sent.start, sent.start + len(opening), "PERSON", name, _PLURAL_MARK)
                  for name in ctx.last_people] + people
    return people


def _office_matches(sent: Sentence, ctx: DocContext) -> list[tuple[re.Match[str], str]]:
    out = []
    offices = ctx.res.memo("roles:offices", lambda r: PhraseLists([tuple(o.fr + o.en) for o in r.roles.offices]))
    for office, matches in zip(ctx.res.roles.offices, offices.matches(sent.text, sent.words)):
        for m in matches:
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


_Offices = list[tuple[re.Match[str], str]]


def _office_without_holder(sent: Sentence, ctx: DocContext, orgs: list[Mention],
                           offices: _Offices) -> tuple[str, str] | None:
    """An office named in the sentence ("the chairmanship of Y"), for a holder named later."""
    for m, role in offices:
        org = _office_org(m, sent, ctx, orgs)
        if org:
            return role, org
    return None


def _office_roles(sent: Sentence, ctx: DocContext, orgs: list[Mention], people: list[Mention],
                  offices: _Offices) -> list[RoleFact]:
    """"X prend la présidence", "a élu X à sa présidence", "X had chaired the agency"."""
    facts = []
    take = ctx.res.roles.take_verbs.get(sent.lang) + ctx.res.roles.take_verbs.get("en")
    leaving = ctx.res.roles.leaving.get(sent.lang) + ctx.res.roles.leaving.get("en")
    give = ctx.res.roles.give_verbs.get(sent.lang) + ctx.res.roles.give_verbs.get("en")
    for m, role in offices:
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


# ---------------------------------------------------------------- terms of office

def _token_maps(sent: Sentence, people: list[Mention], titles: list[TitleMatch],
                offices: _Offices) -> tuple[dict[int, int], set[int]]:
    """Token -> index of the person mention it lies in; tokens of titles and office nouns."""
    person_tokens: dict[int, int] = {}
    for k, p in enumerate(people):
        for t in sent.tokens:
            if p.start <= t.start < p.end or (p.surface in _PRONOUN_MARK and t.start == p.start):
                person_tokens[t.i] = k
    spans = [(tm.start, tm.end) for tm in titles] + [(m.start(), m.end()) for m, _r in offices]
    title_tokens = {t.i for t in sent.tokens for a, b in spans if a <= t.start - sent.start < b}
    return person_tokens, title_tokens


def _who(i: int | None, sent: Sentence, ctx: DocContext, people: list[Mention],
         person_tokens: dict[int, int]) -> str | None:
    """The person an event's token stands for: a named person, or the last one for a pronoun."""
    if i is None:
        return None
    if i in person_tokens:
        p = people[person_tokens[i]]
        return ctx.last_person if p.surface in _PRONOUN_MARK else p.name
    pronouns = ctx.res.roles.pronouns.get(sent.lang) + ctx.res.roles.pronouns.get("en")
    return ctx.last_person if sent.tokens[i].lower in pronouns else None


def _event_office(ev: Event, person: str | None, sent: Sentence, ctx: DocContext, facts: list[RoleFact],
                  titles: list[TitleMatch], offices: _Offices, orgs: list[Mention],
                  office: tuple[str, str] | None) -> tuple[str, str] | None:
    """(role, org) an event is about: the title the verb governs, else the office this person is
    given at the agency in the sentence, else an office named without a holder (here or in the
    previous sentence), else the office the person was last said to hold at the agency."""
    if ev.office is not None:
        tok = sent.tokens[ev.office]
        for tm in titles:
            if tm.start <= tok.start - sent.start < tm.end:
                org, _end = _org_for(tm, sent, ctx, orgs)
                return (_role(tm, org, ctx), org) if org else None
        for m, role in offices:  # an office noun: "prend la présidence (de Y)"
            if m.start() <= tok.start - sent.start < m.end():
                org = _office_org(m, sent, ctx, orgs)
                return (role, org) if org else None
    mine = [f for f in facts if f.person == person and f.org == ctx.mentions.subject]
    if mine:
        return mine[0].role, mine[0].org
    return office or ctx.pending_office or (ctx.roles_held.get(person) if person else None)


def _with_events(sent: Sentence, ctx: DocContext, facts: list[RoleFact], people: list[Mention],
                 orgs: list[Mention], office: tuple[str, str] | None, titles: list[TitleMatch],
                 offices: _Offices) -> list[RoleFact]:
    """Role facts with the term bounds the sentence's events state, and the role facts an event
    alone gives ("le conseil a élu X" after "la présidence de l'agence ...")."""
    if not sent.tokens:
        return facts
    person_tokens, title_tokens = _token_maps(sent, people, titles, offices)
    events = read_events(sent, person_tokens, title_tokens, ctx.res, ctx.published)
    out = list(facts)

    def touch(person: str, held: tuple[str, str], status: str, change: str | None, since: str | None,
              until: str | None, add: bool = False) -> None:
        role, org = held
        for k, f in enumerate(out):
            if f.person == person and f.role == role and f.org == org:
                out[k] = f.model_copy(update={
                    "status": status if change else f.status, "change": change or f.change,
                    "since": since or f.since, "until": until or f.until})
                return
        if change is not None or add:
            out.append(_fact(person, role, org, status, sent, ctx, 0.6).model_copy(
                update={"change": change, "since": since, "until": until}))

    for ev in events:
        person = _who(ev.person, sent, ctx, people, person_tokens)
        other = _who(ev.other, sent, ctx, people, person_tokens)
        if ev.kind == "hold":
            if person and ev.office is not None:  # "X occupe le poste de vice-président", "serves as chair"
                held = _event_office(ev, person, sent, ctx, out, titles, offices, orgs, office)
                if held is not None:
                    touch(person, held, "current", None, ev.since, ev.until, add=True)
            elif person and (ev.since or ev.until):
                org = _target_org(ev, sent, ctx, orgs)
                mine = [(f.role, f.org) for f in out if f.person == person and (org is None or f.org == org)]
                held = mine[0] if mine else ctx.roles_held.get(person)
                if held and (org is None or held[1] == org):
                    touch(person, held, "current", None, ev.since, ev.until)
            continue
        starter, ender = {"appoint": (person, None), "take": (person, other),
                          "handover": (other, person), "leave": (None, person)}[ev.kind]
        held = _event_office(ev, starter or ender, sent, ctx, out, titles, offices, orgs, office)
        if held is None and ender and starter:
            held = _event_office(ev, ender, sent, ctx, out, titles, offices, orgs, office)
        if held is None:
            continue
        # A since/until phrase after the other person is about that person ("X succède à Y,
        # en poste depuis 2016"); otherwise about the event's subject.
        theirs = ev.other is not None and ev.bounds_at > ev.other
        since, until = (None, None) if theirs else (ev.since, ev.until)
        if starter:
            touch(starter, held, "incoming" if ev.future else "current", "start", since or ev.date, until)
            if held[1] == ctx.mentions.subject and not ev.future:
                ctx.roles_held[starter] = held
        if ender and ender != starter:
            mine = theirs == (ender == other)
            touch(ender, held, "current" if ev.future else "former", "end",
                  ev.since if mine else None, (ev.until if mine else None) or ev.date)
    return out


def _target_org(ev: Event, sent: Sentence, ctx: DocContext, orgs: list[Mention]) -> str | None:
    """The organization a holding verb governs ("dirigeait l'agence", "chairs Z"), None if unsaid."""
    if ev.target is None:
        return None
    tok = sent.tokens[ev.target]
    for o in orgs:
        if o.start <= tok.start < o.end:
            return o.name
    referents = ctx.res.memo("agency_referents", lambda r: frozenset(w.lower() for w in r.org_cues.agency_referents.all()))
    return ctx.mentions.subject if tok.lower in referents or tok.lemma.lower() in referents else None

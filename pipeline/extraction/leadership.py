"""Events of a term of office, read over the dependency parse: who starts, who ends, and when.

Reads: a parsed sentence, the people it names, models/leadership.yaml. Writes: `Event`s that
pipeline/extraction/roles.py turns into role facts (or attaches to the ones it found), with the
bounds the sentence states.

An event is a verb of one class (appoint, take, handover, leave, hold; see the YAML for what
each means) with the person it concerns found through the tree:
- appoint: the verb's object in the active voice ("le conseil a élu X", "the board picked X"),
  its subject in the passive ("X a été nommé", "X was appointed");
- take / leave / hold: the verb's subject ("X succède à Y", "X steps down"), a relative pronoun
  standing for the person just before it ("Y, qui dirigeait l'agence depuis 2014"), or a
  personal pronoun (resolved by the caller);
- the other person: the predecessor after a take verb ("succède à Y", "takes over from Y"), the
  successor after a handover ("passe la main à X").
The office comes from a title governed by the verb ("élu président de Z", "appointed as
chairman"); a title apposed to the person ("X, maire de V,") describes the person instead.
Dates are those attached to the verb itself: a `since` word gives the start, an `until` word the
end, a range both, any other date the day of the event.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.extraction.frames import children
from pipeline.nlp import Sentence, Token
from pipeline.normalize.dates import parse_date
from pipeline.resources import Resources

_SUBJ = {"nsubj", "nsubj:pass", "nsubjpass", "csubj", "expl:subj"}
_PASSIVE = {"nsubj:pass", "nsubjpass"}
_OBJ = {"obj", "dobj", "iobj", "obl:arg", "attr", "oprd", "xcomp", "nsubj", "appos", "dative"}
_CLAUSE = {"acl:relcl", "relcl", "ccomp", "advcl", "acl", "parataxis", "conj", "csubj"}
_RELATIVE = {"qui", "who", "that", "lequel", "laquelle"}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DAY = re.compile(r"(?<![\d])(?:1er|[0-3]?\d)(?![\d])")


@dataclass(frozen=True)
class Event:
    kind: str  # appoint | take | handover | leave | hold
    verb: int  # token index of the verb
    person: int | None  # token of the person the event concerns (None: not found)
    other: int | None = None  # the predecessor (take) or the successor (handover)
    office: int | None = None  # token of a title or office noun the verb governs
    date: str | None = None  # stated date of the event: "2016-01-12", "2014-06", "2011"
    since: str | None = None  # stated start of the term
    until: str | None = None  # stated end of the term
    future: bool = False  # "sera élu", "will take over"
    bounds_at: int = -1  # token where the since/until phrase starts (-1: none)
    target: int | None = None  # the verb's object ("dirigeait [l'agence]", "chaired [the agency]")


def _words(res: Resources, key: str, lang: str) -> frozenset[str]:
    lex = res.leadership
    value = getattr(lex, key)
    return frozenset(w.lower() for w in value.get(lang) + value.get("en"))


def bound_words(res: Resources, key: str, lang: str) -> frozenset[str]:
    """The words that open a phrase dating a bound of a term: key "since", "until" or "range_from"."""
    return _words(res, key, lang)


def _event_class(sent: Sentence, tok: Token, res: Resources) -> str | None:
    """The event class of a verb, with the object or particle some classes need."""
    if tok.pos not in ("VERB", "AUX") or tok.dep in ("amod",):
        return None
    lemma, lang, lex = tok.lemma.lower(), sent.lang, res.leadership
    kids = children(sent, tok.i)
    objects = {c.lemma.lower() for c in kids if c.dep in ("obj", "dobj", "nsubj", "obl", "obl:arg")} | {
        c.lower for c in kids if c.dep in ("obj", "dobj")}
    particles = {c.lower for c in kids if c.dep in ("prt", "compound:prt")}
    if lemma in lex.leave_particles.get(lang, lex.leave_particles.get("en", {})):
        want = lex.leave_particles.get(lang, {}).get(lemma) or lex.leave_particles.get("en", {}).get(lemma)
        return "leave" if want in particles else None
    if lemma in _words(res, "take_verbs", lang):
        if objects & _words(res, "take_objects", lang) or particles & _words(res, "take_particles", lang):
            return "take"
        return None
    for kind, words in lex.events.items():
        if lemma in {w.lower() for w in words.get(lang) + words.get("en")}:
            if kind == "handover" and not (objects & _words(res, "handover_objects", lang)
                                           or particles & _words(res, "handover_particles", lang)):
                return None
            return kind
    return None


def _is_passive(sent: Sentence, verb: int) -> bool:
    kids = children(sent, verb)
    return any(c.dep in _PASSIVE or c.dep in ("aux:pass", "auxpass") for c in kids) or (
        sent.tokens[verb].feature("VerbForm") == "Part" and sent.tokens[verb].dep in ("acl", "amod")
        and sent.tokens[verb].feature("Voice") != "Act")


def _future(sent: Sentence, verb: int) -> bool:
    """"sera élu", "will take over", "va prendre la présidence"."""
    tok = sent.tokens[verb]
    if tok.feature("Tense") == "Fut":
        return True
    if any(c.dep.startswith("aux") and (c.lower in ("will", "shall") or c.feature("Tense") == "Fut")
           for c in children(sent, verb)):
        return True
    return tok.dep == "xcomp" and tok.head != tok.i and sent.tokens[tok.head].lemma.lower() == "aller"


def _antecedent(sent: Sentence, rel: Token, person_tokens: dict[int, int]) -> int | None:
    """The person a relative pronoun stands for: the name just before it, a comma between at most."""
    j = rel.i - 1
    while j >= 0 and sent.tokens[j].pos == "PUNCT":
        j -= 1
    return j if j >= 0 and j in person_tokens else None


def _subject(sent: Sentence, verb: int, person_tokens: dict[int, int]) -> int | None:
    """The person (a token index in a person mention) or pronoun token subject of `verb`."""
    v = verb
    while True:
        for c in children(sent, v):
            if c.dep in _SUBJ and c.i < verb:
                if c.lower in _RELATIVE:
                    return _antecedent(sent, c, person_tokens)
                hit = _person_in(sent, c.i, person_tokens)
                if hit is not None:
                    return hit
                return c.i if c.pos == "PRON" else None
        tok = sent.tokens[v]
        if tok.dep in ("xcomp", "conj") and tok.head != v and tok.feature("VerbForm") != "Part":
            v = tok.head  # "X a décidé de quitter", "X resigned and left"
            continue
        verb_tok = sent.tokens[verb]
        if verb_tok.feature("VerbForm") in ("Part", "Ger") and verb - 1 in person_tokens:
            return verb - 1  # a participle after its own subject: "…, X occupant la vice-présidence"
        return None


def _person_in(sent: Sentence, i: int, person_tokens: dict[int, int]) -> int | None:
    """`i` if it lies in a person mention, else one of its flat/compound name parts that does."""
    if i in person_tokens:
        return i
    for c in children(sent, i):
        if c.dep in ("flat:name", "flat", "compound", "appos") and c.i in person_tokens:
            return c.i
    return None


def _after(sent: Sentence, verb: int, person_tokens: dict[int, int], preps: frozenset[str] | None = None) -> int | None:
    """The first person after the verb among its arguments (optionally introduced by `preps`)."""
    for c in children(sent, verb):
        if c.i <= verb or c.dep in _CLAUSE:
            continue
        if preps is not None:
            case = {g.lower for g in children(sent, c.i) if g.dep == "case"}
            if c.dep == "prep" and c.lower in preps:
                inner = [g for g in children(sent, c.i) if g.dep == "pobj"]
                hit = _person_in(sent, inner[0].i, person_tokens) if inner else None
                if hit is not None:
                    return hit
                continue
            if not case & preps:
                # "prend le relais de X": the person hangs below the object noun
                if c.dep in ("obj", "dobj"):
                    for g in children(sent, c.i):
                        gcase = {h.lower for h in children(sent, g.i) if h.dep == "case"}
                        if gcase & preps and (hit := _person_in(sent, g.i, person_tokens)) is not None:
                            return hit
                continue
        hit = _person_in(sent, c.i, person_tokens)
        if hit is not None:
            return hit
    return None


def _office(sent: Sentence, verb: int, title_tokens: set[int], person_tokens: dict[int, int],
            carriers: frozenset[str] = frozenset()) -> int | None:
    """A title or office noun the verb governs, not one apposed to a person ("X, maire de V,"),
    or a title below a carrier noun the verb governs ("occupe le poste de vice-président")."""
    for c in children(sent, verb):
        if c.dep in ("obj", "dobj") and c.lemma.lower() in carriers:
            for g in children(sent, c.i):
                inner = [h for h in children(sent, g.i) if h.dep == "pobj"] if g.dep == "prep" else [g]
                hit = next((h.i for h in inner if h.i in title_tokens and h.i > c.i), None)
                if hit is not None:
                    return hit
    for c in children(sent, verb):
        if c.dep in _CLAUSE or c.dep in _SUBJ or c.i not in title_tokens and not any(g.i in title_tokens for g in children(sent, c.i)
                                                                  if g.dep in ("case", "mark", "prep")):
            continue
        prev = c.i - 1
        if prev >= 0 and sent.tokens[prev].text == "," and prev - 1 in person_tokens:
            continue  # apposition after a name
        return c.i
    for c in children(sent, verb):  # "appointed as chairman": the title below a preposition
        if c.dep == "prep" and c.lower in ("as", "comme"):
            for g in children(sent, c.i):
                if g.i in title_tokens:
                    return g.i
    return None


def _span_text(sent: Sentence, i: int) -> tuple[str, list[Token]]:
    """The text of the subtree of token `i` (stopping at clauses below it), in order."""
    out, todo = {i}, [i]
    while todo:
        k = todo.pop()
        for c in children(sent, k):
            if c.dep not in _CLAUSE and c.i not in out:
                out.add(c.i)
                todo.append(c.i)
    toks = [sent.tokens[k] for k in sorted(out)]
    start, end = toks[0].start - sent.start, toks[-1].end - sent.start
    return sent.text[start:end], toks


def partial_date(text: str, lang: str, published: dt.date | None) -> str | None:
    """"le 12 janvier 2016" -> "2016-01-12", "juin 2014" -> "2014-06", "2011" -> "2011"; a day and
    month with no year take the publication year (the year before when that would be later)."""
    years = _YEAR.findall(text)
    day = parse_date(text, (lang, "en"))
    if day is None and not years and published is not None:
        day = parse_date(f"{text} {published.year}", (lang, "en"))
        if day is not None and day > published:
            day = parse_date(f"{text} {published.year - 1}", (lang, "en"))
        if day is not None and not _DAY.search(text):
            return None  # a bare month with no year is too loose to state a bound
    if day is not None:
        rest = _YEAR.sub(" ", text)
        return day.isoformat() if _DAY.search(rest) else day.isoformat()[:7]
    return years[0] if len(years) == 1 else None


def _dates(sent: Sentence, verb: int, res: Resources,
           published: dt.date | None) -> tuple[str | None, str | None, str | None, int]:
    """(date, since, until, token where the since/until phrase starts) attached to the verb."""
    lang = sent.lang
    since_w, until_w, from_w = (_words(res, k, lang) for k in ("since", "until", "range_from"))
    date = since = until = None
    at = -1
    for c in children(sent, verb):
        if c.dep in _CLAUSE or c.dep in _SUBJ or c.i == verb:
            continue
        text, toks = _span_text(sent, c.i)
        if not (_YEAR.search(text) or any(t.lower in since_w | until_w for t in toks)):
            if c.dep not in ("obl", "obl:mod", "nmod", "prep", "npadvmod", "advmod", "obl:tmod", "pobj"):
                continue
        if toks[0].i > 0 and sent.tokens[toks[0].i - 1].lower in since_w | until_w | from_w:
            # the parser left the preposition out of the phrase: "depuis [le début de 2016]"
            toks = [sent.tokens[toks[0].i - 1], *toks]
            text = sent.text[toks[0].start - sent.start:toks[-1].end - sent.start]
        cue = next((k for k, t in enumerate(toks) if t.lower in since_w | until_w), None)
        if cue:  # "en poste depuis 2016": the bound is the phrase from its cue word on
            toks = toks[cue:]
            text = sent.text[toks[0].start - sent.start:toks[-1].end - sent.start]
        first = toks[0].lower
        lowered = text.lower()
        years = _YEAR.findall(text)
        if first in from_w and len(years) == 2:
            since, until, at = years[0], years[1], toks[0].i
            continue
        value = partial_date(text, lang, published)
        if value is None:
            continue
        if first in since_w or any(lowered.startswith(w) for w in since_w):
            since, at = since or value, toks[0].i
        elif first in until_w or any(lowered.startswith(w.rstrip("'")) for w in until_w):
            until, at = until or value, toks[0].i
        else:
            date = date or value
    return date, since, until, at


def _attributions(sent: Sentence, person_tokens: dict[int, int], title_tokens: set[int], res: Resources,
                  published: dt.date | None) -> list[Event]:
    """"La présidence revient à X", "l'une des vice-présidences échoit à X", "the chair goes to X":
    an office (the verb's subject, or a noun below it) goes to the person after à / to."""
    verbs = _words(res, "attribution", sent.lang)
    out = []
    for tok in sent.tokens:
        if tok.pos not in ("VERB", "AUX") or tok.lemma.lower() not in verbs:
            continue
        subjects = [c for c in children(sent, tok.i) if c.dep in _SUBJ]
        office = next((i for c in subjects for i in (c.i, *(g.i for g in children(sent, c.i) if g.dep == "nmod"))
                       if i in title_tokens), None)
        person = _after(sent, tok.i, person_tokens, frozenset({"à", "au", "to"})) if office is not None else None
        if person is not None:
            date, since, until, at = _dates(sent, tok.i, res, published)
            out.append(Event("appoint", tok.i, person, None, office, date, since, until, _future(sent, tok.i), at))
    return out


def read_events(sent: Sentence, person_tokens: dict[int, int], title_tokens: set[int], res: Resources,
                published: dt.date | None) -> list[Event]:
    """The term-of-office events of a parsed sentence.

    `person_tokens` maps each token inside a person mention to the index of the mention's first
    token; `title_tokens` holds the tokens of role titles and office nouns.
    """
    if not sent.tokens:
        return []
    out: list[Event] = []
    lang = sent.lang
    out += _attributions(sent, person_tokens, title_tokens, res, published)
    for tok in sent.tokens:
        kind = _event_class(sent, tok, res)
        if kind is None:
            continue
        v = tok.i
        other = None
        if kind == "appoint":
            person = _subject(sent, v, person_tokens) if _is_passive(sent, v) else _after(sent, v, person_tokens)
            if person is None and tok.dep in ("acl", "amod", "advcl") and tok.feature("VerbForm") == "Part":
                person = _person_in(sent, tok.head, person_tokens)  # "X, élu en janvier, ..."
        else:
            person = _subject(sent, v, person_tokens)
            if kind == "take":
                other = _after(sent, v, person_tokens, frozenset({"à", "a", "de", "d'", "from", "du"}))
                if other is None and tok.lemma.lower() in ("succéder", "remplacer", "succeed", "replace"):
                    other = _after(sent, v, person_tokens)
            elif kind == "handover":
                other = _after(sent, v, person_tokens, frozenset({"à", "au", "to"}))
        if person is None and other is None:
            continue
        date, since, until, at = _dates(sent, v, res, published)
        target = next((c.i for c in children(sent, v) if c.dep in ("obj", "dobj") and c.i > v), None)
        office = _office(sent, v, title_tokens, person_tokens, _words(res, "office_carriers", lang))
        out.append(Event(kind, v, person, other, office,
                         date, since, until, _future(sent, v), at, target))
    return out

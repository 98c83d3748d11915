"""Frames: every figure of a sentence read through the sentence's dependency parse.

Reads: a parsed `Sentence` (tokens with heads, dependency labels, lemmas and morphology), the
figures of its text (pipeline.normalize.numbers) and its time expressions
(pipeline.normalize.dates). Produces one `Frame` per figure; `decide_metric` and `decide_status`
turn a frame into a metric and a status with the tables of models/frames.yaml.

A frame holds what the grammar says about a figure:
- the counted noun: the head of the figure ("63 projets", "1,240 new jobs"), or the complement of
  a quantity noun ("42 % des projets", "une soixantaine d'entreprises", "the number of jobs
  reached 1,240"), or, for a figure with no noun of its own ("contre 75", "57 others", "dont 18
  étrangers"), the noun of the figure it is compared or coordinated with;
- the chain: the words from the figure up to the root of its clause; the predicate classes of
  the words on it (and of the nouns that complete them: "s'est fixé pour objectif d'attirer");
- the qualifiers attached to it: a qualifier phrase (models/metrics.yaml) counts for a figure
  when the path from the phrase up the tree meets the figure's chain before it meets another
  figure; what the figure counts (foreign, created, maintained, met...) must meet the chain at
  or below the figure's verb;
- the subject of its verb (the agency, a company, projects, something else), tense, mood,
  negation, and whether it is a point of comparison ("contre 75 en 2018", "against 75");
- its time expressions, attached the same way, closest first, and whether a running total is
  meant ("depuis 1998", "since it was founded", "en vingt ans", "over ten years").
The module knows no word: every word list comes from models/frames.yaml and models/metrics.yaml.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from pipeline.nlp import Sentence, Token
from pipeline.normalize.dates import PeriodMention
from pipeline.normalize.numbers import NumberMatch
from pipeline.resources import MetricRow, PerLang, PhraseLists, Resources, StatusRow, phrase_regex

# A chain stops above a word that starts another clause: what governs that clause is not the
# figure's ("L'agence, qui visait 70 projets, en a accompagné 77").
_CLAUSE_EDGES = {"advcl", "parataxis", "acl:relcl", "relcl", "csubj", "ccomp", "discourse", "dislocated", "list"}
# Dependents of a word on the chain that complete its meaning ("fixé pour objectif", "the target is").
_ARGUMENTS = {"obj", "obl:arg", "nsubj", "nsubj:pass", "attr", "dobj", "nsubjpass", "iobj", "expl:comp"}
_SUBJECTS = {"nsubj", "nsubj:pass", "nsubjpass", "csubj"}
_CASES = {"case", "prep", "mark", "advmod", "cc"}
_NOUNS = {"NOUN", "PROPN", "PRON"}
_VERBS = {"VERB", "AUX"}
# Qualifiers that say what the figure counts: they must meet the chain at or below its verb.
NOUN_SCOPE = frozenset({"foreign", "french", "maintained", "created", "total", "met", "staff", "change", "share", "national",
                        "distress", "exogenous"})
# Qualifier pairs of which only the one closer to the figure counts: "614 dossiers traités, dont
# 308 concrétisés" (308 were completed), "of 600 leads handled, 80 were completed".
_CLOSER_WINS = (("handled", "completed"),)
# Predicate classes that report what the agency's year brought (frames.yaml predicates).
_RESULTS = frozenset({"result", "reach", "amount"})


@dataclass(frozen=True)
class Frame:
    number: NumberMatch
    anchor: int  # token of the figure (its last token whose head is outside it)
    noun: int | None = None  # token of the counted noun
    noun_class: str | None = None  # projects | jobs | members | meetings | missions (metrics.yaml heads)
    inherited: bool = False  # the noun class was taken from a figure compared or coordinated with this one
    chain: tuple[int, ...] = ()  # tokens from the figure up to the root of its clause
    predicates: frozenset[str] = frozenset()  # predicate classes on the chain (frames.yaml)
    own_target: bool = False  # a target word on the figure or its noun ("les 70 projets visés")
    qualifiers: frozenset[str] = frozenset()  # qualifier classes attached (metrics.yaml qualifiers)
    in_sentence: frozenset[str] = frozenset()  # qualifier classes anywhere in the sentence
    subject: str | None = None  # agency | company | projects | other, for the figure's verb
    verb: int | None = None  # token of the figure's verb, None in a headline or a list
    actor: str | None = None  # the agency the parse names as subject or agent of the figure's verb
    tense: str | None = None  # past | present | future | conditional
    negated: bool = False
    compared: bool = False  # a point of comparison ("contre 75", "against 75", "than 60")
    elided: bool = False  # the figure stands for a noun named elsewhere ("57 others", "dont 18 étrangers")
    headcount: bool = False  # the counted noun counts people ("salariés", "employees")
    announced: bool = False  # announced as a goal after a colon ("90 projets : c'est l'objectif")
    pronominal: bool = False  # the verb's clitic stands for the counted noun ("n'en prévoyait que 50")
    part: bool = False  # another figure of the sentence is the whole this one is part of ("sur 30 ..., 17")
    periods: tuple[PeriodMention, ...] = ()  # attached time expressions, closest first
    foreign_periods: tuple[PeriodMention, ...] = ()  # time expressions that belong to other figures
    territory: frozenset[int] = field(default_factory=frozenset)  # the figure's own tokens


def _words(res: Resources, lang: str, name: str) -> frozenset[str]:
    """A frames.yaml list for `lang` (English words also read in French text), folded (built once
    per Resources; asked for tens of thousands of times per run, hence no `Resources.memo` call)."""
    key = ("frames:words", name, lang)
    try:
        return res.derived[key]  # type: ignore[no-any-return]
    except KeyError:
        lex = res.frames
        source = lex.predicates[name] if name in lex.predicates else getattr(lex, name)
        words = res.derived[key] = frozenset(w.lower() for w in source.get(lang) + source.get("en"))
        return words


def _is(tok: Token, words: frozenset[str]) -> bool:
    return tok.lower in words or tok.lemma.lower() in words


def _path_up(sent: Sentence, i: int) -> list[int]:
    path, seen = [i], {i}
    while (h := sent.tokens[path[-1]].head) not in seen and 0 <= h < len(sent.tokens):
        path.append(h)
        seen.add(h)
    return path


def _tokens_in(sent: Sentence, start: int, end: int) -> list[int]:
    """Indexes of the tokens overlapping sent.text[start:end]."""
    bounds = sent.bounds
    if bounds is None:
        return [t.i for t in sent.tokens if t.start - sent.start < end and t.end - sent.start > start]
    # Tokens in order: those ending after `start` are a suffix, those starting before `end` a prefix.
    starts, ends = bounds
    return list(range(bisect.bisect_right(ends, start), bisect.bisect_left(starts, end)))


def _head_of(sent: Sentence, idxs: list[int]) -> int | None:
    """The token of `idxs` whose head lies outside them (the last one when several do)."""
    inside = set(idxs)
    heads = [i for i in idxs if sent.tokens[i].head not in inside or sent.tokens[i].head == i]
    return heads[-1] if heads else (idxs[-1] if idxs else None)


def _fronted(sent: Sentence, idxs: list[int]) -> int | None:
    """Where a time expression attaches: its head token, or, for one that opens a clause after a
    comma ("..., en 2019, elle en comptait 180"), that clause's finite verb, whatever earlier word
    the parser hung it on."""
    head = _head_of(sent, idxs)
    if head is None or sent.tokens[head].head >= min(idxs) or not _at_clause_start(sent, min(idxs)):
        return head
    last = max(idxs)
    if last + 1 < len(sent.tokens) and sent.tokens[last + 1].text == ",":
        for t in sent.tokens[last + 2: last + 6]:
            if t.text in ",;:.":
                break
            if t.pos in _VERBS and t.feature("VerbForm") == "Fin" and any(c.dep in _SUBJECTS for c in children(sent, t.i)):
                return t.i
    return head


def _at_clause_start(sent: Sentence, i: int) -> bool:
    """The word at `i`, or the preposition before it, follows a comma or opens the sentence."""
    j = i - 1
    if j >= 0 and sent.tokens[j].pos == "ADP":
        j -= 1
    return j < 0 or sent.tokens[j].text in (",", ";")


def children(sent: Sentence, i: int) -> list[Token]:
    """The tokens whose head is the token at `i` (not itself), in sentence order."""
    return list(sent.dependents.get(i, ()))


def _head_class(res: Resources, tok: Token) -> str | None:
    hits = [h for w in (tok.lower, tok.lemma.lower()) if (h := res.head_rank.get(w))]
    return min(hits)[1] if hits else None


def _complement(sent: Sentence, i: int) -> Token | None:
    """The noun that completes a quantity noun: "42 % [des projets]", "the number [of jobs]"."""
    for c in children(sent, i):
        if c.dep in ("nmod", "obl", "obl:arg") and c.pos in _NOUNS:
            return c
        if c.dep == "prep" and c.lower == "of":
            for g in children(sent, c.i):
                if g.dep == "pobj":
                    return g
    return None


def _noun_below(sent: Sentence, last: int, anchor: int) -> Token | None:
    """The noun right after a figure (adjectives skipped) that the parser hung below it ("1.250
    postes", "2350 nouveaux emplois" with the figure read as the noun's head), or None."""
    nxt = next((t for t in sent.tokens[last + 1:] if t.pos != "ADJ"), None)
    return nxt if nxt is not None and nxt.pos == "NOUN" and nxt.head == anchor else None


def _subtree(sent: Sentence, roots: Iterable[int]) -> frozenset[int]:
    """The tokens at `roots` and every token below them."""
    below = sent.dependents
    out: set[int] = set()
    todo = list(roots)
    while todo:
        i = todo.pop()
        if i not in out:
            out.add(i)
            todo.extend(t.i for t in below.get(i, ()))
    return frozenset(out)


def _qualifier_words(res: Resources, lang: str) -> frozenset[str]:
    """Words of the qualifier lists: a figure whose "noun" is one stands for an elided noun
    ("dont 18 étrangers", "57 others", "25 nouveaux")."""
    def build(r: Resources) -> frozenset[str]:
        q = r.metrics.qualifiers
        words = {w.lower() for name in ("foreign", "french", "created", "maintained") if name in q
                 for w in q[name].get(lang) + q[name].get("en")}
        extra = {w.lower() for w in r.frames.elided_nouns.get(lang) + r.frames.elided_nouns.get("en")}
        return frozenset(words | extra)
    return res.memo(f"frames:elided:{lang}", build)


def _counted(sent: Sentence, span: list[int], anchor: int, res: Resources,
             timed: frozenset[int] = frozenset()) -> tuple[int | None, frozenset[int]]:
    """The counted noun of the figure at `anchor` (its tokens: `span`), and the figure's own tokens.

    `timed` holds the tokens of the sentence's time expressions: a complement among them, or a
    noun of duration, dates the figure and is not what it counts ("70 dès cette année", "1 800
    un an plus tôt"); a duration the figure itself quantifies still is ("sous trois ans")."""
    toks = sent.tokens
    lang = sent.lang
    quantity = _words(res, lang, "quantity_nouns")
    duration = _words(res, lang, "duration_nouns")
    part_markers = _words(res, lang, "part_markers")
    a = toks[anchor]
    own = set(span) | {anchor}

    def dating(c: Token | None) -> bool:
        return c is not None and (c.i in timed or _is(c, duration)) and not (
            c.i == a.head and a.dep in ("nummod", "nummod:gov", "det"))

    if (a.pos in _NOUNS and _is(a, quantity)) or len(span) > 1:  # "38 per cent of the jobs"
        for i in span:
            if (c := _complement(sent, i)) is not None and c.i not in own and not dating(c) and c.pos != "PRON":
                own.add(c.i)
                return c.i, frozenset(own)
    cand: Token | None = None
    if a.pos in _NOUNS and (_is(a, quantity) or a.dep not in ("nummod", "det")):
        cand = a  # "une soixantaine", "%", or a figure the tagger read as a noun
    elif a.head != anchor:
        cand = toks[a.head]
        if cand.pos not in _NOUNS and cand.lower not in quantity:
            cand = None
    if cand is not None and cand.i != anchor and cand.pos in _NOUNS and a.dep not in ("nummod", "det", "quantmod", "nmod", "compound", "amod", "nummod:gov"):
        cand = None  # the figure is an argument of that noun, not its count
    for _ in range(2):  # "42 % des projets", "une soixantaine de sociétés"
        if cand is not None and _is(cand, quantity):
            own.add(cand.i)
            cand = _complement(sent, cand.i)
    if cand is not None and (cand.i in own or cand.pos == "PRON" or _is(cand, part_markers)):
        cand = None  # "dont 412", "19 of them": the noun is another figure's
    if cand is None and (c := _complement(sent, anchor)) is not None and c.pos != "PRON":
        cand = c  # "dix-neuf de ces implantations", "19 of them"
    if cand is None and a.pos not in ("NOUN", "PROPN"):
        # A noun right after the figure that the parser hung below it (a figure tagged as a
        # numeral or an adjective, "1.250 postes" read as the figure's dependent): still the counted noun.
        cand = _noun_below(sent, max(span), anchor)
    if dating(cand) or (cand is not None and _is(cand, part_markers)):
        cand = None  # a date, or the relative "dont" read as a noun
    if cand is not None:
        own.add(cand.i)
    return (cand.i if cand is not None else None), frozenset(own)


def _chain(sent: Sentence, start: int, *, through_conj: bool = False, through_clauses: bool = False) -> tuple[int, ...]:
    """The words from `start` up to the root of its clause.

    The chain stops above a word that starts another clause (`_CLAUSE_EDGES`, a coordinated
    verb unless `through_conj`) and before a head that lies after a colon: "1 940 emplois en
    2016 : l'agence vise 2 200" states two things. A head before the colon is followed: "son
    ambition : boucler 75 projets" is one statement.
    """
    toks = sent.tokens
    colons = [t.i for t in toks if t.text in (":", "—")]
    out = [start]
    cur = start
    while True:
        t = toks[cur]
        if t.head == cur or (not through_clauses and t.dep in _CLAUSE_EDGES - (
                {"parataxis"} if _colon_between(colons, t.head, cur) else set())):
            break
        if t.dep == "conj" and t.pos in _VERBS and not through_conj and (
                any(c.dep in ("obj", "dobj") for c in children(sent, t.head))
                or any(c.dep in _SUBJECTS for c in children(sent, cur))):
            # "vise 80 projets et a accompagné 77", "they plan 90 jobs and 40 more were kept": two
            # statements; "created or safeguarded 90 jobs": one
            break
        if t.head > cur and _colon_between(colons, cur, t.head):
            break
        cur = t.head
        if cur in out:
            break
        out.append(cur)
    return tuple(out)


def _breaks(sent: Sentence) -> list[int]:
    """Colons and dashes: what follows one ("... safeguarded - 1,814 positions in all", "—",
    "–") does not modify what precedes it. A hyphen counts only standing alone between spaces."""
    toks = sent.tokens
    return [t.i for t in toks if t.text in (":", "\u2014", "\u2013") or (
        t.text == "-" and 0 < t.i < len(toks) - 1 and toks[t.i - 1].end < t.start and t.end < toks[t.i + 1].start)]


def _colon_between(colons: list[int], a: int, b: int) -> bool:
    return any(a < c < b for c in colons)


def _attachment(sent: Sentence, i: int, chain: tuple[int, ...], mine: frozenset[int],
                others: frozenset[int], colons: list[int]) -> int | None:
    """Where the word at `i` meets `chain` (its index on it), or None when the path from `i` up
    the tree meets `others` first (another figure's words, or the words that govern another
    figure below the point where it joins this one), or never meets the chain. `colons`: the
    sentence's `_breaks`."""
    position = {t: k for k, t in enumerate(chain)}
    for p in _path_up(sent, i):
        if p in position:
            return position[p]
        if p in others and p not in mine:
            return None
        t = sent.tokens[p]
        if t.head in position and ((t.dep == "conj" and t.pos in _VERBS) or t.dep == "parataxis"):
            return None  # a coordinated clause has its own modifiers ("..., et l'exercice en cours s'annonce")
        if t.head < p and _colon_between(colons, t.head, p) and not (mine and _colon_between(colons, t.head, min(mine))):
            return None  # what follows a colon does not modify what precedes it (unless the figure follows it too)
    return None


def _blocking(sent: Sentence, k: int, chain: tuple[int, ...], territories: list[frozenset[int]],
              anchors: list[int | None], substantive: list[bool]) -> frozenset[int]:
    """What keeps a word from belonging to figure `k`: the other figures' own words, and the words
    on their way up to `chain` ("90 sites, dont 47 % sont le fait de groupes étrangers":
    "étrangères" is in the clause of 54 %, not of 70)."""
    mine = set(chain) | territories[k]
    out: set[int] = set()
    for j, a in enumerate(anchors):
        if j == k or a is None:
            continue
        out |= territories[j]
        if not substantive[j]:
            continue  # "since it opened its doors 15 years ago": a time expression governs no clause
        for p in _path_up(sent, a):
            if p in mine:
                break
            out.add(p)
            if sent.tokens[p].dep == "conj":
                break  # a conjunct is coordinated with its head, not governed by it
    return frozenset(out - mine)


def _listed(sent: Sentence, orgs: list[tuple[int, int, str, str]], start: int, res: Resources) -> bool:
    """The company mention at `start` closes or sits in a list of companies ("X (…), Y ou encore
    Z et W"): only list joiners (models/org_cues.yaml `list_joiners`, the lists of names read by
    the entities) and parentheses between them."""
    joiners = res.memo(f"frames:list-joiners:{sent.lang}", lambda r: tuple(sorted(
        j.lower() for j in r.org_cues.list_joiners.get(sent.lang) + r.org_cues.list_joiners.get("en") if j[:1].isalpha())))
    companies = sorted((a, b) for a, b, kind, _ in orgs if kind == "company")
    at = next((n for n, (a, _) in enumerate(companies) if a == start), None)
    if at is None or not joiners:
        return False
    rx = phrase_regex(joiners)

    def joined(left: tuple[int, int], right: tuple[int, int]) -> bool:
        gap = sent.text[left[1] - sent.start:right[0] - sent.start]
        gap = re.sub(r"\([^()]*\)", " ", gap)
        return not rx.sub(" ", gap).strip(" ,;/\n")

    return any(joined(companies[n], companies[n + 1]) for n in (at - 1, at) if 0 <= n < len(companies) - 1)


def _agent_qualifies(sent: Sentence, chain: tuple[int, ...], at: int) -> bool:
    """Whether what the agent of the verb at `chain[at]` is, the figure is: the figure is the
    passive subject ("N projects were led by foreign firms"), or the verb is a bare participle
    ("N projets portés par des groupes étrangers", "1 133 promis par ces sociétés"); not a figure
    in an adjunct of a passive clause ("was marked by a rise, with 55 % of ...")."""
    verb = sent.tokens[chain[at]]
    if at > 0 and sent.tokens[chain[at - 1]].dep in ("nsubj:pass", "nsubjpass"):
        return True
    return verb.feature("VerbForm") == "Part" and not any(
        c.dep in ("aux", "aux:pass", "auxpass", "aux:tense") for c in children(sent, verb.i))


def _through_agent(sent: Sentence, i: int, verb: int) -> bool:
    """Whether the word at `i` reaches `verb` through its agent ("projects led by foreign firms",
    "des projets portés par des groupes étrangers"): what the agent is, the passive subject is."""
    path = _path_up(sent, i)
    at = path.index(verb) if verb in path else 0
    if at == 0:
        return False
    below = path[at - 1]
    t = sent.tokens[below]
    return t.dep in ("agent", "obl:agent") or (t.dep in ("obl", "obl:mod") and any(
        c.dep == "case" and c.lower == "par" for c in children(sent, below)) and any(
        c.dep in ("aux:pass", "nsubj:pass") for c in children(sent, verb)))


def _blocked_by(sent: Sentence, i: int, mine: frozenset[int], theirs: frozenset[int]) -> bool:
    """Whether the path from the word at `i` up the tree meets `theirs` before `mine`."""
    for p in _path_up(sent, i):
        if p in mine:
            return False
        if p in theirs:
            return True
    return False


def _compared_at(sent: Sentence, chain: tuple[int, ...], markers: frozenset[str]) -> int | None:
    """Where a comparison marker governs the chain below its verb ("contre 75", "against 75")."""
    # The first verb that is not itself a marker ("compared with 97": a participle).
    verb_at = next((k for k, i in enumerate(chain) if sent.tokens[i].pos in _VERBS and not _is(sent.tokens[i], markers)), None)
    pairs = _marker_pairs(markers)
    for pos, i in enumerate(chain[: verb_at if verb_at is not None else len(chain)]):
        t = sent.tokens[i]
        if (t.dep in _CASES and _is(t, markers)) or any(c.dep in _CASES and _is(c, markers) for c in children(sent, i)):
            return pos
        if pairs and (sent.tokens[t.head].lower, t.lower) in pairs:
            return pos  # "up from 60": "from" under "up"
    return None


@functools.lru_cache(maxsize=16)
def _marker_pairs(markers: frozenset[str]) -> frozenset[tuple[str, str]]:
    """The two words of each two-word marker ("up from"), as (head word, word below it)."""
    return frozenset((a, b) for a, b in (m.split() for m in markers if " " in m))


def _is_compared(sent: Sentence, chain: tuple[int, ...], markers: frozenset[str]) -> bool:
    return _compared_at(sent, chain, markers) is not None


def _first_verb(sent: Sentence, chain: tuple[int, ...]) -> int | None:
    for k, i in enumerate(chain):
        if sent.tokens[i].pos in _VERBS:
            return k
    return None


def _tense(sent: Sentence, verb: int | None) -> tuple[str | None, bool]:
    """Tense or mood of the figure's verb, read on its auxiliaries and, for an infinitive, on
    the verb it completes ("nous devrions accueillir 85 projets": conditional)."""
    if verb is None:
        return None, False
    v = sent.tokens[verb]
    while v.feature("VerbForm") == "Inf" and v.dep == "xcomp" and v.head != v.i:
        v = sent.tokens[v.head]
    group = [v, *(c for c in children(sent, v.i) if c.dep.startswith("aux") or c.tag == "MD")]
    negated = any(c.feature("Polarity") == "Neg" or c.dep == "neg" for c in children(sent, v.i))
    for t in group:
        if t.feature("Mood") == "Cnd" or t.lower in ("would", "could", "should", "might"):
            return "conditional", negated
        if t.feature("Tense") == "Fut" or t.lower in ("will", "shall", "'ll"):
            return "future", negated
    for t in group:
        if t.feature("Tense") == "Past" or t.tag in ("VBD", "VBN"):
            return "past", negated
    return "present", negated


def _subject_class(sent: Sentence, verb: int | None, territory: frozenset[int], res: Resources,
                   orgs: list[tuple[int, int, str, str]]) -> str | None:
    """Who does what the figure counts: the subject of the figure's verb (not the figure itself).

    `orgs` holds the organization mentions of the sentence as (start, end, kind, name).
    """
    if verb is None:
        return None
    kids = children(sent, verb)
    # The agent of a passive verb does what it says ("1 200 emplois promis par ces groupes").
    agents = [g for c in kids if c.dep in ("obl:agent", "agent") for g in ([c] if c.pos in _NOUNS else
              [g for g in children(sent, c.i) if g.dep == "pobj"])]
    for c in [*agents, *kids]:
        if (c.dep not in _SUBJECTS and c not in agents) or c.i in territory:
            continue
        for a, b, kind, _ in orgs:
            if a <= c.start < b or (c.pos == "PROPN" and any(a <= t.start < b for t in children(sent, c.i))):
                # "X, Y et Z ont choisi ..., avec 600 emplois": several companies, the year's projects
                return "projects" if kind == "company" and _listed(sent, orgs, a, res) else kind
        if c.pos == "PRON" and sent.tokens[verb].dep in ("acl:relcl", "relcl") and sent.tokens[verb].head != verb:
            c = sent.tokens[sent.tokens[verb].head]  # "l'agence, qui emploie ...": the antecedent
            for a, b, kind, _ in orgs:
                if a <= c.start < b:
                    return kind
        if c.pos == "PRON" and c.lower in _words(res, sent.lang, "project_pronouns"):
            return "projects"  # "they plan 40 jobs": the companies just counted
        if _is(c, _words(res, sent.lang, "agency_words")):
            return "agency"
        if _head_class(res, c) == "projects":
            # "cette entreprise créera 40 emplois": one company's figures, not the year's tally
            return "company" if _one(sent, c) else "projects"
        if _is(c, _words(res, sent.lang, "fraction_nouns")) and (q := _complement(sent, c.i)) is not None \
                and _head_class(res, q) == "projects":
            return "part"  # "la moitié des projets comptent plus de dix emplois": a size class
        return "other"
    # "aims to attract": the subject of the verb that governs this one.
    head = sent.tokens[verb]
    if head.dep == "xcomp" and head.head != verb:
        return _subject_class(sent, head.head, territory, res, orgs)
    return None


def _one(sent: Sentence, c: Token) -> bool:
    """Whether a noun names one thing: singular, with a definite or demonstrative determiner
    ("l'entreprise", "cette société", "the company") and no figure of its own."""
    kids = children(sent, c.i)
    if c.pos != "NOUN" or any(k.dep in ("nummod", "nummod:gov") for k in kids):
        return False
    if c.tag in ("NNS", "NNPS") or c.feature("Number") == "Plur":
        return False
    return any(k.dep == "det" and (k.feature("Definite") == "Def" or k.feature("PronType") == "Dem"
                                   or k.lower in ("the", "this", "that")) and k.feature("Number") != "Plur" for k in kids)


def _actor(sent: Sentence, verb: int | None, territory: frozenset[int],
           orgs: list[tuple[int, int, str, str]]) -> str | None:
    """The agency that does what the figure counts, when the parse names it: the subject or the
    agent of the figure's verb ("l'agence X a accompagné ...", "... accompagnés par l'agence X",
    "X helped ..."), or of the verb that verb completes."""
    seen: set[int] = set()
    while verb is not None and verb not in seen:
        seen.add(verb)
        for c in children(sent, verb):
            if c.i in territory:
                continue
            if c.dep in _SUBJECTS or c.dep in ("obl:agent", "agent"):
                words = [c, *children(sent, c.i)]
                if c.dep == "agent":  # English: "by" -> its object
                    words += [g for w in children(sent, c.i) for g in children(sent, w.i)]
                for a, b, kind, name in orgs:
                    if kind == "agency" and any(a <= w.start < b for w in words):
                        return name
        head = sent.tokens[verb]
        verb = head.head if head.dep == "xcomp" and head.head != verb else None
    return None


def _class_index(res: Resources, lang: str) -> dict[str, frozenset[str]]:
    """Word (folded) -> the predicate classes (frames.yaml) whose list for `lang` holds it."""
    def build(r: Resources) -> dict[str, frozenset[str]]:
        index: dict[str, set[str]] = {}
        for name in r.frames.predicates:
            for w in _words(r, lang, name):
                index.setdefault(w, set()).add(name)
        return {w: frozenset(names) for w, names in index.items()}
    return res.memo(f"frames:class-index:{lang}", build)


def _classes(sent: Sentence, idxs: Iterable[int], res: Resources, with_arguments: bool) -> set[str]:
    """Predicate classes of the words at `idxs` (and of the nouns completing them)."""
    out: set[str] = set()
    index = _class_index(res, sent.lang)
    for i in idxs:
        words = [sent.tokens[i]]
        if with_arguments:
            words += [c for c in children(sent, i) if c.dep in _ARGUMENTS and c.pos == "NOUN"]
        for t in words:
            out.update(index.get(t.lower, ()), index.get(t.lemma.lower(), ()))
    return out


def _qualifier_lists(res: Resources, lang: str) -> tuple[list[str], list[str], PhraseLists]:
    """The qualifier classes (metrics.yaml qualifiers, budget; cues.yaml target) for `lang`, in
    order, the classes some phrases cancel where they match, and the phrase lists of both (the
    classes', then the cancelling ones'), scanned together."""
    def build(r: Resources) -> tuple[list[str], list[str], PhraseLists]:
        q = r.metrics.qualifiers
        classes = dict(q)
        classes["budget"] = r.metrics.budget
        classes["target"] = r.cues.target
        cancelling = {"target": r.cues.not_target, "foreign": q.get("exogenous", PerLang())}
        lists = [tuple(words.get(lang) + words.get("en")) for words in [*classes.values(), *cancelling.values()]]
        return list(classes), list(cancelling), PhraseLists(lists)
    return res.memo(f"frames:qualifier-lists:{lang}", build)


def _qualifier_hits(sent: Sentence, res: Resources, orgs: list[tuple[int, int, str, str]]) -> list[tuple[str, int]]:
    """(qualifier class, token index) for every qualifier phrase of the sentence (metrics.yaml),
    and "target" for the target cues of models/cues.yaml; none inside an organization's name
    ("Team Atlantique Invest" names no team)."""
    classes, cancelling, lists = _qualifier_lists(res, sent.lang)
    found = lists.matches(sent.text, sent.words)
    hits: list[tuple[str, int]] = []
    neutral = {name: [m.span() for m in matches] for name, matches in zip(cancelling, found[len(classes):])}
    for name, matches in zip(classes, found):
        for m in matches:
            if any(a <= m.start() < b for a, b in neutral.get(name, ())):
                # "expected to create", "à créer": jobs announced, not a goal; "étrangères à la
                # région": from outside the territory, not from abroad
                continue
            toks = _tokens_in(sent, m.start(), m.end())
            if toks and not any(a <= sent.start + m.start() < b for a, b, _, _ in orgs):
                # Every word of the phrase: "will create or maintain 90 jobs" meets the figure's
                # chain at "maintain", below "create".
                hits.extend((name, t) for t in toks)
    return hits


def _after_causal(sent: Sentence, figure_start: int, res: Resources) -> bool:
    """The figure opens a causal adjunct: "thanks to 1,298 projects", "grâce à 85 projets" (at most
    two words, an article or "more than", between the marker and the figure)."""
    rx = _words_regex(res, sent.lang, "causal_markers")
    window = sent.text[max(0, figure_start - 60):figure_start]
    return any(len(window[m.end():].split()) <= 2 for m in rx.finditer(window)) if rx is not None else False


def _words_regex(res: Resources, lang: str, name: str) -> re.Pattern[str] | None:
    """The phrase regex of a frames.yaml list (`_words`, sorted), None for an empty list; built once."""
    key = ("frames:words-regex", name, lang)
    try:
        return res.derived[key]  # type: ignore[no-any-return]
    except KeyError:
        markers = tuple(sorted(_words(res, lang, name)))
        rx = res.derived[key] = phrase_regex(markers) if markers else None
        return rx


def _complement_of(sent: Sentence, i: int, noun: int) -> bool:
    """The word at `i` is a complement of `noun` ("projects [from 31 countries]", "entreprises
    [de la chimie]"): what a relative clause on it says, it says of the noun."""
    path = _path_up(sent, i)
    return noun in path[1:4] and all(sent.tokens[p].dep in ("prep", "pobj", "nmod") for p in path[:path.index(noun)])


def _from_countries(sent: Sentence, noun: int, countries: frozenset[str]) -> bool:
    """The counted noun comes from a number of countries ("projects from 31 countries", "des
    projets venus de 20 pays"): its origin is abroad."""
    near = [c for c in children(sent, noun)]
    near += [g for c in near if c.dep in ("prep", "acl", "amod") or c.pos in _VERBS for g in children(sent, c.i)]
    near += [g for c in near if c.dep == "prep" for g in children(sent, c.i) if g.dep == "pobj"]
    after = noun + 1  # a preposition right after the noun, hung higher by the parser
    if after < len(sent.tokens) and sent.tokens[after].pos == "ADP" and sent.tokens[after].head != noun:
        near += [g for g in children(sent, after)]
    return any(_is(g, countries) and any(k.pos == "NUM" or k.dep == "nummod" for k in children(sent, g.i))
               for g in near)


def _part_naming(res: Resources) -> frozenset[str]:
    """The qualifiers that say which part of a whole a figure counts (the `none_of` of the
    frames.yaml rows for parts)."""
    return res.memo("frames:part-naming", lambda r: frozenset(
        q for row in r.frames.metrics if row.part for q in (row.none_of or ())))


def _ranks(sent: Sentence, res: Resources) -> bool:
    """The sentence ranks something ("the most", "sa meilleure année"): a "since it was founded"
    phrase there is the range of the ranking."""
    rx = _words_regex(res, sent.lang, "superlative_markers")
    return rx is not None and rx.search(sent.text) is not None


def read_frames(sent: Sentence, numbers: list[NumberMatch], periods: list[PeriodMention], res: Resources,
                orgs: list[tuple[int, int, str, str]] | None = None,
                antecedent: tuple[str, frozenset[str], bool] | None = None) -> list[Frame | None]:
    """One frame per figure of `numbers` (None for a figure no token covers); see the module doc.

    `periods` are the sentence's time expressions; `orgs` its organization mentions as (start,
    end, kind, name) in document offsets (see `org_kinds`); `antecedent` the last counted noun of
    the sentence before, as (noun class, its noun-scope qualifiers, headcount): what a clitic
    with nothing to stand for in its own sentence stands for."""
    if not sent.tokens:
        return [None] * len(numbers)
    orgs = orgs or []
    lang, lex = sent.lang, res.frames
    spans = [_tokens_in(sent, n.start, n.end) for n in numbers]
    anchors = [_head_of(sent, sp) for sp in spans]
    timed = frozenset(i for p in periods for i in _tokens_in(sent, p.start, p.end))
    counted = [_counted(sent, sp, a, res, timed) if a is not None else (None, frozenset()) for sp, a in zip(spans, anchors)]
    territories = [own for _, own in counted]
    hits = _qualifier_hits(sent, res, orgs)
    breaks = _breaks(sent)
    duration, duration_markers = _words(res, lang, "duration_nouns"), _words(res, lang, "duration_markers")
    trailing = _words(res, lang, "trailing_words")
    markers = _words(res, lang, "comparison_markers")
    origin_words = _words(res, lang, "origin_words")
    origins = [t.i for t in sent.tokens if t.text.lower() in origin_words or t.lemma.lower() in origin_words]  # "since"
    headcount = _words(res, lang, "headcount_nouns")
    elided = _qualifier_words(res, lang)
    direct = set(lex.direct_predicates)
    period_heads = [(p, _fronted(sent, _tokens_in(sent, p.start, p.end))) for p in periods]
    substantive = [anchor is not None and not _is_time(sent, noun, periods, duration)
                   for anchor, (noun, _) in zip(anchors, counted)]
    compared = {j for j, a in enumerate(anchors) if a is not None and _is_compared(sent, _chain(sent, a), markers)}
    partitive = _words(res, lang, "partitive_markers")
    clitics = _words(res, lang, "partitive_pronouns")
    adjuncts = _words(res, lang, "adjunct_markers")
    of_these = partitive | _words(res, lang, "partitive_case")
    # The marker opens the whole's phrase ("sur 30 décisions", "of the 87 projects"), not the
    # complement of a quantity noun inside it ("une soixantaine de dossiers").
    wholes = {j for j, a in enumerate(anchors) if a is not None and numbers[j].unit != "EUR" and spans[j] and any(
        _is(c, partitive) and c.i < min(spans[j]) for i in territories[j] for c in children(sent, i) if c.dep in _CASES)}
    announced = _colon_targets(sent, hits, anchors)
    part_rx = res.lang_regex(lang, lex.part_markers)
    introduced = {j for j, n in enumerate(numbers) if any(
        m.end() >= len(sent.text[: n.start].rstrip()) - 0 for m in part_rx.finditer(sent.text, max(0, n.start - 25), n.start)
        if not sent.text[m.end():n.start].strip())}
    frames: list[Frame | None] = []
    # the figures each figure is part of: a whole of the same kind in its clause, or the figure a
    # part marker follows ("77 projets, dont 35 ...")
    whole_of = [[j for j in wholes - {k} if _whole_of(counted, j, k, anchors, sent, res)]
                + ([k - 1] if k in introduced and k > 0 else []) for k in range(len(numbers))]
    for k, (num, anchor) in enumerate(zip(numbers, anchors)):
        if anchor is None:
            frames.append(None)
            continue
        noun, own = counted[k]
        chain = _chain(sent, anchor)
        # Through a coordination: "Since 1998 it has helped 1,200 projects and created 30,000 jobs".
        outer = _chain(sent, anchor, through_conj=True, through_clauses=True)
        others = _blocking(sent, k, outer, territories, anchors, substantive)
        # Where the chain enters another figure's words ("1 310 emplois créés et 186 sauvegardés":
        # 244 hangs below "emplois"): what is attached there is that figure's.
        theirs = frozenset(i for j, t in enumerate(territories) if j != k for i in t) - own
        shared_from = next((pos for pos, i in enumerate(chain) if i in theirs), len(chain))
        verb_at = _first_verb(sent, chain)
        verb = chain[verb_at] if verb_at is not None else None
        compared_at = _compared_at(sent, chain, markers)
        governing = chain if compared_at is None else chain[: compared_at + 1]
        predicates = _classes(sent, governing, res, with_arguments=True) - direct
        # Met, hired, negotiated: only when the figure's noun is the verb's own dependent.
        is_direct = verb_at is not None and all(
            i in own or (sent.tokens[i].pos == "NOUN" and sent.tokens[i].dep in ("obj", "dobj")) for i in chain[:verb_at])
        if is_direct and verb is not None:
            predicates |= _classes(sent, [verb], res, with_arguments=False) & direct
        predicates |= {"target"} if any(name == "target" and (at := _attachment(sent, i, governing, own, others, breaks)) is not None
                                         for name, i in hits) else set()
        if k in announced:
            predicates.add("target")  # "85 projets et 1 700 emplois : voilà l'objectif"
        if verb_at is not None and any(_is(t, adjuncts) for i in chain[1:verb_at] for t in (
                sent.tokens[i], *(c for c in children(sent, i) if c.dep in _CASES))):
            predicates.add("amount")  # "remained attractive with 90 projects": the measure of the result
        # (not the verb of another figure hung on this one's noun: "64 projets ..., dont 800 promis")
        own_words = [*own, *(c.i for i in own for c in children(sent, i)
                             if c.dep in ("amod", "acl", "acl:relcl", "relcl", "advmod") and c.i not in others)]
        own_target = k in announced or "target" in _classes(sent, own_words, res, with_arguments=False) or any(
            name == "target" and i in own_words for name, i in hits)
        noun_class = _head_class(res, sent.tokens[noun]) if noun is not None else None
        is_elided = noun is not None and noun_class is None and _is(sent.tokens[noun], elided)
        qualifiers: set[str] = set()
        nearest: dict[str, int] = {}  # qualifier class -> where it meets the chain, closest
        # Words inside the subject of the figure's verb describe the subject, not the figure
        # ("nos experts sectoriels ont rencontré 300 entreprises"), unless the verb states an
        # amount of its subject ("le budget s'élève à 2 M€").
        subject_tree = frozenset() if verb is None else _subtree(
            sent, (c.i for c in children(sent, verb) if c.dep in _SUBJECTS and c.i not in own))
        subject_words = frozenset() if verb is None or "amount" in _classes(sent, [verb], res, False) else subject_tree
        for name, i in hits:
            if name == "target" or i in subject_words:
                continue
            at = _attachment(sent, i, outer, own, others, breaks)
            if at is None:
                continue
            if name in NOUN_SCOPE and (at >= min(len(chain), shared_from) or (verb_at is not None and at > verb_at)):
                continue
            if name in NOUN_SCOPE and verb_at is not None and at == verb_at and i != chain[at] and not (
                    sent.tokens[i].head == chain[at] and sent.tokens[i].pos in ("VERB", "ADV", "ADJ", "AUX", "PART", "ADP")) \
                    and not (_agent_qualifies(sent, chain, at) and _through_agent(sent, i, chain[at])):
                continue  # on the verb's other dependents ("a sharp rise ..., with 61 %"): not the figure's
            if name in lex.direct_qualifiers and not (verb_at is None or at < verb_at or (at == verb_at and is_direct)):
                continue
            qualifiers.add(name)
            nearest[name] = min(at, nearest.get(name, at))
        if verb is not None and lex.scope_inherited and _after_causal(sent, num.start, res):
            # "a national increase ... thanks to 1,298 projects": the cause has its effect's scope
            effect_heads = [c.i for c in children(sent, verb) if c.dep in ("obj", "dobj") and c.i not in own]
            # "hailed growth of 9 %, driven by N": the object the participle's clause hangs from
            effect_heads += [i for i in chain[(verb_at or 0) + 1:] if sent.tokens[i].dep in ("obj", "dobj")][:1]
            effect = _subtree(sent, effect_heads)
            qualifiers |= {name for name, i in hits if name in lex.scope_inherited and i in effect}
        for a, b in _CLOSER_WINS:
            if a in nearest and b in nearest:
                qualifiers.discard(a if nearest[b] <= nearest[a] else b)
        if num.unit == "percent" and "foreign" not in qualifiers and any(
                name == "foreign" and i in subject_tree for name, i in hits):
            qualifiers.add("foreign")  # "les groupes étrangers en représentent 40 %": their share
        if noun is not None and predicates & _RESULTS and _from_countries(sent, noun, _words(res, lang, "country_count_nouns")):
            # "96 projects from 31 countries", "des projets venus de 20 pays" (as a result: not
            # "4 000 exposants venus de 70 pays présenteront leurs machines")
            qualifiers.add("foreign")
        if noun is not None and any(c.dep == "amod" and c.lower in res.country_by_word for c in children(sent, noun)):
            qualifiers.add("nationality")  # "12 Japanese companies", "cinq entreprises allemandes": a breakdown
        if num.text[:1] in "+-\u2212":
            qualifiers.add("change")  # "+8 %", "-3 %": a change, whatever it is attached to
        # Running totals: "depuis 1998", "since it was founded", "en vingt ans" attached to the figure.
        for i in origins:
            if i not in own and _attachment(sent, i, outer, own, others, breaks) is not None:
                qualifiers.add("cumulative")
        for j, (other_noun, other_own) in enumerate(counted):
            if j == k or other_noun is None or not _is(sent.tokens[other_noun], duration):
                continue
            h = sent.tokens[other_noun].head
            # "en vingt ans" (the marker hangs on the noun), "over ten years" (the noun on the marker)
            marked = any(_is(c, duration_markers) for c in children(sent, other_noun) if c.dep in _CASES) or (
                h != other_noun and sent.tokens[h].dep == "prep" and _is(sent.tokens[h], duration_markers))
            years = float(numbers[j].value) * (10 if "décenni" in sent.tokens[other_noun].lower or "decade" in sent.tokens[other_noun].lower else 1)
            if not marked or h == other_noun or _attachment(sent, h, outer, own, others - other_own, breaks) is None:
                continue
            if years >= 2 and any(_is(c, trailing) for c in children(sent, other_noun)):
                qualifiers.add("span")  # "over the past five years", "ces cinq dernières années": no year's figure
            elif years >= lex.duration_min_years:
                qualifiers.add("cumulative")
        if "cumulative" in qualifiers and _ranks(sent, res):
            # "its best year since it was founded, with 95 projects", "the best for eight years"
            qualifiers.discard("cumulative")
        attached: list[tuple[int, int, PeriodMention]] = []
        foreign: list[PeriodMention] = []
        for p, ph in period_heads:
            if ph is None:
                continue
            at = _attachment(sent, ph, outer, own, others, breaks)
            if at is not None:
                attached.append((at, abs(p.start - num.start), p))
            elif any(_blocked_by(sent, ph, own, territories[j]) for j in compared if j != k):
                foreign.append(p)  # "contre 58 en 2015": the year of the compared figure
        tense, negated = _tense(sent, verb)
        pronominal = noun is None and verb is not None and any(
            c.pos == "PRON" and _is(c, clitics) for c in children(sent, verb))
        frames.append(Frame(
            number=num, anchor=anchor, noun=None if is_elided else noun, noun_class=noun_class,
            chain=chain, predicates=frozenset(predicates), own_target=own_target,
            qualifiers=frozenset(qualifiers), in_sentence=frozenset(name for name, _ in hits),
            subject=_subject_class(sent, verb, own, res, orgs), actor=_actor(sent, verb, own, orgs), verb=verb,
            tense=tense, negated=negated,
            compared=compared_at is not None, elided=is_elided, pronominal=pronominal, announced=k in announced,
            part=bool(whole_of[k]) or _of_these(sent, noun, anchor, of_these),
            headcount=noun is not None and _is(sent.tokens[noun], headcount),
            periods=tuple(p for _, _, p in sorted(attached, key=lambda x: (x[0], x[1]))),
            foreign_periods=tuple(foreign), territory=own))
    for k, f in enumerate(frames):
        whole = whole_of[k]
        if f is not None and f.part and whole and f.number.unit == "count":
            # What the whole also is does not say which part this is ("la majorité des projets
            # étrangers, avec 60 projets sur 95": both are foreign; 60 is a breakdown).
            shared = frozenset().union(*(frames[j].qualifiers for j in whole
                                         if frames[j] is not None and frames[j].number.unit == "count"))
            frames[k] = replace(f, qualifiers=f.qualifiers - (shared & _part_naming(res)))
    return _foreign_sources(_inherit(frames, sent, substantive, antecedent), sent, territories)


def _foreign_sources(frames: list[Frame | None], sent: Sentence, territories: list[frozenset[int]]) -> list[Frame | None]:
    """Jobs brought by foreign projects are foreign jobs: a jobs figure whose verb has for subject
    (or, in a relative or participial clause, for antecedent) the noun of a figure of foreign
    projects ("27 international projects, representing 610 jobs", "22 entreprises étrangères ...
    avec 730 embauches") takes its "foreign" qualifier."""
    out = list(frames)
    for k, f in enumerate(frames):
        if f is None or f.noun_class != "jobs" or "foreign" in f.qualifiers:
            continue
        sources: set[int] = set()
        detached = False  # the clause opens after a comma that closes a parenthetical part
        for i in f.chain:
            t = sent.tokens[i]
            if t.pos in _VERBS:
                sources |= {c.i for c in children(sent, i) if c.dep in _SUBJECTS}
                if t.dep in ("acl", "acl:relcl", "relcl", "advcl") and t.head != i:
                    sources.add(t.head)
                    first = min(_subtree(sent, [i]))
                    detached = detached or (first > 0 and sent.tokens[first - 1].text == ",")
                    if t.dep == "advcl" and not any(c.dep in _SUBJECTS for c in children(sent, i)):
                        # "supported 39 foreign projects, representing 900 jobs": the participle's
                        # understood subject is the object of the verb it hangs on
                        sources |= {c.i for c in children(sent, t.head) if c.dep in ("obj", "dobj")}
        for j, g in enumerate(frames):
            if g is not None and g.part and detached:
                continue  # "31 projects, including 19 foreign ones, that will bring 544 jobs": the whole's jobs
            if j != k and g is not None and g.noun_class == "projects" and "foreign" in g.qualifiers \
                    and (sources & (territories[j] | ({g.noun} if g.noun is not None else set()))
                         or (g.noun is not None and any(_complement_of(sent, i, g.noun) for i in sources))):
                out[k] = replace(f, qualifiers=f.qualifiers | {"foreign"})
                break
    return out


def _of_these(sent: Sentence, noun: int | None, anchor: int, markers: frozenset[str]) -> bool:
    """Whether the figure counts part of a set named before: its noun is its complement through
    a partitive preposition, with a demonstrative ("31 of these projects", "douze de ces
    entreprises"): a breakdown of an earlier figure, not a total of its own."""
    if noun is None or noun == anchor:
        return False
    kids = children(sent, noun)
    head = sent.tokens[sent.tokens[noun].head]
    if head.i == anchor:
        marked = any(c.dep in _CASES and _is(c, markers) for c in kids)  # "douze [de] ces entreprises"
    else:
        marked = head.head == anchor and _is(head, markers)  # "31 [of] these projects": the preposition heads
    return marked and any(c.dep == "det" and c.feature("PronType") == "Dem" for c in kids)


def _whole_of(counted: list[tuple[int | None, frozenset[int]]], j: int, k: int, anchors: list[int | None],
              sent: Sentence, res: Resources) -> bool:
    """Whether figure `j` can be the whole figure `k` is part of: the same kind of thing, in the
    same clause ("sur 30 décisions, 17 ..."; not across a semicolon: "les 80 visées ne seront pas
    atteintes ; on table sur une soixantaine")."""
    a, b = sorted((anchors[j] or 0, anchors[k] or 0))
    return _same_kind(counted, j, k, sent, res) and not any(t.text == ";" for t in sent.tokens[a:b])


def _same_kind(counted: list[tuple[int | None, frozenset[int]]], j: int, k: int, sent: Sentence, res: Resources) -> bool:
    """Whether figure `j` can be the whole figure `k` is part of: the same counted noun class,
    or `k` names none ("sur 40 décisions, 23 ..." but not "48 entreprises sur 12 communes")."""
    nj, nk = counted[j][0], counted[k][0]
    if nk is None:
        return True
    return nj is not None and _head_class(res, sent.tokens[nj]) == _head_class(res, sent.tokens[nk]) is not None


def counted_years(sent: Sentence, years: list[NumberMatch], res: Resources) -> list[NumberMatch]:
    """Four-digit figures the parse shows to be counts, not years ("2350 nouveaux emplois",
    "more than 1900 jobs"): the figure modifies a counted noun (models/metrics.yaml heads)."""
    out = []
    for y in years:
        idx = _tokens_in(sent, y.start, y.end)
        if len(idx) != 1:
            continue
        t = sent.tokens[idx[0]]
        head = sent.tokens[t.head]
        nxt = _noun_below(sent, t.i, t.i)
        below = nxt is not None and _head_class(res, nxt)
        if (t.dep in ("nummod", "det", "nummod:gov", "amod") and head.i > t.i and _head_class(res, head)) or below:
            # "2350 nouveaux emplois", also when the parser hung the noun below the figure
            out.append(NumberMatch(y.start, y.end, y.text, y.value, "count", y.approx, "number", y.words))
    return out


def _is_time(sent: Sentence, noun: int | None, periods: list[PeriodMention], duration: frozenset[str]) -> bool:
    """Whether a figure's noun makes it a time expression ("20 years ago", "en vingt ans")."""
    if noun is None:
        return False
    tok = sent.tokens[noun]
    return _is(tok, duration) or any(p.start <= tok.start - sent.start < p.end for p in periods)


def _colon_targets(sent: Sentence, hits: list[tuple[str, int]], anchors: list[int | None]) -> set[int]:
    """Figures announced as a goal after a colon: "85 projets et 1 700 emplois : voilà l'objectif",
    "95 projects: that is the goal" -- a target cue after the colon, no figure between them."""
    colons = [t.i for t in sent.tokens if t.text == ":"]
    out: set[int] = set()
    for c in colons:
        after = [i for name, i in hits if name == "target" and i > c]
        if not after:
            continue
        nxt = min(after)
        following = min([d for d in colons if d > c], default=len(sent.tokens))
        if any(a is not None and c < a < following for a in anchors):
            continue  # "... : the agency now aims for 90": the cue governs its own figure
        before = max([d for d in colons if d < c], default=-1)
        out |= {j for j, a in enumerate(anchors) if a is not None and before < a < c}
    return out


def _inherit(frames: list[Frame | None], sent: Sentence, substantive: list[bool],
             antecedent: tuple[str, frozenset[str], bool] | None = None) -> list[Frame | None]:
    """A figure with no counted noun of its own takes the class of the nearest figure before it
    that has one, when it is compared with it ("52 projets en 2016, contre 47 en 2015"), stands
    for its noun ("57 others", "dont 18 étrangers", "n'en prévoyait que 50"), is coordinated with
    it ("63 projects in 2013 and 75 in 2014") or is the goal it is measured against ("1 200 emplois,
    pour un objectif de 1 000"). Time expressions ("three years") are skipped: they count nothing."""
    out = list(frames)
    for k, f in enumerate(frames):
        if f is None or f.noun is not None or f.number.unit != "count":
            continue
        goal = f.own_target or "target" in f.predicates
        if not (f.compared or f.elided or f.part or f.pronominal or goal
                or sent.tokens[f.anchor].dep in ("conj", "appos")):
            continue
        before = [g for j in range(k - 1, -1, -1) if (g := out[j]) is not None and substantive[j]]
        if f.compared or f.part:  # the figure it is compared with, or part of: the one just before
            near = before[:1]
        else:
            near = [g for g in before if g.noun_class and (not g.inherited or g.pronominal)]
        if near and near[0].noun_class:
            g = near[0]
            out[k] = replace(f, noun_class=g.noun_class, inherited=True, headcount=g.headcount,
                             qualifiers=f.qualifiers | (g.qualifiers & NOUN_SCOPE if f.compared or g.pronominal else frozenset()))
        elif f.pronominal and not before and antecedent is not None:
            # "... 191 projets étrangers. En 2020, elle en comptait 160": the clitic stands for the
            # noun counted last in the sentence before, with what it says of that noun
            noun_class, scope, headcount = antecedent
            out[k] = replace(f, noun_class=noun_class, inherited=True, headcount=headcount,
                             qualifiers=f.qualifiers | scope)
    return out


def decide_metric(frame: Frame, res: Resources) -> str | None:
    """The metric a frame counts, from the first row of frames.yaml `metrics` that holds."""
    unit = frame.number.unit if frame.number.unit in ("count", "EUR", "percent") else "count"
    noun = frame.noun_class or ("none" if frame.noun is None else "other")
    for row, sets in _metric_rows(res, unit, noun):
        if row.any and frame.qualifiers.isdisjoint(sets.any):
            continue  # (the first test of most rows, made here without a call)
        if _metric_row_holds(row, sets, frame, unit, noun):
            return row.metric
    return None


@dataclass(frozen=True)
class _RowSets:
    """The word lists of a metric row as sets, built once per Resources."""
    any: frozenset[str]
    none_of: frozenset[str]
    in_sentence: frozenset[str]
    none_in_sentence: frozenset[str]
    none_of_predicates: frozenset[str]
    all_of: frozenset[str]


def _metric_rows(res: Resources, unit: str | None = None, noun: str | None = None) -> list[tuple[MetricRow, _RowSets]]:
    """The rows of frames.yaml `metrics` in order, with their word sets; given a unit and a noun
    class, only the rows that allow both (built once for each pair)."""
    rows: list[tuple[MetricRow, _RowSets]] = res.memo("frames:metric-rows", lambda r: [(row, _RowSets(
        frozenset(row.any), frozenset(row.none_of), frozenset(row.in_sentence), frozenset(row.none_in_sentence),
        frozenset(row.none_of_predicates), frozenset(row.all_of))) for row in r.frames.metrics])
    if unit is None or noun is None:
        return rows
    key = ("frames:metric-rows", unit, noun)
    try:
        return res.derived[key]  # type: ignore[no-any-return]
    except KeyError:
        kept = res.derived[key] = [(row, sets) for row, sets in rows
                                   if not (row.unit and row.unit != unit) and not (row.noun and row.noun != noun)]
        return kept


def _metric_row_holds(row: MetricRow, sets: _RowSets, f: Frame, unit: str, noun: str) -> bool:
    if row.unit and row.unit != unit:
        return False
    if row.noun and row.noun != noun:
        return False
    if row.predicate and row.predicate not in f.predicates:
        return False
    if row.any and not f.qualifiers & sets.any:
        return False
    if row.none_of and f.qualifiers & sets.none_of:
        return False
    if row.in_sentence and not f.in_sentence & sets.in_sentence:
        return False
    if row.none_in_sentence and f.in_sentence & sets.none_in_sentence:
        return False
    if row.none_of_predicates and f.predicates & sets.none_of_predicates:
        return False
    if row.all_of and not sets.all_of <= f.qualifiers:
        return False
    if row.not_subject and row.not_subject == f.subject:
        return False
    if row.has_verb is not None and row.has_verb != (f.verb is not None):
        return False
    if row.part is not None and row.part != f.part:
        return False
    if row.not_predicate and row.not_predicate in f.predicates:
        return False
    if row.vague is not None and row.vague != (f.number.words and f.number.approx):
        return False
    if row.headcount is not None and row.headcount != f.headcount:
        return False
    if row.subject and row.subject != f.subject:
        return False
    if row.dated is not None and row.dated != bool(f.periods):
        return False
    if row.max_value is not None and float(f.number.value) > row.max_value:
        return False
    return row.min_value is None or float(f.number.value) >= row.min_value


def decide_status(frame: Frame, res: Resources) -> str:
    """Actual or target, from the first row of frames.yaml `statuses` that holds."""
    for row in res.frames.statuses:
        if _status_row_holds(row, frame):
            return row.status
    return "actual"


def _status_row_holds(row: StatusRow, f: Frame) -> bool:
    if row.unit and row.unit != (f.number.unit if f.number.unit in ("count", "EUR", "percent") else "count"):
        return False
    if row.predicate and row.predicate not in f.predicates:
        return False
    if row.own is not None and row.own != f.own_target:
        return False
    if row.announced is not None and row.announced != f.announced:
        return False
    if row.subject and row.subject != f.subject:
        return False
    if row.tense and row.tense != f.tense:
        return False
    return row.compared is None or row.compared == f.compared


def org_kinds(sent: Sentence, mentions: Iterable[tuple[int, int, str]], subject: str | None,
              res: Resources) -> list[tuple[int, int, str, str]]:
    """Organization mentions of a sentence as (start, end, kind, name), kind "agency" (the
    document's subject, an agency of the gazetteer, or a name in apposition to the word
    "agence"/"agency": "l'agence X"), "company" or "other"."""
    agency_words = _words(res, sent.lang, "agency_words")
    out = []
    for start, end, name in mentions:
        entry = res.org_by_name.get(name)
        toks = [t for t in sent.tokens if start <= t.start < end]
        named = any(sent.tokens[t.head].lower in agency_words and sent.tokens[t.head].pos == "NOUN"
                    and not start <= sent.tokens[t.head].start < end for t in toks)
        agency = name == subject or (entry is not None and entry.kind == "agency") or (entry is None and named)
        kind = "agency" if agency else "company" if entry is None or entry.kind == "company" else "other"
        out.append((start, end, kind, name))
    return out



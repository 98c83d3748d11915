"""Organizations and people: clean the model's spans, fix their types, give each a canonical name.

Reads: Analysis.sentences[*].ents. Writes: Document.entities, and returns the `Mentions` index
(every kept span with its canonical name) that the fact extractors use.

The French model labels many organizations LOC or PER and cuts names at apostrophes; the English
one glues articles and possessives on. The rules here are general: the gazetteer ruler (nlp.py)
settles names the domain knows; head/tail words, legal forms and acronyms retype the rest; junk
(share buttons, titles, fragments) is dropped; "Long Name (ACR)" and initials link acronyms;
a surname alone resolves to the full name seen earlier in the document.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from pipeline.normalize.dates import is_month
from pipeline.nlp import ORG_LABELS, OTHER_LABELS, PERSON_LABELS, PLACE_LABELS, WEAK_PREFIX, Analysis, Sentence, Span, Token
from pipeline.records import Entity
from pipeline.resources import PhraseGate, PhraseStarts, Resources, fold, grouped_alternation

_ARTICLE = re.compile(r"^(?:the|The|le|Le|la|La|les|Les|l'|L'|d'|D'|du|Du|des|Des|de|De|M\.|Mme|Mlle|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Me)\s*(?=\S)")
_TRAIL = re.compile(r"(?:'s|')$|[\s,.;:!?()\"'-]+$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,6}$")
_DEFINITION = re.compile(r"([A-ZÀ-Ý][^()]{3,120}?)\s*\(([A-Z][A-Za-z0-9&]{1,8}(?:\s+[A-ZÀ-Ý][\w'-]+){0,3})\)")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    type: str  # ORG | PERSON | PLACE
    name: str  # canonical
    surface: str


@dataclass
class Mentions:
    """Every kept entity span of a document, in text order, with its canonical name."""

    items: list[Mention]
    subject: str | None = None  # the document's focal agency (set by choose_subject)
    agencies: frozenset[str] = frozenset()  # names introduced as an agency ("l'agence X", "the X agency")

    def within(self, start: int, end: int, type_: str | None = None) -> list[Mention]:
        return [m for m in self.items if m.start >= start and m.end <= end and (type_ is None or m.type == type_)]


_EDGE = re.compile(r"[\w-]")  # what may not touch a whole name


def whole_word_spans(text: str, name: str) -> list[tuple[int, int]]:
    r"""The spans of re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text): `name` where no
    word character or hyphen touches it, left to right, none inside the one before; found with
    str.find (a pattern opening with a lookbehind is tried at every position of the text)."""
    if not name:
        return [m.span() for m in re.finditer(r"(?<![\w-])(?![\w-])", text)]
    out = []
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        if (at == 0 or _EDGE.match(text, at - 1) is None) and _EDGE.match(text, end) is None:
            out.append((at, end))
            at = text.find(name, end)
        else:
            at = text.find(name, at + 1)
    return out


def clean_surface(text: str) -> str:
    """Strip articles, possessives, line breaks and edge punctuation from a span's text."""
    text = text.split("\n")[0].strip()
    prev = None
    while prev != text:
        prev = text
        text = _ARTICLE.sub("", text).strip()
        text = _TRAIL.sub("", text).strip()
    return text


def _cue_words(res: Resources) -> dict[str, frozenset[str]]:
    """The word lists of models/org_cues.yaml that are compared lower-cased, lower-cased once."""
    cues = res.org_cues
    return {
        "heads": frozenset(w.lower() for w in cues.org_head_words.all()),
        "tails": frozenset(w.lower() for w in cues.org_tail_words),
        "not_names": frozenset(n.lower() for n in cues.not_names),
        "junk": frozenset(w.lower() for w in cues.junk_words),
        "sectors": frozenset(w.lower() for w in cues.sector_words.all()),
    }


def is_acronym(text: str, res: Resources) -> bool:
    return bool(_ACRONYM.match(text)) and text not in res.org_cues.acronym_stoplist


def looks_like_org(text: str, lang: str, res: Resources) -> bool:
    """General cues: a head word ("Agence", "Groupe"), a legal form or tail word, an acronym."""
    words = text.split()
    if not words:
        return False
    cue_words = res.memo("org_cue_words", _cue_words)
    if words[0].lower() in cue_words["heads"] and len(words) > 1:
        return True
    if len(words) > 1 and words[-1].lower() in cue_words["tails"]:
        return True
    return is_acronym(text, res)


_YEAR_END = re.compile(r"\s+\d{4}$")
_JUNK_WORDS = re.compile(r"[\w-]+")
_SECTOR_SPLIT = re.compile(r"[\s,/&]+")


_JUNK_ANSWERS = 8192  # the answers of is_junk kept (per Resources), for the names an archive repeats


def is_junk(text: str, res: Resources) -> bool:
    """A span that names nothing: a share button, a title, a month, a sector, a cut fragment...
    (models/org_cues.yaml). A function of the text and the data only: its answer is kept."""
    answers = res.memo("entities:junk-answers",
                       lambda r: functools.lru_cache(maxsize=_JUNK_ANSWERS)(functools.partial(_is_junk, res=r)))
    return answers(text)  # type: ignore[no-any-return]


def _is_junk(text: str, res: Resources) -> bool:
    low = text.lower()
    if len(text) < 2 or not text[0].isupper() and not text[0].isdigit():
        return True
    cue_words = res.memo("org_cue_words", _cue_words)
    if low in cue_words["not_names"] or _YEAR_END.sub("", low) in cue_words["not_names"]:
        return True  # "Mardi", "Député", "Conseil d'administration 2021"
    if " " not in text and is_month(text, "fr"):
        return True
    junk = cue_words["junk"]
    if any(w in junk for w in _JUNK_WORDS.findall(low)):
        return True
    if _sector(low, cue_words["sectors"]):
        return True  # "Maritime/Logistique", "Green Industry": a sector, no name
    letters = sum(c.isalpha() for c in text)
    words = text.split()
    if words[-1].lower() in _DANGLING or (len(words) > 1 and all(w.isupper() and len(w) > 3 for w in words)):
        return True  # "Agence de développement économique des" (cut), "INWARD INVESTMENT" (kicker)
    if len(words) == 1 and low in cue_words["tails"] and not text.isupper():
        return True  # a legal form or name-ending word alone ("Invest", "Holding") names nothing
    return letters < 2 or len(words) > 8 or text in res.org_cues.acronym_stoplist


def _sector(low: str, sectors: frozenset[str]) -> bool:
    """A lowercased span made only of sector words (models/org_cues.yaml `sector_words`), joined by
    "et", "and", "de", "of", "&", hyphens, slashes or commas ("health-well-being": "health" and
    "well-being")."""
    words = [w for w in _SECTOR_SPLIT.split(low) if w and w not in _SECTOR_JOINS]
    return bool(words) and all(_sector_word(w.split("-"), sectors) for w in words)


def _sector_word(parts: list[str], sectors: frozenset[str]) -> bool:
    """Hyphen-joined `parts` covered by sector words, each one or more consecutive parts."""
    covered = [True] + [False] * len(parts)
    for end in range(1, len(parts) + 1):
        covered[end] = any(covered[i] and "-".join(parts[i:end]) in sectors for i in range(end))
    return covered[-1]


_SECTOR_JOINS = {"et", "and", "de", "du", "des", "of", "the", "la", "le", "l'"}


_DANGLING = {"de", "des", "du", "d'", "la", "le", "les", "l'", "l", "d", "of", "the", "and", "et", "for", "pour", "à", "a",
             "en", "in", "&"}


def _typed(span: Span, text: str, lang: str, res: Resources, doc_text: str) -> str | None:
    """Our type for a model span: ORG, PERSON, PLACE or None (dropped)."""
    if span.kb_id:
        return "ORG"
    known = res.org_by_key.get(fold(text))
    if known:
        return "ORG"
    if span.label in ORG_LABELS:
        if fold(text) in res.territory_keys:
            return "PLACE"
        return "PERSON" if _person_by_surname(text, doc_text, lang, res) else "ORG"
    if span.label in PERSON_LABELS:
        if fold(text) in res.territory_keys:
            return "PLACE"  # "Saint-Martin de Crau" read as a person's name
        if looks_like_org(text, lang, res) or _company_like_name(text, res):
            return "ORG"
        return "PERSON" if _is_person_name(text) else None
    if span.label in PLACE_LABELS:
        return "ORG" if looks_like_org(text, lang, res) and not is_acronym(text, res) else "PLACE"
    if span.label in OTHER_LABELS:
        return "ORG" if looks_like_org(text, lang, res) else None
    return None


def _given_name(word: str, res: Resources) -> bool:
    """A given name the lexicon knows, whole or by its first part ("Jean-Luc" by "jean")."""
    first = word.lower()
    return first in res.first_names or first.split("-")[0] in res.first_names


def _person_by_surname(text: str, doc_text: str, lang: str, res: Resources) -> bool:
    """An "ORG" of two or three capitalized words starting with a given name is a person."""
    parts = text.split()
    if not 2 <= len(parts) <= 3 or looks_like_org(text, lang, res) or not _is_person_name(text):
        return False
    return _given_name(parts[0], res)


def _company_like_name(text: str, res: Resources) -> bool:
    """A "person" with no known given name that is camel-cased ("SuperSonic Imagine") or has
    three or more words ("Quechen Silicon Chemical") is a company."""
    parts = text.split()
    if len(parts) < 2:
        return False
    if _given_name(parts[0], res):
        return False
    camel = any(re.search(r"[a-z][A-Z]", p) for p in parts)
    return camel or len(parts) >= 3


def _headline_only(span: Span, surface: str, text: str) -> bool:
    """A model span in the headline (the text's first line) that the body never repeats:
    title case fools the model ("New Board, New Ambitions ...")."""
    first_line_end = text.find("\n")
    return (not span.kb_id and 0 <= span.start < (first_line_end if first_line_end >= 0 else len(text))
            and text.count(surface) == 1)


def _is_person_name(text: str) -> bool:
    parts = text.split()
    return 1 <= len(parts) <= 4 and all(p[0].isupper() or p in {"de", "du", "van", "von", "da", "di", "le", "la"} for p in parts)


def _region_ok(entry_name: str, text: str, res: Resources) -> bool:
    entry = res.org_by_name.get(entry_name)
    return bool(entry) and any(r in text for r in entry.region)


def _lines(span: Span) -> list[Span]:
    """A model span across a line break holds one name per line (a headline's "Agence X" and the
    next paragraph's "Vetrox Ltd"): each line is read on its own, with the span's label."""
    if "\n" not in span.text or span.kb_id:
        return [span]
    out, pos = [], 0
    for line in span.text.split("\n"):
        body = line.strip()
        if body:
            at = span.start + pos + len(line) - len(line.lstrip())
            out.append(Span(at, at + len(body), body, span.label))
        pos += len(line) + 1
    return out


def _lone_verb(span: Span, sent: Sentence) -> bool:
    """A one-word span the parser reads as a verb ("Investir", "Relocate" heading a section) names
    nothing."""
    toks = [t for t in sent.tokens if span.start <= t.start < span.end]
    return len(toks) == 1 and toks[0].pos == "VERB" and toks[0].feature("VerbForm") in ("Inf", "")


def _after_title(span: Span, surface: str, res: Resources) -> tuple[Span, str]:
    """A model span that opens with a role title is the organization after it ("Directeur de la
    Banque de France" -> "Banque de France", "CEO of Vetrox" -> "Vetrox"); a title with nothing
    after it is left for `is_junk` ("Président de l'")."""
    m = res.memo("title_lead", _title_lead_regex).match(surface)
    if not m or not surface[m.end():][:1].isupper():
        return span, surface
    rest = surface[m.end():]
    at = span.text.find(rest)
    if at < 0:
        return span, surface
    return Span(span.start + at, span.start + at + len(rest), rest, span.label), rest


def _title_lead_regex(res: Resources) -> re.Pattern[str]:
    titles = sorted({t for title in res.roles.titles for t in title.fr + title.en}, key=len, reverse=True)
    return re.compile(r"(?i:" + "|".join(re.escape(t) for t in titles) + r")\s+(?i:de|du|des|of|at)\s+"
                      r"(?i:la\s+|le\s+|les\s+|l'|the\s+)?")


def collect(analysis: Analysis, text: str, lang: str, res: Resources) -> Mentions:
    """Every usable entity span of the document, typed and canonicalized."""
    raw: list[tuple[Span, str, str]] = []
    for sent in analysis.sentences:
        for span in (piece for ent in sent.ents for piece in _lines(ent)):
            surface = clean_surface(span.text)
            if span.kb_id.startswith(WEAK_PREFIX):
                name = span.kb_id[len(WEAK_PREFIX):]
                if _region_ok(name, text, res):
                    raw.append((Span(span.start, span.end, surface, "ORG", name), "ORG", surface))
                continue
            if span.kb_id:  # a gazetteer name, whatever its case in the text
                raw.append((span, "ORG", surface))
                continue
            span, surface = _after_title(span, surface, res)
            if is_junk(surface, res) or _headline_only(span, surface, text) or _lone_verb(span, sent):
                continue
            type_ = _typed(span, surface, sent.lang, res, text)
            if type_:
                raw.append((span, type_, surface))
    acronyms = _acronym_definitions(text, res)
    raw = [r for r in raw if not _term_acronym(r[0], r[2], text, res)]
    found = _canonicalize(raw, acronyms, res)
    cued = _patterned_orgs(text, found, res)
    cued += _cued_companies(analysis, found + cued, res)
    # A cue beats the model's place reading ("le groupe chinois Quechen" is no town), its
    # over-long spans ("groupe de santé allemand Fresenius") and its fragments ("Katoen" of
    # "Katoen Natie").
    found = [m for m in found if not any(
        c.start < m.end and m.start < c.end and (m.type == "PLACE" or m.surface[:1].islower() or _unnamed_person(m, res)
                                                 or (c.start <= m.start and m.end <= c.end and c.end - c.start > m.end - m.start))
        for c in cued)]
    found = _whole_institution_names(_listed_orgs(analysis, _titled_orgs(found + cued, text, res), text, res), text, res)
    found, agencies = _agency_appositions(analysis, found, text, res)
    found = _grown_to_longer_names(_without_nationality(found, text, res), text)
    found = _joined_acronyms(found, text, res) + _english_names_in_french(analysis, found, res)
    named = _named_people(text, found, res)
    found = [m for m in found if not any(p.start <= m.start and m.end <= p.end for p in named)]
    mentions = link_renames(_add_surnames(found + named, text), text)
    return Mentions(_link_partial_names(_link_short_forms(mentions, acronyms), res), agencies=agencies)


def _term_acronym(span: Span, surface: str, text: str, res: Resources) -> bool:
    """An acronym in parentheses after lowercase words whose initials spell it is a term's short
    form, no organization: "silice à haute dispersion (HDS)", "foreign direct investment (FDI)"."""
    if not is_acronym(surface, res) or text[span.start - 1:span.start] != "(":
        return False
    words = re.findall(r"[\w'-]+", text[max(0, span.start - 80):span.start - 1])[-6:]
    if not words or any(w[:1].isupper() for w in words[-2:]):
        return False
    initials = {w[0].lower() for w in words if w[:1].islower()}
    return all(c.lower() in initials for c in surface if c.isalpha())


def _without_nationality(found: list[Mention], text: str, res: Resources) -> list[Mention]:
    """An organization named with its nationality word outside the name ("Chinese Quechen Silicon
    Chemical", "l'allemand Vetrox") is the name without it, when the document also names it
    without the word, or when the word is no country's name and two or more words follow that do
    not open an institution's name ("the Korean Hanseo Steel Works"; but "China International
    Logistics", "British Airways", "the German Chamber of Commerce" stay whole)."""
    heads = res.memo("org_cue_words", _cue_words)["heads"]
    out = []
    for m in found:
        first, _sp, rest = m.surface.partition(" ")
        if (m.type == "ORG" and rest and rest[:1].isupper() and first.lower() in res.country_by_word
                and res.org_by_key.get(fold(m.surface)) is None
                and (_nationality_before(first, rest, heads, res)
                     or any(k != m.start + len(first) + 1 for k in _occurrences(text, rest)))):
            start = m.start + len(first) + 1
            entry = res.org_by_key.get(fold(rest))
            m = Mention(start, start + len(rest), "ORG", entry.name if entry else rest, rest)
        out.append(m)
    return out


def _joined_acronyms(found: list[Mention], text: str, res: Resources) -> list[Mention]:
    """An acronym the model tagged right after another acronym it left out is one name with it
    ("Vetrox Lab de KLM TRX": "KLM TRX"), unless that acronym is a stoplisted or function word or
    the line is all capitals (a kicker: "COMMUNIQUE DE PRESSE")."""
    taken = [(m.start, m.end) for m in found]
    out = []
    for m in found:
        before = re.search(r"(?<![\w-])([A-Z][A-Z0-9&]{1,6}) $", text[max(0, m.start - 9):m.start])
        line = text[text.rfind("\n", 0, m.start) + 1:(text.find("\n", m.end) + 1 or len(text) + 1) - 1]
        if m.type == "ORG" and is_acronym(m.surface, res) and before and is_acronym(before.group(1), res) \
                and before.group(1).lower() not in _DANGLING and any(c.islower() for c in line) \
                and not any(a < m.start and m.start - len(before.group(0)) < b for a, b in taken):
            start = m.start - len(before.group(0))
            name = text[start:m.end]
            entry = res.org_by_key.get(fold(name))
            m = Mention(start, m.end, "ORG", entry.name if entry else name, name)
        out.append(m)
    return out


def _english_names_in_french(analysis: Analysis, found: list[Mention], res: Resources) -> list[Mention]:
    """In a French sentence, an English "The" inside the sentence with capitalized words after it
    is a name the model left untagged ("le projet The Harbour", "le soutien de The Forge")."""
    connectors = frozenset(res.org_cues.name_connectors)
    out = []
    for sent in analysis.sentences:
        if sent.lang != "fr":
            continue
        for t in sent.tokens:
            if t.text != "The" or t.i == 0 or t.i + 1 >= len(sent.tokens) or not _name_token(sent.tokens[t.i + 1]):
                continue
            run = _name_run(sent.tokens, t.i + 1, 1, connectors)
            start, end = t.start, run[-1].end
            if any(m.start < end and start < m.end for m in found + out):
                continue
            name = sent.text[start - sent.start:end - sent.start]
            if not is_junk(clean_surface(name), res):
                out.append(Mention(start, end, "ORG", name, name))
    return out


def _nationality_before(first: str, rest: str, heads: frozenset[str], res: Resources) -> bool:
    """`first` is a foreign nationality adjective before a name of two or more words that is no
    institution ("French National Assembly": the home country's word belongs to the name)."""
    country = res.country_by_word[first.lower()]
    words = rest.split()
    return (country != "France" and first.lower() not in country.lower().split() and len(words) >= 2
            and words[0].lower() not in heads)


def _grown_to_longer_names(found: list[Mention], text: str) -> list[Mention]:
    """A name the model cut at its start ("Silicon Chemical" where the text reads "Quechen Silicon
    Chemical") is the longer name when the document names that one elsewhere and the missing words
    stand right before the cut span."""
    longer = sorted({m.surface for m in found if m.type == "ORG" and " " in m.surface}, key=len, reverse=True)
    out = []
    for m in found:
        if m.type == "ORG":
            for name in longer:
                prefix = name[:len(name) - len(m.surface)]
                if len(name) > len(m.surface) and name.endswith(" " + m.surface) \
                        and text[m.start - len(prefix):m.start] == prefix \
                        and not any(o is not m and o.start < m.start and m.start - len(prefix) < o.end for o in found):
                    whole = next(o for o in found if o.surface == name)
                    m = Mention(m.start - len(prefix), m.end, "ORG", whole.name, name)
                    break
        out.append(m)
    return out


def _occurrences(text: str, name: str) -> list[int]:
    """Where `name` stands as a whole name: no capitalized word right before or after it ("Airways"
    inside "Airways Club" is not the name "Airways")."""
    out = []
    for start, end in whole_word_spans(text, name):
        before = re.search(r"([\w'-]+)\s*$", text[max(0, start - 40):start])
        after = re.match(r"\s*([\w'-]+)", text[end:end + 40])
        if not (before and before.group(1)[:1].isupper() and text[start - 1:start] == " ") \
                and not (after and after.group(1)[:1].isupper() and text[end:end + 1] == " "):
            out.append(start)
    return out


# What may follow an institution's name inside it: "d'Azur", "de Bordeaux", "of Commerce", or a
# capitalized word ("Fondation Bordeaux Université"); then up to three capitalized words, with
# de / du / d' between them, on one line.
_NAME_TAIL = re.compile(r"(?:\s+(?:de|du|des|of)\s+(?:la\s+|l'|the\s+)?|\s*d'|[^\S\n]+)"
                        r"([A-ZÀ-Ý][\w'-]*(?:[^\S\n]+(?:(?:de|du|d')[^\S\n]*)?[A-ZÀ-Ý][\w'-]*){0,2})")


def _whole_institution_names(found: list[Mention], text: str, res: Resources) -> list[Mention]:
    """An institution's name the model cut before its complement is taken whole: "Métropole Nice
    Côte" + "d'Azur", "Club des Entreprises" + "de Bordeaux", "Greater Birmingham Chambers" + "of
    Commerce". Only names that open (or, in English, end) with an institution noun, never over a
    person or another organization, and never a gazetteer name."""
    heads = res.memo("org_cue_words", _cue_words)["heads"]
    out = []
    for m in found:
        words = m.surface.split()
        if m.type == "ORG" and words and res.org_by_key.get(fold(m.surface)) is None and (
                words[0].lower() in heads or words[-1].lower().rstrip("s") in heads):
            tail = _NAME_TAIL.match(text, m.end)
            if tail and not any(o is not m and o.type != "PLACE" and o.start < tail.end() and m.end <= o.start
                                for o in found):
                name = clean_surface(text[m.start:tail.end()])
                start = tail.end() - len(name)
                entry = res.org_by_key.get(fold(name))
                m = Mention(start, tail.end(), "ORG", entry.name if entry else name, name)
        out.append(m)
    grown = [(m.start, m.end) for m in out if m.type == "ORG"]
    # a place the model found inside a name taken whole is part of it ("de Bordeaux")
    return [m for m in out if m.type != "PLACE" or not any(a <= m.start and m.end <= b for a, b in grown)]


def _name_token(tok: Token) -> bool:
    """A word that can belong to a name: capitalized, or with a capital inside ("risingSUD")."""
    text = tok.text
    # (a lowercase word, most of them, has no capital: no need to look at each letter)
    return not text.islower() and text[:1].isalnum() and any(map(str.isupper, text))


def _name_run(toks: list[Token], i: int, step: int, connectors: frozenset[str]) -> list[Token]:
    """The name words from `toks[i]` on, in direction `step`: name words, and connectors
    between two of them ("Invest in Brest", "Maison de l'Emploi")."""
    run: list[Token] = []
    j = i
    while 0 <= j < len(toks):
        t = toks[j]
        if _name_token(t) and t.pos != "DET":  # "The Nova agency": the article is no part of the name
            run.append(t)
            j += step
            continue
        k = j
        while 0 <= k < len(toks) and toks[k].lower in connectors and len(run) > 0:
            k += step
        if k != j and 0 <= k < len(toks) and _name_token(toks[k]):
            run.extend(toks[x] for x in range(j, k, step))  # the connectors, not the name word at k
            j = k
            continue
        break
    return sorted(run, key=lambda t: t.i)[:8]


def _title_words(res: Resources) -> frozenset[str]:
    return frozenset(t.lower() for title in res.roles.titles for t in title.fr + title.en)


def _agency_appositions(analysis: Analysis, found: list[Mention], text: str,
                        res: Resources) -> tuple[list[Mention], frozenset[str]]:
    """Names in apposition to an agency noun (models/org_cues.yaml `agency_nouns`): "l'agence
    d'attractivité Nova Lyon", "the development agency Invest in Brest", "the Nova Lyon agency".

    At most four lowercase words (no verb, no punctuation) may stand between the noun and the
    name. Such a name is an organization, an agency, and its other occurrences in the text are
    mentions of it; a cue name that contains a model span replaces it (a cut name). Returns the
    mentions and the canonical names introduced as agencies."""
    connectors = frozenset(res.org_cues.name_connectors)
    cue_words = res.memo("org_cue_words", _cue_words)
    out = list(found)
    agencies: set[str] = set()
    surfaces: dict[str, str] = {}
    for sent in analysis.sentences:
        toks = sent.tokens
        nouns = res.memo(f"agency_nouns:{sent.lang}", lambda r: frozenset(w.lower() for w in r.org_cues.agency_nouns.get(sent.lang)))
        for t in toks:
            if t.text not in nouns:  # lowercase only: a capitalized "Agence" starts a name itself
                continue
            run: list[Token] = []
            # Words between the noun and the name: adjectives and complements ("d'attractivité",
            # "de développement économique"; in English only adjectives and nouns), never a
            # preposition right before the name ("l'agence de Nova Métropole" is its owner's).
            between = ("ADJ", "NOUN", "ADP", "DET") if sent.lang == "fr" else ("ADJ", "NOUN")
            j, gap = t.i + 1, 0
            while j < len(toks) and gap <= 4 and not _name_token(toks[j]) and toks[j].pos in between:
                j, gap = j + 1, gap + 1
            if j < len(toks) and gap <= 4 and _name_token(toks[j]) and toks[j - 1].pos not in ("ADP", "DET"):
                run = _name_run(toks, j, 1, connectors)
            # "Nova Lyon, l'agence d'attractivité ...", "Nova Lyon, the region's agency": the name before.
            comma = t.i - 1
            while comma >= 0 and toks[comma].pos in ("ADJ", "NOUN", "DET", "PART", "PRON") \
                    and not _name_token(toks[comma]) and t.i - comma <= 5:
                comma -= 1
            if not run and comma >= 1 and toks[comma].text == "," and toks[comma + 1].pos in ("DET", "PRON"):
                run = _name_run(toks, comma - 1, -1, connectors)
            if not run and sent.lang == "en":
                j, gap = t.i - 1, 0
                while j >= 0 and gap <= 3 and toks[j].pos in ("ADJ", "NOUN") and not _name_token(toks[j]):
                    j, gap = j - 1, gap + 1
                if j >= 0 and _name_token(toks[j]):
                    left = _name_run(toks, j, -1, connectors)
                    before = toks[left[0].i - 1] if left and left[0].i > 0 else None
                    if before is not None and (before.feature("Definite") == "Def" or before.feature("Poss") == "Yes"):
                        run = left  # "the X agency", "its X agency"
            if not run:
                continue
            start, end = run[0].start, run[-1].end
            name = text[start:end]
            first = name.split()[0].lower()
            if (name.lower() in cue_words["not_names"] or name in res.org_cues.acronym_stoplist
                    or name.lower() in res.memo("title_words", _title_words)
                    or fold(name) in res.territory_keys or name.lower() in res.country_by_word
                    or (first in res.first_names and len(name.split()) <= 3)
                    or any(m.type == "PERSON" and m.start < end and start < m.end for m in out)):
                continue
            inside = [m for m in out if m.type == "ORG" and m.start < end and start < m.end]
            if inside and all(start <= m.start and m.end <= end for m in inside) and any(
                    m.end - m.start < end - start for m in inside) and not any(
                    res.org_by_name.get(m.name) for m in inside):
                out = [m for m in out if m not in inside]  # a cut name: "Rhône-Alpes Entreprises"
                inside = []
            if inside:
                agencies.update(m.name for m in inside)
                continue
            entry = res.org_by_key.get(fold(name))
            canonical = entry.name if entry else name
            out.append(Mention(start, end, "ORG", canonical, name))
            agencies.add(canonical)
            surfaces[name] = canonical
    for surface, canonical in surfaces.items():  # its other occurrences
        for start, end in whole_word_spans(text, surface):
            if not any(x.start < end and start < x.end for x in out):
                out.append(Mention(start, end, "ORG", canonical, surface))
    return sorted(out, key=lambda x: (x.start, x.end)), frozenset(agencies)


def _link_short_forms(mentions: list[Mention], defs: dict[str, str]) -> list[Mention]:
    """A short form defined in parentheses (`defs`, short -> long) takes its long form's name,
    whichever mechanism found each of them: "Nantes Chamber of Commerce and Industry
    (CCI Nantes)"."""
    by_surface = {m.surface: m.name for m in mentions if m.type == "ORG"}
    rename = {by_surface[short]: by_surface[long] for short, long in defs.items()
              if short in by_surface and long in by_surface and by_surface[short] != by_surface[long]}
    return [Mention(m.start, m.end, m.type, rename.get(m.name, m.name), m.surface) for m in mentions]


def _link_partial_names(mentions: list[Mention], res: Resources) -> list[Mention]:
    """A part of a longer organization name of the same document is that organization: its head
    word alone ("la CCI", "la Métropole" when one CCI, one Métropole is named in full) or its tail
    ("Lyon Métropole Saint-Etienne" of "CCI Lyon Métropole Saint-Etienne"). Only when exactly one
    longer name fits, never for a name the gazetteer knows."""
    heads = {fold(h) for h in res.memo("org_cue_words", _cue_words)["heads"]}
    names = sorted({m.name for m in mentions if m.type == "ORG"})
    words = {n: tuple(fold(n).replace("-", " ").split()) for n in names}
    rename: dict[str, str] = {}
    for n in names:
        w = words[n]
        if not w or res.org_by_key.get(fold(n)) is not None:
            continue
        # the head alone ("CCI" of "CCI Nice"), or the name after a head ("Nice Côte" of "CCI Nice Côte"):
        # a company's first word is no head ("Vetrox" and "Vetrox Services" are two companies)
        fits = [other for other in names if other != n and len(words[other]) > len(w) and (
            (len(w) == 1 and w[0] in heads and words[other][0] == w[0])
            or (words[other][-len(w):] == w and all(x in heads for x in words[other][:-len(w)])))]
        if len(fits) == 1:
            rename[n] = fits[0]
    return [Mention(m.start, m.end, m.type, rename.get(m.name, m.name), m.surface) if m.type == "ORG" else m
            for m in mentions]


def _list_joiners(res: Resources) -> dict[str, frozenset[str]]:
    """The joiners of models/org_cues.yaml `list_joiners` as lowercase token tuples, per language."""
    return {lang: frozenset(tuple(j.lower().split()) for j in res.org_cues.list_joiners.get(lang)) for lang in ("fr", "en")}


def _parenthesis_end(toks: list[Token], i: int) -> int:
    """The index after a parenthesis opening at `toks[i]` (at most 30 tokens), else `i`."""
    if i < len(toks) and toks[i].text == "(":
        for j in range(i + 1, min(len(toks), i + 31)):
            if toks[j].text == ")":
                return j + 1
            if toks[j].text == "(":
                break
    return i


# What may open a list member before its name; not "de", "d'": "Commerce et d'Industrie" is one name.
_CAP_WORDS = r"[A-ZÀ-Ý][\w'-]*(?: [A-ZÀ-Ý][\w'-]*)?"  # one or two capitalized words
_COMPLEMENT = frozenset({"d'", "of", "for"})  # before a name that completes another one
_MEMBER_OPENERS = frozenset({"le", "la", "les", "l'", "du", "des", "the"})


def _member_start(t: Token) -> bool:
    """A word that may open a list member: capitalized, no article, preposition, pronoun or
    conjunction; the sentence's first word only when tagged as a name, noun or adjective (a
    capitalized word inside a sentence may be tagged a verb: "Mapper")."""
    if t.pos == "PUNCT" and sum(c.isalpha() for c in t.text) >= 2 and _name_token(t):
        return True  # a name with a symbol inside, tagged as punctuation ("Vetrox+Kall")
    if not _name_token(t) or t.pos in ("DET", "ADP", "PRON", "CCONJ", "SCONJ", "PUNCT", "AUX"):
        return False
    return t.i > 0 or t.pos in ("PROPN", "NOUN", "ADJ", "X")


def _name_lists(sent: Sentence, res: Resources) -> list[list[tuple[int, int]]]:
    """The lists of names of a sentence, each a list of (start, end) character spans: name runs
    joined by a comma, a slash or a conjunction (models/org_cues.yaml `list_joiners`), each run
    optionally followed by a parenthesis ("A (R&D), B et C", "A, B ou encore C", "A, B, C, D...").
    A list has two runs joined by a conjunction, or three or more runs. The words inside a
    parenthesis are read for lists of their own ("X (A et B)")."""
    toks = sent.tokens
    # Whether each token may open a member (a lowercase word or one opening with a symbol is no
    # name word, so never does): a list has two members or more, each opened by its own token.
    opens = [not (t.text.islower() or not t.text[:1].isalnum()) and _member_start(t) for t in toks]
    if sum(opens) < 2:
        return []
    connectors = frozenset(res.org_cues.name_connectors)
    joiners = res.memo("list_joiners", _list_joiners)[sent.lang if sent.lang in ("fr", "en") else "en"]
    joiner_words = frozenset(w for joiner in joiners for w in joiner)
    lists: list[list[tuple[int, int]]] = []
    pending = [(0, len(toks))]
    while pending:
        i, hi = pending.pop(0)
        current: list[tuple[int, int]] = []
        conjunction = False
        while i < hi:
            t = toks[i]
            if not opens[i]:
                i += 1
                continue
            run = [x for x in _name_run(toks, i, 1, connectors) if x.i < hi]
            if not current and i > 0 and toks[i - 1].lower in _COMPLEMENT:
                i = run[-1].i + 1  # "Chambre de commerce et d'Industrie de X et Y": a name's complement
                continue
            current.append((run[0].start, run[-1].end))
            j = _parenthesis_end(toks, run[-1].i + 1)
            if j > run[-1].i + 1:
                pending.append((run[-1].i + 2, j - 1))
            k = j
            while k < hi and toks[k].lower in joiner_words:
                k += 1
            words = tuple(toks[x].lower for x in range(j, k))
            rest = words[1:] if words[:1] == (",",) else words
            # a member may open with an article or "du" ("A, B, la Fondation C", "du A et du B")
            while k + 1 < hi and toks[k].pos in ("DET", "ADP") and toks[k].lower in _MEMBER_OPENERS \
                    and (toks[k + 1].lower in _MEMBER_OPENERS or opens[k + 1]):
                k += 1
            if words and (words in joiners or rest in joiners) and k < hi and opens[k]:
                conjunction = conjunction or any(w not in (",", "/") for w in words)
                i = k
                continue
            if len(current) >= 3 or (len(current) == 2 and conjunction):
                lists.append(current)
            current, conjunction = [], False
            i = max(k, run[-1].i + 1)
        if len(current) >= 3 or (len(current) == 2 and conjunction):
            lists.append(current)
    return lists


def _listed_orgs(analysis: Analysis, found: list[Mention], text: str, res: Resources) -> list[Mention]:
    """The members of a list of names that names organizations are organizations too: "Vetrox,
    Norlind et Kalvera", "A (R&D), B ou encore C", "A, B, C, D…". A member the model left untagged
    is added, unless it is a known place, a country, a title or starts with a given name; a member
    it read as a person without a known given name ("Tremolo Ceram"; everywhere in the document)
    or as a place no lexicon knows ("Vetrox France") is an organization. Only lists with more
    organizations (tagged, or untagged with a company word: "Orsane Technologies") than named
    people and known places are read so; a member followed by a title ("X, Président
    d'honneur") is a person."""
    out = list(found)
    retyped: set[str] = set()
    titles = res.memo("title_words", _title_words)
    for sent in analysis.sentences:
        for items in _name_lists(sent, res):
            kinds = []
            for a, b in items:
                over = [x for x in out if x.start < b and a < x.end]
                kinds.append(over[0] if len(over) == 1 else (None if not over else False))
            if len(items) > 1 and all(k and k is kinds[0] for k in kinds):
                continue  # one name's words ("Chamber of Commerce and Industry")
            open_ = [k is None or (k and (_unnamed_person(k, res) or k.type == "PLACE" and not _known_place(k.surface, res)
                                          and not (n == 0 and _after_preposition(sent, a))))
                     for n, (k, (a, _b)) in enumerate(zip(kinds, items))]
            orgs = sum(1 for k, o, (a, b) in zip(kinds, open_, items)
                       if k and k.type == "ORG" or o and looks_like_org(text[a:b], sent.lang, res))
            others = sum(1 for k in kinds if k and (k.type == "PERSON" and not _unnamed_person(k, res)
                                                     or k.type == "PLACE" and _known_place(k.surface, res)))
            if not orgs or orgs <= others:
                continue
            for (a, b), k, o in zip(items, kinds, open_):
                extra = text[k.end:b].strip() if k else ""
                if k and k.type == "ORG" and k.start == a and k.end < b and re.fullmatch(_CAP_WORDS, extra) \
                        and not _titled(text, b, titles) \
                        and res.org_by_key.get(fold(k.surface)) is None and not _known_place(extra, res) \
                        and not any(x.type == "PERSON" and extra.split()[0] in x.surface.split() for x in out):
                    # a name the model cut before its last words ("Vetrox" of "Vetrox Hydro"): the member
                    name = _sentence_stop(text[a:b])
                    out = [Mention(a, a + len(name), "ORG", name, name) if x is k else x for x in out]
                    continue
                if not o or _titled(text, b, titles):
                    continue
                if k and k.type == "PERSON":
                    retyped.add(k.name)
                    continue
                name = _sentence_stop(re.sub(r"\s+(?:de|du|des|&|of|in)$", "", text[a:b]))
                first = name.split()[0].lower() if name.split() else ""
                if is_junk(name, res) or _known_place(name, res) or first in res.first_names \
                        or first in titles or name.lower() in titles:
                    continue
                entry = res.org_by_key.get(fold(name))
                out = [x for x in out if x is not k]  # a place no lexicon knows ("Vetrox" of "Vetrox Technologies")
                out.append(Mention(a, a + len(name), "ORG", entry.name if entry else name, name))
    out = [Mention(m.start, m.end, "ORG", m.name, m.surface) if m.type == "PERSON" and m.name in retyped else m
           for m in out]
    return sorted(out, key=lambda x: (x.start, x.end))


def _after_preposition(sent: Sentence, start: int) -> bool:
    """Whether the word before `start` is a preposition: a list opening with "de Quimper, ..." opens
    with a place's complement, which stays a place."""
    before = [t for t in sent.tokens if t.end <= start]
    return bool(before) and before[-1].pos == "ADP"


def _known_place(name: str, res: Resources) -> bool:
    """A territory, a country or nationality word, or a foreign city of models/places.yaml."""
    return fold(name) in res.territory_keys or name.lower() in res.country_by_word


def _titled(text: str, end: int, titles: frozenset[str]) -> bool:
    """A name followed by a comma and a role title ("X, Président de Y", "X, CEO"): a person."""
    m = re.match(r",\s*([\w-]+(?:\s+[\w-]+)?)", text[end:end + 40])
    return bool(m) and (m.group(1).lower() in titles or m.group(1).split()[0].lower() in titles)


def _titles(res: Resources) -> list[str]:
    return sorted({t for title in res.roles.titles for t in title.fr + title.en}, key=len, reverse=True)


def _titled_org_regexes(res: Resources) -> tuple[re.Pattern[str], re.Pattern[str]]:
    titles = _titles(res)
    alt = grouped_alternation(titles)
    # A title's first letter looked at first (one set, case ignored): most positions open no title.
    firsts = "".join(sorted({re.escape(t[0]) for t in titles}))
    before = re.compile(rf"{_NAME}'s\s+(?:\w+\s+)?(?i:{alt})(?![\w-])")
    after = re.compile(rf"(?=(?i:[{firsts}]))(?<![\w-])(?i:{alt})\s+(?:(?:of|at|de|du|chez)\s+(?:the\s+|la\s+|le\s+|l')?|d'){_NAME}")
    return before, after


def _titled_orgs(found: list[Mention], text: str, res: Resources) -> list[Mention]:
    """Names in an organization's slot of a title: "Fin-Track's CEO", "CEO of Corning Gosselin".
    A model "person" there without a known given name becomes an organization; an unlabelled
    capitalized name there is added."""
    before, after = res.memo("titled_orgs", _titled_org_regexes)
    # "CEO of X" opens with a title: tried where one starts
    starts = res.memo("titled_orgs_starts", lambda r: PhraseStarts(_titles(r)))
    out = list(found)
    # (a text with no "'s" has no "X's CEO")
    for matches in (before.finditer(text) if "'s" in text else (), starts.finditer(after, text)):
        for m in matches:
            name = _sentence_stop(re.sub(r"\s+(?:de|du|des|&)$", "", m.group(1)))
            start = m.start(1)
            end = start + len(name)
            overlapping = [x for x in out if x.start < end and start < x.end]
            if any(x.type == "ORG" for x in overlapping) or res.org_by_key.get(fold(name)) or is_junk(name, res):
                continue
            if any(x.type == "PERSON" and _given_name(name.split()[0], res)
                   for x in overlapping) or fold(name) in res.territory_keys:
                continue
            out = [x for x in out if x not in overlapping]
            out.append(Mention(start, end, "ORG", name, name))
    return sorted(out, key=lambda x: (x.start, x.end))


_CAP_REST = r"[a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?"  # (after the capital)
_CAP = rf"[A-ZÀ-Ý]{_CAP_REST}"


# Spaces between the words of a name: a line may wrap inside it, a paragraph break may not (a
# headline's last word and the next paragraph's first are no pair).
_GAP = r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"


# A capitalized word, then another, a paragraph apart at most: (?<![\w-])({_CAP})_GAP({_CAP}), with
# the test of what precedes the first word made after its capital letter ("(?<![\w-]." sees the
# character before it; "." the capital): a pattern that opens with a letter class is tried only
# where the text has one of its letters, one that opens with a lookbehind at every position.
_GIVEN_SURNAME = re.compile(rf"([A-ZÀ-Ý](?<![\w-].){_CAP_REST}){_GAP}((?:(?:de|du|van|von|le){_GAP})?{_CAP})(?![\w-])")


def _named_people(text: str, found: list[Mention], res: Resources) -> list[Mention]:
    """"Given-name Surname" pairs the model missed ("Solange Biaggi, Chairwoman"), also across a
    wrapped line; a model span holding the given name alone does not stop them."""
    taken = [(m.start, m.end) for m in found if not _given_name(m.surface, res)]
    out = []
    for m in _GIVEN_SURNAME.finditer(text):
        if not _given_name(m.group(1), res):
            continue
        if any(a < m.end() and m.start() < b for a, b in taken) or fold(m.group(2)) in res.territory_keys:
            continue
        taken.append((m.start(), m.end()))
        out.append(Mention(m.start(), m.end(), "PERSON", re.sub(r"\s+", " ", m.group(0)), m.group(0)))
    return out


def _sentence_stop(name: str) -> str:
    """A name without the full stop of its sentence ("... de Nordinvest." -> "Nordinvest"); the dot
    of an initial or an abbreviation stays ("S.A.", "Vetrox Inc.")."""
    if name.endswith(".") and not re.search(r"(?:\b[A-Z]|\.[A-Z]|\b(?:Inc|Ltd|Co|Corp|Cie|Bros))\.$", name):
        return name[:-1]
    return name


# One to four name words. The first, (?:[A-Z][\w&+'.-]*|[A-Z]{2,}), is written with its capital
# first, out of the alternation: the same tries in the same order, and a pattern that opens with a
# letter class is tried only where the text has one of its letters.
_NAME_HEAD = r"([A-Z](?:[\w&+'.-]*|[A-Z]{1,})"
_NAME = _NAME_HEAD + r"(?:\s+(?:[A-Z][\w&+'.-]*|[A-Z]{2,}|de|du|des|&)){0,3})"


def _patterned_orgs(text: str, found: list[Mention], res: Resources) -> list[Mention]:
    """Institution names of a known shape (models/org_patterns.yaml): "Nantes Chamber
    of Commerce and Industry", "Conseil général du Var", "CCI Nantes"."""
    out: list[Mention] = []
    taken = [(m.start, m.end) for m in found if m.type == "ORG" and not m.surface[:1].islower()]
    rx = res.org_pattern_regex_for(text)  # the patterns that may match in the text
    for m in rx.finditer(text) if rx is not None else ():
        start, end = m.start(), m.end()
        if any(a <= start and end <= b for a, b in taken) or any(a < end and start < b for a, b, *_ in
                                                                 [(o.start, o.end) for o in out]):
            continue
        name = m.group(0)
        entry = res.org_by_key.get(fold(name))
        out.append(Mention(start, end, "ORG", entry.name if entry else name, name))
    return out


def _company_cue_regexes(res: Resources) -> tuple[re.Pattern[str], ...]:
    """The five patterns of `_cued_companies`, compiled once per run (see Resources.memo)."""
    nouns = res.org_cues.company_nouns.all()
    nationalities = [w for w in res.country_by_word if len(w) > 3]
    noun_alt = grouped_alternation(sorted(nouns, key=len, reverse=True))
    nat_alt = grouped_alternation(sorted(nationalities, key=len, reverse=True))
    noun_re = re.compile(rf"(?<![\w-])(?i:{noun_alt})(?:\s+[a-zà-ÿ][\w'-]*){{0,4}}?\s+{_NAME}")
    nat_re = re.compile(rf"(?<![\w-])(?i:(?:le|la|l'|les|un|une|the|an?)\s+(?:{nat_alt}))\s+{_NAME}")
    # "Transcoma – Le transitaire espagnol ...": a list entry opening with a company's name.
    entry_re = re.compile(rf"(?m)^{_NAME}\s+[\u2013\u2014-]\s+(?:Le|La|L'|Les|The|An?|Un|Une)\b")
    appos_re = re.compile(rf"(?<![\w-]){_NAME},\s+(?i:the|an?|le|la|l'|un|une)\s+(?:[\w'-]+\s+){{0,4}}?(?i:{noun_alt})(?![\w-])")
    # "Vetrox, spécialiste allemand de ...", "Vetrox, German maker of ...": an apposition without an
    # article, with a nationality word next to the company noun.
    bare_re = re.compile(rf"(?<![\w-]){_NAME},\s+(?:(?i:{noun_alt})\s+(?:[a-zà-ÿ'-]+\s+)?(?i:{nat_alt})"
                         rf"|(?i:{nat_alt})\s+(?:[a-zà-ÿ'-]+\s+)?(?i:{noun_alt}))(?![\w-])")
    # A company noun, as the noun, apposition and bare patterns hold one (as a whole word).
    noun_word = re.compile(rf"(?<![\w-])(?i:{noun_alt})(?![\w-])")
    return noun_re, nat_re, appos_re, entry_re, bare_re, noun_word


def _unnamed_person(m: Mention, res: Resources) -> bool:
    """A PERSON mention whose first word is no given name the lexicon knows."""
    return m.type == "PERSON" and not _given_name(m.surface.split()[0] if m.surface.split() else "", res)


def _cued_companies(analysis: Analysis, found: list[Mention], res: Resources) -> list[Mention]:
    """Company names the model missed, introduced by a company noun or a nationality word."""
    noun_re, nat_re, appos_re, entry_re, bare_re, noun_word = res.memo("company_cues", _company_cue_regexes)
    noun_gate = res.memo("company_noun_gate", lambda r: PhraseGate(r.org_cues.company_nouns.all()))  # noun_word's
    # nat_re's: the nationality word, a whole word between spaces
    nat_gate = res.memo("nationality_gate", lambda r: PhraseGate([w for w in r.country_by_word if len(w) > 3]))
    # A model "person" without a known given name does not block a cue: "Orbital Works, a
    # company from the United States" is a company.
    taken = [(m.start, m.end) for m in found
             if m.type != "PLACE" and not m.surface[:1].islower() and not _unnamed_person(m, res)]
    out: list[Mention] = []
    for sent in analysis.sentences:
        # Skipped: the patterns that need a company noun in a sentence with none, and the list
        # entry pattern in a sentence with no dash (most sentences).
        text = sent.text
        noun = noun_gate.may_match(sent.words) and noun_word.search(text) is not None
        dash = "-" in text or "\u2013" in text or "\u2014" in text
        nat = nat_gate.may_match(sent.words)
        if not (noun or nat or dash):
            continue  # (most sentences: no pattern to try)
        for rx in (noun_re if noun else None, nat_re if nat else None, appos_re if noun else None, entry_re if dash else None,
                   bare_re if noun else None):
            for m in rx.finditer(sent.text) if rx is not None else ():
                name = clean_surface(m.group(1))
                name = re.sub(r"\s+(?:de|du|des|&)$", "", name)
                start = sent.start + m.start(1)
                end = start + len(name)
                # An overlap blocks the cue unless the cue strictly contains it (a fragment).
                blocked = any(a < end and start < b and not (start <= a and b <= end and end - start > b - a)
                              for a, b in taken)
                if (not name or not name[0].isupper() or is_junk(name, res) or res.country_by_word.get(name.lower())
                        or fold(m.group(1)) in res.territory_keys or blocked):
                    continue
                taken.append((start, end))
                entry = res.org_by_key.get(fold(name))
                out.append(Mention(start, end, "ORG", entry.name if entry else name, name))
    return out


def _add_surnames(mentions: list[Mention], text: str) -> list[Mention]:
    """Later mentions of a person by surname alone, which the model often misses."""
    taken = [(m.start, m.end) for m in mentions]
    surnames = {m.name.split()[-1]: m.name for m in mentions if m.type == "PERSON" and len(m.name.split()) > 1}
    extra = []
    for surname, full in surnames.items():
        if len(surname) < 3:
            continue
        for start, end in whole_word_spans(text, surname):
            if not any(a <= start < b for a, b in taken):
                extra.append(Mention(start, end, "PERSON", full, surname))
    return sorted(mentions + extra, key=lambda m: (m.start, m.end))


def _canonicalize(raw: list[tuple[Span, str, str]], acronyms: dict[str, str], res: Resources) -> list[Mention]:
    full_names: dict[str, str] = {}  # surname -> full name, from multi-word person mentions
    for _span, type_, surface in raw:
        parts = surface.split()
        if type_ == "PERSON" and len(parts) >= 2:
            full_names.setdefault(parts[-1], surface)
    orgs = [s for _sp, t, s in raw if t == "ORG"]
    out: list[Mention] = []
    for span, type_, surface in raw:
        name = surface
        if type_ == "ORG":
            name = _org_name(span, surface, acronyms, orgs, res)
        elif type_ == "PERSON":
            if len(surface.split()) == 1:
                if surface in full_names:
                    name = full_names[surface]
                elif surface in {o.split()[-1] for o in orgs}:
                    continue
                else:
                    continue  # a lone first or last name we cannot tie to a person
        at = span.text.find(surface)  # offsets of the cleaned surface, without "the", "l'"...
        start = span.start + at if at >= 0 else span.start
        out.append(Mention(start, start + len(surface) if at >= 0 else span.end, type_, name, surface))
    return _merge_variants(out)


def _org_name(span: Span, surface: str, acronyms: dict[str, str], orgs: list[str], res: Resources) -> str:
    if span.kb_id and not span.kb_id.startswith(WEAK_PREFIX):
        return span.kb_id
    entry = res.org_by_key.get(fold(surface))
    if entry:
        return entry.name
    if surface in acronyms:
        long = acronyms[surface]
        entry = res.org_by_key.get(fold(long))
        return entry.name if entry else long
    if _ACRONYM.match(surface):
        tails = res.memo("org_cue_words", _cue_words)["tails"]
        for other in orgs:
            words = other.split()
            while len(words) > 1 and words[-1].lower() in tails:  # "Underwriter Laboratories Group" -> UL
                words = words[:-1]
            if other != surface and surface in (_initials(other), _initials(" ".join(words))):
                entry = res.org_by_key.get(fold(other))
                return entry.name if entry else other
    return surface


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[\w]+", name) if w[0].isupper())


def _acronym_definitions(text: str, res: Resources) -> dict[str, str]:
    """"Chambre de commerce ... (CCIMP)" -> {"CCIMP": "Chambre de commerce ..."}."""
    out: dict[str, str] = {}
    if "(" not in text:
        return out  # (a definition holds its acronym in parentheses)
    for m in _DEFINITION.finditer(text):
        long, acr = m.group(1).strip(), m.group(2)
        if acr in res.org_cues.acronym_stoplist:
            continue
        words = acr.split()
        if len(words) > 1:  # "(CCI Bordeaux Gironde)": its other words are in the long form
            if all(w in long for w in words[1:]):
                rest = long.find(words[1])
                before = long[:rest].split()
                # "Euro Packaging Group (EP Group)": the acronym's first word spells the words before
                spelled = next((" ".join(before[i:]) for i in reversed(range(len(before)))
                                if before[i][:1].isupper() and _initials(" ".join(before[i:])).upper() == words[0].upper()),
                               None)  # the shortest capitalized tail
                out[acr] = clean_surface(f"{spelled} {long[rest:]}" if spelled else long[rest:])
            continue
        # Keep the shortest tail of the long form whose capitals spell the acronym, else the
        # tail starting at the last capitalized head word.
        words = long.split()
        for i in range(len(words)):
            cand = " ".join(words[i:])
            if _initials(cand).upper().startswith(acr[:2].upper()) and words[i][0].isupper():
                out[acr] = clean_surface(cand)
                break
    return out


_RENAMED = re.compile(r"^\s*[(,]?\s*(?:devenue?s?|rebaptisée?|renommée?|désormais|aujourd'hui|now|renamed|since renamed|which became|became|formerly|anciennement|ex-)\s+(?:la |le |l'|the )?$", re.I)


def link_renames(mentions: list[Mention], text: str) -> list[Mention]:
    """"Communauté urbaine de Brest (devenue Brest Métropole ...)": one organization under its
    current name (the second one; "formerly"/"anciennement" point the other way)."""
    orgs = [m for m in mentions if m.type == "ORG"]
    rename: dict[str, str] = {}
    for a, b in zip(orgs, orgs[1:]):
        between = text[a.end:b.start]
        if a.name != b.name and _RENAMED.match(between):
            old, new = (b.name, a.name) if re.search(r"formerly|anciennement|ex-", between, re.I) else (a.name, b.name)
            rename[old] = new
    return [Mention(m.start, m.end, m.type, rename.get(m.name, m.name), m.surface) for m in mentions]


def _merge_variants(mentions: list[Mention]) -> list[Mention]:
    """One canonical name per folded key: the most frequent spelling wins (first on ties)."""
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for m in mentions:
        spellings[(m.type, fold(m.name))][m.name] += 1
    best = {k: c.most_common(1)[0][0] for k, c in spellings.items()}
    return [Mention(m.start, m.end, m.type, best[(m.type, fold(m.name))], m.surface) for m in mentions]


def to_entities(mentions: Mentions) -> list[Entity]:
    """Document entities (ORG and PERSON), sorted by name, with their surface forms."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for m in mentions.items:
        if m.type in ("ORG", "PERSON"):
            groups[(m.type, m.name)].append(m.surface)
    return [
        Entity(type=t, name=n, mentions=sorted(set(forms)), count=len(forms))  # type: ignore[arg-type]
        for (t, n), forms in sorted(groups.items())
    ]


def choose_subject(mentions: Mentions, text: str, res: Resources) -> str | None:
    """The document's focal agency: the most mentioned agency-like organization."""
    counts = Counter(m.name for m in mentions.items if m.type == "ORG")
    if not counts:
        return None
    first = {}
    for m in mentions.items:
        first.setdefault(m.name, m.start)

    headline_end = text.find("\n\n") if "\n\n" in text else len(text)

    def is_agency(name: str) -> bool:
        entry = res.org_by_name.get(name)
        return (entry is not None and entry.kind == "agency") or name in mentions.agencies or (
            entry is None and _agency_like(name, res))

    agency = {n: is_agency(n) for n in counts}
    agencies = sorted((n for n in counts if agency[n]), key=lambda n: first[n])
    lead = agencies[0] if agencies else None

    def home(name: str) -> bool:
        entry = res.org_by_name.get(name)
        # (a word found twice is found twice as a string first: most names are not, no regex then)
        return entry is not None and sum(text.count(r) for r in entry.region) >= 2 and sum(
            len(whole_word_spans(text, r)) for r in entry.region) >= 2

    def score(name: str) -> tuple[float, int]:
        # The title, the first agency named and the agency's home territory are where an
        # article says what it is about.
        bonus = (2 if first[name] < headline_end else 0) + (1 if name == lead else 0) + (3 if home(name) else 0)
        return ((counts[name] + bonus) * (3 if agency[name] else 1), -first[name])

    return max(counts, key=score)


def _agency_like(name: str, res: Resources) -> bool:
    """A name that says it is an agency (models/org_cues.yaml `agency_name_words`: "Invest in ...",
    "... Promotion"); names in apposition to an agency noun are `Mentions.agencies`."""
    words = res.memo("agency_name_words", lambda r: re.compile(
        r"\b(?:" + "|".join(map(re.escape, r.org_cues.agency_name_words)) + r")\b"))
    return words.search(name) is not None

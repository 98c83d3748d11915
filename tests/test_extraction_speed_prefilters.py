"""The shortcuts that keep extraction cheap must not change what it finds.

- numbers: text2num reads only texts with a token it reads as a number on its own;
- phrase_regex, grouped_alternation: phrases grouped by first letter match exactly as one flat
  alternation, also where the rest of the pattern makes the engine go back to a shorter phrase;
- normalize.alternation (the regexes of numbers.yaml and dates.yaml): the same;
- frames.children: the dependents index a sentence keeps answers for that sentence only;
- resources.PhraseLists: several phrase lists read in one scan match as each list's regex;
- entities: the company-cue patterns skipped in a sentence without a company noun (or a dash),
  the "X's CEO" pattern in a text without "'s", the first-letter test of the "CEO of X" pattern;
- numbers: the approximate-noun test tried only where a word starts;
- resources: the institution-name patterns (org_patterns.yaml) tried only in a text that holds
  their key literal;
- entities.whole_word_spans: a whole name found with str.find, as the regex with lookarounds finds it;
- entities: the "Given-name Surname" pattern with its lookbehind after the first capital, and the
  name patterns with their first name word's capital out of its alternation.
"""

from __future__ import annotations

import random
import re

import pytest

from pipeline.config import DEFAULT_MODELS_DIR
from pipeline.extraction import entities
from pipeline.extraction.frames import children
from pipeline.nlp import Sentence, Token
from pipeline.normalize import alternation, numbers
from pipeline.resources import PhraseLists, grouped_alternation, load_resources, phrase_regex, required_literals

_VOCABULARY = {  # words separated by spaces
    "fr": "un une deux trois quatre-vingt quatre-vingts vingt-et-un dix-sept cent cents mille million millions "
          "milliard zéro premier première deuxième vingtième unième et virgule de la projets emplois sur "
          "neuf septante moitié tiers . , - '",
    "en": "one two three twenty thirty hundred hundreds thousand million billion zero oh first second "
          "twentieth and point a of the jobs projects half dozen nought . , - '",
}


def _text2num_everywhere(text: str, lang: str) -> list[tuple[int, int, float, bool]]:
    """What text2num finds in `text`, tokenized as _word_matches does, without the prefilter."""
    tokens = [numbers._Token("." if "\n\n" in m.group() else m.group(), m.group()[0].isdigit())
              for m in numbers._TOKEN.finditer(text)]
    return [(o.start, o.end, o.value, o.is_ordinal) for o in numbers._run_text2num(tokens, lang)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_number_word_prefilter_never_skips_a_number(lang: str) -> None:
    rng = random.Random(20240611)
    words = _VOCABULARY[lang].split()
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        text = rng.choice([text, text.capitalize(), text.upper(), text.replace(" ", "\n\n", 1)])
        if _text2num_everywhere(text, lang):
            assert numbers._number_words(lang).any_in(text), text


def test_number_word_prefilter_skips_texts_without_number_words() -> None:
    assert not numbers._number_words("fr").any_in("La société s'installe à Marseille en mars.")
    assert numbers._number_words("fr").any_in("Un premier bilan.")
    assert [m.value for m in numbers.find_numbers("soixante-cinq projets", "fr")] == [65]


def _flat_phrase_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(p) + ("" if p.endswith("'") else r"(?![\w-])") for p in alts)
    return re.compile(rf"(?<![\w-])(?:{body})", re.IGNORECASE)


def test_grouped_phrase_regex_matches_like_a_flat_alternation() -> None:
    # First letters that the engine matches to each other with case ignored: "s" and the long
    # s, "k" and the Kelvin sign, "i" and the dotless i, "e" and "é" (which do not match).
    phrases = ("sa", "ſab", "Sab c", "ka", "\u212aab", "ia", "ıab", "été", "ete", "vient d'", "vient", "d'ici")
    text = "SAB C ſa ſab Sab KAB \u212aa ıa IAB ÉTÉ ete Ete vient d'ici vient d'Ici x-sa sab-"
    assert [(m.span(), m.group()) for m in phrase_regex(phrases).finditer(text)] == \
        [(m.span(), m.group()) for m in _flat_phrase_regex(phrases).finditer(text)]


def test_grouped_alternation_goes_back_to_shorter_phrases_like_a_flat_one() -> None:
    # "groupe Alpha" matches first in "groupe Alphabet", then the name after it fails: the engine
    # must go back to "groupe" and find "Alphabet", as it does in the flat alternation.
    words = ["groupe Alpha", "société civile", "ſociété", "groupe", "société", "Gruppo", "sa"]
    text = "le groupe Alphabet, la société civile Norlind, la société Kalvera, ſociété Orsane, SA Tremolo, gruppo Vetrox"
    tail = r"\s+([A-Z]\w+)"
    grouped = re.compile(rf"(?<![\w-])(?i:{grouped_alternation(words)}){tail}")
    flat = re.compile(rf"(?<![\w-])(?i:{'|'.join(re.escape(w) for w in words)}){tail}")
    found = [(m.span(), m.group(1)) for m in grouped.finditer(text)]
    assert found == [(m.span(), m.group(1)) for m in flat.finditer(text)]
    assert [name for _, name in found] == ["Alphabet", "Norlind", "Kalvera", "Orsane", "Tremolo", "Vetrox"]


def _sentence(words: list[tuple[str, int]]) -> Sentence:
    tokens, start = [], 0
    for i, (word, head) in enumerate(words):
        tokens.append(Token(i=i, text=word, start=start, pos="X", dep="dep", head=head))
        start += len(word) + 1
    return Sentence(start=0, end=start, text=" ".join(w for w, _ in words), lang="en", tokens=tokens)


def test_children_answer_for_the_sentence_asked_about() -> None:
    one = _sentence([("Vetrox", 1), ("hired", 1), ("40", 3), ("people", 1)])
    two = _sentence([("Norlind", 2), ("also", 2), ("hired", 2)])
    for sent in (one, two, one, two):  # the index of one sentence never answers for another
        for i in range(len(sent.tokens)):
            assert children(sent, i) == [t for t in sent.tokens if t.head == i and t.i != i]
    assert [t.text for t in children(one, 1)] == ["Vetrox", "people"]
    children(one, 1).clear()  # a caller's list is its own
    assert [t.text for t in children(one, 1)] == ["Vetrox", "people"]


@pytest.mark.parametrize("ignore_case", [True, False])
def test_normalize_alternation_matches_like_a_flat_one(ignore_case: bool) -> None:
    words = ["mars", "mai", "Mar", "May", "march", "ſept", "sept", "septembre", "fin de", "fin", "décembre", "dec"]
    text = "en mars, fin de mai, Mar 3, MAY, march on, ſept, Septembre, fin  de, fin, Décembre, decembre"

    def flat(ws: list[str]) -> str:
        body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(ws), key=len, reverse=True)) or "(?!)"
        return (f"(?i:{body})" if ignore_case else f"(?:{body})") + r"(?:(?<=\W)|(?!\w))"

    for ws in (words, words + [""], [""], []):
        grouped = re.compile(r"(\w*)(" + alternation(ws, ignore_case=ignore_case) + ")")
        expected = re.compile(r"(\w*)(" + flat(ws) + ")")
        assert [m.span(2) for m in grouped.finditer(text)] == [m.span(2) for m in expected.finditer(text)], ws


def _spans(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group()) for m in matches]


def test_phrase_lists_match_as_each_list_alone() -> None:
    # Phrases of one list overlapping another's ("créés ou maintenus" / "maintenus"), a list's
    # matches next to each other, a start after a hyphen (no match), an elided article, the long s.
    lists = [("créés ou maintenus", "créés"), ("maintenus", "maintenu"), ("vient d'", "d'ici"), (),
             ("sa", "ſab", "Sab c"), ("new jobs", "jobs", "new"), ("jobs created", "created")]
    texts = ["18 emplois créés ou maintenus, 12 maintenus maintenus ; pré-créés, vient d'ici",
             "SAB C ſa ſab Sab x-sa sab- 40 new jobs created, jobs jobs created new-jobs", "", "rien"]
    rng = random.Random(7)
    words = "créés ou maintenus maintenu vient d' ici sa ſab Sab c new jobs created x - , .".split()
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))).replace("d' ", "d'") for _ in range(500)]
    scan = PhraseLists(lists)
    for text in texts:
        assert [_spans(found) for found in scan.matches(text)] == \
            [_spans(list(phrase_regex(phrases).finditer(text))) for phrases in lists], text


_RES = load_resources(DEFAULT_MODELS_DIR)
_CUE_TEXTS = [
    "Le groupe allemand Vetrox Hydro s'installe à Fos.",
    "Norlind, spécialiste suédois de la robotique, ouvre un site.",
    "Norlind, la jeune pousse marseillaise, recrute.",
    "Kalvera – Le transitaire espagnol arrive.",
    "The German maker Orsane Technologies chose the region.",
    "Tremolo Ceram, a Belgian company, will hire 40 people.",
    "Vetrox, German manufacturer of pumps, opens a plant.",
    "Orsane Works - The leader in sensors moves to Marseille.",
    "Fin-Track's CEO met the agency; the CEO of Corning Gosselin too.",
    "Le directeur général de Norlind et la présidente d'Orsane sont venus.",
    "L'agence a accompagné 40 projets en 2019.",
]


def test_company_cue_prefilters_skip_only_sentences_without_a_match() -> None:
    *patterns, noun_word = entities._company_cue_regexes(_RES)
    noun_re, nat_re, appos_re, entry_re, bare_re = patterns
    rng = random.Random(11)
    words = [w for t in _CUE_TEXTS for w in t.split()]
    texts = _CUE_TEXTS + [" ".join(rng.choice(words) for _ in range(rng.randint(2, 10))) for _ in range(1500)]
    seen = set()
    for text in texts:
        for name, rx in zip(("noun", "appos", "bare", "entry"), (noun_re, appos_re, bare_re, entry_re)):
            if rx.search(text):
                seen.add(name)
                assert noun_word.search(text) if name != "entry" else any(d in text for d in "-\u2013\u2014"), text
    assert seen == {"noun", "appos", "bare", "entry"}


def test_titled_org_regexes_match_as_without_their_shortcuts() -> None:
    before, after = entities._titled_org_regexes(_RES)
    plain_after = re.compile(re.sub(r"^\(\?=\(\?i:\[[^\]]*\]\)\)", "", after.pattern))
    assert plain_after.pattern != after.pattern
    for text in _CUE_TEXTS + ["PDG de Vetrox, pdg de Norlind, Pdg de Kalvera, DG d'Orsane, dg d'Orsane", "ceo of Norlind's"]:
        assert _spans(list(after.finditer(text))) == _spans(list(plain_after.finditer(text))), text
        if before.search(text):
            assert "'s" in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_approx_noun_word_test_finds_every_approximate_noun(lang: str) -> None:
    g = numbers._grammar(lang)
    rng = random.Random(3)
    words = ("une soixantaine de projets la quinzaine quinzaines deux centaines 3 milliers bonne dizaine x-vingtaine "
             "a dozen dozens two of jobs some-dozen D").split()
    texts = ["une bonne soixantaine de projets", "a dozen jobs", "deux centaines", "x-vingtaine", "une\tdizaine"]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) for _ in range(2000)]
    for text in texts:
        if g.approx_noun.search(text):
            assert g.approx_noun_word.search(text), text
    assert numbers.find_numbers("une soixantaine de projets", "fr")[0].value == 60


_INSTITUTION_TEXTS = [
    "La Région Sud et la CCI Marseille Provence ont signé avec Aix-Marseille Métropole.",
    "Le Conseil départemental du Var et la Chambre de commerce et d'industrie de Brest-Ouest soutiennent le projet.",
    "L'Université de Montclair, la Communauté urbaine de Vallon-sur-Lys et le MEDEF Isère étaient présents.",
    "Vallon-sur-Lys reçoit l'Ambassade de Norvège au Chili, puis visite le Port de Salin-Neuf.",
    "Greyport County Council met the University of Norbridge, then the Lakeside Chamber of Commerce and Industry.",
    "Halden Bay's Chamber of Commerce was the guest of the Embassy of Norway in Chile; Corvel Metropolis too.",
    "La région sud, une chambre de commerce, le conseil du var: aucun nom d'institution ici.",
    "No institution here: a port of call, a council meeting, the university campus.",
]


def test_required_literals_are_in_every_match() -> None:
    assert required_literals("Port (?:de |of )X") == ["Port ", "X"]
    assert required_literals("Ambassade (?:de |d')X") == ["Ambassade d", "X"]  # the alternatives' common start
    assert required_literals("a|b") == [] and required_literals("(?i)Port") == [] and required_literals("(") == []
    assert required_literals(r"(?:x )?Embassy\.? in") == ["Embassy", " in"]


def test_org_patterns_skipped_only_where_they_cannot_match() -> None:
    full = _RES.org_pattern_regex
    assert all(_RES.org_pattern_keys)  # every pattern of the data has a key literal
    rng = random.Random(5)
    words = [w for t in _INSTITUTION_TEXTS for w in t.split()]
    texts = _INSTITUTION_TEXTS + [" ".join(rng.choice(words) for _ in range(rng.randint(2, 12))) for _ in range(3000)]
    found = 0
    for text in texts:
        rx = _RES.org_pattern_regex_for(text)
        expected = [(m.span(), m.group(0)) for m in full.finditer(text)]
        assert ([(m.span(), m.group(0)) for m in rx.finditer(text)] if rx is not None else []) == expected, text
        found += bool(expected)
    assert found > 100
    assert _RES.org_pattern_regex_for(_INSTITUTION_TEXTS[-1]) is None
    assert _RES.org_pattern_regex_for(_INSTITUTION_TEXTS[-2]) is None
    names = [m.group(0) for t in _INSTITUTION_TEXTS[:6] for m in _RES.org_pattern_regex_for(t).finditer(t)]
    assert "CCI Marseille Provence" in names and "University of Norbridge" in names and "MEDEF Isère" in names


def test_org_pattern_subsets_keep_a_bounded_number_of_regexes(monkeypatch) -> None:
    """Texts calling for many subsets of the patterns: only the last ORG_REGEX_MEMO regexes are
    kept, and a subset let go is compiled again, the same."""
    from pipeline import resources

    res = load_resources(DEFAULT_MODELS_DIR)
    monkeypatch.setattr(resources, "ORG_REGEX_MEMO", 3)
    res.derived.pop("org_pattern_regexes", None)  # kept from other tests with a larger bound
    texts = [t for t in _INSTITUTION_TEXTS if res.org_pattern_regex_for(t) is not None][:6]
    assert len({res.org_pattern_regex_for(t).pattern for t in texts}) >= 4  # more subsets than kept
    first = res.org_pattern_regex_for(texts[0]).pattern
    memo = res.derived["org_pattern_regexes"]
    assert memo.cache_info().currsize <= 3
    for t in texts:
        res.org_pattern_regex_for(t)
    assert memo.cache_info().currsize <= 3 and res.org_pattern_regex_for(texts[0]).pattern == first
    res.derived.pop("org_pattern_regexes")  # the usual bound for the tests after this one


def test_whole_word_spans_are_those_of_the_regex() -> None:
    names = ["Vetrox", "Var", "Var-", "-Nord", "Côte d'Azur", "a a", "aa", "Inc.", "Saint-Lô", "l'Isère", "x_y", "é",
             "Norlind Systems", " ", "2019", ""]
    pieces = ["Vetrox", "Var", "Varois", "-", "Nord", "Côte", "d'Azur", "a", "aa", " ", "  ", ",", ".", "Inc.", "Saint-Lô",
              "l'Isère", "x_y", "_", "é", "É", "\n", "Norlind", "Systems", "2019", "(", "'", "vetrox", "Lô"]
    rng = random.Random(13)
    texts = ["Vetrox s'installe dans le Var ; Vetrox-Nord aussi, à Saint-Lô, pas Saint-Lôois.",
             "Norlind Systems Inc. (Norlind Systems) opened in Côte d'Azur, near a a a aa and the Var."]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))) for _ in range(3000)]
    found = 0
    for text in texts:
        for name in names:
            expected = [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)]
            assert entities.whole_word_spans(text, name) == expected, (text, name)
            found += bool(expected) and bool(name)
    assert found > 1000
    assert entities.whole_word_spans(texts[0], "Vetrox") == [(0, 6)]
    at = texts[1].index("a a a")
    assert entities.whole_word_spans(texts[1], "a a") == [(at, at + 3)]  # not the one inside it


def test_given_name_surname_pattern_matches_as_with_its_lookbehind_first() -> None:
    plain = re.compile(rf"(?<![\w-])({entities._CAP}){entities._GAP}((?:(?:de|du|van|von|le){entities._GAP})?"
                       rf"{entities._CAP})(?![\w-])")
    pieces = ["Anne", "Dorval", "Jean-Marc", "Le", "le", "de", "Émile", "Zola", "x", "-", "_", "'", " ", "  ", "\n", "\n\n",
              "Anne-", "l'", "Parry", "John", "van", "Dyke", ",", ".", "É", "aÉmile", "2019"]
    rng = random.Random(17)
    texts = ["Solène Marchal, présidente, et Jean-Marc Le Dorval ont signé ; John\nParry too, x-Anne Dorval not.",
             "Anne Dorval\n\nBilan", "Émile de Zola", "Anne-Dorval Parry"]
    texts += ["".join(rng.choice(pieces) + rng.choice(["", " ", " ", "\n"]) for _ in range(rng.randint(0, 14)))
              for _ in range(4000)]
    found = 0
    for text in texts:
        expected = [(m.span(), m.groups()) for m in plain.finditer(text)]
        assert [(m.span(), m.groups()) for m in entities._GIVEN_SURNAME.finditer(text)] == expected, text
        found += bool(expected)
    assert found > 500


def test_name_patterns_match_as_with_the_first_word_as_read() -> None:
    regexes = [*entities._titled_org_regexes(_RES), *entities._company_cue_regexes(_RES)[:5]]
    # the first name word as it reads, its capital inside the alternation
    head_as_read = r"((?:[A-Z][\w&+'.-]*|[A-Z]{2,})"
    as_read = [re.compile(rx.pattern.replace(entities._NAME_HEAD, head_as_read), rx.flags) for rx in regexes]
    assert all(a.pattern != rx.pattern for a, rx in zip(as_read, regexes))
    rng = random.Random(19)
    words = [w for t in _CUE_TEXTS + _INSTITUTION_TEXTS for w in t.split()] + ["VTX", "A", "AB", "A&B", "O'Neil", "Inc.", "de"]
    texts = _CUE_TEXTS + ["Vetrox's CEO met the CEO of VTX; AB – Le groupe", "PDG de A&B, the German firm O'Neil Inc."]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(2, 12))) for _ in range(2500)]
    found = 0
    for text in texts:
        for rx, read in zip(regexes, as_read):
            expected = [(m.span(), m.groups()) for m in read.finditer(text)]
            assert [(m.span(), m.groups()) for m in rx.finditer(text)] == expected, (text, rx.pattern[:40])
            found += bool(expected)
    assert found > 200


def test_phrase_gate_union_is_the_gate_of_all_phrases() -> None:
    """PhraseGate.union answers as one gate built from every phrase of its gates (invented phrases)."""
    import random

    from pipeline.resources import PhraseGate, plain_words

    lists = [["l'an dernier", "last year"], ["il y a  ans", "ans plus tard"], ["mars", "March", "d'ici juin"]]
    union, whole = PhraseGate.union(*map(PhraseGate, lists)), PhraseGate([p for ps in lists for p in ps])
    vocab = sorted({w for ps in lists for p in ps for w in plain_words(p) or ()} | {"agence", "projets", "2021"})
    rng = random.Random(7)
    for _ in range(2000):
        words = frozenset(rng.sample(vocab, rng.randint(0, 5)))
        assert union.may_match(words) == whole.may_match(words)
    assert PhraseGate.union(PhraseGate(["fin"]), PhraseGate([""])).may_match(frozenset())  # always open

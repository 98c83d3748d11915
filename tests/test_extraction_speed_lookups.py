"""Lookups that extraction now makes once per run, or skips, must answer as before.

- Resources.lang_regex: the phrase regex of a language's lists, as built from the lists each time;
- entities._name_lists: tokens that cannot open a list member are not asked about, and a
  sentence with fewer than two that can holds no list;
- frames: the two-word comparison markers, the word sets of the metric rows (and the rows a unit
  and a noun class allow), the regexes of the causal and superlative markers, built once;
- the heading test: the letters of a sentence gathered once;
- frames: the tokens under a span found by offset (bisect) where the tokens run in order, a
  subtree read from the sentence's dependents index;
- implantations: the cue phrases built once per language;
- roles: the pronouns and the plural openings ("Tous deux", "Both") read from a memo;
- resources.PhraseGate: a sentence of plain characters (resources.PLAIN_CHARS) none of whose words
  opens a phrase of a list is not scanned for the list (implantation cues and memberships, offices,
  qualifiers, company nouns), nor for fractions, shares, approximate nouns, months or relative
  years (normalize); a phrase is looked for by its longest word, then its other words;
- entities.is_junk: its answer for a text kept (a bounded number of them).
"""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from pipeline.config import DEFAULT_MODELS_DIR
from pipeline.extraction import _heading, entities, frames, implantations, roles
from pipeline.extraction.context import DocContext
from pipeline.extraction.entities import Mention, Mentions
from pipeline import normalize
from pipeline.nlp import Sentence, Token
from pipeline.normalize.dates import PeriodMention
from pipeline.normalize import dates, numbers
from pipeline.normalize.numbers import NumberMatch
from pipeline.resources import (PLAIN_CHARS, PerLang, PhraseGate, PhraseLists, load_resources, phrase_gate, phrase_regex,
                                 plain_words)

RES = load_resources(DEFAULT_MODELS_DIR)


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
def test_lang_regex_is_the_phrase_regex_of_its_lists(lang: str) -> None:
    c = RES.cues
    for lists in [(c.target,), (c.target, c.contrast), (c.contrast, c.target), (c.context_relative,),
                  (c.implantation_membership,), (RES.metrics.budget,), (c.recent,)]:
        expected = phrase_regex(tuple(p for words in lists for p in words.get(lang) + words.get("en")))
        assert RES.lang_regex(lang, *lists) == expected
        assert RES.lang_regex(lang, *lists) is RES.lang_regex(lang, *lists)  # from the memo


def test_lang_regex_never_answers_for_another_list() -> None:
    # Lists made and dropped one after the other may take the same id: the memo keeps each list
    # alive, so an id is never reused while its regex is remembered.
    res = load_resources(DEFAULT_MODELS_DIR).model_copy()
    res.__dict__.pop("derived", None)  # a memo of its own, not the shared one
    for n in range(200):
        words = PerLang(fr=[f"mot{n}"], en=[f"word{n}"])
        rx = res.lang_regex("fr", words)
        assert rx.fullmatch(f"mot{n}") and rx.fullmatch(f"WORD{n}") and not rx.search(f"mot{n - 1}")
    assert "derived" not in RES.__dict__ or RES.derived is not res.derived


_TRICKY = ["Vetrox", "vetrox", "VETROX", "ǅemal", "ǅ", "İzmir", "ıssa", "ſab", "\u212aelvin", "Ⓐ", "Ⅻ", "4G", "40",
           "2019", "(", ")", ",", "-", "'s", "l'", "d'Azur", "Saint-Malo", "risingSUD", "eBay", "iPhone",
           "Vetrox+Kall", "é", "Été", "été", "À", "_x", "²", "x²", "&", "R&D", "…", "ÉCOLE", "co-Fondateur", "ß", "ẞ"]


def test_a_token_the_name_list_scan_skips_opens_no_member() -> None:
    rng = random.Random(20261206)
    letters = "aZé-ǅ'İ4(ſ\u212a"
    texts = _TRICKY + ["".join(rng.choice(letters) for _ in range(rng.randint(1, 5))) for _ in range(3000)]
    for n, text in enumerate(texts):
        for pos in ("PROPN", "NOUN", "PUNCT", "DET", "X", "ADJ", "VERB"):
            tok = Token(i=n % 3, text=text, start=0, pos=pos, dep="dep", head=0)
            if text.islower() or not text[:1].isalnum():
                assert not entities._member_start(tok), (text, pos)


def _parsed(text: str, lang: str, tags: dict[str, str]) -> Sentence:
    """A sentence whose words are split on spaces, each tagged from `tags` (default NOUN)."""
    tokens, start = [], 0
    for i, word in enumerate(text.split(" ")):
        tokens.append(Token(i=i, text=word, start=start, pos=tags.get(word, "NOUN"), dep="dep", head=i))
        start += len(word) + 1
    return Sentence(start=0, end=len(text), text=text, lang=lang, tokens=tokens)


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Vetrox , Norlind et Kalvera ont choisi Brest .", "fr", [["Vetrox", "Norlind", "Kalvera"]]),
    ("Vetrox , Norlind , Kalvera", "fr", [["Vetrox", "Norlind", "Kalvera"]]),
    ("Hanseo and Orsane opened offices .", "en", [["Hanseo", "Orsane"]]),
    ("Vetrox ouvre un bureau à Quimper .", "fr", []),  # two names, joined by no list word
    ("Vetrox ouvre un bureau .", "fr", []),  # one name
    ("les entreprises , les laboratoires et les écoles", "fr", []),  # no name at all
    ("40 , 50 et 60 projets", "fr", []),
])
def test_name_lists_in_invented_sentences(text: str, lang: str, expected: list[list[str]]) -> None:
    tags = {",": "PUNCT", ".": "PUNCT", "et": "CCONJ", "and": "CCONJ", "les": "DET", "un": "DET", "à": "ADP", "ont": "AUX",
            "ouvre": "VERB", "opened": "VERB", "choisi": "VERB", "40": "NUM", "50": "NUM", "60": "NUM"}
    sent = _parsed(text, lang, tags)
    assert [[text[a:b] for a, b in items] for items in entities._name_lists(sent, RES)] == expected


def test_two_word_comparison_markers_match_as_each_pair_tried() -> None:
    rng = random.Random(11)
    for lang in ("fr", "en"):
        markers = frames._words(RES, lang, "comparison_markers")
        pairs = {tuple(m.split()) for m in markers if " " in m}
        words = ["up", "from", "down", "Up", "FROM", "than", "contre", "against", "ſrom"]
        for _ in range(500):
            head, word = rng.choice(words).lower(), rng.choice(words).lower()
            assert ((head, word) in frames._marker_pairs(markers)) == any(word == b and head == a for a, b in pairs)
    assert ("up", "from") in frames._marker_pairs(frames._words(RES, "en", "comparison_markers"))


def test_metric_row_word_sets_are_the_rows_lists() -> None:
    rows = frames._metric_rows(RES)
    assert [row for row, _ in rows] == list(RES.frames.metrics)
    for row, sets in rows:
        for name in ("any", "none_of", "in_sentence", "none_in_sentence", "none_of_predicates", "all_of"):
            assert getattr(sets, name) == set(getattr(row, name)), (row.metric, name)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_implantation_cue_phrases_are_the_verbs_then_the_nouns(lang: str) -> None:
    cues = RES.cues
    nouns = {w.lower() for w in cues.implantation_nouns.get(lang) + cues.implantation_nouns.get("en")}
    phrases = tuple(cues.implantation_verbs.get(lang) + cues.implantation_verbs.get("en") + sorted(nouns))
    got_nouns, got_phrases, rx, gate = implantations._cue_phrases(RES, lang)
    assert (got_nouns, got_phrases, rx) == (nouns, phrases, phrase_regex(phrases))
    assert gate.keys == phrase_gate(phrases).keys


def _roles_context(text: str, people: list[tuple[int, int, str]], last: list[str]) -> DocContext:
    items = [Mention(a, b, "PERSON", name, name) for a, b, name in people]
    ctx = DocContext("d", text, RES, Mentions(items), dt.date(2019, 5, 2))
    ctx.last_people = last
    ctx.last_person = last[-1] if last else None
    return ctx


@pytest.mark.parametrize(("text", "lang", "last", "expected"), [
    ("Il préside l'agence.", "fr", ["Paul Ardent"], ["Paul Ardent"]),
    ("Elle préside l'agence.", "fr", [], []),
    ("Tous deux président l'agence.", "fr", ["Paul Ardent", "Lise Norel"], ["Paul Ardent", "Lise Norel"]),
    ("Tous deux président l'agence.", "fr", ["Lise Norel"], []),  # one person named before: no pair
    ("Toutes les deux président l'agence.", "fr", ["Paul Ardent", "Lise Norel"], ["Paul Ardent", "Lise Norel"]),
    ("Both chair the agency.", "en", ["Paul Ardent", "Lise Norel"], ["Paul Ardent", "Lise Norel"]),
    ("BOTH chair the agency.", "en", ["Paul Ardent", "Lise Norel"], ["Paul Ardent", "Lise Norel"]),
    ("Bothwell chairs the agency.", "en", ["Paul Ardent", "Lise Norel"], []),
    ("She chairs the agency.", "en", ["Paul Ardent", "Lise Norel"], ["Lise Norel"]),
    ("Hier, il a été élu.", "fr", ["Paul Ardent"], []),
])
def test_people_with_pronoun_in_invented_sentences(text: str, lang: str, last: list[str], expected: list[str]) -> None:
    ctx = _roles_context(text, [], last)
    sent = Sentence(start=0, end=len(text), text=text, lang=lang)
    assert [p.name for p in roles._people_with_pronoun(sent, ctx)] == expected


def test_people_named_in_the_sentence_come_after_the_pronoun() -> None:
    text = "Il a nommé Lise Norel."
    ctx = _roles_context(text, [(11, 21, "Lise Norel")], ["Paul Ardent"])
    sent = Sentence(start=0, end=len(text), text=text, lang="fr")
    assert [p.name for p in roles._people_with_pronoun(sent, ctx)] == ["Paul Ardent", "Lise Norel"]


def _old_decide_metric(frame: frames.Frame) -> str | None:
    """decide_metric over every row of the table, in order (no rows set aside by unit and noun)."""
    unit = frame.number.unit if frame.number.unit in ("count", "EUR", "percent") else "count"
    noun = frame.noun_class or ("none" if frame.noun is None else "other")
    for row, sets in frames._metric_rows(RES):
        if frames._metric_row_holds(row, sets, frame, unit, noun):
            return row.metric
    return None


def test_metric_rows_set_aside_by_unit_and_noun_decide_as_the_whole_table() -> None:
    rng = random.Random(5)
    rows = RES.frames.metrics
    qualifiers = sorted({q for r in rows for q in r.any + r.none_of + r.all_of + r.in_sentence} | {"foreign"})
    predicates = sorted({p for r in rows for p in [r.predicate, r.not_predicate, *r.none_of_predicates] if p})
    decided = set()
    for _ in range(4000):
        unit = rng.choice(["count", "EUR", "percent", "other"])
        number = NumberMatch(0, 2, "40", rng.choice([4, 40, 400, 40000]), unit, rng.random() < 0.3, "number",
                             rng.random() < 0.3)
        frame = frames.Frame(
            number=number, anchor=0, noun=rng.choice([None, 1]),
            noun_class=rng.choice([None, "projects", "jobs", "members", "meetings", "missions", "other"]),
            predicates=frozenset(rng.sample(predicates, rng.randint(0, 3))),
            qualifiers=frozenset(rng.sample(qualifiers, rng.randint(0, 3))),
            in_sentence=frozenset(rng.sample(qualifiers, rng.randint(0, 2))),
            subject=rng.choice([None, "agency", "company", "projects", "part", "other"]), verb=rng.choice([None, 2]),
            part=rng.random() < 0.2, headcount=rng.random() < 0.2,
            periods=() if rng.random() < 0.5 else (PeriodMention(3, 7, "2019", 2019, False, "year"),))
        assert frames.decide_metric(frame, RES) == _old_decide_metric(frame), frame
        decided.add(frames.decide_metric(frame, RES))
    assert {"location_projects", "jobs_created", "foreign_share_projects", "budget", None} <= decided


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_frame_word_regexes_are_those_of_the_sorted_lists(lang: str) -> None:
    for name in ("causal_markers", "superlative_markers"):
        words = tuple(sorted(frames._words(RES, lang, name)))
        assert frames._words_regex(RES, lang, name) == (phrase_regex(words) if words else None)
    text = "une hausse grâce à 85 projets, sa meilleure année" if lang == "fr" else \
        "a rise thanks to 85 projects, its best year"
    sent = Sentence(start=0, end=len(text), text=text, lang=lang)
    assert frames._after_causal(sent, text.index("85"), RES)
    assert frames._ranks(sent, RES)
    plain = "une hausse de 85 projets cette année" if lang == "fr" else "a rise of 85 projects this year"
    sent = Sentence(start=0, end=len(plain), text=plain, lang=lang)
    assert not frames._after_causal(sent, plain.index("85"), RES)
    assert not frames._ranks(sent, RES)


def _old_heading(text: str) -> bool:
    letters = sum(map(str.isalpha, text))
    return letters >= 4 and sum(map(str.isupper, filter(str.isalpha, text))) / letters > 0.8


def test_heading_test_counts_as_before() -> None:
    rng = random.Random(3)
    alphabet = "abcXYZ éÉ ǅ Ⅻ Ⓐ İ ı ſ \u212a 1 2 . , ß ẞ 中"
    texts = ["BILAN 2014", "ILS ONT CHOISI LA PROVENCE", "Bilan 2014", "Ⅻ Ⓐ ⅫⒶ", "ǅǅǅǅ", "ABCDé", "ABCDéé", "", "AB",
             "L'AGENCE A ACCOMPAGNÉ 54 PROJETS", "The agency helped 54 projects."]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts:
        assert _heading(text) == _old_heading(text), text


def test_plain_characters_match_with_case_ignored_as_they_lower() -> None:
    # Every pair: the regex engine's case-insensitive match of two plain characters is the
    # equality of their lower-case forms, each one character, plain, a word character or not as before.
    for a in PLAIN_CHARS:
        low = a.lower()
        assert len(low) == 1 and low in PLAIN_CHARS, a
        assert bool(re.match(r"\w", a)) == bool(re.match(r"\w", low)), a
        rx = re.compile(re.escape(a), re.IGNORECASE)
        for b in PLAIN_CHARS:
            assert (rx.fullmatch(b) is not None) == (low == b.lower()), (a, b)
    for odd in "ßẞµμſİıǅ\u212a\u0345":
        assert plain_words(f"Vetrox {odd}") is None


_GATE_WORDS = ["implantation", "Implantation", "IMPLANTATION", "s'implanter", "s'implante", "ouvre", "ouverture",
               "set up", "sets up", "opens", "opened", "d'ici", "vient d'", "co-fondateur", "l'agence", "arrivée",
               "ARRIVÉE", "été", "Été", "ſet", "İmplantation", "ımplantation", "\u212aelvin", "kelvin", "straße",
               "STRASSE", "µ-site", "μ-site", "œuvre", "ŒUVRE", "40", "-based", "x-ouvre", "ouvre-", "ouvres"]


def test_phrase_gate_never_closes_on_a_text_with_a_phrase() -> None:
    rng = random.Random(20261206)
    lists = [("implantation", "s'implanter", "ouvre", "set up", "vient d'", "co-fondateur", "arrivée", "été"),
             ("ſet", "kelvin", "straße", "µ-site"),  # first words that are not plain: the gate stays open
             ("opens", "-based"),  # a phrase opening with a hyphen: looked for by its word, "based"
             ("Ouverture", "OPENED", "œuvre", " arrivée ", ""),
             ("la direction de", "à la tête d'", "the chair", "at the helm of", "d'ici", "l'agence")]
    for lang in ("fr", "en"):
        c = RES.cues
        lists.append(tuple(c.implantation_verbs.get(lang) + c.implantation_verbs.get("en")))
        lists.append(tuple(c.implantation_membership.get(lang) + c.implantation_membership.get("en")))
    closed = 0
    for _ in range(3000):
        words = [rng.choice(_GATE_WORDS + ["la", "société", "Vetrox", "à", "Brest", ",", ".", "’", "\n", "direction",
                                           "de", "tête", "d'", "the", "chair", "helm", "at", "of", "ici", "agence"])
                 for _ in range(rng.randint(1, 8))]
        text = rng.choice([" ", "", "-", "'"]).join(words)
        text = rng.choice([text, text.upper(), text.lower(), text.title()])
        for phrases in lists:
            gate = phrase_gate(phrases)
            if phrase_regex(phrases).search(text):
                assert gate.may_match(plain_words(text)), (phrases, text)
            closed += not gate.may_match(plain_words(text))
    assert closed > 1000


def test_phrase_gate_closes_on_plain_texts_without_a_first_word() -> None:
    gate = phrase_gate(("implantation", "s'implanter", "set up"))
    assert not gate.may_match(plain_words("La société recrute 40 ingénieurs à Brest."))
    assert not gate.may_match(plain_words("The firm hired 40 engineers, setup done."))
    assert gate.may_match(plain_words("Vetrox va s'IMPLANTER à Brest."))
    assert gate.may_match(plain_words("Vetrox will SET  UP a plant."))
    assert gate.may_match(plain_words("Vetrox İmplantation"))  # not plain: the gate stays open
    assert gate.may_match(None)


def test_phrase_lists_skip_texts_their_gate_closes_on() -> None:
    offices = PhraseLists([tuple(o.fr + o.en) for o in RES.roles.offices])
    texts = ["Elle prend la présidence de l'agence.", "He takes over the chairmanship of the agency.",
             "La société recrute 40 ingénieurs.", "La PRÉSIDENCE", "la ſecrétaire générale", ""]
    for text in texts:
        assert [_spans(f) for f in offices.matches(text, plain_words(text))] == [_spans(f) for f in offices.matches(text)]
    assert any(offices.matches(texts[0], plain_words(texts[0])))
    assert not offices.gate.may_match(plain_words(texts[2]))


def _spans(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group()) for m in matches]


def test_company_noun_gate_opens_wherever_the_noun_test_finds_a_noun() -> None:
    *_, noun_word = entities._company_cue_regexes(RES)
    gate = PhraseGate(RES.org_cues.company_nouns.all())
    rng = random.Random(9)
    nouns = RES.org_cues.company_nouns.all()
    pool = [n for n in nouns[:40]] + ["Vetrox", "la", "the", "ſociété", "GROUPE", "Groupe", "spécialiste", "-", ","]
    for _ in range(2000):
        text = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 6)))
        text = rng.choice([text, text.upper(), text.title()])
        if noun_word.search(text):
            assert gate.may_match(plain_words(text)), text
    assert not gate.may_match(plain_words("Vetrox recrute 40 ingénieurs à Brest."))


def test_nationality_gate_opens_wherever_the_nationality_pattern_matches() -> None:
    _noun_re, nat_re, *_ = entities._company_cue_regexes(RES)
    nationalities = [w for w in RES.country_by_word if len(w) > 3]
    gate = PhraseGate(nationalities)
    rng, hits = random.Random(13), 0
    pool = nationalities[:60] + ["le", "la", "l'", "the", "a", "groupe", "Vetrox", "Hanseo Steel", "ſuisse", ",", "\n"]
    for _ in range(3000):
        text = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 6)))
        text = rng.choice([text, text.upper(), text.title(), text.replace("l' ", "l'")])
        if nat_re.search(text):
            hits += 1
            assert gate.may_match(plain_words(text)), text
    assert hits > 50
    assert nat_re.search("le groupe coréen Hanseo") is None and nat_re.search("le coréen Hanseo")
    assert gate.may_match(plain_words("le coréen Hanseo"))
    assert not gate.may_match(plain_words("Vetrox recrute 40 ingénieurs à Brest."))


@pytest.mark.parametrize(("text", "lang", "found"), [
    ("Vetrox a inauguré son usine de Brest.", "fr", True),
    ("Vetrox recrute 40 ingénieurs à Brest.", "fr", False),
    ("Vetrox opened a plant in Truro.", "en", True),
    ("Vetrox hired 40 engineers in Truro.", "en", False),
])
def test_implantation_cues_and_their_gate(text: str, lang: str, found: bool) -> None:
    _nouns, _phrases, rx, gate = implantations._cue_phrases(RES, lang)
    assert bool(rx.search(text)) == found
    assert gate.may_match(plain_words(text)) or not found


_NORMALIZE_WORDS = {
    "fr": "la une un moitié tiers deux trois quarts quart projet projets sur cinq dix soixantaine centaines dizaine "
          "mars MARS juin d'ici dernier prochain l'an l'année 12 2019 emplois Vetrox à Brest . , - "
          "ſur Moitié TIERS İ ß cette année il y a an ans plus tôt L'AN Dernière l'exercice précédent dans vingt",
    "en": "half a one third thirds two-thirds quarter quarters three four ten in out of project projects dozen dozens "
          "March march May next last year 12 2019 jobs Vetrox in Truro . , - hal\u212a ſ this the previous "
          "YEAR Last years ago earlier years' time twenty",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_normalize_gates_find_what_the_full_scans_find(lang: str) -> None:
    rng = random.Random(20261206)
    vocabulary = _NORMALIZE_WORDS[lang].split()
    texts = ["La moitié des 40 projets, un projet sur trois, une soixantaine d'emplois en mars dernier, d'ici juin.",
             "Half of the projects, one project in four, a dozen jobs last March, by May."]
    texts += [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 9))) for _ in range(2000)]
    published = dt.date(2019, 5, 2)
    found = 0
    for text in texts:
        words = plain_words(text)
        figures = normalize.find_numbers(text, lang)
        assert normalize.find_numbers(text, lang, words) == figures, text
        periods = normalize.find_periods(text, lang, published)
        assert normalize.find_periods(text, lang, published, words) == periods, text
        found += bool(figures) + bool(periods)
    assert found > 1000
    fr = normalize.find_numbers(texts[0], "fr", plain_words(texts[0]))
    assert [(m.text, m.value) for m in fr if m.unit == "percent"] == [("La moitié", 50), ("un projet sur trois", 33.3)]
    quiet = plain_words("Vetrox recrute 40 personnes à Brest.")
    assert not dates._month_gate().may_match(quiet) and not dates._phrase_gate("fr").may_match(quiet)
    assert not dates._phrase_gate("fr").may_match(plain_words("Il y a des projets."))  # "il y a", no "un an"
    assert dates._phrase_gate("fr").may_match(plain_words("Il y a un an."))
    assert not dates._template_gate("fr").may_match(plain_words("Il y a des projets."))
    assert dates._template_gate("fr").may_match(plain_words("Il y a vingt ans."))
    assert not any(gate.may_match(quiet) for gate in vars(numbers._gates("fr")).values())


def test_template_gate_stays_open_when_a_number_touches_a_letter(monkeypatch) -> None:
    """A template whose number is part of a word ("{n}e anniversaire", "{n}th year"): the text's
    word is "10e", so the gate cannot key on "e" and never closes."""
    real = dates._section

    def section(key: str, lang: str):
        if key == "relative_templates":
            return ["{n}e anniversaire", "the {n}th year"]
        return real(key, lang)

    monkeypatch.setattr(dates, "_section", section)
    dates._template_gate.cache_clear()
    try:
        assert dates._template_gate("fr").may_match(plain_words("Pour son 10e anniversaire."))
        assert dates._template_gate("fr").may_match(plain_words("Rien ici."))
    finally:
        monkeypatch.undo()
        dates._template_gate.cache_clear()
    assert not dates._template_gate("fr").may_match(plain_words("Rien ici."))


def _random_sentence(rng: random.Random, ordered: bool) -> Sentence:
    words = [rng.choice(["Vetrox", "a", "créé", "40", "emplois", ",", "l'", "-", "x"]) for _ in range(rng.randint(1, 12))]
    tokens, at, base = [], 100, 100
    for i, word in enumerate(words):
        at += rng.choice([0, 1, 1, 2]) if ordered else rng.randint(-6, 6)
        tokens.append(Token(i=i, text=word, start=max(base, at), pos="X", dep="dep", head=rng.randrange(len(words))))
        at += len(word)
    if not ordered and rng.random() < 0.5 and len(tokens) > 1:
        tokens[0], tokens[1] = tokens[1], tokens[0]  # a token away from its index
    text = "x" * (max((t.end for t in tokens), default=base) - base + 5)
    return Sentence(start=base, end=base + len(text), text=text, lang="fr", tokens=tokens)


def test_tokens_found_by_offset_as_by_reading_them_all() -> None:
    rng = random.Random(17)
    for n in range(3000):
        sent = _random_sentence(rng, ordered=n % 3 != 0)
        for _ in range(5):
            start = rng.randint(-2, len(sent.text) + 2)
            end = start + rng.randint(0, 12)
            expected = [t.i for t in sent.tokens if t.start - sent.start < end and t.end - sent.start > start]
            assert frames._tokens_in(sent, start, end) == expected, (sent.tokens, start, end)
    assert _random_sentence(random.Random(1), ordered=True).bounds is not None


def test_subtree_from_the_dependents_index() -> None:
    rng = random.Random(19)
    for _ in range(1000):
        sent = _random_sentence(rng, ordered=True)
        roots = rng.sample(range(len(sent.tokens)), rng.randint(0, min(3, len(sent.tokens))))
        reached, grown = set(roots), True
        while grown:  # every token whose head was reached, until none is added
            more = {t.i for t in sent.tokens if t.head in reached and t.head != t.i} - reached
            reached |= more
            grown = bool(more)
        assert frames._subtree(sent, roots) == reached


def test_phrase_lists_given_the_words_match_as_without_them() -> None:
    lists = [("créés ou maintenus", "créés"), ("maintenus", "maintenu"), ("vient d'", "d'ici"), (),
             ("sa", "ſab", "Sab c"), ("new jobs", "jobs", "new"), ("jobs created", "created"), ("la direction de",)]
    rng = random.Random(23)
    words = "créés ou maintenus maintenu vient d' ici sa ſab Sab c new jobs created x - , . la direction de DE".split()
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))).replace("d' ", "d'") for _ in range(800)]
    scan = PhraseLists(lists)
    for lang in ("fr", "en"):
        qualifiers = frames._qualifier_lists(RES, lang)[2]
        for text in texts + ["40 emplois créés, dont 12 maintenus", "40 new jobs were created and 12 maintained"]:
            for lists_scan in (scan, qualifiers):
                assert [_spans(f) for f in lists_scan.matches(text, plain_words(text))] == \
                    [_spans(f) for f in lists_scan.matches(text)], text
    # a text where one list only may match is read with that list's regex alone: as each list's regex
    alone = [t for t in texts if (w := plain_words(t)) is not None and len(scan.live(w)) == 1]
    assert len(alone) > 50
    for text in alone + ["40 emplois créés", "la direction de Vetrox", "new"]:
        assert [_spans(f) for f in scan.matches(text, plain_words(text))] == \
            [_spans(list(phrase_regex(phrases).finditer(text))) for phrases in lists], text


def test_acronym_definitions_need_a_parenthesis() -> None:
    text = "Le salon Vetrox Industrie Export (VIE) ouvre ; the Norlind Trade Council (NTC) too."
    assert entities._acronym_definitions(text, RES) == {"VIE": "Vetrox Industrie Export", "NTC": "Norlind Trade Council"}
    assert entities._acronym_definitions(text.replace("(", "").replace(")", ""), RES) == {}


def test_table_header_regexes_are_those_of_the_head_lists() -> None:
    from pipeline.extraction import metrics

    heads = RES.metrics.heads
    assert metrics._head_regexes(RES) == (phrase_regex(tuple(heads["jobs"].all())), phrase_regex(tuple(heads["projects"].all())),
                                          phrase_regex(tuple(heads["projects"].all() + heads["jobs"].all())))


def test_phrase_lists_open_the_lists_their_gates_open() -> None:
    rng = random.Random(29)
    lists = [("la direction de", "direction"), ("à la tête d'", "les rênes"), ("ſab",), ("-based", "x"), ("vient d'",)]
    scan = PhraseLists(lists)
    vocabulary = "la direction de à tête d' les rênes sab ſab based x vient".split()
    for _ in range(1000):
        words = frozenset(rng.sample(vocabulary, rng.randint(0, 6)))
        assert scan.live(words) == {k for k, phrases in enumerate(lists) if phrase_gate(phrases).may_match(words)}
    assert 2 in scan.open_lists and scan.live(frozenset()) == {2}


def test_junk_answers_kept_are_those_of_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["Vetrox Invest", "Invest", "Holding", "Président de l'", "Mardi", "Janvier", "Norlind Systems", "SE",
             "Maritime/Logistique", "Green Industry", "INWARD INVESTMENT", "Agence de développement des", "x",
             "Région Sud", "Greyport County Council", "Conseil d'administration 2021", "Vetrox & Co", "2019"]
    expected = {n: entities._is_junk(n, RES) for n in names}
    assert any(expected.values()) and not all(expected.values())
    for _ in range(2):
        assert {n: entities.is_junk(n, RES) for n in names} == expected
    monkeypatch.setattr(entities, "_JUNK_ANSWERS", 4)
    RES.derived.pop("entities:junk-answers")  # built again with the smaller bound
    for n in names * 2:
        assert entities.is_junk(n, RES) is expected[n]
        assert RES.derived["entities:junk-answers"].cache_info().currsize <= 4
    RES.derived.pop("entities:junk-answers")  # the usual bound for the tests after this one


def test_table_headers_open_with_the_year_words_of_the_data() -> None:
    """A header line is one that holds a year word of models/metrics.yaml (either language)."""
    from types import SimpleNamespace

    from pipeline.extraction import metrics

    ctx = SimpleNamespace(res=RES)
    assert RES.metrics.table_year_headers.get("fr") and RES.metrics.table_year_headers.get("en")
    assert metrics._header_columns("Exercice | Projets | Emplois", "fr", ctx) == ["location_projects", "jobs_created"]
    assert metrics._header_columns("Year | Projects | Jobs", "en", ctx) == ["location_projects", "jobs_created"]
    assert metrics._header_columns("Années\tEmplois", "fr", ctx) == ["jobs_created"]
    assert metrics._header_columns("Secteur | Projets | Emplois", "fr", ctx) is None  # no year word
    assert metrics._header_columns("Region | Projects | Jobs", "en", ctx) is None


def test_counted_things_that_name_their_metric_are_data() -> None:
    """models/metrics.yaml `head_metrics`: every head it names is a head of the lexicon, and the
    agency nouns that let a named agency be the subject are those of models/org_cues.yaml."""
    heads = RES.metrics.heads
    assert RES.metrics.head_metrics and set(RES.metrics.head_metrics) <= set(heads)
    assert not {"projects", "jobs"} & set(RES.metrics.head_metrics)  # decided by their clause
    assert {"agence", "agency"} <= set(RES.org_cues.agency_nouns.all())

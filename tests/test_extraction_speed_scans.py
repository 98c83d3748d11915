"""Scans that skip what cannot match must find what the full scans find (invented FR and EN texts).

- dates.find_periods: the patterns that hold a year's digits read only a text that has them, the
  dates in words only a text with a month name, and the years alone from the first year's digits;
- resources.PhraseStarts: where phrases start with case ignored, from the lower-cased text, and a
  regex whose matches open with one of them tried there only ("CEO of X" after a title);
- metrics: the tables of a text read only where a line opens with a year (a row);
- numbers: the word tokens of a text of plain characters read with classes of those characters.
"""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from pipeline.config import DEFAULT_MODELS_DIR
from pipeline.extraction import entities
from pipeline.extraction.context import DocContext
from pipeline.extraction.entities import Mentions
from pipeline.normalize import dates
from pipeline.normalize.dates import PeriodMention
from pipeline.resources import PhraseStarts, load_resources, plain_words

_RES = load_resources(DEFAULT_MODELS_DIR)


def _periods_as_before(text: str, lang: str, published: dt.date | None,
                       words: frozenset[str] | None = None) -> list[PeriodMention]:
    """find_periods as written before its year test: every pattern over every text with a digit."""
    if not text:
        return []
    g = dates._grammar(lang)
    has_digits = re.search(r"[0-9]", text) is not None
    candidates = [dates._explicit(text, g)] if has_digits else []
    if published is not None:
        candidates.append(dates._relative(text, lang, g, published, words))
    if has_digits:
        candidates += [dates._ranges(text, g), dates._cued_years(text, g), dates._bare_years(text)]
    return dates._first_found(text, candidates)


_DATE_TEXTS = {
    "fr": ["Le 13 juillet 2017, Vetrox a ouvert son site ; en mars 2019, il comptait 40 salariés.",
           "De 2015 à 2018, puis entre 2019 et 2021, l'agence a suivi 12 projets (2017-19), à fin 2022.",
           "Publié le 03/04/2020 à 10h30, mis à jour le 2021-06-01 ; l'exercice 2019 et FY18.",
           "Il y a deux ans, l'an dernier, en septembre dernier : 150 emplois, 3,5 millions d'euros.",
           "Le site de 12 000 m2 ouvre au 1er trimestre ; 20190 habitants, code 2019a, réf. x2019, 1,2019.",
           "Bilan : 45 projets, 1 300 emplois, 25 % de plus qu'en 1999 ; 2100 et 2101, 1899."],
    "en": ["On 13 July 2017 Vetrox opened its site; in March 2019 it had 40 staff, on May 2, 2020 more.",
           "From 2015 to 2018, between 2019 and 2021, the agency backed 12 projects (2017-19), by the end of 2022.",
           "Posted 04/03/2020 at 10:30 am, updated 2021-06-01; the 2019 financial year and FY18.",
           "Two years ago, last year, last September: 150 jobs, EUR 3.5 million.",
           "A 12,000 sq ft site opens in Q1; 20190 residents, code 2019a, ref x2019, 1.2019.",
           "Results: 45 projects, 1,300 jobs, 25% more than in 1999; 2100 and 2101, 1899."],
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_periods_with_the_year_test_are_those_of_every_pattern(lang: str) -> None:
    rng = random.Random(20261206)
    texts = _DATE_TEXTS[lang]
    vocabulary = [w for t in texts for w in t.split()] + ["2019", "19", "/", "-", "juin", "June", "sept.", "Sept", "18"]
    texts = texts + [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    texts += ["".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 5))) for _ in range(1000)]  # glued words
    found = 0
    for text in texts:
        for published in (None, dt.date(2020, 5, 2)):
            expected = _periods_as_before(text, lang, published)
            assert dates.find_periods(text, lang, published) == expected, text
            assert dates.find_periods(text, lang, published, plain_words(text)) == expected, text
            found += bool(expected)
    assert found > 2000
    first = dates.find_periods(_DATE_TEXTS[lang][0], lang, None, plain_words(_DATE_TEXTS[lang][0]))
    assert [p.kind for p in first][:2] == ["date", "date"]
    quiet = "Vetrox ouvre un site à Brest." if lang == "fr" else "Vetrox opens a site in Truro."
    assert not dates._relative_gate(lang).may_match(plain_words(quiet))
    if lang == "en":  # two digits and no year: the fiscal year is still read
        fiscal = dates.find_periods("FY18: 40 projects", lang, None, plain_words("FY18: 40 projects"))
        assert [(p.text, p.year) for p in fiscal] == [("FY18", 2018)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_relative_gate_is_open_where_one_of_the_three_is(lang: str) -> None:
    rng = random.Random(41)
    vocabulary = [w.lower().strip(",.;:") for t in _DATE_TEXTS[lang] for w in t.split()] + ["ans", "il", "y", "a", "ago"]
    gates = (dates._month_gate(), dates._phrase_gate(lang), dates._template_gate(lang))
    opened = 0
    for _ in range(5000):
        words = plain_words(" ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 8))))
        expected = any(gate.may_match(words) for gate in gates)
        assert dates._relative_gate(lang).may_match(words) == expected, words
        opened += expected
    assert 500 < opened < 4500


# -- resources.PhraseStarts ------------------------------------------------------------------------

def _starts_as_the_engine_reads(phrases: list[str], text: str) -> list[int]:
    """Every position where one of `phrases` matches with case ignored, by the regex engine."""
    regexes = [re.compile(re.escape(p), re.I) for p in phrases]
    return [i for i in range(len(text)) if any(rx.match(text, i) for rx in regexes)]


def test_phrase_starts_are_where_the_engine_matches_a_phrase_with_case_ignored() -> None:
    phrases = ["chair", "Chairman", "P.-D.G.", "PDG", "vice-président", "vice président", "DG", "Directeur", "été", "d'ici"]
    starts = PhraseStarts(phrases)
    pieces = ["chair", "CHAIRMAN", "man", "p.-d.g.", "P.-D.G.", "pdg", "Vice", "-", " ", "Président", "président",
              "dg", "Dg", "x", "é", "É", "ete", "ÉTÉ", "d'", "ici", "D'ICI", ",", "\n", "directeur", "DIRECTEURS"]
    odd = ["ſ", "\u212a", "İ", "ı", "ß", "µ"]  # matched by the engine with case ignored unlike str.lower()
    rng = random.Random(23)
    texts = ["Le PDG et le vice-président, la présidente et le Directeur général ; the Chairman, chair of X.",
             "P.-D.G. de Vetrox, DG d'Orsane, d'ici l'ÉTÉ."]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    found = 0
    for text in texts:
        expected = _starts_as_the_engine_reads(phrases, text)
        assert starts.positions(text) == expected, text
        found += len(expected)
        odd_text = text + rng.choice(odd)
        assert starts.positions(odd_text) is None  # read whole by the caller
    assert found > 3000
    assert PhraseStarts(["chair", "ſtart"]).positions("chair") is None  # a phrase that is not plain
    assert PhraseStarts([]).positions("chair") is None


def test_phrase_starts_finditer_is_the_regex_finditer() -> None:
    phrases = ["chair", "chairman", "vice-chair", "CEO", "président", "vice-président", "directeur général", "DG"]
    starts = PhraseStarts(phrases)
    alt = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    regexes = [re.compile(rf"(?<![\w-])(?i:{alt})\s+(?:of|de|d')\s*([A-Z]\w+)"),
               re.compile(rf"(?i:{alt})"),  # overlapping starts: finditer's left-to-right
               re.compile(rf"(?<![\w-])(?i:{alt})(?:\s+\w+)*")]  # a match running over later starts
    words = ["chair", "Chairman", "vice-chair", "CEO", "ceo", "Président", "vice-président", "Directeur", "général",
             "DG", "of", "de", "d'", "Vetrox", "Orsane", "the", "x", "-", "\n", ",", "É", "Vice"]
    rng = random.Random(29)
    texts = ["The CEO of Vetrox met the vice-chair of Orsane; le président de Norlind, le directeur général d'Orsane.",
             "Chairman of Vetrox, vice-président de Kalvera, DG d'Orsane."]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(0, 14))) for _ in range(3000)]
    texts += [t.replace(" ", "") for t in texts[:500]]
    found = 0
    for text in texts + [texts[0] + " ſ"]:
        for rx in regexes:
            expected = [(m.span(), m.groups()) for m in rx.finditer(text)]
            assert [(m.span(), m.groups()) for m in starts.finditer(rx, text)] == expected, (text, rx.pattern[-30:])
            found += len(expected)
    assert found > 5000


def test_titled_orgs_after_a_title_found_from_the_title_starts() -> None:
    before, after = entities._titled_org_regexes(_RES)
    starts = PhraseStarts(entities._titles(_RES))
    rng = random.Random(31)
    words = [w for t in _TITLE_TEXTS for w in t.split()]
    texts = _TITLE_TEXTS + [" ".join(rng.choice(words) for _ in range(rng.randint(2, 14))) for _ in range(3000)]
    found = 0
    for text in texts:
        expected = [(m.span(), m.groups()) for m in after.finditer(text)]
        assert [(m.span(), m.groups()) for m in starts.finditer(after, text)] == expected, text
        found += bool(expected)
    assert found > 150
    mentions = entities._titled_orgs([], _TITLE_TEXTS[0], _RES)
    assert [m.name for m in mentions] == ["Vetrox Hydro", "Norlind", "Corning Gosselin"]


_TITLE_TEXTS = [
    "Le directeur général de Vetrox Hydro et la présidente d'Norlind ont rencontré le CEO of Corning Gosselin.",
    "The chairman of Orsane Works, the vice-president at Kalvera and the P.-D.G. de Tremolo Ceram were there.",
    "Le PDG de Norlind, le Pdt du Vetrox Club, la co-fondatrice de Fin-Track et le DG d'Orsane ont signé.",
    "Orsane's CEO, the head of Vetrox, the founder of Norlind Systems and the boss at Kalvera Inc. met.",
    "Aucun titre ici : le président parle, la directrice générale aussi, sans nom de société.",
]


# -- metrics: the tables of a text ---------------------------------------------------------

_TABLE_LINES = ["Exercice | Projets | Emplois", "Year | Projects | Jobs", "Années\tEmplois", "Year Projects Jobs",
                "2016 | 74 | 1 508", "2017 | 81 | 1,620", "2018\t90\t2 010", "2019 88 1990", "Secteur | Projets | Emplois",
                "Region | Projects | Jobs", "Bilan de l'année : 45 projets.", "The year was good: 40 projects, 900 jobs.",
                "", "  ", "Projets | Emplois", "x-Year | Jobs", "L'année | Emplois", "ANNÉE | PROJETS", "year-end | jobs"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tables_read_only_in_a_text_with_a_line_opening_with_a_year(lang: str, monkeypatch) -> None:
    from pipeline.extraction import metrics

    ctx = DocContext("d", "", _RES, Mentions(items=[], subject="Agence Vallon"), None)
    rng = random.Random(37)
    texts = ["\n".join(_TABLE_LINES)]
    texts += ["\n".join(rng.choice(_TABLE_LINES) for _ in range(rng.randint(1, 8))) for _ in range(1500)]
    texts += [t.replace("\n2", "\n\t2").replace("\n", rng.choice(["\n", "\r\n", "\n\n", " "])) for t in texts[:500]]
    found = []
    for text in texts:
        found.append([f.model_dump() for f in metrics.find_table_metrics(text, lang, ctx)])
    assert sum(metrics._YEAR_ROW.search(t) is None for t in texts) > 100
    monkeypatch.setattr(metrics, "_YEAR_ROW", re.compile(""))  # every text read line by line
    for text, facts in zip(texts, found):
        assert [f.model_dump() for f in metrics.find_table_metrics(text, lang, ctx)] == facts, text
    assert sum(bool(f) for f in found) > 500


# -- numbers: the word tokens of a text of plain characters ----------------------------------------

def test_plain_token_patterns_read_plain_texts_as_the_unicode_ones() -> None:
    from pipeline.normalize import numbers
    from pipeline.resources import PLAIN_CHARS

    rng = random.Random(43)
    words = ["vingt-trois", "Quatre-Vingts", "mille", "deux", "one", "Twenty-One", "l'an", "2019", "1 300", "x_y", "-",
             "—", "’", "«", "»", "…", "€", "%", "°", "\u00a0", "\u2009", "\u202f", "\t", "\n", "\n\n", "\x1c", "\x0b",
             "œuvre", "ŒUVRE", "Ÿ", "ß", "_", "é-", "-é"]
    texts = ["Vingt-trois projets, 1 300 emplois et deux cents salariés.", "Twenty-one projects and 1,300 jobs."]
    texts += ["".join(rng.choice(words + [" ", " "]) for _ in range(rng.randint(0, 14))) for _ in range(2000)]
    texts += ["".join(rng.choice(PLAIN_CHARS) for _ in range(rng.randint(0, 40))) for _ in range(2000)]
    for text in texts:
        if plain_words(text) is None:
            continue  # (not plain: the Unicode patterns read it)
        assert numbers._PLAIN_WORD_CANDIDATE.findall(text) == numbers._WORD_CANDIDATE.findall(text), text
        assert [m.span() for m in numbers._PLAIN_TOKEN.finditer(text)] == [m.span() for m in numbers._TOKEN.finditer(text)]
        for lang in ("fr", "en"):
            assert numbers.find_numbers(text, lang, plain_words(text)) == numbers.find_numbers(text, lang), text
    assert numbers.find_numbers(texts[0], "fr", plain_words(texts[0]))[0].value == 23


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_number_phrase_gate_is_open_where_one_of_the_three_is(lang: str) -> None:
    from pipeline.normalize import numbers

    gates = numbers._gates(lang)
    vocabulary = ("la moitié un tiers trois quarts sur deux dix soixantaine dizaines centaine projet emplois in out of "
                  "half a third two-thirds quarter one dozen dozens hundreds score jobs vingtaine").split()
    rng = random.Random(59)
    opened = 0
    for _ in range(5000):
        words = plain_words(" ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 5))))
        expected = any(g.may_match(words) for g in (gates.fraction, gates.share, gates.approx_noun))
        assert gates.any_phrase.may_match(words) == expected, words
        opened += expected
    assert 500 < opened < 4500
    assert numbers.find_numbers("Vetrox ouvre un site.", lang, plain_words("Vetrox ouvre un site.")) == \
        numbers.find_numbers("Vetrox ouvre un site.", lang)


def test_plain_words_are_the_word_runs_of_the_lower_cased_text() -> None:
    from pipeline.resources import PLAIN_CHARS

    rng = random.Random(47)
    texts = ["L'Agence a créé 1 300 emplois — ŒUVRE, œuvre, Ÿ ; x_y", "The AGENCY's 2019 jobs: ÀÉ, àé."]
    texts += ["".join(rng.choice(PLAIN_CHARS) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert plain_words(text) == frozenset(re.findall(r"\w+", text.lower())), text
    assert plain_words("Vetrox ſ") is None


# -- extraction: the heading test -----------------------------------------------------------------

def _heading_as_before(text: str) -> bool:
    alpha = "".join(filter(str.isalpha, text))
    letters = len(alpha)
    return letters >= 4 and sum(map(str.isupper, alpha)) / letters > 0.8


def test_heading_test_with_its_common_letters_count_first() -> None:
    from pipeline.extraction import _heading

    rng = random.Random(53)
    texts = ["BILAN 2014", "ILS ONT CHOISI LA PROVENCE", "Ils ont choisi la Provence.", "EAST", "East", "ABCDe",
             "ABCDEe", "ABCDEFGHIJe ", "eeee", "", "Ⅻ Ⓐ ⅫⒶ e", "ǅǅǅǅe"]
    for weights in ([8, 1, 1, 1], [3, 1, 1, 1], [1, 1, 1, 1], [1, 3, 1, 1]):
        for _ in range(2000):
            n = rng.randint(0, 30)
            text = "".join(rng.choice(rng.choices(["ABCDEFGHIJKLMNOPQRSTUVWXYZÉÈ", "eaisnrto", "bcdfgh", " .,1'ǅⅫß"],
                                                  weights)[0]) for _ in range(n))
            texts.append(text)
    headings = 0
    for text in texts:
        assert _heading(text) == _heading_as_before(text), text
        headings += _heading(text)
    assert 500 < headings < len(texts) - 500

"""pipeline.normalize.numbers: figures, their values, units, kinds and approximation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize.numbers import NumberMatch, find_numbers, parse_number


def _numbers(text: str, lang: str) -> list[NumberMatch]:
    return [m for m in find_numbers(text, lang) if m.kind == "number"]


def _only(text: str, lang: str) -> NumberMatch:
    found = _numbers(text, lang)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "lang,text,span,value,unit",
    [
        ("fr", "soit 1 300 emplois", "1 300", 1300, "count"),
        ("fr", "fixé à 3 170 000 € par an", "3 170 000 €", 3170000, "EUR"),
        ("fr", "un budget de 3,17 millions d'euros", "3,17 millions d'euros", 3170000, "EUR"),
        ("fr", "doté de 3,2 M€", "3,2 M€", 3200000, "EUR"),
        ("fr", "un budget de 800 k€", "800 k€", 800000, "EUR"),
        ("fr", "un fonds de 1,5 milliard", "1,5 milliard", 1500000000, "count"),
        ("fr", "1,5 milliard d'euros investis", "1,5 milliard d'euros", 1500000000, "EUR"),
        ("fr", "dont 50 % étrangers", "50 %", 50, "percent"),
        ("fr", "dont 50% étrangers", "50%", 50, "percent"),
        ("fr", "dont 50 pour cent étrangers", "50 pour cent", 50, "percent"),
        ("fr", "soit 12,5 % de plus", "12,5 %", 12.5, "percent"),
        ("fr", "un ratio de 3,17", "3,17", 3.17, "count"),
        ("fr", "1.300 emplois", "1.300", 1300, "count"),
        ("fr", "1,300 emplois", "1,300", 1300, "count"),
        ("fr", "1,300 millions", "1,300 millions", 1300000, "count"),
        ("fr", "1.300.000 habitants", "1.300.000", 1300000, "count"),
        ("fr", "1.300,5 tonnes", "1.300,5", 1300.5, "count"),
        ("fr", "3 millions €", "3 millions €", 3000000, "EUR"),
        ("fr", "une baisse de -5 %", "-5 %", -5, "percent"),
        ("en", "creating 1,300 jobs", "1,300", 1300, "count"),
        ("en", "creating 1.300 jobs", "1.300", 1300, "count"),
        ("en", "a ratio of 3.17", "3.17", 3.17, "count"),
        ("en", "1,300,000.5 units", "1,300,000.5", 1300000.5, "count"),
        ("en", "a €3.2m budget", "€3.2m", 3200000, "EUR"),
        ("en", "a €3.2 million budget", "€3.2 million", 3200000, "EUR"),
        ("en", "a $100 million investment", "$100 million", 100000000, "USD"),
        ("en", "US$ 5 million", "US$ 5 million", 5000000, "USD"),
        ("en", "EUR 3m", "EUR 3m", 3000000, "EUR"),
        ("en", "inflows of 3.6 billion euros", "3.6 billion euros", 3600000000, "EUR"),
        ("en", "2 billion people", "2 billion", 2000000000, "count"),
        ("en", "now at 50%!", "50%", 50, "percent"),
        ("en", "50 percent of them", "50 percent", 50, "percent"),
        ("en", "50 per cent of them", "50 per cent", 50, "percent"),
        ("en", "a 2,000-job goal", "2,000", 2000, "count"),
        ("en", "the 100-project mark", "100", 100, "count"),
        # A group of three digits is only a thousands group when no digit follows it.
        ("en", "an index of 3.1701", "3.1701", 3.1701, "count"),
        ("fr", "un indice de 3,1701", "3,1701", 3.1701, "count"),
        ("en", "a ratio of 12.3456 points", "12.3456", 12.3456, "count"),
    ],
)
def test_numbers_digit_values(lang: str, text: str, span: str, value: float, unit: str) -> None:
    m = _only(text, lang)
    assert (m.text, m.value, m.unit, m.words) == (span, value, unit, False)
    assert text[m.start:m.end] == m.text


@pytest.mark.parametrize(
    "lang,text,span,value,unit",
    [
        ("fr", "soixante-cinq projets", "soixante-cinq", 65, "count"),
        ("fr", "soixante-trois projets", "soixante-trois", 63, "count"),
        ("fr", "quatre-vingts emplois", "quatre-vingts", 80, "count"),
        ("fr", "deux mille emplois", "deux mille", 2000, "count"),
        ("fr", "vingt et un projets", "vingt et un", 21, "count"),
        ("fr", "un million d'euros", "un million d'euros", 1000000, "EUR"),
        ("fr", "cinquante pour cent des projets", "cinquante pour cent", 50, "percent"),
        ("fr", "neuf projets", "neuf", 9, "count"),
        ("en", "fifty jobs", "fifty", 50, "count"),
        ("en", "twenty-five firms", "twenty-five", 25, "count"),
        ("en", "one hundred firms", "one hundred", 100, "count"),
        ("en", "a thousand firms", "a thousand", 1000, "count"),
        ("en", "two million euros", "two million euros", 2000000, "EUR"),
        ("en", "fifty percent of them", "fifty percent", 50, "percent"),
    ],
)
def test_numbers_word_values(lang: str, text: str, span: str, value: int, unit: str) -> None:
    m = _only(text, lang)
    assert (m.text, m.value, m.unit, m.words) == (span, value, unit, True)


@pytest.mark.parametrize(
    "lang,text,span,value",
    [
        ("fr", "une soixantaine de projets", "une soixantaine", 60),
        ("fr", "une centaine d'emplois", "une centaine", 100),
        ("fr", "près d'une centaine d'emplois", "une centaine", 100),
        ("fr", "un millier d'emplois", "un millier", 1000),
        ("fr", "deux centaines de salariés", "deux centaines", 200),
        ("fr", "une bonne centaine de salariés", "une bonne centaine", 100),
        ("fr", "une dizaine de missions", "une dizaine", 10),
        ("en", "a dozen firms", "a dozen", 12),
        ("en", "two dozen firms", "two dozen", 24),
    ],
)
def test_numbers_approximate_nouns(lang: str, text: str, span: str, value: int) -> None:
    m = _only(text, lang)
    assert (m.text, m.value, m.approx, m.words) == (span, value, True, True)


@pytest.mark.parametrize(
    "lang,text,span,value",
    [
        ("fr", "près de 1 800 emplois", "1 800", 1800),
        ("fr", "environ 300 emplois", "300", 300),
        ("fr", "plus de 3 000 emplois", "3 000", 3000),
        ("fr", "quelque 300 personnes", "300", 300),
        ("fr", "près d'1 million d'euros", "1 million d'euros", 1000000),
        ("fr", "pas moins de 40 missions", "40", 40),
        ("fr", "près de soixante projets", "soixante", 60),
        ("en", "some 50 companies", "50", 50),
        ("en", "around 20 firms", "20", 20),
        ("en", "about 30 firms", "30", 30),
        ("en", "more than 100 projects", "100", 100),
        ("en", "over 2,000 jobs", "2,000", 2000),
        ("en", "nearly 40 firms", "40", 40),
        ("en", "almost 45 firms", "45", 45),
        ("en", "roughly 5 firms", "5", 5),
        ("en", "close to 6 firms", "6", 6),
        ("en", "upwards of 7 firms", "7", 7),
        ("en", "~8 firms", "8", 8),
        ("en", "more than €100 million", "€100 million", 100000000),
        ("en", "some fifty firms", "fifty", 50),
    ],
)
def test_numbers_approximation_cues(lang: str, text: str, span: str, value: int) -> None:
    m = _only(text, lang)
    assert (m.text, m.value, m.approx) == (span, value, True)


@pytest.mark.parametrize(
    "lang,text",
    [("fr", "1 300 emplois"), ("fr", "soixante-cinq projets"), ("en", "63 projects"), ("en", "fifty jobs")],
)
def test_numbers_exact_without_cue(lang: str, text: str) -> None:
    assert _only(text, lang).approx is False


@pytest.mark.parametrize(
    "lang,text,span,kind",
    [
        ("fr", "en 2016", "2016", "year"),
        ("fr", "le 1er projet", "1er", "ordinal"),
        ("fr", "le 2e projet", "2e", "ordinal"),
        ("fr", "la 3ème édition", "3ème", "ordinal"),
        ("fr", "le premier projet", "premier", "ordinal"),
        ("en", "the 13th edition", "13th", "ordinal"),
        ("en", "the first time", "first", "ordinal"),
        ("fr", "le 4 mars 2011", "4", "date_part"),
        ("fr", "ce 28 janvier", "28", "date_part"),
        ("fr", "le 1er mars", "1", "date_part"),
        ("en", "on 13 July 2017", "13", "date_part"),
        ("en", "on July 13, 2017", "13", "date_part"),
        ("en", "in February, 2017", "2017", "date_part"),
        ("fr", "le 13/07/2017", "13/07/2017", "date_part"),
        ("fr", "à 08:30", "08:30", "other"),
        ("fr", "à 8h30", "8h30", "other"),
        ("fr", "au 04 91 13 85 00", "04 91 13 85 00", "other"),
        ("en", "call +33 4 91 13 85 00", "+33 4 91 13 85 00", "other"),
        ("fr", "version 1.2.3", "1.2.3", "other"),
        ("en", "every weekday at 7 am", "7 am", "other"),
        ("en", "at 7:30 p.m.", "7:30 p.m.", "other"),
        ("fr", "Les plus lus\n1. Fos : un terminal", "1", "other"),
        ("en", "Most read\n 2) Where to find land", "2", "other"),
        ("fr", "la loi n° 12", "12", "other"),
        ("fr", "article 3 du décret", "3", "other"),
        ("en", "the world's top 20", "20", "other"),
        ("en", "123456789012345678 units", "123456789012345678", "other"),
    ],
)
def test_numbers_non_count_kinds(lang: str, text: str, span: str, kind: str) -> None:
    found = [m for m in find_numbers(text, lang) if m.text == span]
    assert [m.kind for m in found] == [kind]
    assert _numbers(text, lang) == []


@pytest.mark.parametrize(
    "lang,text",
    [
        ("fr", "l'un des projets"),
        ("fr", "une entreprise et un salarié"),
        ("en", "one of them, a firm"),
        ("fr", "MP2013 et B2B en 4G"),
        ("fr", "la COVID-19"),
        ("fr", "un bâtiment neuf."),
        ("fr", "un bâtiment neuf de la ville"),
        ("fr", "des dizaines de projets"),
        ("fr", "des centaines de milliers de visiteurs"),
        ("fr", "quelques centaines de salariés"),
        ("fr", "des millions de visiteurs"),
        ("en", "dozens of firms"),
        ("en", "hundreds of firms"),
        ("en", "thousands of jobs"),
        ("en", "millions of visitors"),
        ("fr", "le pour cent"),
        ("fr", ""),
        ("en", "!!!???"),
        ("en", "In 3D"),
        ("en", "a 3M product"),
    ],
)
def test_numbers_no_count(lang: str, text: str) -> None:
    assert _numbers(text, lang) == []


def test_numbers_count_in_month_sentence_is_not_a_day() -> None:
    assert [m.value for m in _numbers("In March 12 firms settled", "en")] == [12]


def test_numbers_several_in_order() -> None:
    text = "60 projets, 1 240 emplois créés et 104 maintenus en 2016"
    found = find_numbers(text, "fr")
    assert [(m.value, m.kind) for m in found] == [(60, "number"), (1240, "number"), (104, "number"), (2016, "year")]


def test_numbers_span_excludes_cue() -> None:
    text = "près de 1 800 emplois"
    m = _only(text, "fr")
    assert (m.start, m.end) == (8, 13)


@pytest.mark.parametrize(
    "lang,s,expected",
    [
        ("fr", "1 300", 1300),
        ("fr", "1,300", 1300),
        ("fr", "3,17", 3.17),
        ("fr", "3,17 millions d'euros", 3170000),
        ("fr", "3 170 000 €", 3170000),
        ("fr", "plus de 3 000", 3000),
        ("fr", "une soixantaine", 60),
        ("fr", "soixante-cinq", 65),
        ("fr", "quatre-vingts", 80),
        ("en", "1,300", 1300),
        ("en", "fifty", 50),
        ("en", "twenty-five", 25),
        ("en", "a thousand", 1000),
        ("en", "-5", -5),
        ("en", "2016", 2016),
        ("fr", "", None),
        ("fr", "   ", None),
        ("fr", "un", None),
        ("en", "one", None),
        ("fr", "1.2.3", None),
        ("fr", "abc", None),
        ("fr", "12 et 13", None),
        ("fr", "08:30", None),
        ("en", "12 apples", None),
        ("en", "123456789012345678", None),
        ("en", "9" * 400, None),
        ("en", "1" * 1000 + " jobs", None),
    ],
)
def test_numbers_parse_number(lang: str, s: str, expected: float | None) -> None:
    assert parse_number(s, lang) == expected


@pytest.mark.parametrize(
    "text",
    ["0" * 100_000, "9" * 5000 + "er", "9" * 5000 + " centaines", "1 " * 5000, "1,2" * 3000, "mars " * 3000 + "12"],
)
def test_numbers_pathological_input(text: str) -> None:
    for m in find_numbers(text, "fr"):
        assert text[m.start:m.end] == m.text


def test_numbers_huge_text_is_fine() -> None:
    text = "Le projet compte 1 300 emplois. " * 2000
    assert len(_numbers(text, "fr")) == 2000


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["fr", "en", "de"]))
def test_numbers_find_never_raises_and_spans_match(text: str, lang: str) -> None:
    previous_end = 0
    for m in find_numbers(text, lang):
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.start >= previous_end  # no overlap
        previous_end = m.end
        assert m.kind in {"number", "year", "ordinal", "date_part", "other"}


_ALPHABET = st.sampled_from(list("0123456789 ,.%€$-kMm") + ["millions", "d'euros", "près de ", "un", "mars"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join), st.sampled_from(["fr", "en"]))
def test_numbers_find_on_number_like_text(text: str, lang: str) -> None:
    for m in find_numbers(text, lang):
        assert text[m.start:m.end] == m.text
        assert isinstance(m.value, (int, float))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1), st.sampled_from(["fr", "en"]))
def test_numbers_parse_number_round_trips_ints(n: int, lang: str) -> None:
    assert parse_number(str(n), lang) == n


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100), st.sampled_from(["fr", "en"]))
def test_numbers_parse_number_never_raises(s: str, lang: str) -> None:
    value = parse_number(s, lang)
    assert value is None or isinstance(value, (int, float))

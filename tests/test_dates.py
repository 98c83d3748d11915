"""pipeline.normalize.dates: explicit and relative years, period ends, date strings."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize.dates import PeriodMention, find_periods, parse_date, resolve_relative

PUBLISHED = datetime.date(2019, 4, 3)


def _periods(text: str, lang: str, published: datetime.date | None = PUBLISHED) -> list[tuple[str, int, str]]:
    return [(p.text, p.year, p.kind) for p in find_periods(text, lang, published)]


@pytest.mark.parametrize(
    "lang,text,expected",
    [
        ("fr", "En 2016, l'agence a accompagné 60 projets.", [("2016", 2016, "year")]),
        ("en", "In 2016, the agency supported 60 projects.", [("2016", 2016, "year")]),
        ("fr", "à fin 2010, 300 emplois", [("à fin 2010", 2010, "range_end")]),
        ("fr", "d'ici 2025", [("d'ici 2025", 2025, "range_end")]),
        ("fr", "à l'horizon 2030", [("à l'horizon 2030", 2030, "range_end")]),
        ("en", "by the end of 2021", [("by the end of 2021", 2021, "range_end")]),
        ("en", "a goal for 2022", [("2022", 2022, "year")]),
        ("fr", "sur l'exercice 2010", [("l'exercice 2010", 2010, "year")]),
        ("en", "in FY2018", [("FY2018", 2018, "year")]),
        ("en", "in FY 18", [("FY 18", 2018, "year")]),
        ("en", "you may 2017", [("2017", 2017, "year")]),
        ("en", "in May 2017", [("May 2017", 2017, "date")]),
        ("fr", "Mardi 2 novembre 2010", [("2 novembre 2010", 2010, "date")]),
        ("fr", "le 4 mars 2011", [("4 mars 2011", 2011, "date")]),
        ("fr", "le 1er mars 2011", [("1er mars 2011", 2011, "date")]),
        ("fr", "en février 2017", [("février 2017", 2017, "date")]),
        ("fr", "au 4 fév. 2017", [("4 fév. 2017", 2017, "date")]),
        ("fr", "le févier 2017", [("2017", 2017, "year")]),
        ("en", "13 July 2017", [("13 July 2017", 2017, "date")]),
        ("en", "July 13, 2017", [("July 13, 2017", 2017, "date")]),
        ("en", "in February, 2017", [("February, 2017", 2017, "date")]),
        ("fr", "le 13/07/2017", [("13/07/2017", 2017, "date")]),
        ("en", "on 2017-07-13", [("2017-07-13", 2017, "date")]),
        ("fr", "de 2017 à 2019", [("2017", 2017, "range_start"), ("2019", 2019, "range_end")]),
        ("fr", "entre 2015 et 2018", [("2015", 2015, "range_start"), ("2018", 2018, "range_end")]),
        ("fr", "sur 2017-2019", [("2017", 2017, "range_start"), ("2019", 2019, "range_end")]),
        ("fr", "la saison 2017-18", [("2017", 2017, "range_start"), ("18", 2018, "range_end")]),
        ("en", "between 2017 and 2019", [("2017", 2017, "range_start"), ("2019", 2019, "range_end")]),
        ("en", "from 2017 to 2019", [("2017", 2017, "range_start"), ("2019", 2019, "range_end")]),
    ],
)
def test_dates_explicit(lang: str, text: str, expected: list[tuple[str, int, str]]) -> None:
    assert _periods(text, lang) == expected


@pytest.mark.parametrize(
    "lang,text,year",
    [
        ("fr", "L'an dernier, nous avons accompagné", 2018),
        ("fr", "l'année dernière", 2018),
        ("fr", "l'an passé", 2018),
        ("fr", "l'année précédente", 2018),
        ("fr", "l'exercice écoulé", 2018),
        ("fr", "cette année", 2019),
        ("fr", "l'exercice en cours", 2019),
        ("fr", "l'année en cours", 2019),
        ("fr", "l'année prochaine", 2020),
        ("fr", "l'an prochain", 2020),
        ("fr", "il y a deux ans", 2017),
        ("fr", "il y a 3 ans", 2016),
        ("fr", "il y a un an", 2018),
        ("fr", "le 2 avril dernier", 2019),
        ("fr", "le 5 avril dernier", 2018),
        ("fr", "en janvier dernier", 2019),
        ("fr", "en mai dernier", 2018),
        ("fr", "en avril dernier", 2018),
        ("fr", "en juin prochain", 2019),
        ("fr", "en février prochain", 2020),
        ("en", "last year", 2018),
        ("en", "Last year, the agency", 2018),
        ("en", "the previous year", 2018),
        ("en", "over the past year", 2018),
        ("en", "this year", 2019),
        ("en", "next year", 2020),
        ("en", "two years ago", 2017),
        ("en", "3 years ago", 2016),
        ("en", "last March", 2019),
        ("en", "last May", 2018),
        ("en", "next June", 2019),
        ("en", "next February", 2020),
        ("fr", "d'ici décembre", 2019),
        ("fr", "d'ici février", 2020),
        ("en", "by December", 2019),
        ("en", "by February", 2020),
    ],
)
def test_dates_relative(lang: str, text: str, year: int) -> None:
    found = find_periods(text, lang, PUBLISHED)
    assert [(p.year, p.kind, p.relative) for p in found] == [(year, "relative", True)]
    assert resolve_relative(text, lang, PUBLISHED) == year


def test_dates_relative_needs_publication_date() -> None:
    assert _periods("l'an dernier, en 2016", "fr", None) == [("2016", 2016, "year")]


def test_dates_relative_across_new_year() -> None:
    assert resolve_relative("en décembre dernier", "fr", datetime.date(2020, 1, 15)) == 2019
    assert resolve_relative("last year", "en", datetime.date(2020, 1, 1)) == 2019


@pytest.mark.parametrize(
    "lang,text",
    [
        ("fr", "3 000 emplois et 1 300 projets"),
        ("fr", "un budget de 2016 €"),
        ("fr", "la COVID-19 et MP2013"),
        ("fr", "2 016 visiteurs"),
        ("fr", "le 28 janvier"),
        ("fr", "projets en cours"),
        ("en", "in March 12 firms"),
        ("fr", ""),
        ("en", "1.2.3"),
        ("en", "20160"),
    ],
)
def test_dates_nothing(lang: str, text: str) -> None:
    assert _periods(text, lang) == []


def test_dates_several_in_order() -> None:
    text = "En 2016, l'agence a fait mieux que l'an dernier et vise 2 000 emplois d'ici 2022."
    assert _periods(text, "fr") == [
        ("2016", 2016, "year"),
        ("l'an dernier", 2018, "relative"),
        ("d'ici 2022", 2022, "range_end"),
    ]


@pytest.mark.parametrize(
    "phrase,lang",
    [("foo", "fr"), ("", "en"), ("en 2016", "fr"), ("il y a mille milliards d'ans", "fr")],
)
def test_dates_resolve_relative_unknown(phrase: str, lang: str) -> None:
    assert resolve_relative(phrase, lang, PUBLISHED) is None


@pytest.mark.parametrize(
    "s,expected",
    [
        ("13 July 2017", datetime.date(2017, 7, 13)),
        ("July 13, 2017", datetime.date(2017, 7, 13)),
        ("Mardi 2 novembre 2010", datetime.date(2010, 11, 2)),
        ("le 3 avril 2019", datetime.date(2019, 4, 3)),
        ("2019-04-03", datetime.date(2019, 4, 3)),
        ("2019-04-03T10:40:00+02:00", datetime.date(2019, 4, 3)),
        ("03/04/2019", datetime.date(2019, 4, 3)),
        ("février 2017", datetime.date(2017, 2, 1)),
        ("Updated Tuesday 9 May 2023 - 11:05", datetime.date(2023, 5, 9)),
        ("2017", None),
        ("hier", None),
        ("yesterday", None),
        ("le 28 janvier", None),
        ("junk !!", None),
        ("", None),
        ("2019-13-45", None),
        ("x" * 500, None),
    ],
)
def test_dates_parse_date(s: str, expected: datetime.date | None) -> None:
    assert parse_date(s) == expected


def test_dates_parse_date_rejects_non_strings() -> None:
    assert parse_date(None) is None  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["fr", "en", "de"]), st.dates() | st.none())
def test_dates_find_never_raises_and_spans_match(text: str, lang: str, published: datetime.date | None) -> None:
    previous_end = 0
    for p in find_periods(text, lang, published):
        assert isinstance(p, PeriodMention)
        assert 0 <= p.start < p.end <= len(text)
        assert text[p.start:p.end] == p.text
        assert p.start >= previous_end
        previous_end = p.end


_PIECES = st.sampled_from(
    ["2016", "2017", "18", " ", "-", "à ", "de ", "fin ", "l'an dernier", "mars ", "dernier", "last ", "year",
     "July ", "13 ", ", ", "FY", "il y a ", "deux", " ans", "years ago", "d'ici "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=20).map("".join), st.sampled_from(["fr", "en"]))
def test_dates_find_on_date_like_text(text: str, lang: str) -> None:
    for p in find_periods(text, lang, PUBLISHED):
        assert text[p.start:p.end] == p.text
        assert 1900 <= p.year <= 2200


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=40))
def test_dates_parse_date_never_raises(s: str) -> None:
    result = parse_date(s)
    assert result is None or isinstance(result, datetime.date)

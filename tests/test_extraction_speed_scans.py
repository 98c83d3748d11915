"""Scans that skip what cannot match must find what the full scans find (invented FR and EN texts).

- dates.find_periods: the patterns that hold a year's digits read only a text that has them, the
  dates in words only a text with a month name, and the years alone from the first year's digits;
"""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from pipeline.normalize import dates
from pipeline.normalize.dates import PeriodMention
from pipeline.resources import plain_words


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
    taken = bytearray(len(text))
    found = []
    for group in candidates:
        for mention in group:
            if not any(taken[mention.start:mention.end]):
                found.append(mention)
                taken[mention.start:mention.end] = b"\x01" * (mention.end - mention.start)
    return sorted(found, key=lambda p: (p.start, p.end))


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
    if lang == "en":  # two digits and no year: the fiscal year is still read
        fiscal = dates.find_periods("FY18: 40 projects", lang, None, plain_words("FY18: 40 projects"))
        assert [(p.text, p.year) for p in fiscal] == [("FY18", 2018)]

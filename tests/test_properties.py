"""Property tests that the per-module suites lacked (issue 5): never raise, offsets stay inside
the text, normalizing twice changes nothing.

Already covered elsewhere, and not repeated here: find_numbers / find_periods never raise and
their spans match the text (test_numbers.py, test_dates.py), parse_number reads back every
integer, clean_text is idempotent (test_clean.py), language sections cover the text
(test_language.py), read_bytes never raises on any bytes (test_ingest.py).
"""

from __future__ import annotations

import re

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import clean, language
from pipeline.config import Config
from pipeline.ingest.decode import decode, repair
from pipeline.normalize.dates import find_periods, parse_date
from pipeline.normalize.numbers import find_numbers, parse_number
from pipeline.records import Document

CFG = Config()
LANGS = st.sampled_from(["fr", "en"])
_NUMBER_PIECES = st.sampled_from(
    list("0123456789 ,.%€$-kMm")
    + ["millions", "d'euros", "près de ", "un", "mars", " projets", " emplois", "soixante-cinq", "fifty",
       " jobs", "2016", "1 300", "3,17", "€3.2m", "une soixantaine", "some ", "pour cent"]
)
_DATE_PIECES = st.sampled_from(
    ["2016", "2017", "18", " ", "-", "à ", "de ", "fin ", "l'an dernier", "mars ", "dernier", "last ", "year",
     "July ", "13 ", ", ", "FY", "il y a ", "deux", " ans", "years ago", "d'ici ", "en ", "in ", "2019-03-12",
     "12/03/2019", "13 juillet 2017", "by the end of "]
)
_PROSE = st.sampled_from(
    ["Le développement économique de la région avance.", "The agency helped 63 companies settle in 2016.",
     "Partagez sur Facebook", "Lire aussi", "« Bonjour » dit-il", "Accueil » Eco » Port", "\u00a0", "ﬁn", "\r\n",
     "\t", "", "x" * 130, "L'agence a accompagné 72 projets l'an dernier, pour 1 450 emplois.", "\n\n", "#TAG"]
)
PUBLISHED = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2030, 12, 31))


# --- numbers ---------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(_NUMBER_PIECES, max_size=20).map("".join), LANGS)
def test_properties_numbers_normalizing_twice_changes_nothing(text: str, lang: str) -> None:
    """A figure read again from its own span gives the same value and unit."""
    for m in find_numbers(text, lang):
        if m.kind != "number":
            continue
        again = [n for n in find_numbers(m.text, lang) if n.kind == "number"]
        assert again and (again[0].value, again[0].unit) == (m.value, m.unit), (text, m, again)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NUMBER_PIECES, max_size=20).map("".join), LANGS)
def test_properties_numbers_value_reads_back(text: str, lang: str) -> None:
    """The normalized value, written plainly, parses to itself."""
    for m in find_numbers(text, lang):
        if m.kind == "number":
            written = repr(m.value) if isinstance(m.value, float) else str(m.value)
            if re.fullmatch(r"\d+\.\d{3}", written):
                continue  # "3.171" alone reads as thousands by design (see numbers.py): no plain form
            assert parse_number(written, "en") == m.value, (text, m)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Nd", "No", "Zs", "Pd", "Po", "Sc", "Lu"]), max_size=60), LANGS)
def test_properties_numbers_other_scripts_digits_and_spaces(text: str, lang: str) -> None:
    """Arabic-Indic digits, superscripts, exotic spaces and dashes: no exception, spans in the text."""
    for m in find_numbers(text, lang):
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.text
    value = parse_number(text, lang)
    assert value is None or isinstance(value, (int, float))


# --- dates -----------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_properties_dates_iso_reads_back(day: datetime.date) -> None:
    assert parse_date(day.isoformat()) == day


@settings(max_examples=100, deadline=None)
@given(st.lists(_DATE_PIECES, max_size=6).map("".join) | st.text(max_size=30))
def test_properties_dates_parse_date_twice_changes_nothing(s: str) -> None:
    day = parse_date(s)
    if day is not None:
        assert parse_date(day.isoformat()) == day


@settings(max_examples=300, deadline=None)
@given(st.lists(_DATE_PIECES, max_size=12).map("".join), LANGS, PUBLISHED)
def test_properties_dates_period_read_again_from_its_span(text: str, lang: str, published: datetime.date) -> None:
    for p in find_periods(text, lang, published):
        again = find_periods(p.text, lang, published)
        assert again and again[0].year == p.year, (text, p, again)


# --- cleaning and decoding -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text() | st.lists(_PROSE, max_size=20).map("\n".join))
def test_properties_clean_character_normalization_is_idempotent(text: str) -> None:
    once = clean.normalize_characters(text)
    assert clean.normalize_characters(once) == once
    assert "\r" not in once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_properties_clean_fix_title_is_idempotent_and_one_line(title: str) -> None:
    fixed = clean.fix_title(title)
    if fixed is not None:
        assert clean.fix_title(fixed) == fixed and "\n" not in fixed


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500) | st.lists(_PROSE, max_size=30).map("\n".join), st.integers(min_value=0, max_value=400))
def test_properties_clean_truncate_keeps_a_prefix_within_the_limit(text: str, limit: int) -> None:
    cut = clean.truncate(text, limit)
    assert text.startswith(cut)
    assert len(cut) <= limit or cut == text


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PROSE, min_size=1, max_size=30).map("\n".join) | st.text(max_size=2000))
def test_properties_clean_and_language_stages_keep_offsets_in_the_text(text: str) -> None:
    """clean.run never raises, stays under max_chars, is stable, and sections tile the text."""
    doc = clean.run(Document(doc_id="p", source="p", text=text), CFG)
    assert len(doc.text) <= CFG.max_chars
    if doc.status != "ok":
        return
    assert clean.run(Document(doc_id="p", source="p", text=doc.text), CFG).text == doc.text
    doc = language.run(doc, CFG)
    if doc.sections:
        assert doc.sections[0].start == 0 and doc.sections[-1].end == len(doc.text)
        assert all(a.end == b.start for a, b in zip(doc.sections, doc.sections[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_properties_decode_repair_is_idempotent(text: str) -> None:
    once, _ = repair(text)
    assert repair(once)[0] == once


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=500).map(lambda t: t.encode("utf-16")))
def test_properties_decode_never_raises_and_gives_plain_lines(data: bytes) -> None:
    decoded = decode(data)
    assert "\r" not in decoded.text and not decoded.text.startswith("\ufeff")


# --- evidence offsets through the whole pipeline (spaCy) --------------------------------------------

_SENTENCES = st.sampled_from(
    ["Provence Promotion a accompagné 63 projets d'implantation en 2016.",
     "Ces projets représentent 1 263 emplois créés ou maintenus.",
     "Paul Ferrand, président de Provence Promotion, s'en félicite.",
     "L'agence vise 70 projets en 2017.",
     "Le budget de l'agence atteint 3,2 millions d'euros.",
     "La société indienne Infosys s'installe à Marseille avec 120 emplois.",
     "Partagez sur Facebook", "Lire aussi", "Le port a changé de nom.", "« C'est un record », dit-il."]
)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_SENTENCES, min_size=2, max_size=8).map(lambda s: "Bilan 2016 de l'agence\n\n" + " ".join(s)))
def test_properties_fact_evidence_points_into_the_cleaned_text(run_text, text: str) -> None:
    doc = run_text(text)
    for f in doc.facts:
        ev = f.evidence
        assert ev.doc_id == doc.doc_id
        assert 0 <= ev.start < ev.end <= len(doc.text)
        assert doc.text[ev.start:ev.end] == ev.sentence

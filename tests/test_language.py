"""pipeline.language: document and section language (loads the lingua models once)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import language
from pipeline.config import Config
from pipeline.records import Document, Section

FR = (
    "L'an dernier, l'agence a suivi une soixantaine de projets d'implantation menés à terme, "
    "qui ont permis de créer 1 300 emplois sur le territoire.\n\n"
    "Le patron de la chambre consulaire a salué ces résultats lors de l'assemblée générale."
)
EN = (
    "Last year, the agency helped complete some sixty business location projects, leading to "
    "the creation of 1,300 jobs in the region.\n\n"
    "The president of the chamber of commerce welcomed these results at the general meeting."
)
DE = (
    "Die Agentur hat im vergangenen Jahr rund sechzig Ansiedlungsprojekte begleitet und damit "
    "viele neue Arbeitsplätze in der Region geschaffen.\n\n"
    "Der Präsident der Handelskammer begrüßte diese Ergebnisse auf der Generalversammlung."
)
ES = (
    "La agencia acompañó el año pasado unos sesenta proyectos de implantación que crearon "
    "muchos empleos nuevos en la región y en toda la provincia."
)


def _doc(text: str) -> Document:
    return Document(doc_id="t", source="t.txt", text=text)


def _covers(text: str, sections: list[Section]) -> bool:
    ends = [0] + [s.end for s in sections]
    return all(s.start == e for s, e in zip(sections, ends, strict=False)) and ends[-1] == len(text)


@pytest.mark.parametrize(
    "text,lang",
    [
        (FR, "fr"),
        (EN, "en"),
        (DE, "de"),
        (ES, "es"),
        ("Chiffres clés de l'attractivité", "fr"),
        ("Bilan de l'année", "fr"),
        ("Communiqué de presse", "fr"),
        ("Key figures of the year", "en"),
        ("Press release", "en"),
    ],
)
def test_language_detect(text: str, lang: str) -> None:
    code, confidence = language.detect(text)
    assert code == lang
    assert 0.0 < confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "12 34 56 !!", "\n\n"])
def test_language_detect_no_letters(text: str) -> None:
    assert language.detect(text) == ("und", 0.0)


def test_language_detect_is_deterministic() -> None:
    assert {language.detect(FR) for _ in range(5)} == {language.detect(FR)}


def test_language_bilingual_release_has_two_sections() -> None:
    text = "Communiqué de presse\n\n" + FR + "\n\nPress release\n\n" + EN + "\n\nContact : 04 91 00 00 00\n"
    sections = language.split_sections(text)
    assert [s.lang for s in sections] == ["fr", "en"]
    assert text[sections[1].start:].startswith("Press release")
    assert _covers(text, sections)
    assert all(s.confidence > 0.5 for s in sections)


@pytest.mark.parametrize(
    "text,langs",
    [
        (FR, ["fr"]),
        ("Titre\n\n" + FR + "\n\nFin", ["fr"]),
        (EN + "\n\n" + DE, ["en", "de"]),
        ("Bilan de l'année", ["fr"]),
        ("Annual review", ["en"]),
    ],
)
def test_language_split_sections(text: str, langs: list[str]) -> None:
    sections = language.split_sections(text)
    assert [s.lang for s in sections] == langs
    assert _covers(text, sections)


def test_language_split_sections_empty() -> None:
    assert language.split_sections("") == []


def test_language_unsure_paragraph_follows_neighbours() -> None:
    names = "The Conseil Régional's transport budget has been handed over to the Syndicat Mixte des Transports."
    text = EN + "\n\n" + names + "\n\n" + EN
    assert [s.lang for s in language.split_sections(text)] == ["en"]


@pytest.mark.parametrize("text,lang", [(FR, "fr"), (EN, "en"), (FR + "\n\n" + EN + "\n\n" + EN, "en")])
def test_language_run_sets_lang_and_sections(text: str, lang: str) -> None:
    doc = language.run(_doc(text), Config())
    assert doc.lang == lang
    assert doc.status == "ok"
    assert doc.problems == []
    assert _covers(text, doc.sections)


def test_language_run_skips_other_language() -> None:
    doc = language.run(_doc(DE), Config())
    assert (doc.lang, doc.status) == ("de", "skipped")
    assert [(p.kind, p.message) for p in doc.problems] == [
        ("wrong_language", "document is in German (de); only fr, en are processed")
    ]


def test_language_run_warns_on_foreign_section() -> None:
    doc = language.run(_doc(FR + "\n\n" + DE), Config())
    assert (doc.lang, doc.status) == ("fr", "ok")
    assert [p.kind for p in doc.problems] == ["wrong_language"]
    assert "German (de)" in doc.warnings[0]


def test_language_run_respects_config_languages() -> None:
    doc = language.run(_doc(EN), Config(languages=["fr"]))
    assert doc.status == "skipped"
    assert doc.problems[0].message == "document is in English (en); only fr are processed"


def test_language_run_without_letters_is_skipped() -> None:
    doc = language.run(_doc("12 34 56 !!"), Config())
    assert (doc.lang, doc.status, doc.problems[0].kind) == (None, "skipped", "wrong_language")


def test_language_run_empty_text_is_left_to_ingest() -> None:
    doc = language.run(_doc(""), Config())
    assert (doc.sections, doc.status, doc.problems) == ([], "ok", [])


@pytest.mark.parametrize("text", ["Bref.", "Total", "OK"])
def test_language_run_unsure_short_text_is_kept(text: str) -> None:
    doc = language.run(_doc(text), Config())
    assert doc.status == "ok"
    assert doc.lang in ("fr", "en")
    assert [s.lang for s in doc.sections] == [doc.lang]
    assert [p.kind for p in doc.problems] == ["low_confidence"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([FR, EN, DE, "Titre", "", "12", "\n", " "]), max_size=8).map("\n\n".join))
def test_language_sections_cover_text(text: str) -> None:
    sections = language.split_sections(text)
    assert _covers(text, sections) if text else sections == []
    assert all(a.lang != b.lang for a, b in zip(sections, sections[1:], strict=False))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_language_split_never_raises(text: str) -> None:
    sections = language.split_sections(text)
    assert _covers(text, sections) if text else sections == []
    assert all(0.0 <= s.confidence <= 1.0 for s in sections)


# --- the start-up hint: a guess from raw bytes, before ingest ----------------------------------


def test_language_hint_reads_function_words_in_raw_files(tmp_path) -> None:
    models = Config().models_dir
    fr = tmp_path / "fr.html"
    fr.write_text("<html><body><p>Le président de la région a présenté les résultats de l'agence "
                  "pour 2015 : des emplois et des projets dans la métropole.</p></body></html>", encoding="utf-8")
    en = tmp_path / "en.txt"
    en.write_text("The agency said that the number of projects in the region was the highest "
                  "of the decade, and that the jobs were in the north of the city.", encoding="cp1252")
    assert language.hint(fr, models) == "fr"
    assert language.hint(en, models) == "en"


def test_language_hint_gives_up_on_binary_unreadable_and_tiny_files(tmp_path) -> None:
    models = Config().models_dir
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 64)
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("Marseille", encoding="utf-8")
    assert language.hint(junk, models) is None
    assert language.hint(tiny, models) is None
    assert language.hint(tmp_path / "missing.txt", models) is None
    assert language.hint(tmp_path, models) is None  # a folder: an OSError, not a crash


def test_language_repeated_paragraphs_are_detected_once(monkeypatch) -> None:
    """A paragraph seen before (an archive's boilerplate) costs a lookup, with the same values."""
    about_fr = "À propos de l'agence : elle accompagne les entreprises qui s'installent dans la région."
    about_en = "About the agency: it helps companies that choose to settle in the region."
    text = f"{FR}\n\n{about_fr}\n\n{EN}\n\n{about_en}"
    language._remembered_scores.cache_clear()
    first = language.split_sections(text)
    calls: list[str] = []
    real = language._detector()

    class Counting:
        def compute_language_confidence_values(self, t: str):
            calls.append(t)
            return real.compute_language_confidence_values(t)

    monkeypatch.setattr(language, "_detector", lambda: Counting())
    assert language.split_sections(text) == first
    assert calls == []  # every paragraph was remembered
    language._remembered_scores.cache_clear()
    assert language.split_sections(text) == first  # detected afresh: the same sections, same confidences
    assert calls and all(len(t) <= language.MEMO_CHARS for t in calls)


def test_language_long_texts_are_not_remembered(monkeypatch) -> None:
    long_fr = " ".join([FR] * (language.MEMO_CHARS // len(FR) + 1))
    assert len(long_fr) > language.MEMO_CHARS
    language._remembered_scores.cache_clear()
    assert language.detect(long_fr)[0] == "fr"
    assert language.detect(long_fr)[0] == "fr"
    assert language._remembered_scores.cache_info().currsize == 0
    scores = language._scores(EN)
    assert language._remembered_scores.cache_info().currsize == 1
    with pytest.raises(TypeError):
        scores["en"] = 0.0  # type: ignore[index]  # a remembered answer cannot be altered by a caller

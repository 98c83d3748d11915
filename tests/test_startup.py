"""Start-up: models loaded once even when asked from two threads (see pipeline/nlp.py), and the
components each pipeline runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from pipeline import nlp
from pipeline.config import Config, ConfigError


def test_startup_a_pipeline_is_built_once_when_threads_race(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []

    def slow_build(name: str, disable: tuple[str, ...], enable: tuple[str, ...], models_dir: str) -> object:
        built.append(name)
        time.sleep(0.2)
        return object()

    monkeypatch.setattr(nlp, "_build", slow_build)
    key = ("race_test_model", (), (), "nowhere")
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(nlp._load(*key))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert built == ["race_test_model"]
    assert len(got) == 4 and all(g is got[0] for g in got)
    nlp._LOADED.pop(key)


def test_startup_a_failed_background_load_is_raised_by_the_load_that_needs_it() -> None:
    cfg = Config(spacy_models={"fr": ["no_such_model_pkg"], "en": ["no_such_model_pkg"]})
    nlp.load_soon("fr", cfg)  # returns at once; the failure stays in its thread
    with pytest.raises(nlp.ModelNotFound, match="no_such_model_pkg"):
        nlp.load("fr", cfg)


# --- which spaCy components run (settings spacy_disable / spacy_enable) ------------------------


def test_startup_default_pipelines_run_the_parser_morphology_lemmas_and_ner(cfg: Config) -> None:
    # Figures are read through the dependency parse (pipeline/extraction/frames.py): the parser,
    # the tagger or morphologizer (tense, number) and the lemmatizer run; the parser gives the
    # sentences, so the senter stays off.
    for lang in cfg.languages:
        names = nlp.load(lang, cfg).pipe_names
        assert names[:3] == ["entity_ruler", "entity_ruler_lower", nlp.PROTECT]
        rest = names[3:]
        assert {"tok2vec", "parser", "attribute_ruler", "lemmatizer", "ner"} <= set(rest)
        assert {"morphologizer", "tagger"} & set(rest)
        assert "senter" not in rest and rest[-1] == "ner"


def test_startup_a_listener_without_its_tok2vec_is_a_clear_error() -> None:
    cfg = Config(spacy_disable=["lemmatizer", "tok2vec"], spacy_enable=[])
    with pytest.raises(ConfigError, match="tok2vec"):
        nlp.load("en", cfg)


def test_startup_without_parser_or_senter_sentences_come_from_punctuation(caplog: pytest.LogCaptureFixture) -> None:
    cfg = Config(spacy_disable=["lemmatizer", "parser", "tagger", "attribute_ruler", "tok2vec", "senter"],
                 spacy_enable=[], isolate=False)
    with caplog.at_level("WARNING", logger="pipeline.nlp"):
        pipe = nlp.load("en", cfg)
    assert "sentencizer" in pipe.pipe_names and "sentencizer" in caplog.text
    from pipeline.records import Document, Section

    text = "Press contact: Jane Doe\n\nThe agency helped 60 companies. It created 900 jobs."
    doc = Document(doc_id="x", source="x.txt", format="txt", text=text, lang="en",
                   sections=[Section(start=0, end=len(text), lang="en", confidence=1.0)])
    (_d, analysis), = nlp.analyze([doc], cfg)
    assert [s.text for s in analysis.sentences] == ["Press contact: Jane Doe", "The agency helped 60 companies.",
                                                    "It created 900 jobs."]

"""spaCy's string store stays bounded over a long run (spacy_max_new_strings): a pipeline that
grew past the bound is loaded again, or runs inside memory zones; no analysis changes."""

from __future__ import annotations

import pytest

from pipeline import nlp
from pipeline.config import Config

NORMAL = {
    "en": ["Provence Promotion helped 68 companies settle in Marseille in 2017, said Jean-Luc Chauvin.",
           "The agency expects 1,100 jobs.\n\nIts budget is 3.2 million euros."],
    "fr": ["Provence Promotion a accompagné 60 projets en 2015, a annoncé Solange Biaggi à Marseille.",
           "Ces projets représentent 1 240 emplois.\n\nLe budget de l'agence atteint 3,2 M€."],
}



def invented(n: int = 60) -> list[str]:
    """Sentences full of words no pipeline has seen (two new token texts each at least)."""
    return [f"Provence Promotion met Zorblax{i}quen and Vimtrell{i}ux in Marseille." for i in range(n)]


def test_reload_after_spacy_max_new_strings_changes_no_analysis(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    first = nlp.load("en", cfg)
    key = nlp._key("en", cfg)
    # Teardown puts the session's pipeline (and its base count) back: other tests share it.
    monkeypatch.setitem(nlp._LOADED, key, first)
    monkeypatch.setitem(nlp._BASE_STRINGS, key, nlp._BASE_STRINGS[key])
    small = cfg.with_overrides(spacy_max_new_strings=50)
    before = nlp.pipe_compact("en", NORMAL["en"], cfg)
    assert any(ents for compact in before for *_bounds, ents in compact.sentences)
    assert nlp.load("en", cfg) is first  # far below the default bound: no reload
    nlp.pipe_compact("en", invented(), small)
    reloaded = nlp.load("en", cfg)
    assert reloaded is not first  # grown past 50 new strings: loaded again
    assert len(reloaded.vocab.strings) == nlp._BASE_STRINGS[key]  # with a fresh string store
    assert reloaded.pipe_names == first.pipe_names
    assert nlp.pipe_compact("en", NORMAL["en"], cfg) == before
    assert nlp.pipe_compact("en", NORMAL["en"], small) == before


def test_memory_zone_when_spacy_max_new_strings_is_zero(cfg: Config) -> None:
    zero = cfg.with_overrides(spacy_max_new_strings=0)
    for lang in ("fr", "en"):
        pipe = nlp.load(lang, cfg)
        assert nlp.pipe_compact(lang, NORMAL[lang], zero) == nlp.pipe_compact(lang, NORMAL[lang], cfg)
        strings = len(pipe.vocab.strings)
        nlp.pipe_compact(lang, invented(), zero)
        assert len(pipe.vocab.strings) == strings  # nothing new kept
        assert nlp.load(lang, cfg) is pipe  # and no reload


FREEZE_SCRIPT = r"""
import gc, sys, weakref
from pipeline import engines, nlp
from pipeline.config import Config

cfg = Config()
engines.warm_up(cfg, ["en"])  # what a runner worker does before its first batch
frozen = gc.get_freeze_count()
assert frozen > 50_000, frozen  # the pipeline, the detector and the modules
before = nlp.pipe_compact("en", NORMAL, cfg)
old = weakref.ref(nlp.load("en", cfg))
nlp.pipe_compact("en", INVENTED, cfg.with_overrides(spacy_max_new_strings=50))
assert gc.get_freeze_count() == 0  # dropped: handed back to the collector
new = nlp.load("en", cfg)
assert new is not old() and old() is None  # the old pipeline was freed by the collection
assert gc.get_freeze_count() > 50_000  # and the new one frozen
assert nlp.pipe_compact("en", NORMAL, cfg) == before
print("ok")
"""


def test_worker_freezes_its_pipelines_and_frees_a_reloaded_one(tmp_path) -> None:
    """A worker's loaded pipelines are frozen out of the collector's sight (`nlp.freeze_loaded`);
    a pipeline dropped for a reload is handed back, freed, and its successor frozen in turn. Run in
    a child process: freezing is process-wide."""
    import subprocess
    import sys

    script = f"NORMAL = {NORMAL['en']!r}\nINVENTED = {invented()!r}\n" + FREEZE_SCRIPT
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"

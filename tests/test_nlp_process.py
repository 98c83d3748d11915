"""spaCy in a child process (pipeline/nlp_process.py): the analyses and build outputs of spaCy in
this process, clear failures (a killed child, a missing model, an abandoned stream), and string
store reloads (spacy_max_new_strings) that change no analysis.

The shared child is reused across tests (claim keeps one per spaCy configuration); the tests that
break it run last, and the missing-model one gives the normal configuration its process back."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import engines, nlp, nlp_process
from pipeline.config import Config
from pipeline.factbase import build
from pipeline.ingest import read_bytes
from pipeline.nlp_process import NlpProcessError, claim, release
from pipeline.records import Document
from pipeline.run import STAGES, run_stage

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
OUTPUTS = ["documents.jsonl", "facts.jsonl", "entities.jsonl", "history.json", "manifest.json", "facts.db"]

TEXTS = {
    "fr.txt": "Provence Promotion a accompagné 60 projets d'implantation en 2015, a annoncé Solange Biaggi, "
              "sa présidente, lors de la présentation du bilan à Marseille.\n\n"
              "Ces projets représentent 1 240 emplois créés dans la métropole Aix-Marseille-Provence.",
    "en.txt": "Provence Promotion, which promotes Aix-Marseille-Provence to investors, helped 68 companies "
              "settle in the area in 2017. Its president, Jean-Luc Chauvin, said the agency aims for 75 projects "
              "this year.\n\nThe projects will create about 1,100 jobs.",
    "mixed.txt": "Communiqué de presse. Provence Promotion a accompagné 75 projets en 2018, soit 1 300 emplois "
                 "annoncés dans la région, a indiqué Jean-Luc Chauvin, président de l'agence.\n\n"
                 "Press release. Provence Promotion, the inward investment agency of the Aix-Marseille-Provence "
                 "area, brought 75 projects to a decision in 2018, for 1,300 announced jobs.",
    "de.txt": "Die Wirtschaftsförderungsagentur Provence Promotion hat im Jahr 2015 insgesamt 60 Ansiedlungsprojekte "
              "begleitet, teilte die Präsidentin Solange Biaggi in Marseille mit. Damit entstehen rund 1.240 "
              "Arbeitsplätze.",
    "empty.txt": "",
}
NORMAL = {
    "en": ["Provence Promotion helped 68 companies settle in Marseille in 2017, said Jean-Luc Chauvin.",
           "The agency expects 1,100 jobs.\n\nIts budget is 3.2 million euros."],
    "fr": ["Provence Promotion a accompagné 60 projets en 2015, a annoncé Solange Biaggi à Marseille.",
           "Ces projets représentent 1 240 emplois.\n\nLe budget de l'agence atteint 3,2 M€."],
}


class Unpicklable(RuntimeError):
    """Raised with HOOK attached: pickle refuses it with a PicklingError (not a TypeError)."""


HOOK = lambda: None  # noqa: E731 - a module-level lambda: pickle cannot find it by name


def invented(n: int = 60) -> list[str]:
    """Sentences full of words no pipeline has seen (two new token texts each at least)."""
    return [f"Provence Promotion met Zorblax{i}quen and Vimtrell{i}ux in Marseille." for i in range(n)]


@pytest.fixture(scope="module")
def docs(cfg: Config) -> dict[str, Document]:
    """Each text of TEXTS ingested and through STAGES (clean, language), ready for spaCy."""
    out = {}
    for name, text in TEXTS.items():
        doc = read_bytes(text.encode("utf-8"), name, cfg)
        for stage_name, stage in STAGES:
            doc = run_stage(stage_name, stage, doc, cfg)
        out[name.removesuffix(".txt")] = doc
    assert [d.status for d in out.values()] == ["ok", "ok", "ok", "skipped", "skipped"]
    assert [s.lang for s in out["mixed"].sections] == ["fr", "en"]
    return out


# --- same analyses, same outputs ---------------------------------------------------------------


def test_nlp_process_yields_what_nlp_analyze_yields(cfg: Config, docs: dict[str, Document]) -> None:
    small = cfg.with_overrides(batch_size=2)  # several batches, one of two languages; same child (same key)
    d = docs
    stream: list[Document | None] = [d["fr"], d["de"], d["en"], None, d["mixed"], d["empty"], None, None, d["en"]]
    # d["en"] twice, in two batches: a document is keyed by doc_id + source within a batch only
    expected = list(nlp.analyze(stream, small))
    proc = claim(small, ["fr", "en"])
    try:
        got = list(proc.analyze(stream, small))
    finally:
        release(proc)
    assert got == expected
    assert [doc for doc, _ in got] == [x for x in stream if x is not None]  # every document, in order
    assert [a.doc_id for _, a in got] == [doc.doc_id for doc, _ in got]
    by_name = {doc.source: a for doc, a in got}
    assert by_name["de.txt"].sentences == [] and by_name["empty.txt"].sentences == []
    assert {s.lang for s in by_name["mixed.txt"].sentences} == {"fr", "en"}
    fr = by_name["fr.txt"]
    assert len(fr.sentences) == 2 and fr.sentences[1].paragraph == 1
    assert ("Provence Promotion", "ORG", "Provence Promotion") in {(e.text, e.label, e.kb_id)
                                                                   for s in fr.sentences for e in s.ents}
    assert nlp_process._SHARED.get(nlp_process._key(cfg)) is proc  # kept for the next stream
    assert proc.alive and not proc.broken


def test_nlp_process_ping_reports_cpu_and_peak_memory(cfg: Config, docs: dict[str, Document]) -> None:
    proc = claim(cfg)
    try:
        cpu0, rss0 = proc.ping()
        assert list(proc.analyze([docs["fr"]], cfg)) == list(nlp.analyze([docs["fr"]], cfg))
        cpu1, rss1 = proc.ping()
    finally:
        release(proc)
    assert cpu0 > 0 and rss0 > 0
    assert cpu1 > cpu0  # the parse ran in the child
    assert rss1 >= rss0 and rss1 > 50  # MB (peak): a spaCy model is loaded in it


@pytest.mark.skipif(engines.cpu_count() < 2, reason="spaCy runs in a child process only with two cores or more")
def test_nlp_process_build_outputs_equal_the_in_process_build(cfg: Config, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("2017-07-chauvin-preside-provence-promotion-cp1252.txt",
                 "2018-07-provence-promotion-targets-75-projects.txt"):
        shutil.copy(CORPUS / name, corpus / name)
    for name in ("fr.txt", "mixed.txt"):
        (corpus / name).write_text(TEXTS[name], encoding="utf-8")
    streams: list[bool] = []
    analyze = nlp_process.NlpProcess.analyze

    def spy(self: nlp_process.NlpProcess, docs: object, c: Config) -> object:
        streams.append(c.spacy_process)
        return analyze(self, docs, c)  # type: ignore[arg-type]

    monkeypatch.setattr(nlp_process.NlpProcess, "analyze", spy)
    child = build([corpus], tmp_path / "child", cfg, use_cache=False)
    assert streams == [True]  # spaCy did run in the child
    here = build([corpus], tmp_path / "here", cfg.with_overrides(spacy_process=False), use_cache=False)
    assert streams == [True]  # and not in this one
    assert (child.processed, child.facts) == (here.processed, here.facts) and child.facts > 0
    assert [n for n in OUTPUTS if (tmp_path / "child" / n).read_bytes() != (tmp_path / "here" / n).read_bytes()] == []


# --- string store reloads ----------------------------------------------------------------------


def test_reload_after_spacy_max_new_strings_changes_no_analysis(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    first = nlp.load("en", cfg)
    key = nlp._key("en", cfg)
    # Teardown puts the session's pipeline (and its base count) back: other tests share it.
    monkeypatch.setitem(nlp._LOADED, key, first)
    monkeypatch.setitem(nlp._BASE_STRINGS, key, nlp._BASE_STRINGS[key])
    small = cfg.with_overrides(spacy_max_new_strings=50)
    before = nlp.pipe_compact("en", NORMAL["en"], cfg)
    assert any(ents for compact in before for _s, _e, _t, ents in compact)
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


# --- failures (the last three close the shared child: they run last) --------------------------


def test_nlp_process_child_loop_answers_every_request_even_with_errors(cfg: Config,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's loop (`_serve`), run here: a failing pipe and an unknown request get an
    "error" reply, one whose exception does not pickle too, and the loop goes on."""
    from multiprocessing import Pipe

    from pipeline import isolate

    def pipe_compact(lang: str, texts: list[str], c: Config, batch_size: int | None = None) -> list[object]:
        if lang == "fr":
            raise nlp.ModelNotFound("no fr here")
        if lang == "xx":
            exc = Unpicklable("spaCy broke")
            exc.hook = HOOK  # type: ignore[attr-defined]
            raise exc
        return [[(0, len(t), [], [])] for t in texts]

    monkeypatch.setattr(nlp, "pipe_compact", pipe_compact)
    monkeypatch.setattr(isolate, "exit_with", lambda pid: None)  # no watcher thread for this process
    monkeypatch.setattr(signal, "signal", lambda *a: None)  # leave pytest's Ctrl-C handler alone
    req_r, req_w = Pipe(duplex=False)
    rep_r, rep_w = Pipe(duplex=False)
    for msg in [("load", "de"), ("pipe", "fr", ["a"], 16), ("pipe", "xx", ["b"], 16), ("what",),
                ("pipe", "en", ["abc", "de"], 16), ("ping",)]:
        req_w.send(msg)
    req_w.close()  # the loop ends once it has read them all
    nlp_process._serve(req_r, rep_w, cfg.model_dump_json(), os.getpid(), None)
    replies = [rep_r.recv() for _ in range(5)]
    assert not rep_r.poll()  # one reply per request but "load"
    for conn in (req_r, rep_r, rep_w):
        conn.close()
    kinds = [(kind, type(value).__name__) for kind, value in replies]
    assert kinds == [("error", "ModelNotFound"), ("error", "NlpProcessError"), ("error", "ValueError"),
                     ("ok", "list"), ("ok", "tuple")]
    assert "Unpicklable: spaCy broke" in str(replies[1][1])
    assert replies[3][1] == [[(0, 3, [], [])], [(0, 2, [], [])]]
    cpu, rss = replies[4][1]
    assert cpu > 0 and rss > 0


def test_nlp_process_killed_mid_stream_is_a_clear_error(cfg: Config, docs: dict[str, Document]) -> None:
    go_on = threading.Event()

    def stream() -> Iterator[Document | None]:
        yield docs["en"]
        yield None  # the first batch goes now
        go_on.wait(timeout=60)  # the second once the child is dead
        yield docs["fr"]

    proc = claim(cfg)
    try:
        pairs = proc.analyze(stream(), cfg)
        assert next(pairs)[0] is docs["en"]
        os.kill(proc._proc.pid, signal.SIGKILL)
        proc._proc.join(timeout=30)
        go_on.set()
        with pytest.raises(NlpProcessError, match=r"spaCy process ended unexpectedly \(killed by signal 9\)"):
            next(pairs)
        assert proc.broken
    finally:
        go_on.set()
        release(proc)
    assert not proc.alive and nlp_process._SHARED.get(nlp_process._key(cfg)) is not proc
    again = claim(cfg)
    try:
        assert again is not proc
        assert list(again.analyze([docs["en"]], cfg)) == list(nlp.analyze([docs["en"]], cfg))
    finally:
        release(again)


def test_nlp_process_abandoned_stream_stops_its_process(cfg: Config, docs: dict[str, Document]) -> None:
    proc = claim(cfg)
    pairs = proc.analyze([docs["en"], None, docs["mixed"], None, docs["fr"]], cfg)
    try:
        assert next(pairs)[0] is docs["en"]
        pairs.close()  # replies of the later batches may be left in the pipe
        assert proc.broken and not proc.alive
    finally:
        release(proc)
    assert nlp_process._SHARED.get(nlp_process._key(cfg)) is not proc
    again = claim(cfg)
    try:
        assert again is not proc and not again.broken
        assert list(again.analyze([docs["en"]], cfg)) == list(nlp.analyze([docs["en"]], cfg))
    finally:
        release(again)


def test_nlp_process_missing_model_is_raised_in_this_process(cfg: Config, docs: dict[str, Document]) -> None:
    bad = cfg.with_overrides(spacy_models={**cfg.spacy_models, "fr": ["no_such_model_xyz"]})
    proc = claim(bad, ["fr"])  # its own child: the early load fails there, quietly
    try:
        with pytest.raises(nlp.ModelNotFound, match="no_such_model_xyz"):
            list(proc.analyze([docs["fr"]], bad))
    finally:
        release(proc)
    assert proc.broken and not proc.alive
    assert nlp_process._key(bad) not in nlp_process._SHARED
    # The normal configuration gets a shared process again (the bad one replaced it).
    normal = claim(cfg)
    try:
        assert normal.ping()[0] > 0
    finally:
        release(normal)
    assert nlp_process._SHARED.get(nlp_process._key(cfg)) is normal

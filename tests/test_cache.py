"""The record cache: keys, storage, and a build that is interrupted and resumed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.cache import RecordCache, file_sha256, pipeline_key, record_modules
from pipeline.config import DEFAULT_MODELS_DIR, PACKAGE_ROOT, Config
from pipeline.factbase import build

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SAMPLE = ["2011-03-pfister-takes-chair-2010-results.txt", "2013-04-stefanini-succede-a-maury-bilan-2012.html",
          "2018-07-provence-promotion-targets-75-projects.txt", "2020-10-deflesselles-preside-provence-promotion.html"]


@pytest.mark.parametrize("field,value,changes", [
    ("max_chars", 1000, True),
    ("spacy_disable", ["lemmatizer", "morphologizer"], True),
    ("processes", 4, False),
    ("batch_size", 64, False),
    ("isolate", False, False),
    ("doc_timeout", 5.0, False),
])
def test_cache_pipeline_key_follows_record_settings_only(field: str, value: object, changes: bool) -> None:
    base = Config()
    assert pipeline_key(base) == pipeline_key(Config())
    assert (pipeline_key(base.with_overrides(**{field: value})) != pipeline_key(base)) is changes


def test_cache_pipeline_key_follows_the_models_data(tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, models)
    cfg = Config(models_dir=models)
    before = pipeline_key(cfg)
    assert before == pipeline_key(Config(models_dir=models))
    gaz = models / "gazetteer.yaml"
    gaz.write_text(gaz.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert pipeline_key(cfg) != before


def _code_key(root: Path) -> str:
    import hashlib

    modules, libraries = record_modules(root)
    return hashlib.sha256(repr((sorted(modules.items()), sorted(libraries))).encode()).hexdigest()


def test_cache_record_code_is_what_the_stage_chain_imports() -> None:
    modules, libraries = record_modules()
    # reached through lazy imports (the readers) and through other stage modules (normalize)
    for name in ("pipeline.ingest.pdf", "pipeline.ingest.html", "pipeline.extraction.roles",
                 "pipeline.normalize.numbers", "pipeline.inputs", "pipeline.records", "pipeline.resources"):
        assert name in modules
    for name in ("pipeline", "pipeline.cli", "pipeline.cli_ops", "pipeline.factbase", "pipeline.spool",
                 "pipeline.store", "pipeline.history", "pipeline.query", "pipeline.cache", "pipeline.cli_factbase"):
        assert name not in modules
    assert {"spacy", "trafilatura", "pypdfium2", "ftfy", "lingua", "yaml"} <= libraries
    assert not libraries & {"os", "re", "json", "click", "sqlite_utils", "tqdm"}


@pytest.mark.parametrize("edited, shapes", [
    ("extraction/roles.py", True), ("ingest/pdf.py", True), ("normalize/dates.py", True), ("records.py", True),
    ("factbase.py", False), ("cli.py", False), ("store.py", False), ("history.py", False), ("query.py", False),
])
def test_cache_editing_a_module_changes_the_key_when_it_shapes_records(tmp_path: Path, edited: str,
                                                                       shapes: bool) -> None:
    root = tmp_path / "pipeline"
    shutil.copytree(PACKAGE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    before = _code_key(root)
    target = root / edited
    target.write_text(target.read_text(encoding="utf-8") + "\nEDITED = True\n", encoding="utf-8")
    assert (_code_key(root) != before) is shapes
    # a new import of a record module from a shaping one makes it record code too
    if shapes:
        (root / "extra_helper.py").write_text("X = 1\n", encoding="utf-8")
        before = _code_key(root)
        target.write_text(target.read_text(encoding="utf-8") + "from pipeline import extra_helper\n",
                          encoding="utf-8")
        assert "pipeline.extra_helper" in record_modules(root)[0] and _code_key(root) != before


@pytest.mark.parametrize("status,kept", [("ok", True), ("skipped", True), ("failed", False)])
def test_cache_record_round_trip(tmp_path: Path, status: str, kept: bool) -> None:
    record = {"doc_id": "abc", "source": "old/place.txt", "status": status, "facts": [], "text": "é"}
    with RecordCache(tmp_path, "k1") as cache:
        assert cache.put("f" * 64, record) is kept
        got = cache.get("f" * 64, "new/place.txt")
    if kept:
        assert got == dict(record, source="new/place.txt")
    else:
        assert got is None
    with RecordCache(tmp_path, "k2") as other:  # another pipeline version sees nothing
        assert other.get("f" * 64, "x") is None
        assert other.prune() == (1 if kept else 0)


def test_cache_record_put_with_its_json_reads_back_the_same(tmp_path: Path) -> None:
    """A record stored from the JSON the build wrote (source included) reads back as one stored without."""
    import json

    record = {"doc_id": "abc", "source": "old/place.txt", "status": "ok", "facts": [], "text": "Année « 2015 »"}
    with RecordCache(tmp_path, "k1") as cache:
        cache.put("a" * 64, record)
        cache.put("b" * 64, record, json.dumps(record, ensure_ascii=False, sort_keys=True))
        assert cache.get("a" * 64, "new.txt") == cache.get("b" * 64, "new.txt") == dict(record, source="new.txt")


def test_cache_records_put_without_commit_are_kept_by_the_next_commit_or_close(tmp_path: Path) -> None:
    record = {"doc_id": "abc", "source": "a.txt", "status": "ok", "facts": []}
    failed = dict(record, status="failed")
    cache = RecordCache(tmp_path, "k1")
    cache.put("a" * 64, record, commit=False)
    with RecordCache(tmp_path, "k1") as other:  # not committed yet: another connection does not see it
        assert "a" * 64 not in other
    assert cache.put("b" * 64, failed, commit=True) is False  # not cached, but the batch is committed
    with RecordCache(tmp_path, "k1") as other:
        assert "a" * 64 in other
    cache.put("c" * 64, record, commit=False)
    cache.close()
    cache.close()  # twice: a no-op
    with RecordCache(tmp_path, "k1") as other:
        assert "c" * 64 in other and "b" * 64 not in other


def test_cache_file_sha256_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert file_sha256(tmp_path / "nope") is None


class Interrupted(Exception):
    pass


def test_cache_interrupted_build_resumes_without_redoing_done_documents(tmp_path: Path, cfg: Config) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in SAMPLE:
        shutil.copy(CORPUS / name, corpus / name)
    out = tmp_path / "out"
    (out).mkdir()
    (out / "facts.jsonl").write_text("previous output\n")
    done: list[str] = []

    def stop_after_two(d: object) -> None:
        done.append(d.source)  # type: ignore[attr-defined]
        if len(done) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        build([corpus], out, cfg, progress=stop_after_two)
    # the previous output is intact, no temporary folder is left
    assert (out / "facts.jsonl").read_text() == "previous output\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    resumed = build([corpus], out, cfg)
    assert (resumed.cached, resumed.processed) == (2, len(SAMPLE) - 2)
    build([corpus], tmp_path / "cold", cfg, use_cache=False)
    for name in ("documents.jsonl", "facts.jsonl", "entities.jsonl", "history.json", "manifest.json", "facts.db"):
        assert (out / name).read_bytes() == (tmp_path / "cold" / name).read_bytes(), name


def test_cache_warm_build_opens_no_engine_and_imports_no_spacy(tmp_path: Path, cfg: Config,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    from pipeline import engines

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / SAMPLE[0], corpus / SAMPLE[0])
    build([corpus], tmp_path / "out", cfg)

    def no_engine(*_a: object, **_k: object) -> None:
        raise AssertionError("an engine was opened although every record is cached")

    monkeypatch.setattr(engines, "open_engine", no_engine)
    assert build([corpus], tmp_path / "out", cfg).cached == 1
    # what a warm build imports (the walk, the cache, the outputs) does not pull spaCy in
    code = "import sys, pipeline.factbase, pipeline.run, pipeline.cli; assert 'spacy' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

"""The library API (`pipeline.build`, `pipeline.extract`) offers what the command line does."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import pipeline
from pipeline import factbase
from pipeline.cache import CACHE_FILE
from pipeline.cli import main
from pipeline.config import Config


def test_api_build_has_every_option_of_factbase_build() -> None:
    api = inspect.signature(pipeline.build).parameters
    impl = inspect.signature(factbase.build).parameters
    assert list(api) == list(impl)
    for name, param in impl.items():
        assert api[name].kind == param.kind, name
        if name != "cfg":  # the API defaults to Config()
            assert api[name].default == param.default, name


def test_api_build_covers_the_cli_build_options() -> None:
    """Each option of `pressfacts build` is an argument of pipeline.build or a Config field."""
    api = set(inspect.signature(pipeline.build).parameters)
    via = {"out": "out", "engine": "engine", "scheduler": "scheduler", "cache_dir": "cache_dir",
           "no_cache": "use_cache", "corpus": "corpus", "config": "cfg"}
    for param in main.commands["build"].params:
        name = param.name
        if name == "verbose":  # logging, not the build
            continue
        assert via.get(name) in api or name in Config.model_fields, f"--{name} has no counterpart in pipeline.build"


def test_api_build_passes_every_option_through(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = {}

    def fake(corpus, out, cfg, progress=None, **kwargs):  # type: ignore[no-untyped-def]
        seen.update(corpus=corpus, out=out, cfg=cfg, progress=progress, **kwargs)
        return factbase.BuildSummary()

    monkeypatch.setattr(factbase, "build", fake)
    cfg = Config(processes=2)
    pipeline.build(["c"], tmp_path, cfg, print, engine="dask", scheduler="tcp://h:8786", cache_dir="cc",
                   use_cache=False)
    assert seen == {"corpus": ["c"], "out": tmp_path, "cfg": cfg, "progress": print, "engine": "dask",
                    "scheduler": "tcp://h:8786", "cache_dir": "cc", "use_cache": False}
    pipeline.build(["c"], tmp_path)
    assert seen["cfg"] == Config() and seen["engine"] == "local" and seen["use_cache"] is True


def test_api_build_rejects_bad_engine_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="engine='dask'"):
        pipeline.build([tmp_path], tmp_path / "out", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="unknown engine 'spark'"):
        pipeline.build([tmp_path], tmp_path / "out", engine="spark")
    assert not (tmp_path / "out").exists()


def test_api_build_cache_options(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").touch()  # skipped by ingest: a record worth caching, no spaCy needed
    cfg = Config(isolate=False)
    done: list[factbase.DocDone] = []
    s = pipeline.build([corpus], tmp_path / "out", cfg, done.append, cache_dir=tmp_path / "cache")
    assert (s.inputs, s.skipped, s.processed) == (1, 1, 1)
    assert [(Path(d.source).name, d.status, d.cached) for d in done] == [("empty.txt", "skipped", False)]
    assert (tmp_path / "cache" / CACHE_FILE).is_file() and not (tmp_path / "out" / ".cache").exists()
    s = pipeline.build([corpus], tmp_path / "out", cfg, cache_dir=tmp_path / "cache")
    assert (s.cached, s.processed) == (1, 0)
    s = pipeline.build([corpus], tmp_path / "out", cfg, cache_dir=tmp_path / "cache", use_cache=False)
    assert (s.cached, s.processed) == (0, 1)

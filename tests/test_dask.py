"""The Dask engine gives the local runner's output, byte for byte (2-worker LocalCluster)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.factbase import build

NO_DASK = 'the Dask engine needs the "dask" extra: pip install -e ".[dask]"'
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SAMPLE = ["2010-02-provence-promotion-2009-around-sixty-projects.html", "2012-03-cp-bilan-2011-provence-promotion.pdf",
          "2018-07-provence-promotion-targets-75-projects.txt", "2020-02-cp-bilan-2019-fr-en.pdf"]
OUTPUTS = ["documents.jsonl", "facts.jsonl", "entities.jsonl", "history.json", "manifest.json", "facts.db"]


def test_dask_engine_output_is_identical_to_local(tmp_path: Path, cfg: Config) -> None:
    pytest.importorskip("distributed", reason=NO_DASK)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in SAMPLE:
        shutil.copy(CORPUS / name, corpus / name)
    local = build([corpus], tmp_path / "local", cfg, use_cache=False)
    # batch_size 1: two chunks of two documents, one per worker, so the merge order is exercised
    dcfg = cfg.with_overrides(processes=2, batch_size=1)
    remote = build([corpus], tmp_path / "dask", dcfg, engine="dask", use_cache=False)
    assert (remote.processed, remote.facts) == (local.processed, local.facts)
    for name in OUTPUTS:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_dask_engine_unknown_scheduler_is_a_clear_error(tmp_path: Path, cfg: Config,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed", reason=NO_DASK)
    from pipeline import engines

    monkeypatch.setattr(engines, "CONNECT_TIMEOUT", "2s")

    (tmp_path / "c").mkdir()
    shutil.copy(CORPUS / SAMPLE[2], tmp_path / "c" / "a.txt")
    with pytest.raises(engines.EngineError, match="cannot reach the Dask scheduler"):
        build([tmp_path / "c"], tmp_path / "o", cfg, engine="dask", scheduler="tcp://127.0.0.1:9", use_cache=False)


def test_dask_engine_missing_extra_names_it(tmp_path: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import engines

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    (tmp_path / "c").mkdir()
    shutil.copy(CORPUS / SAMPLE[2], tmp_path / "c" / "a.txt")
    with pytest.raises(engines.EngineError, match=r'pip install "pressfacts\[dask\]"'):
        build([tmp_path / "c"], tmp_path / "o", cfg, engine="dask", use_cache=False)

"""pressfacts: press articles in, a fact base about an organization's history out.

    from pipeline import Config, extract, build
    docs = list(extract(["article.html"], Config()))
    summary = build(["corpus/"], "output/", Config(processes=0))   # a BuildSummary
    build(["corpus/"], "output/", engine="dask", scheduler="tcp://host:8786", cache_dir="/var/cache/pf")

Scripts that call `build` or `extract` must do it under `if __name__ == "__main__":` (they start
worker processes; see docs/robustness.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config, load_config
from pipeline.records import Document

if TYPE_CHECKING:
    from pipeline.engines import Engine
    from pipeline.factbase import BuildSummary, DocDone

__all__ = ["Config", "Document", "build", "extract", "load_config"]


def extract(paths: Iterable[str | Path], cfg: Config | None = None) -> Iterator[Document]:
    """Document records for the given files and folders, streamed in input order (the local
    runner: cfg.processes worker processes)."""
    from pipeline.engines import open_engine, worker_count
    from pipeline.factbase import chunk_size
    from pipeline.inputs import DEFAULT_EXCLUDE, iter_inputs

    cfg = cfg or Config()
    # a folder is walked as `build` walks it (README, notes and data files such as gold.jsonl
    # passed over); a file named is read
    files = [str(p) for p, skip in iter_inputs(paths, DEFAULT_EXCLUDE) if skip is None]
    # opened now: a missing or malformed data folder is raised here, not in every document
    engine = open_engine("local", cfg, first=files[:4]) if files else None
    return _stream(engine, files, chunk_size(cfg, worker_count(cfg)))


def _stream(engine: Engine | None, files: list[str], size: int) -> Iterator[Document]:
    if engine is None:
        return
    try:
        batches = [engine.submit(files[i:i + size]) for i in range(0, len(files), size)]
        for batch in batches:
            yield from (Document.model_validate(r) for r in batch.result())
    finally:
        engine.close()


def build(corpus: Iterable[str | Path], out: str | Path, cfg: Config | None = None,
          progress: Callable[[DocDone], None] | None = None, *, engine: str = "local",
          scheduler: str | None = None, cache_dir: str | Path | None = None,
          use_cache: bool = True) -> BuildSummary:
    """Process a corpus and write the fact base (JSON lines, history, manifest, facts.db) to `out`.

    What `pressfacts build` does, without its argument checks and progress bar:

    Args:
        corpus: files and folders (folders are walked; see `pipeline.inputs.iter_inputs`).
        out: the output folder, replaced atomically at the end.
        cfg: settings (default `Config()`); `processes` and `strict` are the CLI's --processes and
            --strict, a TOML file is `load_config(path)`.
        progress: called with a `pipeline.factbase.DocDone` (source, status, facts, cached) after
            each input that has a record, in input order.
        engine: "local" (this machine, cfg.processes workers) or "dask" (--engine).
        scheduler: a Dask scheduler address for engine="dask"; none starts a local cluster (--scheduler).
        cache_dir: folder of the record cache, default `<out>/.cache` (--cache).
        use_cache: False processes every file again and neither reads nor writes the cache (--no-cache).

    Returns the `pipeline.factbase.BuildSummary` (counts, facts, cached/processed, seconds).
    Raises `ValueError` for an unknown engine or a scheduler without engine="dask",
    `pipeline.resources.ResourceError` when the data folder (cfg.models_dir) is missing or
    malformed, and `pipeline.engines.EngineError` when the engine cannot run.
    """
    from pipeline.engines import ENGINES
    from pipeline.factbase import build as _build

    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        raise ValueError("scheduler is the address of a Dask scheduler: pass engine='dask'")
    return _build(corpus, out, cfg or Config(), progress=progress, engine=engine, scheduler=scheduler,
                  cache_dir=cache_dir, use_cache=use_cache)

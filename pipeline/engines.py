"""Where the per-document work runs: in this process, in local worker processes, or on Dask.

Every engine does the same thing to a chunk of paths, `process_chunk`: ingest, clean, language,
spaCy, extraction, and returns plain records (`Document.model_dump(mode="json")`). Only paths
travel to a worker and only records come back (disk to disk: the corpus is never held in
memory); the caller merges the chunks in input order, so every engine gives the same output.

    engine = open_engine("local", cfg)          # processes from cfg.processes (0 = every core)
    fut = engine.submit(["a.html", "b.pdf"])    # a Future of [record, record]
    engine.close()

Engines are opened lazily by the build, only when a document is not in the cache, so a warm
rebuild neither loads spaCy nor starts a worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.config import Config

if TYPE_CHECKING:
    from pipeline.records import Document

LOGGER = logging.getLogger(__name__)

ENGINES = ("local", "dask")
CONNECT_TIMEOUT = "30s"  # to reach a remote scheduler
DASK_MISSING = ('the Dask engine needs the "dask" extra: pip install "pressfacts[dask]" '
                '(or pip install "dask[distributed]")')


class EngineError(RuntimeError):
    """An engine that cannot run here (missing extra, unreachable scheduler, version mismatch)."""


Record = dict[str, Any]


class ChunkFuture(Protocol):
    """What the build needs of a submitted chunk (concurrent.futures and Dask futures both fit)."""

    def done(self) -> bool: ...

    def result(self) -> list[Record]: ...


class Engine(Protocol):
    workers: int

    def submit(self, paths: list[str]) -> ChunkFuture: ...

    def close(self) -> None: ...


def cpu_count() -> int:
    """Cores this process may use (the affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worker_count(cfg: Config) -> int:
    """cfg.processes, with 0 meaning one per usable core."""
    return cfg.processes if cfg.processes > 0 else cpu_count()


def _prepare(paths: list[str], cfg: Config) -> list[Document]:
    from pipeline import run

    many = getattr(run, "prepare_many", None)  # process-isolated ingest, when run.py offers it
    if many is not None:
        return list(many([os.fspath(p) for p in paths], cfg))
    from pathlib import Path

    return [run.prepare(Path(p), cfg) for p in paths]


def process_chunk(paths: list[str], cfg: Config) -> list[Record]:
    """Every stage over a chunk of files: their records, in the order of `paths`."""
    from pipeline.run import process

    return [d.model_dump(mode="json") for d in process(_prepare(paths, cfg), cfg)]


class InProcess:
    """The work runs in this process, at submit time (the Future is already done)."""

    workers = 1

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    def submit(self, paths: list[str]) -> Future[list[Record]]:
        fut: Future[list[Record]] = Future()
        try:
            fut.set_result(process_chunk(paths, self.cfg))
        except BaseException as exc:  # noqa: BLE001 — handed to the caller through the Future
            fut.set_exception(exc)
        return fut

    def close(self) -> None:
        return None


class LocalPool:
    """Worker processes on this machine, each loading the spaCy models once."""

    def __init__(self, cfg: Config, workers: int) -> None:
        self.cfg = cfg
        self.workers = workers
        # forkserver: workers start clean, without the parent's threads (tqdm) or open files.
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))

    def submit(self, paths: list[str]) -> Future[list[Record]]:
        return self._pool.submit(process_chunk, paths, self.cfg)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """Chunks as tasks on a Dask distributed cluster: a scheduler address, or a LocalCluster."""

    def __init__(self, cfg: Config, scheduler: str | None = None, workers: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise EngineError(DASK_MISSING) from exc
        self.cfg = cfg
        self._cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
            except OSError as exc:
                raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        else:
            n = workers or worker_count(cfg)
            # one thread per worker: a spaCy pipeline is not shared between threads
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call]
                                         dashboard_address=None)
            self.client = Client(self._cluster)  # type: ignore[no-untyped-call]
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self._check_versions()

    def _check_versions(self) -> None:
        """Every worker must run the same pipeline as the driver, or records would mix versions."""
        from pipeline.cache import pipeline_key

        mine = pipeline_key(self.cfg)
        theirs = self.client.run(pipeline_key, self.cfg)
        wrong = sorted(addr for addr, key in theirs.items() if key != mine)
        if wrong:
            self.close()
            raise EngineError(f"Dask workers {', '.join(wrong)} run another pipeline version than this machine "
                              f"(code, models/ data, spaCy models or config differ); install the same pressfacts "
                              f"and models there")

    def submit(self, paths: list[str]) -> ChunkFuture:
        fut: ChunkFuture = self.client.submit(process_chunk, paths, self.cfg, pure=False)
        return fut

    def close(self) -> None:
        self.client.close()  # type: ignore[no-untyped-call]
        if self._cluster is not None:
            self._cluster.close()


def open_engine(name: str, cfg: Config, scheduler: str | None = None) -> Engine:
    """The engine called `name` ("local" or "dask"), ready to take chunks."""
    if name == "dask":
        return DaskEngine(cfg, scheduler)
    if name != "local":
        raise EngineError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
    n = worker_count(cfg)
    return LocalPool(cfg, n) if n > 1 else InProcess(cfg)

"""Where the per-document work runs: in this process, in local worker processes, or on Dask.

Every engine does the same thing to a chunk of paths, `process_chunk`: ingest, clean, language,
spaCy, extraction, and returns plain records (`Document.model_dump(mode="json")`). Only paths
travel to a worker and only records come back (disk to disk: the corpus is never held in
memory); the caller merges the chunks in input order, so every engine gives the same output.

    engine = open_engine("local", cfg)          # processes from cfg.processes (0 = every core)
    fut = engine.submit(["a.html", "b.pdf"])    # fut.result() == [record, record]
    engine.close()

Engines are opened lazily by the build, only when a document is not in the cache, so a warm
rebuild neither loads spaCy nor starts a worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

from pipeline.config import Config

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


def process_chunk(paths: list[str], cfg: Config) -> list[Record]:
    """Every stage over a chunk of files: their records, in the order of `paths`.

    Streamed: `prepare_many` ingests ahead in its isolated worker processes while spaCy and
    extraction run here on the documents before, so the two overlap on two cores.
    """
    from pipeline.run import prepare_many, process

    return [d.model_dump(mode="json") for d in process(prepare_many(paths, cfg), cfg)]


class _Deferred:
    """A chunk submitted to InProcess: computed, with every chunk queued before it, on first demand."""

    def __init__(self, engine: InProcess) -> None:
        self._engine = engine
        self._value: list[Record] | None = None
        self._error: BaseException | None = None

    def done(self) -> bool:
        return self._value is not None or self._error is not None

    def result(self) -> list[Record]:
        if not self.done():
            self._engine.run_queued()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


class InProcess:
    """The work runs in this process, when a result is needed.

    Chunks queue up until the build asks for the first result; then all of them go through
    one streamed `process_chunk` call, so ingest (in the isolated workers) runs ahead of spaCy
    across chunk boundaries instead of waiting at each one.
    """

    workers = 1

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self._queue: list[tuple[list[str], _Deferred]] = []

    def submit(self, paths: list[str]) -> ChunkFuture:
        fut = _Deferred(self)
        self._queue.append((paths, fut))
        return fut

    def run_queued(self) -> None:
        queue, self._queue = self._queue, []
        try:
            records = process_chunk([p for paths, _f in queue for p in paths], self.cfg)
        except BaseException as exc:  # handed to every caller of result()
            for _paths, fut in queue:
                fut._error = exc
            raise
        start = 0
        for paths, fut in queue:
            fut._value = records[start:start + len(paths)]
            start += len(paths)

    def close(self) -> None:
        self._queue.clear()


class LocalPool:
    """Worker processes on this machine, each loading the spaCy models once."""

    def __init__(self, cfg: Config, workers: int) -> None:
        self.cfg = cfg
        self.workers = workers
        # forkserver: workers start clean, without the parent's threads (tqdm) or open files.
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))

    def submit(self, paths: list[str]) -> ChunkFuture:
        fut: Future[list[Record]] = self._pool.submit(process_chunk, paths, self.cfg)
        return fut

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
            import dask

            # Workers must be allowed to start processes: ingest runs in isolated ones (pipeline.isolate).
            dask.config.set({"distributed.worker.daemon": False})
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

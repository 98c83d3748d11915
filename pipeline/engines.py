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
import queue
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pipeline.config import Config

LOGGER = logging.getLogger(__name__)

ENGINES = ("local", "dask")
CONNECT_TIMEOUT = "30s"  # to reach a remote scheduler
DASK_MISSING = ('the Dask engine needs the "dask" extra: pip install "pressfacts[dask]" '
                '(or pip install "dask[distributed]")')


class EngineError(RuntimeError):
    """An engine that cannot run here (missing extra, unreachable scheduler, version mismatch)."""


Record = dict[str, Any]
T = TypeVar("T")

if TYPE_CHECKING:
    from pipeline.nlp import Analysis
    from pipeline.nlp_process import NlpProcess
    from pipeline.records import Document


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


READ_AHEAD = 96  # prepared documents buffered ahead of spaCy: more than one nlp.analyze chunk


def _read_ahead(items: Iterator[T], size: int, idle: float | None = None) -> Iterator[T | None]:
    """`items`, pulled by a helper thread up to `size` ahead of the consumer.

    spaCy takes documents a chunk at a time (nlp.analyze); without a buffer the isolated ingest
    workers would sit idle while a chunk is parsed, then spaCy would wait for the next chunk.
    With `idle`, None is yielded whenever nothing has arrived for that many seconds (nlp.analyze
    then runs the partial batch it holds).
    """
    buf: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=size)
    stop = threading.Event()

    def pull() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buf.put((True, item), timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buf.put((False, None))
        except BaseException as exc:  # noqa: BLE001 — re-raised in the consumer
            buf.put((False, exc))

    thread = threading.Thread(target=pull, name="pressfacts-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            try:
                ok, value = buf.get(timeout=idle)
            except queue.Empty:
                yield None
                continue
            if not ok:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        thread.join()


def process_chunk(paths: list[str], cfg: Config) -> list[Record]:
    """Every stage over a chunk of files: their records, in the order of `paths`.

    Streamed: `prepare_many` ingests ahead in its isolated worker processes (and a helper thread
    keeps READ_AHEAD documents ready) while spaCy and extraction run here on the documents
    before, so the two overlap on two cores.
    """
    from pipeline.run import prepare_many, process

    prepared = _read_ahead(iter(prepare_many(paths, cfg)), READ_AHEAD)
    return [d.model_dump(mode="json") for d in process(prepared, cfg)]


def _extract_one(doc: Document, analysis: Analysis, cfg: Config) -> Record:
    """The extraction stage of one analysed document, in InProcess's helper process."""
    from pipeline import extraction
    from pipeline.run import run_stage

    return run_stage("extract", lambda d, c: extraction.run(d, analysis, c), doc, cfg).model_dump(mode="json")


def _warm_helper(cfg: Config) -> None:
    """Load what extraction needs in the helper process before its first document."""
    from pipeline import extraction  # noqa: F401
    from pipeline.resources import load_resources

    load_resources(cfg.models_dir)


# Documents waiting in the extraction helper beyond which this process extracts the next one
# itself: the helper shares its core with the ingest worker, and with a light spaCy pipeline
# (senter + ner) that core can become the slower one. Sharing the work keeps both cores busy.
HELPER_BACKLOG = 24
# Seconds without a new prepared document after which spaCy runs the batch it has (the build
# may be waiting for exactly those documents).
IDLE_FLUSH = 0.05
_CLOSE = object()


class _Chunk:
    """A submitted chunk: its future, and the record futures of its documents so far."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.future: Future[list[Record]] = Future()
        self.records: list[Future[Record]] = []

    def seal(self) -> None:
        """Resolve `future` once every document's record is there (callbacks, no waiting)."""
        left = [len(self.records)]
        lock = threading.Lock()

        def one_done(_f: Future[Record]) -> None:
            with lock:
                left[0] -= 1
                last = left[0] == 0
            if last and not self.future.done():
                try:
                    self.future.set_result([f.result() for f in self.records])
                except BaseException as exc:  # noqa: BLE001 - handed to the build
                    self.future.set_exception(exc)

        for f in self.records:
            f.add_done_callback(one_done)


class InProcess:
    """The work of one build as one continuous stream, with spaCy in a child process of its own
    on a machine of two cores or more (pipeline/nlp_process.py; cfg.spacy_process).

    A runner thread takes the paths of every submitted chunk from a queue: ingest runs ahead in
    the isolated workers, spaCy takes batches as documents arrive (a partial batch when none has
    arrived for IDLE_FLUSH s), extraction runs here, and each chunk's future resolves when its
    last record is ready. Nothing stops between chunks, so no process waits for another at
    chunk boundaries. Measured on two cores: spaCy alone in its process runs at the speed of
    raw `nlp.pipe`, while ingest, extraction and writing share the other core.

    With cfg.spacy_process false (or one core), spaCy runs in the runner thread, and with a
    second core extraction goes to a helper process while it keeps up.
    """

    workers = 1

    def __init__(self, cfg: Config, first: list[str] | None = None) -> None:
        self.cfg = cfg
        self._helper: ProcessPoolExecutor | None = None
        self._starting: threading.Thread | None = None
        self._paths: queue.Queue[object] = queue.Queue()
        self._chunks: deque[_Chunk] = deque()  # submitted, not yet fully dispatched (runner side)
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._runner: threading.Thread | None = None
        self._given = self._taken = 0  # paths handed to prepare_many, documents out of it (read-ahead thread)
        self._nlp: NlpProcess | None = None
        # Start-up in parallel: the isolated ingest workers, the extraction helper and the
        # spaCy pipelines the first files probably need all start now, not one after the other
        # when the first document is due. A wrong guess only loads a model early.
        from pipeline import language, nlp

        if cfg.isolate:
            from pipeline import isolate

            isolate.start_soon(cfg)
        guesses = {language.hint(path, cfg.models_dir) for path in first or []}
        wanted = [lang for lang in cfg.languages if lang in guesses]  # in the configured order: the likelier first
        if cfg.spacy_process and cpu_count() > 1:
            from pipeline import nlp_process

            self._nlp = nlp_process.claim(cfg, wanted)
            return
        for lang in wanted:
            nlp.load_soon(lang, cfg)
        if cpu_count() > 1:
            self._starting = threading.Thread(target=self._start_helper, name="pressfacts-helper-start", daemon=True)
            self._starting.start()

    def _start_helper(self) -> None:
        from pipeline.isolate import exit_with

        # exit_with: a killed build leaves no helper behind (it would wait for work forever).
        helper = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"),
                                     initializer=exit_with, initargs=(os.getpid(),))
        helper.submit(_warm_helper, self.cfg)
        self._helper = helper

    def _helper_pool(self) -> ProcessPoolExecutor | None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        return self._helper

    def submit(self, paths: list[str]) -> ChunkFuture:
        chunk = _Chunk(len(paths))
        with self._lock:
            if self._error is not None:
                chunk.future.set_exception(self._error)
                return chunk.future
            self._chunks.append(chunk)
        for p in paths:
            self._paths.put(p)
        if self._runner is None:
            self._runner = threading.Thread(target=self._run, name="pressfacts-in-process", daemon=True)
            self._runner.start()
        return chunk.future

    def _path_stream(self) -> Iterator[str | None]:
        """Submitted paths for `prepare_many`; None ("nothing more for now") when the queue is
        empty while documents are still being prepared, so that those come out."""
        while True:
            if self._given > self._taken:
                try:
                    item = self._paths.get_nowait()
                except queue.Empty:
                    yield None
                    continue
            else:
                item = self._paths.get()
            if item is _CLOSE:
                return
            self._given += 1
            yield str(item)

    def _prepared(self) -> Iterator[Document | None]:
        from pipeline.run import prepare_many

        for doc in prepare_many(self._path_stream(), self.cfg):
            self._taken += 1
            yield doc

    def _run(self) -> None:
        from pipeline import nlp

        try:
            helper = self._helper_pool()
            waiting: deque[Future[Record]] = deque()  # submitted to the helper, oldest first
            prepared = _read_ahead(self._prepared(), READ_AHEAD, idle=IDLE_FLUSH)
            stream = self._nlp.analyze(prepared, self.cfg) if self._nlp else nlp.analyze(prepared, self.cfg)
            try:
                self._extract(stream, helper, waiting)
            finally:
                stream.close()  # an unfinished stream stops its spaCy process now, not at garbage collection
        except BaseException as exc:  # noqa: BLE001 - handed to the build through the futures
            self._fail(exc)

    def _extract(self, stream: Iterator[tuple[Document, Analysis]], helper: ProcessPoolExecutor | None,
                 waiting: deque[Future[Record]]) -> None:
        for doc, analysis in stream:
            if self._stop.is_set():
                return
            while waiting and waiting[0].done():
                waiting.popleft()
            if helper is not None and doc.status == "ok" and len(waiting) < HELPER_BACKLOG:
                fut = helper.submit(_extract_one, doc, analysis, self.cfg)
                waiting.append(fut)
            else:  # extracted here (run_stage passes a document that is not ok through untouched)
                fut = Future()
                fut.set_result(_extract_one(doc, analysis, self.cfg))
            self._add(fut)

    def _add(self, record: Future[Record]) -> None:
        with self._lock:
            chunk = self._chunks[0]
            chunk.records.append(record)
            full = len(chunk.records) == chunk.size
            if full:
                self._chunks.popleft()
        if full:
            chunk.seal()

    def _fail(self, exc: BaseException) -> None:
        with self._lock:
            self._error = exc
            chunks, self._chunks = list(self._chunks), deque()
        for chunk in chunks:
            if not chunk.future.done():
                chunk.future.set_exception(exc)

    def close(self) -> None:
        self._stop.set()
        self._paths.put(_CLOSE)
        if self._runner is not None:
            self._runner.join()
        helper = self._helper_pool()
        if helper is not None:
            helper.shutdown(wait=True, cancel_futures=True)
        if self._nlp is not None:
            from pipeline import nlp_process

            nlp_process.release(self._nlp)
            self._nlp = None


class LocalPool:
    """Worker processes on this machine, each loading the spaCy models once."""

    def __init__(self, cfg: Config, workers: int) -> None:
        self.cfg = cfg
        self.workers = workers
        # forkserver: workers start clean, without the parent's threads (tqdm) or open files.
        from pipeline.isolate import exit_with

        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                                         initializer=exit_with, initargs=(os.getpid(),))

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


def open_engine(name: str, cfg: Config, scheduler: str | None = None, first: list[str] | None = None) -> Engine:
    """The engine called `name` ("local" or "dask"), ready to take chunks.

    `first`, the first files it will be given, lets the in-process engine start loading the
    spaCy pipelines they probably need (see `language.hint`) while its workers start.

    The data folder is read and validated first (`resources.check_data`): a missing or malformed
    one is one ResourceError before any document, not a failure of every document. A build whose
    records all come from the cache opens no engine (and a changed data folder changes the
    pipeline key, so its records do not come from the cache).
    """
    from pipeline.resources import check_data

    check_data(cfg.models_dir)
    if name == "dask":
        return DaskEngine(cfg, scheduler)
    if name != "local":
        raise EngineError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
    n = worker_count(cfg)
    return LocalPool(cfg, n) if n > 1 else InProcess(cfg, first)

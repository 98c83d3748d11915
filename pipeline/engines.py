"""Where batches of files are processed: worker processes on this machine, or a Dask cluster.

Every engine runs the same function on a batch of paths, `pipeline.run.run_batch` (every stage,
in order), and returns plain records. Only paths travel to a worker and only records come back
(disk to disk: the corpus is never held in memory); the caller merges the batches in input
order, so every engine gives the same output.

    engine = open_engine("local", cfg)          # cfg.processes workers (0 = one per core)
    fut = engine.submit(["a.html", "b.pdf"])    # fut.result() == [record, record]
    engine.close()

The local runner is a pebble ProcessPool: N worker processes, each loading its spaCy pipelines
once and running the whole chain on one batch after another. A worker that dies (killed, out
of memory, or ended by the per-document timer of `run.run_stage` after cfg.doc_timeout) is
replaced by the pool; the documents of its batch are then run again one per task, so that the
one that killed it is found and recorded as failed with the reason, and the others get their
records. Engines are opened lazily by the build, only when a document is not in the cache, so
a warm rebuild neither loads spaCy nor starts a worker.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol

from pipeline.config import Config

LOGGER = logging.getLogger(__name__)

ENGINES = ("local", "dask")
CONNECT_TIMEOUT = "30s"  # to reach a remote scheduler
DASK_MISSING = ('the Dask engine needs the "dask" extra: pip install "pressfacts[dask]" '
                '(or pip install "dask[distributed]")')
# Modules the forkserver imports once, so that a new worker is a cheap fork.
PRELOAD = ["pipeline.run", "pipeline.ingest.pdf", "pipeline.ingest.html", "spacy"]

Record = dict[str, Any]


class EngineError(RuntimeError):
    """An engine that cannot run here (missing extra, unreachable scheduler, version mismatch)."""


class ChunkFuture(Protocol):
    """What the build needs of a submitted batch (concurrent.futures and Dask futures both fit)."""

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


# --- the worker side ----------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when its parent (the forkserver, which ends with the
    build) goes away, so a build killed with SIGKILL leaves no worker behind."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _exit_with(pid: int) -> None:
    """End this process when process `pid` (the build) ends. A worker's parent is the forkserver,
    not the build, and a worker forked just before the build was killed would miss the parent-death
    signal: a thread watches the build itself (a pidfd where there is one, else a poll)."""

    def watch() -> None:
        try:
            fd = os.pidfd_open(pid)  # Linux >= 5.3
        except (AttributeError, OSError):  # elsewhere, or the build has already gone
            fd = None
        if fd is not None:
            import select

            select.select([fd], [], [])  # readable when the process has ended
            os._exit(0)
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except OSError:
                pass
            time.sleep(0.5)

    threading.Thread(target=watch, name="pressfacts-watch-build", daemon=True).start()


def exit_with_build(build_pid: int) -> None:
    """A process the build started (through the forkserver) ends when the build does, however
    the build ends."""
    _die_with_parent()
    _exit_with(build_pid)


def one_core_each() -> None:
    """A worker is one core's share of the work: lingua, which spreads a detection over every
    core (rayon, whose idle threads spin before they sleep), runs on one thread. Effective
    before this process's first detection (rayon reads it once)."""
    os.environ.setdefault("RAYON_NUM_THREADS", "1")


def warm_up(cfg: Config, languages: list[str]) -> None:
    """Load the spaCy pipelines of `languages` and the language detector in this worker, before
    its first batch: loaded by the nlp stage instead (in a background thread), a model competes
    for the interpreter with the batch's first documents. A failure waits for the load that
    needs it (the nlp stage raises it again, in the build)."""
    from pipeline import nlp
    from pipeline.language import detect

    for lang in languages:
        try:
            nlp.load(lang, cfg)
        except Exception:  # noqa: BLE001 - raised again by the nlp stage, in the build
            LOGGER.debug("early load of the %s pipeline failed", lang, exc_info=True)
    detect("Le développement économique de la région avance. The region's economy grows.")
    nlp.freeze_loaded()  # what is loaded now lives as long as the worker: out of the collector's way


def _start_worker(build_pid: int, cfg: Config, log_level: int | None,
                  languages: list[str]) -> None:
    """A runner worker's start: tied to the build, limits on, readers and language detector warm,
    and the spaCy pipelines its first files probably need loaded."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build decides when to stop
    exit_with_build(build_pid)
    one_core_each()
    if log_level is not None:
        logging.basicConfig(level=log_level, stream=sys.stderr,
                            format="%(levelname)s %(name)s [worker %(process)d]: %(message)s")
    from pipeline import run

    # Loaded now, not in a background thread: the per-document address-space limit of the first
    # files must not count a model loading beside them.
    warm_up(cfg, languages)
    run.guard_this_process()  # a document over doc_timeout ends this process with SIGALRM (see failure)


# --- the parent side ----------------------------------------------------------------------------


def signal_name(exitcode: int | None) -> str:
    if exitcode is None:
        return "an unknown cause"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def start_forkserver() -> None:
    """Start the forkserver now, with PYTHONSAFEPATH: it runs as `python -c`, whose sys.path starts
    with the current folder, and Python 3.11 imports its preload before taking the build's
    sys.path. Run from a source checkout with pressfacts installed from a wheel, the workers would
    otherwise run the checkout's `pipeline`, not the installed one."""
    from multiprocessing import forkserver

    previous = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        forkserver.ensure_running()
    finally:
        if previous is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = previous


def likely_languages(cfg: Config, first: list[str] | None) -> list[str]:
    """The configured languages that the files `first` probably have (`language.hint`)."""
    from pipeline import language

    guesses = {language.hint(path, cfg.models_dir) for path in first or []}
    return [lang for lang in cfg.languages if lang in guesses]


class _Batch:
    """A submitted batch. If its worker died, each of its documents is run again alone, and the
    one whose worker dies again gets a failed record saying why (`LocalRunner._failure`)."""

    def __init__(self, runner: LocalRunner, paths: list[str], future: Future[list[Record]]) -> None:
        self.runner, self.paths, self.future = runner, paths, future
        self._records: list[Record] | None = None

    def done(self) -> bool:
        return self.future.done()

    def result(self) -> list[Record]:
        """The batch's records (asked once per document by the build: worked out once)."""
        if self._records is None:
            self._records = self._collect()
        return self._records

    def _collect(self) -> list[Record]:
        from pebble import ProcessExpired

        try:
            return self.future.result()
        except ProcessExpired as exc:
            if len(self.paths) == 1:
                return [self.runner.failure(self.paths[0], exc)]
            LOGGER.info("a worker ended during a batch of %d documents (%s): running them one by one",
                        len(self.paths), exc)
            alone = [self.runner.submit([p]) for p in self.paths]
            return [record for batch in alone for record in batch.result()]


class LocalRunner:
    """Worker processes on this machine (a pebble ProcessPool), each running `run_batch`.

    Kept for the life of the process, like a loaded model (`shared`): a test session, or a script
    that builds several corpora, starts the workers and loads their models once."""

    def __init__(self, cfg: Config, workers: int, first: list[str] | None = None, stages: Any = None) -> None:
        from pebble import ProcessPool

        self.cfg = cfg
        self.workers = workers
        self.restarts = 0
        self._stages = stages
        self._pending: list[Future[list[Record]]] = []
        wanted = likely_languages(cfg, first)
        level = logging.getLogger().level if logging.getLogger().handlers else None
        # forkserver: workers start clean, without the parent's threads (tqdm) or open files,
        # and cheaply, from a server that has imported the readers and spaCy once.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        start_forkserver()
        self._pool = ProcessPool(max_workers=workers, initializer=_start_worker,
                                 initargs=(os.getpid(), cfg, level, wanted), context=ctx)

    @classmethod
    def shared(cls, cfg: Config, workers: int, first: list[str] | None = None, stages: Any = None) -> LocalRunner:
        """The process-wide runner for (cfg, workers, stages), started on first use; one at a time."""
        key = (cfg.model_dump_json(), workers, stages)
        with _SHARED_LOCK:
            runner = _SHARED.get(key)
            if runner is None or not runner._pool.active:
                for other in _SHARED.values():
                    other.stop()
                _SHARED.clear()
                runner = _SHARED[key] = cls(cfg, workers, first, stages)
        return runner

    def submit(self, paths: list[str]) -> _Batch:
        from pipeline.run import run_batch

        future: Future[list[Record]] = self._pool.schedule(run_batch, args=(paths, self.cfg, self._stages))
        self._pending = [f for f in self._pending if not f.done()] + [future]
        return _Batch(self, paths, future)

    def failure(self, path: str, exc: Any) -> Record:
        """The record of a document whose worker died while it was alone in it."""
        from pipeline.run import failed_document, memory_message, timeout_message

        self.restarts += 1
        if exc.exitcode == -signal.SIGALRM:  # its doc_timeout timer (run.guard_this_process)
            LOGGER.warning("%s: gave up after %g s (doc_timeout)", path, self.cfg.doc_timeout)
            doc = failed_document(Path(path), self.cfg, "timeout", timeout_message(self.cfg))
        else:
            cause = signal_name(exc.exitcode)
            LOGGER.warning("%s: worker died with %s", path, cause)
            doc = failed_document(Path(path), self.cfg, "memory", memory_message(
                self.cfg, f"the worker process died with {cause}, most likely out of memory"))
        return doc.model_dump(mode="json")

    def close(self) -> None:
        """The build is done with it: work it has not collected (an error, Ctrl-C) is cancelled
        (a running batch's worker is ended and replaced); the workers stay for the next build."""
        for future in self._pending:
            future.cancel()
        self._pending = []

    def stop(self) -> None:
        """End the workers."""
        self._pool.stop()
        self._pool.join()


_SHARED: dict[tuple[str, int, Any], LocalRunner] = {}
_SHARED_LOCK = threading.Lock()


@atexit.register
def stop_shared_runners() -> None:
    """End the workers of the shared runner (at exit, or to free their memory)."""
    with _SHARED_LOCK:
        for runner in _SHARED.values():
            runner.stop()
        _SHARED.clear()


class InProcess:
    """Everything in this process, without limits (cfg.isolate = false: a debugger, profiling)."""

    workers = 1

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    def submit(self, paths: list[str]) -> ChunkFuture:
        from pipeline.run import run_batch

        fut: Future[list[Record]] = Future()
        fut.set_result(run_batch(paths, self.cfg))
        return fut

    def close(self) -> None:
        pass


class DaskEngine:
    """Batches as tasks on a Dask distributed cluster: a scheduler address, or a LocalCluster."""

    def __init__(self, cfg: Config, scheduler: str | None = None, workers: int | None = None,
                 first: list[str] | None = None) -> None:
        try:
            import dask
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
            # One thread per worker: a spaCy pipeline is not shared between threads. Without the
            # statistical profiler Dask runs in each worker (a stack sample every 10 ms, for the
            # dashboard, which is off): it took the interpreter from the task every time. Workers
            # are forked from the forkserver that has imported spaCy and the readers, as the local
            # runner's are, not spawned: a spawned worker imported them again, seconds per worker.
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload([*PRELOAD, "distributed"])
            start_forkserver()
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.worker.multiprocessing-method": "forkserver"}):
                self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call]
                                             dashboard_address=None, env={"RAYON_NUM_THREADS": "1"})
            self.client = Client(self._cluster)  # type: ignore[no-untyped-call]
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self._check_versions()
        # As the local runner's workers do at start (a remote cluster's workers too): lingua on one
        # thread, the likely spaCy pipelines loaded before the first batch, all workers at once.
        self.client.run(one_core_each)
        languages = likely_languages(cfg, first)
        self.client.gather([self.client.submit(warm_up, cfg, languages, workers=[address], pure=False)  # type: ignore[no-untyped-call]
                            for address in self.client.scheduler_info().get("workers", {})])

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
        from pipeline.run import run_batch

        fut: ChunkFuture = self.client.submit(run_batch, paths, self.cfg, pure=False)
        return fut

    def close(self) -> None:
        self.client.close()  # type: ignore[no-untyped-call]
        if self._cluster is not None:
            self._cluster.close()


def open_engine(name: str, cfg: Config, scheduler: str | None = None, first: list[str] | None = None,
                stages: Any = None) -> Engine:
    """The engine called `name` ("local" or "dask"), ready to take batches.

    `first`, the first files it will be given, lets the local workers start loading the spaCy
    pipelines they probably need (see `language.hint`) while they start.

    The data folder is read and validated first (`resources.check_data`): a missing or malformed
    one is one ResourceError before any document, not a failure of every document. A build whose
    records all come from the cache opens no engine (and a changed data folder changes the
    pipeline key, so its records do not come from the cache).
    """
    from pipeline.resources import check_data

    check_data(cfg.models_dir)
    if name == "dask":
        return DaskEngine(cfg, scheduler, first=first)
    if name != "local":
        raise EngineError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
    if not cfg.isolate:
        return InProcess(cfg)
    return LocalRunner.shared(cfg, worker_count(cfg), first, stages)

"""Run the risky per-document work in worker processes with a time limit and a memory limit.

PDF and HTML libraries can hang or take gigabytes on a hostile file (a deeply nested page, a
compression bomb); PDFium aborts the whole process when an allocation fails. So `prepare`
(ingest, clean, language) runs in a small pool of worker processes:

- each worker caps its own address space at `cfg.doc_memory_mb` (RLIMIT_AS);
- a document that takes longer than `cfg.doc_timeout` seconds gets a fatal Problem "timeout"
  and its worker is killed and replaced;
- a document whose worker raises MemoryError, or dies (killed, aborted), gets a fatal Problem
  "memory"; the worker is replaced;
- the batch goes on, and documents come back in input order.

Workers are persistent: they are forked from a forkserver once, load the readers and the
language detector once, and take one document after another, so a normal file pays only the
round trip (0.2-0.5 ms, see docs/robustness.md). A worker restarts itself when its address
space passes three quarters of the limit, so that slow leaks do not turn into failures.

Safety: the parent never unpickles what a worker sends. Workers parse untrusted files, so
their answers travel as JSON and are validated by pydantic; tasks go the other way as JSON too.
The pool is driven by one background thread, which also enforces the deadlines while the
caller is busy (for instance with spaCy on the previous batch).

Used by `pipeline.run.prepare_many`; `cfg.isolate = False` runs everything in-process instead.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import json
import logging
import multiprocessing
import os
import signal
import stat
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Literal, Self

from pipeline.config import Config
from pipeline.ingest.sniff import HTML_WINDOW, is_pdf, looks_like_html
from pipeline.records import Document, ProblemKind

LOGGER = logging.getLogger(__name__)

Task = Callable[[Path, Config], Document]
Warmup = Callable[[], None]

STAGE = "ingest"
# Modules the forkserver imports once, so that a new worker is a cheap fork.
PRELOAD = ["pipeline.run", "pipeline.ingest.pdf", "pipeline.ingest.html", "pipeline.language"]
START_TIMEOUT = 120.0  # seconds a new worker may take to import and warm up
RECYCLE_SHARE = 0.75  # a worker whose address space passes this share of the limit restarts
MAX_MESSAGE = 256 << 20  # a worker's answer larger than this is refused (bytes)
_MB = 1 << 20


class IsolationError(RuntimeError):
    """The worker processes cannot run at all (not a problem of one document)."""


class IsolatedError(RuntimeError):
    """A stage raised in a worker while cfg.strict is set; the message holds its traceback."""


# --- the worker side ---------------------------------------------------------------------------


def warm_up() -> None:
    """Load what every document needs (readers, language detector) before the first task."""
    for name in PRELOAD:  # already there when forked from the forkserver; not with spawn
        importlib.import_module(name)
    from pipeline.language import detect

    detect("Le développement économique de la région avance. The region's economy grows.")


def _limit_memory(megabytes: int) -> None:
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = megabytes * _MB
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError) as exc:  # not on this platform: time limit only
        LOGGER.warning("cannot limit worker memory to %d MB: %r", megabytes, exc)


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when its parent (the forkserver) goes away."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def exit_with(pid: int) -> None:
    """Exit this process when process `pid` ends (a worker started through the forkserver,
    whose parent is the forkserver, not the build: the forkserver itself only exits when its
    last child has). Watches with a pidfd where there is one, else polls every half second."""

    def watch() -> None:
        try:
            fd = os.pidfd_open(pid)  # Linux >= 5.3
        except (AttributeError, OSError):
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

    threading.Thread(target=watch, name="pressfacts-watch-parent", daemon=True).start()


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _memory_problems(doc: Document, cfg: Config) -> bool:
    """Stages catch exceptions, so a MemoryError arrives as an "exception" Problem: relabel it."""
    found = False
    for i, p in enumerate(doc.problems):
        if p.kind == "exception" and "MemoryError" in p.message:
            found = True
            doc.problems[i] = p.model_copy(update={"kind": "memory", "message": _memory_message(cfg, p.message)})
    return found


def _memory_message(cfg: Config, detail: str) -> str:
    return (f"out of memory: reading this file needed more than doc_memory_mb={cfg.doc_memory_mb} MB "
            f"({detail}); raise doc_memory_mb if the file is legitimate, else repair or remove it")


def _send(conn: Connection, message: dict[str, Any]) -> None:
    # ensure_ascii: file names that are not UTF-8 carry surrogates, which JSON escapes
    conn.send_bytes(json.dumps(message).encode("ascii"))


def _serve(conn: Connection, cfg_json: str, task: Task, warm: Warmup | None, log_level: int | None) -> None:
    """A worker's main loop: one JSON task in, one JSON document out, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _die_with_parent()
    # lingua builds its detector on every core (rayon): measured, that slowed the spaCy process's
    # model load beside it by 0.3-0.5 s at start-up. One worker is one core's share of the work.
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    if log_level is not None:
        logging.basicConfig(level=log_level, stream=sys.stderr,
                            format="%(levelname)s %(name)s [worker %(process)d]: %(message)s")
    cfg = Config.model_validate_json(cfg_json)
    _limit_memory(cfg.doc_memory_mb)
    try:
        if warm is not None:
            warm()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which explains it
        _send(conn, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return
    _send(conn, {"ready": True, "pid": os.getpid()})
    ceiling = cfg.doc_memory_mb * _MB * RECYCLE_SHARE
    while True:
        try:
            request = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        reply: dict[str, Any] = {"id": request["id"]}
        try:
            doc = task(Path(request["path"]), cfg)
            reply["recycle"] = _memory_problems(doc, cfg)
            reply["doc"] = doc.model_dump(mode="json")
        except MemoryError as exc:
            reply.update(kind="memory", message=_memory_message(cfg, f"MemoryError: {exc}"), recycle=True)
        except Exception as exc:  # noqa: BLE001 - one bad document must not stop the worker
            if cfg.strict:
                reply.update(kind="raise", message=traceback.format_exc())
            else:
                reply.update(kind="exception", message=f"{type(exc).__name__}: {exc}")
        size = _address_space()
        reply["recycle"] = reply.get("recycle", False) or (size is not None and size > ceiling)
        try:
            _send(conn, reply)
        except MemoryError:
            _send(conn, {"id": request["id"], "kind": "memory", "recycle": True,
                         "message": _memory_message(cfg, "the result was too large to send")})
        if reply["recycle"]:
            return


# --- the parent side ---------------------------------------------------------------------------


def failed_document(path: Path, cfg: Config, kind: ProblemKind, message: str) -> Document:
    """A Document for a file whose worker gave up, identified as ingest would have done it."""
    source = str(path)
    ident = source.encode("utf-8", "surrogateescape")
    size = 0
    fmt: Literal["pdf", "html", "unknown"] = "unknown"
    try:
        info = os.stat(path)
        size = info.st_size
        if stat.S_ISREG(info.st_mode) and size <= cfg.max_bytes:  # never open a pipe or a device
            with open(path, "rb") as fh:
                data = fh.read(cfg.max_bytes + 1)
            ident, fmt = data, _sniff(data)
    except OSError:
        pass
    doc = Document(doc_id=hashlib.sha256(ident).hexdigest()[:16], source=source, byte_size=size, format=fmt)
    doc.add_problem(STAGE, kind, message, fatal=True)
    return doc


def _sniff(data: bytes) -> Literal["pdf", "html", "unknown"]:
    if is_pdf(data):
        return "pdf"
    return "html" if looks_like_html(data[:HTML_WINDOW].decode("utf-8", "replace")) else "unknown"


def _signal_name(exitcode: int | None) -> str:
    if exitcode is None:
        return "an unknown cause"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


@dataclass
class _Job:
    id: int
    path: Path
    deadline: float = 0.0


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process of the chosen context
    conn: Connection
    started: float
    ready: bool = False
    job: _Job | None = None
    retired: bool = False

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


@dataclass
class _State:
    """What the pool thread and the callers share, guarded by `cond`."""

    cond: threading.Condition = field(default_factory=threading.Condition)
    queue: deque[_Job] = field(default_factory=deque)
    results: dict[int, Document | BaseException] = field(default_factory=dict)
    abandoned: set[int] = field(default_factory=set)  # jobs whose caller went away
    error: BaseException | None = None
    stopping: bool = False


class IsolatedPool:
    """Worker processes that run `task(path, cfg)` under cfg's time and memory limits.

        with IsolatedPool(cfg) as pool:
            for doc in pool.imap(paths):   # input order
                ...

    Several callers (threads, or successive `imap` calls) may share one pool.
    """

    def __init__(self, cfg: Config, *, task: Task | None = None, workers: int = 1,
                 warm: Warmup | None = warm_up) -> None:
        self.cfg = cfg
        self.task = task or _default_task()
        self.warm = warm
        self.size = max(1, workers)
        self._cfg_json = cfg.model_dump_json()
        self._ctx = _context()
        self._workers: list[_Worker] = []
        self._state = _State()
        self._next_id = 0
        self._wake_r: Connection
        self._wake_w: Connection
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.restarts = 0  # workers replaced after a timeout, a death or a recycle

    # -- public ---------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the workers and wait until they are ready (raises IsolationError if they cannot)."""
        with self._start_lock:
            if self._thread is not None:
                return self
            self._workers = [self._spawn() for _ in range(self.size)]
            deadline = time.monotonic() + START_TIMEOUT
            for w in self._workers:
                self._await_ready(w, deadline)
            self._thread = threading.Thread(target=self._loop, name="pressfacts-isolate", daemon=True)
            self._thread.start()
        return self

    @property
    def usable(self) -> bool:
        """Not closed, and its thread (if started, perhaps by `start_soon`) still running."""
        return not self._state.stopping and (self._thread is None or self._thread.is_alive())

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._state.stopping

    def imap(self, paths: Iterable[str | Path], window: int | None = None) -> Iterator[Document]:
        """One Document per path, in input order; up to `window` paths are worked on ahead."""
        self.start()
        window = window or max(2 * self.size, self.cfg.batch_size + self.size)
        source = iter(paths)
        pending: deque[int] = deque()
        try:
            while True:
                while len(pending) < window:
                    path = next(source, None)
                    if path is None:
                        break
                    pending.append(self._submit(Path(path)))
                if not pending:
                    return
                yield self._result(pending.popleft())
        finally:
            if pending:
                self._cancel(pending)

    def prepare(self, path: str | Path) -> Document:
        """One document, isolated (a drop-in for `run.prepare` in a loop; no read-ahead)."""
        self.start()
        return self._result(self._submit(Path(path)))

    def close(self) -> None:
        """Stop the thread and the workers."""
        with self._state.cond:
            self._state.stopping = True
            self._state.cond.notify_all()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for w in self._workers:
            w.conn.close()  # an idle worker sees EOF and exits
        for w in self._workers:
            w.process.join(timeout=1)
            w.kill()
        self._workers = []
        self._wake_r.close()
        self._wake_w.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- caller side ----------------------------------------------------------------------------

    def _submit(self, path: Path) -> int:
        with self._state.cond:
            job = _Job(self._next_id, path)
            self._next_id += 1
            self._state.queue.append(job)
        self._wake()
        return job.id

    def _result(self, job_id: int) -> Document:
        st = self._state
        with st.cond:
            while job_id not in st.results:
                if st.error is not None:
                    raise st.error
                if st.stopping or not self.alive:
                    raise IsolationError("the isolation pool stopped before this document was done")
                st.cond.wait(timeout=1.0)
            result = st.results.pop(job_id)
        if isinstance(result, BaseException):
            raise result
        return result

    def _cancel(self, job_ids: Iterable[int]) -> None:
        """Forget jobs whose caller stopped reading: drop the queued ones, discard later results."""
        ids = set(job_ids)
        with self._state.cond:
            self._state.queue = deque(j for j in self._state.queue if j.id not in ids)
            for i in ids:
                if self._state.results.pop(i, None) is None:
                    self._state.abandoned.add(i)

    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"")
        except OSError:
            pass

    # -- pool thread ----------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        level = logging.getLogger().level if logging.getLogger().handlers else None
        process = self._ctx.Process(target=_serve, name="pressfacts-worker", daemon=True,
                                    args=(child, self._cfg_json, self.task, self.warm, level))
        try:
            process.start()
        except (OSError, AssertionError) as exc:  # AssertionError: a daemonic process cannot fork
            raise IsolationError(f"cannot start a worker process: {exc!r}") from exc
        finally:
            child.close()
        return _Worker(process, parent, time.monotonic())

    def _await_ready(self, w: _Worker, deadline: float) -> None:
        while not w.ready:
            left = deadline - time.monotonic()
            if left <= 0:
                w.kill()
                raise IsolationError(f"a worker did not start within {START_TIMEOUT:.0f} s")
            if wait([w.conn, w.process.sentinel], timeout=left):
                self._on_message(w)

    def _startup_failure(self, why: str) -> IsolationError:
        return IsolationError(
            f"the isolated worker could not start ({why}). If doc_memory_mb={self.cfg.doc_memory_mb} "
            "is below about 1000, raise it; if the calling script starts a build at import time, "
            "put it under `if __name__ == '__main__':`; or set isolate = false to run in-process."
        )

    def _loop(self) -> None:
        try:
            while True:
                with self._state.cond:
                    if self._state.stopping:
                        return
                self._dispatch()
                self._poll()
                self._expire()
                self._replace_dead()
        except BaseException as exc:  # noqa: BLE001 - handed to the callers, which re-raise
            LOGGER.error("isolation pool stopped: %r", exc)
            with self._state.cond:
                self._state.error = exc
                self._state.cond.notify_all()

    def _dispatch(self) -> None:
        for w in self._workers:
            if not w.ready or w.job is not None or w.retired:
                continue
            with self._state.cond:
                if not self._state.queue:
                    return
                job = self._state.queue.popleft()
            job.deadline = time.monotonic() + self.cfg.doc_timeout
            w.job = job
            try:
                _send(w.conn, {"id": job.id, "path": str(job.path)})
            except OSError:
                pass  # the worker died meanwhile: _poll sees its sentinel

    def _poll(self) -> None:
        busy = [w for w in self._workers if (w.job is not None or not w.ready) and not w.retired]
        deadlines = [w.job.deadline for w in busy if w.job is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else 1.0
        handles: dict[Any, _Worker] = {}
        for w in busy:
            handles[w.conn] = w
            handles[w.process.sentinel] = w
        wake = self._wake_r
        for h in wait([wake, *handles], timeout=min(timeout, 1.0)):
            if h is wake:
                while wake.poll():
                    wake.recv_bytes()
            elif not handles[h].retired:
                self._on_message(handles[h])

    def _on_message(self, w: _Worker) -> None:
        """Read one answer from w, or notice that it died."""
        try:
            if not w.conn.poll():
                raise EOFError
            message = json.loads(w.conn.recv_bytes(MAX_MESSAGE))
        except (EOFError, OSError, ValueError):
            w.process.join(timeout=5)
            self._worker_died(w)
            return
        if "ready" in message:
            if not message["ready"]:
                w.retired = True
                raise self._startup_failure(message.get("error", "unknown error"))
            w.ready = True
            return
        job = w.job
        if job is None or message.get("id") != job.id:
            return
        w.job = None
        w.retired = bool(message.get("recycle"))
        if message.get("kind") == "raise":
            self._finish(job, IsolatedError(f"{job.path}: a stage raised (strict mode):\n{message['message']}"))
        elif "doc" in message:
            self._finish(job, Document.model_validate(message["doc"]))
        else:
            self._finish(job, failed_document(job.path, self.cfg, message["kind"], message["message"]))

    def _worker_died(self, w: _Worker) -> None:
        w.retired = True
        cause = _signal_name(w.process.exitcode)
        if not w.ready:
            raise self._startup_failure(f"it died with {cause}")
        job, w.job = w.job, None
        if job is None:
            return
        LOGGER.warning("%s: worker died with %s", job.path, cause)
        self._finish(job, failed_document(job.path, self.cfg, "memory", _memory_message(
            self.cfg, f"the worker process died with {cause}, most likely out of memory")))

    def _expire(self) -> None:
        now = time.monotonic()
        for w in self._workers:
            if not w.ready and not w.retired and now - w.started > START_TIMEOUT:
                raise self._startup_failure(f"it was not ready after {START_TIMEOUT:.0f} s")
            job = w.job
            if job is None or now < job.deadline or w.retired:
                continue
            LOGGER.warning("%s: gave up after %g s (doc_timeout)", job.path, self.cfg.doc_timeout)
            w.retired = True
            w.job = None
            w.kill()
            message = (f"gave up after {self.cfg.doc_timeout:g} s (doc_timeout): reading this file did not "
                       "finish in time; raise doc_timeout if the file is legitimate, else repair or remove it")
            self._finish(job, failed_document(job.path, self.cfg, "timeout", message))

    def _replace_dead(self) -> None:
        """Start a worker in place of each retired one; it takes work once it says it is ready."""
        for i, w in enumerate(self._workers):
            if w.retired and w.job is None:
                w.kill()
                self.restarts += 1
                self._workers[i] = self._spawn()

    def _finish(self, job: _Job, result: Document | BaseException) -> None:
        with self._state.cond:
            if job.id in self._state.abandoned:
                self._state.abandoned.discard(job.id)
                return
            self._state.results[job.id] = result
            self._state.cond.notify_all()


def _default_task() -> Task:
    from pipeline.run import prepare  # pipeline.run imports this module lazily: no import cycle

    return prepare


def _context() -> Any:
    """forkserver where there is one (cheap, safe with threads), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


# One warm pool per configuration and task, kept for the life of the process like a loaded
# model: a build hands prepare_many one chunk after another, and a new worker costs ~1 s.
_SHARED: dict[tuple[str, Task], IsolatedPool] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(cfg: Config, task: Task | None = None) -> IsolatedPool:
    """The process-wide pool for (cfg, task), started on first use; closed at exit."""
    task = task or _default_task()
    key = (cfg.model_dump_json(), task)
    with _SHARED_LOCK:
        pool = _SHARED.get(key)
        if pool is None or not pool.usable:
            for other in list(_SHARED.values()):  # one configuration at a time
                other.close()
            _SHARED.clear()
            pool = _SHARED[key] = IsolatedPool(cfg, task=task)
    return pool.start()


def start_soon(cfg: Config, task: Task | None = None) -> None:
    """Start the shared pool for (cfg, task) in a background thread and return at once.

    A build calls this when it opens its engine, so that the workers start (about a second:
    imports and the language detector) while this process goes on, instead of when the first
    document is due. A failure to start is raised again by the first `imap`.
    """
    if not cfg.isolate or multiprocessing.current_process().daemon:
        return
    _context()  # the forkserver's preload list is set before anything else can start it

    def run() -> None:
        try:
            shared_pool(cfg, task)
        except Exception:  # noqa: BLE001 - imap raises it again where it matters
            LOGGER.debug("early start of the isolated pool failed", exc_info=True)

    threading.Thread(target=run, name="pressfacts-isolate-start", daemon=True).start()


@atexit.register
def close_shared_pools() -> None:
    """Stop the workers of every shared pool (at exit, or to free their memory)."""
    with _SHARED_LOCK:
        for pool in _SHARED.values():
            pool.close()
        _SHARED.clear()


def imap(paths: Iterable[str | Path], cfg: Config, *, task: Task | None = None) -> Iterator[Document]:
    """`task(path, cfg)` for each path in the shared isolated pool, in input order.

    In a daemonic process (a Dask worker, say), which may not start processes, the work runs
    in-process with a warning: the cluster's own worker restarts are then the only guard.
    """
    if multiprocessing.current_process().daemon:
        LOGGER.warning("daemonic process: documents are prepared without isolation (no doc_timeout)")
        run_one = task or _default_task()
        yield from (run_one(Path(p), cfg) for p in paths)
        return
    yield from shared_pool(cfg, task).imap(paths)

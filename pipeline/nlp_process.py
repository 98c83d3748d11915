"""spaCy in a child process of its own, fed through pipes, while the build process does the rest.

Why: measured on two cores (bench/RESULTS.md, docs/scale.md), spaCy ran 20-26 % slower (CPU)
inside the build process than alone, and that process also converted its Docs, handled records
and wrote the outputs, so it was the bottleneck while the second core waited. Here the child
does nothing but `nlp.pipe` and `nlp.compact`: texts in, plain tuples out. The build process
prepares the next batch, expands the tuples (`nlp.expand`), extracts and writes meanwhile.

    proc = claim(cfg, ["fr"])                  # starts (or reuses) the process; loads "fr" now
    for doc, analysis in proc.analyze(prepared, cfg):  # same pairs as nlp.analyze, same order
        ...
    release(proc)

Protocol: pickled tuples over two one-way pipes; every request but "load" gets one reply, in
request order.

    ("load", lang)          load a pipeline now (errors wait for the first use, like nlp.load_soon)
    ("pipe", lang, texts, batch_size)  -> ("ok", [Compact, ...]) or ("error", exception)
    ("ping",)               -> ("ok", (cpu seconds, peak RSS MB)) once every earlier request is done

Replies are unpickled: they come from our own code in a child we started (tuples of ints and
strings), unlike the isolated ingest workers' answers, which are about untrusted files and
travel as JSON (pipeline/isolate.py).

The process is shared like a loaded model: one per spaCy configuration, kept for the life of
the build process (a test session loads the models once), and it ends with it
(`isolate.exit_with`). A stream abandoned half-way (an error, Ctrl-C) leaves replies in the
pipe: that process is stopped, and the next `claim` starts a new one.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from collections.abc import Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

from pipeline.config import Config

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from pipeline.nlp import Analysis, Compact, Sections
    from pipeline.records import Document

LOGGER = logging.getLogger(__name__)


class NlpProcessError(RuntimeError):
    """The spaCy process could not start or ended unexpectedly."""


def _serve(requests: Connection, replies: Connection, cfg_json: str, parent: int, log_level: int | None) -> None:
    """The child's loop: answer requests until the request pipe closes."""
    import pickle
    import resource
    import signal
    import sys

    from pipeline import nlp
    from pipeline.isolate import exit_with

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the build decides
    exit_with(parent)
    if log_level is not None:
        logging.basicConfig(level=log_level, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s [spaCy process %(process)d]: %(message)s")
    cfg = Config.model_validate_json(cfg_json)
    while True:
        try:
            msg = requests.recv()
        except (EOFError, OSError):
            return
        kind = msg[0]
        if kind == "load":
            try:
                nlp.load(msg[1], cfg)
            except Exception:  # raised again by the first "pipe" that needs it
                LOGGER.debug("early load of the %s pipeline failed", msg[1], exc_info=True)
            continue
        try:
            if kind == "pipe":
                reply: tuple[str, Any] = ("ok", nlp.pipe_compact(msg[1], msg[2], cfg, batch_size=msg[3]))
            elif kind == "ping":
                use = resource.getrusage(resource.RUSAGE_SELF)
                reply = ("ok", (use.ru_utime + use.ru_stime, use.ru_maxrss / 1024))
            else:
                reply = ("error", ValueError(f"unknown request {kind!r}"))
        except Exception as exc:  # noqa: BLE001 - handed to the build, which decides
            reply = ("error", exc)
        try:
            replies.send(reply)
        except (TypeError, AttributeError, ValueError, pickle.PicklingError) as exc:  # a reply that does not pickle
            replies.send(("error", NlpProcessError(f"{type(reply[1]).__name__}: {reply[1]} ({exc})")))
        except (BrokenPipeError, OSError):
            return


class NlpProcess:
    """One child process running the spaCy pipelines of one configuration."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.busy = False
        self.broken = False
        self._requests: Connection | None = None
        self._replies: Connection | None = None
        self._proc: Any = None
        self._start_error: BaseException | None = None
        self._send_lock = threading.Lock()
        self._loads: set[str] = set()
        # The start (a fork from the forkserver, which may itself be starting) runs in a thread:
        # the caller goes on, and the first request waits for it.
        self._starting: threading.Thread | None = threading.Thread(target=self._start, name="pressfacts-spacy-start",
                                                                   daemon=True)
        self._starting.start()

    def _start(self) -> None:
        import multiprocessing

        try:
            # spawn, not the forkserver of the ingest workers: that one imports the readers and
            # the language detector (about a second) before it can fork, and spaCy's import and
            # load would wait for it; a spawned interpreter imports spaCy at once, beside it.
            ctx = multiprocessing.get_context("spawn")
            req_r, req_w = ctx.Pipe(duplex=False)
            rep_r, rep_w = ctx.Pipe(duplex=False)
            level = logging.getLogger().level if logging.getLogger().handlers else None
            proc = ctx.Process(target=_serve, args=(req_r, rep_w, self.cfg.model_dump_json(), os.getpid(), level),
                               name="pressfacts-spacy", daemon=True)
            proc.start()
            req_r.close()
            rep_w.close()
            self._requests, self._replies, self._proc = req_w, rep_r, proc
        except BaseException as exc:  # noqa: BLE001 - raised by the first request
            self._start_error = exc

    def _started(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._start_error is not None:
            raise NlpProcessError(f"cannot start the spaCy process: {self._start_error!r}") from self._start_error

    @property
    def alive(self) -> bool:
        return self._starting is not None or (self._proc is not None and self._proc.is_alive())

    def _send(self, msg: tuple[Any, ...]) -> None:
        self._started()
        assert self._requests is not None
        try:
            with self._send_lock:
                self._requests.send(msg)
        except OSError as exc:
            self.broken = True
            raise self._ended() from exc

    def _reply(self) -> Any:
        self._started()
        assert self._replies is not None
        try:
            kind, value = self._replies.recv()
        except (EOFError, OSError) as exc:
            self.broken = True
            raise self._ended() from exc
        except Exception as exc:  # a reply that pickled in the child but does not rebuild here
            self.broken = True
            raise NlpProcessError(f"unreadable reply from the spaCy process: {exc!r}") from exc
        if kind == "error":
            raise value
        return value

    def _ended(self) -> NlpProcessError:
        self._proc.join(timeout=5)
        code = self._proc.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return NlpProcessError(f"the spaCy process ended unexpectedly ({how}); if the machine ran out of memory, "
                               f"lower batch_size or set spacy_process = false")

    def load_soon(self, lang: str) -> None:
        """Have the child load the pipeline for `lang` now, if it has not been asked already."""
        if lang in self._loads or lang not in self.cfg.languages:
            return
        self._loads.add(lang)
        try:
            self._send(("load", lang))
        except NlpProcessError:
            pass  # the stream that needs the pipeline reports it

    def ping(self) -> tuple[float, float]:
        """(CPU seconds, peak RSS MB) of the child, once every earlier request is done."""
        self._send(("ping",))
        cpu, rss = self._reply()
        return float(cpu), float(rss)

    def analyze(self, docs: Iterable[Document | None], cfg: Config) -> Generator[tuple[Document, Analysis], None, None]:
        """What `nlp.analyze` yields, with spaCy in the child.

        A feeder thread batches `docs` and sends each batch's sections; this generator takes the
        replies in the same order and assembles each document's Analysis, so the child parses
        batch n+1 while the caller extracts batch n.
        """
        from pipeline import nlp

        sent: queue.Queue[object] = queue.Queue()
        stop = threading.Event()

        def until_stopped() -> Iterator[Document | None]:
            for d in docs:
                if stop.is_set():
                    return
                yield d

        def feed() -> None:
            try:
                for batch in nlp.batches(until_stopped(), cfg, self.load_soon):
                    sections = nlp.batch_sections(batch, cfg)
                    # Queued before it is sent: the consumer then reads the replies of a batch
                    # while its later requests are still being written, so a large reply and a
                    # large request never wait for each other.
                    sent.put((batch, sections))
                    for lang, items in sections:
                        self._send(("pipe", lang, [text for text, _ in items], cfg.batch_size))
                sent.put(None)
            except BaseException as exc:  # noqa: BLE001 - raised in the consumer
                sent.put(exc)

        feeder = threading.Thread(target=feed, name="pressfacts-spacy-feed", daemon=True)
        feeder.start()
        finished = False
        try:
            while (item := sent.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                batch, sections = cast("tuple[list[Document], Sections]", item)
                parsed: list[Compact] = []
                for _ in sections:
                    parsed.extend(self._reply())
                yield from nlp.assemble(batch, sections, parsed)
            finished = True
        finally:
            if not finished:  # replies may be left in the pipe: this process cannot serve again
                stop.set()
                self.broken = True
                self.close()
            feeder.join(timeout=None if finished else 5)

    def close(self) -> None:
        """Stop the child: closing its request pipe ends its loop; a busy one is terminated."""
        try:
            self._started()
        except NlpProcessError:
            return
        if self._requests is not None:
            self._requests.close()
        proc = self._proc
        if proc is not None:
            if self.broken:
                proc.terminate()
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()
        if self._replies is not None:
            self._replies.close()


def _key(cfg: Config) -> str:
    """What a child's pipelines depend on: a process serves every config with the same key."""
    return cfg.model_dump_json(include={"spacy_models", "spacy_disable", "spacy_enable", "spacy_max_new_strings", "languages",
                                          "models_dir"})


_SHARED: dict[str, NlpProcess] = {}
_LOCK = threading.Lock()


def claim(cfg: Config, langs: Iterable[str] = ()) -> NlpProcess:
    """A spaCy process for `cfg`, for one stream at a time, starting to load `langs`.

    The shared process of this configuration when it is free and healthy; another
    configuration's process is stopped first (one set of models in memory). When the shared
    one is busy (two builds at once in one process), a private process serves this stream.
    """
    key = _key(cfg)
    with _LOCK:
        proc = _SHARED.get(key)
        if proc is not None and (proc.broken or not proc.alive):
            proc.close()
            del _SHARED[key]
            proc = None
        if proc is None:
            for other_key, other in list(_SHARED.items()):
                if not other.busy:
                    other.close()
                    del _SHARED[other_key]
            proc = _SHARED[key] = NlpProcess(cfg)
        elif proc.busy:
            proc = NlpProcess(cfg)  # private: closed by release
        proc.busy = True
    for lang in langs:
        proc.load_soon(lang)
    return proc


def release(proc: NlpProcess) -> None:
    """Give a claimed process back: kept for the next stream when shared and healthy."""
    with _LOCK:
        proc.busy = False
        shared = _SHARED.get(_key(proc.cfg)) is proc
        if shared and proc.broken:
            del _SHARED[_key(proc.cfg)]
    if proc.broken or not shared:
        proc.close()


@atexit.register
def close_shared() -> None:
    """Stop every shared spaCy process (at exit, or to free their memory)."""
    with _LOCK:
        procs = list(_SHARED.values())
        _SHARED.clear()
    for proc in procs:
        proc.close()

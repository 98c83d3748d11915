"""The stage chain, in order, and the one function every engine runs on a batch of files.

    STAGES = ingest -> clean -> language -> nlp -> extract

`run_batch(paths, cfg)` takes a batch of files through every stage of `STAGES` and returns
their records, in the order of `paths`. It is the only wiring of the chain: the local runner's
worker processes (pipeline/engines.py) and Dask tasks call it, and nothing else calls a stage.
A stage runs on each document of the batch in turn, or once on the whole batch (`batched`:
spaCy, which wants batches for `nlp.pipe`).

A stage that raises does not stop the batch: the document gets a Problem, is marked failed and
skips its remaining stages (cfg.strict re-raises, for debugging). In a runner worker
(`guard_this_process`), the `limited` stages of one document run under cfg.doc_timeout seconds
and cfg.doc_memory_mb of address space beyond what the worker already holds: a document over
its memory gets a "memory" Problem; one over its time ends the worker (an ITIMER_REAL timer
whose SIGALRM, left to its default action, is carried out by the kernel: it needs no cooperation
from a parser stuck in C code), and the runner records it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline import clean, extraction, language, nlp
from pipeline.config import Config
from pipeline.ingest import read
from pipeline.ingest.sniff import HTML_WINDOW, is_pdf, looks_like_html
from pipeline.records import Document, ProblemKind

LOGGER = logging.getLogger(__name__)

Record = dict[str, Any]
_MB = 1 << 20


@dataclass
class Item:
    """One file on its way through the stages."""

    path: str
    doc: Document | None = None
    analysis: nlp.Analysis | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    # per document: fn(item, cfg) -> the item's new Document; batched: fn(items, cfg), once per batch
    fn: Callable[..., Any]
    batched: bool = False
    limited: bool = False  # under doc_timeout and doc_memory_mb, per document (in a runner worker)


def _analyze(items: list[Item], cfg: Config) -> None:
    """spaCy over the batch's documents (nlp.pipe per language), each keeping its Analysis."""
    for item, (_doc, analysis) in zip(items, nlp.analyze((it.doc for it in items), cfg), strict=True):
        item.analysis = analysis


STAGES: tuple[Stage, ...] = (
    Stage("ingest", lambda it, cfg: read(Path(it.path), cfg), limited=True),
    Stage("clean", lambda it, cfg: clean.run(it.doc, cfg), limited=True),
    Stage("language", lambda it, cfg: language.run(it.doc, cfg), limited=True),
    Stage("nlp", _analyze, batched=True),
    Stage("extract", lambda it, cfg: extraction.run(it.doc, it.analysis, cfg)),
)


def run_batch(paths: Iterable[str | Path], cfg: Config, stages: tuple[Stage, ...] | None = None) -> list[Record]:
    """Every stage over a batch of files: their records (`Document.model_dump(mode="json")`), in
    the order of `paths`. `stages` replaces STAGES (tests)."""
    items = run_items([Item(str(p)) for p in paths], cfg, stages)
    return [it.doc.model_dump(mode="json") for it in items if it.doc is not None]


def run_items(items: list[Item], cfg: Config, stages: Iterable[Stage] | None = None) -> list[Item]:
    """`stages` (default STAGES) over `items`, in order; returns the items, each with its Document."""
    for stage in STAGES if stages is None else stages:
        if stage.batched:
            ready = [it for it in items if it.doc is not None and it.doc.status == "ok"]
            if ready:
                stage.fn(ready, cfg)
            continue
        for it in items:
            it.doc = run_stage(stage, it, cfg)
    return items


def run_document(doc: Document, cfg: Config) -> Document:
    """The stages after ingest over one Document already read (tests, and text held in memory)."""
    [item] = run_items([Item(doc.source, doc)], cfg, STAGES[1:])
    assert item.doc is not None
    return item.doc


def run_stage(stage: Stage, item: Item, cfg: Config) -> Document:
    """One per-document stage; an exception becomes a Problem and ends this document's processing."""
    doc = item.doc
    if doc is not None and doc.status != "ok":
        return doc
    try:
        with _limits(cfg, stage.limited):
            new = stage.fn(item, cfg)
    except MemoryError as exc:  # raised past the stage (a stage's own handler gives an "exception")
        if doc is None:
            return failed_document(Path(item.path), cfg, "memory", memory_message(cfg, f"MemoryError: {exc}"))
        doc.add_problem(stage.name, "memory", memory_message(cfg, f"MemoryError: {exc}"), fatal=True)
        return doc
    except Exception as exc:  # noqa: BLE001 — one bad document must not stop the batch
        if cfg.strict:
            raise
        LOGGER.warning("%s: stage %s failed: %r", item.path, stage.name, exc)
        if doc is None:
            return failed_document(Path(item.path), cfg, "exception", f"{type(exc).__name__}: {exc}")
        doc.add_problem(stage.name, "exception", f"{type(exc).__name__}: {exc}", fatal=True)
        return doc
    if stage.limited:
        _relabel_memory_problems(new, cfg)
    return new


# --- per-document limits (in runner workers) ----------------------------------------------------

_GUARD: dict[str, bool] = {}  # "on": limits are set in this process


def guard_this_process() -> None:
    """Turn on the per-document limits in this process (a runner worker, never the build). A
    timeout ends the process with SIGALRM, which the runner reads as a timeout (its default action,
    so no Python handler has to run: an ITIMER_REAL timer costs a system call, where a watchdog
    thread per stage cost a thread's start and join)."""
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    _GUARD["on"] = True


@contextmanager
def _limits(cfg: Config, limited: bool) -> Iterator[None]:
    if not limited or not _GUARD.get("on"):
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    size = address_space()
    if size is not None:
        cap = size + cfg.doc_memory_mb * _MB
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    signal.setitimer(signal.ITIMER_REAL, cfg.doc_timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def memory_message(cfg: Config, detail: str) -> str:
    return (f"out of memory: reading this file needed more than doc_memory_mb={cfg.doc_memory_mb} MB "
            f"({detail}); raise doc_memory_mb if the file is legitimate, else repair or remove it")


def timeout_message(cfg: Config) -> str:
    return (f"gave up after {cfg.doc_timeout:g} s (doc_timeout): reading this file did not finish in time; "
            "raise doc_timeout if the file is legitimate, else repair or remove it")


def _relabel_memory_problems(doc: Document, cfg: Config) -> None:
    """Stages catch exceptions, so a MemoryError arrives as an "exception" Problem: relabel it."""
    for i, p in enumerate(doc.problems):
        if p.kind == "exception" and "MemoryError" in p.message:
            doc.problems[i] = p.model_copy(update={"kind": "memory", "message": memory_message(cfg, p.message)})


def failed_document(path: Path, cfg: Config, kind: ProblemKind, message: str, stage: str = "ingest") -> Document:
    """A Document for a file whose processing was abandoned, identified as ingest would have done it."""
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
            ident = data
            fmt = "pdf" if is_pdf(data) else "html" if looks_like_html(
                data[:HTML_WINDOW].decode("utf-8", "replace")) else "unknown"
    except OSError:
        pass
    doc = Document(doc_id=hashlib.sha256(ident).hexdigest()[:16], source=source, byte_size=size, format=fmt)
    doc.add_problem(stage, kind, message, fatal=True)
    return doc

"""The stage list and the batch loop: files in, Document records out, one at a time.

    STAGES = ingest -> clean -> language   (per document, cheap)
    then   nlp (batched nlp.pipe per language) -> extract

A stage that raises does not stop the batch: `run_stage` records a Problem on the document,
marks it failed and skips its remaining stages (cfg.strict re-raises, for debugging).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pipeline import clean, extraction, language, nlp
from pipeline.config import Config
from pipeline.ingest import read
from pipeline.inputs import DEFAULT_EXCLUDE, iter_inputs  # noqa: F401 - the walk, re-exported
from pipeline.records import Document

LOGGER = logging.getLogger(__name__)

Stage = Callable[[Document, Config], Document]
STAGES: list[tuple[str, Stage]] = [("clean", clean.run), ("language", language.run)]

def run_stage(name: str, stage: Stage, doc: Document, cfg: Config) -> Document:
    """Run one stage; an exception becomes a Problem and ends this document's processing."""
    if doc.status != "ok":
        return doc
    try:
        return stage(doc, cfg)
    except Exception as exc:  # noqa: BLE001 — one bad document must not stop the batch
        if cfg.strict:
            raise
        LOGGER.warning("%s: stage %s failed: %r", doc.doc_id, name, exc)
        doc.add_problem(name, "exception", f"{type(exc).__name__}: {exc}", fatal=True)
        return doc


def prepare(path: Path, cfg: Config) -> Document:
    """Ingest, clean and detect the language of one file (no spaCy)."""
    doc = read(path, cfg)
    for name, stage in STAGES:
        doc = run_stage(name, stage, doc, cfg)
    return doc


def prepare_many(paths: Iterable[str | Path], cfg: Config) -> Iterator[Document]:
    """`prepare` for each path, in input order, in isolated worker processes (cfg.isolate).

    A file that takes over cfg.doc_timeout seconds or more than cfg.doc_memory_mb of memory
    becomes a failed Document ("timeout", "memory") instead of hanging or killing the batch;
    see pipeline/isolate.py. With cfg.isolate false, runs in this process.
    """
    if not cfg.isolate:
        yield from (prepare(Path(p), cfg) for p in paths)
        return
    from pipeline.isolate import imap  # starts processes: imported only when isolating

    yield from imap(paths, cfg, task=prepare)


def process(docs: Iterable[Document], cfg: Config) -> Iterator[Document]:
    """spaCy and extraction over prepared documents, batched, in input order."""
    for doc, analysis in nlp.analyze(docs, cfg):
        yield run_stage("extract", lambda d, c, a=analysis: extraction.run(d, a, c), doc, cfg)


def extract_paths(paths: Iterable[str | Path], cfg: Config) -> Iterator[Document]:
    """Documents for the given files and folders, streamed. A folder is walked as `build` walks it
    (README, notes and data files such as gold.jsonl passed over); a file named is read."""
    prepared = prepare_many((p for p, skip in iter_inputs(paths, DEFAULT_EXCLUDE) if skip is None), cfg)
    yield from process(prepared, cfg)

"""Ingest stage: a file's bytes become a Document with text, title and publication date.

Writes `Document.doc_id, source, format, byte_size, title, published, text`, and on trouble
`problems`, `warnings` and `status`. Reads nothing from an earlier stage: this is the only
stage that starts from a path. The format is sniffed from the content (PDF header, HTML
markup, decodable text), never from the file extension. Bad input never raises: it becomes
a problem on the record ("unreadable", "too_large", "unsupported", "empty_text", "decode").
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from pathlib import Path

from pipeline.clean import fix_title, load_rules
from pipeline.config import Config
from pipeline.ingest import decode, text
from pipeline.ingest.meta import Extraction
from pipeline.ingest.sniff import binary_kind, is_pdf, is_xml, looks_like_html
from pipeline.inputs import file_kind
from pipeline.records import Document, readable_path

__all__ = ["file_kind", "read", "read_bytes"]

LOGGER = logging.getLogger(__name__)
STAGE = "ingest"


def _doc_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _name_id(raw: str) -> str:
    """doc_id of a file that was not read: from its name's bytes, as pipeline.run.failed_document computes it."""
    return _doc_id(raw.encode("utf-8", "surrogateescape"))


def _unreadable(raw: str, source: str, message: str, size: int = 0) -> Document:
    doc = Document(doc_id=_name_id(raw), source=source, byte_size=size)
    doc.add_problem(STAGE, "unreadable", message, fatal=True)
    LOGGER.info("%s: unreadable %s: %s", doc.doc_id, source, message)
    return doc


def _stat_problem(path: Path, source: str, exc: OSError) -> str:
    """A message saying what is wrong with a path that cannot be stat'ed."""
    if exc.errno == errno.ELOOP:
        return f"symbolic link loop at {source}: fix the link"
    if isinstance(exc, FileNotFoundError):
        if path.is_symlink():
            return f"dangling symbolic link: {source} points to missing {readable_path(os.readlink(path))}"
        return f"file not found: {source}"
    if isinstance(exc, PermissionError):
        return f"permission denied on {source}: check the file and directory permissions"
    return f"cannot access {source}: {exc.strerror or exc}"


def _not_regular(source: str, mode: int) -> str:
    if stat.S_ISDIR(mode):
        return f"{source} is a directory, not a file: pass the files inside it"
    return f"{source} is a {file_kind(mode)}, not a regular file: only regular files are read"


def read(path: Path | str, cfg: Config) -> Document:
    """Read one file into a Document; never raises for a missing, unreadable or bad file.

    `Document.source` is the path made readable (`records.readable_path`: a name that is not UTF-8
    gets backslash escapes); the bytes are read from the real path. Only regular files are opened,
    and without blocking: a named pipe or a device is reported, never read.
    """
    raw = str(path)
    source = readable_path(raw)
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        return _unreadable(raw, source, _stat_problem(path, source, exc))
    if not stat.S_ISREG(info.st_mode):
        return _unreadable(raw, source, _not_regular(source, info.st_mode))
    if info.st_size > cfg.max_bytes:
        doc = Document(doc_id=_name_id(raw), source=source, byte_size=info.st_size)
        _too_large(doc, info.st_size, cfg)
        return doc
    try:
        # O_NONBLOCK: should the path have become a pipe since the stat, opening it does not wait
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                return _unreadable(raw, source, _not_regular(source, mode), info.st_size)
            data = handle.read(cfg.max_bytes + 1)
    except PermissionError:
        return _unreadable(raw, source, f"permission denied reading {source}: check the file permissions", info.st_size)
    except OSError as exc:
        return _unreadable(raw, source, f"cannot read {source}: {exc.strerror or exc}", info.st_size)
    return read_bytes(data, source, cfg)


def _too_large(doc: Document, size: int, cfg: Config) -> None:
    message = f"{size} bytes is over the limit of {cfg.max_bytes} (max_bytes); raise it or split the file"
    doc.add_problem(STAGE, "too_large", message, fatal=True)


def read_bytes(data: bytes, source: str, cfg: Config) -> Document:
    """Turn raw bytes into a Document; `source` is recorded as given (made readable if it is not UTF-8)."""
    doc = Document(doc_id=_doc_id(data), source=source, byte_size=len(data))
    if not data.strip():
        doc.add_problem(STAGE, "empty_text", f"file is empty ({len(data)} bytes, no text)", fatal=True)
        return doc
    if len(data) > cfg.max_bytes:
        _too_large(doc, len(data), cfg)
        return doc
    try:
        _ingest(doc, data, cfg)
    except Exception as exc:
        if cfg.strict:
            raise
        LOGGER.exception("%s: ingest failed on %s", doc.doc_id, source)
        doc.add_problem(STAGE, "exception", f"ingest raised {type(exc).__name__}: {exc}", fatal=True)
    return doc


def _ingest(doc: Document, data: bytes, cfg: Config) -> None:
    """Sniff the content, run the matching reader and copy its result onto doc."""
    if is_pdf(data):
        doc.format = "pdf"
        from pipeline.ingest import pdf  # the readers are imported where documents are read (the
        # runner's forkserver preloads them), not by every process that imports this package

        _apply(doc, pdf.extract(data, doc_id=doc.doc_id))
        return
    kind = binary_kind(data)
    if kind:
        message = f"unsupported format: {kind}; convert it to PDF, HTML or text"
        doc.add_problem(STAGE, "unsupported", message, fatal=True)
        return
    decoded = decode.decode(data, declared=decode.declared_charset(data))
    if not decoded.is_text:
        doc.add_problem(STAGE, "unsupported", "unsupported format: binary data (not PDF, HTML or text)", fatal=True)
        return
    if decoded.note:
        LOGGER.info("%s: %s", doc.doc_id, decoded.note)
        doc.add_problem(STAGE, "decode", decoded.note)
    if is_xml(decoded.text):
        doc.add_problem(STAGE, "unsupported", "unsupported format: XML document that is not HTML", fatal=True)
        return
    if looks_like_html(decoded.text):
        doc.format = "html"
        from pipeline.ingest import html

        _apply(doc, html.extract(decoded.text, doc_id=doc.doc_id))
    else:
        doc.format = "txt"
        _apply(doc, text.extract(decoded.text, doc_id=doc.doc_id, rules=load_rules(cfg.models_dir)))


def _apply(doc: Document, result: Extraction) -> None:
    """Copy a reader's result onto the Document; no letters at all is a fatal empty_text."""
    for kind, message, fatal in result.problems:
        doc.add_problem(STAGE, kind, message, fatal=fatal)
    if doc.status != "ok":
        return
    doc.text = result.text
    doc.title = fix_title(result.title) if result.title else None
    doc.published = result.published
    doc.published_source = result.published_source  # type: ignore[assignment]
    if not any(ch.isalpha() for ch in doc.text):
        doc.add_problem(STAGE, "empty_text", f"no text found in this {doc.format.upper()} file", fatal=True)
    LOGGER.debug(
        "%s: %s, %d chars, title=%r, published=%s", doc.doc_id, doc.format, len(doc.text), doc.title, doc.published
    )

"""Recognize what a file is from its content, never from its extension.

`binary_kind` names known non-text formats from their magic bytes (archives, office files,
images...), `is_pdf` finds the PDF header, `looks_like_html` looks for markup in decoded text.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

PDF_HEADER_WINDOW = 1024  # the PDF header may follow a little junk (spec: within the first 1 KB)
HTML_WINDOW = 4096

_STRONG_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<title>", re.IGNORECASE)
_WEAK_HTML = re.compile(
    r"</?(?:p|div|br|span|a|li|ul|ol|h[1-6]|article|section|table|tr|td|img|strong|em)\b[^<>]{0,300}>",
    re.IGNORECASE,
)

# (prefix, offset, description) checked in order; first match wins
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "legacy Microsoft Office document (doc/xls/ppt)"),
    (b"{\\rtf", 0, "RTF document"),
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"II*\x00", 0, "TIFF image"),
    (b"MM\x00*", 0, "TIFF image"),
    (b"WEBP", 8, "WebP image"),
    (b"WAVE", 8, "WAV audio"),
    (b"AVI ", 8, "AVI video"),
    (b"ftyp", 4, "MP4/QuickTime media"),
    (b"ID3", 0, "MP3 audio"),
    (b"OggS", 0, "Ogg media"),
    (b"fLaC", 0, "FLAC audio"),
    (b"\x1f\x8b", 0, "gzip archive"),
    (b"BZh", 0, "bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "RAR archive"),
    (b"\x7fELF", 0, "ELF executable"),
    (b"SQLite format 3\x00", 0, "SQLite database"),
    (b"%!PS", 0, "PostScript document"),
    (b"wOFF", 0, "web font"),
    (b"wOF2", 0, "web font"),
)
_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("word/", "Word document (docx)"),
    ("xl/", "Excel workbook (xlsx)"),
    ("ppt/", "PowerPoint presentation (pptx)"),
    ("META-INF/container.xml", "EPUB book"),
    ("content.xml", "OpenDocument file (odt/ods/odp)"),
)


def is_pdf(data: bytes) -> bool:
    """True when the PDF header "%PDF-" appears in the first KB."""
    return b"%PDF-" in data[:PDF_HEADER_WINDOW]


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "ZIP archive (damaged)"
    for prefix, kind in _ZIP_KINDS:
        if any(name.startswith(prefix) for name in names):
            return kind
    return "ZIP archive"


def binary_kind(data: bytes) -> str | None:
    """A description of a known binary format, or None if the bytes may be text."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    for magic, offset, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return kind
    if data.startswith(b"BM") and data[6:10] == b"\x00\x00\x00\x00":
        return "BMP image"
    if data.startswith(b"MZ") and b"This program cannot be run" in data[:512]:
        return "Windows executable"
    return None


def looks_like_html(text: str) -> bool:
    """HTML markers (doctype, <html>, <body>, <meta>) or several common tags near the start."""
    head = text[:HTML_WINDOW]
    if _STRONG_HTML.search(head):
        return True
    return len(_WEAK_HTML.findall(head)) >= 3


def is_xml(text: str) -> bool:
    """An XML document (feed, office part) that is not HTML."""
    return text.lstrip("\ufeff \t\r\n").startswith("<?xml") and not looks_like_html(text)

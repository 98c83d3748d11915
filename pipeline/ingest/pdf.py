"""PDF files: text in reading order page by page, tables as rows, title and dateline.

pypdfium2 gives the characters and their boxes, grouped here into segments (runs on one
baseline without a gap wider than 1 em); pdf_layout puts them in reading order and rebuilds
paragraphs. Pages drawn with ruling lines are passed to pdfplumber, whose
`find_tables` returns cell grids; a grid of mostly short cells in aligned rows is a table and
replaces the characters it covers by rows "a | b | c" (a ruled frame around columns of prose
is not). Running headers and footers (page numbers, lines repeated on several pages, small
type in the bottom margin) are dropped. Words broken by a hyphen at a line end are rejoined
unless the document or a known prefix says the hyphen is real.
Title: the largest-type headline near the top, else the metadata Title, else the first
substantial line. Date: a dateline among the first lines, else in the dropped footers; a
month-only dateline ("N° 27 – Février 2015") is made precise by a creation date in that month.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import io
import logging
import operator
import re
import struct
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.ingest.decode import repair
from pipeline.ingest.meta import Extraction, dateline, is_dateline, usable_title
from pipeline.ingest.pdf_layout import HYPHEN_MARK, Paragraph, Segment, group_lines, page_paragraphs
from pipeline.records import ProblemKind

LOGGER = logging.getLogger(__name__)

MARGIN_SHARE = 0.07  # top and bottom 7 % of a page hold page numbers and footers
RUNNING_SHARE = 0.12  # a row repeated on several pages within the top or bottom 12 % is running
FOOTER_SIZE_RATIO = 0.9  # a bottom-margin row in type this much smaller than the body is a footer
MIN_TABLE_PATHS = 4  # fewer vector paths than this: no ruled table on the page
MAX_TABLE_PATHS = 1500  # more: a chart or a map, slow for pdfplumber and not a table
TITLE_SIZE_RATIO = 1.15
SHORT_CELL_WORDS = 6  # a table cell: a number, a year, a percentage or a few words
MIN_SHORT_CELL_SHARE = 0.6  # fewer short cells: prose caught in a ruled frame, not a table
_PAGE_NUMBER = re.compile(
    r"(?:^|\|\s*|\s)(?:page\s*)?\d{1,4}\s*(?:/|sur|of|de)\s*\d{1,4}\s*$"  # "Page 1/2", "3 of 10"
    r"|^(?:page\s*)?\d{1,4}$|^[-–]\s*\d{1,4}\s*[-–]$",  # "12", "- 12 -"
    re.IGNORECASE,
)
_PDF_DATE = re.compile(r"^(?:D:)?((?:19|20)\d\d)(\d\d)(\d\d)")
_MARKED = re.compile(rf"(\w+){HYPHEN_MARK}(\w+)")
# A line-end hyphen after one of these is part of a compound word, not a break.
COMPOUND_PREFIXES = frozenset(
    "vice ex co non sous semi demi mi anti auto post pré pro contre extra inter multi quasi "
    "self ultra micro macro mini maxi néo arrière avant après grand grande petit petite porte "
    "sans haut bas nord sud franco euro e well long short high low cross over under start "
    "chef lieu peut est-ce c'est-à".split()
)


Table = tuple[tuple[float, float, float, float], list[str]]  # (x0, bottom, x1, top), row texts


@dataclass
class _MarginRow:
    """A row of text near the top or bottom edge of a page: maybe a running header or footer."""

    text: str
    members: list[Segment]
    in_margin: bool  # within MARGIN_SHARE of the edge, where page numbers and footers sit
    small_footer: bool  # at the bottom, in type smaller than the body


@dataclass
class _Page:
    number: int
    width: float
    height: float
    segments: list[Segment]
    margin_rows: list[_MarginRow] = field(default_factory=list)


def untyped(function: Any, restype: Any) -> Any:
    """The same PDFium function, called through a ctypes prototype that declares no argument types.

    pypdfium2's functions declare theirs, and ctypes then checks and converts every argument
    of every call, which costs more than PDFium's own work for the per-character calls of
    `page_segments`. Without declared types ctypes passes a Python int as a C int and a
    pointer or `byref` as a pointer: callers must pass exactly those (a handle, a character
    index, output buffers by reference). `test_pdf_speed_untyped_pdfium_calls_match_pypdfium2` checks
    the results against pypdfium2's declared functions. On 32-bit Windows, where PDFium's
    functions use the stdcall convention, pypdfium2's own function is kept.
    """
    if sys.platform == "win32" and ctypes.sizeof(ctypes.c_void_p) == 4:
        return function
    fast = ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)
    fast.argtypes = None
    return fast


_GET_UNICODE = untyped(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
_GET_TEXT = untyped(pdfium_c.FPDFText_GetText, ctypes.c_int)
_GET_FONT_SIZE = untyped(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)
_GET_LOOSE_BOX = untyped(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int)  # FPDF_BOOL
_GET_ORIGIN = untyped(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_int)  # FPDF_BOOL
# Units of FPDFText_GetText that may stand for a character of another FPDFText_GetUnicode value:
# U+FFFE (PDFium's stand-in for a character without a Unicode value, GetUnicode 0, and for a
# hyphen it generated at a line end, GetUnicode 2), NUL, and halves of surrogate pairs.
_UNCERTAIN_UNITS = re.compile(r"[\ud800-\udfff\ufffe\x00]")
_BLANKS = "\n\r \t\xa0\x00"  # line breaks, then the characters page_segments reads as spaces


def box_reader(rect_type: Any) -> Any:
    """A function giving (left, top, right, bottom) of an FS_RECTF, in one call.

    The four floats are unpacked together (struct) when the structure is laid out as PDFium's
    fpdfview.h declares it; otherwise they are read one by one, by name.
    """
    names = ("left", "top", "right", "bottom")
    if [name for name, *_ in rect_type._fields_] == list(names) and all(
        kind is ctypes.c_float for _, kind, *_ in rect_type._fields_
    ) and ctypes.sizeof(rect_type) == struct.calcsize("4f"):
        return struct.Struct("4f").unpack_from
    return operator.attrgetter(*names)


_READ_BOX = box_reader(pdfium_c.FS_RECTF)


def bulk_text(raw: Any, count: int) -> str | None:
    """The `count` characters of a text page from one FPDFText_GetText call, or None when its
    units do not match the characters one to one.

    FPDFText_GetText reads PDFium's page text, built along with the characters, one unit per
    character in the same order, except that it leaves out control characters and writes a
    character beyond the BMP as a surrogate pair (pypdfium2 issue #261). The text is used only
    when it has exactly `count` units, each a character of its own; the few units that may
    stand for another value (`_UNCERTAIN_UNITS`) are replaced by FPDFText_GetUnicode's.
    """
    if count <= 0:
        return ""
    buffer = (ctypes.c_ushort * (count + 1))()
    if _GET_TEXT(raw, 0, count, buffer) != count + 1:
        return None
    text = ctypes.string_at(buffer, 2 * count).decode("utf-16-le", "surrogatepass")  # a pair: one character
    if len(text) != count:
        return None
    if _UNCERTAIN_UNITS.search(text):
        get_unicode = _GET_UNICODE
        text = _UNCERTAIN_UNITS.sub(lambda unit: chr(get_unicode(raw, unit.start())), text)
    return text


def page_chars(raw: Any, count: int) -> str:
    """Character i of the string is FPDFText_GetUnicode(raw, i) for every index of the text page:
    from one bulk read (`bulk_text`), else one call per character."""
    text = bulk_text(raw, count)
    if text is None:
        get_unicode = _GET_UNICODE
        text = "".join([chr(get_unicode(raw, i)) for i in range(count)])
    return text


def page_segments(textpage: pdfium.PdfTextPage) -> list[Segment]:
    """Group the characters of a page into baseline segments."""
    raw = textpage.raw
    # Several PDFium calls per character: the raw functions (without argument types, `untyped`)
    # are called on the raw handle with output buffers allocated once per page, as the
    # PdfTextPage helpers would allocate per call. The characters themselves come in one call
    # (`page_chars`): spaces and line breaks then need no call at all.
    get_font_size, get_loose_box, get_origin, read_box = _GET_FONT_SIZE, _GET_LOOSE_BOX, _GET_ORIGIN, _READ_BOX
    box, origin_x, origin_y = pdfium_c.FS_RECTF(), ctypes.c_double(), ctypes.c_double()
    box_ref, origin_x_ref, origin_y_ref = ctypes.byref(box), ctypes.byref(origin_x), ctypes.byref(origin_y)
    segments: list[Segment] = []
    current: Segment | None = None
    # The current segment's growing box and its fixed baseline and size, kept in local variables
    # while it grows (this runs for every character of every page) and written back when it ends.
    chars: list[str] = []
    x1 = low = high = line = line_size = 0.0
    pending_space = False
    for i, char in enumerate(page_chars(raw, pdfium_c.FPDFText_CountChars(raw))):
        if char in _BLANKS:  # one test for the common case, a character with ink
            if char == "\n" or char == "\r":
                if current is not None:
                    current.x1, current.bottom, current.top = x1, low, high
                current, pending_space = None, False
            else:
                pending_space = current is not None
            continue
        # the loose box spans the advance width: no false gaps around narrow glyphs
        if not get_loose_box(raw, i, box_ref):
            continue
        left, top, right, bottom = read_box(box)
        get_origin(raw, i, origin_x_ref, origin_y_ref)
        baseline = origin_y.value
        size = get_font_size(raw, i) or (top - bottom) or 1.0
        if current is not None:
            # Same line and no column-sized gap: the character continues the segment. (max, min
            # and abs written as comparisons that give what they give, NaN included.)
            em = size if size > line_size else line_size
            half = 0.5 * em
            gap = left - x1
            drift = baseline - line
            if not (drift > half or -drift > half) and -half < gap < em:
                if (pending_space or gap > 0.15 * size) and chars[-1] != " ":
                    chars.append(" ")
                chars.append(char)
                if right > x1:
                    x1 = right
                if bottom < low:
                    low = bottom
                if top > high:
                    high = top
                pending_space = False
                continue
            current.x1, current.bottom, current.top = x1, low, high
        current = Segment("", left, right, bottom, top, baseline, size, chars=[char])
        segments.append(current)
        chars, x1, low, high, line, line_size = current.chars, right, bottom, top, baseline, size
        pending_space = False
    if current is not None:
        current.x1, current.bottom, current.top = x1, low, high
    for seg in segments:
        seg.text = "".join(seg.chars).strip()
        seg.chars = []
    return [s for s in segments if s.text]


class _Tables:
    """pdfplumber opened on demand, only for pages that may hold a ruled table."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pdf: Any = None

    def find(self, index: int, height: float) -> list[Table]:
        """(x0, bottom, x1, top) in PDF points and the row texts of each table of a page."""
        import pdfplumber  # slow to import; only PDFs with ruled pages pay for it

        if self._pdf is None:
            self._pdf = pdfplumber.open(io.BytesIO(self._data))
        found: list[Table] = []
        for table in self._pdf.pages[index].find_tables():
            rows = table.extract()
            if not is_data_table(rows):
                continue
            texts = [" | ".join(" ".join((cell or "").split()) for cell in row) for row in rows if any(row)]
            x0, top, x1, bottom = table.bbox
            found.append(((x0, height - bottom, x1, height - top), texts))
        return found

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


def is_data_table(rows: list[list[str | None]]) -> bool:
    """A grid of pdfplumber cells (None: merged away) that is a table, not columns of prose.

    A table has several rows with the same number of cells, in aligned columns, and its
    cells are mostly short (numbers, years, percentages, a few words). Two columns of running
    prose caught in a ruled frame give long, word-wrapped cells that end mid-sentence.
    """
    rows = [row for row in rows if any(row)]
    shapes = Counter(sum(cell is not None for cell in row) for row in rows)
    if not shapes:
        return False
    columns, count = shapes.most_common(1)[0]
    cells = [" ".join(cell.split()) for row in rows for cell in row if cell and cell.strip()]
    if columns < 2 or count < 2 or not cells:
        return False
    short = sum(len(cell.split()) <= SHORT_CELL_WORDS for cell in cells)
    return short >= MIN_SHORT_CELL_SHARE * len(cells)


_COUNT_OBJECTS = untyped(pdfium_c.FPDFPage_CountObjects, ctypes.c_int)
_GET_OBJECT = untyped(pdfium_c.FPDFPage_GetObject, pdfium_c.FPDF_PAGEOBJECT)
_GET_TYPE = untyped(pdfium_c.FPDFPageObj_GetType, ctypes.c_int)
FORM_DEPTH = 15  # PdfPage.get_objects's max_depth: objects of forms nested up to 14 levels deep


def count_paths(page: pdfium.PdfPage, limit: int) -> int | None:
    """The vector paths of a page, those of its forms included, counted up to the first past `limit`.

    The objects are walked in the order of PdfPage.get_objects, through PDFium's functions
    without a PdfObject helper for each. None when PDFium reports an error (a negative count, a
    missing object): `get_objects` then raises it as it always did.
    """
    path, form = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    get_type = _GET_TYPE
    paths = 0

    def walk(count: Any, get: Any, parent: Any, level: int) -> bool:
        nonlocal paths
        total = count(parent)
        if total < 0:
            return False
        for i in range(total):
            obj = get(parent, i)
            if not obj:
                return False
            kind = get_type(obj)
            if kind == path:
                paths += 1
                if paths > limit:
                    return True
            elif kind == form and level < FORM_DEPTH - 1:
                if not walk(pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, obj, level + 1):
                    return False
                if paths > limit:
                    return True
        return True

    return paths if walk(_COUNT_OBJECTS, _GET_OBJECT, page.raw, 0) else None


def _may_hold_table(page: pdfium.PdfPage) -> bool:
    """A few vector paths (ruling lines, cell borders) but not a drawing made of thousands."""
    paths = count_paths(page, MAX_TABLE_PATHS)
    if paths is None:  # PDFium failed somewhere: the helpers raise its error, as they always did
        paths = 0
        for obj in page.get_objects():
            paths += obj.type == pdfium_c.FPDF_PAGEOBJ_PATH
            if paths > MAX_TABLE_PATHS:
                break
    return MIN_TABLE_PATHS <= paths <= MAX_TABLE_PATHS


def _insert_tables(segments: list[Segment], tables: list[Table]) -> list[Segment]:
    """Replace the segments inside each table box by one table segment, where the first of them was."""
    for (x0, bottom, x1, top), rows in tables:
        inside = [
            i
            for i, s in enumerate(segments)
            if x0 - 1 <= (s.x0 + s.x1) / 2 <= x1 + 1 and bottom - 1 <= (s.bottom + s.top) / 2 <= top + 1
        ]
        if not inside:
            continue
        size = sorted(segments[i].size for i in inside)[len(inside) // 2]
        table = Segment("\n".join(rows), x0, x1, bottom, top, top, size, is_table=True)
        covered = set(inside)
        segments = [s for i, s in enumerate(segments) if i not in covered]
        segments.insert(inside[0], table)  # the stream order puts the table where its text began
    return segments


def _read_page(pdf: pdfium.PdfDocument, index: int, tables: _Tables, doc_id: str) -> _Page:
    page = pdf[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            segments = page_segments(textpage)
        finally:
            textpage.close()
        if segments and _may_hold_table(page):
            try:
                segments = _insert_tables(segments, tables.find(index, height))
            except Exception as exc:  # noqa: BLE001 - tables are a bonus: keep the plain text
                LOGGER.warning("%s: table detection failed on page %d: %r", doc_id, index + 1, exc)
    finally:
        page.close()
    return _Page(index + 1, width, height, segments, _margin_rows(segments, height))


def _margin_rows(segments: list[Segment], height: float) -> list[_MarginRow]:
    """The rows of text within RUNNING_SHARE of the top or bottom edge of a page."""

    def near_edge(seg: Segment, share: float) -> bool:
        return seg.bottom > height * (1 - share) or seg.top < height * share

    edges = [s for s in segments if near_edge(s, RUNNING_SHARE)]
    sizes: Counter[float] = Counter()
    for seg in segments:
        sizes[seg.size] += 0 if near_edge(seg, MARGIN_SHARE) else len(seg.text)
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    rows: list[_MarginRow] = []
    for row in group_lines(edges):
        members = [s for s in edges if abs(s.baseline - row.baseline) < 0.4 * max(s.size, row.size)]
        in_margin = all(near_edge(s, MARGIN_SHARE) for s in members)
        small_footer = in_margin and row.top < height * MARGIN_SHARE and row.size < FOOTER_SIZE_RATIO * body_size
        rows.append(_MarginRow(row.text, members, in_margin, small_footer))
    return rows


def _row_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.casefold()).strip()


def _drop_running_lines(pages: list[_Page]) -> list[str]:
    """Remove page numbers, small-type footers and header/footer rows repeated on several pages.

    Returns the text of the rows removed. The first of repeated header rows stays: a masthead.
    """
    seen_on = Counter(key for page in pages for key in {_row_key(row.text) for row in page.margin_rows})
    dropped: list[str] = []
    first_seen: set[str] = set()
    for page in pages:
        for row in page.margin_rows:
            key = _row_key(row.text)
            repeated = seen_on[key] >= 2 and key in first_seen
            first_seen.add(key)
            if repeated or row.small_footer or (row.in_margin and _PAGE_NUMBER.search(row.text)):
                dropped.append(row.text)
                gone = {id(s) for s in row.members}
                page.segments = [s for s in page.segments if id(s) not in gone]
    return dropped


def dehyphenate(text: str) -> str:
    """Resolve the hyphen marks left by line joining: "dévelop|pement" -> "développement"."""
    if HYPHEN_MARK not in text:  # no word broken at a line end: nothing to look up
        return text
    plain = text.replace(HYPHEN_MARK, " ")
    words = set(re.findall(r"[\w'-]+", plain.casefold()))

    def resolve(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        compound = f"{head}-{tail}".casefold()
        if compound in words or head.casefold() in COMPOUND_PREFIXES or tail[:1].isupper():
            return f"{head}-{tail}"
        return head + tail

    return _MARKED.sub(resolve, text).replace(HYPHEN_MARK, "-")


def _open_problem(exc: Exception) -> tuple[ProblemKind, str]:
    message = str(exc)
    if "password" in message.lower():
        return "unsupported", "encrypted PDF: a password is needed to read it; ask for an unprotected copy"
    return "unreadable", f"corrupt or truncated PDF, PDFium cannot open it ({message}); re-export or re-download it"


def _title(paragraphs: list[Paragraph], metadata_title: str | None) -> str | None:
    sizes: Counter[float] = Counter()
    for text, size in paragraphs:
        sizes[round(size, 1)] += len(text)
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    head = paragraphs[:15]
    headlines: list[tuple[float, str]] = []
    for text, size in head:
        first = " ".join(text.split("\n", 1)[0].split())  # a subtitle follows a hard line break
        large = size >= TITLE_SIZE_RATIO * body_size
        if large and len(first.split()) >= 4 and len(first) <= 250 and not is_dateline(first):
            headlines.append((size, first))
    if headlines:  # the largest type: a masthead above the headline is usually smaller
        return dehyphenate(max(headlines, key=lambda headline: headline[0])[1])
    title = usable_title(metadata_title)
    if title:
        return title
    for text, _ in head:
        line = text.split("\n", 1)[0].strip()
        if len(line.split()) >= 4 and 15 <= len(line) <= 200 and not is_dateline(line):
            return dehyphenate(line)
    return None


def _metadata_days(metadata: dict[str, str]) -> list[str]:
    """Creation and modification days ('YYYY-MM-DD') from PDF dates like "D:20150212093000Z".

    Producers stamp the time of export, which can be years later: these only make a
    month-only dateline more precise.
    """
    days: list[str] = []
    for key in ("CreationDate", "ModDate"):
        match = _PDF_DATE.match(metadata.get(key) or "")
        if match:
            try:
                days.append(dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat())
            except ValueError:
                continue
    return days


def _read_all(pdf: pdfium.PdfDocument, data: bytes, doc_id: str, result: Extraction) -> list[_Page]:
    tables = _Tables(data)
    pages: list[_Page] = []
    try:
        for index in range(len(pdf)):
            try:
                pages.append(_read_page(pdf, index, tables, doc_id))
            except Exception as exc:  # noqa: BLE001 - one bad page must not lose the others
                LOGGER.warning("%s: page %d unreadable: %r", doc_id, index + 1, exc)
                result.problem("exception", f"page {index + 1} could not be read: {exc!r}")
    finally:
        tables.close()
    return pages


def extract(data: bytes, *, doc_id: str) -> Extraction:
    """Text, title and dateline of a PDF; problems (encrypted, corrupt, no text) on the result."""
    result = Extraction()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        kind, message = _open_problem(exc)
        result.problem(kind, message, fatal=True)
        return result
    try:
        metadata = pdf.get_metadata_dict()
        pages = _read_all(pdf, data, doc_id, result)
    finally:
        pdf.close()
    footers = _drop_running_lines(pages)
    paragraphs = [p for page in pages for p in page_paragraphs(page.segments, page.width)]
    text, _ = repair(dehyphenate("\n\n".join(text for text, _ in paragraphs)))
    if not any(ch.isalpha() for ch in text):
        message = f"no text layer in {len(pages)} page(s): a scanned or image-only PDF needs OCR first"
        result.problem("empty_text", message, fatal=True)
        return result
    result.text = text
    result.title = _title(paragraphs, metadata.get("Title"))
    known = _metadata_days(metadata)  # a month-only dateline takes the creation day in that month
    found = dateline(text.split("\n"), bottom=0, known=known)
    found = found or dateline(footers, top=len(footers), bottom=0, known=known)
    result.published = found[1] if found else None
    result.published_source = "text" if found else None
    return result

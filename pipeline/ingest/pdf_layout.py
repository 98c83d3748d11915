"""Reading order and paragraphs of one PDF page, from character boxes.

pdfium returns text in content-stream order, which interleaves the lines of two columns when a
producer writes them row by row. So the page is rebuilt from geometry:

1. characters -> segments: runs of characters on one baseline without a wide horizontal gap;
2. column gutters: vertical strips, away from the page edges, that no mid-width text segment
   crosses while at least three such segments lie on each side of them;
3. reading order: segments that cross a gutter (titles, footers, full-width paragraphs) cut the
   page into bands; inside a band, each column is read top to bottom, left column first;
4. lines -> paragraphs: a wrapped line joins the next with a space (a word broken by a hyphen
   is marked for the document-level de-hyphenation); a short line keeps its line break;
   a larger vertical gap, a change of font size, an indent or a bullet starts a paragraph.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

HYPHEN_MARK = "\ue000"  # joins "dévelop" and "pement" until the document decides on the hyphen
GUTTER_MIN_WIDTH = 6.0  # points
BODY_MIN_CHARS = 20  # segments shorter than this (cells, labels) do not vote for gutters
_BULLET = re.compile(r"^(?:[•·▪►◦‣∙*]|[-–—](?=\s)|\d{1,2}[.)](?=\s))")
_HYPHENS = ("-", "\x02", "\u00ad", "\u2010")


@dataclass
class Segment:
    """Text on one baseline, with its box in PDF points (origin bottom-left)."""

    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    baseline: float
    size: float
    col: int = -1  # column index, -1 when the segment crosses a gutter
    is_table: bool = False
    chars: list[str] = field(default_factory=list, repr=False)


# --- characters to segments ------------------------------------------------------------------


def _char_origin(raw_textpage: object, index: int) -> tuple[float, float]:
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(raw_textpage, index, ctypes.byref(x), ctypes.byref(y))
    return x.value, y.value


def page_segments(textpage: object) -> list[Segment]:
    """Group the characters of a pypdfium2 PdfTextPage into baseline segments."""
    raw = textpage.raw  # type: ignore[attr-defined]
    segments: list[Segment] = []
    current: Segment | None = None
    pending_space = False
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (10, 13):
            current, pending_space = None, False
            continue
        if code in (32, 9, 0xA0) or code == 0:
            pending_space = current is not None
            continue
        try:  # the loose box spans the advance width: no false gaps around narrow glyphs
            left, bottom, right, top = textpage.get_charbox(i, loose=True)  # type: ignore[attr-defined]
        except pdfium.PdfiumError:
            continue
        _, baseline = _char_origin(raw, i)
        size = pdfium_c.FPDFText_GetFontSize(raw, i) or (top - bottom) or 1.0
        char = "\x02" if code == 2 else chr(code)
        if current is not None and _continues(current, left, baseline, size):
            gap = left - current.x1
            if (pending_space or gap > 0.15 * size) and current.chars[-1] != " ":
                current.chars.append(" ")
            current.chars.append(char)
            current.x1 = max(current.x1, right)
            current.bottom, current.top = min(current.bottom, bottom), max(current.top, top)
        else:
            current = Segment("", left, right, bottom, top, baseline, size, chars=[char])
            segments.append(current)
        pending_space = False
    for seg in segments:
        seg.text = "".join(seg.chars).strip()
        seg.chars = []
    return [s for s in segments if s.text]


def _continues(seg: Segment, left: float, baseline: float, size: float) -> bool:
    """Same line and no column-sized gap between seg and a character at (left, baseline)."""
    em = max(seg.size, size)
    if abs(baseline - seg.baseline) > 0.5 * em:
        return False
    gap = left - seg.x1
    return -0.5 * em < gap < 1.0 * em


# --- columns ------------------------------------------------------------------------------------


def find_gutters(segments: list[Segment], page_width: float) -> list[float]:
    """x positions of column gutters (empty for a single-column page)."""
    body = [s for s in segments if len(s.text) >= BODY_MIN_CHARS and not s.is_table]
    if len(body) < 6:
        return []
    left_edge = min(s.x0 for s in body)
    text_width = max(s.x1 for s in body) - left_edge
    narrow = [s for s in body if s.x1 - s.x0 < 0.6 * text_width]
    coverage = [0] * (int(page_width) + 2)
    for s in narrow:
        for x in range(max(0, int(s.x0)), min(len(coverage), int(s.x1) + 1)):
            coverage[x] += 1
    lo, hi = int(left_edge + 0.15 * text_width), int(left_edge + 0.85 * text_width)
    gutters: list[float] = []
    x = lo
    while x < hi:
        if coverage[x] > 0:
            x += 1
            continue
        start = x
        while x < hi and coverage[x] == 0:
            x += 1
        if x - start >= GUTTER_MIN_WIDTH and _splits(narrow, start, x):
            gutters.append((start + x) / 2)
    return gutters


def _splits(segments: list[Segment], start: float, end: float) -> bool:
    """At least three segments on each side of [start, end], side by side vertically."""
    left = [s for s in segments if s.x1 <= start + 1]
    right = [s for s in segments if s.x0 >= end - 1]
    if len(left) < 3 or len(right) < 3:
        return False
    overlap = min(max(s.top for s in left), max(s.top for s in right)) - max(
        min(s.bottom for s in left), min(s.bottom for s in right)
    )
    return overlap > 2 * statistics.median(s.top - s.bottom for s in left + right)


def assign_columns(segments: list[Segment], gutters: list[float]) -> None:
    """Set seg.col; segments crossing a gutter or outside the columns' height stay -1."""
    if not gutters:
        for seg in segments:
            seg.col = 0
        return
    bounds = [float("-inf"), *gutters, float("inf")]
    inside = [s for s in segments if len(s.text) >= BODY_MIN_CHARS and any(s.x1 <= g or s.x0 >= g for g in gutters)]
    columned = [s for s in inside if all(s.x1 <= g + 1 or s.x0 >= g - 1 for g in gutters)]
    top = max((s.top for s in columned), default=float("inf"))
    bottom = min((s.bottom for s in columned), default=float("-inf"))
    for seg in segments:
        seg.col = -1
        if seg.top > top + 1 or seg.bottom < bottom - 1:
            continue
        for i in range(len(bounds) - 1):
            if bounds[i] - 1 <= seg.x0 and seg.x1 <= bounds[i + 1] + 1:
                seg.col = i
                break


def reading_order(segments: list[Segment]) -> list[list[Segment]]:
    """Groups of segments in reading order: a spanning run, then each column of a band."""
    groups: list[list[Segment]] = []
    band: dict[int, list[Segment]] = {}
    spanning: list[Segment] = []
    for seg in sorted(segments, key=lambda s: (-s.top, s.x0)):
        if seg.col == -1:
            groups += [band[c] for c in sorted(band)]
            band = {}
            spanning.append(seg)
            continue
        if spanning:
            groups.append(spanning)
            spanning = []
        band.setdefault(seg.col, []).append(seg)
    groups += [band[c] for c in sorted(band)]
    if spanning:
        groups.append(spanning)
    return groups


# --- lines and paragraphs ---------------------------------------------------------------------


def group_lines(group: list[Segment]) -> list[Segment]:
    """Merge segments of one group that share a baseline into lines (far apart: ' | ')."""
    lines: list[Segment] = []
    for seg in sorted(group, key=lambda s: (-s.baseline, s.x0)):
        last = lines[-1] if lines else None
        if last and not seg.is_table and not last.is_table and abs(seg.baseline - last.baseline) < 0.4 * max(seg.size, last.size):
            sep = " | " if seg.x0 - last.x1 > 2.5 * max(seg.size, last.size) else " "
            last.text += sep + seg.text
            last.x1, last.size = max(last.x1, seg.x1), max(last.size, seg.size)
            last.top, last.bottom = max(last.top, seg.top), min(last.bottom, seg.bottom)
        else:
            lines.append(Segment(seg.text, seg.x0, seg.x1, seg.bottom, seg.top, seg.baseline, seg.size, seg.col, seg.is_table))
    return lines


def _char_width(line: Segment) -> float:
    return (line.x1 - line.x0) / max(len(line.text), 1)


def is_wrapped(prev: Segment, nxt: Segment, right_edge: float) -> bool:
    """True when prev ends because the next line's first word did not fit on it."""
    first_word = nxt.text.split(" ", 1)[0]
    room = right_edge - prev.x1
    return room < (len(first_word) + 2) * _char_width(nxt)


def _pitches(lines: list[Segment]) -> dict[float, float]:
    """Usual baseline-to-baseline distance per font size, where there are enough samples."""
    samples: dict[float, list[float]] = {}
    for a, b in zip(lines, lines[1:]):
        gap = a.baseline - b.baseline
        if abs(a.size - b.size) < 0.5 and 0 < gap < 3 * a.size:
            samples.setdefault(round(a.size), []).append(gap)
    return {size: statistics.median(gaps) for size, gaps in samples.items() if len(gaps) >= 3}


def _starts_paragraph(prev: Segment, line: Segment, left_edge: float, pitches: dict[float, float]) -> bool:
    gap = prev.baseline - line.baseline
    if prev.is_table or line.is_table or abs(prev.size - line.size) > 0.9:
        return True
    pitch = pitches.get(round(line.size))
    if gap > (1.35 * pitch if pitch else 1.55 * line.size) or gap < 0:
        return True
    indented = line.x0 - left_edge > 1.2 * line.size and prev.x0 - left_edge < 0.5 * line.size
    return indented or bool(_BULLET.match(line.text))


def join_lines(prev: str, nxt: str) -> str:
    """Join a wrapped line to the next: a space, or the hyphen mark for a word broken at the end."""
    if prev.endswith(_HYPHENS) and len(prev) > 1 and prev[-2].isalpha() and nxt[:1].isalpha():
        return prev[:-1] + HYPHEN_MARK + nxt
    return prev + " " + nxt


Paragraph = tuple[str, float]  # text and font size of its first line


def paragraphs(lines: list[Segment]) -> list[Paragraph]:
    """Paragraphs of one group of lines (a column of a band, or a spanning run)."""
    if not lines:
        return []
    left_edge = min(line.x0 for line in lines)
    right_edge = max(line.x1 for line in lines)
    pitches = _pitches(lines)
    out: list[list[str | float]] = [[lines[0].text, lines[0].size]]
    for prev, line in zip(lines, lines[1:]):
        text = str(out[-1][0])
        if _starts_paragraph(prev, line, left_edge, pitches):
            out.append([line.text, line.size])
        elif is_wrapped(prev, line, right_edge):
            out[-1][0] = join_lines(text, line.text)
        else:
            out[-1][0] = text + "\n" + line.text
    return [(str(t), float(z)) for t, z in out]


def _flows_on(prev: Segment, nxt: Segment, right_edge: float) -> bool:
    """A paragraph running from the bottom of one column to the top of the next."""
    if prev.is_table or nxt.is_table or prev.text.endswith((".", "!", "?", ":", '"', "»")):
        return False
    return nxt.text[:1].islower() and is_wrapped(prev, nxt, right_edge)


def page_paragraphs(segments: list[Segment], page_width: float) -> list[Paragraph]:
    """Paragraphs of a page in reading order."""
    assign_columns(segments, find_gutters(segments, page_width))
    out: list[Paragraph] = []
    previous: tuple[Segment, float, int] | None = None  # last line, right edge, column
    for group in reading_order(segments):
        lines = group_lines(group)
        paras = paragraphs(lines)
        if not paras:
            continue
        if out and previous and previous[2] >= 0 and lines[0].col > previous[2] and _flows_on(previous[0], lines[0], previous[1]):
            out[-1] = (join_lines(out[-1][0], paras[0][0]), out[-1][1])
            paras = paras[1:]
        out += paras
        previous = (lines[-1], max(line.x1 for line in lines), lines[-1].col)
    return out

"""Reading order and paragraphs of one PDF page, from the boxes of its text segments.

Segments (runs of characters on one baseline, from pdf.page_segments) come in content-stream
order. Most producers write a page in reading order, one column after the other, and that
order is then the best one there is (a heading drawn a little off its column stays in its
place). Some write two columns row by row, interleaving their lines; the page is then rebuilt
from geometry. Both orders are built and the evidence decides:

1. segments: in content-stream order, tables already replaced by one segment each;
2. column gutters: vertical strips of white, away from the page edges, free of text over a run
   of consecutive rows of which at least MIN_COLUMN_ROWS carry prose left of the strip and as
   many right of it (not necessarily on the same baselines: columns need not share a baseline
   grid; a river in justified text or the cells of a table do not qualify);
3. stream order: consecutive segments going on rightwards on one row make a line; a line that
   does not go on below the previous one, overlapping it, on the same side of every gutter, is
   a jump (to the top of the next column, or back and forth between columns);
4. geometric order: segments outside a gutter's height or across it (titles, footers,
   full-width paragraphs) cut the page into bands; inside a band each column is read top to
   bottom, left column first;
5. the stream order is kept unless more than STREAM_MAX_JUMP_SHARE of its moves are jumps and
   the geometric order makes fewer than half as many: the stream then interleaves columns;
6. lines -> paragraphs: a wrapped line joins the next with a space (a word broken by a hyphen
   is marked for the document-level de-hyphenation); a short line keeps its line break;
   a larger vertical gap, a change of font size, an indent or a bullet starts a paragraph.
   A paragraph that ends a column unfinished goes on at the top of the next one.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
import statistics
from dataclasses import dataclass, field

HYPHEN_MARK = "\ue000"  # joins "dévelop" and "pement" until the document decides on the hyphen
GUTTER_MIN_WIDTH = 6  # points
MIN_COLUMN_ROWS = 6  # rows with prose on both sides of a gutter, for it to count
SIDE_MIN_EMS = 6  # "prose" on one side of a gutter: at least this many ems of text on the row
STREAM_MAX_JUMP_SHARE = 0.25  # a content stream with fewer jumps between lines reads in order
_BULLET = re.compile(r"^(?:[•·▪►◦‣∙*]|[-–—](?=\s)|\d{1,2}[.)](?=\s))")
_FIRST_WORD = re.compile(r"[«“‘\"'(\[–—-]*\s?\S+")  # "« Nous": a guillemet never ends a line alone
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


def copy_segment(seg: Segment) -> Segment:
    """`dataclasses.replace(seg)`, spelled out: lines are built from copies of every segment of a page."""
    return Segment(seg.text, seg.x0, seg.x1, seg.bottom, seg.top, seg.baseline, seg.size, seg.col, seg.is_table, seg.chars)


# --- columns ------------------------------------------------------------------------------------


@dataclass
class Gutter:
    """A vertical strip of white between columns, and the height where it separates them."""

    x: float
    top: float
    bottom: float


def _rows(segments: list[Segment]) -> list[list[Segment]]:
    """Segments grouped by baseline, top of the page first."""
    rows: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: (-s.baseline, s.x0)):
        if rows and abs(rows[-1][0].baseline - seg.baseline) < 0.4 * max(rows[-1][0].size, seg.size):
            rows[-1].append(seg)
        else:
            rows.append([seg])
    return rows


def _prose_sides(row: list[Segment], x: int, need: float) -> tuple[bool, bool]:
    """Whether the row carries prose left of x, and right of it: at least `need` points of text
    (SIDE_MIN_EMS ems of the row's largest type, `_needs`)."""
    left = sum(s.x1 - s.x0 for s in row if s.x1 <= x)
    right = sum(s.x1 - s.x0 for s in row if s.x0 >= x)
    return left >= need, right >= need


def _needs(rows: list[list[Segment]]) -> list[float]:
    """For each row, the width of text that counts as prose on one side of a gutter."""
    return [SIDE_MIN_EMS * max(s.size for s in row) for row in rows]


def prose_maps(rows: list[list[Segment]], needs: list[float], width: int) -> tuple[list[bytes], list[bytes]]:
    """`_prose_sides` of every row at every x in range(width), as two byte strings per row (1: prose).

    The gutter search asks for every row at most free x of a page. The text left of x only
    changes where x passes the right end of a segment (`s.x1 <= x` from x = ceil(x1) on), and
    the text right of it where x passes a left end (`s.x0 >= x` up to x = floor(x0)): between
    two such points the answer is computed once, summing the same widths in the same order as
    `_prose_sides`, so the floating-point totals and the answers are the same.
    """
    lefts: list[bytes] = []
    rights: list[bytes] = []
    for row, need in zip(rows, needs):
        # the first x at which each segment is left of x, and the first at which it no longer is right of x
        starts = [_first_x_at_or_after(s.x1, width) for s in row]
        ends = [_first_x_after(s.x0, width) for s in row]
        left, right = bytearray(width), bytearray(width)
        cuts = sorted({0, width, *starts, *ends})
        for a, b in itertools.pairwise(cuts):
            total_left = sum(s.x1 - s.x0 for s, start in zip(row, starts) if start <= a)
            total_right = sum(s.x1 - s.x0 for s, end in zip(row, ends) if a < end)
            if total_left >= need:
                left[a:b] = b"\x01" * (b - a)
            if total_right >= need:
                right[a:b] = b"\x01" * (b - a)
        lefts.append(bytes(left))
        rights.append(bytes(right))
    return lefts, rights


def _first_x_at_or_after(value: float, width: int) -> int:
    """The least x in range(width) with value <= x (width when none: value NaN or beyond)."""
    if value <= 0:
        return 0
    if value <= width - 1:
        return math.ceil(value)
    return width


def _first_x_after(value: float, width: int) -> int:
    """The least x in range(width) with not value >= x (width when none: value NaN gives 0)."""
    if not value >= 0:
        return 0
    if value >= width - 1:
        return width
    return math.floor(value) + 1


def _has_prose(row: list[Segment], x: int) -> bool:
    """Prose next to x on either side: text far from x ("Budget ... 3,2 M€") does not count."""
    size = max(s.size for s in row)
    left = sorted((s for s in row if s.x1 <= x), key=lambda s: -s.x1)
    right = sorted((s for s in row if s.x0 >= x), key=lambda s: s.x0)
    for side in (left, right):
        total, last = 0.0, None  # the segments nearest to x, up to a gap wider than 4 ems
        for seg in side:
            if last is not None and max(last.x0 - seg.x1, seg.x0 - last.x1) > 4 * size:
                break
            total, last = total + seg.x1 - seg.x0, seg
        if total >= SIDE_MIN_EMS * size:
            return True
    return False


def _bits(flags: bytes | bytearray) -> int:
    """Bytes of 0 and 1 as one integer, byte x of the bytes in byte x of the integer."""
    return int.from_bytes(flags, "little")


def column_counts(rows: list[int], width: int) -> list[int]:
    """For each x in range(width), how many of the rows (`_bits` of 0/1 bytes) hold a 1 at x.

    Added as integers, byte x of the sum is the count at x as long as no byte carries into the
    next: up to 255 rows are added at a time.
    """
    counts = [0] * width
    for start in range(0, len(rows), 255):
        total = sum(rows[start : start + 255])
        counts = list(map(operator.add, counts, total.to_bytes(width, "little")))
    return counts


@dataclass
class Grid:
    """What the gutter search reads for every free x of a page, computed once per page."""

    rows: list[list[Segment]]
    width: int  # x runs over range(width)
    covers: list[bytearray]  # per row, 1 at each x its text covers (with a point of margin)
    needs: list[float]  # per row, `_needs`
    prose_left: list[bytes]  # per row, `prose_maps`
    prose_right: list[bytes]
    gap_above: list[bool]  # per row, a wide vertical gap (over 3 line pitches) above it


def _best_run(grid: Grid, x: int) -> tuple[int, int] | None:
    """Longest run of consecutive rows leaving x free, with columns of text around it.

    A run is scored by its rows with prose left of x or right of it, whichever are fewer:
    the lines of two columns need not share baselines.
    """
    best: tuple[int, int, int] | None = None  # (score, first, last)
    start, lefts, rights = 0, 0, 0
    for i, (cover, left, right, gap) in enumerate(zip(grid.covers, grid.prose_left, grid.prose_right, grid.gap_above)):
        if cover[x]:  # text across x: the run stops above this row
            start, lefts, rights = i + 1, 0, 0
            continue
        if i > start and gap:
            start, lefts, rights = i, 0, 0
        lefts, rights = lefts + left[x], rights + right[x]
        score = lefts if lefts < rights else rights
        if best is None or score >= best[0]:
            best = (score, start, i)
    if best is None or best[0] < MIN_COLUMN_ROWS:
        return None
    return _trim_run(grid.rows, grid.covers, x, best[1], best[2], grid.needs)


def _trim_run(rows: list[list[Segment]], covers: list[bytearray], x: int, first: int, last: int,
              needs: list[float]) -> tuple[int, int]:
    """Leave out the rows at the ends of a run that belong to the text above or below the columns.

    Above: the last line of a full-width paragraph, right under it, text on one side only.
    Below: rows without prose ("label   value" pairs, a signature) after a paragraph gap.
    """

    def close(upper: list[Segment], lower: list[Segment]) -> bool:  # no paragraph gap between the rows
        return upper[0].baseline - lower[0].baseline <= 1.5 * max(s.size for s in upper + lower)

    while first < last and first > 0 and covers[first - 1][x] and close(rows[first - 1], rows[first]):
        if all(_prose_sides(rows[first], x, needs[first])):
            break
        first += 1
    end = next((i for i in range(last, first - 1, -1) if _has_prose(rows[i], x)), last)
    while end < last and close(rows[end], rows[end + 1]):  # the short last lines of the columns
        end += 1
    return first, end


def page_grid(rows: list[list[Segment]], page_width: float) -> Grid:
    """What the gutter search reads, for rows of segments (`_rows`) on a page this wide."""
    width = int(page_width) + 2
    covers: list[bytearray] = []
    for row in rows:
        cover = bytearray(width)
        for seg in row:
            a, b = max(0, int(seg.x0) - 1), max(0, min(width, int(seg.x1) + 2))
            cover[a:b] = b"\x01" * max(0, b - a)
        covers.append(cover)
    gaps = [a[0].baseline - b[0].baseline for a, b in itertools.pairwise(rows)]
    pitch = statistics.median(gaps) if gaps else 12.0
    needs = _needs(rows)
    return Grid(rows, width, covers, needs, *prose_maps(rows, needs, width), [False] + [gap > 3 * pitch for gap in gaps])


def gutter_candidates(grid: Grid) -> list[int]:
    """The x where `_best_run` may find a run: in the middle 70 % of the text's width, with at
    least MIN_COLUMN_ROWS rows that leave x free with prose left of it, and as many right of it.

    A run's score counts such rows, so elsewhere (at most x of a single-column page) it is
    under MIN_COLUMN_ROWS and `_best_run` finds nothing.
    """
    rows, covers, width = grid.rows, grid.covers, grid.width
    left, right = min(r[0].x0 for r in rows), max(max(s.x1 for s in r) for r in rows)
    free_left = column_counts([_bits(p) & ~_bits(c) for p, c in zip(grid.prose_left, covers)], width)
    free_right = column_counts([_bits(p) & ~_bits(c) for p, c in zip(grid.prose_right, covers)], width)
    return [
        x
        for x in range(max(0, int(left + 0.15 * (right - left))), min(width, int(left + 0.85 * (right - left))))
        if free_left[x] >= MIN_COLUMN_ROWS and free_right[x] >= MIN_COLUMN_ROWS
    ]


def find_gutters(segments: list[Segment], page_width: float) -> list[Gutter]:
    """Column gutters of a page (empty for a single-column page)."""
    rows = _rows([s for s in segments if not s.is_table])
    if len(rows) < MIN_COLUMN_ROWS:
        return []
    grid = page_grid(rows, page_width)
    runs: dict[int, tuple[int, int]] = {}
    for x in gutter_candidates(grid):
        run = _best_run(grid, x)
        if run:
            runs[x] = run
    return _strips(runs, rows)


def _strips(runs: dict[int, tuple[int, int]], rows: list[list[Segment]]) -> list[Gutter]:
    """Merge neighbouring free x positions into gutters at least GUTTER_MIN_WIDTH wide."""
    gutters: list[Gutter] = []
    strip: list[int] = []
    for x in [*sorted(runs), -10]:
        if strip and x == strip[-1] + 1:
            strip.append(x)
            continue
        if strip and strip[-1] - strip[0] + 1 >= GUTTER_MIN_WIDTH:
            # the tallest run inside the strip: near a ragged column edge runs are shorter
            tallest = max((runs[p] for p in strip), key=lambda run: run[1] - run[0])
            centre = [p for p in strip if runs[p] == tallest]
            top = max(s.top for s in rows[tallest[0]])
            bottom = min(s.bottom for s in rows[tallest[1]])
            gutters.append(Gutter((centre[0] + centre[-1]) / 2, top, bottom))
        strip = [x]
    return gutters


def assign_columns(segments: list[Segment], gutters: list[Gutter]) -> None:
    """Set seg.col: the column index inside a gutter's height, -1 elsewhere or across a gutter."""
    for seg in segments:
        active = [g for g in gutters if g.bottom - 1 <= seg.baseline <= g.top + 1]
        if not active or any(seg.x0 < g.x < seg.x1 for g in active):
            seg.col = -1
        else:
            seg.col = sum(1 for g in active if seg.x0 >= g.x)


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


# --- lines and reading order ---------------------------------------------------------------


def _same_row(a: Segment, b: Segment) -> bool:
    return abs(a.baseline - b.baseline) < 0.4 * max(a.size, b.size)


def _append(line: Segment, seg: Segment) -> None:
    """Put seg at the end of a line: after a space, or ' | ' between far-apart cells outside columns."""
    wide = seg.x0 - line.x1 > 2.5 * max(seg.size, line.size)
    line.text += (" | " if wide and seg.col < 0 else " ") + seg.text  # inside a column: justified spacing
    line.x1, line.size = max(line.x1, seg.x1), max(line.size, seg.size)
    line.top, line.bottom = max(line.top, seg.top), min(line.bottom, seg.bottom)


def group_lines(group: list[Segment]) -> list[Segment]:
    """Merge segments of one group that share a baseline into lines (far apart: ' | ')."""
    lines: list[Segment] = []
    for seg in sorted(group, key=lambda s: (-s.baseline, s.x0)):
        last = lines[-1] if lines else None
        if last and _same_row(seg, last) and not seg.is_table and not last.is_table:
            _append(last, seg)
        else:
            lines.append(copy_segment(seg))
    return lines


def stream_lines(segments: list[Segment]) -> list[Segment]:
    """Lines in content-stream order: a segment going on rightwards on the row of the last one joins it."""
    lines: list[Segment] = []
    for seg in segments:
        last = lines[-1] if lines else None
        if (
            last
            and _same_row(seg, last)
            and seg.x0 > last.x1 - 0.5 * seg.size
            and not (last.col >= 0 and seg.col >= 0 and last.col != seg.col)  # never across a gutter
            and not seg.is_table
            and not last.is_table
        ):
            _append(last, seg)
        else:
            lines.append(copy_segment(seg))
    return lines


def _goes_on(prev: Segment, line: Segment) -> bool:
    """line is read after prev without a jump: lower down, overlapping it, in the same column."""
    overlap = min(prev.x1, line.x1) - max(prev.x0, line.x0)
    return line.baseline < prev.baseline and not _same_row(prev, line) and overlap > 0 and line.col == prev.col


def _jumps(lines: list[Segment]) -> int:
    return sum(not _goes_on(prev, line) for prev, line in itertools.pairwise(lines))


def _split_at_jumps(lines: list[Segment]) -> list[list[Segment]]:
    groups: list[list[Segment]] = []
    for prev, line in zip([None, *lines], lines):
        if prev is not None and _goes_on(prev, line):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def reading_groups(segments: list[Segment], page_width: float) -> list[list[Segment]]:
    """Lines of a page in reading order, in runs read without a jump (a column of a band, say).

    segments must be in content-stream order. That order is kept unless it interleaves
    columns: many jumps, where the geometric order has far fewer.
    """
    assign_columns(segments, find_gutters(segments, page_width))
    stream = stream_lines(segments)
    stream_jumps = _jumps(stream)
    if stream_jumps > STREAM_MAX_JUMP_SHARE * (len(stream) - 1):
        geometric = [group_lines(group) for group in reading_order(segments)]
        if 2 * _jumps([line for group in geometric for line in group]) < stream_jumps:
            return geometric
    return _split_at_jumps(stream)


# --- paragraphs --------------------------------------------------------------------------------


def _char_width(line: Segment) -> float:
    return (line.x1 - line.x0) / max(len(line.text), 1)


def is_wrapped(prev: Segment, nxt: Segment, right_edge: float) -> bool:
    """True when prev ends because the next line's first word did not fit on it.

    The word is counted with a space and two characters of slack (glyph widths vary, line
    breakers keep a margin); an opening quote or dash goes with the word it is bound to.
    A row of far-apart cells ("Budget | 3,2 M€") is not wrapped prose.
    """
    if " | " in prev.text or " | " in nxt.text:
        return False
    match = _FIRST_WORD.match(nxt.text)
    first_word = match.group(0) if match else nxt.text
    room = right_edge - prev.x1
    return room < (len(first_word) + 3) * _char_width(nxt)


def _pitches(lines: list[Segment]) -> dict[float, float]:
    """Usual baseline-to-baseline distance per font size, where there are enough samples."""
    samples: dict[float, list[float]] = {}
    for a, b in itertools.pairwise(lines):
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
    texts, sizes = [lines[0].text], [lines[0].size]
    for prev, line in itertools.pairwise(lines):
        if _starts_paragraph(prev, line, left_edge, pitches):
            texts.append(line.text)
            sizes.append(line.size)
        elif is_wrapped(prev, line, right_edge):
            texts[-1] = join_lines(texts[-1], line.text)
        else:
            texts[-1] += "\n" + line.text
    return list(zip(texts, sizes))


def _flows_on(prev: Segment, nxt: Segment, right_edge: float) -> bool:
    """A paragraph running from the bottom of one column (right edge given) to the top of the next."""
    next_column = nxt.baseline > prev.baseline and nxt.x0 > right_edge - 0.5 * nxt.size
    if not next_column or prev.is_table or nxt.is_table or prev.text.endswith((".", "!", "?", ":", '"', "»")):
        return False
    return nxt.text[:1].islower() and is_wrapped(prev, nxt, right_edge)


def page_paragraphs(segments: list[Segment], page_width: float) -> list[Paragraph]:
    """Paragraphs of a page in reading order; segments in content-stream order."""
    out: list[Paragraph] = []
    previous: tuple[Segment, float] | None = None  # last line and right edge of the previous group
    for lines in reading_groups(segments, page_width):
        paras = paragraphs(lines)
        if not paras:
            continue
        if out and previous and _flows_on(previous[0], lines[0], previous[1]):
            out[-1] = (join_lines(out[-1][0], paras[0][0]), out[-1][1])
            paras = paras[1:]
        out += paras
        previous = (lines[-1], max(line.x1 for line in lines))
    return out

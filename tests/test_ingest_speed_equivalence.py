"""The shortcuts taken for speed in the PDF and HTML readers give what the plain computation gives.

page_segments calls PDFium through prototypes without argument types (pdf.untyped), reads a page's
characters in one call (pdf.bulk_text) and a box's four sides at once (pdf.box_reader); vector
paths are counted without pypdfium2's object helpers (pdf.count_paths); the gutter
search reads each row's prose sides from maps computed once per page (pdf_layout.prose_maps)
and only looks for runs at the x that can hold one (pdf_layout.gutter_candidates); the HTML
reader runs trafilatura's extraction without the fingerprint it does not use (html.trafilatura_xml).
(The shortcuts of ftfy's repair are checked in test_prepare_speed_equivalence.py.)
"""

from __future__ import annotations

import ctypes
import dataclasses
import io
import itertools
import math
import operator
import random
import statistics
from pathlib import Path

import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import trafilatura
from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest import html, pdf, pdf_layout
from pipeline.ingest.pdf_layout import MIN_COLUMN_ROWS, Segment

DATA = Path(__file__).parent / "data" / "ingest"
PDFS = ["two_columns.pdf", "three_columns.pdf", "newsletter.pdf", "table.pdf"]


def _pages(name: str) -> list[tuple[list[Segment], float]]:
    """Segments and width of each page of a fixture PDF."""
    document = pdfium.PdfDocument((DATA / name).read_bytes())
    pages = []
    try:
        for page in document:
            textpage = page.get_textpage()
            pages.append((pdf.page_segments(textpage), page.get_width()))
            textpage.close()
            page.close()
    finally:
        document.close()
    return pages


@pytest.mark.parametrize("name", PDFS)
def test_pdf_speed_untyped_pdfium_calls_match_pypdfium2(name: str) -> None:
    document = pdfium.PdfDocument((DATA / name).read_bytes())
    try:
        for page in document:
            textpage = page.get_textpage()  # kept: the raw handle lives as long as the helper
            raw = textpage.raw
            count = pdfium_c.FPDFText_CountChars(raw)
            assert count > 0
            for i in range(count):
                assert pdf._GET_UNICODE(raw, i) == pdfium_c.FPDFText_GetUnicode(raw, i)
                assert pdf._GET_FONT_SIZE(raw, i) == pdfium_c.FPDFText_GetFontSize(raw, i)
                fast, typed = pdfium_c.FS_RECTF(), pdfium_c.FS_RECTF()
                assert pdf._GET_LOOSE_BOX(raw, i, ctypes.byref(fast)) == pdfium_c.FPDFText_GetLooseCharBox(
                    raw, i, ctypes.byref(typed)
                )
                assert [fast.left, fast.bottom, fast.right, fast.top] == [typed.left, typed.bottom, typed.right, typed.top]
                fx, fy, tx, ty = (ctypes.c_double() for _ in range(4))
                assert pdf._GET_ORIGIN(raw, i, ctypes.byref(fx), ctypes.byref(fy)) == pdfium_c.FPDFText_GetCharOrigin(
                    raw, i, ctypes.byref(tx), ctypes.byref(ty)
                )
                assert (fx.value, fy.value) == (tx.value, ty.value)
    finally:
        document.close()


# --- the gutter search -----------------------------------------------------------------------------


def _plain_best_run(grid: pdf_layout.Grid, x: int) -> tuple[int, int] | None:
    """_best_run as first written: the prose sides of every row summed at x, the gaps measured there."""
    rows = grid.rows
    gaps = [a[0].baseline - b[0].baseline for a, b in itertools.pairwise(rows)]
    pitch = statistics.median(gaps) if gaps else 12.0
    best: tuple[int, int, int] | None = None
    start, lefts, rights = 0, 0, 0
    for i, row in enumerate(rows):
        if grid.covers[i][x]:
            start, lefts, rights = i + 1, 0, 0
            continue
        if i > start and rows[i - 1][0].baseline - row[0].baseline > 3 * pitch:
            start, lefts, rights = i, 0, 0
        left, right = pdf_layout._prose_sides(row, x, grid.needs[i])
        lefts, rights = lefts + left, rights + right
        if best is None or min(lefts, rights) >= best[0]:
            best = (min(lefts, rights), start, i)
    if best is None or best[0] < MIN_COLUMN_ROWS:
        return None
    return pdf_layout._trim_run(rows, grid.covers, x, best[1], best[2], grid.needs)


def _assert_search_is_plain(segments: list[Segment], page_width: float) -> None:
    rows = pdf_layout._rows([s for s in segments if not s.is_table])
    if len(rows) < MIN_COLUMN_ROWS:
        return
    grid = pdf_layout.page_grid(rows, page_width)
    for row, left, right, need in zip(rows, grid.prose_left, grid.prose_right, grid.needs):
        assert [(bool(left[x]), bool(right[x])) for x in range(grid.width)] == [
            pdf_layout._prose_sides(row, x, need) for x in range(grid.width)
        ]
    candidates = set(pdf_layout.gutter_candidates(grid))
    low = min(r[0].x0 for r in rows)
    high = max(max(s.x1 for s in r) for r in rows)
    span = range(max(0, int(low + 0.15 * (high - low))), min(grid.width, int(low + 0.85 * (high - low))))
    assert candidates <= set(span)
    for x in range(grid.width):
        plain = _plain_best_run(grid, x)
        assert pdf_layout._best_run(grid, x) == plain
        if plain is not None and x in span:
            assert x in candidates  # no x that holds a run is skipped


@pytest.mark.parametrize("name", PDFS)
def test_pdf_speed_gutter_search_matches_the_plain_search_on_fixture_pages(name: str) -> None:
    pages = _pages(name)
    assert pages
    for segments, width in pages:
        _assert_search_is_plain(segments, width)


_COORD = st.floats(min_value=-30, max_value=260, allow_nan=False)


@st.composite
def _page(draw: st.DrawFn) -> list[Segment]:
    """Rows of segments on a narrow page: two columns of prose or one, lines across the gutter,
    short lines, wide vertical gaps, and boxes anywhere."""
    segments = []
    baseline = 400.0
    for _ in range(draw(st.integers(MIN_COLUMN_ROWS, 24))):
        baseline -= draw(st.sampled_from([12.0, 12.0, 12.0, 10.0, 12.5, 40.0]))
        size = draw(st.sampled_from([4.0, 4.0, 5.0, 10.0]))
        kind = draw(st.sampled_from(["columns"] * 6 + ["left", "right", "across", "anywhere"]))
        boxes = []
        if kind in ("columns", "left"):
            boxes.append((draw(st.floats(0, 8)), draw(st.floats(10, 95))))
        if kind in ("columns", "right"):
            boxes.append((draw(st.floats(118, 130)), draw(st.floats(10, 110))))
        if kind == "across":
            boxes.append((draw(st.floats(0, 60)), draw(st.floats(80, 230))))
        if kind == "anywhere":
            boxes += [(draw(_COORD), draw(st.floats(-2, 150))) for _ in range(draw(st.integers(1, 3)))]
        for x0, length in boxes:
            segments.append(Segment("mot", x0, x0 + length, baseline - 2, baseline + size, baseline, size))
    return segments


@given(_page(), st.sampled_from([180.0, 240.5, 250.0]))
def test_pdf_speed_gutter_search_matches_the_plain_search(segments: list[Segment], width: float) -> None:
    _assert_search_is_plain(segments, width)


_ODD = st.one_of(_COORD, st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 19.0, 19.5, 20.0, 21.0]))


@given(st.lists(st.tuples(_ODD, _ODD), min_size=1, max_size=5), st.sampled_from([0.0, 3.0, 30.0, math.nan]))
def test_pdf_speed_prose_maps_match_prose_sides_with_odd_boxes(boxes: list[tuple[float, float]], need: float) -> None:
    row = [Segment("mot", x0, x1, 0, 10, 0, 5) for x0, x1 in boxes]
    width = 21
    (left,), (right,) = pdf_layout.prose_maps([row], [need], width)
    assert [(bool(left[x]), bool(right[x])) for x in range(width)] == [
        pdf_layout._prose_sides(row, x, need) for x in range(width)
    ]


@pytest.mark.parametrize("count", [0, 1, 254, 255, 256, 600])
def test_pdf_speed_column_counts_past_a_byte(count: int) -> None:
    rng = random.Random(count)
    rows = [bytes(rng.random() < 0.9 for _ in range(40)) for _ in range(count)]
    expected = [sum(row[x] for row in rows) for x in range(40)]
    assert pdf_layout.column_counts([pdf_layout._bits(row) for row in rows], 40) == expected


# --- HTML --------------------------------------------------------------------------------------------

_PARAGRAPH = (
    "<p>La communauté de communes a inauguré jeudi une pépinière d'entreprises de {n} bureaux, "
    "financée pour moitié par la région, qui accueille déjà <b>six jeunes sociétés</b> du numérique.</p>"
)
_PAGES = {
    "article": "<html><head><title>Une pépinière</title></head><body><nav><a href='/'>Accueil</a></nav><article>"
    "<h1>Une pépinière ouvre ses portes</h1>" + "".join(_PARAGRAPH.format(n=n) for n in range(5)) + "</article>"
    "<footer>Mentions légales</footer></body></html>",
    "lists and tables": "<html><body><main><h2>Les chiffres</h2>" + _PARAGRAPH.format(n=12)
    + "<ul><li>Douze bureaux</li><li>Trois ateliers<br>et une salle</li></ul>"
    "<table><tr><th>Année</th><th>Emplois</th></tr><tr><td>2019</td><td>41</td></tr><tr><td>2020</td><td>57</td></tr>"
    "</table>" + _PARAGRAPH.format(n=13) + "</main></body></html>",
    "short": "<html><body><div>Bonjour.</div></body></html>",
    "comments": "<html><body><article>" + _PARAGRAPH.format(n=2) + _PARAGRAPH.format(n=3) + "</article>"
    "<div class='comments'><p>Un commentaire de lecteur assez long pour compter dans la page.</p></div></body></html>",
    "nested": "<html><body><div><div><p>Premier <i>paragraphe</i> avec <a href='#'>un lien</a>.</p>"
    "<blockquote><p>Une citation imbriquée</p></blockquote>" + _PARAGRAPH.format(n=7) * 2 + "</div></div></body></html>",
}


def _html_pages() -> list[str]:
    files = [DATA / "article.html", DATA / "html_named.txt", DATA / "plain_named.html"]
    return [path.read_text(encoding="utf-8") for path in files] + list(_PAGES.values())


@pytest.mark.parametrize("page", _html_pages())
def test_html_speed_trafilatura_xml_matches_extract(page: str) -> None:
    public = trafilatura.extract(page, **html.TRAFILATURA_OPTIONS)
    fast = html.trafilatura_xml(page)
    if public is None:
        assert fast is None
        return
    # the fingerprint attribute of the root element (never read) is the only difference
    assert re.sub(r'^<doc fingerprint="[0-9a-f]+">', "<doc>", public) == fast


def test_html_speed_without_the_internals_calls_extract(monkeypatch) -> None:
    """A trafilatura without the serialization step or the Extractor this reader builds (another
    version): the page goes through trafilatura.extract, and reads the same."""
    page = _html_pages()[0]
    fast = html.extract(page, doc_id="t")
    monkeypatch.setattr(html, "_EXTRACTOR", None)
    assert html.trafilatura_xml(page) == trafilatura.extract(page, **html.TRAFILATURA_OPTIONS)
    assert html.extract(page, doc_id="t") == fast


def test_html_speed_internals_that_changed_their_arguments_fall_back_to_extract(monkeypatch, caplog) -> None:
    """A trafilatura whose serialization step takes other arguments: the page still reads the
    same, through trafilatura.extract, with one warning for the process."""
    page = _html_pages()[0]
    fast = html.extract(page, doc_id="t")

    def changed(*_args: object, **_kwargs: object) -> str:
        raise TypeError("determine_returnstring() takes 3 positional arguments")

    monkeypatch.setattr(html, "determine_returnstring", changed)
    html._warn_internals_once.cache_clear()
    with caplog.at_level("WARNING", logger=html.LOGGER.name):
        assert html.extract(page, doc_id="t") == fast
        assert html.extract(page, doc_id="t") == fast
    assert sum("could not be called directly" in r.getMessage() for r in caplog.records) == 1
    html._warn_internals_once.cache_clear()


# --- PDF characters in bulk ------------------------------------------------------------------------
# page_segments reads a page's characters with one FPDFText_GetText call (pdf.bulk_text) instead of
# one FPDFText_GetUnicode call each, unpacks loose boxes with struct (pdf.box_reader), and
# _may_hold_table counts vector paths through PDFium's functions (pdf.count_paths). Compared here
# with the plain per-character reading through pypdfium2's declared functions and helpers, on the
# fixtures and on invented pages made for each path: text read in bulk, in bulk with PDFium's
# stand-ins replaced (a generated hyphen), and per character (a control character PDFium leaves out
# of its text, characters beyond the BMP), the four pages of chars.pdf (data/ingest/make_fixtures.py).

def _plain_page_segments(textpage: pdfium.PdfTextPage) -> list[Segment]:
    """page_segments as first written: pypdfium2's typed functions and helpers, one character at a time."""
    raw = textpage.raw
    segments: list[Segment] = []
    current: Segment | None = None
    pending_space = False
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (10, 13):
            current, pending_space = None, False
            continue
        if code in (32, 9, 0xA0, 0):
            pending_space = current is not None
            continue
        try:
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
        except pdfium.PdfiumError:
            continue
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y)
        baseline = y.value
        size = pdfium_c.FPDFText_GetFontSize(raw, i) or (top - bottom) or 1.0
        if current is not None:
            em = max(size, current.size)
            gap = left - current.x1
            if not abs(baseline - current.baseline) > 0.5 * em and -0.5 * em < gap < 1.0 * em:
                if (pending_space or gap > 0.15 * size) and current.chars[-1] != " ":
                    current.chars.append(" ")
                current.chars.append(chr(code))
                current.x1, current.bottom, current.top = max(current.x1, right), min(current.bottom, bottom), max(current.top, top)
                pending_space = False
                continue
        current = Segment("", left, right, bottom, top, baseline, size, chars=[chr(code)])
        segments.append(current)
        pending_space = False
    for seg in segments:
        seg.text = "".join(seg.chars).strip()
        seg.chars = []
    return [s for s in segments if s.text]


def _documents() -> list[tuple[str, bytes]]:
    return [(name, (DATA / name).read_bytes()) for name in [*PDFS, "chars.pdf"]]


def _textpages(data: bytes):  # type: ignore[no-untyped-def]
    document = pdfium.PdfDocument(data)
    try:
        for page in document:
            textpage = page.get_textpage()
            yield page, textpage
            textpage.close()
            page.close()
    finally:
        document.close()


def test_pdf_speed_page_chars_match_get_unicode_on_every_path() -> None:
    paths = []
    for name, data in _documents():
        for _, textpage in _textpages(data):
            raw = textpage.raw
            count = textpage.count_chars()
            plain = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
            assert pdf.page_chars(raw, count) == plain, name
            bulk = pdf.bulk_text(raw, count)
            assert bulk is None or bulk == plain, name
            paths.append((name, "per character" if bulk is None else "in bulk" if "\x02" not in plain else "replaced"))
    # each page of chars.pdf takes the path it was made for
    assert [path for name, path in paths if name == "chars.pdf"] == ["in bulk", "replaced", "per character", "per character"]
    assert all(path == "in bulk" for name, path in paths if name != "chars.pdf")


def test_pdf_speed_page_segments_match_the_plain_reading(monkeypatch) -> None:
    for name, data in _documents():
        for _, textpage in _textpages(data):
            plain = _plain_page_segments(textpage)
            assert plain, name
            assert pdf.page_segments(textpage) == plain, name
    monkeypatch.setattr(pdf, "bulk_text", lambda raw, count: None)  # every page one character at a time
    for name, data in _documents():
        for _, textpage in _textpages(data):
            assert pdf.page_segments(textpage) == _plain_page_segments(textpage), name


def test_pdf_speed_bulk_text_with_a_unit_count_off_is_not_used(monkeypatch) -> None:
    """FPDFText_GetText writing fewer units than there are characters (it left some out): per character."""
    real = pdf._GET_TEXT

    def short(raw: object, start: int, count: int, buffer: object) -> int:
        return real(raw, start, count - 1, buffer)

    monkeypatch.setattr(pdf, "_GET_TEXT", short)
    for _, textpage in _textpages((DATA / "newsletter.pdf").read_bytes()):
        raw, count = textpage.raw, textpage.count_chars()
        assert pdf.bulk_text(raw, count) is None
        assert pdf.page_chars(raw, count) == "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
        assert pdf.page_segments(textpage) == _plain_page_segments(textpage)


def test_pdf_speed_box_reader_reads_any_layout() -> None:
    class Reordered(ctypes.Structure):  # not fpdfview.h's order: read by name
        _fields_ = [("bottom", ctypes.c_float), ("left", ctypes.c_float), ("top", ctypes.c_float), ("right", ctypes.c_float)]

    class Wide(ctypes.Structure):  # doubles: read by name
        _fields_ = [("left", ctypes.c_double), ("top", ctypes.c_double), ("right", ctypes.c_double), ("bottom", ctypes.c_double)]

    for kind in (pdfium_c.FS_RECTF, Reordered, Wide):
        box = kind(left=1.25, top=9.5, right=7.75, bottom=-0.125)
        assert tuple(pdf.box_reader(kind)(box)) == (1.25, 9.5, 7.75, -0.125)
    assert not isinstance(pdf._READ_BOX, operator.attrgetter)  # pypdfium2's FS_RECTF: unpacked at once
    assert isinstance(pdf.box_reader(Reordered), operator.attrgetter)


def _helper_paths(page: pdfium.PdfPage) -> int:
    return sum(obj.type == pdfium_c.FPDF_PAGEOBJ_PATH for obj in page.get_objects())


def _ruled_pdf() -> bytes:
    """A page with four ruling lines of its own and, in a form XObject, the six of another page."""
    document = pdfium.PdfDocument.new()
    source = document.new_page(400, 300)
    for y in range(6):
        rule = pdfium_c.FPDFPageObj_CreateNewRect(20, 20 + 40 * y, 300, 1)
        pdfium_c.FPDFPath_SetDrawMode(rule, pdfium_c.FPDF_FILLMODE_ALTERNATE, False)
        pdfium_c.FPDFPage_InsertObject(source, rule)
    source.gen_content()
    page = document.new_page(400, 300)
    for y in range(4):
        rule = pdfium_c.FPDFPageObj_CreateNewRect(40, 30 + 50 * y, 200, 1)
        pdfium_c.FPDFPath_SetDrawMode(rule, pdfium_c.FPDF_FILLMODE_ALTERNATE, False)
        pdfium_c.FPDFPage_InsertObject(page, rule)
    form = document.page_as_xobject(0, document).as_pageobject()
    page.insert_obj(form)
    page.gen_content()
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def test_pdf_speed_count_paths_matches_the_page_object_helpers(monkeypatch) -> None:
    documents = [data for _, data in _documents()] + [_ruled_pdf()]
    counts = []
    for data in documents:
        for page, _ in _textpages(data):
            helper = _helper_paths(page)
            counts.append(helper)
            assert pdf.count_paths(page, 10_000) == helper
            for limit in range(helper):  # counted up to the first past the limit
                assert pdf.count_paths(page, limit) == limit + 1
    assert 10 in counts  # the ruled page: its own rules and those inside the form XObject
    verdicts = [pdf._may_hold_table(page) for data in documents for page, _ in _textpages(data)]
    monkeypatch.setattr(pdf, "_COUNT_OBJECTS", lambda page: -1)  # PDFium failing: the helpers count
    assert all(pdf.count_paths(page, 10) is None for data in documents for page, _ in _textpages(data))
    assert [pdf._may_hold_table(page) for data in documents for page, _ in _textpages(data)] == verdicts
    assert True in verdicts


def test_pdf_speed_with_pypdfium2s_declared_functions(monkeypatch) -> None:
    """Where `untyped` keeps pypdfium2's own functions (32-bit Windows), the same calls are accepted."""
    declared = {
        "_GET_UNICODE": pdfium_c.FPDFText_GetUnicode,
        "_GET_TEXT": pdfium_c.FPDFText_GetText,
        "_GET_FONT_SIZE": pdfium_c.FPDFText_GetFontSize,
        "_GET_LOOSE_BOX": pdfium_c.FPDFText_GetLooseCharBox,
        "_GET_ORIGIN": pdfium_c.FPDFText_GetCharOrigin,
        "_COUNT_OBJECTS": pdfium_c.FPDFPage_CountObjects,
        "_GET_OBJECT": pdfium_c.FPDFPage_GetObject,
        "_GET_TYPE": pdfium_c.FPDFPageObj_GetType,
    }
    for name, function in declared.items():
        monkeypatch.setattr(pdf, name, function)
    for name, data in _documents():
        for page, textpage in _textpages(data):
            assert pdf.page_segments(textpage) == _plain_page_segments(textpage), name
            assert pdf.count_paths(page, 10_000) == _helper_paths(page)


def test_pdf_speed_copy_segment_is_dataclasses_replace() -> None:
    seg = Segment("Une ligne", 1.5, 80.25, 10.0, 22.5, 12.0, 11.0, col=2, is_table=True, chars=["U", "n"])
    copied = pdf_layout.copy_segment(seg)
    assert copied == dataclasses.replace(seg) and copied is not seg
    assert [getattr(copied, f.name) for f in dataclasses.fields(Segment)] == [getattr(seg, f.name) for f in dataclasses.fields(Segment)]
    assert len(dataclasses.fields(Segment)) == 10  # a new field must be copied by copy_segment too


@pytest.mark.parametrize(
    "text",
    ["Aucun mot coupé ici.", "", "Un tiret - et un trait-d'union restent."],
)
def test_pdf_speed_dehyphenate_without_marks_keeps_the_text(text: str) -> None:
    assert pdf.dehyphenate(text) is text
    marked = text + " dévelop" + pdf_layout.HYPHEN_MARK + "pement"
    assert pdf.dehyphenate(marked) == text + " développement"

"""The shortcuts taken for speed in the PDF and HTML readers give what the plain computation gives.

page_segments calls PDFium through prototypes without argument types (pdf.untyped); the gutter
search reads each row's prose sides from maps computed once per page (pdf_layout.prose_maps)
and only looks for runs at the x that can hold one (pdf_layout.gutter_candidates); the HTML
reader runs trafilatura's extraction without the fingerprint it does not use (html.trafilatura_xml).
(The shortcuts of ftfy's repair are checked in test_prepare_speed_equivalence.py.)
"""

from __future__ import annotations

import ctypes
import itertools
import math
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

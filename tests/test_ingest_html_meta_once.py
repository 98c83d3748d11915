"""The title and date of an HTML page read its <meta> elements and JSON-LD once per page
(`html._read`, which remembers the last page asked about): what they find must be what a fresh
reading of the page finds at every question, whatever order the pages are asked about in."""

from __future__ import annotations

import pytest

from pipeline.ingest import html

PAGES = [
    '<html><head><meta property="og:title" content="Le port de Fos accueille un nouvel entrepôt | Provence Éco">'
    '<meta property="og:site_name" content="Provence Éco"><meta name="date" content=" 2021-03-04 "></head>'
    '<body><h1>Titre de la page</h1><p>Texte.</p></body></html>',
    '<html><head><script type="application/ld+json">{"@graph": [{"headline": "A new plant opens in Aix", '
    '"datePublished": "2019-07-08", "publisher": {"name": "Aix Daily"}}]}</script>'
    '<script type="application/ld+json">[{"@type": "Organization"}, not json</script>'
    '<title>A new plant opens in Aix - Aix Daily</title></head><body><p>Text.</p></body></html>',
    '<html><head><meta name="twitter:title" content="   "><meta itemprop="datePublished" content="">'
    '<meta property="article:published_time" content="2018-11-30T09:15:00+01:00"></head>'
    '<body><article><time datetime="2017-01-02">2 janvier</time><h1>Une usine à Gardanne</h1></article></body></html>',
    '<html><head><title>Short</title></head><body><p>Nothing else.</p></body></html>',
]


def _fresh(tree):  # type: ignore[no-untyped-def]
    """The reading without remembering: the whole tree walked (and the JSON-LD parsed) on each call."""
    metas = [((node.get("property") or node.get("name") or node.get("itemprop") or "").lower(),
              node.get("content", "")) for node in tree.xpath("//meta[@content]")]
    return metas, list(html._read_json_ld(tree))


def _answers(trees):  # type: ignore[no-untyped-def]
    return [(html.page_title(t), html.page_date(t, "test"), html._meta(t, "og:site_name", "date")) for t in trees]


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 2, 1, 0], [0, 1, 0, 2, 2, 3, 1]])
def test_page_title_and_date_read_each_page_once_with_the_same_answers(
        order: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    trees = [html._parse(page) for page in PAGES]
    asked = [trees[k] for k in order]
    remembered = _answers(asked)
    monkeypatch.setattr(html, "_read", _fresh)
    assert remembered == _answers(asked)
    assert remembered[0][0] is not None


def test_a_new_tree_of_the_same_page_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = html._parse(PAGES[0])
    assert html.page_title(first) == "Le port de Fos accueille un nouvel entrepôt"
    other = html._parse(PAGES[1])
    assert html.page_title(other) == "A new plant opens in Aix"
    assert html.page_date(other, "test") == "2019-07-08"
    assert html.page_date(first, "test") == "2021-03-04"

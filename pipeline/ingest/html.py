"""HTML pages: main article text with trafilatura, title and publication date from the markup.

Text: trafilatura's XML output rendered as paragraphs separated by blank lines (lists one item
per line, tables as "a | b | c" rows). Headings that trafilatura dropped right before a kept
paragraph are put back. When trafilatura finds nothing, a BeautifulSoup pass over the
paragraph-like elements of the page (chrome containers removed) takes over.
Title: og:title, JSON-LD headline, <h1>, <title>, with the site name removed.
Date: JSON-LD datePublished, article:published_time and other meta tags, <time datetime>,
htmldate (offline, no extensive search), then a dateline in the text. Nothing is fetched.
"""

from __future__ import annotations

import copy
import json
import functools
import logging
import re
from collections.abc import Iterator
from typing import Any

import trafilatura
from bs4 import BeautifulSoup
from htmldate import find_date
from lxml import etree
from lxml import html as lxml_html

from pipeline.ingest.meta import Extraction, dateline, parse_date_value, strip_site_suffix, usable_title

LOGGER = logging.getLogger(__name__)

# favor_precision=False: on the dev pages both settings drop the same chrome, and precision mode
# also dropped a real <h1> headline.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "output_format": "xml",
    "include_tables": True,
    "include_comments": False,
    "include_images": False,
    "include_links": False,
    "deduplicate": False,
    "favor_precision": False,
    "with_metadata": False,
}
# The same options as one Extractor, built once (trafilatura.extract builds one per call, reading
# its settings each time) and never changed by trafilatura (it copies one before changing it).
# Its date parameters hold the day it was built, but only metadata extraction reads them, and
# with_metadata is off. None where this trafilatura lacks what `trafilatura_xml` calls.
try:
    from trafilatura.core import determine_returnstring
    from trafilatura.settings import Document as TrafilaturaDocument
    from trafilatura.settings import Extractor

    _EXTRACTOR: Any = Extractor(
        output_format="xml", tables=True, comments=False, images=False, links=False, dedup=False, precision=False,
        with_metadata=False,
    )
except (ImportError, TypeError):  # another trafilatura: its public extract(), always right
    _EXTRACTOR = None
MIN_LETTERS = 40  # below this, trafilatura's result counts as nothing

_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "date", "pubdate",
    "publishdate", "publish-date", "publish_date", "publication_date", "dc.date", "dc.date.issued",
    "dcterms.created", "dcterms.date", "dcterms.issued", "sailthru.date", "parsely-pub-date",
    "article.published", "original-publish-date", "citation_publication_date", "release_date",
)
_CHROME = re.compile(
    r"cookie|consent|gdpr|rgpd|share|social|related|newsletter|breadcrumb|menu|\bnav|footer|"
    r"sidebar|widget|promo|comment|subscribe|advert|\bad[s-]|banner|popup|modal|\btags\b",
    re.IGNORECASE,
)
_DROP_TAGS = ["script", "style", "noscript", "nav", "footer", "aside", "form", "button", "iframe", "svg", "template"]
_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "tr", "dd", "dt", "figcaption"]
_SPACES = re.compile(r"[^\S\n]+")
_NO_SPACE_BEFORE = re.compile(r" ([.,)])")  # get_text(" ") puts a space before "." after a link


def _parse(html: str) -> etree._Element | None:
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _text_of(node: etree._Element) -> str:
    return " ".join("".join(node.itertext()).split())


# --- metadata ---------------------------------------------------------------------------------


# What the title and date read of the last page asked about, read once: the <meta> elements with
# content as (key, content), and the JSON-LD objects. The page's title, site names and date ask for
# them seven times; each read walked the whole tree (and parsed the JSON-LD again).
_READ: list[tuple[etree._Element, list[tuple[str, str]], list[dict[str, Any]]]] = []


def _read(tree: etree._Element) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    last = _READ[-1] if _READ else None  # one item, replaced whole: safe across threads
    if last is not None and last[0] is tree:
        return last[1], last[2]
    metas = [((node.get("property") or node.get("name") or node.get("itemprop") or "").lower(),
              node.get("content", "")) for node in tree.xpath("//meta[@content]")]
    objects = list(_read_json_ld(tree))
    _READ[:] = [(tree, metas, objects)]
    return metas, objects


def _json_ld(tree: etree._Element) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page, @graph members included."""
    return iter(_read(tree)[1])


def _read_json_ld(tree: etree._Element) -> Iterator[dict[str, Any]]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
            elif isinstance(item, list):
                stack.extend(item)


def _meta(tree: etree._Element, *names: str) -> str | None:
    wanted = {n.lower() for n in names}
    for key, content in _read(tree)[0]:
        if key in wanted and content.strip():
            return str(content).strip()
    return None


def _site_names(tree: etree._Element) -> list[str]:
    names = [_meta(tree, "og:site_name", "application-name") or ""]
    for item in _json_ld(tree):
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.append(publisher["name"])
    return [n for n in names if n]


def page_title(tree: etree._Element) -> str | None:
    """og:title, JSON-LD headline, first <h1>, then <title>; site name suffixes removed."""
    candidates: list[str | None] = [_meta(tree, "og:title")]
    candidates += [str(i["headline"]) for i in _json_ld(tree) if isinstance(i.get("headline"), str)]
    candidates += [_text_of(h) for h in tree.xpath("//h1")[:1]]
    candidates += [_meta(tree, "twitter:title")]
    candidates += [_text_of(t) for t in tree.xpath("//title")[:1]]
    sites = _site_names(tree)
    for candidate in candidates:
        title = usable_title(strip_site_suffix(candidate, sites) if candidate else None)
        if title:
            return title
    return None


def _time_elements(tree: etree._Element) -> Iterator[str]:
    """datetime values of <time> elements, those marked as the publication date first."""
    nodes = tree.xpath("//time[@datetime]")
    marked = [
        n
        for n in nodes
        if n.get("pubdate") is not None or "publish" in (n.get("class") or "") or n.get("itemprop") == "datePublished"
    ]
    in_article = [n for n in nodes if n.xpath("ancestor::article or ancestor::main")]
    for node in marked + in_article + nodes:
        yield str(node.get("datetime"))


def page_date(tree: etree._Element, doc_id: str) -> str | None:
    """Publication date from structured markup, then from htmldate (offline)."""
    values = [str(i["datePublished"]) for i in _json_ld(tree) if i.get("datePublished")]
    values += [v for v in [_meta(tree, *_DATE_META)] if v]
    values += list(_time_elements(tree))
    for value in values:
        iso = parse_date_value(value)
        if iso:
            return iso
    try:
        found = find_date(copy.deepcopy(tree), extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - htmldate is a best-effort fallback
        LOGGER.debug("%s: htmldate failed", doc_id, exc_info=True)
        return None
    return parse_date_value(found) if found else None


# --- text -------------------------------------------------------------------------------------


def _inline(node: etree._Element) -> str:
    """Text of an element with <lb/> as a line break and spaces collapsed."""
    parts = [node.text or ""]
    for child in node:
        parts.append("\n" if child.tag == "lb" else _inline(child))
        parts.append(child.tail or "")
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _render(node: etree._Element) -> str:
    """One block of text from a trafilatura XML element."""
    if node.tag == "list":
        return "\n".join(f"- {_inline(item)}" for item in node.iter("item") if _inline(item))
    if node.tag == "table":
        rows = [" | ".join(_inline(cell).replace("\n", " ") for cell in row.iter("cell")) for row in node.iter("row")]
        return "\n".join(row for row in rows if row.strip(" |"))
    return _inline(node)


# trafilatura's own output, read without entity expansion or network access all the same.
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def trafilatura_xml(html: str) -> str | None:
    """What `trafilatura.extract(html, **TRAFILATURA_OPTIONS)` returns, with less work.

    extract() is bare_extraction() followed by the serialization of its result, after it
    computes a content fingerprint (a hash of every word, a fifth of the time of extract() on
    the bench pages) that only goes into an attribute of the root element, which we never
    read. This calls the two steps with the fingerprint left out: the <main> element is the
    same. `determine_returnstring` is not part of trafilatura's public API:
    test_html_speed_trafilatura_xml_matches_extract compares the two ways on test pages.
    """
    if _EXTRACTOR is None:
        return trafilatura.extract(html, **TRAFILATURA_OPTIONS)
    try:
        document = trafilatura.bare_extraction(html, options=_EXTRACTOR)
        if not isinstance(document, TrafilaturaDocument):
            return None
        return determine_returnstring(document, _EXTRACTOR)
    except (TypeError, AttributeError):
        # a trafilatura whose internals take other arguments now: its public extract(), which
        # gives the same text (or raises what the caller reports)
        _warn_internals_once()
        return trafilatura.extract(html, **TRAFILATURA_OPTIONS)


@functools.lru_cache(maxsize=1)
def _warn_internals_once() -> None:
    LOGGER.warning("trafilatura %s: its extraction steps could not be called directly; using "
                   "trafilatura.extract (the same text, slower)", getattr(trafilatura, "__version__", "?"),
                   exc_info=True)


def _trafilatura_blocks(html: str, doc_id: str) -> list[str]:
    try:
        xml = trafilatura_xml(html)
    except Exception:  # noqa: BLE001 - a parser failure falls back to BeautifulSoup
        LOGGER.warning("%s: trafilatura failed, using the fallback", doc_id, exc_info=True)
        return []
    if not xml:
        return []
    main = etree.fromstring(xml.encode("utf-8"), parser=_SAFE_XML).find("main")
    if main is None:
        return []
    return [block for block in (_render(child) for child in main) if block]


def _restore_headings(tree: etree._Element, blocks: list[str]) -> list[str]:
    """Put back an <h1>-<h3> that trafilatura dropped just before a paragraph it kept."""
    joined = "\n".join(blocks)
    for heading in tree.xpath("//h1|//h2|//h3"):
        text = _text_of(heading)
        if not text or text in joined:
            continue
        following = heading.xpath("following::p[1]")
        if not following:
            continue
        start = _text_of(following[0])[:60]
        for i, block in enumerate(blocks):
            if start and block.startswith(start):
                blocks.insert(i, text)
                joined = "\n".join(blocks)
                break
    return blocks


def soup_blocks(html: str) -> list[str]:
    """Fallback: paragraph-like elements of the page, with chrome containers removed."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    for tag in soup("header"):
        if not tag.find_parent(["article", "main"]):
            tag.decompose()  # the site masthead; an article's own header holds its headline
    for tag in soup.find_all(True):
        if not tag.decomposed and _CHROME.search(" ".join([*tag.get("class", []), tag.get("id", "") or ""])):
            tag.decompose()
    blocks: list[str] = []
    for tag in soup.find_all(_BLOCK_TAGS):
        if tag.find_parent(_BLOCK_TAGS):
            continue  # its text is already in the enclosing block
        cells = tag.find_all(["td", "th"]) if tag.name == "tr" else []
        text = " | ".join(c.get_text(" ", strip=True) for c in cells) if cells else tag.get_text(" ", strip=True)
        if text:
            blocks.append(_NO_SPACE_BEFORE.sub(r"\1", " ".join(text.split())))
    if not blocks and soup.body:
        blocks = [line.strip() for line in soup.body.get_text("\n").split("\n") if line.strip()]
    return blocks


def _letters(blocks: list[str]) -> int:
    return sum(sum(map(str.isalpha, block)) for block in blocks)


def extract(html: str, *, doc_id: str) -> Extraction:
    """Article text, title and date of an HTML page."""
    tree = _parse(html)
    blocks = _trafilatura_blocks(html, doc_id)
    if tree is not None and blocks:
        blocks = _restore_headings(tree, blocks)
    if _letters(blocks) < MIN_LETTERS:
        LOGGER.info("%s: trafilatura found no article text, using the BeautifulSoup fallback", doc_id)
        blocks = soup_blocks(html)
    result = Extraction(text="\n\n".join(blocks))
    if tree is not None:
        result.title = page_title(tree)
        result.published = page_date(tree, doc_id)
        result.published_source = "metadata" if result.published else None
    if result.published is None:
        found = dateline(result.text.split("\n"))
        result.published = found[1] if found else None
        result.published_source = "text" if found else None
    return result

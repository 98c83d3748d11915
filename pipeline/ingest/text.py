"""Plain-text scrapes: find the headline and the dateline, keep the text from the headline on.

A scrape often starts with site chrome (skip links, site name, menu, breadcrumb) before the
headline. When the headline is found with confidence (printed twice, or next to the dateline)
and only a few short lines stand above it, those lines are dropped; the rest of the text is
kept as is for the clean stage, which removes the remaining chrome.
"""

from __future__ import annotations

import logging
import re

from pipeline.clean import Rules, is_boilerplate_line, line_key
from pipeline.ingest.meta import Extraction, dateline, is_dateline

LOGGER = logging.getLogger(__name__)

HEAD_ZONE_LINES = 40  # the headline is looked for in the first lines only
MASTHEAD_LINE_MAX = 120  # lines above a headline longer than this are content, not chrome
PARAGRAPH_MIN = 200  # a line this long is body text: the head zone ends there
MASTHEAD_MAX_LINES = 15  # more non-blank lines above the headline: they are not all chrome
NEAR_LINES = 12  # at most this many lines between a headline and its dateline

_MULTI_SENTENCE = re.compile(r"[.!?]\s+[A-ZÀ-Ý\"«]")
_LETTER = re.compile(r"[^\W\d_]")


def looks_like_headline(line: str, rules: Rules | None = None) -> bool:
    """A line that could be a headline: a few words, mostly letters, not chrome, not a date."""
    key = line_key(line)
    words = key.split()
    if not 15 <= len(key) <= 200 or len(words) < 3:
        return False
    if key.endswith((".", ",", ";")) and not key.endswith("..."):
        return False
    if _MULTI_SENTENCE.search(key) or key.startswith("#"):
        return False
    letters = len(_LETTER.findall(key))
    if letters < 0.6 * len(key.replace(" ", "")):
        return False
    return not is_dateline(key) and not is_boilerplate_line(line, rules)


def _head_zone(lines: list[str]) -> int:
    """Index where the head zone ends: the first paragraph-long line, or HEAD_ZONE_LINES."""
    for i, line in enumerate(lines[:HEAD_ZONE_LINES]):
        if len(line.strip()) >= PARAGRAPH_MIN:
            return i
    return min(len(lines), HEAD_ZONE_LINES)


def _near(lines: list[str], a: int, b: int) -> bool:
    """No body text between lines a and b: few lines, none of paragraph length."""
    between = [line for line in lines[min(a, b) + 1 : max(a, b)] if line.strip()]
    return len(between) <= NEAR_LINES and all(len(line.strip()) < PARAGRAPH_MIN for line in between)


def find_title(lines: list[str], date_index: int | None, rules: Rules | None = None) -> tuple[int, bool] | None:
    """Index of the headline and whether the choice is sure.

    Sure: a candidate printed twice near the top (page title and <h1> of the scrape), or the
    candidate closest above the dateline (else first below it) with no body text in between.
    Otherwise the first candidate of the head zone, not sure.
    """
    zone = _head_zone(lines)
    candidates = [i for i in range(zone) if looks_like_headline(lines[i], rules)]
    if not candidates:
        return None
    keys = [line_key(line).casefold() for line in lines[:HEAD_ZONE_LINES]]
    for i in candidates:
        if keys[i] in keys[i + 1 :]:
            return i, True
    if date_index is not None and date_index < HEAD_ZONE_LINES:
        above = [i for i in candidates if i < date_index and _near(lines, i, date_index)]
        below = [i for i in candidates if i > date_index and _near(lines, i, date_index)]
        if above or below:
            return (above[-1] if above else below[0]), True
    return candidates[0], False


def _masthead_end(lines: list[str], title_index: int) -> int:
    """Where the body starts: the headline, when only a few short lines stand above it."""
    above = [line for line in lines[:title_index] if line.strip()]
    if len(above) <= MASTHEAD_MAX_LINES and all(len(line.strip()) <= MASTHEAD_LINE_MAX for line in above):
        return title_index
    return 0


def extract(text: str, *, doc_id: str, rules: Rules | None = None) -> Extraction:
    """Title, published date and body of a plain-text article."""
    lines = text.split("\n")
    found = dateline(lines)
    date_index, published = found if found else (None, None)
    found_title = find_title(lines, date_index, rules)
    title = line_key(lines[found_title[0]]) if found_title else None
    start = _masthead_end(lines, found_title[0]) if found_title and found_title[1] else 0
    if start:
        LOGGER.debug("%s: dropped %d masthead lines above the headline", doc_id, start)
    result = Extraction(text="\n".join(lines[start:]).strip(), title=title, published=published,
                        published_source="text" if published else None)
    if not title:
        LOGGER.debug("%s: no headline found in the first lines", doc_id)
    return result

"""Clean stage: typography, site boilerplate and whitespace of a document's text.

Reads `Document.text` and `Document.status`; writes `Document.text`, and on problems
`Document.warnings`, `Document.problems` and `Document.status` (a fatal "empty_text" when too
few letters remain). A skipped or failed document is passed through untouched.

The work is done by a chain of small pure `str -> str` cleaners (`CLEANERS`, in order) that
`clean_text` applies until the text stops changing, so cleaning is idempotent. The words of
boilerplate (share buttons, teasers, cookie banners...) are data in models/boilerplate.yaml;
the shapes (menus, breadcrumbs, hashtag lines) are rules here.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.config import DEFAULT_MODELS_DIR, Config
from pipeline.records import Document
from pipeline.resources import ResourceError, parse_yaml

LOGGER = logging.getLogger(__name__)

BOILERPLATE_FILE = "boilerplate.yaml"
Cleaner = Callable[[str], str]
_T = TypeVar("_T")

# --- typography -----------------------------------------------------------------------------

_CHAR_MAP = str.maketrans(
    {
        "\u2019": "'", "\u2018": "'", "\u201a": "'", "\u201b": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
        "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2008": " ",
        "\u200a": " ", "\u2002": " ", "\u2003": " ", "\u2004": " ", "\u2005": " ",
        "\u2006": " ", "\u205f": " ", "\u3000": " ", "\u1680": " ",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None,
        "\ufeff": None, "\u200e": None, "\u200f": None,
        "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
        "\ufb05": "st", "\ufb06": "st",
        "\u2028": "\n", "\u2029": "\n", "\x0c": "\n", "\x0b": "\n", "\x85": "\n",
        "\t": " ",
    }
)
# the characters _CHAR_MAP rewrites: str.translate with a dict is slow on non-ASCII text, and
# most lines (all of them once normalized) contain none of these, so they are looked for first
_MAPPED = re.compile("[" + re.escape("".join(map(chr, _CHAR_MAP))) + "]")
_GUILLEMET_OPEN = re.compile(r"«\s*")
_GUILLEMET_CLOSE = re.compile(r"\s*»")
# control characters other than newline (C0 and C1 ranges), and unpaired surrogates
_CONTROL = re.compile(r"[\x00-\x09\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")
# Every run of spaces and tabs (line breaks excepted) becomes one space. A single space is left
# unmatched: it would be replaced by itself, and a match per word is what makes this slow.
_INNER_SPACE = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
_BLANK_RUN = re.compile(r"\n{3,}")

# --- line shapes ----------------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[•·▪►◦‣∙*]|[-–—](?=\s))+\s*")
_HASHTAGS = re.compile(r"(?:#[^\s#]+[\s,;]*)+")
_MENU_SPLIT = re.compile(r"\s*\|\s*|\s{2,}|\t|\s+[·•]\s+")
_CRUMB_SPLIT = re.compile(r"\s+(?:>|›|→|»|/)\s+")
_TOKEN_GAP = re.compile(r"[\s|·•,/:–-]*")
_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(r"[.!?;]$")

MAX_CHROME_LINE = 120  # a teaser link or site-chrome line is rarely longer than this
MAX_TAIL_LINES = 40  # trailing chrome after the article seldom has more non-blank lines
MIN_REPEAT_KEY = 20  # shorter repeated lines (table cells, "Oui.") are left alone
LETTER_WINDOW = 2000  # clean.run counts letters here first (enough for any usual min_text_chars)
REMEMBERED_LINE_MAX = 1000  # longer lines are not kept in the per-line caches: bounded memory


# --- boilerplate rules, loaded from models/ --------------------------------------------------


class BoilerplateFile(BaseModel):
    """Schema of models/boilerplate.yaml; every pattern must compile."""

    model_config = ConfigDict(extra="forbid")

    tokens: dict[str, list[str]] = Field(default_factory=dict)
    lines: dict[str, list[str]] = Field(default_factory=dict)
    block_starts: list[str] = Field(default_factory=list)

    @field_validator("tokens", "lines")
    @classmethod
    def _check_groups(cls, groups: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, patterns in groups.items():
            for pattern in patterns:
                _compile_checked(pattern, name)
        return groups

    @field_validator("block_starts")
    @classmethod
    def _check_starts(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            _compile_checked(pattern, "block_starts")
        return patterns


def _compile_checked(pattern: str, group: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{group}: bad regex {pattern!r}: {exc}") from exc


@dataclass(frozen=True, eq=False)
class Rules:
    """Compiled boilerplate patterns; compared by identity, so they are a cheap cache key."""

    tokens: tuple[re.Pattern[str], ...]
    line: re.Pattern[str]
    block_start: re.Pattern[str]


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    body = "|".join(f"(?:{p})" for p in patterns) or r"(?!x)x"
    return re.compile(body, re.IGNORECASE)


@functools.lru_cache(maxsize=8)
def load_rules(models_dir: Path | None = None) -> Rules:
    """Read and compile models_dir/boilerplate.yaml (default: the repository's models/)."""
    path = Path(models_dir or DEFAULT_MODELS_DIR) / BOILERPLATE_FILE
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8")) or {}
        data = BoilerplateFile.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ResourceError(f"cannot load boilerplate patterns from {path}: {exc}") from exc
    tokens = [p for group in data.tokens.values() for p in group]
    lines = [p for group in data.lines.values() for p in group]
    starts = [rf"(?:{p})\s*:?" for p in data.block_starts]
    return Rules(
        tokens=tuple(re.compile(p, re.IGNORECASE) for p in tokens),
        line=_alternation(lines),
        block_start=_alternation(starts),
    )


# --- line classification ----------------------------------------------------------------------


def _remembered(function: Callable[..., _T]) -> Callable[..., _T]:
    """function(line, ...) with its answers for lines of up to REMEMBERED_LINE_MAX characters kept.

    clean_text asks the same questions about the same lines in several cleaners and again in
    its last pass (which finds nothing left to change), and site chrome recurs from page to page.
    """
    cached = functools.lru_cache(maxsize=4096)(function)

    @functools.wraps(function)
    def remembered(line: str, *args: Any) -> _T:
        return cached(line, *args) if len(line) <= REMEMBERED_LINE_MAX else function(line, *args)

    return remembered


def _map_characters(text: str) -> str:
    return text.translate(_CHAR_MAP) if _MAPPED.search(text) else text


@_remembered
def line_key(line: str) -> str:
    """A line as the rules see it: typography normalized, spaces collapsed, no leading bullet."""
    text = _GUILLEMET_CLOSE.sub('"', _GUILLEMET_OPEN.sub('"', _map_characters(line)))
    return _BULLET.sub("", _INNER_SPACE.sub(" ", text).strip())


def _is_token_line(key: str, tokens: tuple[re.Pattern[str], ...]) -> bool:
    """True when the line is nothing but share/navigation/consent tokens and separators."""
    if not key or len(key) > 200:
        return False
    pos = _skip_gap(key, 0)
    while pos < len(key):
        ends = [m.end() for t in tokens if (m := t.match(key, pos)) and m.end() > pos]
        ends = [e for e in ends if e == len(key) or not key[e].isalnum()]  # whole words only
        if not ends:
            return False
        pos = _skip_gap(key, max(ends))
    return True


def _skip_gap(key: str, pos: int) -> int:
    match = _TOKEN_GAP.match(key, pos)
    return match.end() if match else pos


def _is_menu_line(line: str) -> bool:
    """Several short items separated by '|', '·' or runs of spaces: a navigation bar."""
    if len(line) > 250:
        return False
    items = [item for item in _MENU_SPLIT.split(line.strip()) if item]
    if any(_SENTENCE_END.search(item) and not item.endswith("...") for item in items):
        return False
    if len(items) < 3:
        return False  # two short items may be content ("Jean Dupont   Président")
    with_digits = sum(1 for item in items if _DIGIT.search(item))
    return with_digits <= 1 and all(len(i) <= 40 and len(i.split()) <= 5 for i in items)


def _is_breadcrumb(line: str) -> bool:
    """'Accueil > Portraits > Interviews', 'News > Attractiveness'."""
    stripped = line.strip()
    if len(stripped) > 200:
        return False
    separators = _CRUMB_SPLIT.findall(stripped)
    if not separators:
        return False
    if "«" in stripped and any("»" in sep for sep in separators):
        return False  # French quotation marks, not a breadcrumb
    items = _CRUMB_SPLIT.split(stripped)
    if len(items) < 3 and any(sep.strip() in ("»", "/") for sep in separators):
        return False  # "2 March 2019 / agency news" is a dateline, not a breadcrumb
    if "/" in "".join(separators) and _DIGIT.search(stripped):
        return False
    return all(0 < len(i) <= 50 and len(i.split()) <= 6 and not _SENTENCE_END.search(i) for i in items)


def is_boilerplate_line(line: str, rules: Rules | None = None) -> bool:
    """True for a line of site chrome (share bar, menu, teaser, cookie banner, legal links...)."""
    return _is_boilerplate(line, rules or load_rules())


@_remembered
def _is_boilerplate(line: str, rules: Rules) -> bool:
    key = line_key(line)
    if not key:
        return False
    if _HASHTAGS.fullmatch(key) or rules.line.fullmatch(key) or rules.block_start.fullmatch(key):
        return True
    return _is_token_line(key, rules.tokens) or _is_menu_line(line) or _is_breadcrumb(line)


def _is_table_row(lines: list[str], index: int) -> bool:
    """A '|' line next to another with as many cells, one of them with figures: a table row.

    Two rows of footer links have the same shape but no figures, and stay chrome.
    """
    cells = lines[index].count("|")
    if cells == 0:
        return False
    same = [lines[j] for j in (index - 1, index + 1) if 0 <= j < len(lines) and lines[j].count("|") == cells]
    return bool(same) and any(_DIGIT.search(row) for row in [lines[index], *same])


# --- the cleaners -------------------------------------------------------------------------------


def normalize_characters(text: str) -> str:
    """Line breaks to LF; curly quotes and guillemets to ASCII quotes; odd spaces to spaces;
    soft hyphens, zero-width and control characters removed; ligatures expanded; NFC."""
    text = _map_characters(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _GUILLEMET_CLOSE.sub('"', _GUILLEMET_OPEN.sub('"', text))
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


def _is_chrome(lines: list[str], index: int, rules: Rules) -> bool:
    """Is lines[index] site chrome? Table rows never are."""
    return is_boilerplate_line(lines[index], rules) and not _is_table_row(lines, index)


def drop_boilerplate_lines(text: str, *, rules: Rules | None = None) -> str:
    """Remove whole lines of site chrome; table rows are kept."""
    lines = text.split("\n")
    rules = rules or load_rules()
    return "\n".join(line for i, line in enumerate(lines) if not _is_chrome(lines, i, rules))


def drop_teaser_blocks(text: str, *, rules: Rules | None = None) -> str:
    """Remove a teaser heading ("Lire aussi", "Related") and the short link lines under it."""
    rules = rules or load_rules()
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _starts_block(lines[i], rules):
            out.append(lines[i])
            i += 1
            continue
        i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        while i < len(lines) and _is_link_like(lines[i]):
            i += 1
    return "\n".join(out)


@_remembered
def _starts_block(line: str, rules: Rules) -> bool:
    """A teaser heading ("Lire aussi", "Related"): asked of every line in every pass."""
    return rules.block_start.fullmatch(line_key(line)) is not None


def _is_link_like(line: str) -> bool:
    key = line_key(line)
    return bool(key) and len(key) <= MAX_CHROME_LINE and not key.endswith(".")


def cut_trailing_chrome(text: str, *, rules: Rules | None = None) -> str:
    """After the first chrome line followed only by short, mostly-chrome lines, cut the rest."""
    lines = text.split("\n")
    rules = rules or load_rules()
    cut: int | None = None
    body = known = 0
    for i in range(len(lines) - 1, -1, -1):
        # body/known describe lines[i + 1:], the tail that a cut at line i would remove
        line = lines[i]
        if not line.strip():
            continue
        is_mark = _is_chrome(lines, i, rules)
        if is_mark and known >= body - known:
            cut = i
        body += 1
        known += is_mark
        if body > MAX_TAIL_LINES or (not is_mark and len(line_key(line)) > MAX_CHROME_LINE):
            break
    return text if cut is None else "\n".join(lines[:cut])


def collapse_whitespace(text: str) -> str:
    """Runs of spaces and tabs to one space; every line stripped. (_INNER_SPACE never takes a line
    break, so it runs over the whole text at once.)"""
    return "\n".join(line.strip() for line in _INNER_SPACE.sub(" ", text).split("\n"))


def drop_repeated_lines(text: str) -> str:
    """Drop a line that repeats an earlier one (a headline printed twice, a repeated share bar)."""
    seen: set[str] = set()
    out: list[str] = []
    for line in text.split("\n"):
        key = line_key(line).casefold()
        if len(key) >= MIN_REPEAT_KEY:
            if key in seen:
                continue
            seen.add(key)
        out.append(line)
    return "\n".join(out)


def collapse_blank_lines(text: str) -> str:
    """At most one blank line between paragraphs; none at the start or end."""
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


# Boilerplate goes first: breadcrumbs and menus are recognized by separators (» tabs, runs of
# spaces) that the character normalization would turn into quotes and single spaces.
CLEANERS: tuple[Callable[..., str], ...] = (
    cut_trailing_chrome,
    drop_teaser_blocks,
    drop_boilerplate_lines,
    normalize_characters,
    collapse_whitespace,
    drop_repeated_lines,
    collapse_blank_lines,
)
_NEEDS_RULES = frozenset({cut_trailing_chrome, drop_teaser_blocks, drop_boilerplate_lines})
_MAX_PASSES = 4


def clean_text(text: str, *, rules: Rules | None = None) -> str:
    """Apply CLEANERS until the text is stable (so clean_text is idempotent)."""
    rules = rules or load_rules()
    for _ in range(_MAX_PASSES):
        before = text
        for cleaner in CLEANERS:
            text = cleaner(text, rules=rules) if cleaner in _NEEDS_RULES else cleaner(text)
        if text == before:
            break
    return text


def fix_title(title: str) -> str | None:
    """A headline with the same typography as the cleaned text, on one line."""
    return " ".join(normalize_characters(title).split()) or None


def truncate(text: str, max_chars: int) -> str:
    """Cut at max_chars, back to the last paragraph or line break in the final tenth if any."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    floor = int(max_chars * 0.9)
    for sep in ("\n\n", "\n", " "):
        cut = head.rfind(sep)
        if cut >= floor:
            return head[:cut].rstrip()
    return head


def run(doc: Document, cfg: Config) -> Document:
    """Clean doc.text in place; flag a text too short to process. Returns the same Document."""
    if doc.status != "ok":
        return doc
    text = clean_text(doc.text, rules=load_rules(cfg.models_dir))
    if len(text) > cfg.max_chars:
        LOGGER.warning("%s: text truncated from %d to %d characters", doc.doc_id, len(text), cfg.max_chars)
        doc.warnings.append(f"clean: text truncated from {len(text)} to {cfg.max_chars} characters")
        text = truncate(text, cfg.max_chars)
    doc.text = text
    # the letters of the first LETTER_WINDOW characters, counted again over the whole text only when
    # they are too few (a text's letters are at least its first characters' letters)
    letters = sum(map(str.isalpha, text[:LETTER_WINDOW]))
    if letters < cfg.min_text_chars and len(text) > LETTER_WINDOW:
        letters = sum(map(str.isalpha, text))
    if letters < cfg.min_text_chars:
        LOGGER.info("%s: only %d letters after cleaning", doc.doc_id, letters)
        doc.add_problem(
            "clean",
            "empty_text",
            f"only {letters} letters left after removing boilerplate (minimum {cfg.min_text_chars}); "
            "check the source file or extend models/boilerplate.yaml if real text was dropped",
            fatal=True,
        )
    return doc

"""Bytes to text for the ingest stage.

Order of trust: a byte-order mark (UTF-8/16/32), then UTF-16 recognized from its NUL-byte
pattern, then strict UTF-8, then a charset the document declares (HTML meta, XML prolog), then
a guess among Western single-byte encodings by charset-normalizer. The text is then repaired
with ftfy (mojibake such as "Ã©" back to "é") and line breaks become LF.

`Decoded.note` is set whenever the result deserves a "decode" problem on the record: the
encoding was guessed, characters were replaced, or mojibake was repaired.
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import ftfy
from charset_normalizer import from_bytes
from ftfy.badness import is_bad
from ftfy.chardata import CONTROL_CHARS, LIGATURES, WIDTH_MAP

LOGGER = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Western European text: what French and English press files use when they are not UTF-8.
WESTERN_CANDIDATES = ("cp1252", "iso8859_15", "latin_1")
# Browsers read these declared labels as windows-1252, and so do we.
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii"}
_DECLARED = re.compile(
    rb"""(?:<meta[^>]{0,200}?charset\s*=\s*["']?|<\?xml[^>]{0,100}?encoding\s*=\s*["'])([a-zA-Z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)
_MOJIBAKE_STEPS = {"decode_inconsistent_utf8", "restore_byte_a0", "replace_lossy_sequences", "fix_c1_controls"}
_FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, unescape_html=False, explain=True)
# Three of ftfy's fixers are str.translate calls with a dict, slow on non-ASCII text, and they
# change nothing in a text that holds none of their characters, which is nearly every text.
# Such a text is first fixed without them: when that applies no step at all, every fixer saw
# the text unchanged, so the three skipped would have found nothing either.
_FTFY_TABLE_CHARS = re.compile("[" + re.escape("".join(map(chr, {**CONTROL_CHARS, **LIGATURES, **WIDTH_MAP}))) + "]")
_FTFY_WITHOUT_TABLES = _FTFY_CONFIG._replace(
    fix_latin_ligatures=False, fix_character_width=False, remove_control_chars=False
)
# ftfy's mojibake repair first asks `ftfy.badness.is_bad`, a search of the whole text with a
# regex of a few dozen character pairs and triples that is slow on every character, ASCII
# markup included (most of the time of `repair` on an HTML page). When each of that regex's
# matches is at most _BADNESS_WIDTH characters long and holds a character that is neither ASCII
# nor one of the common accented small letters of _PLAIN_LETTERS, searching only around such
# characters gives the same answer (`looks_bad`). `badness_shortcut_holds` checks that on the
# installed ftfy, once; where it does not hold (another ftfy, another regex), `is_bad` is asked.
# When there is nothing bad, the text is fixed without the encoding step, and as with the table
# fixers, that is the result when no step applies.
_BADNESS_WIDTH = 7
_PLAIN_LETTERS = "àâäçéèêëîïôöùûüÿ"
_NEAR_UNCOMMON = re.compile(
    rf"[^\x00-\x7f{_PLAIN_LETTERS}](?:[\x00-\x7f{_PLAIN_LETTERS}]{{0,{2 * _BADNESS_WIDTH}}}[^\x00-\x7f{_PLAIN_LETTERS}])*"
)
_FTFY_LIGHT = {  # (no table characters, no mojibake) -> the fixers that may still find something
    (True, False): _FTFY_WITHOUT_TABLES,
    (False, True): _FTFY_CONFIG._replace(fix_encoding=False),
    (True, True): _FTFY_WITHOUT_TABLES._replace(fix_encoding=False),
}
_SAMPLE = 65536
_SPACES = "\n\r\t\f\v "
_BAD_CATEGORIES = ("Cc", "Cs", "Co", "Cn")  # control, surrogate, private use, unassigned


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding used, and a note for a "decode" problem (None when clean)."""

    text: str
    encoding: str
    note: str | None = None
    is_text: bool = True  # False: the bytes look like binary data, not text


def declared_charset(data: bytes) -> str | None:
    """The charset named by an HTML <meta> or an XML prolog in the first KBs, if it is a real codec."""
    match = _DECLARED.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return "cp1252" if name.replace("-", "_") in _AS_CP1252 else name


def _from_bom(data: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NUL bytes sit on one parity only (ASCII-range UTF-16)."""
    sample = data[: min(len(data), 4096) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    nul_even = even.count(0) / len(even)
    nul_odd = odd.count(0) / len(odd)
    if nul_odd > 0.3 and nul_even < 0.05:
        return "utf-16-le"
    if nul_even > 0.3 and nul_odd < 0.05:
        return "utf-16-be"
    return None


def _guess_western(data: bytes) -> str:
    """Best Western single-byte encoding for data according to charset-normalizer."""
    try:
        best = from_bytes(data[: _SAMPLE * 4], cp_isolation=list(WESTERN_CANDIDATES)).best()
    except Exception:  # noqa: BLE001 - a detector failure must not stop ingestion
        LOGGER.debug("charset-normalizer failed", exc_info=True)
        best = None
    return best.encoding if best is not None else "cp1252"


def _to_str(data: bytes, declared: str | None) -> tuple[str, str, list[str]]:
    """Decode with the first trustworthy encoding; returns text, encoding and notes."""
    bom = _from_bom(data)
    if bom:
        encoding, skip = bom
        return data[skip:].decode(encoding, errors="replace"), encoding, []
    utf16 = utf16_without_bom(data)
    if utf16:
        notes = [f"no byte-order mark: read as {utf16.upper()} from its NUL-byte pattern"]
        return data.decode(utf16, errors="replace"), utf16, notes
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    if declared and declared != "utf-8":
        try:
            return data.decode(declared), declared, []
        except (UnicodeDecodeError, LookupError):
            pass
    guess = _guess_western(data)
    note = f"not UTF-8: encoding guessed as {guess}; check accented characters or re-save as UTF-8"
    return data.decode(guess, errors="replace"), guess, [note]


def _uncommon_only(op: object, arg: object, plain: frozenset[int]) -> bool:
    """A parsed regex item that matches one character, never an ASCII one nor one of `plain`."""
    from re import _constants as c  # noqa: PLC0415 - read once, by badness_shortcut_holds

    if op is c.LITERAL:
        return arg > 0x7F and arg not in plain  # type: ignore[operator]
    if op is c.IN:
        return all(
            (kind is c.LITERAL and value > 0x7F and value not in plain)
            or (kind is c.RANGE and value[0] > 0x7F and not any(value[0] <= ch <= value[1] for ch in plain))
            for kind, value in arg  # type: ignore[attr-defined]
        )
    return False


def badness_shortcut_holds(plain_letters: str | None = None) -> bool:
    """Whether `looks_bad` may search only near uncommon characters with the installed ftfy:
    every alternative of its badness regex holds a character that is neither ASCII nor one of
    `plain_letters` (default _PLAIN_LETTERS) outside any optional part, matches at most
    _BADNESS_WIDTH characters and looks at nothing outside its match but the start of the text.
    Read from the regex with Python's own regex parser; False whenever anything is unexpected."""
    try:
        from re import _constants as c  # noqa: PLC0415
        from re import _parser as parser  # noqa: PLC0415

        from ftfy.badness import BADNESS_RE  # noqa: PLC0415

        plain = frozenset(map(ord, _PLAIN_LETTERS if plain_letters is None else plain_letters))
        if BADNESS_RE.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL):
            return False
        parsed = parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
        if parsed.getwidth()[1] > _BADNESS_WIDTH:
            return False
        [(op, (_, branches))] = parsed.data
        if op is not c.BRANCH:
            return False
        for branch in branches:
            if not any(_uncommon_only(kind, value, plain) for kind, value in branch.data):
                return False
            for kind, value in branch.data:
                if kind not in (c.LITERAL, c.IN, c.ANY, c.MAX_REPEAT, c.AT):
                    return False
                if kind is c.AT and value is not c.AT_BEGINNING:
                    return False
                if kind is c.MAX_REPEAT and not all(k in (c.LITERAL, c.IN) for k, _ in value[2].data):
                    return False  # "\s?": only characters inside
        return True
    except Exception:  # noqa: BLE001 - another ftfy or Python: the plain test, always right
        return False


@functools.lru_cache(maxsize=1)
def _badness_regex() -> re.Pattern[str] | None:
    """ftfy's badness regex when the shortcut holds for it, else None (see badness_shortcut_holds)."""
    if not badness_shortcut_holds():
        LOGGER.debug("ftfy's badness regex is not of the expected form: asking is_bad on whole texts")
        return None
    from ftfy.badness import BADNESS_RE  # noqa: PLC0415

    return BADNESS_RE


def looks_bad(text: str) -> bool:
    """`ftfy.badness.is_bad(text)`: some character sequence looks like mojibake (see _BADNESS_WIDTH)."""
    regex = _badness_regex()
    if regex is None:
        return is_bad(text)
    for near in _NEAR_UNCOMMON.finditer(text):
        if regex.search(text, max(0, near.start() - _BADNESS_WIDTH), near.end() + _BADNESS_WIDTH):
            return True
    return False


def repair(text: str) -> tuple[str, bool]:
    """Fix mojibake and odd characters with ftfy; LF line breaks. Returns (text, repaired?)."""
    fixed = None
    light = _FTFY_LIGHT.get((not _FTFY_TABLE_CHARS.search(text), not looks_bad(text)))
    if light is not None:
        fixed = ftfy.fix_and_explain(text, config=light)
    if fixed is None or fixed.explanation:
        fixed = ftfy.fix_and_explain(text, config=_FTFY_CONFIG)
    steps = fixed.explanation or []
    repaired = any(op in ("encode", "decode", "transcode") or name in _MOJIBAKE_STEPS for op, name in steps)
    return fixed.text.replace("\r\n", "\n").replace("\r", "\n"), repaired


def decode(data: bytes, *, declared: str | None = None) -> Decoded:
    """Bytes to repaired text; see the module docstring for the order of trust."""
    text, encoding, notes = _to_str(data, declared)
    is_text = looks_like_text(text, guessed=bool(notes))
    replaced = text.count("\ufffd")
    if replaced:
        notes.append(f"{replaced} undecodable byte sequence(s) replaced by U+FFFD")
    text, repaired = repair(text)
    if repaired:
        notes.append("mis-decoded characters (mojibake such as 'Ã©') were repaired")
        # Text encoded to UTF-8 twice through Latin-1 turns every curly quote into two C1 control
        # characters ("’" -> "â\x80\x99"), so before its repair it can look like binary data. It is
        # valid UTF-8 (random binary bytes practically never are): judge it once repaired.
        if not is_text and encoding == "utf-8" and not notes[:-1]:
            is_text = looks_like_text(text, guessed=False)
    return Decoded(text=text, encoding=encoding, note="; ".join(notes) or None, is_text=is_text)


def looks_like_text(text: str, *, guessed: bool) -> bool:
    """True when text is mostly printable characters rather than decoded binary junk.

    A guessed single-byte decoding accepts any bytes, so it also has to look like prose:
    spaces between words and few symbols.
    """
    sample = text[:_SAMPLE]
    if not sample.strip():
        return True  # whitespace only: empty, not binary
    # Each distinct character is classified once; the few bad ones are then counted (C loops).
    # Binary junk can hold thousands of distinct bad characters: those are counted in one pass.
    distinct = set(sample)
    odd = [ch for ch in distinct if ch not in _SPACES and (unicodedata.category(ch) in _BAD_CATEGORIES or ch == "\ufffd")]
    if len(odd) <= 32:
        bad = sum(map(sample.count, odd))
    else:
        counts = Counter(sample)
        bad = sum(counts[ch] for ch in odd)
    if bad / len(sample) > 0.02:
        return False
    if guessed and len(sample) > 200:
        spaces = sum(map(sample.count, _SPACES))
        non_ascii = len(sample) - len(sample.encode("ascii", "ignore"))
        return spaces / len(sample) > 0.05 and non_ascii / len(sample) < 0.3
    return True

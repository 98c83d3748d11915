"""The shortcuts taken for speed in the prepare stages give what the plain computation gives."""

from __future__ import annotations

import re
import unicodedata

import ftfy
import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad
from hypothesis import given
from hypothesis import strategies as st

from pipeline import clean
from pipeline.ingest import decode

# spaces, tabs, line breaks, odd spaces, ligatures, fullwidth forms, control characters, mojibake
_TEXT = st.text(
    alphabet=st.sampled_from(list(" \t\n\r\x0b\x0c\u00a0\u2009\u3000aé.«»’ﬁＡ\x00\x07\x85\ufeff\ufffdÃ©â€™")), max_size=40
)


@given(_TEXT)
def test_prepare_speed_inner_space_collapses_like_one_run_per_match(text: str) -> None:
    assert clean._INNER_SPACE.sub(" ", text) == re.sub(r"[^\S\n]+", " ", text)


@given(_TEXT)
def test_prepare_speed_line_key_is_the_same_with_and_without_mapped_characters(text: str) -> None:
    assert clean._map_characters(text) == text.translate(clean._CHAR_MAP)


@given(_TEXT)
def test_prepare_speed_repair_matches_ftfy_with_every_fixer(text: str) -> None:
    fixed = ftfy.fix_and_explain(text, config=decode._FTFY_CONFIG)
    steps = fixed.explanation or []
    repaired = any(op in ("encode", "decode", "transcode") or name in decode._MOJIBAKE_STEPS for op, name in steps)
    assert decode.repair(text) == (fixed.text.replace("\r\n", "\n").replace("\r", "\n"), repaired)


@given(_TEXT, st.booleans())
def test_prepare_speed_looks_like_text_counts_every_character(text: str, guessed: bool) -> None:
    _assert_looks_like_text_counts_every_character(text * 8, guessed)  # past the 200-character threshold


# binary junk: many distinct control, private-use and unassigned characters among some prose
_JUNK = st.text(alphabet=st.sampled_from([*map(chr, range(0xE000, 0xE040)), *map(chr, range(0x0378, 0x037A)),
                                          *map(chr, range(0x01, 0x20)), "\ud800", "a", "é", " ", "\n"]), max_size=400)


@given(_JUNK, st.booleans(), st.integers(0, 3000))
def test_prepare_speed_looks_like_text_counts_many_kinds_of_junk(junk: str, guessed: bool, prose: int) -> None:
    _assert_looks_like_text_counts_every_character("Le texte continue. " * (prose // 19) + junk, guessed)


@pytest.mark.parametrize("prose", [0, 200, 3000, 20000])
@pytest.mark.parametrize("guessed", [False, True])
def test_prepare_speed_looks_like_text_counts_over_32_kinds_of_junk(prose: int, guessed: bool) -> None:
    junk = "".join(map(chr, range(0xE000, 0xE040))) + "\x01\x02\x7f\ufffd\ufffd" + "".join(map(chr, range(0x0378, 0x037A)))
    _assert_looks_like_text_counts_every_character("Le texte continue. " * (prose // 19) + junk * 3, guessed)


def _assert_looks_like_text_counts_every_character(text: str, guessed: bool) -> None:
    sample = text[: decode._SAMPLE]
    if not sample.strip():
        expected = True
    else:
        bad = sum(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n\r\t\f\v" or ch == "\ufffd"
                  for ch in sample)
        spaces = sum(ch in "\n\r\t\f\v " for ch in sample)
        non_ascii = sum(ord(ch) > 127 for ch in sample)
        expected = bad / len(sample) <= 0.02 and (
            not guessed or len(sample) <= 200 or (spaces / len(sample) > 0.05 and non_ascii / len(sample) < 0.3)
        )
    assert decode.looks_like_text(text, guessed=guessed) is expected


def test_prepare_speed_rules_from_other_files_are_not_mixed_up(tmp_path) -> None:
    """Boilerplate verdicts are remembered per rule set: another models dir gets its own."""
    (tmp_path / clean.BOILERPLATE_FILE).write_text('lines:\n  custom:\n    - "tweet"\n', encoding="utf-8")
    custom = clean.load_rules(tmp_path)
    assert clean.is_boilerplate_line("Publireportage", custom) is False
    assert clean.is_boilerplate_line("Tweet", custom) is True
    assert clean.is_boilerplate_line("Share on Facebook", custom) is False
    assert clean.is_boilerplate_line("Share on Facebook") is True


def test_prepare_speed_badness_matches_need_an_uncommon_character() -> None:
    """decode.looks_bad searches only near characters that are neither ASCII nor common accented
    small letters: on the installed ftfy, every alternative of the badness regex holds one, matches
    at most _BADNESS_WIDTH characters and looks at nothing outside its match but the start of the
    text (decode.badness_shortcut_holds reads the regex), so the shortcut is taken."""
    assert decode.badness_shortcut_holds()
    assert decode._badness_regex() is BADNESS_RE


@pytest.mark.parametrize("letter", ["œ", "É", "«"])
def test_prepare_speed_badness_check_fails_with_a_letter_some_alternative_needs(letter: str) -> None:
    assert decode.badness_shortcut_holds(decode._PLAIN_LETTERS + letter) is False


@pytest.mark.parametrize("pattern", [
    ("a\u00c3", re.IGNORECASE),  # case-insensitive: an ASCII letter may stand for another
    ("\u00c3\u00a9\\w{9}", 0),  # wider than the window searched around a character
    ("\u00c3\u00a9|ab", 0),  # an alternative of plain ASCII
    ("\u00c3(?=x)", 0),  # looks past its match
])
def test_prepare_speed_unexpected_badness_regex_uses_is_bad(pattern: tuple[str, int], monkeypatch) -> None:
    """Another ftfy whose regex is not of the expected form: looks_bad asks is_bad on the whole text."""
    import ftfy.badness

    monkeypatch.setattr(ftfy.badness, "BADNESS_RE", re.compile(*pattern))
    decode._badness_regex.cache_clear()
    try:
        assert decode.badness_shortcut_holds() is False
        assert decode._badness_regex() is None
        calls = []
        monkeypatch.setattr(decode, "is_bad", lambda text: calls.append(text) or False)
        assert decode.looks_bad("Le siège de l'agence à Marseille") is False
        assert calls == ["Le siège de l'agence à Marseille"]
    finally:
        monkeypatch.undo()
        decode._badness_regex.cache_clear()


# ASCII text with the characters ftfy's badness regex looks for, as the mojibake of the tests has them
_MOJIBAKE_ALPHABET = sorted(
    set(" \n\tazAZ09.,?!-'\"<>=;:/#éàçôüèêÿœŒ°×²ÃÂÎÐØÙ€ŠšâƒÆ„…†‡ˆ‰‹›™“”•–—˜¡¢£¤¥¦§¨©ª«¬®¯±³´µ¶·¸¹º»¼½¾¿√≈‚ÄìвЂГўВСβΒΓΞΟā\x80\x9f")
    | {chr(c) for chunk in ("box", "kaomoji") for c in map(ord, MOJIBAKE_CATEGORIES[chunk]) if c > 0x7F}
)


@given(st.text(alphabet=st.sampled_from(_MOJIBAKE_ALPHABET), max_size=60), st.integers(0, 40), st.integers(0, 40))
def test_prepare_speed_looks_bad_is_ftfy_is_bad(text: str, before: int, after: int) -> None:
    padded = "a <b> " * before + text + " x=1;" * after  # far from the non-ASCII characters: not searched
    assert decode.looks_bad(padded) is is_bad(padded)
    assert decode.looks_bad(text) is is_bad(text)


@given(_TEXT, st.sampled_from(["", "Ã©t", "\ufb01n", "Ã©\ufb01"]))
def test_prepare_speed_repair_with_and_without_mojibake_and_table_characters(text: str, extra: str) -> None:
    for sample in (text + extra, extra + text, "é" + text + " " + extra):
        fixed = ftfy.fix_and_explain(sample, config=decode._FTFY_CONFIG)
        steps = fixed.explanation or []
        repaired = any(op in ("encode", "decode", "transcode") or name in decode._MOJIBAKE_STEPS for op, name in steps)
        assert decode.repair(sample) == (fixed.text.replace("\r\n", "\n").replace("\r", "\n"), repaired)

"""The shortcuts taken for speed in the prepare stages give what the plain computation gives."""

from __future__ import annotations

import re
import unicodedata
from re import _constants as sre_constants  # reading ftfy's regex: tests only
from re import _parser as sre_parser

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


def _uncommon_only(item: tuple) -> bool:
    """A regex item that matches one character, never an ASCII one nor one of decode._PLAIN_LETTERS."""
    op, arg = item
    plain = set(map(ord, decode._PLAIN_LETTERS))
    if op is sre_constants.LITERAL:
        return arg > 0x7F and arg not in plain
    if op is sre_constants.IN:
        return all(
            (kind is sre_constants.LITERAL and value > 0x7F and value not in plain)
            or (kind is sre_constants.RANGE and value[0] > 0x7F and not any(value[0] <= c <= value[1] for c in plain))
            for kind, value in arg
        )
    return False


def test_prepare_speed_badness_matches_need_an_uncommon_character() -> None:
    """decode.looks_bad searches only near characters that are neither ASCII nor common accented
    small letters: every alternative of ftfy's badness regex must hold one (outside any optional
    part), match at most _BADNESS_WIDTH characters, and look at nothing outside its match but
    the start of the text."""
    assert not BADNESS_RE.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL)
    parsed = sre_parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    assert parsed.getwidth()[1] <= decode._BADNESS_WIDTH
    [(op, (_, branches))] = parsed.data
    assert op is sre_constants.BRANCH and len(branches) > 20
    for branch in branches:
        assert any(_uncommon_only(item) for item in branch.data), branch
        for kind, value in branch.data:
            assert kind in (sre_constants.LITERAL, sre_constants.IN, sre_constants.ANY, sre_constants.MAX_REPEAT,
                            sre_constants.AT), branch
            if kind is sre_constants.AT:
                assert value is sre_constants.AT_BEGINNING
            if kind is sre_constants.MAX_REPEAT:  # "\s?": only characters inside
                assert all(op in (sre_constants.LITERAL, sre_constants.IN) for op, _ in value[2].data)


@pytest.mark.parametrize("letter", ["œ", "É", "«"])
def test_prepare_speed_badness_check_fails_with_a_letter_some_alternative_needs(letter: str, monkeypatch) -> None:
    monkeypatch.setattr(decode, "_PLAIN_LETTERS", decode._PLAIN_LETTERS + letter)
    with pytest.raises(AssertionError):
        test_prepare_speed_badness_matches_need_an_uncommon_character()


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

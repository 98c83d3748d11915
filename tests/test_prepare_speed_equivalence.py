"""The shortcuts taken for speed in the prepare stages give what the plain computation gives."""

from __future__ import annotations

import re
import unicodedata

import ftfy
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
    text = text * 8  # past the 200-character threshold of the guessed-encoding test
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

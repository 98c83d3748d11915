"""The shortcuts that keep extraction cheap must not change what it finds.

- numbers: text2num reads only texts with a token it reads as a number on its own;
- phrase_regex: phrases grouped by first letter match exactly as one flat alternation.
"""

from __future__ import annotations

import random
import re

import pytest

from pipeline.normalize import numbers
from pipeline.resources import phrase_regex

_VOCABULARY = {  # words separated by spaces
    "fr": "un une deux trois quatre-vingt quatre-vingts vingt-et-un dix-sept cent cents mille million millions "
          "milliard zéro premier première deuxième vingtième unième et virgule de la projets emplois sur "
          "neuf septante moitié tiers . , - '",
    "en": "one two three twenty thirty hundred hundreds thousand million billion zero oh first second "
          "twentieth and point a of the jobs projects half dozen nought . , - '",
}


def _text2num_everywhere(text: str, lang: str) -> list[tuple[int, int, float, bool]]:
    """What text2num finds in `text`, tokenized as _word_matches does, without the prefilter."""
    tokens = [numbers._Token("." if "\n\n" in m.group() else m.group(), m.group()[0].isdigit())
              for m in numbers._TOKEN.finditer(text)]
    return [(o.start, o.end, o.value, o.is_ordinal) for o in numbers._run_text2num(tokens, lang)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_number_word_prefilter_never_skips_a_number(lang: str) -> None:
    rng = random.Random(20240611)
    words = _VOCABULARY[lang].split()
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        text = rng.choice([text, text.capitalize(), text.upper(), text.replace(" ", "\n\n", 1)])
        if _text2num_everywhere(text, lang):
            assert numbers._number_words(lang).any_in(text), text


def test_number_word_prefilter_skips_texts_without_number_words() -> None:
    assert not numbers._number_words("fr").any_in("La société s'installe à Marseille en mars.")
    assert numbers._number_words("fr").any_in("Un premier bilan.")
    assert [m.value for m in numbers.find_numbers("soixante-cinq projets", "fr")] == [65]


def _flat_phrase_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(p) + ("" if p.endswith("'") else r"(?![\w-])") for p in alts)
    return re.compile(rf"(?<![\w-])(?:{body})", re.IGNORECASE)


def test_grouped_phrase_regex_matches_like_a_flat_alternation() -> None:
    # First letters that the engine matches to each other with case ignored: "s" and the long
    # s, "k" and the Kelvin sign, "i" and the dotless i, "e" and "é" (which do not match).
    phrases = ("sa", "ſab", "Sab c", "ka", "\u212aab", "ia", "ıab", "été", "ete", "vient d'", "vient", "d'ici")
    text = "SAB C ſa ſab Sab KAB \u212aa ıa IAB ÉTÉ ete Ete vient d'ici vient d'Ici x-sa sab-"
    assert [(m.span(), m.group()) for m in phrase_regex(phrases).finditer(text)] == \
        [(m.span(), m.group()) for m in _flat_phrase_regex(phrases).finditer(text)]

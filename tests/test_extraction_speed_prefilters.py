"""The shortcuts that keep extraction cheap must not change what it finds.

- numbers: text2num reads only texts with a token it reads as a number on its own;
- phrase_regex, grouped_alternation: phrases grouped by first letter match exactly as one flat
  alternation, also where the rest of the pattern makes the engine go back to a shorter phrase;
- normalize.alternation (the regexes of numbers.yaml and dates.yaml): the same;
- frames.children: the dependents index a sentence keeps answers for that sentence only.
"""

from __future__ import annotations

import random
import re

import pytest

from pipeline.extraction.frames import children
from pipeline.nlp import Sentence, Token
from pipeline.normalize import alternation, numbers
from pipeline.resources import grouped_alternation, phrase_regex

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


def test_grouped_alternation_goes_back_to_shorter_phrases_like_a_flat_one() -> None:
    # "groupe Alpha" matches first in "groupe Alphabet", then the name after it fails: the engine
    # must go back to "groupe" and find "Alphabet", as it does in the flat alternation.
    words = ["groupe Alpha", "société civile", "ſociété", "groupe", "société", "Gruppo", "sa"]
    text = "le groupe Alphabet, la société civile Norlind, la société Kalvera, ſociété Orsane, SA Tremolo, gruppo Vetrox"
    tail = r"\s+([A-Z]\w+)"
    grouped = re.compile(rf"(?<![\w-])(?i:{grouped_alternation(words)}){tail}")
    flat = re.compile(rf"(?<![\w-])(?i:{'|'.join(re.escape(w) for w in words)}){tail}")
    found = [(m.span(), m.group(1)) for m in grouped.finditer(text)]
    assert found == [(m.span(), m.group(1)) for m in flat.finditer(text)]
    assert [name for _, name in found] == ["Alphabet", "Norlind", "Kalvera", "Orsane", "Tremolo", "Vetrox"]


def _sentence(words: list[tuple[str, int]]) -> Sentence:
    tokens, start = [], 0
    for i, (word, head) in enumerate(words):
        tokens.append(Token(i=i, text=word, start=start, pos="X", dep="dep", head=head))
        start += len(word) + 1
    return Sentence(start=0, end=start, text=" ".join(w for w, _ in words), lang="en", tokens=tokens)


def test_children_answer_for_the_sentence_asked_about() -> None:
    one = _sentence([("Vetrox", 1), ("hired", 1), ("40", 3), ("people", 1)])
    two = _sentence([("Norlind", 2), ("also", 2), ("hired", 2)])
    for sent in (one, two, one, two):  # the index of one sentence never answers for another
        for i in range(len(sent.tokens)):
            assert children(sent, i) == [t for t in sent.tokens if t.head == i and t.i != i]
    assert [t.text for t in children(one, 1)] == ["Vetrox", "people"]
    children(one, 1).clear()  # a caller's list is its own
    assert [t.text for t in children(one, 1)] == ["Vetrox", "people"]


@pytest.mark.parametrize("ignore_case", [True, False])
def test_normalize_alternation_matches_like_a_flat_one(ignore_case: bool) -> None:
    words = ["mars", "mai", "Mar", "May", "march", "ſept", "sept", "septembre", "fin de", "fin", "décembre", "dec"]
    text = "en mars, fin de mai, Mar 3, MAY, march on, ſept, Septembre, fin  de, fin, Décembre, decembre"

    def flat(ws: list[str]) -> str:
        body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(ws), key=len, reverse=True)) or "(?!)"
        return (f"(?i:{body})" if ignore_case else f"(?:{body})") + r"(?:(?<=\W)|(?!\w))"

    for ws in (words, words + [""], [""], []):
        grouped = re.compile(r"(\w*)(" + alternation(ws, ignore_case=ignore_case) + ")")
        expected = re.compile(r"(\w*)(" + flat(ws) + ")")
        assert [m.span(2) for m in grouped.finditer(text)] == [m.span(2) for m in expected.finditer(text)], ws

"""Document and section language.

Stage `run(doc, cfg)`: reads `doc.text`; writes `doc.sections`, `doc.lang` (the language with
most characters) and problems: fatal `wrong_language` when the main language is not in
`cfg.languages`, unless the evidence is thin (fewer than MIN_LETTERS letters or confidence
under LOW_CONFIDENCE: "Total", "OK"), where the likeliest accepted language is used with a
`low_confidence` problem; a non-fatal `wrong_language` for sections in other languages; a
`low_confidence` problem when the main language is an unsure guess.

Paragraphs (split on blank lines) are detected one by one; a paragraph with fewer than
`MIN_LETTERS` letters (a heading, a dateline, "Contact presse") takes its neighbours'
language, and consecutive paragraphs in one language are merged into one section, so a
bilingual release gives two sections. Sections cover the text contiguously.

Detector: lingua-language-detector, restricted to French, English, German, Spanish,
Italian, Portuguese and Dutch, built once with preloaded models. Measured on this machine
(2 CPUs, Python 3.11), per call, warm; accuracy on 40 French and 25 English headings, on 122
short lines (8-60 letters, menus included) and 75 paragraphs (>= 40 letters) of the dev set:

| option                     | load              | heading | paragraph | 3.6k-char text |
|----------------------------|-------------------|---------|-----------|----------------|
| lingua, preloaded (chosen) | 0.74 s            | 0.07 ms | 0.18 ms   | 1.7 ms         |
| lingua, lazy               | 1.1 s at 1st call | 0.07 ms | 0.18 ms   | 1.7 ms         |
| lingua, low accuracy       | 0.03 s            | 0.03 ms | 0.13 ms   | 1.7 ms         |
| py3langid, set_languages   | 0.64 s            | 0.02 ms | 0.05 ms   | 0.6 ms         |

Right answers, headings / lines / paragraphs: lingua 65/65, 107/122, 73/75; py3langid
64/65, 112/122, 75/75; lingua's low accuracy mode 26/30 on a first, smaller heading set.

Lazy loading saves nothing (the first call loads every candidate model), so models are
preloaded. py3langid is three times faster and a little better on menu lines, but both
cost well under a millisecond per paragraph, and lingua's confidences are calibrated: its
errors (English sentences full of French institution names, "The Conseil Départemental's
...") come with confidences of 0.4-0.6, where py3langid says 0.97 for its own errors. The
section logic relies on that: an unsure paragraph follows its neighbours, and a low main
confidence is reported. Both are deterministic. Weak spots: lists of proper names, menus
("Partagez sur Facebook" reads as Dutch), very short lines (hence the inheritance).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pipeline.records import Section
from pipeline.resources import load_resources

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.records import Document

STAGE = "language"
LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl")
UNDETERMINED = "und"
# Fewer letters than this and a paragraph takes its neighbours' language.
MIN_LETTERS = 40
# Below this, a paragraph whose two neighbours agree on another language follows them.
ISOLATED_CONFIDENCE = 0.75
# Below this, the main language is reported as a low-confidence guess.
LOW_CONFIDENCE = 0.5
# detect() reads at most this many characters: enough for a stable answer, bounded cost.
MAX_DETECT_CHARS = 20_000
# Paragraphs up to this length have their detection remembered, the last MEMO_SIZE of them:
# at most about 16 MB a process (4,096 paragraphs of 2,000 characters, two bytes each where a
# character such as ’ is not Latin-1), a few MB for paragraphs of usual length.
MEMO_CHARS = 2_000
MEMO_SIZE = 4_096
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@functools.lru_cache(maxsize=1)
def _detector() -> Any:
    """The lingua detector over LANGUAGES, built once (about 0.6 s, 200 MB)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


@functools.lru_cache(maxsize=None)
def language_name(code: str) -> str:
    """The English name of a language code ("de" -> "German"); the code itself if unknown."""
    from lingua import IsoCode639_1, Language

    try:
        return str(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())).name.title())
    except (AttributeError, ValueError):
        return code


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))


def _scores(text: str) -> Mapping[str, float]:
    """Confidence per language code for `text` (all zero when nothing can be read).

    Texts of up to MEMO_CHARS characters are remembered (the last MEMO_SIZE of them): an
    archive repeats its boilerplate paragraphs ("About the agency", "Press contact", a
    dateline) from one release to the next, and lingua gives a text the same values every
    time, so a repeated paragraph costs a lookup instead of a detection.
    """
    text = text[:MAX_DETECT_CHARS]
    if len(text) <= MEMO_CHARS:
        return _remembered_scores(text)
    return _detected_scores(text)


def _detected_scores(text: str) -> Mapping[str, float]:
    values = _detector().compute_language_confidence_values(text)
    return MappingProxyType({v.language.iso_code_639_1.name.lower(): float(v.value) for v in values})


_remembered_scores = functools.lru_cache(maxsize=MEMO_SIZE)(_detected_scores)


def _best(scores: Mapping[str, float]) -> tuple[str, float]:
    if not scores or max(scores.values()) <= 0.0:
        return UNDETERMINED, 0.0
    # ties broken by code, so the answer never depends on dict order
    code = max(sorted(scores), key=lambda c: scores[c])
    return code, scores[code]


def detect(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of the language of `text` and a confidence in [0, 1].

    ("und", 0.0) when the text has no letters.
    """
    if not text or _letters(text[:MAX_DETECT_CHARS]) == 0:
        return UNDETERMINED, 0.0
    return _best(_scores(text))


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraph spans covering `text`; each keeps the blank lines that follow it."""
    starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(text) if 0 < m.end() < len(text)]
    starts = sorted(set(starts))
    return list(zip(starts, starts[1:] + [len(text)], strict=True))


def _neighbour(labels: list[tuple[str | None, float]], i: int, step: int) -> str | None:
    j = i + step
    while 0 <= j < len(labels):
        if labels[j][0] is not None:
            return labels[j][0]
        j += step
    return None


def _inherit(text: str, before: str | None, after: str | None) -> tuple[str, float]:
    """The language of a short paragraph: its neighbours', or the likelier of the two."""
    scores = _scores(text) if _letters(text) else {}
    if before is None or after is None or before == after:
        code = before or after or UNDETERMINED
        return code, scores.get(code, 0.0)
    # a heading usually opens what follows it, so the next language wins ties
    code = before if scores.get(before, 0.0) > scores.get(after, 0.0) else after
    return code, scores.get(code, 0.0)


def _label_paragraphs(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, float, int]]:
    """(language, confidence, letters) for each paragraph span."""
    pieces = [text[s:e] for s, e in spans]
    weights = [_letters(p) for p in pieces]
    labels: list[tuple[str | None, float]] = [
        detect(p) if w >= MIN_LETTERS else (None, 0.0) for p, w in zip(pieces, weights, strict=True)
    ]
    if all(code is None for code, _ in labels):
        code, conf = detect(text)
        return [(code, conf, w) for w in weights]
    filled = [
        (code, conf) if code is not None
        else _inherit(pieces[i], _neighbour(labels, i, -1), _neighbour(labels, i, 1))
        for i, (code, conf) in enumerate(labels)
    ]
    return [(code, conf, w) for (code, conf), w in zip(_smooth(filled), weights, strict=True)]


def _smooth(labels: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """An unsure paragraph follows its neighbours when they agree on another language.

    At either end of the text the one neighbour decides.
    """
    out = list(labels)
    for i, (code, conf) in enumerate(labels):
        prev = out[i - 1][0] if i > 0 else None
        nxt = labels[i + 1][0] if i + 1 < len(labels) else None
        around = {c for c in (prev, nxt) if c is not None}
        if conf < ISOLATED_CONFIDENCE and len(around) == 1 and code not in around:
            out[i] = (around.pop(), conf)
    return out


def split_sections(text: str) -> list[Section]:
    """Runs of `text` in one language, in order, covering it from 0 to len(text)."""
    if not text:
        return []
    spans = _paragraph_spans(text)
    labels = _label_paragraphs(text, spans)
    sections: list[Section] = []
    weighted: list[tuple[float, int]] = []
    for (start, end), (code, conf, weight) in zip(spans, labels, strict=True):
        if sections and sections[-1].lang == code:
            sections[-1] = Section(start=sections[-1].start, end=end, lang=code)
            weighted[-1] = (weighted[-1][0] + conf * weight, weighted[-1][1] + weight)
        else:
            sections.append(Section(start=start, end=end, lang=code))
            weighted.append((conf * weight, weight))
    return [
        s.model_copy(update={"confidence": round(total / weight, 4) if weight else 0.0})
        for s, (total, weight) in zip(sections, weighted, strict=True)
    ]


def _main_language(sections: list[Section]) -> tuple[str, float]:
    """The language with most characters, and its letter-weighted confidence."""
    chars: Counter[str] = Counter()
    for s in sections:
        chars[s.lang] += s.end - s.start
    main = max(sorted(chars), key=lambda c: chars[c])
    mine = [s for s in sections if s.lang == main]
    size = sum(s.end - s.start for s in mine)
    return main, sum(s.confidence * (s.end - s.start) for s in mine) / size if size else 0.0


def run(doc: Document, cfg: Config) -> Document:
    """Set `doc.sections` and `doc.lang`; a document not in `cfg.languages` is skipped."""
    sections = split_sections(doc.text)
    doc.sections = sections
    if not sections:
        return doc
    main, confidence = _main_language(sections)
    if main == UNDETERMINED:
        doc.add_problem(STAGE, "wrong_language",
                        "the document language could not be determined: no words in the text", fatal=True)
        return doc
    if main not in cfg.languages and (confidence < LOW_CONFIDENCE or _letters(doc.text) < MIN_LETTERS):
        # too little evidence to reject the document: read it in the likeliest accepted language
        scores = _scores(doc.text)
        guess = max(cfg.languages, key=lambda c: scores.get(c, 0.0))
        doc.sections = _relabel(sections, main, guess)
        doc.add_problem(STAGE, "low_confidence",
                        f"language unclear ({language_name(main)} ({main}) at {confidence:.2f}); "
                        f"processed as {language_name(guess)} ({guess})")
        doc.lang = guess
        return doc
    doc.lang = main
    if main not in cfg.languages:
        doc.add_problem(STAGE, "wrong_language",
                        f"document is in {language_name(main)} ({main}); only {', '.join(cfg.languages)} "
                        "are processed", fatal=True)
        return doc
    _report_other_sections(doc, sections, cfg)
    if confidence < LOW_CONFIDENCE:
        doc.add_problem(STAGE, "low_confidence",
                        f"main language {language_name(main)} ({main}) detected with confidence "
                        f"{confidence:.2f}; check that the text is prose")
    return doc


def _relabel(sections: list[Section], old: str, new: str) -> list[Section]:
    """Sections with `old` renamed `new`, neighbours in one language merged."""
    out: list[Section] = []
    for s in sections:
        lang = new if s.lang == old else s.lang
        if out and out[-1].lang == lang:
            out[-1] = out[-1].model_copy(update={"end": s.end, "confidence": min(out[-1].confidence, s.confidence)})
        else:
            out.append(s.model_copy(update={"lang": lang}))
    return out


def _report_other_sections(doc: Document, sections: list[Section], cfg: Config) -> None:
    """A non-fatal problem per language outside `cfg.languages` (its sections are not processed)."""
    chars: Counter[str] = Counter()
    for s in sections:
        if s.lang not in cfg.languages:
            chars[s.lang] += s.end - s.start
    for code in sorted(chars):
        doc.add_problem(STAGE, "wrong_language",
                        f"{chars[code]} characters in {language_name(code)} ({code}) are not processed")


HINT_BYTES = 64 << 10  # what `hint` reads of a file


def hint(path: str | Path, models_dir: str | Path) -> str | None:
    """A cheap guess at the language of a raw file, before ingest: the language whose function
    words (models/language_hints.yaml) are most frequent in its first HINT_BYTES, or None.

    Used only to start loading a spaCy pipeline early; it reads bytes and counts words, and
    never parses the file (that stays in the workers). Binary files (PDF streams are compressed)
    usually give None, and so does anything but a regular file (a named pipe is never opened).
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as fh:
            sample = fh.read(HINT_BYTES).decode("utf-8", "replace").lower()
        words = load_resources(Path(models_dir)).hint_words
    except (OSError, ValueError):  # an unreadable file; a broken data file is reported where it is needed
        return None
    counts = Counter(_WORD.findall(sample))
    scores = {lang: sum(counts[w] for w in vocab) for lang, vocab in words.items()}
    best = max(sorted(scores), key=lambda lang: scores[lang], default=None)
    return best if best is not None and scores[best] >= 5 else None


_WORD = re.compile(r"[^\W\d_]+")

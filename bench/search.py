"""Which full-text index forgives a journalist's spelling best: the counts each one gives.

    python bench/search.py                          # output/facts.db, writes bench/SEARCH.md
    python bench/search.py --db DIR/facts.db --words emploi emplois job jobs

The evidence sentences of a fact base are indexed four ways in memory, and each word is searched
in each index (facts matched):

- unicode61   `unicode61 remove_diacritics 2`, the tokenizer before migration 005: accents folded,
              every inflection a different word
- porter      `porter unicode61 remove_diacritics 2` (the one facts.db uses): Porter's English
              stemmer over the folded words; it also merges the French plurals in -s
- snowball    a stemmed column: each sentence's words reduced by the Snowball stemmer of its
              language (French or English), searched with the French and the English stem of the
              word (needs `pip install snowballstemmer`; left out without it)
- trigram     FTS5's trigram tokenizer: any substring of three characters or more (no stemming,
              accents not folded by SQLite before 3.45)

A good index gives the same count for a word's singular and plural, with and without accents.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("emploi emplois job jobs entreprise entreprises projet projets implantation implantations creation "
         "créations créé créées company companies investor investors étranger étrangers etrangers objectif "
         "objectifs target targets").split()
TOKENIZERS = {"unicode61": "unicode61 remove_diacritics 2", "porter": "porter unicode61 remove_diacritics 2",
              "snowball": "unicode61 remove_diacritics 2", "trigram": "trigram"}
_WORD = re.compile(r"\w+")


def _stemmers() -> dict[str, object] | None:
    try:
        import snowballstemmer
    except ImportError:
        return None
    return {"fr": snowballstemmer.stemmer("french"), "en": snowballstemmer.stemmer("english")}


def measure(db_path: Path, words: list[str]) -> tuple[list[str], list[tuple[str, list[int]]]]:
    src = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    rows = src.execute("SELECT rowid, sentence, lang FROM facts").fetchall()
    src.close()
    stem = _stemmers()
    names = [n for n in TOKENIZERS if n != "snowball" or stem is not None]
    mem = sqlite3.connect(":memory:")
    for name in names:
        mem.execute(f"CREATE VIRTUAL TABLE {name} USING fts5(t, tokenize = '{TOKENIZERS[name]}')")
        for rowid, sentence, lang in rows:
            if name == "snowball":
                s = stem["fr" if lang == "fr" else "en"]  # type: ignore[index]
                sentence = " ".join(s.stemWord(w.lower()) for w in _WORD.findall(sentence))  # type: ignore[attr-defined]
            mem.execute(f"INSERT INTO {name} (rowid, t) VALUES (?, ?)", (rowid, sentence))
    table = []
    for word in words:
        counts = []
        for name in names:
            if name == "snowball":
                stems = sorted({s.stemWord(word.lower()) for s in stem.values()})  # type: ignore[union-attr]
                expr = " OR ".join(f'"{x}"' for x in stems)
            else:
                expr = f'"{word}"'
            counts.append(mem.execute(f"SELECT count(*) FROM {name} WHERE {name} MATCH ?", (expr,)).fetchone()[0])
        table.append((word, counts))
    return names, table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, default=ROOT / "output" / "facts.db")
    ap.add_argument("--words", nargs="+", default=list(WORDS))
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "SEARCH.md")
    args = ap.parse_args()
    names, table = measure(args.db, args.words)
    lines = [f"# Facts matched per word and index ({args.db.name}, `python bench/search.py`)", "",
             "| word | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {word} | " + " | ".join(str(c) for c in counts) + " |" for word, counts in table]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()

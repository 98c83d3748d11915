"""`compact` reads a Doc from its attribute columns (`Doc.to_array`) and the strings behind them
from a per-process table (`nlp._STRINGS`): what it keeps must be what spaCy's Token objects say."""

from __future__ import annotations

import pytest

from pipeline import nlp
from pipeline.config import Config

TEXTS = {
    "en": ["Provence Promotion helped  68 companies\tsettle in Marseille in 2017, said Jean-Luc Chauvin.  ",
           "  The agency expects 1,100 jobs.\n\n\nIts budget is 3.2 million euros \u2013 a record 🚀.\n"],
    "fr": ["Provence Promotion a accompagné 60 projets en 2015, a annoncé Solange Biaggi à Marseille.",
           "Ces projets représentent 1 240 emplois.\n\nLe budget de l'agence atteint 3,2 M€ !  "],
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_compact_keeps_what_the_tokens_say(cfg: Config, lang: str) -> None:
    model = nlp.load(lang, cfg)
    syntax = nlp.has_syntax(model)
    for doc in model.pipe(TEXTS[lang]):
        sentences = nlp.compact(doc, syntax)
        assert sentences.sentences
        for offset in (0, 17):
            para_starts = [0, offset + 5]
            for s, (a, b, _start, _end, _ents) in zip(nlp.expand(sentences, doc.text, offset, lang, para_starts),
                                                      sentences.sentences, strict=True):
                # the sentences' text, as expand cuts it, is the Doc's own text
                assert s.text == doc.text[s.start - offset:s.end - offset] and s.text.strip()
                assert s.paragraph == (1 if s.start >= offset + 5 else 0)
                assert all(type(t) is nlp.Token for t in s.tokens) and all(type(e) is nlp.Span for e in s.ents)
                assert len(s.tokens) == b - a
                for t, st in zip(s.tokens, doc[a:b], strict=True):
                    # what spaCy's Token objects say, the head's index counted in the sentence
                    # (a head outside it: the token itself)
                    head = st.head.i - a if a <= st.head.i < b else st.i - a
                    assert tuple(t) == (st.i - a, st.text, offset + st.idx, st.pos_, st.dep_, head, st.lemma_,
                                        str(st.morph), st.tag_)
                    assert s.text[t.start - s.start:t.end - s.start] == t.text
                for e in s.ents:
                    assert e.text == doc.text[e.start - offset:e.end - offset]
                    assert any(x.start_char + offset == e.start and x.end_char + offset == e.end
                               and x.label_ == e.label and x.ent_id_ == e.kb_id for x in doc.ents)


def test_compact_is_the_same_with_an_empty_or_tiny_string_table(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    model = nlp.load("en", cfg)
    syntax = nlp.has_syntax(model)
    docs = list(model.pipe(TEXTS["en"]))
    before = [nlp.compact(d, syntax) for d in docs]
    monkeypatch.setattr(nlp, "_STRINGS", {0: ""})
    assert [nlp.compact(d, syntax) for d in docs] == before
    monkeypatch.setattr(nlp, "STRINGS_MAX", 4)  # emptied before (almost) every column
    assert [nlp.compact(d, syntax) for d in docs] == before
    assert len(nlp._STRINGS) < 200


def test_names_reads_the_store_once_per_new_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    class Store:
        def __init__(self, table: dict[int, str]) -> None:
            self.table, self.asked = table, []

        def __getitem__(self, key: int) -> str:
            self.asked.append(key)
            return self.table[key]

    monkeypatch.setattr(nlp, "_STRINGS", {0: ""})
    store = Store({11: "alpha", 22: "beta"})
    assert nlp._names([11, 0, 22, 11], store) == ["alpha", "", "beta", "alpha"]
    assert sorted(store.asked) == [11, 22]
    assert nlp._names([22, 22], store) == ["beta", "beta"] and sorted(store.asked) == [11, 22]
    # a hash no store knows is not made up: the store's KeyError, as before the table
    with pytest.raises(KeyError):
        nlp._names([33], store)
    monkeypatch.setattr(nlp, "STRINGS_MAX", 3)  # full: emptied, then the new hashes looked up
    other = Store({44: "gamma", 55: "delta"})
    assert nlp._names([55, 0, 44], other) == ["delta", "", "gamma"]
    assert nlp._STRINGS == {0: "", 44: "gamma", 55: "delta"}
    assert nlp._names([11], store) == ["alpha"] and store.asked.count(11) == 2


def test_names_keeps_a_columns_known_strings_when_the_table_is_emptied(monkeypatch: pytest.MonkeyPatch) -> None:
    """A column mixing hashes the table knows and new ones, read when the table is full: the
    known ones are not lost with the emptied table."""
    store = {11: "alpha", 22: "beta", 33: "gamma", 44: "delta"}
    monkeypatch.setattr(nlp, "_STRINGS", {0: ""})
    monkeypatch.setattr(nlp, "STRINGS_MAX", 3)
    assert nlp._names([11], store) == ["alpha"]
    assert nlp._names([11, 22, 33], store) == ["alpha", "beta", "gamma"]  # 11 known, the table emptied
    assert nlp._names([44, 11, 0], store) == ["delta", "alpha", ""]
    assert nlp._STRINGS[0] == "" and len(nlp._STRINGS) <= 1 + 3


def test_compact_of_many_documents_with_a_small_table(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents read one after another while the table fills and empties again and again."""
    model = nlp.load("fr", cfg)
    syntax = nlp.has_syntax(model)
    docs = list(model.pipe(TEXTS["fr"] + TEXTS["fr"][::-1]))
    before = [nlp.compact(d, syntax) for d in docs]
    monkeypatch.setattr(nlp, "_STRINGS", {0: ""})
    monkeypatch.setattr(nlp, "STRINGS_MAX", 40)
    assert [nlp.compact(d, syntax) for d in docs] == before


def _bounds_token_by_token(doc) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """The repaired sentences read the slow way, from spaCy's Token objects and the Doc's text:
    the sentences of `Doc.sents`, cut at each token holding a line break, blank pieces (by their
    text) left out, pieces glued back by the same rules as `nlp._repaired_bounds`."""
    words = [t.text for t in doc]
    bounds: list[list[int]] = []
    for sent in doc.sents:
        pieces, begin = [], sent.start
        for t in sent:
            if "\n" in t.text and t.i > begin:
                pieces.append((begin, t.i))
                begin = t.i + 1
        if begin < sent.end:
            pieces.append((begin, sent.end))
        for start, end in pieces:
            if not doc[start:end].text.strip():
                continue
            first = words[start]
            glued = bounds and bounds[-1][1] == start and "\n" not in words[bounds[-1][1] - 1]
            previous = words[bounds[-1][1] - 1] if bounds else ""
            unfinished = previous[-1:] not in '.!?:;"»)…' and not previous.isupper()
            if glued and (first[:1] in ",;:)]\u2013\u2014-" or first[:1].islower() or unfinished):
                bounds[-1][1] = end
            else:
                bounds.append([start, end])
    for cur, nxt in zip(bounds, bounds[1:]):
        a, b = cur
        if (b - a >= 3 and nxt[0] == b and words[b - 1] in ('"', "«", "“", "„") and doc[b - 2].whitespace_
                and words[b - 2][-1:] in ".!?…:"):
            cur[1] -= 1
            nxt[0] -= 1
    return bounds


BROKEN = {
    "en": ["BUDGET 2019\nThe agency grew. \"We want more,\" said the chair.\n\n  \n, and then it moved\non to Aix.",
           "\n\n\n  Title line\n\nThe group Katoen\nNatie came to Fos. It hired 40 people: \"Good.\" \"Next",
           "A\n\nB\n\n\n\nc d e. F g h.   \t\n"],
    "fr": ["BILAN 2018\nL'agence a grandi. « Nous voulons plus », a dit la présidente.\n\n, puis elle est partie\nà Aix.",
           "Le groupe belge Katoen\nNatie vient de s'installer. Budget de 3,2 M€. \"Nous voulons croître.\"",
           "\n \n\nUne ligne\n– suite de la ligne ; et encore\n(note)\n"],
}


@pytest.mark.parametrize("lang", sorted(BROKEN))
def test_repaired_bounds_match_a_token_by_token_reading(cfg: Config, lang: str) -> None:
    """`compact` finds sentence starts, line breaks and blank pieces from its columns: the same
    bounds as a reading of spaCy's Token objects and the Doc's text."""
    model = nlp.load(lang, cfg)
    syntax = nlp.has_syntax(model)
    for doc in model.pipe(BROKEN[lang] + TEXTS[lang]):
        expected = _bounds_token_by_token(doc)
        got = [[a, b] for a, b, *_rest in nlp.compact(doc, syntax).sentences]
        assert got == expected
        words = [t.text for t in doc]
        starts = [t.i for t in doc[1:] if t.is_sent_start]
        assert nlp._repaired_bounds(words, starts, [bool(t.whitespace_) for t in doc]) == expected


def test_compact_of_an_empty_doc(cfg: Config) -> None:
    model = nlp.load("en", cfg)
    empty = nlp.compact(model(""), nlp.has_syntax(model))
    assert empty == nlp.Compact([], ()) and nlp.expand(empty, "", 0, "en", [0]) == []

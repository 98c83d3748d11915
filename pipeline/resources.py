"""Domain knowledge loaded from models/: gazetteer, role titles, metric lexicon, cues, places.

Each file is validated by a pydantic model when loaded, once per models folder (lru_cache), so a
typo in a YAML file fails at start-up with the file and field named, not deep inside a batch.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

T = TypeVar("T")
# How many subsets of the institution patterns keep their compiled regex (`org_pattern_regex_for`).
ORG_REGEX_MEMO = 256


class ResourceError(ValueError):
    """A data file in models/ is missing or malformed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerLang(_Strict):
    fr: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    def get(self, lang: str) -> list[str]:
        return list(getattr(self, lang, []) or [])

    def all(self) -> list[str]:
        return self.fr + self.en


class OrgEntry(_Strict):
    name: str
    kind: str = "organization"
    aliases: list[str] = Field(default_factory=list)
    weak_aliases: list[str] = Field(default_factory=list)
    region: list[str] = Field(default_factory=list)


class Gazetteer(_Strict):
    organizations: list[OrgEntry]


class OrgCues(_Strict):
    org_head_words: PerLang
    org_tail_words: list[str]
    junk_words: list[str]
    not_names: list[str]
    acronym_stoplist: list[str]
    company_nouns: PerLang
    agency_nouns: PerLang
    agency_referents: PerLang
    agency_name_words: list[str]
    name_connectors: list[str]
    list_joiners: PerLang
    sector_words: PerLang


class Title(_Strict):
    role: str
    fr: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)
    agency_role: str | None = None
    company_role: str | None = None


class RoleWords(_Strict):
    role: str
    fr: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class RoleLexicon(_Strict):
    titles: list[Title]
    status_cues: dict[str, PerLang]
    succession: PerLang
    head_of: PerLang
    office_verbs: list[RoleWords]
    offices: list[RoleWords]
    leaving: PerLang
    pronouns: PerLang
    plural_pronouns: PerLang = Field(default_factory=PerLang)
    take_verbs: PerLang
    handover: PerLang
    succession_from: PerLang
    give_verbs: PerLang
    copulas: PerLang
    honorary: PerLang
    units: PerLang


class LeadershipLexicon(_Strict):
    """models/leadership.yaml: events of a term of office and the words that date its bounds."""

    events: dict[str, PerLang]
    take_verbs: PerLang
    take_objects: PerLang
    take_particles: PerLang
    handover_objects: PerLang
    handover_particles: PerLang
    leave_particles: dict[str, dict[str, str]]
    office_carriers: PerLang
    attribution: PerLang
    since: PerLang
    until: PerLang
    range_from: PerLang
    single_seat: list[str]

    @model_validator(mode="after")
    def _known_events(self) -> "LeadershipLexicon":
        unknown = set(self.events) - {"appoint", "take", "handover", "leave", "hold"}
        if unknown:
            raise ValueError(f"unknown event classes {sorted(unknown)}: use appoint, take, handover, leave, hold")
        return self


class MetricLexicon(_Strict):
    heads: dict[str, PerLang]
    qualifiers: dict[str, PerLang]
    budget: PerLang
    table_year_headers: PerLang
    head_metrics: dict[str, str]
    stock_metrics: list[str] = Field(default_factory=list)


class MetricRow(_Strict):
    """One row of the metric decision table (models/frames.yaml `metrics`)."""

    metric: str | None
    unit: str | None = None
    noun: str | None = None
    predicate: str | None = None
    any: list[str] = Field(default_factory=list)
    none_of: list[str] = Field(default_factory=list)
    in_sentence: list[str] = Field(default_factory=list)
    none_in_sentence: list[str] = Field(default_factory=list)
    all_of: list[str] = Field(default_factory=list)
    not_subject: str | None = None
    none_of_predicates: list[str] = Field(default_factory=list)
    has_verb: bool | None = None
    part: bool | None = None
    not_predicate: str | None = None
    headcount: bool | None = None
    vague: bool | None = None
    subject: str | None = None
    dated: bool | None = None
    min_value: float | None = None
    max_value: float | None = None


class StatusRow(_Strict):
    """One row of the actual-or-target table (models/frames.yaml `statuses`)."""

    status: str
    unit: str | None = None
    predicate: str | None = None
    own: bool | None = None
    announced: bool | None = None
    subject: str | None = None
    tense: str | None = None
    compared: bool | None = None


class FrameLexicon(_Strict):
    predicates: dict[str, PerLang]
    comparison_markers: PerLang
    quantity_nouns: PerLang
    duration_nouns: PerLang
    duration_markers: PerLang
    partitive_markers: PerLang
    part_markers: PerLang
    duration_min_years: int = 5
    direct_predicates: list[str] = Field(default_factory=list)
    direct_qualifiers: list[str] = Field(default_factory=list)
    headcount_nouns: PerLang
    origin_words: PerLang
    agency_words: PerLang
    project_pronouns: PerLang = Field(default_factory=PerLang)
    partitive_pronouns: PerLang = Field(default_factory=PerLang)
    fraction_nouns: PerLang = Field(default_factory=PerLang)
    elided_nouns: PerLang = Field(default_factory=PerLang)
    adjunct_markers: PerLang = Field(default_factory=PerLang)
    partitive_case: PerLang = Field(default_factory=PerLang)
    causal_markers: PerLang = Field(default_factory=PerLang)
    scope_inherited: list[str] = Field(default_factory=list)
    superlative_markers: PerLang = Field(default_factory=PerLang)
    trailing_words: PerLang = Field(default_factory=PerLang)
    country_count_nouns: PerLang = Field(default_factory=PerLang)
    as_of_writing: PerLang = Field(default_factory=PerLang)
    metrics: list[MetricRow]
    statuses: list[StatusRow]

    @model_validator(mode="after")
    def _known_classes(self) -> "FrameLexicon":
        for row in self.metrics:
            if row.predicate and row.predicate not in self.predicates:
                raise ValueError(f"metrics row {row}: unknown predicate class {row.predicate!r}")
        for srow in self.statuses:
            if srow.status not in ("actual", "target"):
                raise ValueError(f"statuses row {srow}: status must be actual or target")
            if srow.predicate and srow.predicate not in self.predicates:
                raise ValueError(f"statuses row {srow}: unknown predicate class {srow.predicate!r}")
        return self


class Cues(_Strict):
    target: PerLang
    contrast: PerLang
    approx_before: PerLang
    implantation_verbs: PerLang
    origin_markers: PerLang
    not_target: PerLang
    implantation_generic: PerLang
    comparison_before: PerLang
    context_relative: PerLang
    recent: PerLang
    implantation_nouns: PerLang
    implantation_membership: PerLang
    not_company_heads: PerLang
    target_reach: int = 90


class Places(_Strict):
    countries: dict[str, list[str]]
    cities: dict[str, list[str]]
    territories: list[str] = Field(default_factory=list)


class OrgPatterns(_Strict):
    patterns: list[str]


class FirstNames(_Strict):
    first_names: list[str]


class Resources(_Strict):
    """Everything extraction knows about the domain, with the lookups it needs precomputed."""

    gazetteer: Gazetteer
    org_cues: OrgCues
    roles: RoleLexicon
    leadership: LeadershipLexicon
    metrics: MetricLexicon
    frames: FrameLexicon
    cues: Cues
    places: Places
    first_names_data: FirstNames
    org_patterns: OrgPatterns
    language_hints: PerLang

    @functools.cached_property
    def org_pattern_alternatives(self) -> list[str]:
        """The patterns of org_patterns.yaml, {P} written out."""
        # Capitalized words, joined by spaces, hyphens or a lowercase connector ("Saint-Martin-de-Crau").
        # An elided "d'" joins them too ("Nice Côte d'Azur").
        place = r"[A-ZÀ-Ý][\w'-]*?[\w](?:[ -](?:(?:de|du|des|sur|en|la)[ -]|d')?[A-ZÀ-Ý][\w'-]*?[\w]){0,3}"
        return [p.replace("{P}", place) for p in self.org_patterns.patterns]

    @functools.cached_property
    def org_pattern_regex(self) -> re.Pattern[str]:
        try:
            return _org_regex(self.org_pattern_alternatives)
        except re.error as exc:
            raise ResourceError(f"org_patterns.yaml: {exc}") from exc

    @functools.cached_property
    def org_pattern_keys(self) -> list[str | None]:
        """Each pattern's longest `required_literal`, None where it has none, or for all of them
        where one refers to a group (a subset of the patterns could number them otherwise)."""
        alts = self.org_pattern_alternatives
        if any(re.search(r"\\[1-9]|\(\?P=|\(\?\(", a) for a in alts):
            return [None] * len(alts)
        return [max(required_literals(a), key=len, default=None) for a in alts]

    def org_pattern_regex_for(self, text: str) -> re.Pattern[str] | None:
        """`org_pattern_regex` without the patterns whose key literal `text` lacks, which match
        nowhere in it (the others in the same order, so it finds what org_pattern_regex finds);
        None when no pattern is left."""
        self.org_pattern_regex  # noqa: B018 - reports a bad pattern as org_pattern_regex does
        live = tuple(k for k, key in enumerate(self.org_pattern_keys) if key is None or key in text)
        if not live:
            return None
        # the last ORG_REGEX_MEMO subsets' regexes (a worker's texts can call for many subsets)
        compiled = self.memo("org_pattern_regexes", lambda r: functools.lru_cache(maxsize=ORG_REGEX_MEMO)(
            lambda subset: _org_regex([r.org_pattern_alternatives[k] for k in subset])))
        return compiled(live)  # type: ignore[no-any-return]

    @functools.cached_property
    def first_names(self) -> frozenset[str]:
        """Lower-case given names, each also without its accents: English texts often drop them
        ("Helene" for "Hélène")."""
        names = [n.lower() for n in self.first_names_data.first_names]
        return frozenset(names + [unicodedata.normalize("NFKD", n).encode("ascii", "ignore").decode() for n in names])

    @functools.cached_property
    def org_by_key(self) -> dict[str, OrgEntry]:
        """Folded name or alias -> gazetteer entry (weak aliases excluded)."""
        index: dict[str, OrgEntry] = {}
        for entry in self.gazetteer.organizations:
            for name in [entry.name, *entry.aliases]:
                index.setdefault(fold(name), entry)
        return index

    @functools.cached_property
    def head_rank(self) -> dict[str, tuple[int, str]]:
        """Lowercase head noun (either language) -> (rank of its category in metrics.yaml, category)."""
        index: dict[str, tuple[int, str]] = {}
        for rank, (cat, forms) in enumerate(self.metrics.heads.items()):
            for word in forms.all():
                index.setdefault(word.lower(), (rank, cat))
        return index

    @functools.cached_property
    def org_by_name(self) -> dict[str, OrgEntry]:
        return {e.name: e for e in self.gazetteer.organizations}

    @functools.cached_property
    def territory_keys(self) -> frozenset[str]:
        return frozenset(fold(t) for t in self.places.territories)

    @functools.cached_property
    def country_by_word(self) -> dict[str, str]:
        index = {w: c for c, words in self.places.countries.items() for w in words}
        index.update({w: c for c, words in self.places.cities.items() for w in words})
        return index

    @functools.cached_property
    def hint_words(self) -> dict[str, frozenset[str]]:
        """Language -> its function words (language_hints.yaml), lower-cased, for `language.hint`."""
        return {lang: frozenset(w.lower() for w in self.language_hints.get(lang)) for lang in ("fr", "en")}

    @functools.cached_property
    def derived(self) -> dict[Any, Any]:
        """Objects extraction derives from these data (compiled regexes, mostly), by name."""
        return {}

    def lang_regex(self, lang: str, *lists: PerLang) -> re.Pattern[str]:
        """`phrase_regex` of the phrases of `lists` for `lang` then English, list after list (that of
        `tuple(a.get(lang) + a.get("en") + b.get(lang) + b.get("en"))`), looked up once per
        language and lists: a sentence loop asks for it without rebuilding and hashing the tuple.
        The entry holds the lists, so no other object takes their ids while it is kept."""
        key = ("lang_regex", lang, *map(id, lists))
        try:
            return self.derived[key][1]  # type: ignore[no-any-return]
        except KeyError:
            rx = phrase_regex(tuple(p for words in lists for p in words.get(lang) + words.get("en")))
            self.derived[key] = (lists, rx)
            return rx

    def lang_gate(self, lang: str, *lists: PerLang) -> PhraseGate:
        """The `PhraseGate` of `lang_regex(lang, *lists)`, looked up the same way."""
        key = ("lang_gate", lang, *map(id, lists))
        try:
            return self.derived[key][1]  # type: ignore[no-any-return]
        except KeyError:
            gate = phrase_gate(p for words in lists for p in words.get(lang) + words.get("en"))
            self.derived[key] = (lists, gate)
            return gate

    def memo(self, name: str, build: Callable[[Resources], T]) -> T:
        """`build(self)`, computed once per Resources: a regex over a lexicon is compiled once
        per run, not once per document."""
        try:
            return self.derived[name]  # type: ignore[no-any-return]
        except KeyError:
            value = self.derived[name] = build(self)
            return value


def _org_regex(alts: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(f"(?:{a})" for a in alts) + r")(?![\w-])")


def required_literals(pattern: str) -> list[str]:
    """Strings that every match of the regex `pattern` holds, with its case: its runs of literal
    characters outside any group, alternation, repeat or character class (read by the re
    module's own parser). [] where none, where the pattern ignores case or is not understood."""
    try:
        from re import _constants, _parser  # the parser re.compile runs
        parsed = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - another Python's re: no literal is known, nothing is skipped
        return []
    if parsed.state.flags & (re.IGNORECASE | re.LOCALE):
        return []
    runs: list[str] = []
    run: list[str] = []
    for op, arg in parsed:
        if op is _constants.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            runs.append("".join(run))
        run = []
    if run:
        runs.append("".join(run))
    return runs


_FILES = {
    "gazetteer": ("gazetteer.yaml", Gazetteer),
    "org_cues": ("org_cues.yaml", OrgCues),
    "roles": ("roles.yaml", RoleLexicon),
    "leadership": ("leadership.yaml", LeadershipLexicon),
    "metrics": ("metrics.yaml", MetricLexicon),
    "frames": ("frames.yaml", FrameLexicon),
    "cues": ("cues.yaml", Cues),
    "places": ("places.yaml", Places),
    "first_names_data": ("first_names.yaml", FirstNames),
    "org_patterns": ("org_patterns.yaml", OrgPatterns),
    "language_hints": ("language_hints.yaml", PerLang),
}


# libyaml's parser where PyYAML was built with it (its wheels are): the same data as the pure
# Python SafeLoader, read about eight times faster (every worker process reads models/ at start).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> object:
    """`yaml.safe_load`, with libyaml when available; raises yaml.YAMLError."""
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def _read_yaml(path: Path) -> object:
    if not path.is_file():
        raise ResourceError(f"missing data file {path}: is models_dir right? (the package ships models/ as "
                            f"pipeline/models; reinstall it if the file went missing)")
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ResourceError(f"{path}: not valid YAML: {exc}") from exc


@functools.lru_cache(maxsize=4)
def load_resources(models_dir: Path) -> Resources:
    """Load and validate every data file in `models_dir` (cached per folder)."""
    parts: dict[str, object] = {}
    for key, (filename, model) in _FILES.items():
        path = Path(models_dir) / filename
        try:
            parts[key] = model.model_validate(_read_yaml(path))
        except ValidationError as exc:
            raise ResourceError(f"{path}: {exc}") from exc
    return Resources.model_validate(parts)


# Data files read outside `load_resources`: by clean (boilerplate.yaml, its own schema) and normalize.
_OTHER_FILES = ("boilerplate.yaml", "numbers.yaml", "dates.yaml")


def check_data(models_dir: Path | str) -> None:
    """Read and validate every data file of `models_dir` now, before any document: a missing or
    malformed data folder is one ResourceError naming the folder or the file, at start-up, not a
    failure of every document (`pipeline.build`, `pipeline.extract` and the CLI call this)."""
    from pipeline.clean import load_rules

    folder = Path(models_dir)
    if not folder.is_dir():
        raise ResourceError(f"the data folder {folder} is missing: reinstall pressfacts (pip install .), or set "
                            f"models_dir to a folder holding the files of models/")
    load_resources(folder)
    load_rules(folder)
    for name in _OTHER_FILES[1:]:
        if not isinstance(_read_yaml(folder / name), dict):
            raise ResourceError(f"{folder / name}: expected a YAML mapping of word lists")


_FOLD_PUNCT = re.compile(r"[^\w&]+")
_LEADING_ARTICLE = re.compile(r"^(?:the|la|le|les|l|du|de|des|d)\s+")


# Pure, and called on the same few names over and over: per mention, per document.
@functools.lru_cache(maxsize=1 << 16)
def fold(name: str) -> str:
    """Key for comparing names: no accents, no case, no punctuation, no leading article."""
    s = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = _FOLD_PUNCT.sub(" ", s).strip()
    prev = None
    while prev != s:
        prev, s = s, _LEADING_ARTICLE.sub("", s)
    return s


@functools.lru_cache(maxsize=256)
def phrase_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of `phrases` as whole words, longest first."""
    alts = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    if not alts:
        return re.compile(r"(?!x)x")
    # A phrase ending in an elided article ("vient d'", "à la tête d'") runs into the next word.
    body = grouped_alternation(alts, lambda p: re.escape(p) + ("" if p.endswith("'") else r"(?![\w-])"))
    return re.compile(rf"(?<![\w-])(?:{body})", re.IGNORECASE)


# Characters on which the regex engine's case-insensitive matching and str.lower() agree: each
# lowers to one character of the set, and two of them match each other with case ignored exactly
# when they lower to the same character (not so "ß" and "ẞ", "µ" and "μ", the long "ſ" and "s", the
# dotted "İ" and "i", the Kelvin sign and "k"): ASCII, the accented letters of French and its
# neighbours, typographic marks (tests/test_extraction_speed_lookups.py tries every pair).
PLAIN_CHARS = "".join(map(chr, range(128))) + (
    "àâäáãåçéèêëíìîïñóòôöõúùûüýÿæœÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸÆŒ’‘“”«»–—…€°·•\u00a0\u2009\u202f")
_NOT_PLAIN = re.compile("[^\\x00-\\x7f" + re.escape(PLAIN_CHARS[128:]) + "]")
_WORD_RUN = re.compile(r"\w+")


def plain_class(pattern: str) -> str:
    """The plain characters (PLAIN_CHARS) that the one-character `pattern` matches, escaped for a
    regex class: in a text of plain characters, "[" + plain_class(r"\w") + "]" matches as \w does,
    at a table look-up per character instead of a look-up of each one's category."""
    return re.escape("".join(c for c in PLAIN_CHARS if re.fullmatch(pattern, c)))


def is_plain(text: str) -> bool:
    """`text` holds only plain characters (PLAIN_CHARS)."""
    return text.isascii() or _NOT_PLAIN.search(text) is None


# The runs of \w in a text of plain characters
_PLAIN_WORD_RUN = re.compile("[" + plain_class(r"\w") + "]+")


def plain_words(text: str) -> frozenset[str] | None:
    """The words (runs of \\w) of `text`, lower-cased, for `PhraseGate`; None when `text` holds a
    character outside PLAIN_CHARS, where str.lower() may not tell what the regex engine matches."""
    if not is_plain(text):
        return None
    return frozenset(_PLAIN_WORD_RUN.findall(text.lower()))  # (a plain character lowers to a plain one)


class PhraseGate:
    """The words of each phrase of a list, lower-cased: a text (of plain characters) that lacks a
    word of every phrase holds none of the phrases, as a phrase regex finds them. A phrase is
    looked for by its longest word first, its other words then.

    A phrase regex (`phrase_regex`, or any pattern that starts a phrase where no word character
    precedes it and lets no word character follow a phrase that ends with one) matches a phrase
    over whole words of the text: each word of the phrase is bounded, in the phrase, by what
    bounds it in the text (a space, a hyphen, an apostrophe: no word character; the start, where
    no word character precedes; the end, where none follows). With plain characters on both
    sides, the engine's match of two words is str.lower()'s equality. A phrase without a word
    character, or with a character that is not plain, makes the gate always open."""

    def __init__(self, phrases: Iterable[str]) -> None:
        needs: dict[str, set[frozenset[str]]] = {}
        for phrase in phrases:
            words = [w.lower() for w in _WORD_RUN.findall(phrase)]
            if not words or _NOT_PLAIN.search(phrase):
                self.keys: frozenset[str] | None = None
                return
            needs.setdefault(max(words, key=len), set()).add(frozenset(words))
        self.keys = frozenset(needs)
        self.needs = {key: tuple(sets) for key, sets in needs.items()}

    @classmethod
    def union(cls, *gates: PhraseGate) -> PhraseGate:
        """The gate of all the phrases of `gates`: open where one of them is, always open where
        one of them always is."""
        out = cls(())
        if any(g.keys is None for g in gates):
            out.keys = None
            return out
        needs: dict[str, set[frozenset[str]]] = {}
        for g in gates:
            for key, sets in g.needs.items():
                needs.setdefault(key, set()).update(sets)
        out.keys = frozenset(needs)
        out.needs = {key: tuple(sets) for key, sets in needs.items()}
        return out

    def may_match(self, words: frozenset[str] | None) -> bool:
        """False only when no phrase can be in the text of `words` (`plain_words`)."""
        if words is None or self.keys is None:
            return True
        return not self.keys.isdisjoint(words) and any(
            need <= words for key in self.keys & words for need in self.needs[key])


def phrase_gate(phrases: Iterable[str]) -> PhraseGate:
    """The gate of `phrase_regex(phrases)`: its phrases as the regex reads them."""
    return PhraseGate({p.strip() for p in phrases if p.strip()})


class PhraseLists:
    """Several phrase lists matched over one text, each list's matches those of
    `phrase_regex(list).finditer(text)`, for a price close to one scan of the text.

    A zero-width regex of every phrase of every list finds each position where some phrase
    starts, in one pass of the regex engine; each list's regex is then tried at those positions
    only, left to right, past the end of its previous match. A list's regex matches nowhere
    else (its phrases are among those of the scan), its matches do not overlap (as finditer's),
    and a match tried at a position sees the text before it (the regex's lookbehind)."""

    def __init__(self, lists: list[tuple[str, ...]]) -> None:
        self.regexes = [phrase_regex(phrases) for phrases in lists]
        everything = phrase_regex(tuple(p for phrases in lists for p in phrases))
        self.starts = re.compile(f"(?=(?:{everything.pattern}))", everything.flags)
        self.gate = phrase_gate(p for phrases in lists for p in phrases)
        # Each list's gate, read the other way round: the lists a key word may open, with the
        # other words each phrase needs; a list whose gate is always open is always tried.
        gates = [phrase_gate(phrases) for phrases in lists]
        self.open_lists = frozenset(k for k, gate in enumerate(gates) if gate.keys is None)
        self.by_key: dict[str, list[tuple[frozenset[str], int]]] = {}
        for k, gate in enumerate(gates):
            for key, needs in (gate.needs.items() if gate.keys is not None else ()):
                self.by_key.setdefault(key, []).extend((need, k) for need in needs)

    def live(self, words: frozenset[str]) -> set[int]:
        """The lists whose gate `words` open (`PhraseGate.may_match`)."""
        out = set(self.open_lists)
        for key in words & self.by_key.keys():
            out.update(k for need, k in self.by_key[key] if need <= words)
        return out

    def matches(self, text: str, words: frozenset[str] | None = None) -> list[list[re.Match[str]]]:
        """For each list, in order, its matches in `text`; `words`, the text's `plain_words`
        when known, spare the scan of a text that holds no phrase (`PhraseGate`), and the tries
        of the lists none of whose phrases it holds; where one list only may match, its own
        regex reads the text."""
        if not self.gate.may_match(words):
            return [[] for _ in self.regexes]
        live = self.live(words) if words is not None else None
        if live is not None and len(live) == 1:  # one list to read: its own regex, one scan
            (only,) = live
            return [list(rx.finditer(text)) if k == only else [] for k, rx in enumerate(self.regexes)]
        starts = [m.start() for m in self.starts.finditer(text)] if live is None or live else []
        out: list[list[re.Match[str]]] = []
        for k, rx in enumerate(self.regexes):
            found: list[re.Match[str]] = []
            if live is not None and k not in live:
                out.append(found)
                continue
            end = 0
            for at in starts:
                if at >= end and (m := rx.match(text, at)) is not None:
                    found.append(m)
                    end = m.end()
            out.append(found)
        return out


class PhraseStarts:
    """Where one of a list of phrases starts in a text, case ignored as the regex engine ignores
    it: a pattern that opens with one of them (with case ignored, after a lookbehind) is tried at
    every position of a text, and its matches start at these positions only.

    With plain characters (PLAIN_CHARS) on both sides, a phrase matches with case ignored exactly
    where the lower-cased text holds the lower-cased phrase (str.lower() keeps their length), so
    one case-sensitive scan of the lower-cased text finds them, tried where a phrase's first letter
    is. A phrase that another one starts ("chair", "chairman") needs no search of its own."""

    def __init__(self, phrases: Iterable[str]) -> None:
        low = sorted({p.lower() for p in phrases})
        self.regex: re.Pattern[str] | None = None
        if low and all(p and not _NOT_PLAIN.search(p) for p in low):
            needles = [p for p in low if not any(q != p and p.startswith(q) for q in low)]
            self.regex = re.compile(grouped_alternation(needles))

    def positions(self, text: str) -> list[int] | None:
        """Every position of `text` where a phrase starts, in order; None when `text` (or a
        phrase) holds a character outside PLAIN_CHARS: the caller then reads the whole text."""
        if self.regex is None or not is_plain(text):
            return None
        low, out = text.lower(), []
        m = self.regex.search(low)
        while m is not None:  # (one phrase may start inside another: every start, not finditer's)
            out.append(m.start())
            m = self.regex.search(low, m.start() + 1)
        return out

    def finditer(self, regex: re.Pattern[str], text: str) -> list[re.Match[str]]:
        """The matches of `regex.finditer(text)`, for a regex whose matches each open with one of
        the phrases: tried at the phrases' starts only, left to right, past the end of the match
        before (the regex's lookbehind sees the text before a start). A regex with an empty
        match is read whole."""
        at = self.positions(text)
        if at is None:
            return list(regex.finditer(text))
        found: list[re.Match[str]] = []
        end = 0
        for start in at:
            if start >= end and (m := regex.match(text, start)) is not None:
                if m.end() == start:  # empty: finditer's own stepping
                    return list(regex.finditer(text))
                found.append(m)
                end = m.end()
        return found


def grouped_alternation(phrases: list[str], pattern: Callable[[str], str] = re.escape) -> str:
    """A regex alternation of `phrases` (each written as `pattern(phrase)`, which must start by
    matching the phrase's first letter), to be matched with case ignored or not, that matches
    what the flat alternation in their order matches.

    The phrases are grouped by first letter (as the regex engine compares letters, case
    ignored), in their order within a group. Two groups never match at one position, so the
    result is that of the flat list; but the engine, which factors a group's common prefix out,
    tries one letter per group there instead of one per phrase, at every position of a text."""
    groups: list[list[str]] = []
    for p in phrases:
        group = next((g for g in groups if re.fullmatch(re.escape(g[0][:1]), p[:1], re.IGNORECASE)), None)
        if group is None:
            groups.append([p])  # (an empty phrase is a group of its own)
        else:
            group.append(p)
    return "|".join("(?:" + "|".join(pattern(p) for p in group) + ")" for group in groups)

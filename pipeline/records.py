"""The typed records that flow through every stage, and what the outputs are made of.

`Document` is the one record a file becomes. Its contract fields (see ../shared/spec/CONTRACT.md)
are `doc_id, source, format, title, published, lang, entities, facts, warnings`; the project adds
`status`, `problems`, `sections`, `text` and `byte_size`. `model_dump(mode="json")` is the JSON
output and `Document.model_json_schema()` its published schema.

File names reach the records through `readable_path` (`Document.source`, `ManifestEntry.path`), so
that every output is valid UTF-8 whatever names the file system holds.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

EXTRACTOR_VERSION = "pressfacts.extract.v1"

Status = Literal["ok", "skipped", "failed"]
ProblemKind = Literal[
    "unreadable",  # could not be read from disk (permissions, dangling link, loop)
    "unsupported",  # a format we do not read (binary junk, office files, images)
    "too_large",  # over cfg.max_bytes
    "empty_text",  # read, but no text worth processing
    "wrong_language",  # neither French nor English
    "decode",  # bytes decoded with replacement characters or guessed encoding
    "timeout",  # the per-document time limit ran out
    "memory",  # the per-document memory guard tripped
    "exception",  # a stage raised; the message says which and why
    "low_confidence",  # a stage produced a result it is unsure of
]


def readable_path(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """A path as valid UTF-8 text, for records and outputs (never to open the file with).

    A name that is valid UTF-8 is returned unchanged. The bytes of one that is not (Python holds
    them as lone surrogates, "caf\\udce9.txt" for b"caf\\xe9.txt") are written as backslash escapes:
    "caf\\xe9.txt". The name stays readable and tells which bytes the real one holds, where "replace"
    would turn every bad byte into the same U+FFFD; the file itself is read from its real path.
    Idempotent: a readable path comes back as is.
    """
    text = os.fsdecode(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the name's bytes, as the file system has them
    except UnicodeEncodeError:  # a surrogate that stands for no byte (not from a file system)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


# A path in a record: made readable (`readable_path`) on the way in.
SourcePath = Annotated[str, AfterValidator(readable_path)]



# A metric reading whose year is stated where the figure is (in its frame, its sentence or a table
# row) has at least this confidence (pipeline/extraction/metrics.py); one dated only by the
# paragraph before it or by the publication date has less. The history raises conflicts only
# between such firm readings (pipeline/history.py).
FIRM_CONFIDENCE = 0.8

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(_Model):
    """Something that went wrong or is doubtful for one document, kept on the record."""

    stage: str
    kind: ProblemKind
    message: str


class Evidence(_Model):
    """Where a fact comes from: the sentence and its character offsets in the cleaned text."""

    doc_id: str
    sentence: str
    start: int
    end: int


class Section(_Model):
    """A run of the cleaned text in one language (a bilingual release has two)."""

    start: int
    end: int
    lang: str
    confidence: float = 1.0


class Entity(_Model):
    type: Literal["ORG", "PERSON"]
    name: str
    mentions: list[str] = Field(default_factory=list)
    count: int = 0


class MetricFact(_Model):
    kind: Literal["metric"] = "metric"
    subject: str
    metric: str
    value: float | int
    unit: Literal["count", "EUR", "percent"] = "count"
    period: str | None = None
    # How the period was found: in the figure's sentence, from the text before it, or the
    # publication date / the year the article reports on.
    period_source: Literal["sentence", "context", "document"] = "sentence"
    status: Literal["actual", "target"] = "actual"
    approx: bool = False
    confidence: float = 0.5
    evidence: Evidence


class RoleFact(_Model):
    kind: Literal["role"] = "role"
    person: str
    role: str
    org: str
    status: Literal["current", "former", "incoming"] = "current"
    as_of: str | None = None
    # Term of office as the sentence states it (project extension): `since` / `until` are the
    # start and end it gives ("depuis juin 2014" -> "2014-06", "élu le 12 janvier 2016" ->
    # "2016-01-12"), `change` says the sentence reports the start (appointed, takes over) or the
    # end (steps down, hands over) of the term.
    since: str | None = None
    until: str | None = None
    change: Literal["start", "end"] | None = None
    confidence: float = 0.5
    evidence: Evidence


class ImplantationFact(_Model):
    kind: Literal["implantation"] = "implantation"
    company: str
    place: str | None = None
    origin: str | None = None
    year: str | None = None
    jobs: int | None = None
    confidence: float = 0.5
    evidence: Evidence


Fact = Annotated[MetricFact | RoleFact | ImplantationFact, Field(discriminator="kind")]


class Document(_Model):
    """One input file, from its bytes to its facts."""

    doc_id: str
    source: SourcePath
    format: Literal["html", "pdf", "txt", "unknown"] = "unknown"
    status: Status = "ok"
    byte_size: int = 0
    title: str | None = None
    published: str | None = None
    # Where `published` was read: "metadata" (meta tags, JSON-LD, <time>) or "text" (a dateline,
    # a "Publié le" / "Mis en ligne le" / "Updated" line, an ISO date line); None when no date.
    published_source: Literal["metadata", "text"] | None = None
    lang: str | None = None
    sections: list[Section] = Field(default_factory=list)
    text: str = ""
    entities: list[Entity] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    extractor_version: str = EXTRACTOR_VERSION

    def add_problem(self, stage: str, kind: ProblemKind, message: str, *, fatal: bool = False) -> None:
        """Record a problem; a fatal one marks the document skipped (expected) or failed (exception)."""
        self.problems.append(Problem(stage=stage, kind=kind, message=message))
        self.warnings.append(f"{stage}: {message}")
        if fatal:
            self.status = "failed" if kind in ("exception", "timeout", "memory") else "skipped"


class ManifestEntry(_Model):
    """One input of a build: what it was and what became of it."""

    path: SourcePath
    doc_id: str | None = None
    sha256: str | None = None
    bytes: int = 0
    format: str | None = None
    status: Status
    reason: str | None = None
    facts: int = 0

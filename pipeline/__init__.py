"""pressfacts: press articles in, a fact base about an organization's history out.

    from pipeline import Config, extract, build
    docs = list(extract(["article.html"], Config()))
    build(["corpus/"], "output/", Config())
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config, load_config
from pipeline.records import Document

if TYPE_CHECKING:
    from pipeline.factbase import BuildSummary

__all__ = ["Config", "Document", "build", "extract", "load_config"]


def extract(paths: Iterable[str | Path], cfg: Config | None = None) -> Iterator[Document]:
    """Document records for the given files and folders, streamed in input order."""
    from pipeline.run import extract_paths

    return extract_paths(paths, cfg or Config())


def build(corpus: Iterable[str | Path], out: str | Path, cfg: Config | None = None,
          progress: Callable[[Document], None] | None = None) -> "BuildSummary":
    """Process a corpus and write the fact base (JSON lines, history, manifest) to `out`."""
    from pipeline.factbase import build as _build

    return _build(corpus, out, cfg or Config(), progress=progress)

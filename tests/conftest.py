"""Shared fixtures. spaCy pipelines are loaded once per test session (pipeline.nlp caches them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def cfg() -> Config:
    return Config()


@pytest.fixture(scope="session")
def run_text(cfg):
    """Process an in-memory text through every stage and return its Document."""
    from pipeline.ingest import read_bytes
    from pipeline.run import STAGES, process, run_stage

    def _run(text: str, name: str = "inline.txt"):
        doc = read_bytes(text.encode("utf-8"), name, cfg)
        for stage_name, stage in STAGES:
            doc = run_stage(stage_name, stage, doc, cfg)
        return next(process([doc], cfg))

    return _run

"""Shared fixtures. spaCy pipelines are loaded once per test session (pipeline.nlp caches them)."""

from __future__ import annotations

from pathlib import Path

import os

import pytest
from hypothesis import settings

from pipeline.config import Config

# Property tests run the same examples on every run: derandomized, with no example database to
# replay (a failure found once must be found again from the seed, not from .hypothesis/).
# HYPOTHESIS_PROFILE=explore searches new random examples locally.
# no deadline: a shared CI machine must not turn a slow example into a failure
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("explore", database=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DATA = Path(__file__).parent / "data"
FACTBASE = DATA / "factbase"


def make_factbase(out: Path) -> Path:
    """Copy the hand-made outputs of tests/data/factbase to `out`, add history.json as build()
    would, and write facts.db; returns the database path."""
    import json
    import shutil

    from pipeline.history import build_history
    from pipeline.store import write_db

    out.mkdir(parents=True, exist_ok=True)
    for p in FACTBASE.glob("*.json*"):
        shutil.copy(p, out)
    facts = [json.loads(line) for line in (out / "facts.jsonl").open(encoding="utf-8")]
    (out / "history.json").write_text(json.dumps(build_history(facts), ensure_ascii=False), encoding="utf-8")
    return write_db(out)


@pytest.fixture(scope="module")
def factbase_db(tmp_path_factory) -> Path:
    """A facts.db built from tests/data/factbase, shared by the tests of one module."""
    return make_factbase(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def cfg() -> Config:
    return Config()


@pytest.fixture(scope="session")
def res(cfg):
    """The domain data of models/, loaded once (for tests of one extraction function)."""
    from pipeline.resources import load_resources

    return load_resources(cfg.models_dir)


@pytest.fixture(scope="session")
def run_text(cfg):
    """Process an in-memory text through every stage and return its Document."""
    from pipeline.ingest import read_bytes
    from pipeline.run import run_document

    def _run(text: str, name: str = "inline.txt"):
        return run_document(read_bytes(text.encode("utf-8"), name, cfg), cfg)

    return _run

"""The end of a build: history.json's encoder and facts.db written beside the other outputs."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.spool import indented

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(), inner, max_size=4)),
                      max_leaves=30)


def reference(value: object, level: int = 0) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    return text.replace("\n", "\n" + " " * level)


@settings(max_examples=400)
@given(VALUES, st.integers(min_value=0, max_value=3))
def test_indented_writes_what_json_dumps_writes(value: object, level: int) -> None:
    assert indented(value, level) == reference(value, level)


@pytest.mark.parametrize("value", [
    {"sources": [{"sentence": "L'agence a reçu 1\u202f200 visiteurs — « record ».", "value": 1.5e-7,
                  "approx": False, "start": 0}], "empty": {}, "none": [], "nested": [[], [{}], [[1]]]},
    [-0.0, math.inf, -math.inf, math.nan, 10**30, 1e300, "\x00\x1f\"\\\u2028\ud800"],
    (1, (2, 3), {"t": ()}),
    {"z": 1, "a": {"m": [True, None]}},
    {10: "int keys", 2: "json converts itself"},
    {"b": [{2.5: "float key"}]},
])
def test_indented_edge_cases(value: object) -> None:
    for level in (0, 2):
        assert indented(value, level) == reference(value, level)


def test_indented_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        indented({"a": [{"b": {1, 2}}]})


# --- facts.db written by a process of its own, beside the other outputs -------------------------

import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pipeline.factbase as factbase  # noqa: E402
from pipeline.config import Config  # noqa: E402
from pipeline.factbase import DbWriter, build  # noqa: E402
from pipeline.spool import Spool  # noqa: E402
from pipeline.store import READ_ORDER, write_db  # noqa: E402

FACTBASE = Path(__file__).parent / "data" / "factbase"
OUTPUTS = ["documents.jsonl", "facts.jsonl", "entities.jsonl", "history.json", "manifest.json", "facts.db"]

TEXTS = {
    "2015-03-bilan.txt": "Marseille, le 12 mars 2015.\n\nBilan annuel de l'agence Provence Promotion.\n\n"
                         "En 2014, Provence Promotion a accompagné 45 projets d'implantation, qui ont permis la "
                         "création de 1 200 emplois. Jean Durand, président de Provence Promotion, s'en félicite.",
    "2016-02-report.txt": "Marseille, February 3, 2016.\n\nAnnual results of the agency.\n\n"
                          "In 2015, Provence Promotion supported 52 location projects, which created 1,350 jobs, "
                          "said Anne Martin, chief executive of Provence Promotion.",
    "2016-04-objectifs.txt": "Aix-en-Provence, le 8 avril 2016.\n\nObjectifs de l'agence.\n\n"
                             "Pour 2016, Provence Promotion vise 60 projets d'implantation. En 2015, l'agence avait "
                             "accompagné 50 projets, selon Jean Durand, président de Provence Promotion.",
}


def history_like(out: Path) -> None:
    """The hand-made outputs of tests/data/factbase and a history.json as build() writes it."""
    from pipeline.history import build_history

    out.mkdir(parents=True, exist_ok=True)
    for p in FACTBASE.glob("*.json*"):
        shutil.copy(p, out)
    facts = [json.loads(line) for line in (out / "facts.jsonl").open(encoding="utf-8")]
    (out / "history.json").write_text(indented(build_history(facts)) + "\n", encoding="utf-8")


def test_db_writer_reads_each_file_once_it_is_complete(tmp_path: Path) -> None:
    """The process waits for each file: given them one by one, it writes the database write_db writes."""
    history_like(whole := tmp_path / "whole")
    reference = write_db(whole).read_bytes()
    (part := tmp_path / "part").mkdir()
    writer = DbWriter.start(part)
    for name in READ_ORDER:
        shutil.copy(whole / name, part / name)
        writer.ready(name)
    assert writer.finish().read_bytes() == reference


def test_db_writer_reports_a_failed_write(tmp_path: Path) -> None:
    history_like(tmp_path)
    (tmp_path / "documents.jsonl").write_text('{"doc_id": "d1", "source": \n', encoding="utf-8")
    writer = DbWriter.start(tmp_path)
    for name in READ_ORDER:
        writer.ready(name)
    expected = "facts.db failed: JSONDecodeError" if writer._process is not None else "Expecting value"
    with pytest.raises((RuntimeError, ValueError), match=expected):
        writer.finish()
    assert not (tmp_path / "facts.db").exists()


def test_db_writer_reports_a_killed_process(tmp_path: Path) -> None:
    if not factbase.db_in_parallel():
        pytest.skip("one core: facts.db is written in the build's process")
    writer = DbWriter.start(tmp_path)  # waits for documents.jsonl, which never comes
    os.kill(writer._process.pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match="ended with SIGKILL"):
        writer.finish()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tail") / "corpus"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(params=[True, False], ids=["db-beside", "db-after"])
def db_beside(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """facts.db written by a process of its own, or in the build's process after the other files."""
    monkeypatch.setattr(factbase, "db_in_parallel", lambda: request.param)
    return bool(request.param)


@pytest.fixture
def writers(monkeypatch: pytest.MonkeyPatch) -> list[DbWriter]:
    """The DbWriters the builds of a test start."""
    started: list[DbWriter] = []
    start = DbWriter.start.__func__  # type: ignore[attr-defined]

    def spy(cls: type[DbWriter], folder: Path, beside: bool = True) -> DbWriter:
        writer = start(cls, folder, beside)
        writer.had_process = writer._process is not None  # type: ignore[attr-defined]
        started.append(writer)
        return writer

    monkeypatch.setattr(DbWriter, "start", classmethod(spy))
    return started


def test_build_gives_the_same_bytes_with_facts_db_beside_or_after(corpus: Path, tmp_path: Path, cfg: Config,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 writers: list[DbWriter]) -> None:
    for beside in (True, False):
        monkeypatch.setattr(factbase, "db_in_parallel", lambda beside=beside: beside)
        summary = build([corpus], tmp_path / str(beside), cfg, use_cache=False)
        assert summary.facts > 0 and set(summary.phases) == {"records", "outputs", "db"}
    assert [w.had_process for w in writers] == [True, False]  # type: ignore[attr-defined]
    assert (writers[0]._process, writers[1]._process) == (None, None)  # finished, both
    for name in OUTPUTS:
        assert (tmp_path / "True" / name).read_bytes() == (tmp_path / "False" / name).read_bytes(), name


def old_output(corpus: Path, out: Path, cfg: Config) -> dict[str, bytes]:
    build([corpus], out, cfg, use_cache=False)
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def assert_left_as_it_was(out: Path, before: dict[str, bytes]) -> None:
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before
    assert not list(out.parent.glob(f".{out.name}.tmp-*"))  # no temporary folder left


def test_a_failed_history_write_fails_the_build_and_ends_the_db_process(
        corpus: Path, tmp_path: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch, db_beside: bool,
        writers: list[DbWriter]) -> None:
    before = old_output(corpus, out := tmp_path / "out", cfg)

    def full_disk(self: Spool, fh: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Spool, "write_history", full_disk)
    with pytest.raises(OSError, match="No space left"):
        build([corpus], out, cfg, use_cache=False)
    assert_left_as_it_was(out, before)
    assert writers[-1].had_process == db_beside  # type: ignore[attr-defined]
    assert writers[-1]._process is None  # stopped, and waited for


def test_a_failed_db_write_fails_the_build_with_a_clear_error(corpus: Path, tmp_path: Path, cfg: Config,
                                                             monkeypatch: pytest.MonkeyPatch, db_beside: bool) -> None:
    before = old_output(corpus, out := tmp_path / "out", cfg)
    mkdtemp = tempfile.mkdtemp

    def blocked(*args: object, **kwargs: object) -> str:
        """The build's folder, where a folder holds the name facts.db is written under."""
        folder = mkdtemp(*args, **kwargs)  # type: ignore[call-overload]
        (Path(folder) / ".facts.db.tmp" / "in-the-way").mkdir(parents=True)
        return str(folder)

    monkeypatch.setattr(factbase.tempfile, "mkdtemp", blocked)
    expected = r"writing \S*facts\.db failed: IsADirectoryError" if db_beside else "Is a directory"
    with pytest.raises((RuntimeError, OSError), match=expected):
        build([corpus], out, cfg, use_cache=False)
    assert_left_as_it_was(out, before)

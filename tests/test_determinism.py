"""Same corpus, same bytes: two builds, cold and warm builds, one changed file, `pressfacts check`."""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.config import Config
from pipeline.factbase import build, dumps, fact_id
from pipeline.history import build_history
from pipeline.resources import fold
from pipeline.spool import LazyDict, LazyList, write_json

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SAMPLE = ["2014-07-gachon-chairman-2013-jobs-record.html", "2016-01-solange-biaggi-presidente-bilan-2015.html",
          "2017-05-activity-report-2016-key-figures.pdf", "2017-07-chauvin-preside-provence-promotion-cp1252.txt"]
OUTPUTS = ["documents.jsonl", "facts.jsonl", "entities.jsonl", "history.json", "manifest.json", "facts.db"]


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE:
        shutil.copy(CORPUS / name, folder / name)
    (folder / "README.md").write_text("not an article\n")  # excluded, listed in the manifest
    return folder


def same_files(a: Path, b: Path) -> list[str]:
    """Names of the output files whose bytes differ."""
    return [n for n in OUTPUTS if (a / n).read_bytes() != (b / n).read_bytes()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, cfg: Config) -> dict[str, object]:
    root = tmp_path_factory.mktemp("determinism")
    corpus = make_corpus(root / "corpus")
    first = build([corpus], root / "first", cfg, use_cache=False)
    second = build([corpus], root / "second", cfg)  # cold too (empty cache), fills the cache
    warm = build([corpus], root / "second", cfg)
    return {"root": root, "corpus": corpus, "first": first, "second": second, "warm": warm}


def test_determinism_two_builds_are_byte_identical(built: dict[str, object]) -> None:
    root = built["root"]
    assert isinstance(root, Path)
    assert same_files(root / "first", root / "second") == []


def test_determinism_warm_build_takes_every_record_from_the_cache(built: dict[str, object]) -> None:
    second, warm = built["second"], built["warm"]
    assert second.processed == len(SAMPLE) and second.cached == 0  # type: ignore[attr-defined]
    assert warm.processed == 0 and warm.cached == len(SAMPLE)  # type: ignore[attr-defined]
    assert warm.facts == second.facts > 0  # type: ignore[attr-defined]
    assert warm.up_to_date and not second.up_to_date  # type: ignore[attr-defined]


def test_determinism_warm_build_repairs_a_hand_edited_output(built: dict[str, object], tmp_path: Path,
                                                            cfg: Config) -> None:
    root, corpus = built["root"], built["corpus"]
    assert isinstance(root, Path) and isinstance(corpus, Path)
    out = tmp_path / "out"
    shutil.copytree(root / "second", out)
    (out / "facts.jsonl").write_text("edited\n", encoding="utf-8")
    summary = build([corpus], out, cfg)
    assert (summary.cached, summary.up_to_date) == (len(SAMPLE), False)
    assert same_files(root / "first", out) == []


def test_determinism_up_to_date_build_reads_no_record(built: dict[str, object], tmp_path: Path, cfg: Config,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast warm path: same files, same pipeline, untouched outputs -> the stamp's summary,
    without a record read, a spool or a temporary folder; any change to an input takes the full path."""
    import pipeline.factbase as factbase

    root, corpus, second = built["root"], built["corpus"], built["second"]
    assert isinstance(root, Path) and isinstance(corpus, Path)
    stamp = json.loads((root / "second" / ".build.json").read_text(encoding="utf-8"))
    assert stamp["summary"]["facts"] == second.facts  # type: ignore[attr-defined]
    out = tmp_path / "out"
    shutil.copytree(root / "second", out)
    before = {n: (out / n).stat().st_mtime_ns for n in OUTPUTS}

    def no_records(*_a: object, **_k: object) -> None:
        raise AssertionError("an up-to-date build read records")

    monkeypatch.setattr(factbase, "_records", no_records)
    fast = build([corpus], out, cfg)
    assert fast.up_to_date and fast.processed == 0 and fast.cached == len(SAMPLE)
    assert (fast.inputs, fast.ok, fast.facts) == (second.inputs, second.ok, second.facts)  # type: ignore[attr-defined]
    assert {n: (out / n).stat().st_mtime_ns for n in OUTPUTS} == before
    assert not list(tmp_path.glob(".out.tmp-*"))
    monkeypatch.undo()
    # One more input: the walk differs, the full path runs and processes that file only.
    changed = tmp_path / "corpus"
    shutil.copytree(corpus, changed)
    (changed / "extra.txt").write_text("Provence Promotion a accueilli 12 entreprises en 2019 a Marseille, "
                                       "selon son rapport annuel publie en janvier 2020.\n", encoding="utf-8")
    slow = build([changed], tmp_path / "out2", cfg, cache_dir=out / ".cache")
    assert not slow.up_to_date and slow.processed == 1


def test_determinism_streamed_outputs_equal_the_in_memory_reference(built: dict[str, object]) -> None:
    """facts, entities and history written from the spool are what sorting in memory gives."""
    out = built["root"] / "first"  # type: ignore[operator]
    docs = [json.loads(line) for line in (out / "documents.jsonl").open(encoding="utf-8")]
    facts, ents = [], {}
    for d in docs:
        for e in d["entities"]:
            row = ents.setdefault((e["type"], fold(e["name"])), {"names": Counter(), "mentions": set(), "ids": set(), "n": 0})
            row["names"][e["name"]] += e["count"]
            row["mentions"].update(e["mentions"])
            row["ids"].add(d["doc_id"])
            row["n"] += e["count"]
        for f in d["facts"]:
            r = dict(f, source=d["source"], published=d["published"], lang=d["lang"])
            r["fact_id"] = fact_id(r)
            facts.append(r)
    facts.sort(key=lambda f: (f["source"], f["evidence"]["start"], f["fact_id"]))
    assert (out / "facts.jsonl").read_text(encoding="utf-8") == "".join(dumps(f) + "\n" for f in facts)
    rows = []
    for (type_, _k), r in ents.items():
        name = min(r["names"].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        rows.append({"type": type_, "name": name, "mentions": sorted(r["mentions"] | set(r["names"])),
                     "documents": len(r["ids"]), "doc_ids": sorted(r["ids"]), "count": r["n"]})
    rows.sort(key=lambda r: (r["type"], r["name"]))
    assert (out / "entities.jsonl").read_text(encoding="utf-8") == "".join(dumps(r) + "\n" for r in rows)
    history = json.dumps(build_history(facts), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    assert (out / "history.json").read_text(encoding="utf-8") == history


@pytest.mark.parametrize("value", [
    {"a": [], "b": {}, "c": [{"x": [1, 2], "y": {"z": "é\n"}}], "d": {"k": [1]}},
])
def test_determinism_write_json_matches_json_dumps(value: dict[str, object]) -> None:
    expected = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    buf = io.StringIO()
    lazy = {k: LazyList(iter(v)) if isinstance(v, list) else LazyDict(iter(sorted(v.items())))  # type: ignore[union-attr]
            for k, v in value.items()}
    write_json(buf, lazy)
    assert buf.getvalue() == expected


def test_determinism_one_changed_file_is_the_only_one_processed(built: dict[str, object], cfg: Config) -> None:
    root, corpus = built["root"], built["corpus"]
    assert isinstance(root, Path) and isinstance(corpus, Path)
    changed = root / "changed"
    shutil.copytree(corpus, changed / "corpus")
    shutil.copytree(root / "second", changed / "out")  # output and its .cache
    txt = changed / "corpus" / SAMPLE[3]
    txt.write_bytes(txt.read_bytes() + b"\nEn 2016, Provence Promotion a accompagn\xe9 55 projets.\n")
    seen: list[str] = []
    summary = build([changed / "corpus"], changed / "out", cfg,
                    progress=lambda d: seen.append(Path(d.source).name) if not d.cached else None)
    assert (summary.processed, summary.cached) == (1, len(SAMPLE) - 1)
    assert seen == [SAMPLE[3]]
    # paths differ from the cold build below only if the corpus folder does: build it in place
    cold = build([changed / "corpus"], changed / "cold", cfg, use_cache=False)
    assert cold.processed == len(SAMPLE)
    assert same_files(changed / "out", changed / "cold") == []


def test_determinism_check_passes_then_reports_a_changed_fact(built: dict[str, object], tmp_path: Path) -> None:
    from pipeline.cli import main

    root, corpus = built["root"], built["corpus"]
    assert isinstance(root, Path)
    against = tmp_path / "against"
    shutil.copytree(root / "second", against)
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(corpus), "--against", str(against)])
    assert ok.exit_code == 0, ok.output
    lines = (against / "facts.jsonl").read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines) if json.loads(line)["kind"] == "metric")
    row = json.loads(lines[i])
    row["value"] = 123456  # an edited figure: same fact_id in the file, so "changed"
    lines[i] = dumps(row)
    (against / "facts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    drift = runner.invoke(main, ["check", str(corpus), "--against", str(against)])
    assert drift.exit_code == 1
    assert "facts.jsonl: 0 added, 0 removed, 1 changed by fact_id" in drift.output
    assert "value: 123456 -> " in drift.output and "@@" in drift.output


def test_determinism_cli_build_with_two_processes_gives_the_same_bytes(built: dict[str, object]) -> None:
    from pipeline.cli import main

    root, corpus = built["root"], built["corpus"]
    assert isinstance(root, Path)
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(root / "p2"), "--processes", "2",
                                       "--no-cache"])
    assert result.exit_code == 0, result.output
    assert f"{len(SAMPLE)} processed, 0 from cache" in result.output
    assert same_files(root / "first", root / "p2") == []
    assert not (root / "p2" / ".cache").exists()


@pytest.mark.parametrize("processes, isolate", [(1, True), (0, False)])
def test_determinism_one_worker_or_in_process_gives_the_same_bytes(
        built: dict[str, object], cfg: Config, processes: int, isolate: bool) -> None:
    """One worker process, or everything in this process (isolate = false): the same bytes as
    the build with one worker per core."""
    root, corpus = built["root"], built["corpus"]
    assert isinstance(root, Path) and isinstance(corpus, Path)
    out = root / f"p{processes}-{isolate}"
    summary = build([corpus], out, cfg.with_overrides(processes=processes, isolate=isolate), use_cache=False)
    assert summary.processed == len(SAMPLE)
    assert same_files(root / "first", out) == []

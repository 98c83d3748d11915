"""pipeline/cli_factbase.py: `pressfacts query | history | serve` through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

DATA = Path(__file__).parent / "data" / "factbase"


@pytest.fixture(scope="module")
def db_path(factbase_db) -> str:
    return str(factbase_db)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", ["query", "history", "serve"])
def test_cli_factbase_commands_registered_with_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example: pressfacts " + command in result.output and "--db" in result.output


def test_cli_factbase_query_table_shows_source_and_sentence(db_path):
    result = run("query", "--person", "Jean-Luc Chauvin", "--db", db_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["published", "kind", "fact", "source", "sentence"]
    assert len(lines) == 4  # header, rule, two roles
    assert "president of Provence Promotion" in result.stdout and "president of CCI Marseille Provence" in result.stdout
    assert all("d12.html:132-212" in line and "s'en félicite." in line for line in lines[2:])  # source:offsets
    assert lines[2].index("d12.html") == lines[3].index("d12.html")  # aligned


@pytest.mark.parametrize("width", [100, 80])
def test_cli_factbase_query_table_fits_the_width(db_path, width):
    wide = run("query", "--db", db_path).stdout.splitlines()
    assert max(map(len, wide)) > 140  # one line per fact, sentences whole
    out = run("query", "--width", str(width), "--db", db_path).stdout
    lines = out.splitlines()
    assert max(map(len, lines)) <= width
    assert lines[0].split() == ["published", "kind", "fact", "source"] and lines[1].split() == ["sentence"]
    # every sentence is still there, whole, wrapped under its row
    text = " ".join(line.strip() for line in lines)
    sentences = {r["sentence"] for r in json.loads(run("query", "--json", "--db", db_path).stdout)}
    assert len(sentences) == 12 and all(s in text for s in sentences)
    assert run("query", "--width", "0", "--db", db_path).stdout.splitlines() == wide


def test_cli_factbase_query_json_and_csv_ignore_the_width(db_path):
    for fmt in ("--json", "--csv"):
        assert run("query", fmt, "--db", db_path).stdout == run("query", fmt, "--width", "60", "--db", db_path).stdout


def test_cli_factbase_query_vocabulary(db_path):
    ok = run("query", "--status", "Target", "--metric", "LOCATION_PROJECTS", "--csv", "--db", db_path)
    assert ok.exit_code == 0 and len(ok.stdout.splitlines()) == 3
    bad = run("query", "--metric", "jobs", "--db", db_path)
    assert bad.exit_code == 2
    assert "unknown metric 'jobs' (did you mean jobs_created?); valid values: budget, foreign_share_projects" \
        in bad.output


def test_cli_factbase_query_text_forgives(db_path):
    counts = {t: len(json.loads(run("query", "--text", t, "--json", "--db", db_path).stdout))
              for t in ("emploi", "emplois", "job", "jobs", "implant*", "emploi OR jobs", "etrangeres")}
    assert counts == {"emploi": 4, "emplois": 4, "job": 1, "jobs": 1, "implant*": 3, "emploi OR jobs": 5,
                      "etrangeres": 2}


def test_cli_factbase_query_json_and_csv(db_path):
    rows = json.loads(run("query", "--org", "Provence Promotion", "--year", "2014", "--json", "--db", db_path).stdout)
    assert {(r["metric"], r["value"], r["source"]) for r in rows if r["kind"] == "metric"} == {
        ("location_projects", 63, "corpus/d02.html"), ("location_projects", 70, "corpus/d10.txt"),
        ("foreign_share_projects", 54, "corpus/d10.txt")}
    assert {r["approx"] for r in rows if r["kind"] == "metric"} == {True, False}  # booleans, not 0/1
    out = run("query", "--metric", "location_projects", "--status", "target", "--csv", "--db", db_path).stdout
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["period"], r["value"]) for r in table] == [("2018", "75"), ("2021", "65")]
    assert table[0]["sentence"].startswith("En 2018")


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["--json", "--csv"], 2, "choose one of --json and --csv"),
        (["--year", "twenty"], 2, "write a year (2014) or a range (2010-2015)"),
        (["--text", "'; DROP TABLE facts; --"], 0, ""),
        (["--status", "Planned"], 2, "unknown status 'Planned'; valid values: actual, target, current, former"),
        (["--kind", "figure"], 2, "unknown kind 'figure'; valid values: metric, role, implantation"),
        (["--lang", "de"], 2, "unknown lang 'de'; valid values: en, fr"),
        (["--width", "-3"], 2, "Invalid value for '--width'"),
    ],
)
def test_cli_factbase_query_errors(db_path, args, code, message):
    result = run("query", *args, "--db", db_path)
    assert result.exit_code == code
    assert message in result.output


def test_cli_factbase_missing_db_says_what_to_do(tmp_path):
    result = run("query", "--db", str(tmp_path / "facts.db"))
    assert result.exit_code == 1 and "pressfacts build" in result.output


@pytest.fixture(scope="module")
def not_fact_bases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notdb")
    text = folder / "notes.db"
    text.write_text("Invented notes, not a database.\n", encoding="utf-8")
    other = folder / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (name TEXT)")
    conn.commit()
    conn.close()
    return {"text": text, "other": other}


@pytest.mark.parametrize("command", [["query"], ["history"], ["history", "--plot", "x.png"], ["serve"]])
@pytest.mark.parametrize("kind, message", [("text", "is not an SQLite database"),
                                           ("other", "is an SQLite database but not a fact base")])
def test_cli_factbase_db_that_is_not_a_fact_base(not_fact_bases, command, kind, message):
    result = run(*command, "--db", str(not_fact_bases[kind]))
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1  # one line, no traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_cli_factbase_plot_to_unwritable_path(db_path, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = run("history", "--plot", str(blocker / "chart.png"), "--db", db_path)
    assert result.exit_code == 1 and f"cannot write the chart to {blocker / 'chart.png'}" in result.output


def test_cli_factbase_history_table(db_path):
    result = run("history", "--subject", "provence promotion", "--db", db_path)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Provence Promotion: year by year")
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line[:4].isdigit()}
    assert lines["2014"][:3] == ["2014", "63!", "-"]  # projects: actual (sources disagree), no target
    assert lines["2018"][:5] == ["2018", "77", "75", "~1800", "-"]
    assert lines["2010"][-2:] == ["3.20", "-"]  # budget in M EUR
    assert "2014 location_projects actual: 63 (d02.html, 2015-03-27) vs ~70 (d10.txt, 2015-01-30); kept 63" in out
    assert "2018 location_projects: target 75, actual 77: met (+2, 103% of target)" in out
    assert "2021 location_projects: target 65: no actual reported" in out


def test_cli_factbase_history_unknown_subject(db_path):
    result = run("history", "--subject", "Aderly", "--db", db_path)
    assert result.exit_code == 2 and "known subjects: Provence Promotion" in result.output


def test_cli_factbase_history_plot_is_deterministic(db_path, tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    assert run("history", "--plot", str(a), "--db", db_path).exit_code == 0
    assert run("history", "--plot", str(b), "--db", db_path).exit_code == 0
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and a.stat().st_size > 10_000
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize(
    "args, modules, extra",
    [(["history", "--plot", "x.png"], ["matplotlib"], "--plot needs matplotlib"),
     (["serve"], ["datasette", "datasette.cli"], "serve needs Datasette")],
)
def test_cli_factbase_missing_extra_is_named(db_path, monkeypatch, args, modules, extra):
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    result = run(*args, "--db", db_path)
    assert result.exit_code == 1 and extra in result.output and "pip install -e ." in result.output


def test_cli_factbase_chart_footer_and_disagreements(db_path):
    import datetime

    from pipeline import query as q
    from pipeline.cli_factbase import _disagreements, chart_footer

    db = q.open_db(db_path)
    footer = chart_footer(db, "Provence Promotion", Path(db_path))
    built = datetime.datetime.fromtimestamp(Path(db_path).stat().st_mtime, datetime.timezone.utc).date()
    assert footer.startswith(f"Fact base built {built.isoformat()} (facts.db) from 4 source documents, 4 of them giving these figures; ")
    table = q.year_table(q.history_by_year(db, "Provence Promotion"))
    by_year = {int(t["year"]): t for t in table}
    assert _disagreements(by_year, "projects") == ["2014 actual: 63 vs ~70"]
    assert by_year[2018]["projects"]["outcome"] == "met"  # drawn above the 2018 target bar


def test_cli_factbase_serve_on_a_taken_port(db_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "--db", db_path)
    assert result.exit_code == 1 and f"cannot serve on 127.0.0.1:{port}" in result.output

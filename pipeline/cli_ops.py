"""`pressfacts check`: rebuild a corpus and say, file by file, how the fact base drifted.

`compare_dirs(expected, actual)` is the library part: for each output file that differs it
lists the rows added, removed and changed (facts by fact_id, documents by source, entities by
type and name, manifest files by path) and a unified diff excerpt. `register(main)` adds the
command to the `pressfacts` group.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

# Row keys of the JSON-lines outputs, and a short label for a row in the report.
ROW_KEYS: dict[str, Callable[[dict[str, Any]], str]] = {
    "facts.jsonl": lambda r: str(r.get("fact_id")),
    "documents.jsonl": lambda r: str(r.get("source")),
    "entities.jsonl": lambda r: f"{r.get('type')} {r.get('name')}",
}
EXCERPT_LINES = 30
LINE_WIDTH = 160
EXAMPLES = 10


@dataclass
class FileDiff:
    """How one output file differs: rows by key, and a unified diff excerpt."""

    name: str
    note: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    excerpt: list[str] = field(default_factory=list)

    def report(self) -> str:
        counts = ""
        if self.added or self.removed or self.changed:
            by = " by fact_id" if self.name == "facts.jsonl" else ""
            counts = f": {len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed{by}"
        lines = [f"{self.name}{counts}{' (' + self.note + ')' if self.note else ''}"]
        for sign, rows in (("+", self.added), ("-", self.removed), ("~", self.changed)):
            lines += [f"  {sign} {r}" for r in rows[:EXAMPLES]]
            if len(rows) > EXAMPLES:
                lines.append(f"  {sign} ... {len(rows) - EXAMPLES} more")
        lines += ["  " + line for line in self.excerpt]
        return "\n".join(lines)


def _label(name: str, row: dict[str, Any]) -> str:
    key = ROW_KEYS[name](row)
    if name != "facts.jsonl":
        return key
    fields = [row.get(k) for k in ("kind", "subject", "metric", "period", "status", "value",
                                   "person", "role", "org", "company") if row.get(k) is not None]
    return f"{key} {' '.join(map(str, fields))} ({row.get('source')})"


def _changes(old: dict[str, Any], new: dict[str, Any]) -> str:
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    parts = []
    for k in keys[:4]:
        a, b = json.dumps(old.get(k), ensure_ascii=False), json.dumps(new.get(k), ensure_ascii=False)
        parts.append(f"{k}: {a[:40]} -> {b[:40]}")
    return "; ".join(parts) + (f"; +{len(keys) - 4} fields" if len(keys) > 4 else "")


def _rows(path: Path, name: str) -> dict[str, dict[str, Any]]:
    out = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out[ROW_KEYS[name](row)] = row
    return out


def _text(path: Path) -> list[str]:
    if path.suffix == ".db":
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return list(con.iterdump())
        finally:
            con.close()
    return path.read_text(encoding="utf-8").splitlines()


def _excerpt(a: list[str], b: list[str], a_name: str, b_name: str) -> list[str]:
    diff = difflib.unified_diff(a, b, a_name, b_name, n=1, lineterm="")
    out = []
    for i, line in enumerate(diff):
        if i >= EXCERPT_LINES:
            out.append("... (diff cut; compare the files for the rest)")
            break
        out.append(line if len(line) <= LINE_WIDTH else line[:LINE_WIDTH] + " ...")
    return out


def compare_file(expected: Path, actual: Path) -> FileDiff | None:
    """None when the two files hold the same fact base, else what differs."""
    name = expected.name
    if expected.read_bytes() == actual.read_bytes():
        return None
    a, b = _text(expected), _text(actual)
    if a == b:
        return None  # a database whose bytes differ but whose content is the same
    diff = FileDiff(name, excerpt=_excerpt(a, b, str(expected), str(actual)))
    if name in ROW_KEYS:
        old, new = _rows(expected, name), _rows(actual, name)
        diff.added = [_label(name, new[k]) for k in sorted(new.keys() - old.keys())]
        diff.removed = [_label(name, old[k]) for k in sorted(old.keys() - new.keys())]
        diff.changed = [f"{_label(name, new[k])}: {_changes(old[k], new[k])}"
                        for k in sorted(old.keys() & new.keys()) if old[k] != new[k]]
        if not (diff.added or diff.removed or diff.changed):
            diff.note = "same rows, different order or formatting"
    return diff


def compare_dirs(expected: Path, actual: Path) -> list[FileDiff]:
    """Every output file (hidden entries aside) that differs between two fact-base folders."""
    def names(d: Path) -> set[str]:
        return {p.name for p in d.iterdir() if p.is_file() and not p.name.startswith(".")}

    diffs = []
    for name in sorted(names(expected) | names(actual)):
        e, a = expected / name, actual / name
        if not a.exists():
            diffs.append(FileDiff(name, note="missing from the rebuild"))
        elif not e.exists():
            diffs.append(FileDiff(name, note=f"not in {expected}"))
        elif d := compare_file(e, a):
            diffs.append(d)
    return diffs


class _CannotRun(click.ClickException):
    exit_code = 2


@click.command()
@click.argument("corpus", nargs=-1, required=True)
@click.option("--against", required=True, type=click.Path(file_okay=False),
              help="The fact base to compare with (a `pressfacts build` output folder).")
@click.option("--processes", type=click.IntRange(min=0), default=None, help="Worker processes, 0 = one per core.")
@click.option("--no-cache", is_flag=True, help="Rebuild every document (default: reuse AGAINST/.cache).")
@click.option("--config", type=click.Path(dir_okay=False), help="TOML settings file (see README).")
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
def check(corpus: tuple[str, ...], against: str, processes: int | None, no_cache: bool, config: str | None,
          verbose: int) -> None:
    """Rebuild CORPUS in a temporary folder and compare it with the fact base in --against.

    Exit 0 when every output file is the same, 1 with a report per file (rows added, removed
    and changed, facts by fact_id, and a unified diff excerpt) when the fact base drifted, 2 when
    the rebuild cannot run. Give CORPUS as it was given to `build` (paths are in the outputs).

    Example: pressfacts check corpus/ --against output/
    """
    from pipeline.cli import _config, _setup_logging
    from pipeline.engines import EngineError
    from pipeline import build as build_api  # checks the data folder before anything else
    from pipeline.nlp import ModelNotFound
    from pipeline.resources import ResourceError

    _setup_logging(verbose)
    cfg = _config(config, processes=processes)
    target = Path(against)
    if not target.is_dir():
        raise click.UsageError(f"no fact base at {against}: build one with `pressfacts build CORPUS --out {against}`")
    for c in corpus:
        if not Path(c).exists():
            raise click.UsageError(f"no such file or folder: {c}")
    with tempfile.TemporaryDirectory(prefix="pressfacts-check-") as tmp:
        rebuilt = Path(tmp) / "rebuilt"
        try:
            summary = build_api(corpus, rebuilt, cfg, cache_dir=target / ".cache", use_cache=not no_cache)
        except (ModelNotFound, ResourceError, EngineError) as exc:
            raise _CannotRun(f"cannot rebuild: {exc}") from exc
        diffs = compare_dirs(target, rebuilt)
        if not diffs:
            click.echo(f"fact base in {against} is up to date ({summary.inputs} inputs, {summary.facts} facts)",
                       err=True)
            return
        for d in diffs:
            click.echo(d.report())
        click.echo(f"\n{len(diffs)} file(s) differ from a rebuild of {' '.join(corpus)}; "
                   f"run `pressfacts build {' '.join(corpus)} --out {against}` to update", err=True)
        sys.exit(1)


def register(main: click.Group) -> None:
    """Add the operations commands (check) to the `pressfacts` group."""
    main.add_command(check)

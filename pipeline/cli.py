"""`pressfacts`: the command line, a thin shell over the library.

Exit codes: 0 when the command ran (even if some documents failed; see --strict), 1 when
--strict and a document failed, 2 for bad arguments or a command that cannot run.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

from pipeline.config import ConfigError, load_config
from pipeline.nlp import ModelNotFound
from pipeline.records import Document
from pipeline.resources import ResourceError

LOGGER = logging.getLogger("pipeline")


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _config(config: str | None, **overrides: object):  # type: ignore[no-untyped-def]
    try:
        return load_config(config, **overrides)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pressfacts")
def main() -> None:
    """Turn archives of press articles into a fact base about an organization's history."""


def _common(f):  # type: ignore[no-untyped-def]
    f = click.option("--config", type=click.Path(dir_okay=False), help="TOML settings file (see README).")(f)
    f = click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")(f)
    f = click.option("--strict", is_flag=True, help="Stop on the first failure (re-raise), exit 1 if a document failed.")(f)
    return f


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of document records.")
@click.option("--with-text", is_flag=True, help="Keep the cleaned text in the records.")
@_common
def extract(files: tuple[str, ...], as_json: bool, with_text: bool, config: str | None, verbose: int, strict: bool) -> None:
    """Extract document records from FILES (files or folders) and print them.

    Example: pressfacts extract --json corpus/2011-03-bilan-2010-pfister.html
    """
    from pipeline import extract as extract_api

    _setup_logging(verbose)
    cfg = _config(config, strict=strict or None)
    docs = _guarded(lambda: list(extract_api(files, cfg)))
    payload = [_record(d, with_text) for d in docs]
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True))
    else:
        for d in docs:
            click.echo(f"{d.source}  [{d.format}, {d.lang or '?'}, {d.status}]  {d.title or ''}")
            for p in d.problems:
                click.echo(f"  ! {p.stage}/{p.kind}: {p.message}")
            for f in d.facts:
                click.echo("  - " + _fact_line(f.model_dump()))
    if strict and any(d.status == "failed" for d in docs):
        sys.exit(1)


def _record(doc: Document, with_text: bool) -> dict[str, object]:
    data = doc.model_dump(mode="json")
    if not with_text:
        data.pop("text", None)
    return data


def _fact_line(f: dict[str, object]) -> str:
    if f["kind"] == "metric":
        approx = "~" if f.get("approx") else ""
        return f"{f['subject']}: {f['metric']} {f['period']} {f['status']} = {approx}{f['value']} {f['unit']}"
    if f["kind"] == "role":
        return f"{f['person']}: {f['role']} of {f['org']} ({f['status']})"
    return f"{f['company']} -> {f.get('place')} (from {f.get('origin')}, {f.get('year')})"


def _guarded(fn):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except (ModelNotFound, ResourceError) as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("corpus", nargs=-1, required=True)
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder the fact base is written to (replaced atomically).")
@_common
def build(corpus: tuple[str, ...], out: str, config: str | None, verbose: int, strict: bool) -> None:
    """Process every file under CORPUS and write the fact base to --out.

    Example: pressfacts build corpus/ --out output/
    """
    from pipeline import build as build_api

    _setup_logging(verbose)
    cfg = _config(config)
    for c in corpus:
        if not Path(c).exists():
            raise click.UsageError(f"no such file or folder: {c}")
    bar = _Progress()
    summary = _guarded(lambda: build_api(corpus, out, cfg, progress=bar.update))
    bar.close()
    s = summary.as_dict()
    click.echo(f"{s['inputs']} inputs: {s['ok']} ok, {s['skipped']} skipped, {s['failed']} failed; "
               f"{s['facts']} facts in {s['seconds']} s -> {out}", err=True)
    for reason, n in s["problems"].items():
        click.echo(f"  {n} x {reason}", err=True)
    if strict and summary.failed:
        sys.exit(1)


class _Progress:
    """A tqdm bar on a terminal; a plain line every 10 s otherwise (CI logs)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.n = 0
        self.t0 = self.last = time.perf_counter()
        self.bar = None
        if self.tty:
            from tqdm import tqdm

            self.bar = tqdm(unit="doc", desc="build", file=sys.stderr)

    def update(self, doc: Document) -> None:
        self.n += 1
        if self.bar is not None:
            self.bar.update(1)
            return
        now = time.perf_counter()
        if now - self.last >= 10:
            self.last = now
            click.echo(f"build: {self.n} documents, {self.n / (now - self.t0):.1f} doc/s", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


if __name__ == "__main__":  # pragma: no cover
    main()

from pipeline.cli_factbase import register as _register_factbase  # noqa: E402
_register_factbase(main)

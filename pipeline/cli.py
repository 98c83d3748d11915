"""`pressfacts`: the command line, a thin shell over the library.

Exit codes: 0 when the command ran (even if some documents failed; see --strict); 1 when
--strict and a document failed or none was usable, when `check` finds drift, or when the command
cannot run (a missing model, a file that is not a fact base, an unwritable output); 2 for bad
arguments (an option's value, a path that does not exist, a corpus with no input document).
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
    _check_inputs(files)
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
    if strict and not any(d.status == "ok" for d in docs):
        raise click.ClickException("--strict: no document was usable (every input was skipped; see above)")


def _check_inputs(paths: tuple[str, ...]) -> int:
    """The number of input documents under `paths` (what a build reads); UsageError (exit 2) when
    a path does not exist or there is no document at all."""
    from pipeline.inputs import DEFAULT_EXCLUDE, iter_inputs, not_regular

    for c in paths:
        if not Path(c).exists():
            raise click.UsageError(f"no such file or folder: {c}")
    walked = list(iter_inputs(paths, DEFAULT_EXCLUDE))
    total = sum(1 for p, skip in walked if skip is None and not_regular(p) is None)
    if total == 0:
        passed = "; ".join(f"{p.name}: {skip or not_regular(p)}" for p, skip in walked[:5])
        more = f" and {len(walked) - 5} more" if len(walked) > 5 else ""
        raise click.UsageError(f"no input document in {', '.join(paths)}"
                               + (f" (passed over: {passed}{more})" if walked else " (empty)"))
    return total


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
    """Turn the errors that stop a command (not a document) into a message and exit code 1."""
    try:
        return fn()
    except (ModelNotFound, ResourceError) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # an output folder that cannot be created or written
        where = f" ({exc.filename})" if exc.filename else ""
        raise click.ClickException(f"cannot write the output{where}: {exc.strerror or exc}; "
                                   "choose another --out or fix its permissions") from exc


@main.command()
@click.argument("corpus", nargs=-1, required=True)
@click.option("--out", "out", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder the fact base is written to (replaced atomically).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where documents are processed: this machine (see --processes) or a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786) for --engine dask; none starts a local cluster.")
@click.option("--processes", type=click.IntRange(min=0), default=None,
              help="Worker processes, 0 = one per core [default: the config's `processes`].")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False),
              help="Folder of the record cache [default: OUT/.cache].")
@click.option("--no-cache", is_flag=True, help="Process every file again; neither read nor write the cache.")
@_common
def build(corpus: tuple[str, ...], out: str, engine: str, scheduler: str | None, processes: int | None,
          cache_dir: str | None, no_cache: bool, config: str | None, verbose: int, strict: bool) -> None:
    """Process every file under CORPUS and write the fact base to --out.

    Unchanged files are taken from the record cache (keyed by file content and pipeline
    version), so a rebuild only processes what changed, and a killed build resumes.

    Example: pressfacts build corpus/ --out output/ --processes 0
    """
    from pipeline import build as build_api  # checks the data folder before anything else
    from pipeline.engines import EngineError

    _setup_logging(verbose)
    cfg = _config(config, processes=processes, strict=strict or None)
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler is the address of a Dask scheduler: add --engine dask")
    # What the bar counts: the inputs that will be read (a named pipe or a device is skipped unread).
    total = _check_inputs(corpus)
    bar = _Progress(total)
    try:
        summary = _guarded(lambda: build_api(corpus, out, cfg, progress=bar.update, engine=engine,
                                             scheduler=scheduler, cache_dir=cache_dir, use_cache=not no_cache))
    except EngineError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bar.close()
    s = summary.as_dict()
    rate = s["inputs"] / s["seconds"] if s["seconds"] else 0.0
    click.echo(f"{s['inputs']} inputs: {s['ok']} ok, {s['skipped']} skipped, {s['failed']} failed; "
               f"{s['facts']} facts; {s['processed']} processed, {s['cached']} from cache; "
               f"{s['seconds']} s ({rate:.1f} inputs/s) -> {out}{' (already up to date)' if s['up_to_date'] else ''}",
               err=True)
    for reason, n in s["problems"].items():
        click.echo(f"  {n} x {reason}", err=True)
    if strict and summary.failed:
        sys.exit(1)
    if strict and summary.ok == 0:
        raise click.ClickException("--strict: no document was usable (every input was skipped; see above)")


class _Progress:
    """A tqdm bar with docs/s and ETA on a terminal; a plain line every 10 s otherwise (CI logs)."""

    def __init__(self, total: int | None = None, every: float = 10.0) -> None:
        self.total = total
        self.every = every
        self.n = self.cached = self.failed = 0
        self.t0 = self.last = time.perf_counter()
        self.t_first: float | None = None  # rates count from the first document: not the models' load
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", desc="build", file=sys.stderr, smoothing=0.05)

    def update(self, done: object) -> None:
        """Count one finished input (a `factbase.DocDone`)."""
        self.n += 1
        if self.t_first is None:
            self.t_first = time.perf_counter()
        self.cached += bool(getattr(done, "cached", False))
        self.failed += getattr(done, "status", "ok") == "failed"
        if self.bar is not None:
            self.bar.update(1)
            if self.n % 50 == 0:
                self.bar.set_postfix(cached=self.cached, failed=self.failed, refresh=False)
            return
        now = time.perf_counter()
        if now - self.last >= self.every:
            self.last = now
            click.echo(self.line(now), err=True)

    def line(self, now: float) -> str:
        first = self.t_first or now
        rate = (self.n - 1) / (now - first) if self.n > 1 and now > first else 0.0
        done = f"{self.n}/{self.total}" if self.total else str(self.n)
        eta = ""
        if self.total:
            left = time.strftime("%H:%M:%S", time.gmtime((self.total - self.n) / rate)) if rate > 0 else "?"
            eta = f", ETA {left}"
        return f"build: {done} documents, {rate:.1f} doc/s{eta} ({self.cached} from cache, {self.failed} failed)"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()



from pipeline.cli_factbase import register as _register_factbase  # noqa: E402

_register_factbase(main)

from pipeline.cli_ops import register as _register_ops  # noqa: E402

_register_ops(main)


if __name__ == "__main__":  # pragma: no cover
    main()

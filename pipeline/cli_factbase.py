"""`pressfacts query | history | serve`: questions to the fact base (facts.db) from the shell.

Commands parse options, call `pipeline.query` and print; the table, chart and server helpers
below only present what the library returns. `register(main)` adds the commands to the group.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import click


class _Query:
    """`pipeline.query`, imported on first use: building does not need sqlite-utils, so the
    `pressfacts` command starts faster for everything but the fact-base commands."""

    def __getattr__(self, name: str) -> Any:
        from pipeline import query

        return getattr(query, name)


q = _Query()

DEFAULT_DB = "output/facts.db"
TABLE_COLUMNS = ("published", "kind", "fact", "source", "sentence")
# When the table is wider than the terminal, the sentence goes under its row, and these columns
# wrap, the widest first, down to these widths.
SHRINK = (("fact", 24), ("source", 20))
STACK_INDENT = 4  # a sentence under its row, when the row does not fit beside it

_db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                          type=click.Path(dir_okay=False), help="The fact base written by `pressfacts build`.")


def _open(db_path: str) -> Any:
    try:
        return q.open_db(db_path)
    except q.QueryError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command()
@click.option("--org", "--subject", "org", help="Organization: a figure's subject, a role's org, a company.")
@click.option("--person", help="Person holding a role (case and accents optional).")
@click.option("--metric", help="Metric name as stored, e.g. location_projects, jobs_created, budget "
              "(an unknown one is refused with the list).")
@click.option("--year", help="Year the fact is about, or a range: 2014, 2010-2015.")
@click.option("--status", help="actual | target (figures), current | former | incoming (roles).")
@click.option("--lang", help="Language of the source: fr | en.")
@click.option("--kind", help="Kind of fact: metric | role | implantation.")
@click.option("--text", help="Words of the evidence sentence: plurals and inflections match, accents optional, "
              "word* a prefix, 'a OR b' either, -word excluded, \"a phrase\".")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@click.option("--width", type=click.IntRange(min=0), default=None,
              help="Fit the table in this many columns, sentences wrapped [default: the terminal's width; "
                   "0 or not a terminal: no limit].")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of rows.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV with every column.")
@_db_option
def query(db_path: str, as_json: bool, as_csv: bool, width: int | None, **filters: Any) -> None:
    """Facts matching every filter, oldest source first, each with its source and sentence.

    The table gives each fact's source as FILE:START-END, the sentence's character offsets in the
    document's cleaned text (`pressfacts serve` shows it highlighted at /-/source/DOC_ID).

    Example: pressfacts query --person "Jean-Luc Chauvin" --db output/facts.db
    """
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    db = _open(db_path)
    try:
        rows = q.find_facts(db, q.FactQuery(**filters))
    except q.QueryError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif as_csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(q.FACT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        if width is None:
            width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 0
        click.echo(render_table([_table_row(r) for r in rows], TABLE_COLUMNS, width or None))
        click.echo(f"{len(rows)} fact(s)", err=True)


def fact_summary(r: dict[str, Any]) -> str:
    """One line saying what a fact states: "Provence Promotion location_projects 2014 actual = 63"."""
    if r["kind"] == "metric":
        unit = {"percent": " %", "EUR": " EUR"}.get(r.get("unit") or "", "")
        return (f"{r['subject']} {r['metric']} {r['period']} {r['status']} = "
                f"{'~' if r.get('approx') else ''}{_num(r['value'])}{unit}")
    if r["kind"] == "role":
        return f"{r['person']}: {r['role']} of {r['org']} ({r['status']}, {r.get('as_of') or '?'})"
    where = ", ".join(str(x) for x in (r.get("place"), r.get("origin"), r.get("year")) if x)
    return f"{r['company']} set up ({where})" if where else f"{r['company']} set up"


def _table_row(r: dict[str, Any]) -> dict[str, Any]:
    name = Path(r.get("source") or r["doc_id"]).name
    return {"published": r.get("published") or "", "kind": r["kind"], "fact": fact_summary(r),
            "source": f"{name}:{r['start']}-{r['end']}", "sentence": r["sentence"]}


def render_table(rows: list[dict[str, Any]], columns: tuple[str, ...], width: int | None = None,
                 shrink: tuple[tuple[str, int], ...] = SHRINK) -> str:
    """An aligned text table, one line per row, the last column unpadded (sentences whole).

    With a `width` the table does not fit in, the last column goes under its row, indented and
    wrapped to the width, and the columns of `shrink` wrap (the widest first, down to their
    minimum) until the other columns fit too."""
    cells = [[str(c) for c in columns]] + [["" if r.get(c) is None else str(r[c]) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    if not width or sum(widths) + 2 * (len(columns) - 1) <= width:
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths)) + "  " + row[-1] for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(line.rstrip() for line in lines)
    widths = widths[:-1]
    excess = sum(widths) + 2 * (len(widths) - 1) - width
    least = {columns.index(name): n for name, n in shrink if name in columns[:-1]}
    while excess > 0:  # narrow the widest column that can still give, one character at a time
        room = [i for i in least if widths[i] > least[i]]
        if not room:
            break
        widths[max(room, key=lambda i: widths[i])] -= 1
        excess -= 1
    indent = " " * STACK_INDENT
    lines = []
    for n, row in enumerate(cells):
        wrapped = [textwrap.wrap(cell, w, break_on_hyphens=False) or [""] for cell, w in zip(row[:-1], widths)]
        for k in range(max(len(w) for w in wrapped)):
            lines.append("  ".join((w[k] if k < len(w) else "").ljust(wd) for w, wd in zip(wrapped, widths)))
        lines += textwrap.wrap(row[-1], max(width - STACK_INDENT, 20), initial_indent=indent,
                               subsequent_indent=indent, break_on_hyphens=False) or [""]
        if n == 0:
            lines.append("-" * min(width, sum(widths) + 2 * (len(widths) - 1)))
    return "\n".join(line.rstrip() for line in lines)


def _num(v: Any) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _fmt(value: Any, unit: str | None) -> str:
    """A number as the history shows it: EUR in millions, percent with %, counts as they are."""
    if unit == "EUR":
        return f"{value / 1e6:.2f} M EUR"
    return _num(value) + (" %" if unit == "percent" else "")


def cell(r: dict[str, Any] | None, side: str, unit: str | None = None) -> str:
    """A history value: "63", "~70", "54 %", "3.17" (M EUR); "!" marks a conflict between sources."""
    if r is None or r.get(side) is None:
        return "-"
    value, unit = r[side], unit or r.get("unit")
    text = f"{value / 1e6:.2f}" if unit == "EUR" else _fmt(value, unit)
    return ("~" if r.get(f"{side}_approx") else "") + text + ("!" if r.get(f"{side}_conflict") else "")


@click.command()
@click.option("--subject", help="Organization (default: the one with the most figures).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Also draw the chart to this PNG file.")
@_db_option
def history(subject: str | None, plot_path: str | None, db_path: str) -> None:
    """A subject's year-by-year figures, actual and target side by side, conflicts marked.

    Example: pressfacts history --subject "Provence Promotion" --plot history.png --db output/facts.db
    """
    db = _open(db_path)
    try:
        subject = q.resolve_subject(db, subject)
    except q.QueryError as exc:
        raise click.UsageError(str(exc)) from exc
    table = q.year_table(q.history_by_year(db, subject))
    click.echo(render_history(subject, table, q.conflicts(db, subject), q.targets(db, subject)))
    leaders = q.leaders(db, subject)
    if leaders:
        click.echo("\n" + render_leaders(leaders))
    if plot_path:
        try:
            plot_history(subject, table, Path(plot_path), footer=chart_footer(db, subject, Path(db_path)),
                         leaders=leaders)
        except OSError as exc:
            raise click.ClickException(f"cannot write the chart to {plot_path}: {exc.strerror or exc}") from exc
        click.echo(f"chart written to {plot_path}", err=True)


def chart_footer(db: Any, subject: str, db_path: Path) -> str:
    """"Fact base built 2026-12-06 (facts.db) from 18 source documents, 12 of them giving these
    figures; latest published 2022-03-15." The build date is the file's: facts.db holds no clock."""
    import datetime

    built = datetime.datetime.fromtimestamp(db_path.stat().st_mtime, datetime.timezone.utc).date().isoformat()
    s = q.source_counts(db, subject)
    return (f"Fact base built {built} ({db_path.name}) from {s['documents']} source documents, {s['used']} of them "
            f"giving these figures; sources published {s['first'] or '?'} to {s['last'] or '?'}.")


def render_history(subject: str, table: list[dict[str, Any]], conflict_rows: list[dict[str, Any]],
                   target_rows: list[dict[str, Any]]) -> str:
    """The year-by-year table, then each disagreement with its sources, then each target's outcome."""
    labels = [label for label, _m in q.HISTORY_SERIES]
    units = {label: next((t[label]["unit"] for t in table if t[label]), "count") for label in labels}
    heads = [f"{label} (M EUR)" if units[label] == "EUR" else label for label in labels]
    cells = [[t["year"]] + [cell(t[label], side, units[label]) for label in labels for side in ("actual", "target")]
             for t in table]
    width = max([len(c) for row in cells for c in row[1:]] + [6])
    pair = [max(2 * width + 2, len(h)) for h in heads]
    out = [f"{subject}: year by year (~ approximate, ! sources disagree: see below)", ""]
    out.append("    ".join(["year"] + [h.ljust(w) for h, w in zip(heads, pair)]).rstrip())
    out.append("    ".join(["    "] + [f"{'actual'.ljust(width)}  {'target'}".ljust(w) for w in pair]).rstrip())
    for row in cells:
        parts = [row[0].ljust(4)] + [f"{row[1 + 2 * i].ljust(width)}  {row[2 + 2 * i]}".ljust(w)
                                     for i, w in enumerate(pair)]
        out.append("    ".join(parts).rstrip())
    if not cells:
        out.append("(no figures in these series)")
    if conflict_rows:
        out += ["", "Sources disagree:"]
        for key, items in _group(conflict_rows, ("metric", "period", "status")).items():
            values = " vs ".join(f"{'~' if i['approx'] else ''}{_num(i['value'])} ({Path(i['source'] or '').name}, "
                                 f"{i['published'] or '?'})" for i in items)
            out.append(f"  {key[1]} {key[0]} {key[2]}: {values}; kept {'~' if items[0]['retained_approx'] else ''}{_num(items[0]['retained'])}")
    if target_rows:
        out += ["", "Targets:"]
        for t in target_rows:
            unit = t.get("unit")
            line = f"  {t['period']} {t['metric']}: target {_fmt(t['target'], unit)}"
            if t["actual"] is not None:
                sign = "+" if t["difference"] >= 0 else "-"
                line += (f", actual {_fmt(t['actual'], unit)}: {t['outcome']} "
                         f"({sign}{_fmt(abs(t['difference']), unit)}, {t['ratio']:.0%} of target)"
                         if t["ratio"] is not None else f", actual {_fmt(t['actual'], unit)}: {t['outcome']}")
            else:
                line += f": {t['outcome']}"
            out.append(line)
    return "\n".join(out)


def render_leaders(rows: list[dict[str, Any]]) -> str:
    """The leadership timeline: each office's holders in order, their terms and how each bound is known
    ("2014-06 stated", "2016 inferred"); "?" when a bound is unknown."""
    out = ["Leaders (term of office; stated: a sentence gives the date, inferred: see `pressfacts who`):"]
    width = max(len(r["person"]) for r in rows)
    role = None
    for r in rows:
        if r["role"] != role:
            role = r["role"]
            out.append(f"  {role}")
        start = f"{r['term_start']} {r['term_start_how']}" if r.get("term_start") else "?"
        end = (f"{r['term_end']} {r['term_end_how']}" if r.get("term_end")
               else f"in office, last seen {r['last_seen']}" if r.get("last_seen") else "?")
        out.append(f"    {r['person'].ljust(width)}  {start} -> {end}" + ("  (sources disagree)" if r.get("term_conflict") else ""))
    return "\n".join(out)


def _group(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    return groups


def term_spans(leaders: list[dict[str, Any]], first_year: int, last_year: int,
               role: str = "president") -> list[tuple[str, float, float]]:
    """The terms of one office as spans on the chart's year axis, clipped to it: (person, x0, x1).

    Year Y's bars are centred on Y, so Y covers [Y - 0.5, Y + 0.5]; a bound falls inside its year by
    its first possible day ("2014-07-01" -> 2014.0, "2014" -> 2013.5). The end is the first day out
    of office, so a term ends where its successor's starts. An open end runs to the axis end."""
    from pipeline.terms import lower

    lo, hi = first_year - 0.5, last_year + 0.5

    def x(day: str) -> float:
        d = dt.date.fromisoformat(day)
        days = (dt.date(d.year + 1, 1, 1) - dt.date(d.year, 1, 1)).days
        return d.year - 0.5 + (d.timetuple().tm_yday - 1) / days

    spans = []
    for r in leaders:
        if r["role"] != role or not r.get("term_start"):
            continue
        x0 = x(lower(r["term_start"]))
        x1 = x(lower(r["term_end"])) if r.get("term_end") else hi
        x0, x1 = max(x0, lo), min(x1, hi)
        if x1 > x0:
            spans.append((r["person"], round(x0, 4), round(x1, 4)))
    return spans


def plot_history(subject: str, table: list[dict[str, Any]], path: Path, footer: str | None = None,
                 leaders: list[dict[str, Any]] | None = None) -> Path:
    """Bars per year, actual beside target, one panel per series; hatched = approximate, red edge =
    sources disagree (each disagreement spelt out under the chart), met/missed above target bars;
    each president's term shaded behind the bars, named in the top panel (`term_spans`).

    Years without figures stay on the axis as gaps. `footer` (the build date and sources) goes at
    the bottom. The Agg backend and fixed settings make the same inputs give the same PNG.
    """
    try:
        import matplotlib
    except ImportError as exc:
        raise click.ClickException(f"--plot needs matplotlib ({exc}): reinstall with pip install -e .") from exc
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import Patch

    series = [(label, metric) for label, metric in q.HISTORY_SERIES if any(t[label] for t in table)]
    by_year = {int(t["year"]): t for t in table if str(t["year"]).isdigit()}
    if not series or not by_year:
        raise click.ClickException(f"nothing to plot for {subject}: no yearly figures in these series")
    years = list(range(min(by_year), max(by_year) + 1))
    disagreements = [f"{label} {d}" for label, _m in series for d in _disagreements(by_year, label)]
    notes = (["Sources disagree (red edge): " + "; ".join(disagreements)] if disagreements else []) + (
        [footer] if footer else [])
    bottom_in = 0.25 + 0.2 * len(notes)  # inches under the panels for the notes
    height = 2.4 * len(series) + 0.9 + bottom_in
    with matplotlib.rc_context({"font.size": 9, "svg.hashsalt": "pressfacts"}):
        fig, axes = plt.subplots(len(series), 1, figsize=(10, height), sharex=True, squeeze=False)
        spans = term_spans(leaders or [], years[0], years[-1])
        for ax, (label, metric) in zip(axes[:, 0], series):
            for k, (_person, x0, x1) in enumerate(spans):
                ax.axvspan(x0, x1, color=_TERM_SHADES[k % 2], zorder=0, linewidth=0)
            _panel(ax, by_year, label, metric)
        top = axes[0, 0]
        for person, x0, x1 in spans:
            top.text((x0 + x1) / 2, 0.98, person.replace(" ", "\n", 1), transform=top.get_xaxis_transform(),
                     ha="center", va="top", fontsize=6.5, color="#555555")
        axes[-1, 0].set_xticks(years, [str(y) for y in years])
        axes[-1, 0].set_xlim(years[0] - 0.6, years[-1] + 0.6)
        fig.suptitle(f"{subject}: actual vs target by year", fontsize=12, y=0.995)
        fig.legend(handles=[Patch(color=_COLORS["actual"], label="actual"),
                            Patch(color=_COLORS["target"], label="target"),
                            Patch(facecolor="white", edgecolor="grey", hatch="//", label="approximate"),
                            Patch(facecolor="white", edgecolor="red", linewidth=1.5, label="sources disagree"),
                            Patch(color=_OUTCOME_COLORS["met"], label="target met"),
                            Patch(color=_OUTCOME_COLORS["missed"], label="target missed")],
                   loc="upper center", ncols=6, fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.97))
        for n, note in enumerate(notes):
            fig.text(0.01, (0.08 + 0.2 * (len(notes) - 1 - n)) / height, textwrap.shorten(note, 190, placeholder=" …"),
                     fontsize=7.5, ha="left", va="bottom", color="#b3261e" if note.startswith("Sources") else "#444")
        fig.tight_layout(rect=(0, bottom_in / height, 1, 0.94))
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110, metadata={"Software": None})
        plt.close(fig)
    return path


_COLORS = {"actual": "#1f77b4", "target": "#ff7f0e"}
_TERM_SHADES = ("#f2f2f2", "#e3e8ef")  # alternate presidents' terms
_OUTCOME_COLORS = {"met": "#1a7f37", "missed": "#b3261e"}


def _disagreements(by_year: dict[int, dict[str, Any]], label: str) -> list[str]:
    """"2014 actual: 63 vs ~70" for each figure of a series on which sources disagree."""
    out = []
    for year, t in sorted(by_year.items()):
        r = t[label]
        for side in ("actual", "target"):
            if r and r.get(f"{side}_conflict") and r.get(f"{side}_values"):  # "63 [d02.html] | ~70 [d10.txt]"
                values = " vs ".join(v.split(" [")[0] for v in r[f"{side}_values"].split(" | "))
                out.append(f"{year} {side}: {values}")
    return out


def _panel(ax: Any, by_year: dict[int, dict[str, Any]], label: str, metric: str) -> None:
    width = 0.38
    unit = next((t[label]["unit"] for t in by_year.values() if t[label]), "count")
    scale = 1e6 if unit == "EUR" else 1
    for offset, side in ((-width / 2, "actual"), (width / 2, "target")):
        for year, t in sorted(by_year.items()):
            r = t[label]
            if r is None or r.get(side) is None:
                continue
            conflict = bool(r.get(f"{side}_conflict"))
            value = r[side] / scale
            ax.bar(year + offset, value, width, color=_COLORS[side], hatch="//" if r.get(f"{side}_approx") else None,
                   edgecolor="red" if conflict else "white", linewidth=1.5 if conflict else 0.5)
            ax.annotate(cell(r, side, unit), (year + offset, value), ha="center", va="bottom", fontsize=7,
                        xytext=(0, 1), textcoords="offset points", color="red" if conflict else "black")
            outcome = r.get("outcome") if side == "target" else None
            if outcome in _OUTCOME_COLORS:  # the target bar says whether the actual reached it
                ax.annotate(outcome, (year + offset, value), ha="center", va="bottom", fontsize=7, weight="bold",
                            xytext=(0, 10), textcoords="offset points", color=_OUTCOME_COLORS[outcome])
    ax.set_title(f"{label} ({metric})", fontsize=10, loc="left")
    disagreements = _disagreements(by_year, label)
    if disagreements:
        ax.set_title("sources disagree: " + "; ".join(disagreements), fontsize=8, loc="right", color="red")
    ax.set_ylabel({"EUR": "million EUR", "percent": "%"}.get(unit, "count"))
    ax.margins(y=0.2)
    ax.grid(axis="y", linewidth=0.3, alpha=0.6)
    ax.set_axisbelow(True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@_db_option
def serve(db_path: str, host: str, port: int) -> None:
    """Browse the fact base in Datasette, read-only, with facets and canned queries.

    Example: pressfacts serve --db output/facts.db  (then open http://127.0.0.1:8001/)
    """
    try:
        from datasette.cli import cli as datasette_cli
        from datasette.plugins import pm

        from pipeline.web import TEMPLATES, plugin
    except ImportError as exc:
        raise click.ClickException(f"serve needs Datasette ({exc}): reinstall with pip install -e .") from exc
    try:
        path = q.check_db(db_path)
    except q.QueryError as exc:
        raise click.ClickException(str(exc)) from exc
    _check_port(host, port)
    if not pm.is_registered(plugin):
        pm.register(plugin, name="pressfacts")  # the front page, source pages, links, pf_fts()
    with tempfile.TemporaryDirectory(prefix="pressfacts-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        from pipeline.store import datasette_metadata

        meta.write_text(json.dumps(datasette_metadata(path.stem), ensure_ascii=False, indent=1), encoding="utf-8")
        click.echo(f"serving {path} read-only on http://{host}:{port}/", err=True)
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"note: --host {host} makes the fact base reachable from other machines", err=True)
        try:
            datasette_cli.main(["serve", "-i", str(path), "--host", host, "--port", str(port), "--metadata", str(meta),
                                "--template-dir", str(TEMPLATES), "--setting", "sql_time_limit_ms", "3000"],
                               prog_name="datasette", standalone_mode=False)
        except OSError as exc:  # the port is taken, the address is not this machine's
            raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror or exc}; "
                                       "choose another --port or --host") from exc


def _check_port(host: str, port: int) -> None:
    """ClickException (exit 1) when the server could not listen on host:port (taken, not ours)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot serve on {host}: {exc.strerror or exc}; choose another --host") from exc
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            s.bind(address)
        except OSError as exc:
            raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror or exc}; "
                                       "choose another --port or --host") from exc


@click.command()
@click.option("--on", "on", required=True, help="A date: 2014, 2014-09 or 2014-09-15.")
@click.option("--role", help="president | vice_president | director_general | chief_executive | founder (default: all).")
@click.option("--org", help="Organization (case and accents optional; default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of terms.")
@_db_option
def who(on: str, role: str | None, org: str | None, as_json: bool, db_path: str) -> None:
    """Who held an office on a date, from the terms of office, with the evidence of each bound.

    A term starts on a stated date ("élu le 12 janvier 2016", "since June 2014") or one inferred
    from the sources (an appointment article, a predecessor's departure); it ends on the day a
    successor starts, a stated end, or a reported departure. Example:
    pressfacts who --on 2014-09 --role president --org "Provence Promotion" --db output/facts.db
    """
    try:
        rows = q.holders_on(_open(db_path), on, role, org)
    except q.QueryError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo(f"no known holder on {on}" + (f" for {role}" if role else "") + (f" at {org}" if org else ""))
        return
    for r in rows:
        click.echo(render_term(r))


def _bound_text(r: dict[str, Any], side: str) -> str:
    if not r.get(f"term_{side}"):
        return "in office (last seen " + (r.get("last_seen") or "?") + ")" if side == "end" else "?"
    return f"{r[f'term_{side}']} ({r[f'term_{side}_how']})"


def render_term(r: dict[str, Any]) -> str:
    """One holder's term: who, what, from when to when, and the sentence each bound rests on."""
    lines = [f"{r['person']}: {r['role']} of {r['org']}, {_bound_text(r, 'start')} -> {_bound_text(r, 'end')}"
             + ("  [sources disagree on the term]" if r.get("term_conflict") else "")]
    for side in ("start", "end"):
        if r.get(f"term_{side}"):
            lines.append(f"  {side}: {r[f'term_{side}_basis']}; {r[f'term_{side}_source']}: "
                         f"\"{r[f'term_{side}_sentence']}\"")
    return "\n".join(lines)


def register(main: click.Group) -> None:
    """Add query, history, who and serve to the `pressfacts` command group."""
    for command in (query, history, who, serve):
        main.add_command(command)

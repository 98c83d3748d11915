#!/usr/bin/env python3
"""Build-throughput benchmark: synthetic corpora, every measurement in a fresh process.

    python bench/run_bench.py                      # 1k and 10k documents (long)
    python bench/run_bench.py --sizes 1000 --skip startup,stages
    python bench/run_bench.py --only stages        # where the time goes, per stage

Writes the corpora to bench/out/corpus-N (once), the raw figures to bench/out/results.json and
the table to bench/RESULTS.md. At each size, with --processes workers (default: the cores):

- cold      `build` with an empty cache, models loaded inside the clock; peak RSS of the driver,
            of the largest worker and of all processes together (sampled from /proc)
- raw       nlp.pipe(n_process=--processes) alone over the same cleaned sections (the
            documents.jsonl of the cold build), the same models and components: the limit
- warm      the same build again: every record from the cache (whole command)
- changed   one file edited, rebuilt (whole command); then restored and compared byte for byte
- resumed   a cold build SIGKILLed half-way, then run again: compared byte for byte
- dask      --engine dask on a LocalCluster of --processes workers, compared byte for byte
- startup / stages (separate): start-up pieces, CPU per stage on a sample, and from it the stage
            budget: spaCy alone (what raw runs) against what the build adds, the ratio a runner
            that lost nothing would reach, and what the goal of 0.85 leaves for the stages

RESULTS.md's tables are written again by every run; what follows its notes marker (NOTES_MARK)
is written by hand and kept.

The machine may be shared: CPU seconds (user+sys, this process and its children) are reported
beside wall seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _self_cpu() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    return s.ru_utime + s.ru_stime


def _rss_mb() -> dict[str, float]:
    return {"rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _words(out: Path) -> int:
    n = 0
    with (out / "documents.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            n += len(json.loads(line)["text"].split())
    return n


# --- children: one measurement each, result printed as "RESULT {json}" ---------------------------


def child_startup(_args: argparse.Namespace) -> dict[str, object]:
    t0 = time.perf_counter()
    import pipeline.factbase
    import pipeline.run  # noqa: F401
    t_import = time.perf_counter() - t0
    t = time.perf_counter()
    import spacy

    t_spacy_import = time.perf_counter() - t

    from pipeline import language, nlp
    from pipeline.config import Config
    from pipeline.resources import load_resources

    cfg = Config()

    def plain() -> float:
        t = time.perf_counter()
        for lang in cfg.languages:
            spacy.load(nlp.model_name(lang, cfg), exclude=cfg.spacy_disable)
        return time.perf_counter() - t

    t_plain = plain()  # spaCy's own load, first in this process (what a run pays)
    t_plain_again = plain()  # the same with warm caches, to compare with ours below
    t = time.perf_counter()
    for lang in cfg.languages:
        nlp.load(lang, cfg)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    load_resources(cfg.models_dir)
    language.detect("Provence Promotion a accompagné 60 projets.")
    t_detector = time.perf_counter() - t
    rulers = t_ours - t_plain_again  # entity rulers over the gazetteer and the sentence guard
    return {"import_s": t_import, "spacy_import_s": t_spacy_import, "spacy_load_s": t_plain, "our_load_s": t_ours,
            "rulers_s": rulers,
            "detector_s": t_detector, "beyond_spacy_s": t_import + max(0.0, rulers) + t_detector}


def child_first(args: argparse.Namespace) -> dict[str, object]:
    """A cold build of one French and one English article, from process start: what a user waits
    before the first records, to compare with spaCy's own load of the two models."""
    t0 = time.perf_counter()
    from pipeline.config import Config
    from pipeline.factbase import build

    s = build([args.corpus], args.out, Config(), use_cache=False)
    return {"first_build_s": time.perf_counter() - t0, "inputs": s.inputs, "phases": s.phases}


def child_raw(args: argparse.Namespace) -> dict[str, object]:
    from pipeline import nlp
    from pipeline.config import Config

    # --full: the complete pipelines without the lemmatizer; without it, the default (complete
    # pipelines since figures are read through the parse; bench/components.py compares sets).
    cfg = Config(spacy_disable=["lemmatizer"], spacy_enable=[]) if args.full else Config()
    by_lang: dict[str, list[str]] = {}
    docs = 0
    with (Path(args.out) / "documents.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            docs += 1
            if d["status"] != "ok":
                continue
            for s in d["sections"]:
                text = d["text"][s["start"]:s["end"]]
                if s["lang"] in cfg.languages and text.strip():
                    by_lang.setdefault(s["lang"], []).append(text)
    pipes = {lang: nlp.load(lang, cfg) for lang in by_lang}
    t, c = time.perf_counter(), _cpu()
    for lang, texts in sorted(by_lang.items()):
        for _doc in pipes[lang].pipe(texts, batch_size=cfg.batch_size, n_process=args.n_process):
            pass
    return {"docs": docs, "sections": sum(map(len, by_lang.values())), "seconds": time.perf_counter() - t,
            "cpu_s": _cpu() - c, "n_process": args.n_process, "full": bool(args.full), **_rss_mb()}


class _TreeMemory:
    """Peak of the summed RSS of this process and all its descendants (the build and its
    workers), sampled from /proc every 0.1 s in a thread; and the CPU seconds the descendants
    used (the runner's workers are the forkserver's children, which getrusage never counts:
    the last value seen of each one's user+system time, so a process that ends between two
    samples loses at most 0.1 s)."""

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self.peak_worker_mb = 0.0
        self.cpu: dict[int, float] = {}  # descendant pid -> user+system seconds, last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> dict[int, float]:
        """RSS in MB of this process and its descendants; records their CPU seconds on the way.
        Walks down from this process (/proc/PID/task/TID/children), not all of /proc: scanning
        every process of the machine ten times a second took a good share of a core."""
        page = os.sysconf("SC_PAGE_SIZE") / (1 << 20)
        tick = os.sysconf("SC_CLK_TCK")
        me = os.getpid()
        mine: dict[int, float] = {}
        todo = [me]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/statm", "rb") as fh:
                    mine[pid] = int(fh.read().split()[1]) * page
                if pid != me:
                    with open(f"/proc/{pid}/stat", "rb") as fh:
                        fields = fh.read().rsplit(b")", 1)[1].split()
                    self.cpu[pid] = max(self.cpu.get(pid, 0.0), (int(fields[11]) + int(fields[12])) / tick)
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                        todo.extend(int(c) for c in fh.read().split())
            except (OSError, ValueError, IndexError):
                continue
        return mine

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            tree = self._tree()
            self.peak_mb = max(self.peak_mb, sum(tree.values()))
            others = [v for pid, v in tree.items() if pid != os.getpid()]
            self.peak_worker_mb = max([self.peak_worker_mb, *others])

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self._tree()  # a last look at the workers, still alive (a runner outlives its build)
        return {"rss_tree_peak_mb": round(self.peak_mb, 1), "rss_worker_peak_mb": round(self.peak_worker_mb, 1),
                "cpu_workers_s": round(sum(self.cpu.values()), 1)}


def child_build(args: argparse.Namespace) -> dict[str, object]:
    t_start = time.perf_counter()
    import pipeline.factbase
    from pipeline.config import Config
    from pipeline.factbase import build

    seen: dict[str, float] = {}
    real_finish = pipeline.factbase.DbWriter.finish

    def finish(self: pipeline.factbase.DbWriter) -> Path:  # peak memory of the build itself, before it
        seen["rss_before_db_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # waits for facts.db
        return real_finish(self)

    pipeline.factbase.DbWriter.finish = finish  # type: ignore[method-assign]
    cfg = Config(processes=args.processes)
    memory = _TreeMemory()
    t, c = time.perf_counter(), _self_cpu()
    s = build([args.corpus], args.out, cfg, engine=args.engine, use_cache=not args.no_cache,
              cache_dir=args.cache or None)
    seconds, driver = time.perf_counter() - t, _self_cpu() - c
    tree = memory.stop()
    # CPU: the build's own process and every descendant it had (workers, forkserver, Dask nannies)
    out = {"seconds": seconds, "cpu_s": driver + float(tree["cpu_workers_s"]), "cpu_driver_s": driver,
           "process_s": time.perf_counter() - t_start, **s.as_dict(), **_rss_mb(), **seen, **tree}
    return out


def child_stages(args: argparse.Namespace) -> dict[str, object]:
    """CPU per stage (no profiler running: it would inflate spaCy's share), then a cProfile of a subset."""
    import cProfile
    import pstats
    from collections import Counter

    from pipeline import clean, extraction, language, nlp, run
    from pipeline.config import Config
    from pipeline.factbase import build
    from pipeline.ingest import read
    from pipeline.inputs import iter_inputs

    cfg = Config(isolate=False)
    paths = sorted(p for p, skip in iter_inputs([args.corpus]) if skip is None)[: args.sample]
    for lang in cfg.languages:
        nlp.load(lang, cfg)
    # warm the detector, the lexicons and each language's memoized regexes
    run.run_batch(paths[:1] + paths[-20:], cfg)
    cpu: Counter[str] = Counter()

    def timed(name: str, fn, *a):  # type: ignore[no-untyped-def]
        c = time.process_time()
        out = fn(*a)
        cpu[name] += time.process_time() - c
        return out

    docs = []
    for p in paths:
        d = timed("ingest", read, p, cfg)
        d = timed("clean", clean.run, d, cfg)
        docs.append(timed("language", language.run, d, cfg))
    # what raw runs: nlp.pipe alone over the same sections, in batches of the build's size
    def spacy_alone() -> None:
        for i in range(0, len(docs), cfg.batch_size):
            for lang, items in nlp.batch_sections(docs[i:i + cfg.batch_size], cfg):
                for _doc in nlp.load(lang, cfg).pipe([t for t, _ in items], batch_size=cfg.batch_size):
                    pass

    # The conversion (spaCy's Doc to the build's Analysis) is timed where it runs, inside the
    # build's nlp stage: the difference of two timings of spaCy, tried before, moved by several
    # ms a document between runs of the same code.
    converting = ("compact", "expand", "_paragraph_starts")
    spent = [0.0]

    def clocked(fn):  # type: ignore[no-untyped-def]
        def call(*a, **k):  # type: ignore[no-untyped-def]
            c = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[0] += time.process_time() - c
        return call

    def analyze():  # type: ignore[no-untyped-def]
        originals = {name: getattr(nlp, name) for name in converting}
        spent[0] = 0.0
        try:
            for name, fn in originals.items():
                setattr(nlp, name, clocked(fn))
            return list(nlp.analyze(docs, cfg))
        finally:
            for name, fn in originals.items():
                setattr(nlp, name, fn)

    # A first pass pays one-off costs (new words enter the vocab); then the two are run in turn,
    # three rounds, and each keeps its least CPU: on a machine shared with other jobs one round
    # can differ from the next by 10 %.
    spacy_alone()
    best: dict[str, float] = {}
    for _round in range(3):
        c = time.process_time()
        spacy_alone()
        best["spacy_alone"] = min(best.get("spacy_alone", float("inf")), time.process_time() - c)
        pairs = analyze()
        best["conversion"] = min(best.get("conversion", float("inf")), spent[0])
    cpu.update(best)
    timed("extract", lambda: [extraction.run(d, a, cfg) for d, a in pairs])
    timed("records", lambda: [d.model_dump(mode="json") for d in docs])
    sample = Path(args.out) / "sample"
    shutil.rmtree(sample, ignore_errors=True)
    sample.mkdir(parents=True)
    for p in paths:
        shutil.copy(p, sample / p.name)
    build([sample], Path(args.out) / "sample-out", cfg)  # fills the cache
    s = timed("outputs", build, [sample], Path(args.out) / "sample-out", cfg)  # every record cached
    prof = cProfile.Profile()
    prof.enable()
    run.run_batch(paths[:60], cfg)
    prof.disable()
    with (Path(args.out) / "profile.txt").open("w") as fh:
        pstats.Stats(prof, stream=fh).sort_stats("tottime").print_stats(40)
    return {"docs": len(paths), "cpu_s": dict(cpu), "output_phases": s.phases}


CHILDREN = {"first": child_first, "startup": child_startup, "raw": child_raw, "build": child_build, "stages": child_stages}


def _argv(name: str, **kw: object) -> list[str]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", name]
    for k, v in kw.items():
        if v is True:
            argv.append(f"--{k.replace('_', '-')}")
        elif v not in (None, False):
            argv += [f"--{k.replace('_', '-')}", str(v)]
    return argv


def killed_after(seconds: float, name: str, **kw: object) -> None:
    """Start a child and SIGKILL it (and its workers) after `seconds`: a build killed half-way."""
    proc = subprocess.Popen(_argv(name, **kw), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    time.sleep(seconds)
    os.killpg(proc.pid, 9)
    proc.wait()
    print(f"  killed {name} {kw} after {seconds} s", flush=True)


def run_child(name: str, **kw: object) -> dict[str, object]:
    argv = _argv(name, **kw)
    t = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - t
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{name} {kw} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result: dict[str, object] = json.loads(lines[-1][7:])
    result["command_s"] = wall
    print(f"  {name} {kw}: {json.dumps(result)[:300]}", flush=True)
    return result


# --- the orchestra ----------------------------------------------------------------------------


def same_outputs(a: Path, b: Path) -> bool:
    names = ("documents.jsonl", "facts.jsonl", "entities.jsonl", "history.json", "manifest.json", "facts.db")
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


def bench_size(n: int, results: dict[str, dict[str, object]], skip: set[str], processes: int) -> None:
    """Every measurement at `n` documents with `processes` workers (the cores, by default)."""
    from corpus_gen import make_corpus

    corpus = make_corpus(OUT / f"corpus-{n}", n)
    rel = os.path.relpath(corpus, ROOT)
    r: dict[str, object] = {"processes": processes}
    results[str(n)] = r
    out, ref, od = OUT / f"out-{n}", OUT / f"out-{n}-ref", OUT / f"out-{n}-dask"
    for o in (out, ref, od):
        shutil.rmtree(o, ignore_errors=True)
    r["cold"] = run_child("build", corpus=rel, out=out, processes=processes)
    shutil.copytree(out, ref, ignore=shutil.ignore_patterns(".cache"))
    r["words"] = _words(out)
    r["raw"] = run_child("raw", out=out, n_process=processes)  # the same cleaned sections, the same components
    r["warm"] = run_child("build", corpus=rel, out=out, processes=processes)
    r["same_warm"] = same_outputs(out, ref)
    if n > 2000:  # at 10k: throughput, memory and the warm rebuild only
        return
    victim = sorted((corpus / "part000").iterdir())[3]
    original = victim.read_bytes()
    try:
        victim.write_bytes(original.replace(b"</p>", b" Une phrase de plus.</p>", 1) if victim.suffix == ".html"
                           else original + b"\nOne more line.\n")
        r["changed"] = run_child("build", corpus=rel, out=out, processes=processes)
    finally:
        victim.write_bytes(original)
    r["restored"] = run_child("build", corpus=rel, out=out, processes=processes)  # back to the original file
    r["same_restored"] = same_outputs(out, ref)
    orr = OUT / f"out-{n}-resume"
    shutil.rmtree(orr, ignore_errors=True)
    kill_at = round(max(8.0, float(r["cold"]["process_s"]) / 2), 1)  # half-way through a cold build
    r["kill_at"] = kill_at
    killed_after(kill_at, "build", corpus=rel, out=orr, processes=processes)
    r["resumed"] = run_child("build", corpus=rel, out=orr, processes=processes)
    r["same_resumed"] = same_outputs(orr, ref)
    if "dask" not in skip:
        r["dask"] = run_child("build", corpus=rel, out=od, processes=processes, engine="dask", no_cache=True)
        r["same_dask"] = same_outputs(ref, od)


def _f(v: object, nd: int = 1) -> str:
    return f"{v:.{nd}f}" if isinstance(v, (int, float)) else "–"


def write_results(results: dict[str, dict[str, object]]) -> None:
    (OUT / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True))
    rows = ["| docs | measurement | wall s | CPU s | docs/s (wall) | peak RSS MB: driver / largest worker / all processes | note |",
            "|---|---|---|---|---|---|---|"]
    for size, r in sorted(((k, v) for k, v in results.items() if k.isdigit()), key=lambda kv: int(kv[0])):
        n = int(size)
        cold, raw = r.get("cold"), r.get("raw")
        for key in ("cold", "raw", "warm", "changed", "resumed", "dask"):
            m = r.get(key)
            if not isinstance(m, dict) or "seconds" not in m:
                continue
            sec = m["command_s"] if key in ("warm", "changed") else m["seconds"]
            docs = m.get("docs") or m.get("inputs") or n
            note = {
                "cold": f"`pressfacts build`, {r.get('processes')} worker processes, empty cache; models loaded "
                        f"inside the clock; phases {m.get('phases')}",
                "raw": f"`nlp.pipe(n_process={m.get('n_process')})` alone over the build's cleaned sections, same "
                       f"models and components, models loaded before the clock",
                "warm": f"the same build again, whole command: {m.get('processed')} processed, output folder up to "
                        f"date: {m.get('up_to_date')}; output identical: {r.get('same_warm')}",
                "changed": f"one file edited, whole command: {m.get('processed')} processed; after restoring it, "
                           f"output identical: {r.get('same_restored')}",
                "resumed": f"re-run of a build SIGKILLed after {r.get('kill_at')} s: {m.get('processed')} processed, "
                           f"{m.get('cached')} from the cache; output identical: {r.get('same_resumed')}",
                "dask": f"`--engine dask`, LocalCluster of {r.get('processes')} workers; output identical: "
                        f"{r.get('same_dask')}",
            }[key]
            rss = (f"{_f(m.get('rss_self_mb'), 0)} / {_f(m.get('rss_worker_peak_mb', m.get('rss_child_mb')), 0)} / "
                   f"{_f(m.get('rss_tree_peak_mb'), 0)}")
            rows.append(f"| {n} | {key} | {_f(sec, 2)} | {_f(m.get('cpu_s'), 1)} | {_f(docs / sec if sec else 0)} | "
                        f"{rss} | {note} |")
        if isinstance(cold, dict) and isinstance(raw, dict):
            rows.append(f"| {n} | ratio build / raw | | | {raw['seconds'] / cold['seconds']:.2f} | | throughput of "
                        f"the build over that of raw nlp.pipe (goal ≥ 0.85) |")
            if cold.get("cpu_workers_s"):
                rows.append(f"| {n} | CPU ratio raw / build | | {float(raw['cpu_s']) / float(cold['cpu_s']):.2f} | | | "
                            f"CPU seconds of raw over those of the build, all processes (less sensitive than "
                            f"wall time to other jobs on the machine) |")
    import importlib.metadata
    import platform

    machine = (f"{os.cpu_count()} cores, Python {platform.python_version()}, spaCy "
               f"{importlib.metadata.version('spacy')}, pebble {importlib.metadata.version('pebble')}; load average "
               f"when written {', '.join(f'{x:.1f}' for x in os.getloadavg())}. The machine is shared with other "
               f"engineers' jobs: wall times vary by ±30 % or more between identical runs, CPU seconds less.")
    text = ["# Benchmark results", "", ("Produced by `python bench/run_bench.py` (see its docstring); synthetic "
                                         "corpora from bench/corpus_gen.py."), "", machine, "", *rows, ""]
    text += _goals(results)
    text += _budget(results)
    path = HERE / "RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    notes = old[old.index(NOTES_MARK):] if NOTES_MARK in old else f"{NOTES_MARK}\n"
    path.write_text("\n".join(text) + "\n\n" + notes, encoding="utf-8")


# Everything in RESULTS.md from this line on is written by hand (what a run showed, what was
# tried) and kept when the tables above it are written again.
NOTES_MARK = "<!-- notes written by hand below: kept when run_bench.py rewrites the tables above -->"


def _budget(results: dict[str, dict[str, object]]) -> list[str]:
    """The stage budget from the `stages` sample: what raw runs (spaCy alone) against what the
    build adds, the ratio a runner that lost nothing would reach, and what 0.85 allows."""
    stages = results.get("stages")
    cpu = stages.get("cpu_s") if isinstance(stages, dict) else None
    if not isinstance(cpu, dict) or "spacy_alone" not in cpu:
        return []
    docs = float(stages["docs"])  # type: ignore[index, arg-type]
    ms = {k: 1000 * float(v) / docs for k, v in cpu.items()}
    spacy = ms["spacy_alone"]
    conversion = ms["conversion"] if "conversion" in ms else ms["spacy_and_conversion"] - spacy  # older results
    added = {"conversion": conversion, **{k: ms[k] for k in ("ingest", "clean", "language", "extract") if k in ms}}
    total = sum(added.values())
    pieces = ", ".join(f"{k} {v:.1f}" for k, v in added.items())
    return ["", "## Stage budget (the `stages` sample)", "",
            f"CPU per document in one process, {docs:.0f} documents of corpus-1000: spaCy alone (what raw runs) "
            f"{spacy:.1f} ms; what the build adds {total:.1f} ms ({pieces}). A runner that lost nothing would "
            f"reach {spacy / (spacy + total):.2f} of raw; 0.85 allows {spacy * 0.15 / 0.85:.1f} ms of added stages."]


def _goals(results: dict[str, dict[str, object]]) -> list[str]:
    out = ["## Against the goals of issue 13", ""]
    sizes = sorted((k for k in results if k.isdigit()), key=int)
    for size in sizes:
        r = results[size]
        cold, raw, warm, dask = r.get("cold"), r.get("raw"), r.get("warm"), r.get("dask")
        if isinstance(cold, dict) and isinstance(raw, dict):
            out.append(f"- {size} documents: build / raw nlp.pipe(n_process={raw.get('n_process')}) = "
                       f"{raw['seconds'] / cold['seconds']:.2f} — goal ≥ 0.85")
        if isinstance(cold, dict) and isinstance(warm, dict):
            out.append(f"- {size} documents: warm rebuild {cold['seconds'] / warm['command_s']:.0f}× faster than cold "
                       f"(whole command {warm['command_s']:.2f} s) — goal ≥ 50×")
        if isinstance(cold, dict) and isinstance(dask, dict):
            out.append(f"- {size} documents: Dask LocalCluster / local runner = {cold['seconds'] / dask['seconds']:.2f} "
                       f"— goal ≥ 0.8")
    if len(sizes) > 1:
        a, b = results[sizes[0]].get("cold"), results[sizes[-1]].get("cold")
        if isinstance(a, dict) and isinstance(b, dict) and a.get("rss_tree_peak_mb") and b.get("rss_tree_peak_mb"):
            x, y = float(a["rss_tree_peak_mb"]), float(b["rss_tree_peak_mb"])  # type: ignore[arg-type]
            out.append(f"- peak RSS of all processes, {sizes[0]} → {sizes[-1]} documents: {x:.0f} → {y:.0f} MB "
                       f"({(y - x) / x * 100:+.1f} %) — goal within 10 %")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child")
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--processes", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--skip", default="", help="comma list: dask, startup, stages")
    ap.add_argument("--only", default="", help="stages | startup: run just that")
    for opt in ("corpus", "out", "cache", "engine"):
        ap.add_argument(f"--{opt}", default="local" if opt == "engine" else None)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--preload", action="store_true")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--no-cache", action="store_true")
    args = ap.parse_args()
    if args.child:
        print("RESULT " + json.dumps(CHILDREN[args.child](args)), flush=True)
        return
    sys.path.insert(0, str(HERE))
    OUT.mkdir(exist_ok=True)
    prev = OUT / "results.json"
    results: dict[str, dict[str, object]] = json.loads(prev.read_text()) if prev.exists() else {}
    skip = set(filter(None, args.skip.split(",")))
    if args.only == "startup" or (not args.only and "startup" not in skip):
        results["startup"] = run_child("startup")
        two = OUT / "first-corpus"
        two.mkdir(parents=True, exist_ok=True)
        for name in ("2016-01-solange-biaggi-presidente-bilan-2015.html", "2014-07-gachon-chairman-2013-jobs-record.html"):
            shutil.copy(ROOT / "corpus" / name, two / name)
        results["first"] = run_child("first", corpus=os.path.relpath(two, ROOT), out=OUT / "first-out")
    if args.only == "stages" or (not args.only and "stages" not in skip):
        from corpus_gen import make_corpus

        make_corpus(OUT / "corpus-1000", 1000)
        results["stages"] = run_child("stages", corpus=os.path.relpath(OUT / "corpus-1000", ROOT), out=OUT,
                                      sample=args.sample)
    if not args.only:
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"{n} documents", flush=True)
            bench_size(n, results, skip, args.processes)
            write_results(results)
    write_results(results)
    print((HERE / "RESULTS.md").read_text())


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build-throughput benchmark: synthetic corpora, every measurement in a fresh process.

    python bench/run_bench.py                      # 1k and 10k documents, everything (long)
    python bench/run_bench.py --sizes 1000 --skip dask
    python bench/run_bench.py --only stages        # where the time goes, per stage

Writes the corpora to bench/out/corpus-N (once), the raw figures to bench/out/results.json and
the table to bench/RESULTS.md. Measurements:

- startup   import time, spaCy's own load of the models (spacy.load), our load of the same
            pipelines (rulers and guard added), the language detector: what a run pays before
            its first document, beyond spaCy's load
- raw       nlp.pipe alone over the same cleaned sections (the documents.jsonl of a build), the
            same components, batch 16: the floor; also with n_process=2
- cold      a full build with an empty cache (models loaded before the clock starts when in
            process), 1 and 2 processes; peak RSS of the driver and of the largest worker
- warm      the same build again: every record from the cache, the output folder found up to date
            (whole command, process start to end); warm_new_out: the same records into a new folder,
            so that every output file and facts.db are written again
- changed   one file edited, rebuilt: one document processed
- dask      --engine dask on a 2-worker LocalCluster, output compared byte for byte with local
- stages    CPU per stage on a sample (ingest+clean+language, spaCy, extraction, outputs)

The machine may be shared: CPU seconds (user+sys, this process and its children) are reported
beside wall seconds, and ratios are given on both.
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


def child_build(args: argparse.Namespace) -> dict[str, object]:
    t_start = time.perf_counter()
    import pipeline.factbase
    from pipeline import engines, nlp, nlp_process
    from pipeline.config import Config
    from pipeline.factbase import build

    seen: dict[str, float] = {}
    real_write_db = pipeline.factbase.write_db

    def write_db(tmp: Path) -> Path:  # peak memory of the build itself, before facts.db (pipeline.store)
        seen["rss_before_db_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return real_write_db(tmp)

    pipeline.factbase.write_db = write_db
    cfg = Config(processes=args.processes)
    served = args.engine == "local" and cfg.processes == 1 and cfg.spacy_process and engines.cpu_count() > 1
    spacy_cpu0 = 0.0
    if args.preload:  # in-process runs: keep spaCy's load out of the throughput figure, as raw does
        if served:  # the build's own spaCy process, started and loaded now, reused by the build
            proc = nlp_process.claim(cfg, cfg.languages)
            spacy_cpu0, _ = proc.ping()
            nlp_process.release(proc)
        else:
            for lang in cfg.languages:
                nlp.load(lang, cfg)
    t, c = time.perf_counter(), _cpu()
    s = build([args.corpus], args.out, cfg, engine=args.engine, use_cache=not args.no_cache,
              cache_dir=args.cache or None)
    out = {"seconds": time.perf_counter() - t, "cpu_s": _cpu() - c, "process_s": time.perf_counter() - t_start,
           **s.as_dict(), **_rss_mb(), **seen}
    if served and s.processed:  # the spaCy process's own CPU during the build, and its peak memory
        proc = nlp_process.claim(cfg)
        spacy_cpu, out["rss_spacy_mb"] = proc.ping()
        nlp_process.release(proc)
        out["spacy_cpu_s"] = spacy_cpu - spacy_cpu0
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

    cfg = Config()
    paths = sorted(p for p, skip in run.iter_inputs([args.corpus]) if skip is None)[: args.sample]
    for lang in cfg.languages:
        nlp.load(lang, cfg)
    run.prepare(paths[0], cfg)  # warm the detector and lexicons
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
    pairs = timed("spacy_and_conversion", lambda: list(nlp.analyze(docs, cfg)))
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
    list(run.process((run.prepare(p, cfg) for p in paths[:60]), cfg))
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
    from corpus_gen import make_corpus

    corpus = make_corpus(OUT / f"corpus-{n}", n)
    rel = os.path.relpath(corpus, ROOT)
    r: dict[str, object] = {}
    results[str(n)] = r
    o1, o2, od = OUT / f"out-{n}-p1", OUT / f"out-{n}-p{processes}", OUT / f"out-{n}-dask"
    for o in (o1, o2, od):
        shutil.rmtree(o, ignore_errors=True)
    r["cold_p1"] = run_child("build", corpus=rel, out=o1, processes=1, preload=True)
    r["words"] = _words(o1)
    big = n > 2000  # at 10k: the memory figure, throughput at scale and the warm rebuild only
    r["raw_p1"] = run_child("raw", out=o1, n_process=1)  # at 10k too: fixed costs weigh less there
    if not big:
        r["raw_p2"] = run_child("raw", out=o1, n_process=2)
        r["raw_full_p1"] = run_child("raw", out=o1, n_process=1, full=True)
        r[f"cold_p{processes}"] = run_child("build", corpus=rel, out=o2, processes=processes)
        r[f"same_p{processes}"] = same_outputs(o1, o2)
    r["warm"] = run_child("build", corpus=rel, out=o1, processes=1)
    ow = OUT / f"out-{n}-warm-new"  # every record cached, but the outputs written again (a new folder)
    shutil.rmtree(ow, ignore_errors=True)
    r["warm_new_out"] = run_child("build", corpus=rel, out=ow, processes=1, cache=o1 / ".cache")
    if big:
        return
    victim = sorted((corpus / "part000").iterdir())[3]
    original = victim.read_bytes()
    try:
        victim.write_bytes(original.replace(b"</p>", b" Une phrase de plus.</p>", 1) if victim.suffix == ".html"
                           else original + b"\nOne more line.\n")
        r["changed"] = run_child("build", corpus=rel, out=o1, processes=1)
    finally:
        victim.write_bytes(original)
    r["restored"] = run_child("build", corpus=rel, out=o1, processes=1)  # back to the original file
    r["same_restored"] = same_outputs(o1, o2)  # == the cold build with 2 processes
    orr = OUT / f"out-{n}-resume"
    shutil.rmtree(orr, ignore_errors=True)
    kill_at = round(max(8.0, float(r["cold_p1"]["process_s"]) / 2), 1)  # half-way through a cold build
    r["kill_at"] = kill_at
    killed_after(kill_at, "build", corpus=rel, out=orr, processes=1)
    r["resumed"] = run_child("build", corpus=rel, out=orr, processes=1)
    r["same_resumed"] = same_outputs(orr, o2)
    if "dask" not in skip:
        r["dask"] = run_child("build", corpus=rel, out=od, processes=processes, engine="dask", no_cache=True)
        r["same_dask"] = same_outputs(o2, od)


def _f(v: object, nd: int = 1) -> str:
    return f"{v:.{nd}f}" if isinstance(v, (int, float)) else "–"


def write_results(results: dict[str, dict[str, object]]) -> None:
    (OUT / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True))
    rows = ["| corpus | run | docs | wall s | CPU s | docs/s (wall) | words/s (wall) | peak RSS MB (driver / worker) | note |",
            "|---|---|---|---|---|---|---|---|---|"]
    for size, r in sorted(((k, v) for k, v in results.items() if k.isdigit()), key=lambda kv: int(kv[0])):
        words = r.get("words", 0)
        for key in ("raw_full_p1", "raw_p1", "raw_p2", "cold_p1", "cold_p2", "warm", "warm_new_out", "changed", "resumed",
                    "dask"):
            m = r.get(key)
            if not isinstance(m, dict):
                continue
            docs = m.get("inputs") or m.get("docs") or 0
            sec = m["command_s"] if key in ("warm", "warm_new_out") else m["seconds"]
            note = f"phases {m.get('phases')}" if key.startswith("cold") else ""
            if key == "cold_p1" and "spacy_cpu_s" in m:
                note += (f"; spaCy process (models loaded before the clock): CPU {_f(m['spacy_cpu_s'])} s, "
                         f"peak RSS {_f(m.get('rss_spacy_mb'), 0)} MB")
            if key == "resumed":
                note = (f"re-run of a build SIGKILLed after {r.get('kill_at')} s: {m.get('processed')} processed, {m.get('cached')} "
                        f"cached; output identical to cold: {r.get('same_resumed')}")
            elif key in ("warm", "warm_new_out", "changed"):
                note = f"{m.get('processed')} processed, {m.get('cached')} cached; whole command {_f(m['command_s'])} s"
                if key == "warm":
                    note += f"; output folder already up to date: {m.get('up_to_date')}"
                if key == "warm_new_out":
                    note += f"; into a new folder: outputs and facts.db written again, phases {m.get('phases')}"
                if key == "changed":
                    note += f"; after restoring the file, output identical to cold: {r.get('same_restored')}"
            if key == "dask":
                note = f"output identical to local: {r.get('same_dask')}"
            if key == "cold_p2":
                note = f"workers load spaCy inside the clock; identical to p1: {r.get('same_p2')}; phases {m.get('phases')}"
            if key.startswith("raw"):
                note = (f"nlp.pipe only, n_process={m.get('n_process')}"
                        + ("; complete pipelines (parser, tagger...), lemmatizer off" if m.get("full") else
                           "; the components a build runs (the default: complete pipelines)"))
            rows.append(f"| {size} | {key} | {docs} | {_f(sec, 2)} | {_f(m.get('cpu_s'), 1)} | "
                        f"{_f(docs / sec if sec else 0)} | {_f(words / sec if sec else 0, 0)} | "
                        f"{_f(m.get('rss_self_mb'), 0)} / {_f(m.get('rss_child_mb'), 0)} | {note} |")
    import importlib.metadata
    import platform

    machine = (f"{os.cpu_count()} cores, Python {platform.python_version()}, spaCy "
               f"{importlib.metadata.version('spacy')}; load average when written "
               f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared machine: wall times vary by "
               f"±30 % between identical runs, CPU seconds less)")
    text = ["# Benchmark results", "", ("Produced by `python bench/run_bench.py` (see its docstring); synthetic "
                                         "corpora from bench/corpus_gen.py."), "", machine, "", *rows, ""]
    text += _goals(results)
    (HERE / "RESULTS.md").write_text("\n".join(text) + "\n")


def _goals(results: dict[str, dict[str, object]]) -> list[str]:
    out = ["## Against the goals of issue 6", ""]
    r1 = results.get("1000", {})
    r10 = results.get("10000", {})
    raw10, cold10 = r10.get("raw_p1"), r10.get("cold_p1")
    if isinstance(raw10, dict) and isinstance(cold10, dict):
        out.append(f"- end-to-end / raw nlp.pipe throughput, 1 process, 10,000 documents: "
                   f"{raw10['seconds'] / cold10['seconds']:.2f} (wall; start-up of the ingest worker and the final "
                   f"outputs weigh a tenth of what they weigh at 1,000) — goal ≥ 0.85")
    raw, cold = r1.get("raw_p1"), r1.get("cold_p1")
    if isinstance(raw, dict) and isinstance(cold, dict):
        line = f"- end-to-end / raw nlp.pipe throughput, 1 process: {raw['seconds'] / cold['seconds']:.2f} (wall)"
        if "spacy_cpu_s" in cold:
            line += (f"; spaCy's CPU alone / in the build's spaCy process {raw['cpu_s'] / cold['spacy_cpu_s']:.2f}; "
                     f"the build process's own CPU {cold['cpu_s']:.1f} s (ingest workers not counted)")
        out.append(line + " — goal ≥ 0.85")
    for size, r in sorted(((k, v) for k, v in results.items() if k.isdigit()), key=lambda kv: int(kv[0])):
        c, w, wn = r.get("cold_p1"), r.get("warm"), r.get("warm_new_out")
        if isinstance(c, dict) and isinstance(w, dict):
            line = (f"- {size} documents, warm rebuild vs cold: {c['seconds'] / w['command_s']:.0f}× faster (whole warm "
                    f"command {w['command_s']:.2f} s vs cold build {c['seconds']:.1f} s)")
            if isinstance(wn, dict):
                line += (f"; {c['seconds'] / wn['command_s']:.0f}× when the outputs are written again into a new "
                         f"folder ({wn['command_s']:.2f} s, of which facts.db {wn['phases'].get('db', 0):.2f} s)")
            out.append(line + " — goal ≥ 50×")
    big = results.get("10000", {}).get("cold_p1")
    if isinstance(big, dict) and isinstance(cold, dict):
        a, b = float(cold["rss_self_mb"]), float(big["rss_self_mb"])  # type: ignore[arg-type]
        line = f"- peak RSS 1k → 10k documents, build process: {a:.0f} → {b:.0f} MB ({(b - a) / a * 100:+.1f} %)"
        if "rss_spacy_mb" in cold and "rss_spacy_mb" in big:
            sa, sb = float(cold["rss_spacy_mb"]), float(big["rss_spacy_mb"])  # type: ignore[arg-type]
            line += (f"; spaCy process {sa:.0f} → {sb:.0f} MB ({(sb - sa) / sa * 100:+.1f} %); both "
                     f"{a + sa:.0f} → {b + sb:.0f} MB ({(b + sb - a - sa) / (a + sa) * 100:+.1f} %)")
        if "rss_before_db_mb" in cold and "rss_before_db_mb" in big:
            a, b = float(cold["rss_before_db_mb"]), float(big["rss_before_db_mb"])  # type: ignore[arg-type]
            line += f"; build process before facts.db is written: {a:.0f} → {b:.0f} MB ({(b - a) / a * 100:+.1f} %)"
        out.append(line + " — goal within 10 %")
    st = results.get("startup")
    if isinstance(st, dict):
        out.append(f"- start-up pieces, each alone: our imports {st['import_s']:.2f} s, spaCy's import "
                   f"{float(st.get('spacy_import_s', 0)):.2f} s and load of both models {st['spacy_load_s']:.2f} s, "
                   f"our rulers and guard {float(st.get('rulers_s', 0)):.2f} s, the language detector "
                   f"{st['detector_s']:.2f} s (built in the ingest worker, while spaCy loads in the build)")
    first = results.get("first")
    if isinstance(st, dict) and isinstance(first, dict):
        own = float(st["spacy_load_s"]) + float(st.get("spacy_import_s", 0))
        out.append(f"- a cold build of one French and one English article takes {float(first['first_build_s']):.2f} s "
                   f"from process start (imports, both models, rulers, the isolated ingest worker, two documents, "
                   f"outputs, facts.db) against {own:.2f} s for spaCy's own import and load of the same components: "
                   f"{float(first['first_build_s']) - own:.2f} s beyond — goal ≤ 1 s")
    full, p2, c2 = r1.get("raw_full_p1"), r1.get("raw_p2"), r1.get("cold_p2")
    if isinstance(full, dict) and isinstance(cold, dict):
        docs = float(cold.get("inputs", 0))
        out.append(f"- absolute: cold build, 1 process, {docs / float(cold['seconds']):.1f} docs/s; raw nlp.pipe of the "
                   f"complete pipelines without the lemmatizer {float(full['docs']) / float(full['seconds']):.1f} docs/s, of "
                   f"the default (complete) {float(raw['docs']) / float(raw['seconds']):.1f} docs/s" if isinstance(raw, dict) else "")
    if isinstance(p2, dict) and isinstance(c2, dict):
        out.append(f"- two processes: cold build / raw nlp.pipe(n_process=2): {float(p2['seconds']) / float(c2['seconds']):.2f} "
                   f"(wall; the build's workers load spaCy inside the clock)")
    sg = results.get("stages")
    if isinstance(sg, dict) and isinstance(sg.get("cpu_s"), dict):
        cpu = {k: float(v) for k, v in sg["cpu_s"].items()}
        total = sum(cpu.values())
        parts = ", ".join(f"{k} {v / int(sg['docs']) * 1000:.1f} ms/doc ({v / total * 100:.0f} %)" for k, v in cpu.items())
        out.append(f"- CPU per stage over {sg['docs']} documents (no profiler running): {parts}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child")
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--processes", type=int, default=2)
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
    if args.only in ("", "startup") and "startup" not in skip:
        results["startup"] = run_child("startup")
        two = OUT / "first-corpus"
        two.mkdir(parents=True, exist_ok=True)
        for name in ("2016-01-solange-biaggi-presidente-bilan-2015.html", "2014-07-gachon-chairman-2013-jobs-record.html"):
            shutil.copy(ROOT / "corpus" / name, two / name)
        results["first"] = run_child("first", corpus=os.path.relpath(two, ROOT), out=OUT / "first-out")
    if args.only in ("", "stages") and "stages" not in skip:
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

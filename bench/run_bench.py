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
- warm      the same build again: every record from the cache (whole command, process start to end)
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
    import spacy

    from pipeline import language, nlp
    from pipeline.config import Config
    from pipeline.resources import load_resources

    cfg = Config()
    t = time.perf_counter()
    for lang in cfg.languages:
        spacy.load(nlp.model_name(lang, cfg), disable=cfg.spacy_disable)
    t_plain = time.perf_counter() - t
    t = time.perf_counter()
    for lang in cfg.languages:
        nlp.load(lang, cfg)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    load_resources(cfg.models_dir)
    language.detect("Provence Promotion a accompagné 60 projets.")
    t_detector = time.perf_counter() - t
    return {"import_s": t_import, "spacy_load_s": t_plain, "our_load_s": t_ours, "detector_s": t_detector,
            "beyond_spacy_s": t_import + max(0.0, t_ours - t_plain) + t_detector}


def child_raw(args: argparse.Namespace) -> dict[str, object]:
    from pipeline import nlp
    from pipeline.config import Config

    cfg = Config()
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
            "cpu_s": _cpu() - c, "n_process": args.n_process, **_rss_mb()}


def child_build(args: argparse.Namespace) -> dict[str, object]:
    t_start = time.perf_counter()
    from pipeline import nlp
    from pipeline.config import Config
    from pipeline.factbase import build

    cfg = Config(processes=args.processes)
    if args.preload:  # in-process runs: keep spaCy's load out of the throughput figure
        for lang in cfg.languages:
            nlp.load(lang, cfg)
    t, c = time.perf_counter(), _cpu()
    s = build([args.corpus], args.out, cfg, engine=args.engine, use_cache=not args.no_cache,
              cache_dir=args.cache or None)
    return {"seconds": time.perf_counter() - t, "cpu_s": _cpu() - c, "process_s": time.perf_counter() - t_start,
            **s.as_dict(), **_rss_mb()}


def child_stages(args: argparse.Namespace) -> dict[str, object]:
    import cProfile
    import pstats

    from pipeline import extraction, nlp, run
    from pipeline.config import Config
    from pipeline.factbase import build

    cfg = Config()
    paths = sorted(p for p, skip in run.iter_inputs([args.corpus]) if skip is None)[: args.sample]
    for lang in cfg.languages:
        nlp.load(lang, cfg)
    run.prepare(paths[0], cfg)  # warm the detector and lexicons
    prof = cProfile.Profile()
    prof.enable()
    c = time.process_time()
    docs = [run.prepare(p, cfg) for p in paths]
    t_prepare = time.process_time() - c
    c = time.process_time()
    pairs = list(nlp.analyze(docs, cfg))
    t_nlp = time.process_time() - c
    c = time.process_time()
    for d, a in pairs:
        extraction.run(d, a, cfg)
    t_extract = time.process_time() - c
    prof.disable()
    sample = Path(args.out) / "sample"
    shutil.rmtree(sample, ignore_errors=True)
    sample.mkdir(parents=True)
    for p in paths:
        shutil.copy(p, sample / p.name)
    build([sample], Path(args.out) / "sample-out", cfg)  # fills the cache
    c = time.process_time()
    build([sample], Path(args.out) / "sample-out", cfg)  # outputs only: every record cached
    t_outputs = time.process_time() - c
    with (Path(args.out) / "profile.txt").open("w") as fh:
        pstats.Stats(prof, stream=fh).sort_stats("tottime").print_stats(40)
    return {"docs": len(paths), "prepare_cpu_s": t_prepare, "nlp_cpu_s": t_nlp, "extract_cpu_s": t_extract,
            "outputs_cpu_s": t_outputs}


CHILDREN = {"startup": child_startup, "raw": child_raw, "build": child_build, "stages": child_stages}


def run_child(name: str, **kw: object) -> dict[str, object]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", name]
    for k, v in kw.items():
        if v is True:
            argv.append(f"--{k.replace('_', '-')}")
        elif v not in (None, False):
            argv += [f"--{k.replace('_', '-')}", str(v)]
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
    if not big:
        r["raw_p1"] = run_child("raw", out=o1, n_process=1)
        r["raw_p2"] = run_child("raw", out=o1, n_process=2)
        r[f"cold_p{processes}"] = run_child("build", corpus=rel, out=o2, processes=processes)
        r[f"same_p{processes}"] = same_outputs(o1, o2)
    r["warm"] = run_child("build", corpus=rel, out=o1, processes=1)
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
    if "dask" not in skip:
        r["dask"] = run_child("build", corpus=rel, out=od, processes=processes, engine="dask", no_cache=True)
        r["same_dask"] = same_outputs(o1, od)


def _f(v: object, nd: int = 1) -> str:
    return f"{v:.{nd}f}" if isinstance(v, (int, float)) else "–"


def write_results(results: dict[str, dict[str, object]]) -> None:
    (OUT / "results.json").write_text(json.dumps(results, indent=1, sort_keys=True))
    rows = ["| corpus | run | docs | wall s | CPU s | docs/s (wall) | words/s (wall) | peak RSS MB (driver / worker) | note |",
            "|---|---|---|---|---|---|---|---|---|"]
    for size, r in sorted(((k, v) for k, v in results.items() if k.isdigit()), key=lambda kv: int(kv[0])):
        words = r.get("words", 0)
        for key in ("raw_p1", "raw_p2", "cold_p1", "cold_p2", "warm", "changed", "dask"):
            m = r.get(key)
            if not isinstance(m, dict):
                continue
            docs = m.get("inputs") or m.get("docs") or 0
            sec = m["seconds"] if key != "warm" else m["command_s"]
            note = ""
            if key in ("warm", "changed"):
                note = f"{m.get('processed')} processed, {m.get('cached')} cached; whole command {_f(m['command_s'])} s"
            if key == "dask":
                note = f"output identical to local: {r.get('same_dask')}"
            if key == "cold_p2":
                note = f"workers load spaCy inside the clock; identical to p1: {r.get('same_p2')}"
            if key.startswith("raw"):
                note = f"nlp.pipe only, n_process={m.get('n_process')}"
            rows.append(f"| {size} | {key} | {docs} | {_f(sec, 2)} | {_f(m.get('cpu_s'), 1)} | "
                        f"{_f(docs / sec if sec else 0)} | {_f(words / sec if sec else 0, 0)} | "
                        f"{_f(m.get('rss_self_mb'), 0)} / {_f(m.get('rss_child_mb'), 0)} | {note} |")
    text = ["# Benchmark results", "", ("Produced by `python bench/run_bench.py` (see its docstring); synthetic "
                                         "corpora from bench/corpus_gen.py."), "", *rows, ""]
    text += _goals(results)
    (HERE / "RESULTS.md").write_text("\n".join(text) + "\n")


def _goals(results: dict[str, dict[str, object]]) -> list[str]:
    out = ["## Against the goals of issue 6", ""]
    r1 = results.get("1000", {})
    raw, cold = r1.get("raw_p1"), r1.get("cold_p1")
    if isinstance(raw, dict) and isinstance(cold, dict):
        out.append(f"- end-to-end / raw nlp.pipe throughput, 1 process: {raw['seconds'] / cold['seconds']:.2f} (wall), "
                   f"{raw['cpu_s'] / cold['cpu_s']:.2f} (CPU) — goal ≥ 0.85")
    warm = r1.get("warm")
    if isinstance(warm, dict) and isinstance(cold, dict):
        out.append(f"- warm rebuild vs cold: {cold['seconds'] / warm['command_s']:.0f}× faster (whole warm command "
                   f"{warm['command_s']:.2f} s vs cold build {cold['seconds']:.1f} s) — goal ≥ 50×")
    big = results.get("10000", {}).get("cold_p1")
    if isinstance(big, dict) and isinstance(cold, dict):
        a, b = float(cold["rss_self_mb"]), float(big["rss_self_mb"])  # type: ignore[arg-type]
        out.append(f"- peak RSS 1k → 10k documents: {a:.0f} → {b:.0f} MB ({(b - a) / a * 100:+.1f} %) — goal within 10 %")
    st = results.get("startup")
    if isinstance(st, dict):
        out.append(f"- start-up beyond spaCy's own load: {st['beyond_spacy_s']:.2f} s (imports {st['import_s']:.2f} s, "
                   f"rulers+guard {float(st['our_load_s']) - float(st['spacy_load_s']):.2f} s, language detector "
                   f"{st['detector_s']:.2f} s; spacy.load of both models {st['spacy_load_s']:.2f} s) — goal ≤ 1 s")
    sg = results.get("stages")
    if isinstance(sg, dict):
        total = sum(float(sg[k]) for k in ("prepare_cpu_s", "nlp_cpu_s", "extract_cpu_s", "outputs_cpu_s"))
        parts = ", ".join(f"{k.replace('_cpu_s', '')} {float(sg[k]):.1f} s ({float(sg[k]) / total * 100:.0f} %)"
                          for k in ("prepare_cpu_s", "nlp_cpu_s", "extract_cpu_s", "outputs_cpu_s"))
        out.append(f"- CPU per stage over {sg['docs']} documents: {parts}")
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

"""What each set of spaCy components costs and buys: CPU per section and F1 per set.

    python bench/components.py                 # dev set, bundled corpus, real-dev when ../realdev exists
    python bench/components.py --repeat 5      # more passes over the sections (steadier CPU figures)

For each component set below, in a fresh process: the pipelines are loaded with that set, then
every cleaned section of the bundled corpus and of the dev documents goes through `nlp.pipe`
(batch 16, our rulers included) `--repeat` times; the CPU milliseconds per section are reported
per language. The same setting is then given to `pressfacts extract` (through $PRESSFACTS_CONFIG)
and scored with ../shared/eval/score.py on the dev set, the corpus and, when its texts are
present, the real-dev set: F1 over all kinds and for metrics. Writes bench/COMPONENTS.md.

CPU seconds are reported, not wall seconds: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LIGHT = ["lemmatizer", "parser", "tagger", "morphologizer", "attribute_ruler", "tok2vec"]
SETS = {
    "everything (the default)": ([], []),
    "everything but the lemmatizer": (["lemmatizer"], []),
    "senter + ner (the default before frames)": (LIGHT, ["senter"]),
}


def _toml(disable: list[str], enable: list[str]) -> str:
    return f"[pressfacts]\nspacy_disable = {json.dumps(disable)}\nspacy_enable = {json.dumps(enable)}\n"


def child(disable: list[str], enable: list[str], sections: Path, repeat: int) -> dict[str, object]:
    from pipeline import nlp
    from pipeline.config import Config

    cfg = Config(spacy_disable=disable, spacy_enable=enable)
    by_lang: dict[str, list[str]] = json.loads(sections.read_text(encoding="utf-8"))
    out: dict[str, object] = {}
    for lang, texts in sorted(by_lang.items()):
        if lang not in cfg.languages:
            continue  # a section in another language is flagged and skipped by a build
        pipe = nlp.load(lang, cfg)
        list(pipe.pipe(texts[:4]))  # warm-up
        c = time.process_time()
        for _ in range(repeat):
            for _doc in pipe.pipe(texts, batch_size=cfg.batch_size):
                pass
        out[lang] = {"ms_per_section": 1000 * (time.process_time() - c) / (repeat * len(texts)),
                     "sections": len(texts), "pipe_names": pipe.pipe_names}
    return out


def sections_of(paths: list[Path], tmp: Path) -> Path:
    """The cleaned sections of the documents at `paths`, by language (a build's documents.jsonl)."""
    out = tmp / "build"
    subprocess.run([sys.executable, "-m", "pipeline.cli", "build", *map(str, paths), "--out", str(out)],
                   check=True, capture_output=True, cwd=ROOT)
    by_lang: dict[str, list[str]] = {}
    for line in (out / "documents.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        for s in d.get("sections") or []:
            text = d["text"][s["start"]:s["end"]]
            if text.strip():
                by_lang.setdefault(s["lang"], []).append(text)
    path = tmp / "sections.json"
    path.write_text(json.dumps(by_lang), encoding="utf-8")
    return path


def f1(gold: Path, docs: Path, config: Path) -> dict[str, float] | None:
    if not gold.exists() or not docs.is_dir():
        return None
    env = {**os.environ, "PRESSFACTS_CONFIG": str(config)}
    cmd = [sys.executable, str(SHARED / "eval" / "score.py"), "--gold", str(gold), "--docs", str(docs),
           "--cmd", f"{sys.executable} -m pipeline.cli extract --json {{paths}}"]
    text = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT).stdout
    scores = {}
    for kind in ("metrics", "all"):
        m = re.search(rf"^\s*{kind}\s+[\d.]+\s+[\d.]+\s+([\d.]+)", text, re.M)
        if m:
            scores[kind] = float(m.group(1))
    return scores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--sections", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        disable, enable = SETS[args.child]
        print(json.dumps(child(disable, enable, Path(args.sections), args.repeat)))
        return
    sets = {"dev": (SHARED / "eval" / "dev" / "gold.jsonl", SHARED / "eval" / "dev"),
            "real-dev": (SHARED / "eval" / "real-dev" / "gold.jsonl", ROOT.parent / "realdev"),
            "corpus": (ROOT / "corpus" / "gold.jsonl", ROOT / "corpus")}
    rows = []
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        sections = sections_of([ROOT / "corpus", SHARED / "eval" / "dev"], tmp)
        for name, (disable, enable) in SETS.items():
            print(f"{name} ...", file=sys.stderr, flush=True)
            res = subprocess.run([sys.executable, __file__, "--child", name, "--sections", str(sections),
                                  "--repeat", str(args.repeat)], capture_output=True, text=True, check=True, cwd=ROOT)
            speed = json.loads(res.stdout.strip().splitlines()[-1])
            config = tmp / "cfg.toml"
            config.write_text(_toml(disable, enable), encoding="utf-8")
            scores = {k: f1(g, d, config) for k, (g, d) in sets.items()}
            rows.append((name, speed, scores))
    lines = ["# spaCy components: cost and benefit", "",
             "Produced by `python bench/components.py` (see its docstring). CPU ms per cleaned section",
             "(bundled corpus + dev documents, `nlp.pipe`, batch 16, rulers included); F1 from",
             "`../shared/eval/score.py` (all kinds / metrics); — when a set's texts are absent.", "",
             "| components run | fr ms | en ms | dev F1 all / metrics | real-dev F1 all / metrics | corpus F1 all / metrics |",
             "|---|---|---|---|---|---|"]
    for name, speed, scores in rows:
        def ms(lang: str) -> str:
            v = speed.get(lang)
            return f"{v['ms_per_section']:.1f}" if isinstance(v, dict) else "—"

        def sc(k: str) -> str:
            s = scores.get(k)
            return f"{s.get('all', 0):.3f} / {s.get('metrics', 0):.3f}" if s else "—"
        lines.append(f"| {name} | {ms('fr')} | {ms('en')} | {sc('dev')} | {sc('real-dev')} | {sc('corpus')} |")
    n = {lang: v["sections"] for lang, v in rows[0][1].items() if isinstance(v, dict)}
    lines += ["", f"Sections timed: {n}; {args.repeat} passes; {os.cpu_count()} cores."]
    (ROOT / "bench" / "COMPONENTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

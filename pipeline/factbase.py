"""`build()`: a corpus in, a fact base out (JSON lines, history, manifest), written atomically.

Outputs, in the output folder:
- documents.jsonl   one document record per processed input (contract fields + status/problems/text)
- facts.jsonl       one fact per line, with its document's id, source and publication date
- entities.jsonl    organizations and people across documents: canonical name, every surface
                    form, the documents naming them
- history.json      facts consolidated across documents, conflicts, targets vs actuals, roles
- manifest.json     every input: path, hash, size, format, status (ok|skipped|failed), reason

Everything is written to a temporary folder beside the output and swapped in at the end, so a
build killed half-way leaves the previous output intact. Rows are sorted and JSON keys ordered,
so that the same corpus gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.history import build_history
from pipeline.records import Document, ManifestEntry
from pipeline.resources import fold
from pipeline.run import DEFAULT_EXCLUDE, iter_inputs, prepare, process
from pipeline.store import write_db

LOGGER = logging.getLogger(__name__)


@dataclass
class BuildSummary:
    inputs: int = 0
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    facts: int = 0
    seconds: float = 0.0
    out: str = ""
    problems: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "ok": self.ok, "skipped": self.skipped, "failed": self.failed,
                "facts": self.facts, "seconds": round(self.seconds, 2), "out": self.out,
                "problems": dict(sorted(self.problems.items()))}


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def _manifest_entry(doc: Document) -> ManifestEntry:
    reason = "; ".join(f"{p.stage}: {p.message}" for p in doc.problems if doc.status != "ok") or None
    return ManifestEntry(path=doc.source, doc_id=doc.doc_id, sha256=None, bytes=doc.byte_size,
                         format=doc.format, status=doc.status, reason=reason, facts=len(doc.facts))


def _sha256(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def build(corpus: Iterable[str | Path], out: str | Path, cfg: Config,
          progress: Callable[[Document], None] | None = None) -> BuildSummary:
    """Process every file under `corpus` and write the fact base to `out`."""
    start = time.perf_counter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    summary = BuildSummary(out=str(out))
    manifest: list[ManifestEntry] = []
    entities: dict[tuple[str, str], dict[str, Any]] = {}
    facts: list[dict[str, Any]] = []
    excluded: list[ManifestEntry] = []

    def inputs() -> Iterable[Document]:
        for path, skip in iter_inputs(corpus, DEFAULT_EXCLUDE):
            if skip:
                excluded.append(ManifestEntry(path=str(path), status="skipped", reason=skip,
                                              bytes=path.stat().st_size if path.is_file() else 0))
                continue
            yield prepare(path, cfg)

    try:
        with (tmp / "documents.jsonl").open("w", encoding="utf-8") as docs_fh:
            for doc in process(inputs(), cfg):  # input order is sorted: write as they come
                entry = _manifest_entry(doc)
                entry.sha256 = _sha256(Path(doc.source))
                manifest.append(entry)
                docs_fh.write(dumps(doc.model_dump(mode="json")) + "\n")
                _add_entities(entities, doc)
                for f in doc.facts:
                    row = f.model_dump(mode="json")
                    row.update({"source": doc.source, "published": doc.published, "lang": doc.lang})
                    row["fact_id"] = fact_id(row)
                    facts.append(row)
                if progress:
                    progress(doc)
        manifest.extend(excluded)
        _write_outputs(tmp, manifest, entities, facts)
        write_db(tmp)
        _swap(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    for m in manifest:
        summary.inputs += 1
        setattr(summary, m.status, getattr(summary, m.status) + 1)
        if m.reason and m.status != "ok":
            summary.problems[m.reason.split(":")[0]] += 1
    summary.facts = len(facts)
    summary.seconds = time.perf_counter() - start
    return summary


def fact_id(row: dict[str, Any]) -> str:
    """Stable id from the document, the fact's kind and key fields, and its evidence span."""
    ev = row["evidence"]
    key = [ev["doc_id"], row["kind"], ev["start"], ev["end"]] + [
        row.get(k) for k in ("subject", "metric", "period", "status", "value", "person", "role", "org", "company")]
    return hashlib.sha1(dumps(key).encode("utf-8")).hexdigest()[:16]


def _add_entities(index: dict[tuple[str, str], dict[str, Any]], doc: Document) -> None:
    for e in doc.entities:
        key = (e.type, fold(e.name))
        row = index.setdefault(key, {"type": e.type, "names": Counter(), "mentions": set(), "doc_ids": set(), "count": 0})
        row["names"][e.name] += e.count
        row["mentions"].update(e.mentions)
        row["doc_ids"].add(doc.doc_id)
        row["count"] += e.count


def _write_outputs(tmp: Path, manifest: list[ManifestEntry], entities: dict[tuple[str, str], dict[str, Any]],
                   facts: list[dict[str, Any]]) -> None:
    facts.sort(key=lambda f: (f["source"], f["evidence"]["start"], f["fact_id"]))
    with (tmp / "facts.jsonl").open("w", encoding="utf-8") as fh:
        for f in facts:
            fh.write(dumps(f) + "\n")
    rows = []
    for (type_, _k), row in entities.items():
        name = sorted(row["names"].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        rows.append({"type": type_, "name": name, "mentions": sorted(row["mentions"] | set(row["names"])),
                     "documents": len(row["doc_ids"]), "doc_ids": sorted(row["doc_ids"]), "count": row["count"]})
    rows.sort(key=lambda r: (r["type"], r["name"]))
    with (tmp / "entities.jsonl").open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(dumps(r) + "\n")
    (tmp / "history.json").write_text(json.dumps(build_history(facts), ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    manifest.sort(key=lambda m: m.path)
    counts = Counter(m.status for m in manifest)
    data = {"inputs": len(manifest), "counts": {s: counts.get(s, 0) for s in ("ok", "skipped", "failed")},
            "files": [m.model_dump(mode="json") for m in manifest]}
    (tmp / "manifest.json").write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")


def _swap(tmp: Path, out: Path) -> None:
    """Replace `out` by `tmp` with two renames, so readers never see a half-written folder."""
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)

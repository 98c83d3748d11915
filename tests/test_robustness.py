"""Hostile input never stops a batch, never loses a document, never invents a fact (issue 5).

Every bad file is generated here in a tmp folder, beside three good articles copied from
corpus/. One build of that folder (module fixture) is checked file by file against BAD, and
against a build of the good files alone. pipeline/isolate.py is tested with injected tasks
that hang, hog memory or die; the CLI and the atomic output with real processes.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import build, extract
from pipeline.cli import main
from pipeline.config import Config
from pipeline.engines import LocalRunner
from pipeline.records import Document
from pipeline.run import STAGES, Item, Stage, run_batch, run_items, run_stage

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOOD = (
    "2011-03-pfister-takes-chair-2010-results.txt",
    "2014-07-gachon-chairman-2013-jobs-record.html",
    "2012-03-cp-bilan-2011-provence-promotion.pdf",
)
# Small limits so that the bad files trip them quickly; the good files are far below them.
LIMITS = {"max_bytes": 1_500_000, "doc_timeout": 4.0, "doc_memory_mb": 256}
EMPTY_FILES = 2000
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# Prose in an accepted language with no figure, title or company: it must decode and yield no fact.
NEUTRAL_FR = (
    "Le développement économique du territoire reste une priorité pour les élus, qui en débattent "
    "à chaque séance. Les entreprises de la région participent volontiers à ces échanges, où l'on "
    "évoque l'accueil des salariés, la formation et la qualité de vie.\n\n"
    "Les représentants des communes ont salué l'état d'esprit des débats et souhaité poursuivre "
    "ce travail commun dans les prochains mois.\n"
)
NEUTRAL_EN = (
    "Economic development remains a priority for local councillors, who discuss it at every "
    "meeting. Businesses from the area readily take part in these exchanges, which cover training, "
    "housing for employees and the quality of life.\n\n"
    "Representatives of the towns welcomed the spirit of the talks and hoped to pursue this "
    "shared work in the coming months.\n"
)
GERMAN = (
    "Die Wirtschaftsförderung der Region hat im vergangenen Jahr zahlreiche Unternehmen beraten. "
    "Viele Betriebe wollen sich in der Nähe des Hafens ansiedeln, weil die Verkehrsanbindung gut ist. "
    "Der Vorstand zeigte sich mit der Entwicklung sehr zufrieden und plant neue Veranstaltungen.\n"
)
SPANISH = (
    "<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'><title>La agencia regional presenta "
    "su balance</title></head><body><article><h1>La agencia regional presenta su balance</h1>"
    "<p>La agencia de desarrollo económico ha acompañado a muchas empresas durante el año pasado. "
    "Los responsables se mostraron satisfechos con los resultados y anunciaron nuevas misiones "
    "en el extranjero para atraer inversiones.</p><p>Según la presidenta, la región sigue siendo "
    "muy atractiva para las empresas europeas que buscan instalarse cerca del puerto.</p>"
    "</article></body></html>"
)


@dataclass(frozen=True)
class Bad:
    """What the pipeline must do with one generated input."""

    status: str  # ok | skipped | failed
    kind: str | None  # the fatal problem's kind (None when ok)
    says: str = ""  # a few words the reason must contain


BAD: dict[str, Bad] = {
    "pdf/corrupt.pdf": Bad("skipped", "unreadable", "corrupt or truncated PDF"),
    "pdf/truncated.pdf": Bad("skipped", "unreadable", "corrupt or truncated PDF"),
    "pdf/encrypted.pdf": Bad("skipped", "unsupported", "encrypted PDF"),
    "pdf/image-only.pdf": Bad("skipped", "empty_text", "needs OCR"),
    "pdf/zip-bomb.pdf": Bad("failed", "memory", "doc_memory_mb=256"),
    "zero-bytes.txt": Bad("skipped", "empty_text", "file is empty"),
    "junk/junk.txt": Bad("skipped", "unsupported", "binary data"),
    "junk/junk.html": Bad("skipped", "unsupported", "binary data"),
    "junk/junk.docx": Bad("skipped", "unsupported", "binary data"),
    "junk/real-word.docx": Bad("skipped", "unsupported", "Word document"),
    "big.txt": Bad("skipped", "too_large", "max_bytes"),
    "html/nested-100000.html": Bad("failed", "timeout", "doc_timeout"),
    "html/no-body.html": Bad("skipped", "empty_text", "no text"),
    "html/only-scripts.html": Bad("skipped", "empty_text", "no text"),
    "text/utf16-bom.txt": Bad("ok", None),
    "text/utf16le-no-bom.txt": Bad("ok", None),
    "text/cp1252.txt": Bad("ok", None),
    "text/utf8-bom.txt": Bad("ok", None),
    "text/mojibake.txt": Bad("ok", None),
    "text/double-utf8.txt": Bad("ok", None),
    "text/crlf.txt": Bad("ok", None),
    "links/dangling.txt": Bad("skipped", "unreadable", "dangling symbolic link"),
    "links/loop.txt": Bad("skipped", "unreadable", "symbolic link loop"),
    "names/Compte rendu de l'été – Marseille.txt": Bad("ok", None),
    "lang/german.txt": Bad("skipped", "wrong_language", "German"),
    "lang/spanish.html": Bad("skipped", "wrong_language", "Spanish"),
}
DECODED = {  # what the odd-but-valid texts must read as
    "text/utf16-bom.txt": "développement économique",
    "text/utf16le-no-bom.txt": "Economic development",
    "text/cp1252.txt": "développement économique",
    "text/utf8-bom.txt": "développement économique",
    "text/mojibake.txt": "développement économique",
    "text/double-utf8.txt": "développement économique",
    "text/crlf.txt": "Economic development",
    "names/Compte rendu de l'été – Marseille.txt": "développement économique",
}


# --- generators of bad files ---------------------------------------------------------------------


def _pdf_with_text(text: str, *, user_password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    if user_password:
        pdf.set_encryption(owner_password="owner", user_password=user_password)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    """A scanned page: a picture of text, no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(img).text((20, 80), "Scanned press release: 63 projects", fill="black")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(img, x=10, y=10, w=180)
    return bytes(pdf.output())


def zip_bomb_pdf(megabytes: int = 400) -> bytes:
    """A one-page PDF whose content stream is ~0.4 MB of Flate that inflates to `megabytes` of NULs."""
    co = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    stream = b"".join(co.compress(chunk) for _ in range(megabytes)) + co.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def word_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body><w:p>63 projets</w:p></w:body></w:document>")
    return buf.getvalue()


def write_bad_files(folder: Path) -> None:
    """Every input of BAD under `folder`, plus EMPTY_FILES empty files in folder/empties/."""
    rng = random.Random(5)
    good_pdf = (CORPUS / GOOD[2]).read_bytes()
    files: dict[str, bytes] = {
        "pdf/corrupt.pdf": b"%PDF-1.4\n" + rng.randbytes(4000),
        "pdf/truncated.pdf": good_pdf[: len(good_pdf) // 3],
        "pdf/encrypted.pdf": _pdf_with_text("Provence Promotion a accompagne 63 projets.", user_password="secret"),
        "pdf/image-only.pdf": image_only_pdf(),
        "pdf/zip-bomb.pdf": zip_bomb_pdf(),
        "zero-bytes.txt": b"",
        "junk/junk.txt": rng.randbytes(3000),
        "junk/junk.html": rng.randbytes(3000),
        "junk/junk.docx": rng.randbytes(3000),
        "junk/real-word.docx": word_docx(),
        "big.txt": (NEUTRAL_EN * 6000).encode()[:1_600_000],
        "html/nested-100000.html": ("<html><body>" + "<div>" * 100_000 + "Bonjour" + "</div>" * 100_000
                                    + "</body></html>").encode(),
        "html/no-body.html": b"<!DOCTYPE html><html><head><title>Un titre de page assez long</title></head></html>",
        "html/only-scripts.html": b"<html><head><script>var a = 1;</script></head><body><script>alert('63 projets')"
                                  b"</script><style>p { color: red }</style><noscript></noscript></body></html>",
        "text/utf16-bom.txt": NEUTRAL_FR.encode("utf-16"),
        "text/utf16le-no-bom.txt": NEUTRAL_EN.encode("utf-16-le"),
        "text/cp1252.txt": NEUTRAL_FR.encode("cp1252"),
        "text/utf8-bom.txt": codecs.BOM_UTF8 + NEUTRAL_FR.encode(),
        "text/mojibake.txt": NEUTRAL_FR.encode().decode("cp1252", "replace").encode(),
        # UTF-8 encoded twice through Latin-1: each "’" is two C1 control characters until repaired
        "text/double-utf8.txt": NEUTRAL_FR.replace("'", "\u2019").encode().decode("latin-1").encode(),
        "text/crlf.txt": NEUTRAL_EN.replace("\n", "\r\n").encode(),
        "names/Compte rendu de l'été – Marseille.txt": NEUTRAL_FR.encode(),
        "lang/german.txt": GERMAN.encode(),
        "lang/spanish.html": SPANISH.encode(),
    }
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (folder / "links").mkdir()
    os.symlink("nowhere/missing.txt", folder / "links/dangling.txt")
    os.symlink("loop.txt", folder / "links/loop.txt")
    (folder / "empties").mkdir()
    for i in range(EMPTY_FILES):
        (folder / "empties" / f"{i:04d}.txt").touch()


def copy_good(folder: Path) -> None:
    (folder / "good").mkdir(parents=True)
    for name in GOOD:
        shutil.copy(CORPUS / name, folder / "good" / name)


def all_entries(folder: Path) -> set[str]:
    """Every file and symlink under folder (what a build must account for)."""
    return {str(Path(root) / f) for root, _dirs, files in os.walk(folder) for f in files}


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- the big run ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A build of the good files alone, and one of the good files among all the bad ones."""
    cfg = Config(**LIMITS)
    good = tmp_path_factory.mktemp("good-only")
    copy_good(good)
    good_summary = build([good], good / "out", cfg)
    mixed = tmp_path_factory.mktemp("mixed")
    copy_good(mixed)
    write_bad_files(mixed)
    inputs = all_entries(mixed)
    started = time.perf_counter()
    summary = build([mixed], mixed.parent / "mixed-out", cfg)
    out = mixed.parent / "mixed-out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {
        "good": good, "good_out": good / "out", "good_summary": good_summary, "mixed": mixed, "out": out,
        "summary": summary, "inputs": inputs, "seconds": time.perf_counter() - started,
        "manifest": manifest, "files": {m["path"]: m for m in manifest["files"]},
        "docs": {d["source"]: d for d in read_jsonl(out / "documents.jsonl")},
    }


@pytest.mark.parametrize("name", sorted(BAD))
def test_robustness_bad_input_outcome(runs: dict, name: str) -> None:
    expected = BAD[name]
    path = str(runs["mixed"] / name)
    entry = runs["files"][path]
    assert entry["status"] == expected.status, entry
    if expected.status == "ok":
        assert entry["reason"] is None
        return
    assert entry["reason"] and expected.says in entry["reason"], entry
    doc = runs["docs"][path]
    fatal = [p for p in doc["problems"] if p["kind"] == expected.kind]
    assert fatal, doc["problems"]
    assert doc["facts"] == [] and doc["entities"] == []


@pytest.mark.parametrize("name", sorted(DECODED))
def test_robustness_odd_encodings_read_as_clean_text(runs: dict, name: str) -> None:
    doc = runs["docs"][str(runs["mixed"] / name)]
    assert DECODED[name] in doc["text"]
    assert not any(bad in doc["text"] for bad in ("\r", "\ufeff", "Ã", "\ufffd", "\x00"))
    assert doc["lang"] in ("fr", "en")


def test_robustness_empty_files_each_have_an_entry(runs: dict) -> None:
    empties = [m for p, m in runs["files"].items() if "/empties/" in p]
    assert len(empties) == EMPTY_FILES
    assert {(m["status"], m["reason"].split(":")[0]) for m in empties} == {("skipped", "ingest")}


def test_robustness_every_input_in_manifest_and_counts_add_up(runs: dict) -> None:
    manifest, summary = runs["manifest"], runs["summary"]
    assert set(runs["files"]) == runs["inputs"]
    assert len(manifest["files"]) == manifest["inputs"] == len(runs["inputs"])
    assert sum(manifest["counts"].values()) == manifest["inputs"]
    assert (summary.inputs, summary.ok + summary.skipped + summary.failed) == (manifest["inputs"],) * 2
    assert manifest["counts"] == {"ok": summary.ok, "skipped": summary.skipped, "failed": summary.failed}
    for m in manifest["files"]:
        assert m["status"] in ("ok", "skipped", "failed")
        assert (m["reason"] is None) == (m["status"] == "ok"), m


def _facts_without_source(out: Path) -> list[dict[str, object]]:
    rows = read_jsonl(out / "facts.jsonl")
    for r in rows:
        r.pop("source")
    return sorted(rows, key=lambda r: r["fact_id"])


def test_robustness_good_facts_unchanged_by_bad_neighbours(runs: dict) -> None:
    alone = _facts_without_source(runs["good_out"])
    assert alone, "the good files must yield facts, or this test proves nothing"
    assert _facts_without_source(runs["out"]) == alone


def test_robustness_no_fact_from_a_bad_file(runs: dict) -> None:
    good_ids = {runs["docs"][str(runs["mixed"] / "good" / n)]["doc_id"] for n in GOOD}
    facts = read_jsonl(runs["out"] / "facts.jsonl")
    assert {f["evidence"]["doc_id"] for f in facts} <= good_ids
    assert {Path(f["source"]).parent.name for f in facts} == {"good"}
    assert all(m["facts"] == 0 for p, m in runs["files"].items() if "/good/" not in p)


def test_robustness_evidence_offsets_point_into_the_text(runs: dict) -> None:
    for name in GOOD:
        doc = runs["docs"][str(runs["mixed"] / "good" / name)]
        for f in doc["facts"]:
            ev = f["evidence"]
            assert 0 <= ev["start"] < ev["end"] <= len(doc["text"])
            assert doc["text"][ev["start"]:ev["end"]] == ev["sentence"]


@pytest.mark.skipif(IS_ROOT, reason="root reads any file: a chmod 000 file cannot be made unreadable")
def test_robustness_unreadable_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(NEUTRAL_FR, encoding="utf-8")
    path.chmod(0)
    [doc] = list(extract([path], Config(**LIMITS)))
    assert (doc.status, doc.problems[0].kind) == ("skipped", "unreadable")
    assert "permission denied" in doc.problems[0].message


# --- the runner's limits: an injected stage that hangs, hogs memory or dies ------------------------


def _misbehave(item: Item, cfg: Config) -> Document:
    """A plain Document, except for files whose name asks for trouble (runs in a worker)."""
    path = Path(item.path)
    if "hang" in path.name:
        time.sleep(3600)
    if "stagehog" in path.name:  # a stage's MemoryError, caught by run_stage
        doc = Document(doc_id="stagehog", source=str(path))
        hog = Stage("clean", lambda it, c: Document(doc_id=str(len(bytearray(8 << 30))), source=""))
        return run_stage(hog, Item(str(path), doc), cfg)
    if "hog" in path.name:
        hoard = bytearray(8 << 30)  # over any doc_memory_mb used here: MemoryError
        return Document(doc_id=str(len(hoard)), source=str(path))
    if "die" in path.name:
        os.kill(os.getpid(), signal.SIGKILL)
    if "raise" in path.name:
        raise ValueError("a stage bug")
    return Document(doc_id=path.read_text(encoding="utf-8")[:16], source=str(path))


MISBEHAVE = (Stage("ingest", _misbehave, limited=True),)


@pytest.fixture(scope="module")
def small_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("iso")
    for name in ("a.txt", "hang.txt", "b.txt", "hog.txt", "die.txt", "raise.txt", "c.txt", "stagehog.txt"):
        (folder / name).write_text(NEUTRAL_EN, encoding="utf-8")
    return folder


def test_runner_limits_each_document_and_keeps_order(small_files: Path) -> None:
    cfg = Config(doc_timeout=1.5, doc_memory_mb=1024)
    names = ["a.txt", "hang.txt", "b.txt", "hog.txt", "die.txt", "raise.txt", "stagehog.txt", "c.txt"]
    runner = LocalRunner(cfg, 2, stages=MISBEHAVE)
    try:
        records = runner.submit([str(small_files / n) for n in names]).result()  # one batch
        again = runner.submit([str(small_files / "a.txt")]).result()  # the pool replaced its dead workers
        assert runner.restarts == 2  # the hang and the death, each found again alone
    finally:
        runner.stop()
    docs = [Document.model_validate(r) for r in records]
    assert [Path(d.source).name for d in docs] == names
    assert again[0]["status"] == "ok"
    outcome = {Path(d.source).name: (d.status, [p.kind for p in d.problems]) for d in docs}
    assert outcome == {
        "a.txt": ("ok", []), "b.txt": ("ok", []), "c.txt": ("ok", []),
        "hang.txt": ("failed", ["timeout"]), "hog.txt": ("failed", ["memory"]),
        "die.txt": ("failed", ["memory"]), "raise.txt": ("failed", ["exception"]),
        "stagehog.txt": ("failed", ["memory"]),
    }
    stagehog = next(d for d in docs if d.source.endswith("stagehog.txt"))
    assert "doc_memory_mb=1024" in stagehog.problems[0].message
    hang = next(d for d in docs if d.source.endswith("hang.txt"))
    assert "doc_timeout" in hang.problems[0].message
    die = next(d for d in docs if d.source.endswith("die.txt"))
    assert "SIGKILL" in die.problems[0].message
    assert die.doc_id == hashlib.sha256(NEUTRAL_EN.encode()).hexdigest()[:16]  # as ingest names it


def test_runner_strict_reraises_and_the_pool_goes_on(small_files: Path) -> None:
    runner = LocalRunner(Config(strict=True), 1, stages=MISBEHAVE)
    try:
        with pytest.raises(ValueError, match="a stage bug"):
            runner.submit([str(small_files / "raise.txt")]).result()
        assert runner.submit([str(small_files / "a.txt")]).result()[0]["status"] == "ok"
    finally:
        runner.stop()


def test_runner_gives_the_same_records_as_in_process() -> None:
    paths = [str(CORPUS / n) for n in (*GOOD, "2017-07-chauvin-preside-provence-promotion-cp1252.txt",
             "2018-09-mb92-la-ciotat-es.html", "2015-02-provence-some-seventy-projects-2014")]
    cfg = Config()
    runner = LocalRunner(cfg, 2)
    try:
        batches = [runner.submit(paths[:3]), runner.submit(paths[3:])]
        isolated = [r for b in batches for r in b.result()]
    finally:
        runner.stop()
    assert isolated == run_batch(paths, cfg)
    assert [s.name for s in STAGES] == ["ingest", "clean", "language", "nlp", "extract"]


def test_runner_closed_with_a_batch_pending_cancels_it_and_goes_on(small_files: Path) -> None:
    runner = LocalRunner(Config(doc_timeout=600), 1, stages=MISBEHAVE)
    try:
        hung = runner.submit([str(small_files / "hang.txt")])
        runner.close()  # an abandoned build (an error, Ctrl-C): its work is cancelled, its worker replaced
        assert hung.future.cancelled()
        assert runner.submit([str(small_files / "a.txt")]).result()[0]["status"] == "ok"  # the next build
    finally:
        runner.stop()


def test_runner_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9-latin1.txt")  # carries a surrogate escape
    (tmp_path / name).write_text(NEUTRAL_FR, encoding="utf-8")
    [doc] = list(extract([tmp_path / name], Config()))
    assert doc.source == str(tmp_path / "caf\\xe9-latin1.txt") and doc.status == "ok"  # records.readable_path


# --- the command line ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failing_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A corpus whose one document fails (a timeout), and a config with a short doc_timeout."""
    folder = tmp_path_factory.mktemp("cli")
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "nested.html").write_text("<html><body>" + "<div>" * 100_000 + "x</body></html>", encoding="utf-8")
    (corpus / "empty.txt").touch()
    config = folder / "pressfacts.toml"
    config.write_text("[pressfacts]\ndoc_timeout = 1.5\n", encoding="utf-8")
    return corpus, config


def test_cli_build_exit_codes_with_a_failed_document(failing_corpus: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, config = failing_corpus
    ran = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path / "out"), "--config", str(config)])
    assert ran.exit_code == 0, ran.output
    assert "2 inputs: 0 ok, 1 skipped, 1 failed" in ran.output
    strict = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path / "out2"), "--config",
                                       str(config), "--strict"])
    assert strict.exit_code == 1, strict.output


def test_cli_build_nonexistent_corpus(tmp_path: Path) -> None:
    ran = CliRunner().invoke(main, ["build", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert ran.exit_code == 2
    assert "no such file or folder" in ran.output


@pytest.fixture(scope="module")
def notes_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with what a walk passes over (a README, gold facts) and one text too short to use."""
    folder = tmp_path_factory.mktemp("notes")
    (folder / "README.md").write_text("# Invented notes about this folder\n", encoding="utf-8")
    (folder / "gold.jsonl").write_text('{"kind": "metric"}\n', encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", ["build", "extract"])
def test_cli_corpus_without_a_document_is_an_error(notes_only: Path, tmp_path: Path, command: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = ["--out", str(tmp_path / "out")] if command == "build" else []
    ran = CliRunner().invoke(main, [command, str(empty), *out])
    assert ran.exit_code == 2 and f"no input document in {empty} (empty)" in ran.output
    ran = CliRunner().invoke(main, [command, str(notes_only), *out])
    assert ran.exit_code == 2, ran.output
    assert "no input document in" in ran.output and "README.md: excluded by pattern 'README*'" in ran.output
    assert "Traceback" not in ran.output and not (tmp_path / "out").exists()


def test_cli_extract_missing_file_exits_2(tmp_path: Path) -> None:
    ran = CliRunner().invoke(main, ["extract", str(tmp_path / "gone.txt")])
    assert ran.exit_code == 2 and f"no such file or folder: {tmp_path / 'gone.txt'}" in ran.output


def test_cli_extract_folder_skips_what_build_skips_and_strict_wants_a_usable_document(
        notes_only: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in notes_only.iterdir():
        (corpus / p.name).write_bytes(p.read_bytes())
    (corpus / "tiny.txt").write_text("Trop court.\n", encoding="utf-8")  # skipped: empty_text
    ran = CliRunner().invoke(main, ["extract", "--json", str(corpus)])
    assert ran.exit_code == 0, ran.output
    assert [Path(d["source"]).name for d in json.loads(ran.stdout)] == ["tiny.txt"]
    strict = CliRunner().invoke(main, ["extract", "--strict", str(corpus)])
    assert strict.exit_code == 1 and "--strict: no document was usable" in strict.output
    built = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path / "out"), "--strict"])
    assert built.exit_code == 1 and "--strict: no document was usable" in built.output, built.output
    assert "3 inputs: 0 ok, 3 skipped, 0 failed" in built.output


def test_cli_build_unwritable_out(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    ran = CliRunner().invoke(main, ["build", str(CORPUS / GOOD[0]), "--out", str(blocker / "out")])
    assert ran.exit_code != 0
    assert ran.exception is None or isinstance(ran.exception, SystemExit), repr(ran.exception)
    assert str(blocker) in ran.output


# --- atomic output -----------------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.add(c)
            todo.append(c)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(p)
    return alive


BUILD_SCRIPT = """
import sys
from pipeline import Config, build
if __name__ == "__main__":
    build([sys.argv[1]], sys.argv[2], Config())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc to find the worker processes")
def test_robustness_killed_build_keeps_previous_output(runs: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(runs["good_out"], out)
    before = _snapshot(out)
    script = tmp_path / "build.py"
    script.write_text(BUILD_SCRIPT, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(CORPUS), str(out)], cwd=ROOT)
    try:
        time.sleep(4.0)  # workers started, documents under way
        family = _descendants(proc.pid)
        assert proc.poll() is None, "the build finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _snapshot(out) == before
    json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    deadline = time.monotonic() + 10
    while _alive(family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(family), "worker processes outlived the killed build"


SWAP_KILL_SCRIPT = """
import os, shutil, signal, sys
from pathlib import Path
from pipeline import Config, build

real_rename, real_rmtree = Path.rename, shutil.rmtree

def rename_then_die(self, target):
    result = real_rename(self, target)
    if Path(target).name == "." + Path(sys.argv[2]).name + ".old":
        os.kill(os.getpid(), signal.SIGKILL)  # between the two renames of the fallback swap
    return result

def rmtree_then_die(path, *args, **kwargs):
    if Path(path).name.startswith("." + Path(sys.argv[2]).name + "."):
        os.kill(os.getpid(), signal.SIGKILL)  # right after the exchange, before the cleanup
    return real_rmtree(path, *args, **kwargs)

if __name__ == "__main__":
    Path.rename = rename_then_die
    shutil.rmtree = rmtree_then_die
    build([sys.argv[1]], sys.argv[2], Config())
"""

def test_robustness_kill_between_the_swap_renames_keeps_out_readable(runs: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(runs["good_out"], out)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").touch()
    script = tmp_path / "swap.py"
    script.write_text(SWAP_KILL_SCRIPT, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(corpus), str(out)], check=False, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL
    json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --- special files and file names ------------------------------------------------------------------


def _manifest(out: Path) -> dict[str, dict]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {Path(m["path"]).name: m for m in manifest["files"]}


def test_robustness_named_pipe_does_not_block_the_build(tmp_path: Path) -> None:
    """A FIFO (and a link to one) is never opened: skipped in the manifest with the reason."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    fifo = corpus / "pipe.txt"
    os.mkfifo(fifo)
    os.symlink("pipe.txt", corpus / "link-to-pipe.txt")
    done = threading.Event()
    result: list = []

    def run() -> None:
        result.append(build([corpus], tmp_path / "out", Config()))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    finished = done.wait(timeout=20)
    if not finished:  # release the blocked reader so that the thread ends
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        done.wait(timeout=30)
    assert finished
    [summary] = result
    assert (summary.inputs, summary.skipped, summary.processed) == (2, 2, 0)  # no engine started
    entries = _manifest(tmp_path / "out")
    for name in ("pipe.txt", "link-to-pipe.txt"):
        assert entries[name]["status"] == "skipped"
        assert entries[name]["reason"] == "named pipe (FIFO), not a regular file: not read"
    assert (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8") == ""


def test_robustness_ingest_never_opens_a_pipe_or_a_device(tmp_path: Path) -> None:
    from pipeline.cache import file_sha256

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "named pipe (FIFO)"), (Path("/dev/zero"), "character device")):
        assert file_sha256(path) is None
        [doc] = run_items([Item(str(path))], Config(), STAGES[:3])  # in this process: a blocking open would hang
        doc = doc.doc
        assert doc.status == "skipped" and doc.problems[0].kind == "unreadable"
        assert doc.problems[0].message == f"{path} is a {kind}, not a regular file: only regular files are read"
    [doc] = list(extract([fifo], Config()))
    assert doc.status == "skipped" and "named pipe (FIFO)" in doc.problems[0].message


def test_robustness_build_with_a_latin1_file_name(tmp_path: Path) -> None:
    """A name that is not UTF-8: read from its real path, recorded with backslash escapes, and every
    output stays valid UTF-8 (the first build computes the record, the second takes it from the cache)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / os.fsdecode(b"caf\xe9.txt")).write_text(NEUTRAL_FR, encoding="utf-8")
    (corpus / os.fsdecode(b"empty-\xff.txt")).touch()
    (corpus / os.fsdecode(b"skip-\xe9.md")).touch()  # excluded by pattern: a manifest entry only
    for cached in (0, 2):
        out = tmp_path / f"out-{cached}"
        summary = build([corpus], out, Config(), cache_dir=tmp_path / "cache")
        assert (summary.inputs, summary.ok, summary.skipped, summary.cached) == (3, 1, 2, cached)
        for f in sorted(out.rglob("*")):
            if f.is_file() and f.suffix in (".json", ".jsonl"):
                f.read_bytes().decode("utf-8")  # strict: raises on any surrogate that got through
        docs = {d["source"]: d for d in map(json.loads, (out / "documents.jsonl").open(encoding="utf-8"))}
        readable = str(corpus / "caf\\xe9.txt")
        assert set(docs) == {readable, str(corpus / "empty-\\xff.txt")}
        assert docs[readable]["status"] == "ok" and "développement économique" in docs[readable]["text"]
        assert docs[readable]["byte_size"] == len(NEUTRAL_FR.encode("utf-8"))
        assert set(_manifest(out)) == {"caf\\xe9.txt", "empty-\\xff.txt", "skip-\\xe9.md"}
        with sqlite3.connect(out / "facts.db") as db:
            tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                columns = [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
                for col in columns:
                    for (blob,) in db.execute(f"SELECT CAST({col} AS BLOB) FROM {table} WHERE typeof({col}) = 'text'"):
                        blob.decode("utf-8")
            assert readable in {p for (p,) in db.execute("SELECT source FROM documents")}


def test_robustness_readable_path() -> None:
    from pipeline.records import ManifestEntry, readable_path

    raw = os.fsdecode(b"dir/caf\xe9-\xc3\xa9.txt")  # one bad byte, one valid "é"
    assert readable_path(raw) == readable_path(os.fsencode(raw)) == "dir/caf\\xe9-é.txt"
    assert readable_path(Path(raw)) == readable_path(readable_path(raw)) == "dir/caf\\xe9-é.txt"
    assert readable_path("Compte rendu de l'été.txt") == "Compte rendu de l'été.txt"
    assert Document(doc_id="x", source=raw).source == "dir/caf\\xe9-é.txt"
    assert ManifestEntry(path=raw, status="skipped").path == "dir/caf\\xe9-é.txt"


def test_robustness_hidden_files_and_linked_folders_are_in_the_manifest(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "real").mkdir(parents=True)
    (corpus / "real" / "a.txt").touch()
    (corpus / ".hidden.txt").touch()
    os.symlink("real", corpus / "linked")
    build([corpus], tmp_path / "out", Config())
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    paths = {Path(m["path"]).name for m in manifest["files"]}
    assert {".hidden.txt", "linked"} <= paths


def test_robustness_run_time(runs: dict) -> None:
    """The bad files cost their limits, not more: 2,000 empty files and two timeouts/crashes."""
    assert runs["seconds"] < LIMITS["doc_timeout"] + 40

"""`build()`: a corpus in, a fact base out (JSON lines, history, manifest), streamed and atomic.

Outputs, in the output folder:
- documents.jsonl   one document record per processed input (contract fields + status/problems/text)
- facts.jsonl       one fact per line, with its document's id, source and publication date
- entities.jsonl    organizations and people across documents: canonical name, every surface
                    form, the documents naming them
- history.json      facts consolidated across documents, conflicts, targets vs actuals, roles
- manifest.json     every input: path, hash, size, format, status (ok|skipped|failed), reason
- facts.db          the same in SQLite (pipeline.store)

Memory stays flat however large the corpus: documents are processed in chunks by an engine
(pipeline.engines) and merged back in input order, documents.jsonl is written as they come,
and facts, entities and manifest rows are spooled to a SQLite file that sorts them on disk for
the final files. Records come from the cache (pipeline.cache) when the file and the pipeline
are unchanged, and every new record goes into it at once, so a killed build resumes where it
stopped. Everything is written to a temporary folder beside the output and swapped in at the
end: a build killed half-way leaves the previous output intact. Rows are sorted and JSON keys
ordered, so that the same corpus gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.cache import RecordCache, file_sha256, full_code_digest, pipeline_key
from pipeline.config import Config
from pipeline.engines import ChunkFuture
from pipeline.records import ManifestEntry
from pipeline.spool import Spool

LOGGER = logging.getLogger(__name__)

Record = dict[str, Any]
CACHE_DIR = ".cache"  # inside the output folder; carried over each swap
# Inside the output folder: the key of the build that wrote it and the sha256 of each file. A
# rebuild that takes every record from the cache, for the same inputs and code, leaves it as is.
STAMP = ".build.json"


@dataclass
class BuildSummary:
    inputs: int = 0
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    facts: int = 0
    cached: int = 0  # records taken from the cache
    processed: int = 0  # records made by an engine in this run
    up_to_date: bool = False  # the output folder already held this build: left as it was
    seconds: float = 0.0
    out: str = ""
    problems: Counter[str] = field(default_factory=Counter)
    # seconds: records, outputs, db (facts.db, after the outputs: it is written beside them)
    phases: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "ok": self.ok, "skipped": self.skipped, "failed": self.failed,
                "facts": self.facts, "cached": self.cached, "processed": self.processed, "up_to_date": self.up_to_date,
                "seconds": round(self.seconds, 2), "out": self.out, "problems": dict(sorted(self.problems.items())),
                "phases": {k: round(v, 2) for k, v in self.phases.items()}}


class DocDone(NamedTuple):
    """What the progress callback hears after each input, in input order."""

    source: str
    status: str
    facts: int
    cached: bool


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def fact_id(row: dict[str, Any]) -> str:
    """Stable id from the document, the fact's kind and key fields, and its evidence span."""
    ev = row["evidence"]
    key = [ev["doc_id"], row["kind"], ev["start"], ev["end"]] + [
        row.get(k) for k in ("subject", "metric", "period", "status", "value", "person", "role", "org", "company")]
    return hashlib.sha1(dumps(key).encode("utf-8")).hexdigest()[:16]


def build(corpus: Iterable[str | Path], out: str | Path, cfg: Config,
          progress: Callable[[Any], None] | None = None, *, engine: str = "local", scheduler: str | None = None,
          cache_dir: str | Path | None = None, use_cache: bool = True) -> BuildSummary:
    """Process every file under `corpus` and write the fact base to `out`.

    Args:
        progress: called with a `DocDone` after each input.
        engine: "local" (this process, or cfg.processes worker processes) or "dask".
        scheduler: a Dask scheduler address; none starts a LocalCluster.
        cache_dir: where records are cached (default `<out>/.cache`); `use_cache=False` ignores it.
    """
    start = time.perf_counter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(out)
    corpus = list(corpus)  # the roots: walked twice when the fast check below does not conclude
    if use_cache and (fresh_summary := _still_fresh(out, corpus, cfg)):
        fresh_summary.seconds = time.perf_counter() - start
        return fresh_summary
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    os.chmod(tmp, 0o755)  # mkdtemp's 0700 would become the output folder's mode
    summary = BuildSummary(out=str(out))
    cache = RecordCache(Path(cache_dir) if cache_dir else out / CACHE_DIR, pipeline_key(cfg)) if use_cache else None
    walk = hashlib.sha256()
    db_writer: DbWriter | None = None
    try:
        with Spool(tmp / ".spool", cfg.models_dir) as spool:
            with (tmp / "documents.jsonl").open("w", encoding="utf-8") as docs_fh:
                for item, rec in _records(corpus, cfg, cache, engine, scheduler, walk):
                    _emit(item, rec, docs_fh, spool, cache, summary)
                    if progress and rec is not None:
                        progress(DocDone(rec["source"], rec["status"], len(rec["facts"]), item.cached))
            summary.facts = spool.facts
            t = summary.phases["records"] = time.perf_counter() - start
            key = _stamp_key(cfg, spool.inputs.hexdigest())
            fresh = summary.up_to_date = summary.processed == 0 and _up_to_date(out, key)
            if not fresh:
                # Beside the other files when an engine has made records: its forkserver, with
                # the pipeline imported, starts the process at once.
                db_writer = DbWriter.start(tmp, summary.processed > 0)
                _write_outputs(tmp, spool, db_writer.ready)
        if not fresh:  # else `out` already holds what these records and this code make
            assert db_writer is not None
            summary.phases["outputs"] = time.perf_counter() - start - t
            db_writer.finish()
            summary.phases["db"] = time.perf_counter() - start - t - summary.phases["outputs"]
            # The walk's digest lets the next build of the same files recognise this output
            # before reading a record; not after a failure, which the next build must try again.
            _write_stamp(tmp, key, _stamp_key(cfg, walk.hexdigest()) if summary.failed == 0 else None, summary)
        if cache is not None:
            cache.close()  # before the swap, which carries <out>/.cache over
        if not fresh:
            _swap(tmp, out)
    finally:
        if db_writer is not None:
            db_writer.stop()  # before its folder goes (a no-op once it has finished)
        if cache is not None:
            cache.close()
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    summary.seconds = time.perf_counter() - start
    return summary


def _emit(item: _Item, rec: Record | None, docs_fh: Any, spool: Spool, cache: RecordCache | None,
          summary: BuildSummary) -> None:
    """Write one input's record (None for an excluded file) to the outputs, the spool and the cache."""
    summary.inputs += 1
    if rec is None:
        entry = ManifestEntry(path=str(item.path), status="skipped", reason=item.skip, bytes=item.size)
    else:
        line = dumps(rec)
        if item.cached:
            summary.cached += 1
        else:
            summary.processed += 1
            if cache is not None and item.sha:
                # committed with the last record of its batch (they came back together)
                cache.put(item.sha, rec, line, commit=item.last)
        docs_fh.write(line + "\n")
        spool.add_document(rec, fact_id)
        status = rec["status"]
        reason = "; ".join(f"{p['stage']}: {p['message']}" for p in rec["problems"]) if status != "ok" else None
        entry = ManifestEntry(path=rec["source"], doc_id=rec["doc_id"], sha256=item.sha, bytes=rec["byte_size"],
                              format=rec["format"], status=status, reason=reason or None, facts=len(rec["facts"]))
    spool.add_manifest(entry.path, entry.status, dumps(entry.model_dump(mode="json")))
    setattr(summary, entry.status, getattr(summary, entry.status) + 1)
    if entry.reason and entry.status != "ok":
        summary.problems[entry.reason.split(":")[0]] += 1


# --- the ordered merge of cached and computed records -------------------------------------------


@dataclass
class _Item:
    path: Path
    skip: str | None = None
    sha: str | None = None
    size: int = 0
    cached: bool = False
    future: ChunkFuture | None = None
    index: int = 0
    last: bool = False  # last of its chunk


# Files of the first chunk whose language is guessed to start loading spaCy pipelines early.
HINT_FILES = 16


def chunk_size(cfg: Config, workers: int) -> int:
    """Documents per engine task: one nlp.pipe batch (spaCy gets the same batches whatever the
    chunk; measured no faster with bigger ones). Small tasks keep every worker busy to the end:
    with four batches per task, one worker ran the last task alone for several seconds. Records
    reach the outputs and the cache a chunk at a time, so this is also what a killed build loses."""
    return cfg.batch_size


def _item(path: Path, skip: str | None) -> _Item:
    """An input as the walk finds it: hashed, or skipped (excluded, not a regular file) with its size."""
    from pipeline.inputs import not_regular

    it = _Item(path, skip)
    if skip is None:
        it.skip = not_regular(path)  # a pipe or a device: never opened
    if it.skip is not None:
        it.size = path.stat().st_size if path.is_file() else 0
    else:
        it.sha = file_sha256(path)
    return it


def _records(corpus: Iterable[str | Path], cfg: Config, cache: RecordCache | None, engine_name: str,
             scheduler: str | None, walk: Any = None) -> Iterator[tuple[_Item, Record | None]]:
    """(input, record) in input order; excluded inputs come with None. `walk`, a hashlib object,
    takes each input's `_walk_line`.

    Cached records are read when their turn comes; the others go to the engine in chunks, with
    at most `window` chunks in flight and at most `max_pending` inputs waiting, so memory is
    bounded whatever the corpus size. The engine is opened on the first uncached document.
    """
    from pipeline.engines import open_engine, worker_count
    from pipeline.inputs import DEFAULT_EXCLUDE, iter_inputs

    workers = worker_count(cfg)
    size = chunk_size(cfg, workers)
    window = 2 * workers
    max_pending = size * (window + 4)
    pending: deque[_Item] = deque()
    feed: list[_Item] = []
    flying = 0
    engine = None

    def flush() -> None:
        nonlocal engine, flying
        if not feed:
            return
        if engine is None:
            engine = open_engine(engine_name, cfg, scheduler, first=[str(i.path) for i in feed[:HINT_FILES]])
        fut = engine.submit([str(i.path) for i in feed])
        for n, it in enumerate(feed):
            it.future, it.index = fut, n
        feed[-1].last = True
        flying += 1
        feed.clear()

    def head(block: bool) -> tuple[_Item, Record | None] | None:
        """The first pending input and its record, if ready (or once ready, with `block`)."""
        nonlocal flying
        it = pending[0]
        rec: Record | None = None
        if it.skip is None and it.cached:
            assert cache is not None and it.sha is not None
            rec = cache.get(it.sha, str(it.path))
            if rec is None:
                raise RuntimeError(f"cache entry for {it.path} vanished during the build: run it again")
        elif it.skip is None:
            if it.future is None:
                if not block:
                    return None
                flush()
            assert it.future is not None
            if not block and not it.future.done():
                return None
            rec = it.future.result()[it.index]
            if it.last:
                flying -= 1
            it.future = None
        pending.popleft()
        return it, rec

    try:
        for path, skip in iter_inputs(corpus, DEFAULT_EXCLUDE):
            it = _item(path, skip)
            if walk is not None:
                walk.update(_walk_line(it))
            if it.skip is None:
                it.cached = cache is not None and it.sha is not None and it.sha in cache
                if not it.cached:
                    feed.append(it)
                    if len(feed) >= size:
                        flush()
            pending.append(it)
            while pending and (got := head(block=flying > window or len(pending) > max_pending)):
                yield got
        flush()
        while pending and (got := head(block=True)):
            yield got
    finally:
        if engine is not None:
            engine.close()


def write_db(out_dir: Path, ready: Callable[[str], None] | None = None) -> Path:
    """`pipeline.store.write_db`, imported when a build writes facts.db (sqlite-utils is not
    needed by a warm build that finds its output up to date)."""
    from pipeline.store import write_db as store_write_db

    return store_write_db(out_dir) if ready is None else store_write_db(out_dir, ready)


# --- facts.db, written beside the other outputs ---------------------------------------------------


ALL_DONE = "*"  # sent once every output file is complete


class DbWriter:
    """facts.db written from a build's outputs by a process of its own while the build writes them.

    The process reads each file once the build says it is complete (`ready`), in the order it
    reads them (`store.READ_ORDER`): its work, most of it parsing JSON and making rows (which
    holds the interpreter), runs on a second core while this process writes the history. `finish`
    waits for it and raises what stopped it; `stop` ends it. A writer started without a process
    (one core, or no engine ran: see `start`) writes facts.db in `finish`, in this process.
    """

    def __init__(self, folder: Path, process: Any = None, conn: Any = None) -> None:
        self.folder, self._process, self._conn = folder, process, conn

    @classmethod
    def start(cls, folder: Path, beside: bool = True) -> DbWriter:
        """A writer for the outputs in `folder`; with `beside`, in a process of its own when
        `db_in_parallel`. A build asks for one once an engine ran: the forkserver it started has
        the pipeline imported, and the process starts at once (from a bare one, it would spend
        about as long importing as facts.db takes at a thousand documents)."""
        if not (beside and db_in_parallel()):
            return cls(folder)
        import multiprocessing

        from pipeline.engines import start_forkserver

        ctx = multiprocessing.get_context("forkserver")
        start_forkserver()
        conn, child = ctx.Pipe()
        process = ctx.Process(target=_db_process, args=(str(folder), child, os.getpid()), name="pressfacts-db",
                              daemon=True)
        process.start()
        child.close()
        return cls(folder, process, conn)

    def ready(self, name: str) -> None:
        """Output file `name` is complete."""
        if self._conn is not None:
            try:
                self._conn.send(name)
            except OSError:  # the process has ended: `finish` says why
                pass

    def finish(self) -> Path:
        """Wait until facts.db is written; raise what stopped it."""
        path = self.folder / "facts.db"
        if self._process is None:
            return write_db(self.folder)
        self.ready(ALL_DONE)
        try:
            outcome, message = self._conn.recv()
        except (EOFError, OSError):  # ended without a word: killed
            from pipeline.engines import signal_name

            self._process.join()
            exitcode = self._process.exitcode
            self.stop()
            raise RuntimeError(f"the process writing {path} ended with {signal_name(exitcode)}") from None
        self.stop(grace=10.0)
        if outcome != "done":
            raise RuntimeError(f"writing {path} failed: {message}")
        LOGGER.info("fact base written: %s", path)
        return path

    def stop(self, grace: float = 0.0) -> None:
        """End the process (once it has finished: let it exit, for up to `grace` seconds)."""
        if self._process is not None:
            self._process.join(grace)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._conn.close()
            self._process = self._conn = None


def db_in_parallel() -> bool:
    """facts.db may be written by a process of its own: there is a second core for it, and the
    system can start one from a forkserver."""
    import multiprocessing

    from pipeline.engines import cpu_count

    return cpu_count() > 1 and "forkserver" in multiprocessing.get_all_start_methods()


def _db_process(folder: str, conn: Any, build_pid: int) -> None:
    """The DbWriter's process: facts.db from the outputs in `folder`, each read once the build
    has said it is complete; ("done", None) or ("error", what went wrong) back to the build."""
    import signal

    from pipeline.engines import exit_with_build

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build decides when to stop
    exit_with_build(build_pid)
    complete: set[str] = set()

    def ready(name: str) -> None:
        while name not in complete and ALL_DONE not in complete:
            complete.add(conn.recv())

    try:
        write_db(Path(folder), ready)
    except Exception as exc:  # noqa: BLE001 - the build fails with it
        LOGGER.debug("writing facts.db failed", exc_info=True)
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(("done", None))
    conn.close()


# --- the final files ----------------------------------------------------------------------------


def _write_outputs(tmp: Path, spool: Spool, done: Callable[[str], None] = lambda name: None) -> None:
    """facts.jsonl, entities.jsonl, manifest.json and history.json from the spool, sorted on disk,
    in the order facts.db reads them (`store.READ_ORDER`); `done(name)` once each is complete."""
    done("documents.jsonl")
    with (tmp / "facts.jsonl").open("w", encoding="utf-8") as fh:
        for row in spool.facts_sorted():
            fh.write(row + "\n")
    done("facts.jsonl")
    with (tmp / "entities.jsonl").open("w", encoding="utf-8") as fh:
        for r in spool.entities_sorted():
            fh.write(dumps(r) + "\n")
    done("entities.jsonl")
    counts = spool.manifest_counts()
    data = {"inputs": sum(counts.values()), "counts": {s: counts.get(s, 0) for s in ("ok", "skipped", "failed")},
            "files": spool.manifest_sorted()}
    with (tmp / "manifest.json").open("w", encoding="utf-8") as fh:
        spool.write_json(fh, data)
    done("manifest.json")
    with (tmp / "history.json").open("w", encoding="utf-8") as fh:
        spool.write_history(fh)
    done("history.json")


def _output_files(folder: Path) -> dict[str, str | None]:
    return {p.name: file_sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def _write_stamp(folder: Path, key: str, walk: str | None = None, summary: BuildSummary | None = None) -> None:
    """Record what made the outputs in `folder`: the build key, each file's sha256 and, for
    `_still_fresh`, the walk key and the build's counts."""
    stamp: dict[str, Any] = {"key": key, "files": _output_files(folder)}
    if walk is not None and summary is not None:
        stamp["walk"] = walk
        stamp["summary"] = {k: v for k, v in summary.as_dict().items() if k in _STAMPED}
        stamp["summary"]["cached"] = summary.cached + summary.processed  # every record is in the cache now
    (folder / STAMP).write_text(dumps(stamp) + "\n", encoding="utf-8")


_STAMPED = ("inputs", "ok", "skipped", "failed", "facts", "cached", "problems")


def _walk_line(it: _Item) -> bytes:
    """What the walk digest takes of one input: its path and either its bytes' sha256 or why it
    was skipped (with its size). With the pipeline key, these decide every record."""
    return f"{it.path}\0{it.sha or ''}\0{it.skip or ''}\0{it.size}\n".encode("utf-8", "surrogateescape")


def _stamp_key(cfg: Config, inputs_digest: str) -> str:
    """A stamp's key: this pipeline and code, over a digest of the inputs (manifest rows or walk lines)."""
    return hashlib.sha256(f"{pipeline_key(cfg)} {full_code_digest()} {inputs_digest}".encode()).hexdigest()


def _read_stamp(out: Path) -> dict[str, Any] | None:
    """`out`'s stamp when its output files still have the hashes it recorded, else None."""
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and stamp.get("files") == _output_files(out) else None


def _still_fresh(out: Path, corpus: list[str | Path], cfg: Config) -> BuildSummary | None:
    """The summary of the build that wrote `out`, when these inputs (same paths, same bytes) and
    this pipeline would make it again and its files are untouched; else None.

    The fast warm path: the corpus is walked and hashed, no record is read, no spool written.
    Only tried when `out` has a stamp with a walk key (a build without failures wrote it).
    """
    from pipeline.inputs import DEFAULT_EXCLUDE, iter_inputs

    stamp = _read_stamp(out)
    if stamp is None or "walk" not in stamp or "summary" not in stamp:
        return None
    walk = hashlib.sha256()
    for path, skip in iter_inputs(corpus, DEFAULT_EXCLUDE):
        walk.update(_walk_line(_item(path, skip)))
    if stamp["walk"] != _stamp_key(cfg, walk.hexdigest()):
        return None
    done = stamp["summary"]
    return BuildSummary(out=str(out), up_to_date=True, problems=Counter(done["problems"]),
                        **{k: int(done[k]) for k in _STAMPED if k != "problems"})


def _up_to_date(out: Path, key: str) -> bool:
    """`out` was written by a build with this key (same records, inputs and code) and not touched since."""
    stamp = _read_stamp(out)
    return stamp is not None and stamp.get("key") == key


_TMP_NAME = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<pid>\d+)-")


def _remove_stale_temps(out: Path) -> None:
    """Delete temporary folders left beside `out` by builds that were killed (their process is gone)."""
    for p in out.parent.glob(f".{out.name}.tmp-*"):
        m = _TMP_NAME.match(p.name)
        if not m or m["name"] != out.name or not p.is_dir():
            continue
        try:
            os.kill(int(m["pid"]), 0)
        except ProcessLookupError:
            LOGGER.info("removing %s, left by a build that did not finish", p)
            shutil.rmtree(p, ignore_errors=True)
        except PermissionError:
            pass  # another user's live process


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where the
    system or the file system cannot."""
    import ctypes
    import os

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return bool(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0)


def _swap(tmp: Path, out: Path) -> None:
    """Put `tmp` in the place of `out` so that `out` is always a complete fact base.

    Where the system can, the two folders are exchanged atomically and the old one (now at
    `tmp`) is deleted afterwards: a kill at any moment leaves either the old or the new output.
    Elsewhere two renames are used, with a short window in which `out` is missing. Hidden
    entries of the old output (the record cache) move into the new one first.
    """
    if out.is_dir():
        for hidden in out.glob(".*"):
            if not (tmp / hidden.name).exists():
                hidden.rename(tmp / hidden.name)
    if out.is_dir() and _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)

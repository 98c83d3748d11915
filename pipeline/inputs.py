"""The corpus walk: which files a build reads, and why it passes over the others.

Light on purpose (standard library only): a warm build, which takes every record from the cache,
walks the corpus without importing the stages (trafilatura, PDF libraries, spaCy).
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

# Files a folder walk passes over (they are still listed in the manifest as skipped).
DEFAULT_EXCLUDE = ("README*", "*.md", "*.jsonl", "*.json", "*.yaml", "*.yml", "*.py", "*.toml")


def iter_inputs(paths: Iterable[str | Path], exclude: tuple[str, ...] = DEFAULT_EXCLUDE) -> Iterator[tuple[Path, str | None]]:
    """Every file under the given paths, sorted, with a skip reason for those not processed.

    Nothing is passed over silently: hidden files and folders, links to folders (not followed:
    no loops, no double counting), unreadable folders and excluded names are yielded with their
    reason, so that they reach the manifest. A path that does not exist is yielded as is: ingest
    reports it.
    """
    for raw in paths:
        p = Path(raw)
        if not (p.is_dir() and not p.is_symlink()):
            yield p, None
            continue
        errors: list[OSError] = []
        for root, dirs, files in os.walk(p, onerror=errors.append):
            here = Path(root)
            skipped_dirs = []
            for d in sorted(dirs):
                if d.startswith("."):
                    skipped_dirs.append((d, "hidden folder, not walked"))
                elif (here / d).is_symlink():
                    skipped_dirs.append((d, "link to a folder, not followed"))
            dirs[:] = sorted(d for d in dirs if d not in {name for name, _ in skipped_dirs})
            entries = [(f, None) for f in files] + skipped_dirs
            for name, reason in sorted(entries):
                if reason is None and name.startswith("."):
                    reason = "hidden file"
                if reason is None:
                    pattern = next((pat for pat in exclude if fnmatch.fnmatch(name, pat)), None)
                    reason = f"excluded by pattern {pattern!r}" if pattern else None
                yield here / name, reason
            while errors:
                err = errors.pop(0)
                yield Path(err.filename or root), f"unreadable folder: {err.strerror or err}"


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("named pipe (FIFO)", "socket", ...)."""
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


def not_regular(path: Path) -> str | None:
    """The skip reason of a named pipe, socket or device (even behind a link), else None.

    Such an input goes to the manifest as skipped, is never opened (a FIFO would block the build,
    /dev/zero would never end) and never starts an engine. A directory or a path that cannot be
    stat'ed goes on to ingest, which says what is wrong with it.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return f"{file_kind(mode)}, not a regular file: not read"

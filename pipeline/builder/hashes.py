"""Content hashes of the files under raw/ remembered by their file-system facts (size, modification
and change times, inode), beside the warehouse (`minutes.duckdb.hashes`), so a build over thousands
of unchanged files hashes none of them: a file whose facts are those it had when it was hashed has
that hash. Any write to a file changes its change time, so a changed file is always hashed again.

A file modified less than SETTLE_SECONDS before it was looked at is not remembered (a second write
within the file system's time resolution could leave its times as they were); it is hashed again
by the next build. The file is only a cache: a missing, unreadable or damaged one is ignored, and
one that cannot be written is not written."""
from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

import orjson

FORMAT = 1
SETTLE_SECONDS = 2.0
Facts = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def facts(st: os.stat_result) -> Facts:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def cache_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".hashes")


class Hashes:
    """path -> (facts, sha256) of files hashed before, and those hashed by this build."""

    def __init__(self, known: dict[str, tuple[Facts, str]] | None = None) -> None:
        self.known = known or {}
        self.seen: dict[str, tuple[Facts, str]] = {}
        self.looked_at = time.time_ns()

    def get(self, path: Path, st: os.stat_result) -> str | None:
        """The hash of the file if it is known with these facts (and kept for the next build)."""
        entry = self.known.get(str(path))
        if entry is None or entry[0] != facts(st):
            return None
        self.seen[str(path)] = entry
        return entry[1]

    def note(self, path: Path, st: os.stat_result, sha: str) -> None:
        """A file just hashed; `st` was taken before it was (a write while hashing changes its facts)."""
        settled = self.looked_at - int(SETTLE_SECONDS * 1e9)
        if st.st_mtime_ns < settled and st.st_ctime_ns < settled:
            self.seen[str(path)] = (facts(st), sha)


def read(db_path: Path) -> Hashes:
    try:
        fd = os.open(cache_path(db_path), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            data = orjson.loads(f.read())
        if data.get("format") != FORMAT:
            return Hashes()
        return Hashes({path: ((int(a), int(b), int(c), int(d)), str(sha))
                       for path, (a, b, c, d, sha) in data["files"].items()})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return Hashes()


def write(db_path: Path, hashes: Hashes) -> None:
    """The files this build looked at, written whole under a temporary name and renamed."""
    if hashes.seen.keys() == hashes.known.keys() and all(hashes.known[p] == v for p, v in hashes.seen.items()):
        return  # nothing new to remember
    files = {path: [*f, sha] for path, (f, sha) in sorted(hashes.seen.items())}
    target = cache_path(db_path)
    with contextlib.suppress(OSError, orjson.JSONEncodeError):
        data = orjson.dumps({"format": FORMAT, "files": files})
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

"""Why a file or a build failed: the exceptions every stage raises, and the one-line reason a
person can act on that a failed file is recorded with."""
from __future__ import annotations

import errno


class IngestError(Exception):
    """A file that cannot be read as a meeting document."""


class ExtractError(Exception):
    """The file's text cannot be read."""


class BuildFailed(Exception):
    """Strict mode: the first file that failed stops the build (files before it stay loaded)."""


class WarehouseBusy(Exception):
    """Another build holds the warehouse lock."""


class EnvironmentFault(Exception):
    """The machine, not the file: a full disk, a permission, a lock path that is a link or a
    folder. The build stops (exit 5); nothing is recorded against a file, so the next build
    tries it again."""


def reason_of(exc: BaseException) -> str:
    """One line a person can act on."""
    if isinstance(exc, (IngestError, ExtractError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "memory limit exceeded while reading the file"
    if isinstance(exc, TimeoutError):
        return str(exc) or "time limit exceeded while reading the file"
    if isinstance(exc, RecursionError):
        return "structure nested too deeply to read"
    text = one_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def one_line(text: str, limit: int = 300) -> str:
    """A message on one line, whitespace collapsed, at most `limit` characters."""
    return " ".join(text.split())[:limit]


# errors of the machine, never of the file being read: disk full, quota, permissions, read-only or
# missing folders, too many open files
ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR,
                      errno.EMFILE, errno.ENFILE, errno.EIO}
_ENVIRONMENT_WORDS = ("no space left", "disk quota", "permission denied", "read-only file system",
                      "could not write", "cannot rollback", "database has been invalidated", "could not truncate",
                      "too many open files", "input/output error", "could not fsync", "could not open file")


def environment_fault(exc: BaseException) -> str | None:
    """One line saying what the machine refused, if `exc` is a fault of the environment (a full
    disk, a permission, an I/O error) rather than of a file; None otherwise."""
    if isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    text = str(exc).casefold()
    if isinstance(exc, Exception) and "duckdb" in type(exc).__module__ and \
            any(w in text for w in _ENVIRONMENT_WORDS):
        return one_line(str(exc))
    return None

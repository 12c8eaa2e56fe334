"""Why a file or a build failed: the exceptions every stage raises, and the one-line reason a
person can act on that a failed file is recorded with."""
from __future__ import annotations


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

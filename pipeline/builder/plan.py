"""What a build would do with each file under raw/, from content hashes alone: new, changed,
unchanged, failed before, renamed, a duplicate of another file, gone from raw/, unreadable."""
from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .. import __version__
from ..read import ingest
from ..warehouse import load


@dataclass
class Plan:
    """What a build would do with each file under raw/, from content hashes alone."""

    new: list[Path] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)  # new content, or read by an older pipeline version
    unchanged: list[Path] = field(default_factory=list)
    failed_before: list[Path] = field(default_factory=list)  # same content failed last time: not retried
    renamed: list[tuple[str, Path, str]] = field(default_factory=list)  # (old path, new path, sha)
    duplicates: list[tuple[Path, str]] = field(default_factory=list)  # (path, path holding the same content)
    gone: list[tuple[str, str]] = field(default_factory=list)  # (loaded path, sha) no longer under raw/
    sha: dict[Path, str] = field(default_factory=dict)
    previous: dict[Path, str] = field(default_factory=dict)  # changed path -> the sha it replaces
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # not read, with the reason (see skipped_files)
    spent: dict[Path, float] = field(default_factory=dict)  # seconds hashing took, where it took long

    @property
    def todo(self) -> list[Path]:
        return sorted(self.new + self.changed)


def source_paths(raw: Path) -> list[Path]:
    """The files a build reads: of a type it reads, in a partnership's folder (raw/<partnership>/…),
    with a name that is valid UTF-8, and inside raw/ (a link out of raw/ is not followed)."""
    return sorted(p for p in _files(raw) if p.suffix.lower() in ingest.SUFFIXES and p.parent != raw
                  and _refusal(raw, p) is None)


def shown(path: Path | str) -> str:
    """A path as it can be printed and stored: bytes that are not UTF-8 as \\xNN, control
    characters (a newline in a name) escaped, so a name cannot forge a line of output."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def _valid_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refusal(raw: Path, path: Path) -> str | None:
    """Why a file of a type minutes reads is refused, or None."""
    if not _valid_name(path):
        return "not read: its name is not valid UTF-8; rename it (e.g. convmv -f latin1 -t utf-8)"
    try:
        target = path.resolve(strict=True)
        inside = target.is_relative_to(raw.resolve(strict=True))
    except (OSError, RuntimeError):
        return "not read: a broken or looping link"
    if not inside:
        return f"not read: a link to {shown(target)}, outside raw/; copy the file into raw/ instead"
    return None


def _files(raw: Path) -> list[Path]:
    return [p for p in raw.rglob("*") if p.is_file() and not p.name.startswith(".")
            and not any(part.startswith(".") for part in p.relative_to(raw).parts)]


KNOWN_TYPES = {".docx": "a Word document", ".doc": "a Word document", ".odt": "an OpenDocument text",
               ".rtf": "a rich-text document", ".html": "a web page", ".htm": "a web page",
               ".jpg": "an image", ".jpeg": "an image", ".png": "an image", ".tif": "an image", ".tiff": "an image"}


def _odd(raw: Path) -> list[tuple[Path, str]]:
    """Entries under raw/ that are neither files nor folders: FIFOs, sockets, devices, links that
    are broken or loop."""
    out = []
    for p in raw.rglob("*"):
        if p.name.startswith(".") or any(part.startswith(".") for part in p.relative_to(raw).parts):
            continue
        try:
            if p.is_file() or p.is_dir():
                continue
            mode = p.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            try:
                p.resolve(strict=True)
                what = "a link to something that is not a file (a device, a FIFO)"
            except RuntimeError:
                what = "a link that loops"
            except OSError:
                what = "a broken link (its target does not exist)"
        elif stat.S_ISFIFO(mode):
            what = "a FIFO (named pipe), not a file"
        elif stat.S_ISSOCK(mode):
            what = "a socket, not a file"
        else:
            what = "a device, not a file"
        out.append((p, f"not read: {what}"))
    return out


def unreadable_folders(raw: Path) -> list[tuple[Path, str]]:
    """Folders under raw/ that cannot be listed (no permission, an I/O error): their files are not
    read, and a build says so instead of passing over them."""
    out: list[tuple[Path, str]] = []

    def note(exc: OSError) -> None:
        if exc.filename is not None and Path(exc.filename) != raw:
            out.append((Path(exc.filename), f"not read: a folder that cannot be listed ({exc.strerror or exc}); "
                                            "its files are left out"))

    for _, folders, _ in os.walk(raw, onerror=note):
        folders[:] = [f for f in folders if not f.startswith(".")]  # hidden folders are not read
    return out


def skipped_files(raw: Path) -> list[tuple[Path, str]]:
    """Files under raw/ a build does not read, each with the reason and what to do; entries that
    are not files at all (FIFOs, devices, broken or looping links); folders that cannot be listed."""
    out = _odd(raw) + unreadable_folders(raw)
    for p in sorted(_files(raw)):
        suffix = p.suffix.lower()
        if suffix not in ingest.SUFFIXES:
            what = KNOWN_TYPES.get(suffix, f"a {suffix} file" if suffix else "a file without an extension")
            out.append((p, f"not read: {what}; minutes reads PDF, .txt and .md (save it as PDF or text)"))
        elif p.parent == raw:
            out.append((p, "not read: directly under raw/; put it in the folder of its partnership, "
                           "raw/<partnership>/ (e.g. raw/oslo/)"))
        elif (why := _refusal(raw, p)) is not None:
            out.append((p, why))
    return sorted(out)


def files_newer_than(raw: Path, db_path: Path) -> int:
    """How many files under raw/ were modified after the warehouse was last written (all of
    them if there is no warehouse): a cheap guess, from modification times alone, at whether a
    build will have files to read. The plan decides from content hashes."""
    try:
        since = db_path.stat().st_mtime
    except OSError:
        since = float("-inf")
    n = 0
    for path in source_paths(raw):
        try:
            n += path.stat().st_mtime > since
        except OSError:
            continue
    return n


TIMED_OUT_HASHING = "time limit of % s exceeded while hashing the file%"  # the reason ingest.sha256_of gives


def _hashing_timed_out(con: duckdb.DuckDBPyConnection) -> dict[Path, datetime]:
    """Files whose hashing ran out of time last time, and when."""
    rows = con.execute("SELECT path, failed_at FROM load_errors WHERE sha256 IS NULL AND reason LIKE ?",
                       [TIMED_OUT_HASHING]).fetchall()
    return {Path(path): when for path, when in rows if when is not None}


def _unchanged_since(path: Path, when: datetime) -> bool:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None) < when
    except OSError:
        return False


def plan(raw: Path, con: duckdb.DuckDBPyConnection | None, retry_failed: bool = False,
         seconds: float | None = None) -> Plan:
    """`seconds`: a file's time limit, which its hashing counts against (`spent` keeps what is left)."""
    loaded = load.loaded_files(con) if con is not None else {}
    errors = load.failed_files(con) if con is not None else {}
    by_sha = {sha: path for path, (sha, _) in loaded.items()}
    out = Plan()
    seen: dict[str, Path] = {}
    too_long = _hashing_timed_out(con) if con is not None and not retry_failed else {}
    for path in source_paths(raw):
        if path in too_long and _unchanged_since(path, too_long[path]):
            out.failed_before.append(path)  # not hashed again: it would take as long as last time
            continue
        try:
            t = time.monotonic()
            sha = ingest.sha256_of(path, seconds)
            if (took := time.monotonic() - t) > 1.0:
                out.spent[path] = took
            if path.stat().st_size == 0:
                out.unreadable.append((path, "empty file"))
                continue
        except TimeoutError as exc:
            out.unreadable.append((path, str(exc)))
            continue
        except OSError as exc:
            out.unreadable.append((path, f"cannot read file ({exc.strerror or exc})"))
            continue
        out.sha[path] = sha
        key = str(path)
        if sha in seen:
            out.duplicates.append((path, str(seen[sha])))
            continue
        if key in loaded and loaded[key][0] == sha:
            if loaded[key][1] == __version__:
                out.unchanged.append(path)
            else:  # read by another version of the pipeline: read again
                out.changed.append(path)
                out.previous[path] = sha
        elif sha in by_sha and by_sha[sha] != key:
            old = by_sha[sha]
            if Path(old).exists() and Path(old).resolve() != path.resolve():
                out.duplicates.append((path, old))
                continue
            else:
                out.renamed.append((old, path, sha))
        elif errors.get(key) == sha and not retry_failed:
            out.failed_before.append(path)
        elif key in loaded:
            out.changed.append(path)
            out.previous[path] = loaded[key][0]
        else:
            out.new.append(path)
        seen[sha] = path
    present = {str(p) for p in out.sha}
    moved = {old for old, _, _ in out.renamed}
    out.gone = sorted((p, sha) for p, (sha, _) in loaded.items() if p not in present and p not in moved)
    out.skipped = skipped_files(raw)
    return out

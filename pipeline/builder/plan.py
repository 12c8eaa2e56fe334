"""What a build would do with each file under raw/, from content hashes alone: new, changed,
unchanged, failed before, renamed, a duplicate of another file, gone from raw/, unreadable."""
from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .. import __version__
from ..read import ingest
from .hashes import Hashes

if TYPE_CHECKING:
    import duckdb


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


class Entry(NamedTuple):
    """An entry under raw/, looked at once per build (a tuple: a build makes one per file)."""

    path: Path
    link: bool  # a symbolic link
    st: os.stat_result | None  # of what it is or points to; None: a broken or looping link (or gone)
    unlisted: str | None = None  # a folder that could not be listed, and why

    @property
    def is_file(self) -> bool:
        return self.st is not None and stat.S_ISREG(self.st.st_mode)

    @property
    def is_dir(self) -> bool:
        return self.st is not None and stat.S_ISDIR(self.st.st_mode)


def scan(raw: Path) -> list[Entry]:
    """Every entry under raw/ but hidden ones (a name starting with a dot, or in such a folder),
    each stated once; folders reached through a link are not entered (as `Path.rglob`)."""
    out: list[Entry] = []
    folders: list[tuple[Path, int | None]] = [(raw, None)]  # a folder and its place in `out`
    while folders:
        folder, at = folders.pop()
        try:
            with os.scandir(folder) as it:
                items = list(it)
        except OSError as exc:
            if at is not None:
                out[at] = out[at]._replace(unlisted=exc.strerror or str(exc))
            continue
        for item in items:
            name = item.name
            if name[0] == ".":
                continue
            try:
                st: os.stat_result | None = item.stat()
            except OSError:
                st = None
            entry = Entry(folder / name, item.is_symlink(), st)
            out.append(entry)
            if entry.is_dir and not entry.link:
                folders.append((entry.path, len(out) - 1))
    return out


def source_paths(raw: Path, entries: list[Entry] | None = None) -> list[Path]:
    """The files a build reads: of a type it reads, in a partnership's folder (raw/<partnership>/…),
    with a name that is valid UTF-8, and inside raw/ (a link out of raw/ is not followed)."""
    return [e.path for e in sources(raw, scan(raw) if entries is None else entries)]


def sources(raw: Path, entries: list[Entry]) -> list[Entry]:
    """The entries of `scan(raw)` a build reads, in the order of their paths (a build finds them once,
    for files_newer_than and plan)."""
    return sorted(_readable(raw, entries), key=lambda e: e.path.parts)  # the order of the paths, compared faster


def _readable(raw: Path, entries: list[Entry]) -> Iterator[Entry]:
    """The entries of `scan(raw)` a build reads (as a folder's entries, unsorted). Their paths are
    raw's with names added, so a file directly under raw/ is one with one part more."""
    under_raw = len(raw.parts) + 1
    return (e for e in entries if e.is_file and os.path.splitext(e.path.name)[1].lower() in ingest.SUFFIXES
            and len(e.path.parts) != under_raw and _refusal(raw, e) is None)


def shown(path: Path | str) -> str:
    """A path as it can be printed and stored: bytes that are not UTF-8 as \\xNN, control
    characters (a newline in a name) escaped, so a name cannot forge a line of output."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def _valid_name(path: Path) -> bool:
    name = str(path)
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refusal(raw: Path, entry: Entry) -> str | None:
    """Why a file of a type minutes reads is refused, or None. Only a link can lead out of raw/
    (linked folders are not entered)."""
    path = entry.path
    if not _valid_name(path):
        return "not read: its name is not valid UTF-8; rename it (e.g. convmv -f latin1 -t utf-8)"
    if not entry.link:
        return None
    try:
        target = path.resolve(strict=True)
        inside = target.is_relative_to(raw.resolve(strict=True))
    except (OSError, RuntimeError):
        return "not read: a broken or looping link"
    if not inside:
        return f"not read: a link to {shown(target)}, outside raw/; copy the file into raw/ instead"
    return None


KNOWN_TYPES = {".docx": "a Word document", ".doc": "a Word document", ".odt": "an OpenDocument text",
               ".rtf": "a rich-text document", ".html": "a web page", ".htm": "a web page",
               ".jpg": "an image", ".jpeg": "an image", ".png": "an image", ".tif": "an image", ".tiff": "an image"}


def _odd(entries: list[Entry]) -> list[tuple[Path, str]]:
    """Entries under raw/ that are neither files nor folders: FIFOs, sockets, devices, links that
    are broken or loop."""
    out = []
    for e in entries:
        if e.is_file or e.is_dir or (e.st is None and not e.link):
            continue
        p = e.path
        if e.link:
            try:
                p.resolve(strict=True)
                what = "a link to something that is not a file (a device, a FIFO)"
            except RuntimeError:
                what = "a link that loops"
            except OSError:
                what = "a broken link (its target does not exist)"
        else:
            assert e.st is not None
            mode = e.st.st_mode
            if stat.S_ISFIFO(mode):
                what = "a FIFO (named pipe), not a file"
            elif stat.S_ISSOCK(mode):
                what = "a socket, not a file"
            else:
                what = "a device, not a file"
        out.append((p, f"not read: {what}"))
    return out


def unreadable_folders(entries: list[Entry]) -> list[tuple[Path, str]]:
    """Folders under raw/ that cannot be listed (no permission, an I/O error): their files are not
    read, and a build says so instead of passing over them."""
    return [(e.path, f"not read: a folder that cannot be listed ({e.unlisted}); its files are left out")
            for e in entries if e.unlisted is not None]


def skipped_files(raw: Path, entries: list[Entry] | None = None) -> list[tuple[Path, str]]:
    """Files under raw/ a build does not read, each with the reason and what to do; entries that
    are not files at all (FIFOs, devices, broken or looping links); folders that cannot be listed."""
    entries = scan(raw) if entries is None else entries
    out = _odd(entries) + unreadable_folders(entries)
    under_raw = len(raw.parts) + 1  # the parts of a file directly under raw/ (its paths are raw's, names added)
    for e in (e for e in entries if e.is_file):
        p = e.path
        suffix = p.suffix.lower()
        if suffix not in ingest.SUFFIXES:
            what = KNOWN_TYPES.get(suffix, f"a {suffix} file" if suffix else "a file without an extension")
            out.append((p, f"not read: {what}; minutes reads PDF, .txt and .md (save it as PDF or text)"))
        elif len(p.parts) == under_raw:
            out.append((p, "not read: directly under raw/; put it in the folder of its partnership, "
                           "raw/<partnership>/ (e.g. raw/oslo/)"))
        elif (why := _refusal(raw, e)) is not None:
            out.append((p, why))
    return sorted(out)


def files_newer_than(raw: Path, db_path: Path, entries: list[Entry] | None = None,
                     readable: list[Entry] | None = None) -> list[Path]:
    """The files under raw/ a build reads that were modified after the warehouse was last written
    (all of them if there is no warehouse): a cheap guess, from modification times alone, at
    which files a build will read. The plan decides from content hashes."""
    try:
        since = db_path.stat().st_mtime
    except OSError:
        since = float("-inf")
    if readable is None:
        readable = list(_readable(raw, scan(raw) if entries is None else entries))
    return [e.path for e in readable if e.st is not None and e.st.st_mtime > since]


TIMED_OUT_HASHING = f"time limit of % s {ingest.HASHING_TIMED_OUT}%"  # the reason ingest.sha256_of gives


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
         seconds: float | None = None, entries: list[Entry] | None = None, hashes: Hashes | None = None,
         readable: list[Entry] | None = None) -> Plan:
    """`seconds`: a file's time limit, which its hashing counts against (`spent` keeps what is left).
    `entries`: raw/ as scanned (scanned here if None), `readable`: sources(raw, entries) if already
    found; `hashes`: content hashes known from earlier builds (hashes.py), which gains the files
    hashed here."""
    from ..warehouse import load

    loaded = load.loaded_files(con) if con is not None else {}
    errors = load.failed_files(con) if con is not None else {}
    by_sha = {sha: path for path, (sha, _) in loaded.items()}
    entries = scan(raw) if entries is None else entries
    hashes = Hashes() if hashes is None else hashes
    out = Plan()
    seen: dict[str, Path] = {}
    too_long = _hashing_timed_out(con) if con is not None and not retry_failed else {}
    for entry in sources(raw, entries) if readable is None else readable:
        path, st = entry.path, entry.st
        assert st is not None
        if too_long and path in too_long and _unchanged_since(path, too_long[path]):
            out.failed_before.append(path)  # not hashed again: it would take as long as last time
            continue
        sha = hashes.get(path, st)
        if sha is None:
            try:
                t = time.monotonic()
                sha = ingest.sha256_of(path, seconds)
                if (took := time.monotonic() - t) > 1.0:
                    out.spent[path] = took
            except TimeoutError as exc:
                out.unreadable.append((path, str(exc)))
                continue
            except OSError as exc:
                out.unreadable.append((path, f"cannot read file ({exc.strerror or exc})"))
                continue
            hashes.note(path, st, sha)
        if st.st_size == 0:
            out.unreadable.append((path, "empty file"))
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
    out.skipped = skipped_files(raw, entries)
    return out

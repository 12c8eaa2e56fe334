"""One build at a time: an exclusive lock beside the warehouse file."""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import EnvironmentFault, WarehouseBusy

_HELD: set[int] = set()  # descriptors of the locks this process holds


def _close_in_child() -> None:
    """A forked worker does not hold the lock: only the build's own descriptor keeps it, so the
    lock ends with the build even while a worker is still ending."""
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


@contextmanager
def warehouse_lock(db_path: Path, wait: float = 0.0) -> Iterator[None]:
    """An exclusive lock beside the warehouse file, released when the process ends in any way."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentFault(f"{db_path}: cannot make its folder ({exc.strerror or exc})") from None
    if lock_path.is_symlink():
        raise EnvironmentFault(f"{lock_path}: the lock file is a link; minutes does not follow it (remove it)")
    try:  # never through a link: a link put there after the check above fails here (ELOOP)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except IsADirectoryError:
        raise EnvironmentFault(f"{lock_path}: the lock path is a folder; remove it") from None
    except OSError as exc:
        raise EnvironmentFault(f"{lock_path}: cannot open the lock file ({exc.strerror or exc})") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
                    raise WarehouseBusy(f"{db_path}: another build is running (pid {holder}); "
                                        "try again later or pass --wait SECONDS") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _HELD.add(fd)
        yield
    finally:
        _HELD.discard(fd)
        os.close(fd)  # closing the descriptor releases the lock

"""The stage files under extracted/ (text/<sha>.json, documents/<sha>.json), each written to a
temporary name and renamed into place: a reader never sees half a file, and a full disk leaves
none behind."""
from __future__ import annotations

import os
from pathlib import Path


def write(out_dir: Path, files: dict[str, bytes]) -> None:
    """`files`: each stage file's bytes, by its path under out_dir."""
    for name, data in files.items():
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(data)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)

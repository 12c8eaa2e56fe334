"""Runs the extraction stages on a passage written to raw/testby/<name> under a temporary folder."""
from __future__ import annotations

from pathlib import Path

from pipeline import extract


def extract_passage(tmp_path: Path, text: str, name: str = "doc.txt"):
    f = tmp_path / "raw" / "testby" / name
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text, encoding="utf-8")
    ex, _ = extract.run(f, tmp_path / "raw")
    return ex

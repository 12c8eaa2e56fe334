"""The extractor scored against the hand-made gold annotations (shared/gold) with the project's
scorer, on the text seeds, the ruled PDFs and the unruled PDFs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import extract

from .conftest import SHARED

GOLD = SHARED / "gold"
SCORER = SHARED / "tools" / "score_extraction.py"
THRESHOLD = 0.95
pytestmark = pytest.mark.skipif(not GOLD.is_dir(), reason="shared/gold is not beside this checkout")


def _source(kind: str, gold_id: str) -> Path:
    if kind == "txt":
        return SHARED / "seeds" / f"{gold_id}.txt"
    unruled = SHARED / "pdfs" / f"{gold_id}.unruled.pdf"
    return unruled if kind == "unruled" and unruled.exists() else SHARED / "pdfs" / f"{gold_id}.pdf"


def score(kind: str, tmp: Path) -> dict:
    for gold in sorted(GOLD.glob("*.json")):
        ex, _ = extract.run(_source(kind, gold.stem))
        (tmp / gold.name).write_text(extract.to_json(ex.to_dict()), encoding="utf-8")
    out = subprocess.run([sys.executable, str(SCORER), str(GOLD), str(tmp), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


_SCORES: dict[str, dict] = {}
CASES = [(k, m) for k in ("txt", "pdf", "unruled") for m in ("score", "case_f1", "decision_f1", "attendee_f1")]


@pytest.mark.parametrize("kind,metric", CASES)
def test_seed_scores_meet_the_floor(kind: str, metric: str, tmp_path: Path) -> None:
    if kind not in _SCORES:
        _SCORES[kind] = score(kind, tmp_path)
    assert _SCORES[kind][metric] >= THRESHOLD, f"{kind}: {metric}={_SCORES[kind][metric]:.3f}"

"""Extraction quality against gold, per set (text and PDF), held to the committed baseline
(tests/extraction_baseline.json, written by `python tests/extraction_sets.py --write-baseline`).
The sets beside the project (../shared) are skipped where it is absent; tests/corpus always runs."""
from __future__ import annotations

import json

import pytest

from extraction_sets import BASELINE, ROOT, SETS, SHARED, score

SCORE_SLACK = 0.005  # a set's headline score may not fall by more than this
FIELD_SLACK = 0.02  # nor one of its fields by more than this
SEED_TARGET = 0.98


def _baseline() -> dict[str, dict[str, float]]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("gold_set", SETS, ids=[s.name for s in SETS])
def test_no_drop_against_the_baseline(gold_set):
    if not gold_set.available():
        reason = f"{SHARED} is not beside the project" if gold_set.shared else f"{gold_set.inputs} is missing"
        pytest.skip(reason)
    recorded = _baseline()[gold_set.name]
    now = score(gold_set)
    assert now["score"] >= recorded["score"] - SCORE_SLACK, (gold_set.name, now["score"], recorded["score"])
    fallen = {k: (now.get(k), v) for k, v in recorded.items() if now.get(k, 0.0) < v - FIELD_SLACK}
    assert not fallen, f"{gold_set.name}: fields below the baseline (now, recorded): {fallen}"
    if gold_set.name.startswith("seeds"):
        assert now["score"] >= SEED_TARGET


def test_scorer_copy_is_current():
    shared = SHARED / "tools" / "score_extraction.py"
    if not shared.exists():
        pytest.skip(f"{shared} is not beside the project")
    assert (ROOT / "tests" / "score_extraction.py").read_bytes() == shared.read_bytes()

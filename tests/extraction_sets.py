"""Extraction quality on the sets with gold: the seeds and ../shared/real (beside the project) and
tests/corpus (inside it), as text and as PDF, scored with score_extraction.py (a copy of
../shared/tools/score_extraction.py; test_extraction_scores checks the copy is current).

    python tests/extraction_sets.py                   # the scores, per set and field
    python tests/extraction_sets.py --write-baseline  # record them in tests/extraction_baseline.json

The baseline is the committed record of where each change moved the numbers; the regression test
fails when a set falls below it."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = ROOT / "tests" / "corpus"
BASELINE = ROOT / "tests" / "extraction_baseline.json"
FIELDS = ("score", "documents_f1", "case_f1", "case_title_f1", "decision_f1", "attendee_f1", "attendee_status_acc",
          "attendee_org_f1", "meeting_date_acc", "doc_type_acc", "body_acc", "chair_acc", "minute_taker_acc",
          "start_time_acc", "end_time_acc", "responsible_f1", "decision_label_acc")


@dataclass(frozen=True)
class GoldSet:
    name: str
    gold: Path
    inputs: Path
    suffix: str  # the input file's name is <gold id><suffix>

    @property
    def shared(self) -> bool:
        return SHARED in self.gold.parents

    def available(self) -> bool:
        return self.gold.is_dir() and self.inputs.is_dir()


SETS = (
    GoldSet("seeds_txt", SHARED / "gold", SHARED / "seeds", ".txt"),
    GoldSet("seeds_pdf", SHARED / "gold", SHARED / "pdfs", ".pdf"),
    GoldSet("seeds_unruled_pdf", SHARED / "gold", SHARED / "pdfs", ".unruled.pdf"),
    GoldSet("real_txt", SHARED / "real" / "gold", SHARED / "real" / "docs", ".txt"),
    GoldSet("real_pdf", SHARED / "real" / "gold", SHARED / "real" / "pdfs", ".pdf"),
    GoldSet("corpus_txt", CORPUS / "gold", CORPUS / "docs", ".txt"),
    GoldSet("corpus_pdf", CORPUS / "gold", CORPUS / "pdfs", ".pdf"),
)


def _scorer():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import score_extraction
    return score_extraction


def extract(path: Path) -> dict | None:
    """What `minutes extract PATH --json` prints, or None where the file cannot be read."""
    from pipeline import extract as stages
    from pipeline.errors import ExtractError, IngestError
    try:
        ex, _ = stages.run(path)
    except (IngestError, ExtractError):
        return None
    return ex.to_dict()


def score(gold_set: GoldSet) -> dict[str, float]:
    """Micro-averaged metrics over the set's files that have an input ('score': the headline mean)."""
    sc = _scorer()
    total = sc.Tally()
    for gold_file in sorted(gold_set.gold.glob("*.json")):
        source = gold_set.inputs / f"{gold_file.stem}{gold_set.suffix}"
        if not source.exists():
            continue
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        sc.score_file(gold, extract(source), total)
    result = total.result()
    result["score"] = sum(result.get(k, 0.0) for k in sc.HEADLINE) / len(sc.HEADLINE)
    return {k: round(result[k], 4) for k in FIELDS if k in result}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write-baseline", action="store_true", help=f"record the scores in {BASELINE.name}")
    args = ap.parse_args(argv)
    scores = {s.name: score(s) for s in SETS if s.available()}
    print(f"{'field':22s}" + "".join(f"{name:>18s}" for name in scores))
    for field in FIELDS:
        print(f"{field:22s}" + "".join(f"{s.get(field, float('nan')):18.3f}" for s in scores.values()))
    if args.write_baseline:
        BASELINE.write_text(json.dumps(scores, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"written: {BASELINE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

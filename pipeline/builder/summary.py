"""What a build did, counted as it goes: printed at its end (`lines`) or as JSON (`as_dict`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .plan import shown

if TYPE_CHECKING:
    import duckdb


@dataclass
class Summary:
    files: int = 0
    skipped: int = 0
    parsed: int = 0
    pages: int = 0
    documents: int = 0
    cases: int = 0
    decisions: int = 0
    attendees: int = 0
    renamed: int = 0
    duplicates: int = 0
    gone: int = 0
    pruned: int = 0
    failed_before: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    skipped_files: list[dict[str, str]] = field(default_factory=list)  # not read: directly under raw/, unsupported
    warehouse: dict[str, int] = field(default_factory=dict)  # logical documents, cases, … after the build
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failed": self.failed}

    def add_time(self, stage: str, seconds: float) -> None:
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def count_warehouse(self, con: duckdb.DuckDBPyConnection) -> None:
        row = con.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM cases), "
                          "(SELECT count(*) FROM decisions), (SELECT count(*) FROM attendees), "
                          "(SELECT count(*) FROM data_quality WHERE kind = 'conflict')").fetchone()
        if row:
            self.warehouse = dict(zip(("documents", "cases", "decisions", "attendees", "conflicts"), row))

    def lines(self) -> list[str]:
        out = [f"files      {self.files} ({self.skipped} unchanged, skipped)",
               f"pages      {self.pages}", f"documents  {self.documents}", f"cases      {self.cases}",
               f"decisions  {self.decisions}", f"attendees  {self.attendees}",
               f"failures   {self.failed}", f"seconds    {self.seconds:.2f}"]
        if self.warehouse:
            w = self.warehouse
            out += [f"warehouse  {w['documents']} documents, {w['cases']} cases, {w['decisions']} decisions, "
                    f"{w['attendees']} attendees",
                    f"           (a document once however many files hold a copy; "
                    f"{w['conflicts']} conflicts between copies in data_quality)"]
        notes = [(self.failed_before, "failed before and unchanged, not retried (--retry-failed)"),
                 (self.renamed, "renamed or moved, path updated"),
                 (self.duplicates, "duplicate content of another file, skipped"),
                 (self.gone, "loaded but gone from raw/" + (f", {self.pruned} pruned" if self.pruned else
                                                             " (kept; --prune removes them)"))]
        out += [f"note       {n} {text}" for n, text in notes if n]
        out += [f"FAILED {shown(f['path'])}: {f['reason']}" for f in self.failures]
        out += [f"SKIPPED {f['path']}: {f['reason']}" for f in self.skipped_files]
        return out

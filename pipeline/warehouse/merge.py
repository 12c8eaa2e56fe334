"""Copies -> logical documents: the same document read from several files (a PDF and its text
export, the same minutes saved twice, a scan) becomes one row in `documents`, its cases one row
each in `cases`, and so on; every logical row names its sources, and where copies disagree a row
goes to `data_quality` with both values.

Which copies are one document (by content, never by file name). Within one partnership and
document type, two copies from different files are the same document when
- their meeting dates and bodies agree where both state them, and
- the words of their cases (stemmed: numbers, titles, texts, decisions) and the names of their
  attendees overlap by at least SIMILAR (Jaccard similarity of the two sets), unless both number
  their cases and no number is shared; copies with neither cases nor attendees are matched on
  their header alone (same date, body and organisation), which is recorded as 'header_only'.
Pairs are joined most similar first, never two documents of the same file into one.

How copies merge. Copies are ranked: a born-digital PDF first, then text (txt, md), then a
scanned PDF read by text recognition; among equals by path. For each field the value of the
highest-ranked copy that states it is kept (a stated value beats unknown). Where another copy
states a different value, the row in data_quality has kind 'conflict'; where another copy leaves
it unknown, 'gap'. Cases are matched by number (unnumbered cases by their order), attendees by
name; a case or attendee only some copies have is kept and recorded as 'missing'. A case's page,
topics, attachments and references come from the highest-ranked copy holding it; its decision's
page and file from the copy its decision text is taken from.

OCR. A logical document, case or attendee has ocr = true when its highest-ranked copy, or a copy
any of its values is taken from, was read by OCR (for a case or attendee: its page in that copy),
with the lowest mean word confidence among those; a decision, when its text's copy was.

Ids are stable: a document's from its partnership, type, body, date and first case number; a
case's from its document's and its number. A build merges again only the groups (partnership,
document type) whose files changed (`merge_pending`, written with the files' rows), and of those
only the meeting days the changed copies state where no copy of the group lacks a day (`_units`),
so the result never depends on the order or batches files were loaded in, and a new file costs
the copies of its own meeting, not its group's whole history."""
from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from itertools import groupby
from typing import Any

import duckdb
import pyarrow as pa

from .. import derive, nlp
from ..models import DecisionLabel
from . import arrow, search
from .transaction import transaction

SIMILAR = 0.6
Row = dict[str, Any]

PROPOSED = {DecisionLabel.FORSLAG_TIL_VEDTAK, DecisionLabel.FORSLAG_TIL_KONKLUSJON, DecisionLabel.INNSTILLING}
DOC_FIELDS = ("organization", "body", "body_abbrev", "meeting_date", "start_time", "end_time", "location", "chair",
              "minute_taker")
CASE_FIELDS = ("number", "title", "case_type", "decision_label", "decision", "responsible", "text",
               "attachment_count", "vote")
CASE_COMPARED = tuple(f for f in CASE_FIELDS if f != "text")  # a case's running text differs by layout
ATTENDEE_FIELDS = ("name", "organization", "organisation_canonical", "title", "status", "note", "deputy_for",
                   "from_case", "to_case")
ATTENDEE_COMPARED = tuple(f for f in ATTENDEE_FIELDS if f not in ("name", "organisation_canonical"))
MEETING_TYPES = ("referat", "protokoll", "innkalling")

# logical tables of one group, deleted and written again together
LOGICAL = ("documents", "document_sources", "cases", "case_sources", "decisions", "attendees", "attachments",
           "case_topics", "case_references", "data_quality")


def mark_files(con: duckdb.DuckDBPyConnection, shas: Sequence[str]) -> None:
    """The groups holding these files' copies are to be merged again (call before their rows go and
    after new rows come: both the old and the new groups). Within this connection, the meeting
    days of the copies are noted too (`_marked`), so the merge can take only those days of a group
    (see `_units`); a group pending before the first call (left by a build that was stopped) is
    merged whole."""
    if shas:
        con.execute("CREATE TEMP TABLE IF NOT EXISTS _was_pending AS SELECT partnership, doc_type FROM merge_pending")
        con.execute("CREATE TEMP TABLE IF NOT EXISTS _marked "
                    "(partnership VARCHAR, doc_type VARCHAR, meeting_date DATE)")
        con.execute("INSERT INTO _marked SELECT DISTINCT partnership, doc_type, meeting_date FROM copy_documents "
                    "WHERE sha256 IN (SELECT unnest(?))", [list(shas)])
        con.execute("INSERT OR IGNORE INTO merge_pending SELECT DISTINCT partnership, doc_type FROM copy_documents "
                    "WHERE sha256 IN (SELECT unnest(?))", [list(shas)])


def pending(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM merge_pending").fetchone()
    return int(row[0]) if row else 0


CHUNK_COPIES = 1000  # copies merged together, in one transaction: what a chunk holds in memory at once
Unit = tuple[str, str, date | None, int]  # partnership, doc type, meeting day (None: every day), copies

# the rows of `alias` (with partnership, doc_type, meeting_date) in a unit being merged (`_groups` g)
IN_UNIT = ("g.partnership = {0}.partnership AND g.doc_type = {0}.doc_type "
           "AND (g.meeting_date IS NULL OR g.meeting_date = {0}.meeting_date)")


def run(con: duckdb.DuckDBPyConnection, everything: bool = False) -> int:
    """Merge the pending groups (all groups with `everything`); returns how many groups. A group
    is merged whole, or only on the meeting days its changed copies have (`_units`). The units are
    merged in chunks of about CHUNK_COPIES copies (a group's units in one chunk), each in one
    transaction with a fixed number of statements however many units it holds, which takes its
    groups off `merge_pending`: memory stays bounded however many groups are pending (every group
    after a build from empty), and a build killed between chunks leaves the rest pending for the
    next build, which merges them whole."""
    if everything:
        with transaction(con):
            con.execute("INSERT OR IGNORE INTO merge_pending SELECT DISTINCT partnership, doc_type FROM copy_documents")
    units = _units(con, everything)
    for chunk in _chunks(units):
        with transaction(con):
            con.execute("CREATE OR REPLACE TEMP TABLE _groups AS SELECT unnest(?) AS partnership, "
                        "unnest(?) AS doc_type, unnest(?::DATE[]) AS meeting_date",
                        [[u[0] for u in chunk], [u[1] for u in chunk], [u[2] for u in chunk]])
            con.execute("CREATE OR REPLACE TEMP TABLE _copies AS SELECT copy_doc_id, sha256 FROM copy_documents d "
                        f"JOIN _groups g ON {IN_UNIT.format('d')}")
            try:
                _replace(con, _merge(con))
                refresh_meetings(con)
                con.execute("DELETE FROM merge_pending WHERE (partnership, doc_type) IN "
                            "(SELECT (partnership, doc_type) FROM _groups)")
            finally:  # refused in a transaction an error aborted; the rollback drops them then
                with contextlib.suppress(duckdb.Error):
                    for temp in ("_copies", "_groups", "_old_docs", "_old_cases"):
                        con.execute(f"DROP TABLE IF EXISTS {temp}")
    with contextlib.suppress(duckdb.Error):  # the next changes are noted afresh
        con.execute("DROP TABLE IF EXISTS _marked")
        con.execute("DROP TABLE IF EXISTS _was_pending")
    return len({u[:2] for u in units})


def _units(con: duckdb.DuckDBPyConnection, everything: bool) -> list[Unit]:
    """What to merge of the pending groups, with the copies each holds. Copies are only ever one
    document when their meeting days agree (a copy without a day may join any), and a document's
    ids depend only on the copies of its day; so a group whose changed copies (noted by mark_files
    in this connection) all state a day, and that holds no copy without one, is merged on those days
    alone: its other days' documents are what a whole merge would make of them again. Any other
    pending group is merged whole (day None)."""
    counted = con.execute("SELECT partnership, doc_type, meeting_date, count(*) FROM copy_documents "
                          "JOIN merge_pending USING (partnership, doc_type) GROUP BY ALL").fetchall()
    copies: dict[tuple[str, str], dict[date | None, int]] = defaultdict(dict)
    for p, d, day, n in counted:
        copies[(p, d)][day] = n
    groups = [g for (*g,) in con.execute("SELECT partnership, doc_type FROM merge_pending ORDER BY ALL").fetchall()]
    days: dict[tuple[str, str], set[date | None]] = defaultdict(set)
    if not everything and con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary "
                                      "AND table_name = '_marked'").fetchone() == (1,):
        for p, d, day in con.execute("SELECT DISTINCT partnership, doc_type, meeting_date FROM _marked").fetchall():
            days[(p, d)].add(day)
        for p, d in con.execute("SELECT partnership, doc_type FROM _was_pending").fetchall():
            days[(p, d)].add(None)  # pending before: what changed then is not known
    out: list[Unit] = []
    for p, d in groups:
        held = copies.get((p, d), {})
        marked = days.get((p, d))
        if not marked or None in marked or None in held:
            out.append((p, d, None, sum(held.values())))
        else:
            out += [(p, d, day, held.get(day, 0)) for day in sorted(day for day in marked if day is not None)]
    return out


def _chunks(units: list[Unit]) -> list[list[Unit]]:
    """Whole groups' units, in order, in chunks of up to CHUNK_COPIES copies (a larger group alone)."""
    out: list[list[Unit]] = [[]]
    size = 0
    for _, grouped in groupby(units, key=lambda u: u[:2]):  # a group's units are next to each other
        group = list(grouped)
        copies = sum(u[3] for u in group)
        if out[-1] and size + copies > CHUNK_COPIES:
            out.append([])
            size = 0
        out[-1].extend(group)
        size += copies
    return out


def _merge(con: duckdb.DuckDBPyConnection) -> dict[str, list[Row]]:
    """Every logical row of the pending groups, made again from their copies (in `_copies`)."""
    copies = _rows(con, """SELECT d.*, s.path AS source_path, s.format FROM copy_documents d
                           JOIN _copies USING (copy_doc_id) JOIN source_files s ON s.sha256 = d.sha256
                           ORDER BY d.partnership, d.doc_type, d.copy_doc_id""")
    cases = _grouped(_rows(con, "SELECT c.* FROM copy_cases c JOIN _copies USING (copy_doc_id) "
                                "ORDER BY c.copy_doc_id, c.seq"), "copy_doc_id")
    people = _grouped(_rows(con, "SELECT a.* FROM copy_attendees a JOIN _copies USING (copy_doc_id) "
                                 "ORDER BY a.copy_doc_id, a.seq"), "copy_doc_id")
    in_cases = "JOIN copy_cases c USING (copy_case_id) JOIN _copies k ON k.copy_doc_id = c.copy_doc_id"
    attached = _grouped(_rows(con, f"SELECT a.* FROM copy_attachments a {in_cases} ORDER BY a.copy_case_id, a.seq"),
                        "copy_case_id")
    refs = _grouped(_rows(con, f"SELECT r.* FROM copy_case_references r {in_cases} "
                               "ORDER BY r.copy_case_id, r.ref_text, r.ref_case_key"), "copy_case_id")
    out: dict[str, list[Row]] = {t: [] for t in LOGICAL}
    by_group: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for c in copies:
        by_group[(c["partnership"], c["doc_type"])].append(c)
    for group in by_group.values():
        seen_keys: dict[str, int] = {}
        for members, sims, header_only in _groups(group, _Prints(group, cases, people)):
            _merge_document(members, sims, header_only, cases, people, attached, refs, seen_keys, out)
    return out


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Row]:
    result = con.execute(sql, params or [])
    names = [d[0] for d in result.description or []]
    return [dict(zip(names, r)) for r in result.fetchall()]


def _grouped(rows: list[Row], key: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        out[r[key]].append(r)
    return out


def _terms(cases: list[Row]) -> set[str]:
    """The search terms of a copy's cases (the stems of their titles, texts and decisions, as
    derive.py makes their postings), from the cases themselves: the postings of the whole warehouse
    are not read to merge one group."""
    out: set[str] = set()
    for c in cases:
        out.update(nlp.stems([*nlp.words(c["title"]), *nlp.words(c["text"]), *nlp.words(c["decision"])]))
    return out


Print = tuple[frozenset[str], frozenset[str]]  # a copy's words, and its case numbers (_fingerprint)


class _Prints:
    """The fingerprint of each copy of a group (by index), made when first asked for. Only copies
    that may be one document are compared (the same meeting day, or one of them undated, and their
    headers agreeing): a copy compared with none (in an archive, most minutes are the only file of
    their meeting) is never split into words and stemmed."""

    def __init__(self, group: list[Row], cases: dict[str, list[Row]], people: dict[str, list[Row]]) -> None:
        self._group, self._cases, self._people = group, cases, people
        self._made: dict[int, Print] = {}

    def __getitem__(self, i: int) -> Print:
        made = self._made.get(i)
        if made is None:
            doc = self._group[i]["copy_doc_id"]
            rows = self._cases.get(doc, [])
            made = self._made[i] = _fingerprint(_terms(rows), rows, self._people.get(doc, []))
        return made


def _fingerprint(terms: set[str], cases: list[Row], people: list[Row]) -> Print:
    """(the words a copy's cases and attendees consist of, its case numbers)."""
    numbers = frozenset(c["case_key"] for c in cases if c["case_key"])
    names = {"@" + " ".join(a["name"].casefold().split()) for a in people}
    return frozenset(terms) | {"#" + n for n in numbers} | names, numbers


def _rank(copy: Row) -> tuple[int, str, int]:
    """Born-digital PDF, then text, then a scanned PDF; among equals by path."""
    kind = 2 if copy["ocr"] else 0 if copy["format"] == "pdf" else 1
    return kind, copy["source_path"], copy["seq"]


def _agree(a: Any, b: Any) -> bool:
    return a is None or b is None or _norm(a) == _norm(b)


def _headers_agree(a: Row, b: Row) -> bool:
    """May copies a and b be one document by their headers (two files, no day or body that differs)?"""
    return a["sha256"] != b["sha256"] and _agree(a["meeting_date"], b["meeting_date"]) \
        and _agree(a["body_abbrev"] or a["body"], b["body_abbrev"] or b["body"])


def _similarity(a: Row, b: Row, pa_: Print, pb: Print) -> tuple[float, bool] | None:
    """(similarity, matched on the header alone) when copies a and b, whose headers agree
    (_headers_agree), may be one document, else None."""
    (wa, na), (wb, nb) = pa_, pb
    if not wa and not wb:  # nothing to compare but the header
        same = (a["meeting_date"] == b["meeting_date"] and _agree(a["organization"], b["organization"])
                and (a["body_abbrev"] or a["body"]) == (b["body_abbrev"] or b["body"]))
        return (1.0, True) if same else None
    if not wa or not wb or (na and nb and not na & nb):
        return None
    sim = len(wa & wb) / len(wa | wb)
    return (sim, False) if sim >= SIMILAR else None


def _groups(copies: list[Row], prints: _Prints) -> list[tuple[list[Row], list[float | None], bool]]:
    """Copies joined into documents: (members in rank order, each one's similarity to the first,
    whether matched on the header alone), in the order of their first members."""
    by_date: dict[date | None, list[int]] = defaultdict(list)
    for i, c in enumerate(copies):
        by_date[c["meeting_date"]].append(i)
    undated = by_date.get(None, [])
    candidates: list[tuple[int, int]] = []
    for day, idx in by_date.items():
        candidates += [(i, j) for n, i in enumerate(idx) for j in idx[n + 1:]]
        if day is not None:
            candidates += [(min(i, j), max(i, j)) for i in idx for j in undated]
    pairs = []
    header_pairs: set[tuple[int, int]] = set()
    for i, j in candidates:
        if not _headers_agree(copies[i], copies[j]):
            continue
        found = _similarity(copies[i], copies[j], prints[i], prints[j])
        if found:
            pairs.append((-found[0], i, j))
            if found[1]:
                header_pairs.add((i, j))
    parent = list(range(len(copies)))
    shas = [{c["sha256"]} for c in copies]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    header_roots: set[int] = set()
    for _, i, j in sorted(pairs):
        ri, rj = root(i), root(j)
        if ri == rj or shas[ri] & shas[rj]:  # never two documents of one file
            continue
        parent[rj] = ri
        shas[ri] |= shas[rj]
        if (i, j) in header_pairs:
            header_roots.add(ri)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(copies)):
        members[root(i)].append(i)
    out = []
    for r, idx in members.items():
        idx.sort(key=lambda i: _rank(copies[i]))
        sims: list[float | None] = [1.0]
        if len(idx) > 1:
            first = prints[idx[0]][0]
            sims += [
                round(len(first & prints[i][0]) / len(first | prints[i][0]), 3) if first | prints[i][0] else None
                for i in idx[1:]]
        header_only = any(root(h) == root(r) for h in header_roots)
        out.append(([copies[i] for i in idx], sims, header_only))
    out.sort(key=lambda g: _rank(g[0][0]))
    return out


# --- merging fields -------------------------------------------------------------------------------

def _stated(field: str, value: Any) -> bool:
    return value is not None and value != "" and value != [] and not (field == "status" and value == "unknown")


def _norm(value: Any) -> Any:
    """What two values are compared as: words in lower case (punctuation and spacing aside)."""
    if isinstance(value, str):
        return " ".join(nlp.WORD.findall(value.casefold())) or value.strip()
    if isinstance(value, list | tuple):
        return tuple(sorted(str(_norm(v)) for v in value))
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Merged:
    """Fields merged from ranked (copy, row) members, with the data-quality notes they give."""

    def __init__(self, members: list[tuple[Row, Row]], notes: list[Row], where: Row) -> None:
        self.members, self.notes, self.where = members, notes, where
        self.source: dict[str, Row] = {}  # field -> the copy its value came from
        self.rows: dict[str, Row] = {}  # field -> the row (of that copy) its value came from

    def pick(self, field: str, compared: bool = True, default: Any = None) -> Any:
        stated = [(c, r) for c, r in self.members if _stated(field, r[field])]
        if not stated:
            return default
        kept_copy, kept_row = stated[0]
        self.source[field] = kept_copy
        self.rows[field] = kept_row
        kept = kept_row[field]
        if compared:
            for c, r in self.members:
                if c is kept_copy:
                    continue
                value = r[field]
                if not _stated(field, value):
                    self.note(field, "gap", kept, kept_copy, value, c)
                elif _norm(value) != _norm(kept):
                    self.note(field, "conflict", kept, kept_copy, value, c)
        return kept

    def ocr(self, top: Row) -> Row:
        """The OCR columns of the merged row: read by OCR when `top` (the highest-ranked row) or a
        row a value came from was, with the lowest confidence of those."""
        return _ocr_of([top, *self.rows.values()])

    def note(self, field: str, kind: str, kept: Any, kept_copy: Row | None, other: Any, other_copy: Row) -> None:
        self.notes.append({**self.where, "field": field, "kind": kind, "kept_value": _text(kept),
                           "kept_source": kept_copy["source_path"] if kept_copy else None,
                           "other_value": _text(other), "other_source": other_copy["source_path"]})


def _ocr_of(rows: list[Row]) -> Row:
    read = [r for r in rows if r.get("ocr")]
    confidence = [r["ocr_confidence"] for r in read if r.get("ocr_confidence") is not None]
    return dict(ocr=bool(read), ocr_confidence=min(confidence) if confidence else None)


def _short_id(key: str, length: int) -> str:
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:length]


def _slots(members: list[Row], rows_of: dict[str, list[Row]], key_of: Any) -> list[tuple[str, list[tuple[Row, Row]]]]:
    """The items (cases, attendees) of ranked copies matched by key: (key, [(copy, row)] in rank
    order), in the order of the highest-ranked copy, an item only lower copies have placed after the
    item it follows there."""
    order: list[str] = []
    found: dict[str, list[tuple[Row, Row]]] = {}
    for copy in members:
        seen: dict[str, int] = defaultdict(int)
        after: str | None = None
        for row in rows_of.get(copy["copy_doc_id"], []):
            base = key_of(row, seen)
            key = f"{base}#{seen[base]}" if seen[base] else base
            seen[base] += 1
            if key not in found:
                found[key] = []
                order.insert(order.index(after) + 1 if after is not None else 0, key)
            found[key].append((copy, row))
            after = key
    return [(k, found[k]) for k in order]


def _case_key(row: Row, seen: dict[str, int]) -> str:
    if row["case_key"]:
        return str(row["case_key"])
    seen["unnumbered"] += 1
    return f"unnumbered {seen['unnumbered']}"


def _person_key(row: Row, _: dict[str, int]) -> str:
    return " ".join(row["name"].casefold().split())


def _merge_document(members: list[Row], sims: list[float | None], header_only: bool, cases: dict[str, list[Row]],
                    people: dict[str, list[Row]], attached: dict[str, list[Row]], refs: dict[str, list[Row]],
                    seen_keys: dict[str, int], out: dict[str, list[Row]]) -> None:
    first = members[0]
    notes: list[Row] = []
    doc = _Merged([(c, c) for c in members], notes, {"item": "document", "item_name": None, "case_id": None})
    fields = {f: doc.pick(f) for f in DOC_FIELDS}
    case_slots = _slots(members, cases, _case_key)
    attendee_slots = _slots(members, people, _person_key)
    body = fields["body_abbrev"] or fields["body"]
    day = fields["meeting_date"].isoformat() if fields["meeting_date"] else None
    first_case = next((k for k, _ in case_slots), "")
    key = "|".join([first["partnership"], first["doc_type"], body or "", day or "", first_case])
    seen_keys[key] = seen_keys.get(key, 0) + 1
    if seen_keys[key] > 1:
        key += f"|{seen_keys[key]}"
    doc_id = _short_id(key, 8)
    meeting = derive.meeting_id(first["partnership"], body, day)
    for n in notes:
        n["doc_id"] = doc_id
    if header_only:
        for c in members[1:]:
            doc.note("document", "header_only", None, first, None, c)
            notes[-1]["doc_id"] = doc_id
    sources = [c["source_path"] for c in members]
    out["documents"].append(dict(doc_id=doc_id, partnership=first["partnership"], doc_type=first["doc_type"], **fields,
                                 meeting_id=meeting, n_cases=len(case_slots), n_attendees=len(attendee_slots),
                                 page_start=first["page_start"], page_end=first["page_end"], sha256=first["sha256"],
                                 source_path=first["source_path"], copies=len(members), sources=sources,
                                 **doc.ocr(first)))
    out["document_sources"] += [dict(doc_id=doc_id, copy_doc_id=c["copy_doc_id"], sha256=c["sha256"],
                                     source_path=c["source_path"], format=c["format"], rank=n, similarity=s)
                                for n, (c, s) in enumerate(zip(members, sims), start=1)]
    common = dict(partnership=first["partnership"], body=body, meeting_date=fields["meeting_date"],
                  doc_type=first["doc_type"], meeting_id=meeting)
    for seq, (slot, held) in enumerate(case_slots, start=1):
        case_id = _short_id(f"{key}|{slot}", 10)
        _merge_case(case_id, doc_id, seq, held, members, common, attached, refs, notes, out)
    for seq, (_, held) in enumerate(attendee_slots, start=1):
        _merge_attendee(doc_id, seq, held, members, first["partnership"], notes, out)
    for n in notes:
        n.setdefault("doc_id", doc_id)
    out["data_quality"] += notes


def _missing(held: list[tuple[Row, Row]], members: list[Row], merged: _Merged, item: str) -> None:
    having = {id(c) for c, _ in held}
    for c in members:
        if id(c) not in having:
            merged.note(item, "missing", merged.where["item_name"], held[0][0], None, c)


def _merge_case(case_id: str, doc_id: str, seq: int, held: list[tuple[Row, Row]], members: list[Row], common: Row,
                attached: dict[str, list[Row]], refs: dict[str, list[Row]], notes: list[Row],
                out: dict[str, list[Row]]) -> None:
    top_copy, top = held[0]
    name = next((r["number"] for _, r in held if r["number"]), None) or next(
        (r["title"] for _, r in held if r["title"]), None)
    m = _Merged(held, notes, {"doc_id": doc_id, "case_id": case_id, "item": "case", "item_name": name})
    fields = {f: m.pick(f, f in CASE_COMPARED) for f in CASE_FIELDS}
    fields["responsible"] = fields["responsible"] or []
    _missing(held, members, m, "case")
    label = fields["decision_label"]
    decided_by = m.source.get("decision")
    decision_row = next((r for c, r in held if c is decided_by), top)
    outcome = decision_row["outcome"] if fields["decision"] else None
    topics: list[str] = next((list(r["topics"]) for _, r in held if r["topics"]), [])
    out["cases"].append(dict(case_id=case_id, doc_id=doc_id, seq=seq, **common, **fields,
                             number_sort=derive.number_sort(fields["number"]), case_key=top["case_key"],
                             outcome=outcome, proposed=label in PROPOSED if fields["decision"] else None,
                             n_terms=top["n_terms"], topics=topics, page=top["page"], sha256=top_copy["sha256"],
                             source_path=top_copy["source_path"], copies=len(held),
                             sources=[c["source_path"] for c, _ in held], **m.ocr(top)))
    out["case_sources"] += [dict(case_id=case_id, copy_case_id=r["copy_case_id"], sha256=c["sha256"],
                                 source_path=c["source_path"], page=r["page"], decision_page=r["decision_page"],
                                 rank=n) for n, (c, r) in enumerate(held, start=1)]
    if fields["decision"] and decided_by is not None:
        out["decisions"].append(dict(case_id=case_id, doc_id=doc_id, label=label, text=fields["decision"],
                                     proposed=label in PROPOSED, outcome=outcome,
                                     page=decision_row["decision_page"] or decision_row["page"],
                                     sha256=decided_by["sha256"], source_path=decided_by["source_path"],
                                     **_ocr_of([decision_row])))
    out["case_topics"] += [dict(case_id=case_id, topic=t) for t in topics]
    titles = next((attached[r["copy_case_id"]] for _, r in held if attached.get(r["copy_case_id"])), [])
    out["attachments"] += [dict(case_id=case_id, seq=a["seq"], title=a["title"]) for a in titles]
    found = next((refs[r["copy_case_id"]] for _, r in held if refs.get(r["copy_case_id"])), [])
    out["case_references"] += [dict(case_id=case_id, ref_text=r["ref_text"], ref_body=r["ref_body"],
                                    ref_date=r["ref_date"], ref_case_key=r["ref_case_key"]) for r in found]


def _merge_attendee(doc_id: str, seq: int, held: list[tuple[Row, Row]], members: list[Row], partnership: str,
                    notes: list[Row], out: dict[str, list[Row]]) -> None:
    top_copy, top = held[0]
    m = _Merged(held, notes, {"doc_id": doc_id, "case_id": None, "item": "attendee", "item_name": top["name"]})
    fields = {f: m.pick(f, f in ATTENDEE_COMPARED) for f in ATTENDEE_FIELDS}
    fields["status"] = fields["status"] or "unknown"
    _missing(held, members, m, "attendee")
    out["attendees"].append(dict(doc_id=doc_id, seq=seq, person_id=derive.person_id(partnership, fields["name"]),
                                 **fields, page=top["page"], sha256=top_copy["sha256"],
                                 source_path=top_copy["source_path"], copies=len(held), **m.ocr(top)))


# --- writing --------------------------------------------------------------------------------------

SCHEMAS = {
    "documents": [("doc_id", pa.string()), ("partnership", pa.string()), ("doc_type", pa.string()),
                  ("organization", pa.string()), ("body", pa.string()), ("body_abbrev", pa.string()),
                  ("meeting_date", pa.date32()), ("start_time", pa.string()), ("end_time", pa.string()),
                  ("location", pa.string()), ("chair", pa.string()), ("minute_taker", pa.string()),
                  ("meeting_id", pa.string()), ("n_cases", pa.int64()), ("n_attendees", pa.int64()),
                  ("page_start", pa.int64()), ("page_end", pa.int64()), ("sha256", pa.string()),
                  ("source_path", pa.string()), ("copies", pa.int64()), ("sources", pa.list_(pa.string())),
                  ("ocr", pa.bool_()), ("ocr_confidence", pa.int64())],
    "cases": [("case_id", pa.string()), ("doc_id", pa.string()), ("seq", pa.int64()), ("partnership", pa.string()),
              ("body", pa.string()), ("meeting_date", pa.date32()), ("doc_type", pa.string()),
              ("meeting_id", pa.string()), ("number", pa.string()), ("number_sort", pa.string()),
              ("case_key", pa.string()), ("title", pa.string()), ("case_type", pa.string()),
              ("decision_label", pa.string()), ("decision", pa.string()), ("outcome", pa.string()),
              ("proposed", pa.bool_()), ("responsible", pa.list_(pa.string())), ("text", pa.string()),
              ("n_terms", pa.int64()), ("topics", pa.list_(pa.string())), ("attachment_count", pa.int64()),
              ("vote", arrow.VOTE), ("page", pa.int64()), ("sha256", pa.string()), ("source_path", pa.string()),
              ("copies", pa.int64()), ("sources", pa.list_(pa.string())), ("ocr", pa.bool_()),
              ("ocr_confidence", pa.int64())],
    "case_references": [("case_id", pa.string()), ("ref_text", pa.string()), ("ref_body", pa.string()),
                        ("ref_date", pa.date32()), ("ref_case_key", pa.string())],
    "data_quality": [("doc_id", pa.string()), ("case_id", pa.string()), ("item", pa.string()),
                     ("item_name", pa.string()), ("field", pa.string()), ("kind", pa.string()),
                     ("kept_value", pa.string()), ("kept_source", pa.string()), ("other_value", pa.string()),
                     ("other_source", pa.string())],
}


def _replace(con: duckdb.DuckDBPyConnection, out: dict[str, list[Row]]) -> None:
    """The logical rows of the units being merged (`_groups`) replaced by `out`, and their search
    index rows: each case with the postings of its preferred copy, the ones it is scored on."""
    # the units' old ids, found once (a join per delete costs more than the two statements)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _old_docs AS SELECT doc_id FROM documents x "
                f"JOIN _groups g ON {IN_UNIT.format('x')}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _old_cases AS SELECT case_id FROM cases x "
                f"JOIN _groups g ON {IN_UNIT.format('x')}")
    for table in ("case_sources", "decisions", "attachments", "case_topics", "case_references", "cases"):
        con.execute(f"DELETE FROM {table} WHERE case_id IN (SELECT case_id FROM _old_cases)")
    for table in ("document_sources", "attendees", "data_quality", "documents"):
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT doc_id FROM _old_docs)")
    for table in LOGICAL:
        rows = out[table]
        if not rows:
            continue
        schema = pa.schema(SCHEMAS[table]) if table in SCHEMAS else None
        data = pa.Table.from_pylist(rows, schema=schema)
        cols = ", ".join(data.column_names)
        con.register("_merged", data)
        try:
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _merged")
        finally:
            con.unregister("_merged")
    search.index_pending(con, IN_UNIT)


# the rows of `alias` on the days of the units being merged, whatever their document type: a
# meeting is made of its day's notices and minutes
ON_UNIT_DAYS = ("({0}.partnership IN (SELECT partnership FROM _groups WHERE meeting_date IS NULL) "
                "OR ({0}.partnership, {0}.meeting_date) IN (SELECT (partnership, meeting_date) FROM _groups))")


def refresh_meetings(con: duckdb.DuckDBPyConnection) -> None:
    """The meetings on the days of the units being merged (`_groups`; a unit of every day: its
    partnership's meetings), from their notices and minutes: each field from the minutes where they
    state it, else from the notice. A meeting's id holds its day, so the meetings of other days
    are what they were."""
    fields = ("body", "body_abbrev", "start_time", "end_time", "location", "chair", "minute_taker")
    picked = ", ".join(f"arg_min({f}, rank) FILTER (WHERE {f} IS NOT NULL AND {f} <> '') AS {f}" for f in fields)
    types = ", ".join(f"'{t}'" for t in MEETING_TYPES)
    con.execute(f"DELETE FROM meetings WHERE {ON_UNIT_DAYS.format('meetings')}")
    con.execute(f"""INSERT INTO meetings (meeting_id, partnership, meeting_date, {", ".join(fields)})
                    SELECT meeting_id, partnership, any_value(meeting_date), {picked}
                    FROM (SELECT *, (CASE WHEN doc_type = 'innkalling' THEN '1' ELSE '0' END) || doc_id AS rank
                          FROM documents x WHERE {ON_UNIT_DAYS.format('x')} AND meeting_id IS NOT NULL
                            AND doc_type IN ({types}))
                    GROUP BY meeting_id, partnership""")

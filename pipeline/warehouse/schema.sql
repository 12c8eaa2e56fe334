-- The warehouse: the only place tables are created.
--
-- Two layers. The copy_* tables (and source_files, search_terms, extraction_warnings) hold what was
-- read from each source file, one row set per file, replaced whole when the file changes. The same
-- document is often loaded more than once (a PDF and its text export, a re-saved PDF): each file is a
-- copy. The logical tables (documents, cases, decisions, attendees, attachments, case_topics,
-- case_references, meetings) hold one row per logical document, case, decision and attendee: copies
-- recognised by their content and merged (pipeline/warehouse/merge.py), each row naming its sources,
-- and where copies disagree a row in data_quality. Query the logical tables; the copies are there
-- to check where a value came from.
CREATE TABLE IF NOT EXISTS source_files (
    sha256      VARCHAR PRIMARY KEY,
    path        VARCHAR NOT NULL,
    format      VARCHAR NOT NULL,      -- pdf | txt | md
    partnership VARCHAR NOT NULL,      -- raw/<partnership>/...
    pages       INTEGER NOT NULL,
    size        BIGINT NOT NULL,
    loaded_at   TIMESTAMP NOT NULL,
    pipeline_version VARCHAR,           -- a file read by another version is read again
    ocr_pages   INTEGER                 -- pages read by OCR (no usable text layer)
);

-- --- as read from each file (one copy per file) ------------------------------------------------
CREATE TABLE IF NOT EXISTS copy_documents (
    copy_doc_id  VARCHAR PRIMARY KEY,  -- sha256:seq
    sha256       VARCHAR NOT NULL,
    seq          INTEGER NOT NULL,
    partnership  VARCHAR NOT NULL,
    doc_type     VARCHAR NOT NULL,
    organization VARCHAR,
    body         VARCHAR,
    body_abbrev  VARCHAR,
    meeting_date DATE,
    start_time   VARCHAR,
    end_time     VARCHAR,
    location     VARCHAR,
    chair        VARCHAR,
    minute_taker VARCHAR,
    page_start   INTEGER,
    page_end     INTEGER,
    ocr          BOOLEAN NOT NULL,        -- read from scanned pages (text recognition): any of its pages,
                                          -- cases or attendees read by OCR (merge.py ranks such copies last)
    ocr_confidence INTEGER                -- then Tesseract's mean word confidence (0-100) on those pages
);

CREATE TABLE IF NOT EXISTS copy_cases (
    copy_case_id   VARCHAR PRIMARY KEY,  -- copy_doc_id:seq
    copy_doc_id    VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    seq            INTEGER NOT NULL,
    number         VARCHAR,
    case_key       VARCHAR,              -- '2024.13' -> '2024/13', for matching references and copies
    title          VARCHAR,
    case_type      VARCHAR,
    decision_label VARCHAR,
    decision       VARCHAR,
    outcome        VARCHAR,              -- approved | noted | postponed | rejected | other (taxonomy.toml)
    responsible    VARCHAR[],
    page           INTEGER,              -- where the case starts
    decision_page  INTEGER,              -- where its decision text is (the case's page unless the record says)
    text           VARCHAR,              -- the case's own text (search)
    n_terms        INTEGER,              -- search terms in title + text + decision (BM25 length)
    attachment_count INTEGER,            -- how many vedlegg the case says it has
    topics         VARCHAR[],            -- taxonomy.toml topics
    vote           STRUCT(text VARCHAR, "for" INTEGER, against INTEGER, unanimous BOOLEAN), -- how it was voted on
    ocr            BOOLEAN,              -- its page was read by OCR
    ocr_confidence INTEGER               -- then the page's mean word confidence (0-100)
);

CREATE TABLE IF NOT EXISTS copy_attachments (  -- vedlegg named in a case
    copy_case_id VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    seq          INTEGER NOT NULL,
    title        VARCHAR NOT NULL,
    PRIMARY KEY (copy_case_id, seq)
);

CREATE TABLE IF NOT EXISTS copy_attendees (
    copy_doc_id  VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    seq          INTEGER NOT NULL,
    name         VARCHAR NOT NULL,
    organization VARCHAR,
    title        VARCHAR,
    status       VARCHAR NOT NULL,        -- present | absent | unknown
    page         INTEGER,
    organisation_canonical VARCHAR,       -- taxonomy.toml organisations
    note         VARCHAR,                 -- bracketed note as written: "per telefon", "for Per Moen, Re kommune"
    deputy_for   VARCHAR,                 -- a deputy (vara) attending for this member
    from_case    VARCHAR,                 -- partial attendance: from this case
    to_case      VARCHAR,                 -- partial attendance: until this case
    ocr          BOOLEAN,                 -- its page was read by OCR
    ocr_confidence INTEGER,               -- then the page's mean word confidence (0-100)
    PRIMARY KEY (copy_doc_id, seq)
);

CREATE TABLE IF NOT EXISTS copy_case_references (  -- "Referat fra SSU 05.12.24", "ref. sak SSU 2023.37"
    copy_case_id VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    ref_text     VARCHAR NOT NULL,
    ref_body     VARCHAR,
    ref_date     DATE,
    ref_case_key VARCHAR
);

CREATE TABLE IF NOT EXISTS extraction_warnings (
    sha256  VARCHAR NOT NULL,
    message VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS search_terms (   -- BM25 postings: Snowball-stemmed words of a copy's case
    copy_case_id VARCHAR NOT NULL,
    sha256  VARCHAR NOT NULL,
    term    VARCHAR NOT NULL,
    tf      INTEGER NOT NULL,
    doc_len INTEGER                       -- the case's n_terms, so scoring needs no join
);

CREATE TABLE IF NOT EXISTS load_errors (
    path      VARCHAR NOT NULL,
    sha256    VARCHAR,
    reason    VARCHAR NOT NULL,
    failed_at TIMESTAMP NOT NULL
);

-- --- logical: one row per document, case, decision, attendee (copies merged) -------------------
CREATE TABLE IF NOT EXISTS documents (
    doc_id       VARCHAR PRIMARY KEY,  -- stable: from partnership, type, body, date and first case number
    partnership  VARCHAR NOT NULL,
    doc_type     VARCHAR NOT NULL,
    organization VARCHAR,
    body         VARCHAR,
    body_abbrev  VARCHAR,
    meeting_date DATE,
    start_time   VARCHAR,
    end_time     VARCHAR,
    location     VARCHAR,
    chair        VARCHAR,
    minute_taker VARCHAR,
    meeting_id   VARCHAR,              -- partnership|body|date
    n_cases      INTEGER NOT NULL,
    n_attendees  INTEGER NOT NULL,
    page_start   INTEGER,              -- in source_path
    page_end     INTEGER,
    sha256       VARCHAR NOT NULL,     -- the preferred copy (see merge.py: born-digital PDF, text, scanned)
    source_path  VARCHAR NOT NULL,
    copies       INTEGER NOT NULL,
    sources      VARCHAR[] NOT NULL,   -- every copy's file, the preferred first
    ocr          BOOLEAN,              -- a value of it read by OCR (from a copy with pages read by OCR)
    ocr_confidence INTEGER             -- then the lowest of those copies' mean word confidence (0-100)
);

CREATE TABLE IF NOT EXISTS document_sources (
    doc_id      VARCHAR NOT NULL,
    copy_doc_id VARCHAR PRIMARY KEY,
    sha256      VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    format      VARCHAR NOT NULL,
    rank        INTEGER NOT NULL,      -- 1: the preferred copy
    similarity  DOUBLE                 -- content similarity to the copy it was matched with (1 for the first)
);

CREATE TABLE IF NOT EXISTS cases (
    case_id        VARCHAR PRIMARY KEY,  -- stable: what every list prints and `minutes show` takes
    doc_id         VARCHAR NOT NULL,
    seq            INTEGER NOT NULL,     -- order in its document
    partnership    VARCHAR NOT NULL,
    body           VARCHAR,              -- abbreviation where known
    meeting_date   DATE,
    doc_type       VARCHAR NOT NULL,
    meeting_id     VARCHAR,
    number         VARCHAR,
    number_sort    VARCHAR,              -- natural order: 2/25 before 11/25, 2024.2 before 2024.10
    case_key       VARCHAR,
    title          VARCHAR,
    case_type      VARCHAR,
    decision_label VARCHAR,
    decision       VARCHAR,
    outcome        VARCHAR,
    proposed       BOOLEAN,              -- Forslag til vedtak / Innstilling: proposed, not taken
    responsible    VARCHAR[],
    text           VARCHAR,
    n_terms        INTEGER,              -- search terms in title + text + decision of the copy read
    topics         VARCHAR[],
    attachment_count INTEGER,
    vote           STRUCT(text VARCHAR, "for" INTEGER, against INTEGER, unanimous BOOLEAN),
    page           INTEGER,              -- where the case starts, in source_path
    sha256         VARCHAR NOT NULL,
    source_path    VARCHAR NOT NULL,
    copies         INTEGER NOT NULL,
    sources        VARCHAR[] NOT NULL,
    ocr            BOOLEAN,              -- a value of it read by OCR (from a copy whose page was)
    ocr_confidence INTEGER               -- then the lowest mean word confidence (0-100) of those pages
);

CREATE TABLE IF NOT EXISTS case_sources (
    case_id      VARCHAR NOT NULL,
    copy_case_id VARCHAR PRIMARY KEY,
    sha256       VARCHAR NOT NULL,
    source_path  VARCHAR NOT NULL,
    page         INTEGER,
    decision_page INTEGER,
    rank         INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS decisions (
    case_id     VARCHAR PRIMARY KEY,
    doc_id      VARCHAR NOT NULL,
    label       VARCHAR,                 -- null when the outcome is recorded without a label
    text        VARCHAR NOT NULL,
    proposed    BOOLEAN NOT NULL,
    outcome     VARCHAR,
    page        INTEGER,                 -- where the decision text is, in source_path
    sha256      VARCHAR NOT NULL,        -- the copy the decision text is taken from
    source_path VARCHAR NOT NULL,
    ocr         BOOLEAN,                 -- the decision text read by OCR (that copy's case page)
    ocr_confidence INTEGER               -- then the page's mean word confidence (0-100)
);

CREATE TABLE IF NOT EXISTS attendees (
    doc_id       VARCHAR NOT NULL,
    seq          INTEGER NOT NULL,
    person_id    VARCHAR NOT NULL,        -- partnership|name in lower case: one person per name per partnership
    name         VARCHAR NOT NULL,
    organization VARCHAR,
    organisation_canonical VARCHAR,
    title        VARCHAR,
    status       VARCHAR NOT NULL,
    note         VARCHAR,
    deputy_for   VARCHAR,
    from_case    VARCHAR,
    to_case      VARCHAR,
    page         INTEGER,                 -- the page of its row, in source_path
    sha256       VARCHAR NOT NULL,
    source_path  VARCHAR NOT NULL,
    copies       INTEGER NOT NULL,
    ocr          BOOLEAN,                 -- a value of it read by OCR (from a copy whose page was)
    ocr_confidence INTEGER,               -- then the lowest mean word confidence (0-100) of those pages
    PRIMARY KEY (doc_id, seq)
);

CREATE TABLE IF NOT EXISTS attachments (
    case_id VARCHAR NOT NULL,
    seq     INTEGER NOT NULL,
    title   VARCHAR NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE IF NOT EXISTS case_topics (
    case_id VARCHAR NOT NULL,
    topic   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS case_references (
    case_id      VARCHAR NOT NULL,
    ref_text     VARCHAR NOT NULL,
    ref_body     VARCHAR,
    ref_date     DATE,
    ref_case_key VARCHAR
);

CREATE TABLE IF NOT EXISTS meetings (
    meeting_id   VARCHAR PRIMARY KEY,  -- partnership|body|date
    partnership  VARCHAR NOT NULL,
    body         VARCHAR,
    body_abbrev  VARCHAR,
    meeting_date DATE,
    start_time   VARCHAR,
    end_time     VARCHAR,
    location     VARCHAR,
    chair        VARCHAR,
    minute_taker VARCHAR
);

-- Where copies of one document disagree: both values and both files. kind: 'conflict' (both state
-- a value, the kept one from the preferred copy), 'gap' (one copy leaves unknown what another
-- states; the stated value kept), 'missing' (a case or attendee only some copies have; kept),
-- 'header_only' (copies with no cases or attendees to compare, matched on their header alone).
CREATE TABLE IF NOT EXISTS data_quality (
    doc_id       VARCHAR NOT NULL,
    case_id      VARCHAR,
    item         VARCHAR NOT NULL,       -- document | case | attendee
    item_name    VARCHAR,                -- case number or attendee name
    field        VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    kept_value   VARCHAR,
    kept_source  VARCHAR,
    other_value  VARCHAR,
    other_source VARCHAR
);

-- Groups of copies (partnership, doc type) whose files changed since they were last merged:
-- written in the transaction that loads the files, emptied by the merge at the end of a build.
CREATE TABLE IF NOT EXISTS merge_pending (
    partnership VARCHAR NOT NULL,
    doc_type    VARCHAR NOT NULL,
    PRIMARY KEY (partnership, doc_type)
);

-- The search index (pipeline/warehouse/search.py), made from search_terms and the merge: each logical
-- case once, with a number, and the postings of its preferred copy (the copy it is read from) under
-- that number, stored in term order so a term's lookup skips every row group without it. The merge
-- makes the rows of the groups it merges again; search.rebuild makes all of it from search_terms.
CREATE TABLE IF NOT EXISTS search_cases (
    case_no      BIGINT NOT NULL,      -- its postings' key in search_postings
    case_id      VARCHAR NOT NULL,
    copy_case_id VARCHAR NOT NULL,     -- the copy it is scored on; equal scores are ordered by it
    partnership  VARCHAR NOT NULL,     -- what the filters read, as in cases
    doc_type     VARCHAR NOT NULL,
    body         VARCHAR,
    meeting_date DATE
);

CREATE TABLE IF NOT EXISTS search_postings (
    term    VARCHAR NOT NULL,
    case_no BIGINT NOT NULL,
    tf      INTEGER NOT NULL,
    doc_len INTEGER                    -- the case's n_terms (BM25 length), so scoring needs no join
);

-- Upkeep counters. 'search_postings_unsorted': postings appended to search_postings since it was last
-- stored in term order; 'search_index': the layout version of the search index (made again by the
-- next build when it differs).
-- 'schema': the layout version of this file (2: copies and logical documents).
CREATE TABLE IF NOT EXISTS upkeep (
    name  VARCHAR PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT OR IGNORE INTO upkeep VALUES ('schema', 2);

-- Reference data from pipeline/data/taxonomy.toml, refreshed at every build.
CREATE TABLE IF NOT EXISTS organisations (
    canonical VARCHAR PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS organisation_aliases (
    alias     VARCHAR NOT NULL,
    canonical VARCHAR NOT NULL
);

-- Columns added after the first release of this layout: a warehouse built earlier gains them in place.
ALTER TABLE source_files ADD COLUMN IF NOT EXISTS pipeline_version VARCHAR;
ALTER TABLE copy_cases ADD COLUMN IF NOT EXISTS decision_page INTEGER;
ALTER TABLE search_terms ADD COLUMN IF NOT EXISTS doc_len INTEGER;
ALTER TABLE search_terms DROP COLUMN IF EXISTS preferred;  -- the search index (search_cases) says it
ALTER TABLE source_files ADD COLUMN IF NOT EXISTS ocr_pages INTEGER;
ALTER TABLE copy_documents ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;
ALTER TABLE copy_cases ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE copy_cases ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;
ALTER TABLE copy_attendees ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE copy_attendees ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;

-- Views for SQL users: the logical tables with their meeting and sources.
CREATE OR REPLACE VIEW partnerships AS
SELECT s.partnership, count(*) AS files, sum(s.pages) AS pages,
       (SELECT count(*) FROM documents d WHERE d.partnership = s.partnership) AS documents
FROM source_files s GROUP BY s.partnership;

CREATE OR REPLACE VIEW bodies AS
SELECT partnership, coalesce(body_abbrev, body) AS body, any_value(body) AS body_name,
       count(DISTINCT meeting_id) AS meetings, min(meeting_date) AS first_meeting, max(meeting_date) AS last_meeting
FROM documents WHERE coalesce(body_abbrev, body) IS NOT NULL AND coalesce(body_abbrev, body) <> ''
GROUP BY ALL;

CREATE OR REPLACE VIEW v_documents AS
SELECT doc_id, partnership, coalesce(body_abbrev, body) AS body, meeting_date, doc_type, organization,
       n_cases AS cases, n_attendees AS attendees, copies, source_path, page_start, page_end, sources, meeting_id
FROM documents;

CREATE OR REPLACE VIEW v_meetings AS
SELECT m.*,
       (SELECT count(*) FROM documents d WHERE d.meeting_id = m.meeting_id) AS documents,
       (SELECT list(DISTINCT d.doc_type ORDER BY d.doc_type) FROM documents d WHERE d.meeting_id = m.meeting_id)
           AS doc_types,
       -- a case the notice, the minutes and a case paper all name is one case of the meeting
       (SELECT count(DISTINCT coalesce(c.case_key, c.case_id)) FROM cases c WHERE c.meeting_id = m.meeting_id)
           AS cases
FROM meetings m;

CREATE OR REPLACE VIEW v_cases AS
SELECT c.case_id, c.partnership, c.body, c.meeting_date, c.doc_type, c.number, c.number_sort, c.title,
       c.case_type, c.decision_label, c.decision, c.outcome, c.proposed, c.vote, c.responsible, c.topics,
       (SELECT list(a.title ORDER BY a.seq) FROM attachments a WHERE a.case_id = c.case_id) AS attachments,
       c.attachment_count, c.source_path, c.page, c.copies, c.sources, c.text, c.doc_id, c.meeting_id
FROM cases c;

CREATE OR REPLACE VIEW v_decisions AS
SELECT dc.case_id, c.partnership, c.body, c.meeting_date, c.doc_type, c.number, c.number_sort, c.title,
       dc.label, dc.text AS decision, dc.outcome, dc.proposed, c.vote, c.topics, dc.source_path, dc.page,
       c.copies, c.sources
FROM decisions dc JOIN cases c USING (case_id);

CREATE OR REPLACE VIEW v_attendance AS
SELECT a.person_id, a.name, a.organization, coalesce(a.organisation_canonical, a.organization) AS organisation,
       a.title, a.status, a.note, a.deputy_for, a.from_case, a.to_case,
       d.partnership, coalesce(d.body_abbrev, d.body) AS body, d.meeting_date, d.meeting_id,
       d.doc_type, a.doc_id, a.source_path, a.page, a.copies
FROM attendees a JOIN documents d USING (doc_id);

CREATE OR REPLACE VIEW persons AS
SELECT person_id, any_value(partnership) AS partnership, mode(name) AS name, list(DISTINCT name) AS name_variants,
       list(DISTINCT organisation) FILTER (WHERE organisation IS NOT NULL) AS organisations,
       count(DISTINCT meeting_id) AS meetings
FROM v_attendance GROUP BY person_id;

-- Names that may be the same person but are kept apart: one name's words all in another's
-- ("Rannveig" / "Rannveig Velken", "Janne K. Aase Hansen" / "Janne Aase Hansen"), same partnership.
CREATE OR REPLACE VIEW person_ambiguities AS
SELECT a.partnership, a.name AS name, b.name AS may_be
FROM persons a JOIN persons b ON a.partnership = b.partnership AND a.person_id <> b.person_id
WHERE list_has_all(string_split(lower(replace(b.name, '.', '')), ' '), string_split(lower(replace(a.name, '.', '')), ' '));

CREATE OR REPLACE VIEW v_references AS
SELECT r.case_id, r.ref_text, r.ref_body, r.ref_date, r.ref_case_key,
       (SELECT min(m.meeting_id) FROM meetings m JOIN cases src ON src.case_id = r.case_id
        WHERE m.partnership = src.partnership AND m.body_abbrev = r.ref_body AND m.meeting_date = r.ref_date)
           AS meeting_id,
       -- the case with that number in the same partnership, its minutes before its notice or case paper
       (SELECT arg_min(c.case_id, (CASE WHEN c.doc_type IN ('referat', 'protokoll') THEN '0' ELSE '1' END) || c.case_id)
        FROM cases c JOIN cases src ON src.case_id = r.case_id
        WHERE r.ref_case_key IS NOT NULL AND c.case_key = r.ref_case_key AND c.case_id <> r.case_id
          AND c.partnership = src.partnership AND (r.ref_body IS NULL OR c.body = r.ref_body)) AS target_case_id
FROM case_references r;

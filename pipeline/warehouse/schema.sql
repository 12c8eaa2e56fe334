-- The warehouse: the only place tables are created. One row set per source file, replaced whole.
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

CREATE TABLE IF NOT EXISTS documents (
    doc_id       VARCHAR PRIMARY KEY,  -- sha256:seq
    sha256       VARCHAR NOT NULL,
    seq          INTEGER NOT NULL,
    meeting_id   VARCHAR,
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
    ocr          BOOLEAN,              -- any of its pages read by OCR
    ocr_confidence INTEGER             -- then Tesseract's mean word confidence (0-100) on those pages
);

CREATE TABLE IF NOT EXISTS cases (
    case_id        VARCHAR PRIMARY KEY,  -- doc_id:seq
    doc_id         VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    seq            INTEGER NOT NULL,
    number         VARCHAR,
    case_key       VARCHAR,              -- '2024.13' -> '2024/13', for matching references
    title          VARCHAR,
    case_type      VARCHAR,
    decision_label VARCHAR,
    decision       VARCHAR,
    responsible    VARCHAR[],
    page           INTEGER,
    text           VARCHAR,              -- the case's own text (search)
    n_terms        INTEGER,              -- search terms in title + text + decision (BM25 length)
    attachment_count INTEGER,            -- how many vedlegg the case says it has
    vote           STRUCT(text VARCHAR, "for" INTEGER, against INTEGER, unanimous BOOLEAN), -- how it was voted on
    ocr            BOOLEAN,              -- its page was read by OCR
    ocr_confidence INTEGER               -- then the page's mean word confidence (0-100)
);

CREATE TABLE IF NOT EXISTS attachments (  -- vedlegg named in a case
    case_id VARCHAR NOT NULL,
    sha256  VARCHAR NOT NULL,
    seq     INTEGER NOT NULL,
    title   VARCHAR NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE IF NOT EXISTS decisions (
    case_id  VARCHAR PRIMARY KEY,
    doc_id   VARCHAR NOT NULL,
    sha256   VARCHAR NOT NULL,
    label    VARCHAR,                     -- null when the outcome is recorded without a label
    text     VARCHAR NOT NULL,
    proposed BOOLEAN NOT NULL,            -- Forslag til vedtak / Innstilling: proposed, not taken
    outcome  VARCHAR,                     -- approved | noted | postponed | rejected | other (taxonomy.toml)
    page     INTEGER,
    ocr      BOOLEAN,                     -- the case's page was read by OCR
    ocr_confidence INTEGER                -- then the page's mean word confidence (0-100)
);

CREATE TABLE IF NOT EXISTS attendees (
    doc_id       VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    seq          INTEGER NOT NULL,
    name         VARCHAR NOT NULL,
    organization VARCHAR,
    title        VARCHAR,
    status       VARCHAR NOT NULL,        -- present | absent | unknown
    page         INTEGER,
    person_id    VARCHAR,                 -- partnership|name in lower case: one person per name per partnership
    organisation_canonical VARCHAR,       -- taxonomy.toml organisations
    note         VARCHAR,                 -- bracketed note as written: "per telefon", "for Per Moen, Re kommune"
    deputy_for   VARCHAR,                 -- a deputy (vara) attending for this member
    from_case    VARCHAR,                 -- partial attendance: from this case
    to_case      VARCHAR,                 -- partial attendance: until this case
    ocr          BOOLEAN,                 -- its page was read by OCR
    ocr_confidence INTEGER,               -- then the page's mean word confidence (0-100)
    PRIMARY KEY (doc_id, seq)
);

CREATE TABLE IF NOT EXISTS extraction_warnings (
    sha256  VARCHAR NOT NULL,
    message VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS load_errors (
    path      VARCHAR NOT NULL,
    sha256    VARCHAR,
    reason    VARCHAR NOT NULL,
    failed_at TIMESTAMP NOT NULL
);

-- Derived per file at load (deleted and replaced with the file's other rows).
CREATE TABLE IF NOT EXISTS case_topics (
    case_id VARCHAR NOT NULL,
    sha256  VARCHAR NOT NULL,
    topic   VARCHAR NOT NULL              -- taxonomy.toml topics
);

CREATE TABLE IF NOT EXISTS search_terms (   -- BM25 postings: Snowball-stemmed words of a case
    case_id VARCHAR NOT NULL,
    sha256  VARCHAR NOT NULL,
    term    VARCHAR NOT NULL,
    tf      INTEGER NOT NULL,
    doc_len INTEGER                       -- the case's n_terms, so scoring needs no join
);

CREATE TABLE IF NOT EXISTS search_cases (  -- what a search hit shows, one row per case: fetched by key
    case_id      VARCHAR PRIMARY KEY,
    sha256       VARCHAR NOT NULL,
    partnership  VARCHAR NOT NULL,
    body         VARCHAR,                -- abbreviation where known
    meeting_date DATE,
    doc_type     VARCHAR NOT NULL,
    number       VARCHAR,
    title        VARCHAR,
    snippet_text VARCHAR,                -- the decision, else the case text
    outcome      VARCHAR,
    topics       VARCHAR[],
    page         INTEGER,
    source_path  VARCHAR NOT NULL         -- kept equal to source_files.path (renames update both)
);

-- Upkeep counters. 'search_terms_unsorted': postings appended since search_terms was last stored in
-- term order (sorted postings let a term lookup skip every row group without that term).
CREATE TABLE IF NOT EXISTS upkeep (
    name  VARCHAR PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS case_references (  -- "Referat fra SSU 05.12.24", "ref. sak SSU 2023.37"
    case_id      VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    ref_text     VARCHAR NOT NULL,
    ref_body     VARCHAR,
    ref_date     DATE,
    ref_case_key VARCHAR
);

-- Reference data from pipeline/data/taxonomy.toml, refreshed at every build.
CREATE TABLE IF NOT EXISTS organisations (
    canonical VARCHAR PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS organisation_aliases (
    alias     VARCHAR NOT NULL,
    canonical VARCHAR NOT NULL
);

-- Columns added after the first release: a warehouse built earlier gains them in place.
ALTER TABLE source_files ADD COLUMN IF NOT EXISTS pipeline_version VARCHAR;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS text VARCHAR;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS n_terms INTEGER;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS attachment_count INTEGER;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS vote STRUCT(text VARCHAR, "for" INTEGER, against INTEGER, unanimous BOOLEAN);
ALTER TABLE search_terms ADD COLUMN IF NOT EXISTS doc_len INTEGER;
ALTER TABLE search_cases ADD COLUMN IF NOT EXISTS source_path VARCHAR;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS outcome VARCHAR;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS person_id VARCHAR;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS organisation_canonical VARCHAR;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS note VARCHAR;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS deputy_for VARCHAR;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS from_case VARCHAR;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS to_case VARCHAR;
ALTER TABLE source_files ADD COLUMN IF NOT EXISTS ocr_pages INTEGER;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS ocr BOOLEAN;
ALTER TABLE attendees ADD COLUMN IF NOT EXISTS ocr_confidence INTEGER;

-- Views for SQL users.
CREATE OR REPLACE VIEW partnerships AS
SELECT partnership, count(*) AS files, sum(pages) AS pages FROM source_files GROUP BY partnership;

CREATE OR REPLACE VIEW bodies AS
SELECT partnership, coalesce(body_abbrev, body) AS body, any_value(body) AS body_name,
       count(DISTINCT meeting_id) AS meetings, min(meeting_date) AS first_meeting, max(meeting_date) AS last_meeting
FROM documents WHERE coalesce(body_abbrev, body) IS NOT NULL AND coalesce(body_abbrev, body) <> ''
GROUP BY ALL;

CREATE OR REPLACE VIEW v_meetings AS
SELECT m.*, (SELECT count(*) FROM documents d WHERE d.meeting_id = m.meeting_id) AS documents,
       (SELECT count(*) FROM cases c JOIN documents d USING (doc_id) WHERE d.meeting_id = m.meeting_id) AS cases
FROM meetings m;

CREATE OR REPLACE VIEW v_cases AS
SELECT c.case_id, d.partnership, coalesce(d.body_abbrev, d.body) AS body, d.meeting_date, d.doc_type,
       c.number, c.title, c.case_type, c.decision_label, c.decision, dc.outcome, c.responsible,
       (SELECT list(t.topic ORDER BY t.topic) FROM case_topics t WHERE t.case_id = c.case_id) AS topics,
       (SELECT list(a.title ORDER BY a.seq) FROM attachments a WHERE a.case_id = c.case_id) AS attachments,
       c.attachment_count, s.path AS source_path, c.page, c.text, d.doc_id, d.meeting_id
FROM cases c JOIN documents d USING (doc_id) JOIN source_files s ON s.sha256 = c.sha256
LEFT JOIN decisions dc ON dc.case_id = c.case_id;

CREATE OR REPLACE VIEW v_decisions AS
SELECT dc.case_id, d.partnership, coalesce(d.body_abbrev, d.body) AS body, d.meeting_date, d.doc_type,
       c.number, c.title, dc.label, dc.text AS decision, dc.outcome, dc.proposed, c.vote,
       (SELECT list(t.topic ORDER BY t.topic) FROM case_topics t WHERE t.case_id = c.case_id) AS topics,
       s.path AS source_path, dc.page
FROM decisions dc JOIN cases c USING (case_id) JOIN documents d ON d.doc_id = dc.doc_id
JOIN source_files s ON s.sha256 = dc.sha256;

CREATE OR REPLACE VIEW v_attendance AS
SELECT a.person_id, a.name, a.organization, coalesce(a.organisation_canonical, a.organization) AS organisation,
       a.title, a.status, a.note, a.deputy_for, a.from_case, a.to_case,
       d.partnership, coalesce(d.body_abbrev, d.body) AS body, d.meeting_date, d.meeting_id,
       d.doc_type, s.path AS source_path, a.page
FROM attendees a JOIN documents d USING (doc_id) JOIN source_files s ON s.sha256 = a.sha256;

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
       (SELECT min(m.meeting_id) FROM meetings m JOIN documents src ON src.sha256 = r.sha256
        WHERE m.partnership = src.partnership AND m.body_abbrev = r.ref_body AND m.meeting_date = r.ref_date) AS meeting_id,
       (SELECT min(c.case_id) FROM cases c JOIN documents d USING (doc_id)
        WHERE r.ref_case_key IS NOT NULL AND c.case_key = r.ref_case_key AND c.case_id <> r.case_id
          AND (r.ref_body IS NULL OR d.body_abbrev = r.ref_body)) AS target_case_id
FROM case_references r;

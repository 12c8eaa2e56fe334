-- The warehouse: the only place tables are created. One row set per source file, replaced whole.
CREATE TABLE IF NOT EXISTS source_files (
    sha256      VARCHAR PRIMARY KEY,
    path        VARCHAR NOT NULL,
    format      VARCHAR NOT NULL,      -- pdf | txt | md
    partnership VARCHAR NOT NULL,      -- raw/<partnership>/...
    pages       INTEGER NOT NULL,
    size        BIGINT NOT NULL,
    loaded_at   TIMESTAMP NOT NULL,
    pipeline_version VARCHAR            -- a file read by another version is read again
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
    page_end     INTEGER
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
    page           INTEGER
);

CREATE TABLE IF NOT EXISTS decisions (
    case_id  VARCHAR PRIMARY KEY,
    doc_id   VARCHAR NOT NULL,
    sha256   VARCHAR NOT NULL,
    label    VARCHAR,                     -- null when the outcome is recorded without a label
    text     VARCHAR NOT NULL,
    proposed BOOLEAN NOT NULL,            -- Forslag til vedtak / Innstilling: proposed, not taken
    page     INTEGER
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

-- Schema version 2: talks (MUS, GRUS, LUS), their question guides, and the year's cycle.
-- Three privacy layers are three kinds of table, never one table with a flag: each party's
-- preparation (`preparation`) and the leader's private notes (`leader_note`) stay apart from
-- the shared record (`talk_note`, the summary on `talk`) that agreements and exports read.

-- Whether a unit holds a GRUS (plus individual agreements) instead of individual MUS.
ALTER TABLE unit ADD COLUMN talk_model TEXT NOT NULL DEFAULT 'mus'
    CHECK (talk_model IN ('mus', 'grus'));

-- A question guide. Built-in guides have a `builtin_key` (kind.language); copies and imported
-- guides have none.
CREATE TABLE template (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('mus', 'grus', 'lus')),
    language      TEXT NOT NULL CHECK (language IN ('da', 'sv', 'nb', 'en')),
    builtin_key   TEXT UNIQUE,
    archived_at   TEXT,
    created_at    TEXT NOT NULL
) STRICT;

-- Every edit of a guide is a new version; a talk keeps the version it started with, forever,
-- so versions are never changed or deleted.
CREATE TABLE template_version (
    id           INTEGER PRIMARY KEY,
    template_id  INTEGER NOT NULL REFERENCES template (id),
    version      INTEGER NOT NULL CHECK (version >= 1),
    name         TEXT NOT NULL,
    -- The guide as its documented JSON file (docs/TEMPLATE_FORMAT.md).
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (template_id, version)
) STRICT;

CREATE TABLE talk (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('mus', 'grus', 'lus')),
    -- The year's cycle the talk belongs to.
    year                 INTEGER NOT NULL,
    unit_id              INTEGER NOT NULL REFERENCES unit (id),
    -- Who holds the talk: the manager (MUS, GRUS) or the leader's own chef (LUS).
    leader_id            INTEGER NOT NULL REFERENCES person (id),
    template_version_id  INTEGER NOT NULL REFERENCES template_version (id),
    -- The agreement this talk starts from: the last signed talk of the same kind and person.
    previous_talk_id     INTEGER REFERENCES talk (id),
    state                TEXT NOT NULL CHECK (state IN ('planned', 'invited', 'preparing',
                             'held', 'agreed', 'signed', 'followedUp', 'cancelled')),
    starts_at            TEXT,
    duration_minutes     INTEGER CHECK (duration_minutes BETWEEN 5 AND 480),
    place                TEXT,
    -- Raised on each reschedule, so calendars replace the invitation rather than add one.
    ics_sequence         INTEGER NOT NULL DEFAULT 0,
    summary              TEXT NOT NULL DEFAULT '',
    disagreement         TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;

-- Covers the year's cycle (every talk of a year, with its state, kind and date) without reading
-- the wide talk rows, and a unit's talks of a year.
CREATE INDEX talk_by_year_unit ON talk (year, unit_id, state, kind, starts_at);
CREATE INDEX talk_by_leader ON talk (leader_id, starts_at);
-- Signed agreements waiting for their first follow-up: few, among many talks of past years.
CREATE INDEX talk_awaiting_follow_up ON talk (unit_id) WHERE state = 'signed';

-- The other party of a talk: the employee (MUS), the group (GRUS), the leader (LUS).
CREATE TABLE talk_participant (
    talk_id    INTEGER NOT NULL REFERENCES talk (id),
    person_id  INTEGER NOT NULL REFERENCES person (id),
    PRIMARY KEY (talk_id, person_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX participant_by_person ON talk_participant (person_id, talk_id);

-- Each step of a talk, timestamped; a reopened agreement keeps its reason here.
CREATE TABLE talk_event (
    id          INTEGER PRIMARY KEY,
    talk_id     INTEGER NOT NULL REFERENCES talk (id),
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    reason      TEXT,
    at          TEXT NOT NULL
) STRICT;

CREATE INDEX event_by_talk ON talk_event (talk_id, id);

-- One party's own answers to the guide before the talk. Private to the author until
-- `preparation_share` says otherwise.
CREATE TABLE preparation (
    talk_id     INTEGER NOT NULL REFERENCES talk (id),
    author_id   INTEGER NOT NULL REFERENCES person (id),
    section     INTEGER NOT NULL,
    question    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    value       INTEGER,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (talk_id, author_id, section, question)
) STRICT, WITHOUT ROWID;

CREATE TABLE preparation_share (
    talk_id    INTEGER NOT NULL REFERENCES talk (id),
    author_id  INTEGER NOT NULL REFERENCES person (id),
    shared_at  TEXT NOT NULL,
    PRIMARY KEY (talk_id, author_id)
) STRICT, WITHOUT ROWID;

-- The shared record of the talk, per question.
CREATE TABLE talk_note (
    talk_id     INTEGER NOT NULL REFERENCES talk (id),
    section     INTEGER NOT NULL,
    question    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    value       INTEGER,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (talk_id, section, question)
) STRICT, WITHOUT ROWID;

-- The leader's private notes, per question: never in the agreement or an HR export.
CREATE TABLE leader_note (
    talk_id     INTEGER NOT NULL REFERENCES talk (id),
    section     INTEGER NOT NULL,
    question    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (talk_id, section, question)
) STRICT, WITHOUT ROWID;

-- Confirmation of the agreement by one party, on the manager's laptop.
CREATE TABLE signature (
    talk_id     INTEGER NOT NULL REFERENCES talk (id),
    person_id   INTEGER NOT NULL REFERENCES person (id),
    typed_name  TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (talk_id, person_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE follow_up (
    id       INTEGER PRIMARY KEY,
    talk_id  INTEGER NOT NULL REFERENCES talk (id),
    text     TEXT NOT NULL,
    at       TEXT NOT NULL
) STRICT;

CREATE INDEX follow_up_by_talk ON follow_up (talk_id, at);

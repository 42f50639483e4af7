-- Schema version 1: the organisation, its unit tree and its people.
-- Timestamps are RFC 3339 UTC text; dates are ISO 8601 (YYYY-MM-DD) text.

CREATE TABLE organisation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT NOT NULL,
    country     TEXT NOT NULL CHECK (country IN ('DK', 'SE', 'NO')),
    language    TEXT NOT NULL CHECK (language IN ('da', 'sv', 'nb', 'en')),
    currency    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE job_family (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE unit (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    parent_id    INTEGER REFERENCES unit (id),
    manager_id   INTEGER REFERENCES person (id),
    archived_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

CREATE INDEX unit_by_parent ON unit (parent_id);
CREATE INDEX unit_by_manager ON unit (manager_id);

CREATE TABLE person (
    id               INTEGER PRIMARY KEY,
    employee_number  TEXT NOT NULL UNIQUE,
    given_name       TEXT NOT NULL,
    family_name      TEXT NOT NULL,
    -- Lower-cased copies for prefix search; SQLite's NOCASE only folds ASCII, not æøåäö.
    name_key         TEXT NOT NULL,
    family_key       TEXT NOT NULL,
    job_title        TEXT NOT NULL,
    job_family_id    INTEGER REFERENCES job_family (id),
    unit_id          INTEGER NOT NULL REFERENCES unit (id),
    -- Set only when it differs from the unit's manager.
    manager_id       INTEGER REFERENCES person (id),
    email            TEXT,
    gender           TEXT CHECK (gender IN ('female', 'male', 'other')),
    start_date       TEXT NOT NULL,
    end_date         TEXT,
    archived_at      TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;

CREATE INDEX person_by_unit ON person (unit_id, family_key);
CREATE INDEX person_by_name ON person (name_key);
CREATE INDEX person_by_family ON person (family_key, name_key);
CREATE INDEX person_by_manager ON person (manager_id);
-- Head counts per unit read only active people: most records of a large organisation are
-- former employees kept for history.
CREATE INDEX person_active_by_unit ON person (unit_id) WHERE archived_at IS NULL;

-- Preferences of the app on this laptop (UI language and the like).
CREATE TABLE setting (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;

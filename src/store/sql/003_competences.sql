-- Schema version 3: competence profiles, assessments in talks, agreed actions and the units'
-- yearly action plans. Levels are integers 1..n of the organisation's scale
-- (`competence_level`); a level column never holds a number outside it (checked by the core,
-- which knows the scale; SQLite checks only the range any scale may have).

-- The organisation's level scale, lowest first: named (Basis, Øvet, Ekspert) or numbered.
CREATE TABLE competence_level (
    level  INTEGER PRIMARY KEY CHECK (level BETWEEN 1 AND 10),
    label  TEXT NOT NULL
) STRICT;

CREATE TABLE competence (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    -- Lower-cased copy: names are unique among active competences regardless of case.
    name_key     TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL
                     CHECK (category IN ('professional', 'personal', 'social', 'leadership')),
    archived_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX competence_by_name ON competence (name_key) WHERE archived_at IS NULL;

-- An organisation-wide profile: one per job family, or the leader profile a LUS assesses
-- against. A profile may build on another (`parent_id`); the core refuses a cycle.
CREATE TABLE profile (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    name_key       TEXT NOT NULL,
    job_family_id  INTEGER REFERENCES job_family (id),
    for_leaders    INTEGER NOT NULL DEFAULT 0 CHECK (for_leaders IN (0, 1)),
    parent_id      INTEGER REFERENCES profile (id),
    -- Set on the starter profiles the app ships, so the UI can say they are starters to adapt.
    starter        INTEGER NOT NULL DEFAULT 0 CHECK (starter IN (0, 1)),
    archived_at    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX profile_by_name ON profile (name_key) WHERE archived_at IS NULL;
CREATE UNIQUE INDEX profile_by_job_family ON profile (job_family_id)
    WHERE archived_at IS NULL AND job_family_id IS NOT NULL;
CREATE UNIQUE INDEX profile_for_leaders ON profile (for_leaders)
    WHERE archived_at IS NULL AND for_leaders = 1;

-- The required level of each competence of a profile, as HR keeps it.
CREATE TABLE profile_requirement (
    profile_id     INTEGER NOT NULL REFERENCES profile (id),
    competence_id  INTEGER NOT NULL REFERENCES competence (id),
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 10),
    PRIMARY KEY (profile_id, competence_id)
) STRICT, WITHOUT ROWID;

-- A unit makes a profile concrete: adds a competence or sets another level, for itself and
-- the units below it (the nearest unit's word wins).
CREATE TABLE unit_requirement (
    unit_id        INTEGER NOT NULL REFERENCES unit (id),
    profile_id     INTEGER NOT NULL REFERENCES profile (id),
    competence_id  INTEGER NOT NULL REFERENCES competence (id),
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 10),
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (unit_id, profile_id, competence_id)
) STRICT, WITHOUT ROWID;

-- A person's levels of one competence as assessed in one talk. Every level is optional until
-- the talk is agreed: the self view is often filled in before the leader's.
CREATE TABLE assessment (
    talk_id        INTEGER NOT NULL REFERENCES talk (id),
    person_id      INTEGER NOT NULL REFERENCES person (id),
    competence_id  INTEGER NOT NULL REFERENCES competence (id),
    self_level     INTEGER CHECK (self_level BETWEEN 1 AND 10),
    leader_level   INTEGER CHECK (leader_level BETWEEN 1 AND 10),
    agreed_level   INTEGER CHECK (agreed_level BETWEEN 1 AND 10),
    desired_level  INTEGER CHECK (desired_level BETWEEN 1 AND 10),
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (person_id, talk_id, competence_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX assessment_by_talk ON assessment (talk_id, person_id);

-- An agreed action. It belongs to one unit's plan of one year; an individual action names the
-- person it develops, a group action comes from a GRUS, a unit action from the plan itself.
CREATE TABLE action (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES unit (id),
    year             INTEGER NOT NULL,
    scope            TEXT NOT NULL CHECK (scope IN ('individual', 'group', 'unit')),
    talk_id          INTEGER REFERENCES talk (id),
    person_id        INTEGER REFERENCES person (id),
    title            TEXT NOT NULL,
    theme            TEXT NOT NULL DEFAULT '',
    kind             TEXT NOT NULL CHECK (kind IN ('course', 'training', 'mentoring', 'rotation',
                         'network', 'shadowing', 'other')),
    owner_id         INTEGER NOT NULL REFERENCES person (id),
    due_date         TEXT,
    -- Money in the organisation's currency, in hundredths (øre, öre), so sums are exact.
    planned_cost     INTEGER CHECK (planned_cost >= 0),
    planned_hours    REAL CHECK (planned_hours >= 0),
    actual_cost      INTEGER CHECK (actual_cost >= 0),
    actual_hours     REAL CHECK (actual_hours >= 0),
    status           TEXT NOT NULL CHECK (status IN ('planned', 'ongoing', 'done', 'cancelled',
                         'carriedOver')),
    result           TEXT CHECK (result IN ('yes', 'partly', 'no')),
    result_note      TEXT,
    confidential     INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
    -- The action of last year's plan this one carries on; at most one carry per action, which
    -- makes rolling a plan twice harmless.
    carried_from_id  INTEGER UNIQUE REFERENCES action (id),
    created_on       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((scope = 'individual') = (person_id IS NOT NULL))
) STRICT;

CREATE INDEX action_by_unit_year ON action (unit_id, year, status);
CREATE INDEX action_by_person ON action (person_id, year) WHERE person_id IS NOT NULL;
CREATE INDEX action_by_talk ON action (talk_id) WHERE talk_id IS NOT NULL;
CREATE INDEX action_by_owner ON action (owner_id, year);
-- Open actions of a year: what rolling the plans carries over.
CREATE INDEX action_open_by_year ON action (year, unit_id) WHERE status IN ('planned', 'ongoing');

-- Why an action: the competences it develops.
CREATE TABLE action_competence (
    action_id      INTEGER NOT NULL REFERENCES action (id),
    competence_id  INTEGER NOT NULL REFERENCES competence (id),
    PRIMARY KEY (action_id, competence_id)
) STRICT, WITHOUT ROWID;

-- Each status an action took, timestamped.
CREATE TABLE action_event (
    id           INTEGER PRIMARY KEY,
    action_id    INTEGER NOT NULL REFERENCES action (id),
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;

CREATE INDEX action_event_by_action ON action_event (action_id, id);

CREATE TABLE action_follow_up (
    id         INTEGER PRIMARY KEY,
    action_id  INTEGER NOT NULL REFERENCES action (id),
    text       TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;

CREATE INDEX action_follow_up_by_action ON action_follow_up (action_id, id);

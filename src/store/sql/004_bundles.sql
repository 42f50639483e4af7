-- Schema version 4: the unit bundles HR imports. One row per unit and year: a newer bundle of
-- the same unit and year replaces the older. The body is the bundle's JSON as it was checked
-- (its checksum matched), holding the unit's aggregates and action plan and never a note.

CREATE TABLE unit_bundle (
    -- The unit's path from the top unit as a JSON array: the unit's identity across stores.
    unit_key     TEXT NOT NULL,
    year         INTEGER NOT NULL,
    made_at      TEXT NOT NULL,
    checksum     TEXT NOT NULL,
    body         TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (unit_key, year)
) STRICT;

-- HR's summary reads one year of actions and of assessments at once (290,000 and 400,000 rows
-- at the largest users). With the year first, it reads that year alone instead of every year.
CREATE INDEX action_by_year ON action (year);
-- The levels beside the talk, so a year's gaps are read from the index without a lookup per
-- assessment into the table (kept by person first).
DROP INDEX assessment_by_talk;
CREATE INDEX assessment_by_talk ON assessment (talk_id, person_id, competence_id, agreed_level,
                                               desired_level);

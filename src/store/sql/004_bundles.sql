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

-- Schema version 7: a person's rights and retention.
-- An erased person keeps their row (talks, actions and assessments of past years still count
-- in aggregates) with every identifying value replaced; `erased_at` says it happened.
ALTER TABLE person ADD COLUMN erased_at TEXT;
-- When a talk's or an action's text was removed (by retention or an erasure): the row stays
-- for the counts, and screens say why the text is gone.
ALTER TABLE talk ADD COLUMN cleared_at TEXT;
ALTER TABLE action ADD COLUMN cleared_at TEXT;

-- How long each kind of record is kept, in months after its date (a talk's date, the end of
-- an action's year, a person's last day); `months` NULL keeps it. No rows: the policy has not
-- been adopted, and nothing is ever purged.
-- `done_before`: the day before which the last purge of the kind removed everything, so the
-- daily purge looks only at what has come of age since.
CREATE TABLE retention (
    kind         TEXT PRIMARY KEY CHECK (kind IN ('leaderNotes', 'preparations', 'summaries',
                     'actions', 'formerPeople')),
    months       INTEGER CHECK (months BETWEEN 1 AND 1200),
    set_at       TEXT NOT NULL,
    done_before  TEXT
) STRICT, WITHOUT ROWID;

-- What the purges read without scanning the wide tables: talks by their date (held, else
-- planned), actions not yet cleared by year, people who left by their last day.
CREATE INDEX talk_by_date ON talk (date(coalesce(starts_at, created_at)));
CREATE INDEX action_uncleared_by_year ON action (year) WHERE cleared_at IS NULL;
CREATE INDEX person_left ON person (end_date) WHERE archived_at IS NOT NULL AND erased_at IS NULL;

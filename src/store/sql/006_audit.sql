-- Schema version 6: the audit trail. Who (the local user profile's name at the time), when and
-- what for every change to people, talks, agreements and actions, and to the store itself.
-- It never holds note text: `detail` carries a state change, field names or counts.
-- `person_id` is whom the change concerns (for a person's access export); it has no foreign
-- key, so erasing a person can clear it and keep the entry.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  INTEGER,
    person_id  INTEGER,
    detail     TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_by_time ON audit (at);
CREATE INDEX audit_by_person ON audit (person_id) WHERE person_id IS NOT NULL;

-- Schema version 8: exchange files between this store and the people it holds talks with
-- (docs/EXCHANGE.md). Secrets stay inside the encrypted store; files carry only public keys.

-- This store's own identity: an X25519 key (age) to be written to, an Ed25519 key to sign
-- with. One row, made on first need. `fingerprint` is the short form people compare.
CREATE TABLE identity (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    age_secret   TEXT NOT NULL,
    age_public   TEXT NOT NULL,
    sign_secret  BLOB NOT NULL CHECK (length(sign_secret) = 32),
    sign_public  BLOB NOT NULL CHECK (length(sign_public) = 32),
    fingerprint  TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;

-- Every other store's keys this store has opened a file from (trust on first use).
CREATE TABLE peer_key (
    fingerprint    TEXT PRIMARY KEY,
    sign_public    BLOB NOT NULL CHECK (length(sign_public) = 32),
    age_public     TEXT NOT NULL,
    first_seen_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The manager's side: the key pinned for a person of the organisation. A file from them
-- signed by another key is refused until the person using this store confirms the new one.
CREATE TABLE person_key (
    person_id     INTEGER PRIMARY KEY REFERENCES person (id),
    fingerprint   TEXT NOT NULL REFERENCES peer_key (fingerprint),
    pinned_at     TEXT NOT NULL
) STRICT;

-- The manager's side: one exchange per talk and participant, named by a random id that every
-- file about it carries (so no talk or person id of this store leaves it).
CREATE TABLE exchange (
    id          TEXT PRIMARY KEY,
    talk_id     INTEGER NOT NULL REFERENCES talk (id),
    person_id   INTEGER NOT NULL REFERENCES person (id),
    created_at  TEXT NOT NULL,
    -- When the last invitation was written for them, and when the preparation file last
    -- opened from them was written (its created time).
    invited_at   TEXT,
    prepared_at  TEXT,
    UNIQUE (talk_id, person_id)
) STRICT, WITHOUT ROWID;

-- Where a shared preparation came from: NULL was typed at this computer; else the
-- fingerprint of the key that signed the file it came in.
ALTER TABLE preparation_share ADD COLUMN from_fingerprint TEXT;

-- The other side: the talks where the person using this store is the employee (MUS), a group
-- member (GRUS) or the leader (LUS), as their invitations said. Apart from the organisation's
-- unit-based tables, so a store that holds no organisation works.
CREATE TABLE own_talk (
    id                INTEGER PRIMARY KEY,
    exchange_id       TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('mus', 'grus', 'lus')),
    starts_at         TEXT,
    duration_minutes  INTEGER,
    place             TEXT,
    -- The guide version's questions as the invitation carried them (template JSON).
    guide             TEXT NOT NULL,
    guide_version     INTEGER NOT NULL,
    ics               TEXT NOT NULL,
    manager_name      TEXT NOT NULL,
    manager_key       TEXT NOT NULL REFERENCES peer_key (fingerprint),
    -- The manager cancelled the talk (a later invitation said so).
    cancelled         INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    -- The created time of the newest invitation taken in.
    invited_at        TEXT NOT NULL,
    -- When the last preparation file was written for the manager.
    preparation_sent_at  TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;

-- The person's own preparation for an own talk. Only answers marked `shared` ever go into a
-- preparation file; the others never leave this store.
CREATE TABLE own_preparation (
    own_talk_id  INTEGER NOT NULL REFERENCES own_talk (id),
    section      INTEGER NOT NULL,
    question     INTEGER NOT NULL,
    text         TEXT NOT NULL,
    value        INTEGER,
    shared       INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (own_talk_id, section, question)
) STRICT, WITHOUT ROWID;

-- Every exchange file opened: the same file twice changes nothing, and a file older than one
-- already taken in for the same exchange and kind is refused.
CREATE TABLE imported_file (
    file_id      TEXT PRIMARY KEY,
    exchange_id  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    sender       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    imported_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX imported_by_exchange ON imported_file (exchange_id, kind, created_at);

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

-- The manager's side: what the agreement file last written for an exchange carried (the
-- SHA-256 of its content, hex) and when; a confirmation is checked against the agreement as it
-- stands, not against this, so a changed agreement needs a new confirmation.
ALTER TABLE exchange ADD COLUMN agreement_hash TEXT;
ALTER TABLE exchange ADD COLUMN agreement_sent_at TEXT;

-- An action's reference in exchange files: random, made when it first goes into an
-- agreement file, so no row id leaves the store.
ALTER TABLE action ADD COLUMN exchange_ref TEXT;
CREATE UNIQUE INDEX action_by_exchange_ref ON action (exchange_ref) WHERE exchange_ref IS NOT NULL;
-- When the judged effect was last set, and from which key (NULL: at this computer): a
-- progress file's older effect does not overwrite a newer one.
ALTER TABLE action ADD COLUMN result_at TEXT;
ALTER TABLE action ADD COLUMN result_from TEXT;
-- Which key a status change or follow-up note came from (NULL: at this computer).
ALTER TABLE action_event ADD COLUMN from_fingerprint TEXT;
ALTER TABLE action_follow_up ADD COLUMN from_fingerprint TEXT;

-- A typed-name signature (NULL) or one that is a confirmation from the person's own computer,
-- signed by this key.
ALTER TABLE signature ADD COLUMN from_fingerprint TEXT;

-- The manager's side: the last confirmation (or disagreement) from a participant, from their
-- own computer. `signature`: Ed25519 by their key over the agreement's content hash (see
-- docs/EXCHANGE.md); NULL when they disagreed, and `disagreement` holds their text.
CREATE TABLE confirmation (
    talk_id         INTEGER NOT NULL REFERENCES talk (id),
    person_id       INTEGER NOT NULL REFERENCES person (id),
    agreement_hash  TEXT NOT NULL,
    fingerprint     TEXT NOT NULL REFERENCES peer_key (fingerprint),
    signature       BLOB CHECK (signature IS NULL OR length(signature) = 64),
    disagreement    TEXT,
    written_at      TEXT NOT NULL,
    opened_at       TEXT NOT NULL,
    CHECK ((signature IS NULL) <> (disagreement IS NULL)),
    PRIMARY KEY (talk_id, person_id)
) STRICT, WITHOUT ROWID;

-- The employee's side: the agreement of an own talk as the newest agreement file carried it.
-- `content` is the exact canonical JSON the hash was taken over (kept, never re-serialised).
CREATE TABLE own_agreement (
    own_talk_id    INTEGER PRIMARY KEY REFERENCES own_talk (id),
    content        TEXT NOT NULL,
    hash           TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    -- The person's answer to this agreement, once given: confirmed, or disagreed with a text.
    confirmed_at   TEXT,
    disagreement   TEXT,
    answered_at    TEXT
) STRICT;

-- The employee's side: the actions of their agreement, with their progress per field (the
-- value, when it was set, and by whom: NULL is this store, else the manager's fingerprint).
CREATE TABLE own_action (
    own_talk_id   INTEGER NOT NULL REFERENCES own_talk (id),
    ref           TEXT NOT NULL,
    title         TEXT NOT NULL,
    theme         TEXT NOT NULL,
    owner_name    TEXT NOT NULL,
    due_date      TEXT,
    status        TEXT NOT NULL,
    -- NULL: as the agreement made it, before any change came.
    status_at     TEXT,
    status_from   TEXT,
    result        TEXT,
    result_note   TEXT,
    result_at     TEXT,
    result_from   TEXT,
    PRIMARY KEY (own_talk_id, ref)
) STRICT, WITHOUT ROWID;

CREATE TABLE own_action_note (
    id            INTEGER PRIMARY KEY,
    own_talk_id   INTEGER NOT NULL,
    ref           TEXT NOT NULL,
    text          TEXT NOT NULL,
    at            TEXT NOT NULL,
    from_fingerprint TEXT,
    FOREIGN KEY (own_talk_id, ref) REFERENCES own_action (own_talk_id, ref)
) STRICT;

-- Times are epoch milliseconds (UTC) so both databases store and compare them the same way.
-- Names are unique ignoring case through indexes on lower(name): the database, not a
-- pre-check, settles two registrations racing for the same name.

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_username_lower ON accounts (lower(username));

-- AUTOINCREMENT so a deleted character's id is never handed out again (ids go to clients).
CREATE TABLE characters (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    character_class INTEGER NOT NULL,
    appearance      BLOB    NOT NULL,
    world           TEXT    NOT NULL,
    x               REAL    NOT NULL,
    y               REAL    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX characters_name_lower ON characters (lower(name));
CREATE INDEX characters_account ON characters (account_id);

-- Only the SHA-256 of a session token is stored: a leaked table does not log anyone in.
CREATE TABLE sessions (
    token_hash BLOB    PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Moderation (issue 6). An account's role says what it may do beyond playing: 'admin' may
-- kick, ban, mute and broadcast. Operators grant it with `mmo admin grant <account>`.
ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'player'
    CONSTRAINT accounts_role CHECK (role IN ('player', 'admin'));
-- Epoch ms until which the account may not log in / chat; NULL = not banned / muted;
-- 9223372036854775807 (the largest 64-bit integer) = for good. The reason is shown to the player.
ALTER TABLE accounts ADD COLUMN banned_until INTEGER;
ALTER TABLE accounts ADD COLUMN ban_reason   TEXT;
ALTER TABLE accounts ADD COLUMN muted_until  INTEGER;

-- Whom an account does not want to hear: characters, whichever of the account's characters
-- plays. A deleted character drops out of every list.
CREATE TABLE ignores (
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, character_id)
);

-- Every moderation command, carried out or refused. No foreign keys: the record outlives the
-- accounts it names. actor_name and target are as they were spelled then.
CREATE TABLE moderation_audit (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    at                INTEGER NOT NULL,
    actor_account_id  INTEGER NOT NULL,
    actor_name        TEXT   NOT NULL,
    action            TEXT   NOT NULL,
    target            TEXT   NOT NULL,
    target_account_id INTEGER,
    duration_s        INTEGER,
    reason            TEXT   NOT NULL,
    outcome           TEXT   NOT NULL
);
CREATE INDEX moderation_audit_at ON moderation_audit (at);
CREATE INDEX moderation_audit_target ON moderation_audit (target_account_id);

-- Items, gold and experience are written by the Ledger as they change, each change in one
-- transaction fenced by the character's epoch (InventoryRepository), not at the periodic save:
-- after a crash right after a loot or a trade, every item exists exactly once.
-- (INTEGER is SQLite's 64-bit integer: xp and gold hold any Java long.)
ALTER TABLE characters ADD COLUMN level INTEGER NOT NULL DEFAULT 1;
ALTER TABLE characters ADD COLUMN xp    INTEGER NOT NULL DEFAULT 0;
-- The last guard against spending gold twice; the repository checks first to say why.
ALTER TABLE characters ADD COLUMN gold  INTEGER NOT NULL DEFAULT 0
    CONSTRAINT characters_gold_not_negative CHECK (gold >= 0);

-- One row per item for its whole life: looting inserts it, and trading, equipping, dropping
-- and picking up only update where it is, so an item can never be copied. An item is owned
-- (place 'B' bag or 'W' worn, with its character and slot) or lies on the ground (place 'G',
-- no owner, slot -1, a world and a position). AUTOINCREMENT so an id is never handed out
-- again (ids go to clients).
CREATE TABLE items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    character_id INTEGER REFERENCES characters (id) ON DELETE CASCADE,
    place        TEXT    NOT NULL CONSTRAINT items_place CHECK (place IN ('B', 'W', 'G')),
    slot         INTEGER NOT NULL,
    world        TEXT,
    x            REAL,
    y            REAL,
    created_at   INTEGER NOT NULL,
    CONSTRAINT items_owner CHECK (
        (place = 'G' AND character_id IS NULL AND slot = -1 AND world IS NOT NULL)
        OR (place <> 'G' AND character_id IS NOT NULL))
);
-- Two items never share a slot: the database, not a pre-check, settles a race for one. It is
-- checked per statement, so a swap moves one item through a free negative slot first.
-- Loading a character's items goes through it too (WHERE character_id = ? AND place <> 'G').
CREATE UNIQUE INDEX items_slot ON items (character_id, place, slot) WHERE place <> 'G';
-- What lies on the ground of a world, put back when the world starts.
CREATE INDEX items_ground ON items (world) WHERE place = 'G';

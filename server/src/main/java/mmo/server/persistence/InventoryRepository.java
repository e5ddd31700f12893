package mmo.server.persistence;

import mmo.server.persistence.Ledger.ItemMove;
import mmo.server.persistence.Ledger.NewItem;
import mmo.server.persistence.Ledger.TradeSide;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes items, gold and experience: one method per {@link Ledger} change, each one
 * transaction that is applied whole or not at all.
 *
 * <p>Every change is fenced like a save. It first takes the row of each character it changes
 * under the caller's epoch (PostgreSQL: a row lock, so a concurrent {@link CharacterRepository#claim}
 * waits for the change and the change sees a claim that committed first; SQLite: the write lock
 * every transaction takes up front) and fails with {@link FencedException} if that epoch is no
 * longer the character's. Items only move through conditional UPDATEs that name where the item
 * must still be, and the unique slot index settles races for a slot: of two changes racing for
 * one item exactly one finds it, the other fails with {@link ItemConflictException}.
 *
 * <p>Thread-safe; every method blocks on JDBC, so call it from a worker thread
 * ({@link LedgerService} calls it from its own).
 */
public final class InventoryRepository {
    // Gold and xp are Java longs; an addition that would pass this is refused, not wrapped
    // (SQLite would turn it into a REAL, PostgreSQL would fail with a bigint range error).
    private static final long MAX_GOLD = Long.MAX_VALUE;

    private final Database db;
    private final Clock clock;

    public InventoryRepository(Database db) {
        this(db, Clock.systemUTC());
    }

    public InventoryRepository(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Inserts new items for a character and adds {@code gold} (0 for none).
     *
     * @return the new items' ids, in the order of {@code items}
     * @throws FencedException if the character is not claimed under {@code epoch}
     * @throws ItemConflictException if a slot is taken or the gold would pass {@link Long#MAX_VALUE}
     * @throws PersistenceException if the database fails
     */
    public long[] create(long characterId, long epoch, List<NewItem> items, long gold) {
        if (gold < 0) throw new IllegalArgumentException("gold " + gold);
        for (NewItem item : items) {
            if (item.kind() == null || item.kind().isEmpty()) throw new IllegalArgumentException("an item without a kind");
            ownedPlace(item.place(), item.slot());
        }
        long now = clock.millis();
        return change("create items", c -> {
            if (gold > 0) {
                addGold(c, "create items", characterId, epoch, gold);
            } else {
                lock(c, "create items", characterId, epoch);
            }
            long[] ids = new long[items.size()];
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (kind, character_id, place, slot, created_at)"
                    + " VALUES (?, ?, ?, ?, ?) RETURNING id")) {
                for (int i = 0; i < ids.length; i++) {
                    NewItem item = items.get(i);
                    ps.setString(1, item.kind());
                    ps.setLong(2, characterId);
                    ps.setString(3, item.place().code);
                    ps.setInt(4, item.slot());
                    ps.setLong(5, now);
                    try (ResultSet rs = inSlot(characterId, item.place(), item.slot(), ps::executeQuery)) {
                        rs.next();
                        ids[i] = rs.getLong(1);
                    }
                }
            }
            return ids;
        });
    }

    /**
     * Adds {@code gold} (positive) to a character's purse.
     *
     * @throws FencedException if the character is not claimed under {@code epoch}
     * @throws ItemConflictException if the purse would pass {@link Long#MAX_VALUE}
     */
    public void addGold(long characterId, long epoch, long gold) {
        if (gold <= 0) throw new IllegalArgumentException("gold " + gold);
        change("add gold", c -> {
            addGold(c, "add gold", characterId, epoch, gold);
            return null;
        });
    }

    /**
     * Moves a character's own items (bag or worn) to other places and slots, all or none. An
     * equip is a swap of two: each item first goes to a free negative slot, then to its new
     * one, because the slot index is checked after each statement.
     *
     * @throws FencedException if the character is not claimed under {@code epoch}
     * @throws ItemConflictException if an item is not the character's or a slot is taken
     */
    public void move(long characterId, long epoch, List<ItemMove> moves) {
        Set<Long> ids = new HashSet<>();
        Set<String> targets = new HashSet<>();
        for (ItemMove m : moves) {
            ownedPlace(m.place(), m.slot());
            if (!ids.add(m.itemId())) throw new IllegalArgumentException("item " + m.itemId() + " moved twice");
            if (!targets.add(m.place().code + m.slot())) {
                throw new IllegalArgumentException("two items moved to " + m.place() + " slot " + m.slot());
            }
        }
        change("move items", c -> {
            lock(c, "move items", characterId, epoch);
            int parking = -2;
            for (ItemMove m : moves) {
                park(c, m.itemId(), characterId, null, parking--);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE items SET place = ?, slot = ? WHERE id = ?")) {
                for (ItemMove m : moves) {
                    ps.setString(1, m.place().code);
                    ps.setInt(2, m.slot());
                    ps.setLong(3, m.itemId());
                    inSlot(characterId, m.place(), m.slot(), ps::executeUpdate);
                }
            }
            return null;
        });
    }

    /**
     * Puts a character's item (bag or worn) on the ground of {@code world} at (x, y).
     *
     * @throws FencedException if the character is not claimed under {@code epoch}
     * @throws ItemConflictException if the item is not the character's
     */
    public void drop(long characterId, long epoch, long itemId, String world, float x, float y) {
        Objects.requireNonNull(world, "world");
        change("drop an item", c -> {
            lock(c, "drop an item", characterId, epoch);
            try (PreparedStatement ps = c.prepareStatement("UPDATE items SET character_id = NULL, place = 'G', slot = -1,"
                    + " world = ?, x = ?, y = ? WHERE id = ? AND character_id = ? AND place <> 'G'")) {
                ps.setString(1, world);
                ps.setFloat(2, x);
                ps.setFloat(3, y);
                ps.setLong(4, itemId);
                ps.setLong(5, characterId);
                if (ps.executeUpdate() != 1) {
                    throw new ItemConflictException("item " + itemId + " is not character " + characterId + "'s to drop");
                }
            }
            return null;
        });
    }

    /**
     * Gives an item lying on the ground to a character's bag slot.
     *
     * @throws FencedException if the character is not claimed under {@code epoch}
     * @throws ItemConflictException if the item is not on the ground (any more) or the slot is taken
     */
    public void pickUp(long characterId, long epoch, long itemId, int bagSlot) {
        ownedPlace(ItemPlace.BAG, bagSlot);
        change("pick up an item", c -> {
            lock(c, "pick up an item", characterId, epoch);
            try (PreparedStatement ps = c.prepareStatement("UPDATE items SET character_id = ?, place = 'B', slot = ?,"
                    + " world = NULL, x = NULL, y = NULL WHERE id = ? AND place = 'G'")) {
                ps.setLong(1, characterId);
                ps.setInt(2, bagSlot);
                ps.setLong(3, itemId);
                if (inSlot(characterId, ItemPlace.BAG, bagSlot, ps::executeUpdate) != 1) {
                    throw new ItemConflictException("item " + itemId + " is not on the ground");
                }
            }
            return null;
        });
    }

    /**
     * Writes a character's level and experience.
     *
     * @throws FencedException if the character is not claimed under {@code epoch}
     */
    public void progress(long characterId, long epoch, int level, long xp) {
        if (level < 1 || xp < 0) throw new IllegalArgumentException("level " + level + ", xp " + xp);
        change("write progress", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE characters SET level = ?, xp = ? WHERE id = ? AND epoch = ?")) {
                ps.setInt(1, level);
                ps.setLong(2, xp);
                ps.setLong(3, characterId);
                ps.setLong(4, epoch);
                if (ps.executeUpdate() != 1) {
                    throw FencedException.change("write progress", List.of(rejection(c, characterId, epoch)));
                }
            }
            return null;
        });
    }

    /**
     * The exchange of a trade, all or nothing: each side's gold moves to the other, and each
     * item a side gives leaves its bag for the given slot of the other's bag.
     *
     * @throws FencedException if either character is not claimed under its side's epoch (both
     *     are named if both are)
     * @throws ItemConflictException if an item is not in its giver's bag, a slot is taken, or a
     *     side does not have the gold it gives
     */
    public void trade(TradeSide a, TradeSide b) {
        if (a.characterId() == b.characterId()) throw new IllegalArgumentException("a trade with oneself");
        Set<Long> ids = new HashSet<>();
        for (TradeSide side : List.of(a, b)) {
            Set<Integer> slots = new HashSet<>();
            for (int i = 0; i < side.items().size(); i++) {
                int slot = side.toSlots().get(i);
                ownedPlace(ItemPlace.BAG, slot);
                if (!ids.add(side.items().get(i))) throw new IllegalArgumentException("item " + side.items().get(i) + " traded twice");
                if (!slots.add(slot)) throw new IllegalArgumentException("two items traded to bag slot " + slot);
            }
        }
        change("trade", c -> {
            // Both rows in id order: two trades between the same two characters (either way
            // round) lock them in the same order and cannot deadlock.
            List<TradeSide> ordered = a.characterId() < b.characterId() ? List.of(a, b) : List.of(b, a);
            List<FencedSave> fenced = new ArrayList<>();
            String shortOfGold = null;
            for (TradeSide side : ordered) {
                long gets = (side == a ? b : a).gold();
                String problem = tradeGold(c, side, gets, fenced);
                if (shortOfGold == null) shortOfGold = problem;
            }
            if (!fenced.isEmpty()) throw FencedException.change("trade", fenced);
            if (shortOfGold != null) throw new ItemConflictException(shortOfGold);

            // Every item leaves its slot before any arrives: a slot one side gives away may be
            // the one the other side gives into.
            int parking = -2;
            for (TradeSide side : List.of(a, b)) {
                for (long item : side.items()) {
                    park(c, item, side.characterId(), ItemPlace.BAG, parking--);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE items SET character_id = ?, slot = ? WHERE id = ?")) {
                for (TradeSide side : List.of(a, b)) {
                    long receiver = (side == a ? b : a).characterId();
                    for (int i = 0; i < side.items().size(); i++) {
                        int slot = side.toSlots().get(i);
                        ps.setLong(1, receiver);
                        ps.setInt(2, slot);
                        ps.setLong(3, side.items().get(i));
                        inSlot(receiver, ItemPlace.BAG, slot, ps::executeUpdate);
                    }
                }
            }
            return null;
        });
    }

    /**
     * A character's level, experience, gold and owned items (ordered by id), read in one
     * statement so that a change committing meanwhile is seen whole or not at all.
     *
     * @throws PersistenceException if there is no such character, or the database fails
     */
    public Progress load(long characterId) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT ch.level, ch.xp, ch.gold, i.id, i.kind, i.place, i.slot"
                        + " FROM characters ch LEFT JOIN items i ON i.character_id = ch.id AND i.place <> 'G'"
                        + " WHERE ch.id = ? ORDER BY i.id")) {
                    ps.setLong(1, characterId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) throw new PersistenceException("no character " + characterId, null);
                        int level = rs.getInt(1);
                        long xp = rs.getLong(2);
                        long gold = rs.getLong(3);
                        List<ItemRow> items = new ArrayList<>();
                        do {
                            long id = rs.getLong(4);
                            if (rs.wasNull()) break; // no items: the one row has only the character
                            items.add(ItemRow.owned(id, rs.getString(5), characterId,
                                    ItemPlace.ofCode(rs.getString(6)), rs.getInt(7)));
                        } while (rs.next());
                        return new Progress(level, xp, gold, items);
                    }
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot load the progress of character " + characterId, e);
        }
    }

    /** The items lying on the ground of {@code world}, ordered by id. */
    public List<ItemRow> ground(String world) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id, kind, x, y FROM items WHERE place = 'G' AND world = ? ORDER BY id")) {
                    ps.setString(1, world);
                    try (ResultSet rs = ps.executeQuery()) {
                        List<ItemRow> out = new ArrayList<>();
                        while (rs.next()) {
                            out.add(new ItemRow(rs.getLong(1), rs.getString(2), 0, ItemPlace.GROUND, -1, world,
                                    rs.getFloat(3), rs.getFloat(4)));
                        }
                        return List.copyOf(out);
                    }
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot read the items on the ground of " + world, e);
        }
    }

    // ------------------------------------------------------------------ inside a change

    /** Runs a change in one transaction; a database failure becomes a PersistenceException. */
    private <T> T change(String what, Database.SqlWork<T> work) {
        try {
            return db.inTransaction(work);
        } catch (SQLException e) {
            throw new PersistenceException("cannot " + what, e);
        }
    }

    /**
     * Takes the character's row for the rest of the transaction if it is claimed under
     * {@code epoch}; else the change is fenced. NO KEY UPDATE is the lock an UPDATE of the row
     * (a claim, a save) takes, and it still lets items referencing the row be inserted.
     */
    private void lock(Connection c, String what, long characterId, long epoch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM characters WHERE id = ? AND epoch = ?"
                + (db.isSqlite() ? "" : " FOR NO KEY UPDATE"))) {
            ps.setLong(1, characterId);
            ps.setLong(2, epoch);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw FencedException.change(what, List.of(rejection(c, characterId, epoch)));
            }
        }
    }

    /** Adds gold under the fence (the UPDATE takes the row); fenced or refused if it would overflow. */
    private static void addGold(Connection c, String what, long characterId, long epoch, long gold) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE characters SET gold = gold + ? WHERE id = ? AND epoch = ? AND gold <= ?")) {
            ps.setLong(1, gold);
            ps.setLong(2, characterId);
            ps.setLong(3, epoch);
            ps.setLong(4, MAX_GOLD - gold);
            if (ps.executeUpdate() == 1) return;
        }
        FencedSave rejected = rejection(c, characterId, epoch);
        if (rejected.currentEpoch() != epoch) throw FencedException.change(what, List.of(rejected));
        throw new ItemConflictException("character " + characterId + "'s gold would pass " + MAX_GOLD);
    }

    /**
     * One side's gold in a trade: it gives {@code side.gold()} and gets {@code gets}, in one
     * UPDATE that also takes the row. If it applies to no row, reads why: a fenced side is added
     * to {@code fenced}; a side short of gold is returned as a message; null if applied.
     */
    private static String tradeGold(Connection c, TradeSide side, long gets, List<FencedSave> fenced) throws SQLException {
        long gives = side.gold();
        try (PreparedStatement ps = c.prepareStatement("UPDATE characters SET gold = gold - ? + ?"
                + " WHERE id = ? AND epoch = ? AND gold >= ? AND gold - ? <= ?")) {
            ps.setLong(1, gives);
            ps.setLong(2, gets);
            ps.setLong(3, side.characterId());
            ps.setLong(4, side.epoch());
            ps.setLong(5, gives);
            ps.setLong(6, gives);
            ps.setLong(7, MAX_GOLD - gets);
            if (ps.executeUpdate() == 1) return null;
        }
        FencedSave rejected = rejection(c, side.characterId(), side.epoch());
        if (rejected.currentEpoch() != side.epoch()) {
            fenced.add(rejected);
            return null;
        }
        return "character " + side.characterId() + " does not have the " + gives + " gold it gives"
                + " (or would pass " + MAX_GOLD + " with the " + gets + " it gets)";
    }

    /** The rejection of a change for a character not claimed under {@code epoch}: its current epoch, or -1 if gone. */
    private static FencedSave rejection(Connection c, long characterId, long epoch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM characters WHERE id = ?")) {
            ps.setLong(1, characterId);
            try (ResultSet rs = ps.executeQuery()) {
                return FencedSave.ofChange(characterId, epoch, rs.next() ? rs.getLong(1) : -1);
            }
        }
    }

    /**
     * Moves an item the character owns (in {@code place}, or bag or worn if null) to the
     * negative slot {@code parking}, free because owned items only use slots from 0 and each
     * change parks at most one item per negative slot (changes of one character never overlap:
     * each holds the character's row). An item conflict if the character does not own it.
     */
    private static void park(Connection c, long itemId, long characterId, ItemPlace place, int parking) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE items SET slot = ? WHERE id = ? AND character_id = ?"
                + (place == null ? " AND place <> 'G'" : " AND place = '" + place.code + "'"))) {
            ps.setInt(1, parking);
            ps.setLong(2, itemId);
            ps.setLong(3, characterId);
            if (ps.executeUpdate() != 1) {
                throw new ItemConflictException("item " + itemId + " is not in character " + characterId + "'s "
                        + (place == null ? "bag or worn" : place.name().toLowerCase()));
            }
        }
    }

    @FunctionalInterface
    private interface Statement<T> {
        T run() throws SQLException;
    }

    /** Runs a statement that puts an item in a slot: a taken slot is an item conflict. */
    private static <T> T inSlot(long characterId, ItemPlace place, int slot, Statement<T> statement) throws SQLException {
        try {
            return statement.run();
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) {
                throw new ItemConflictException("character " + characterId + "'s " + place.name().toLowerCase()
                        + " slot " + slot + " is taken");
            }
            throw e;
        }
    }

    /** An owned item's place and slot: negative slots are the ground's (-1) and parking's. */
    private static void ownedPlace(ItemPlace place, int slot) {
        if (place == null || place == ItemPlace.GROUND) throw new IllegalArgumentException("an owned item in " + place);
        if (slot < 0) throw new IllegalArgumentException("slot " + slot);
    }
}

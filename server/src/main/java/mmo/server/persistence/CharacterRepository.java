package mmo.server.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and writes the characters table. Names are unique and looked up ignoring case. Each
 * character has an epoch that {@link #claim} increments: the owner simulating a character
 * saves under the epoch of its claim, and saves from an earlier owner are rejected (fencing).
 * Thread-safe; every method blocks on JDBC, so call it from a worker thread.
 */
public final class CharacterRepository {
    private static final String COLUMNS = "id, account_id, name, character_class, appearance, world, x, y, created_at";

    private final Database db;
    private final Clock clock;

    public CharacterRepository(Database db) {
        this(db, Clock.systemUTC());
    }

    public CharacterRepository(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Inserts a character with no limit on how many the account has.
     *
     * @throws NameTakenException if a character with this name, ignoring case, exists
     * @throws PersistenceException if the database fails (also: no such account)
     */
    public CharacterRecord create(long accountId, String name, int characterClass, byte[] appearance,
                                  String world, float x, float y) {
        return create(accountId, name, characterClass, appearance, world, x, y, Integer.MAX_VALUE);
    }

    /**
     * Inserts a character unless the account already has {@code maxPerAccount}; the count and
     * the insert are one transaction, so two concurrent creations cannot both slip under it.
     *
     * @throws TooManyCharactersException if the account is at the limit
     * @throws NameTakenException if a character with this name, ignoring case, exists
     * @throws PersistenceException if the database fails (also: no such account)
     */
    public CharacterRecord create(long accountId, String name, int characterClass, byte[] appearance,
                                  String world, float x, float y, int maxPerAccount) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        try {
            long id = db.inTransaction(c -> {
                if (maxPerAccount != Integer.MAX_VALUE) {
                    // SQLite transactions already hold the write lock (BEGIN IMMEDIATE); PostgreSQL
                    // needs the account row locked so concurrent creations queue behind each other.
                    if (!db.isSqlite()) {
                        try (PreparedStatement lock = c.prepareStatement("SELECT id FROM accounts WHERE id = ? FOR UPDATE")) {
                            lock.setLong(1, accountId);
                            lock.executeQuery().close();
                        }
                    }
                    if (count(c, accountId) >= maxPerAccount) {
                        throw new TooManyCharactersException(accountId, maxPerAccount);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO characters"
                        + " (account_id, name, character_class, appearance, world, x, y, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                    ps.setLong(1, accountId);
                    ps.setString(2, name);
                    ps.setInt(3, characterClass);
                    ps.setBytes(4, appearance);
                    ps.setString(5, world);
                    ps.setFloat(6, x);
                    ps.setFloat(7, y);
                    ps.setLong(8, now.toEpochMilli());
                    ps.setLong(9, now.toEpochMilli());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            return new CharacterRecord(id, accountId, name, characterClass, appearance.clone(), world, x, y, now);
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) {
                throw new NameTakenException(name);
            }
            throw new PersistenceException("cannot create character", e);
        }
    }

    /** The account's characters, oldest first. */
    public List<CharacterRecord> listByAccount(long accountId) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT " + COLUMNS + " FROM characters WHERE account_id = ? ORDER BY id")) {
                    ps.setLong(1, accountId);
                    try (ResultSet rs = ps.executeQuery()) {
                        List<CharacterRecord> out = new ArrayList<>();
                        while (rs.next()) {
                            out.add(read(rs));
                        }
                        return List.copyOf(out);
                    }
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot list characters", e);
        }
    }

    public Optional<CharacterRecord> findById(long id) {
        return findOne("SELECT " + COLUMNS + " FROM characters WHERE id = ?", ps -> ps.setLong(1, id));
    }

    /** The character with this name ignoring case, if any. */
    public Optional<CharacterRecord> findByName(String name) {
        return findOne("SELECT " + COLUMNS + " FROM characters WHERE lower(name) = lower(?)",
                ps -> ps.setString(1, name));
    }

    public int countByAccount(long accountId) {
        try {
            return db.withConnection(c -> count(c, accountId));
        } catch (SQLException e) {
            throw new PersistenceException("cannot count characters", e);
        }
    }

    /**
     * Claims the character for a new owner: increments its epoch and returns the new value with
     * the record, in one statement. From then on, saves taken under an earlier epoch are
     * rejected ({@link #saveStates}), so whoever claimed last owns the character. Empty if there
     * is no such character.
     *
     * @throws PersistenceException if the database fails
     */
    public Optional<CharacterClaim> claim(long characterId) {
        return claim("UPDATE characters SET epoch = epoch + 1 WHERE id = ? RETURNING " + COLUMNS + ", epoch",
                ps -> ps.setLong(1, characterId));
    }

    /**
     * As {@link #claim(long)}, but only if the character belongs to {@code accountId}; otherwise
     * nothing changes (a client naming someone else's character must not fence its owner out).
     */
    public Optional<CharacterClaim> claim(long characterId, long accountId) {
        return claim("UPDATE characters SET epoch = epoch + 1 WHERE id = ? AND account_id = ? RETURNING "
                + COLUMNS + ", epoch", ps -> {
            ps.setLong(1, characterId);
            ps.setLong(2, accountId);
        });
    }

    private Optional<CharacterClaim> claim(String sql, Database.Binder binder) {
        // One UPDATE ... RETURNING: the row lock (PostgreSQL) or the write lock (SQLite) orders
        // concurrent claims, and each gets its own epoch.
        return queryOne(sql, binder, rs -> new CharacterClaim(read(rs), rs.getLong(10)), "cannot claim character");
    }

    /**
     * Saves the positions of many characters in one transaction. A state whose epoch is not the
     * character's current one (it was claimed again since) writes nothing and is returned as
     * fenced; the others are saved. Ids that no longer exist are skipped. If the database fails,
     * nothing is saved.
     *
     * @return the rejected states, empty if none
     * @throws PersistenceException if the database fails; nothing was saved
     */
    public List<FencedSave> saveStates(Collection<CharacterState> states) {
        if (states.isEmpty()) {
            return List.of();
        }
        long now = clock.millis();
        try {
            return db.inTransaction(c -> {
                List<CharacterState> missed = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE characters SET world = ?, x = ?, y = ?, updated_at = ? WHERE id = ? AND epoch = ?")) {
                    for (CharacterState s : states) {
                        ps.setString(1, s.world());
                        ps.setFloat(2, s.x());
                        ps.setFloat(3, s.y());
                        ps.setLong(4, now);
                        ps.setLong(5, s.characterId());
                        ps.setLong(6, s.epoch());
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    int i = 0;
                    for (CharacterState s : states) {
                        // Both drivers report a count per statement (never SUCCESS_NO_INFO for these).
                        if (counts[i++] == 0) missed.add(s);
                    }
                }
                return missed.isEmpty() ? List.<FencedSave>of() : fenced(c, missed);
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot save " + states.size() + " character states", e);
        }
    }

    /** Which of the states that updated nothing were fenced, with the epoch that fenced them (rare). */
    private static List<FencedSave> fenced(Connection c, List<CharacterState> missed) throws SQLException {
        List<FencedSave> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM characters WHERE id = ?")) {
            for (CharacterState s : missed) {
                ps.setLong(1, s.characterId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.add(new FencedSave(s, rs.getLong(1))); // else deleted: skipped, as before
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private static int count(Connection c, long accountId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM characters WHERE account_id = ?")) {
            ps.setLong(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private Optional<CharacterRecord> findOne(String sql, Database.Binder binder) {
        return queryOne(sql, binder, CharacterRepository::read, "cannot read character");
    }

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** The first row of a query (or of an UPDATE ... RETURNING), if any. */
    private <T> Optional<T> queryOne(String sql, Database.Binder binder, Row<T> row, String failure) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    binder.bind(ps);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(row.read(rs)) : Optional.<T>empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException(failure, e);
        }
    }

    private static CharacterRecord read(ResultSet rs) throws SQLException {
        return new CharacterRecord(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getInt(4), rs.getBytes(5),
                rs.getString(6), rs.getFloat(7), rs.getFloat(8), Instant.ofEpochMilli(rs.getLong(9)));
    }
}

package mmo.server.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and writes the accounts table. Usernames keep the spelling they were registered with
 * and are unique and looked up ignoring case. Thread-safe; every method blocks on JDBC, so call
 * it from a worker thread.
 */
public final class AccountRepository {
    private static final String COLUMNS = "id, username, password_hash, created_at";

    private final Database db;
    private final Clock clock;

    public AccountRepository(Database db) {
        this(db, Clock.systemUTC());
    }

    public AccountRepository(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Inserts an account.
     *
     * @throws NameTakenException if an account with this name, ignoring case, exists
     * @throws PersistenceException if the database fails
     */
    public AccountRecord create(String username, String passwordHash) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        try {
            long id = db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO accounts (username, password_hash, created_at) VALUES (?, ?, ?) RETURNING id")) {
                    ps.setString(1, username);
                    ps.setString(2, passwordHash);
                    ps.setLong(3, now.toEpochMilli());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            return new AccountRecord(id, username, passwordHash, now);
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) {
                throw new NameTakenException(username);
            }
            throw new PersistenceException("cannot create account", e);
        }
    }

    /** The account with this name ignoring case, if any. */
    public Optional<AccountRecord> findByUsername(String username) {
        return findOne("SELECT " + COLUMNS + " FROM accounts WHERE lower(username) = lower(?)",
                ps -> ps.setString(1, username));
    }

    public Optional<AccountRecord> findById(long id) {
        return findOne("SELECT " + COLUMNS + " FROM accounts WHERE id = ?", ps -> ps.setLong(1, id));
    }

    /**
     * Stores a new password hash and, in the same transaction, ends every session of the
     * account except the one of {@code keepToken} (null: ends them all).
     *
     * @return false if there is no such account (then nothing changed)
     */
    public boolean changePassword(long accountId, String passwordHash, String keepToken) {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET password_hash = ? WHERE id = ?")) {
                    ps.setString(1, passwordHash);
                    ps.setLong(2, accountId);
                    if (ps.executeUpdate() != 1) {
                        return false;
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(keepToken == null
                        ? "DELETE FROM sessions WHERE account_id = ?"
                        : "DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?")) {
                    ps.setLong(1, accountId);
                    if (keepToken != null) ps.setBytes(2, SessionRepository.sha256(keepToken));
                    ps.executeUpdate();
                }
                return true;
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot change password", e);
        }
    }

    private Optional<AccountRecord> findOne(String sql, Database.Binder binder) {
        try {
            return db.withConnection((Connection c) -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    binder.bind(ps);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.empty();
                        }
                        return Optional.of(new AccountRecord(rs.getLong(1), rs.getString(2), rs.getString(3),
                                Instant.ofEpochMilli(rs.getLong(4))));
                    }
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot read account", e);
        }
    }
}

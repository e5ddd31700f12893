package mmo.server.persistence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Session tokens that let a client log in again without its password. The token goes to the
 * client only; the table keeps its SHA-256, so reading the database does not yield usable
 * tokens. Thread-safe; every method blocks on JDBC, so call it from a worker thread.
 */
public final class SessionRepository {
    private static final int TOKEN_BYTES = 32;

    private final Database db;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public SessionRepository(Database db) {
        this(db, Clock.systemUTC());
    }

    /** With the clock that decides expiry (tests move it forward). */
    public SessionRepository(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Starts a session valid for {@code ttl}; returns the token (base64url, no padding). */
    public String create(long accountId, Duration ttl) {
        byte[] raw = new byte[TOKEN_BYTES];
        random.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        long now = clock.millis();
        try {
            db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)")) {
                    ps.setBytes(1, sha256(token));
                    ps.setLong(2, accountId);
                    ps.setLong(3, now);
                    ps.setLong(4, Math.addExact(now, ttl.toMillis()));
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot create session", e);
        }
        return token;
    }

    /** The account of a live session: known, not expired, not revoked. */
    public Optional<Long> accountFor(String token) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT account_id FROM sessions WHERE token_hash = ? AND expires_at > ?")) {
                    ps.setBytes(1, sha256(token));
                    ps.setLong(2, clock.millis());
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.<Long>empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot read session", e);
        }
    }

    /** Ends one session; unknown tokens are ignored. */
    public void revoke(String token) {
        update("DELETE FROM sessions WHERE token_hash = ?", ps -> ps.setBytes(1, sha256(token)));
    }

    /** Ends every session of the account (password change, ban). */
    public void revokeAll(long accountId) {
        update("DELETE FROM sessions WHERE account_id = ?", ps -> ps.setLong(1, accountId));
    }

    /** Deletes expired sessions so the table does not grow forever; returns how many. */
    public int deleteExpired() {
        return update("DELETE FROM sessions WHERE expires_at <= ?", ps -> ps.setLong(1, clock.millis()));
    }

    private int update(String sql, Database.Binder binder) {
        return db.update(sql, binder, "cannot update sessions");
    }

    /** What the table stores for {@code token}. */
    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}

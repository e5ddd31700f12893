package mmo.server.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Roles, bans, mutes, ignore lists and the moderation audit log (migration V4). Times are
 * epoch milliseconds; {@link #FOREVER} is a ban or mute without end. Thread-safe; every
 * method blocks on JDBC, so call it from a worker thread (or a command-line tool).
 */
public final class ModerationRepository {
    /** {@code banned_until} / {@code muted_until} of a ban or mute for good. */
    public static final long FOREVER = Long.MAX_VALUE;

    /** Roles an account can have ({@code accounts.role}). */
    public enum Role {
        PLAYER, ADMIN;

        String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Role of(String column) {
            return "admin".equals(column) ? ADMIN : PLAYER;
        }
    }

    /**
     * What moderation says about an account now.
     *
     * @param bannedUntil epoch ms, 0 = not banned
     * @param mutedUntil  epoch ms, 0 = not muted
     */
    public record Standing(long accountId, String username, Role role, long bannedUntil, String banReason, long mutedUntil) {
        public boolean bannedAt(long nowMs) {
            return bannedUntil > nowMs;
        }

        public boolean mutedAt(long nowMs) {
            return mutedUntil > nowMs;
        }
    }

    /** A character as moderation addresses it: by name, acting on its account. */
    public record CharacterRef(long characterId, String name, long accountId) {}

    /** One row of {@code moderation_audit}. {@code durationS} is null when the action has none. */
    public record AuditEntry(long id, long at, long actorAccountId, String actorName, String action, String target,
                             Long targetAccountId, Long durationS, String reason, String outcome) {}

    /** What {@link #ignore} did. */
    public enum IgnoreOutcome { ADDED, ALREADY, NO_SUCH_CHARACTER, OWN_CHARACTER, FULL }

    private final Database db;

    public ModerationRepository(Database db) {
        this.db = Objects.requireNonNull(db);
    }

    /** The account's role, bans and mutes; empty if there is no such account. */
    public Optional<Standing> standing(long accountId) {
        return query("SELECT id, username, role, banned_until, ban_reason, muted_until FROM accounts WHERE id = ?",
                ps -> ps.setLong(1, accountId));
    }

    /** As {@link #standing(long)}, by username ignoring case. */
    public Optional<Standing> standingByUsername(String username) {
        return query("SELECT id, username, role, banned_until, ban_reason, muted_until FROM accounts"
                + " WHERE lower(username) = lower(?)", ps -> ps.setString(1, username));
    }

    private Optional<Standing> query(String sql, Database.Binder binder) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    binder.bind(ps);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) return Optional.empty();
                        String reason = rs.getString(5);
                        return Optional.of(new Standing(rs.getLong(1), rs.getString(2), Role.of(rs.getString(3)),
                                rs.getLong(4), reason == null ? "" : reason, rs.getLong(6)));
                    }
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot read account standing", e);
        }
    }

    /** Sets the role of the account called {@code username} (ignoring case); false if there is none. */
    public boolean setRole(String username, Role role) {
        return update("UPDATE accounts SET role = ? WHERE lower(username) = lower(?)", ps -> {
            ps.setString(1, role.column());
            ps.setString(2, username);
        }) == 1;
    }

    /** The character of that name (ignoring case), if any. */
    public Optional<CharacterRef> findCharacter(String name) {
        try {
            return db.withConnection(c -> findCharacter(c, name));
        } catch (SQLException e) {
            throw new PersistenceException("cannot read character", e);
        }
    }

    private static Optional<CharacterRef> findCharacter(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, name, account_id FROM characters WHERE lower(name) = lower(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new CharacterRef(rs.getLong(1), rs.getString(2), rs.getLong(3)))
                        : Optional.empty();
            }
        }
    }

    /**
     * What to write to the audit log together with a change (in the same transaction, so a
     * change is never without its record). {@code durationS} and {@code targetAccountId} may be null.
     */
    public record Audit(long at, long actorAccountId, String actorName, String action, String target,
                        Long targetAccountId, Long durationS, String reason, String outcome) {}

    /** Bans the account until {@code untilMs} ({@link #FOREVER}: for good), recording {@code audit}. */
    public void ban(long accountId, long untilMs, String reason, Audit audit) {
        audited(audit, "UPDATE accounts SET banned_until = ?, ban_reason = ? WHERE id = ?", ps -> {
            ps.setLong(1, untilMs);
            ps.setString(2, reason);
            ps.setLong(3, accountId);
        });
    }

    /** Lifts a ban, recording {@code audit}; true if the account was banned (at any time, lapsed or not). */
    public boolean unban(long accountId, Audit audit) {
        return audited(audit, "UPDATE accounts SET banned_until = NULL, ban_reason = NULL WHERE id = ? AND banned_until IS NOT NULL",
                ps -> ps.setLong(1, accountId)) == 1;
    }

    /** Mutes the account until {@code untilMs}, recording {@code audit}. */
    public void mute(long accountId, long untilMs, Audit audit) {
        audited(audit, "UPDATE accounts SET muted_until = ? WHERE id = ?", ps -> {
            ps.setLong(1, untilMs);
            ps.setLong(2, accountId);
        });
    }

    /** Lifts a mute, recording {@code audit}; true if the account had one. */
    public boolean unmute(long accountId, Audit audit) {
        return audited(audit, "UPDATE accounts SET muted_until = NULL WHERE id = ? AND muted_until IS NOT NULL",
                ps -> ps.setLong(1, accountId)) == 1;
    }

    private int audited(Audit audit, String sql, Database.Binder binder) {
        try {
            return db.inTransaction(c -> {
                int n;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    binder.bind(ps);
                    n = ps.executeUpdate();
                }
                insertAudit(c, audit);
                return n;
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot update moderation data", e);
        }
    }

    /** Appends a row to the audit log on its own (for actions outside the database); returns its id. */
    public long audit(Audit a) {
        try {
            return db.withConnection(c -> insertAudit(c, a));
        } catch (SQLException e) {
            throw new PersistenceException("cannot write the moderation audit log", e);
        }
    }

    private static long insertAudit(Connection c, Audit a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO moderation_audit (at, actor_account_id,"
                + " actor_name, action, target, target_account_id, duration_s, reason, outcome)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            ps.setLong(1, a.at());
            ps.setLong(2, a.actorAccountId());
            ps.setString(3, a.actorName());
            ps.setString(4, a.action());
            ps.setString(5, a.target());
            if (a.targetAccountId() == null) ps.setNull(6, Types.BIGINT); else ps.setLong(6, a.targetAccountId());
            if (a.durationS() == null) ps.setNull(7, Types.BIGINT); else ps.setLong(7, a.durationS());
            ps.setString(8, a.reason());
            ps.setString(9, a.outcome());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The newest {@code limit} audit rows, newest first. */
    public List<AuditEntry> auditLog(int limit) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT id, at, actor_account_id, actor_name, action,"
                        + " target, target_account_id, duration_s, reason, outcome FROM moderation_audit"
                        + " ORDER BY id DESC LIMIT ?")) {
                    ps.setInt(1, limit);
                    List<AuditEntry> out = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Long targetAccount = rs.getLong(7);
                            if (rs.wasNull()) targetAccount = null;
                            Long duration = rs.getLong(8);
                            if (rs.wasNull()) duration = null;
                            out.add(new AuditEntry(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                                    rs.getString(5), rs.getString(6), targetAccount, duration, rs.getString(9),
                                    rs.getString(10)));
                        }
                    }
                    return out;
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot read the moderation audit log", e);
        }
    }

    /** The names of the characters the account ignores, sorted ignoring case. */
    public List<String> ignoredNames(long accountId) {
        try {
            return db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT ch.name FROM ignores i JOIN characters ch"
                        + " ON ch.id = i.character_id WHERE i.account_id = ? ORDER BY lower(ch.name)")) {
                    ps.setLong(1, accountId);
                    List<String> out = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.add(rs.getString(1));
                    }
                    return out;
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException("cannot read the ignore list", e);
        }
    }

    /**
     * Adds the character called {@code name} to the account's ignore list, unless it holds
     * {@code cap} names already or the character is the account's own. The count and the insert
     * are one transaction, so two requests at once cannot pass the cap.
     */
    public IgnoreOutcome ignore(long accountId, String name, int cap, long nowMs) {
        try {
            return db.inTransaction(c -> {
                Optional<CharacterRef> ch = findCharacter(c, name);
                if (ch.isEmpty()) return IgnoreOutcome.NO_SUCH_CHARACTER;
                if (ch.get().accountId() == accountId) return IgnoreOutcome.OWN_CHARACTER;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*), sum(CASE WHEN character_id = ? THEN 1 ELSE 0 END) FROM ignores WHERE account_id = ?")) {
                    ps.setLong(1, ch.get().characterId());
                    ps.setLong(2, accountId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(2) > 0) return IgnoreOutcome.ALREADY;
                        if (rs.getLong(1) >= cap) return IgnoreOutcome.FULL;
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO ignores (account_id, character_id, created_at) VALUES (?, ?, ?)")) {
                    ps.setLong(1, accountId);
                    ps.setLong(2, ch.get().characterId());
                    ps.setLong(3, nowMs);
                    ps.executeUpdate();
                }
                return IgnoreOutcome.ADDED;
            });
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) return IgnoreOutcome.ALREADY; // the same request twice at once
            throw new PersistenceException("cannot change the ignore list", e);
        }
    }

    /** Removes the character called {@code name} from the account's ignore list; false if it was not on it. */
    public boolean unignore(long accountId, String name) {
        return update("DELETE FROM ignores WHERE account_id = ? AND character_id IN"
                + " (SELECT id FROM characters WHERE lower(name) = lower(?))", ps -> {
            ps.setLong(1, accountId);
            ps.setString(2, name);
        }) > 0;
    }

    private int update(String sql, Database.Binder binder) {
        return db.update(sql, binder, "cannot update moderation data");
    }
}

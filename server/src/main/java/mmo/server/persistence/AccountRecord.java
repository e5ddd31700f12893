package mmo.server.persistence;

import java.time.Instant;

/**
 * One row of the accounts table. {@code passwordHash} is a PHC string (see
 * {@code mmo.server.account.PasswordHasher}), never a password. Immutable, any thread.
 */
public record AccountRecord(long id, String username, String passwordHash, Instant createdAt) {
    @Override
    public String toString() {
        return "AccountRecord[id=" + id + ", username=" + username + ", createdAt=" + createdAt + "]";
    }
}

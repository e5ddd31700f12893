package mmo.server.persistence;

import mmo.server.persistence.TestDatabases.Backend;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Session tokens on SQLite and PostgreSQL, with a clock the tests move. */
class SessionRepositoryTest {
    private static final Duration TTL = Duration.ofHours(1);

    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);
    private final MutableClock clock = new MutableClock();

    private Database db;
    private SessionRepository sessions;
    private long alice;
    private long bob;

    private void open(Backend backend) {
        db = dbs.open(backend);
        sessions = new SessionRepository(db, clock);
        AccountRepository accounts = new AccountRepository(db, clock);
        alice = accounts.create("Alice", "hash").id();
        bob = accounts.create("Bob", "hash").id();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void createdSessionIsFoundByItsToken(Backend backend) {
        open(backend);
        String a = sessions.create(alice, TTL);
        String b = sessions.create(bob, TTL);

        assertThat(a).matches("[A-Za-z0-9_-]{43}");
        assertThat(a).isNotEqualTo(b);
        assertThat(sessions.accountFor(a)).contains(alice);
        assertThat(sessions.accountFor(b)).contains(bob);
        assertThat(sessions.accountFor("not-a-token")).isEmpty();
        assertThat(sessions.accountFor("")).isEmpty();
        assertThat(sessions.accountFor(a.substring(1))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sessionsExpireAfterTheirTtl(Backend backend) {
        open(backend);
        String token = sessions.create(alice, TTL);
        clock.advance(TTL.minusMillis(1));
        assertThat(sessions.accountFor(token)).contains(alice);
        clock.advance(Duration.ofMillis(1));
        assertThat(sessions.accountFor(token)).isEmpty(); // valid for exactly ttl
        clock.advance(Duration.ofDays(1));
        assertThat(sessions.accountFor(token)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void revokeEndsOneSession(Backend backend) {
        open(backend);
        String first = sessions.create(alice, TTL);
        String second = sessions.create(alice, TTL);
        sessions.revoke(first);
        assertThat(sessions.accountFor(first)).isEmpty();
        assertThat(sessions.accountFor(second)).contains(alice);
        sessions.revoke(first);            // twice: no error
        sessions.revoke("never-issued");   // unknown: no error
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void revokeAllEndsEverySessionOfOneAccount(Backend backend) {
        open(backend);
        String a1 = sessions.create(alice, TTL);
        String a2 = sessions.create(alice, TTL);
        String b1 = sessions.create(bob, TTL);
        sessions.revokeAll(alice);
        assertThat(sessions.accountFor(a1)).isEmpty();
        assertThat(sessions.accountFor(a2)).isEmpty();
        assertThat(sessions.accountFor(b1)).contains(bob);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void deleteExpiredRemovesOnlyExpiredSessions(Backend backend) throws SQLException {
        open(backend);
        sessions.create(alice, Duration.ofMinutes(1));
        sessions.create(bob, Duration.ofMinutes(2));
        String lasting = sessions.create(alice, Duration.ofDays(1));
        assertThat(sessions.deleteExpired()).isZero();
        clock.advance(Duration.ofMinutes(2));
        assertThat(sessions.deleteExpired()).isEqualTo(2);
        assertThat(sessions.deleteExpired()).isZero();
        assertThat(sessions.accountFor(lasting)).contains(alice);
        assertThat(rowCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theTableHoldsOnlyTokenHashes(Backend backend) throws Exception {
        open(backend);
        String token = sessions.create(alice, TTL);
        List<byte[]> stored = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT token_hash FROM sessions")) {
            while (rs.next()) stored.add(rs.getBytes(1));
        }
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0)).isEqualTo(sha);
        assertThat(new String(stored.get(0), StandardCharsets.ISO_8859_1)).doesNotContain(token);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void tokensAreUnique(Backend backend) {
        open(backend);
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 50; i++) tokens.add(sessions.create(alice, TTL));
        assertThat(tokens).hasSize(50);
        assertThat(tokens).allSatisfy(t -> assertThat(sessions.accountFor(t)).contains(alice));
    }

    private int rowCount() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM sessions")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}

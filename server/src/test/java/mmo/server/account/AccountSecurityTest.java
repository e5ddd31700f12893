package mmo.server.account;

import mmo.protocol.ErrorCode;
import mmo.server.game.GameException;
import mmo.server.game.MapStartPoints;
import mmo.server.persistence.AccountRepository;
import mmo.server.persistence.CharacterRepository;
import mmo.server.persistence.Database;
import mmo.server.persistence.MutableClock;
import mmo.server.persistence.SessionRepository;
import mmo.server.persistence.TestDatabases;
import mmo.server.persistence.TestDatabases.Backend;
import mmo.server.world.map.TileMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static mmo.server.account.AccountFutures.await;
import static mmo.server.account.AccountFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Login throttling, password change and logging out everywhere, on both databases, with the
 * throttle's clock stepped by the test and every Argon2 call counted.
 */
class AccountSecurityTest {
    private static final TileMap MAP = TileMap.loadResource("maps/test.tmj");
    private static final String PASSWORD = "correct horse";
    private static final String NEW_PASSWORD = "battery staple";
    private static final String ADDRESS = "203.0.113.7";

    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);

    private final MutableClock clock = new MutableClock();
    private final ExecutorService worker = Executors.newFixedThreadPool(2);
    private final CountingHasher hasher = new CountingHasher();

    /** Cheap Argon2 settings, counting every hash and verification. */
    static final class CountingHasher extends PasswordHasher {
        final AtomicInteger calls = new AtomicInteger();

        CountingHasher() {
            super(64, 1, 1);
        }

        @Override
        public String hash(String password) {
            calls.incrementAndGet();
            return super.hash(password);
        }

        @Override
        public boolean verify(String password, String encoded) {
            calls.incrementAndGet();
            return super.verify(password, encoded);
        }
    }

    @AfterEach
    void stopWorker() throws InterruptedException {
        worker.shutdownNow();
        assertThat(worker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private AccountService service(Backend backend) {
        Database db = dbs.open(backend);
        return new AccountService(new AccountRepository(db, clock), new CharacterRepository(db, clock),
                new SessionRepository(db, clock), hasher, WorldChoice.only("Testland", new MapStartPoints(MAP)),
                worker, Duration.ofHours(2), BotFleet.disabled(), new LoginThrottle(clock));
    }

    private static void assertCode(GameException e, ErrorCode code) {
        assertThat(e.code()).isEqualTo(code);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void afterFiveFailuresANameIsRefusedWithoutAHashAliveOrNot(Backend backend) {
        AccountService s = service(backend);
        await(s.register("Alice", PASSWORD));
        for (String name : new String[] {"Alice", "Nobody"}) {
            for (int i = 0; i < 5; i++) {
                assertCode(failure(s.login(name, "guess" + i)), ErrorCode.BAD_CREDENTIALS);
            }
        }
        int hashes = hasher.calls.get();
        GameException existing = failure(s.login("alice", PASSWORD)); // even the right password
        GameException unknown = failure(s.login("NOBODY", "guess"));
        assertCode(existing, ErrorCode.TOO_MANY_ATTEMPTS);
        assertCode(unknown, ErrorCode.TOO_MANY_ATTEMPTS);
        assertThat(existing.getMessage()).isEqualTo(unknown.getMessage()).isEqualTo("Too many attempts; try again in 1 second");
        for (int i = 0; i < 100; i++) {
            assertCode(failure(s.login("Alice", "guess")), ErrorCode.TOO_MANY_ATTEMPTS);
        }
        assertThat(hasher.calls.get()).isEqualTo(hashes); // refusals cost no hash

        // the wait doubles with each further failure
        clock.advance(Duration.ofSeconds(1));
        assertCode(failure(s.login("Alice", "guess")), ErrorCode.BAD_CREDENTIALS);
        assertThat(failure(s.login("Alice", PASSWORD)).getMessage()).isEqualTo("Too many attempts; try again in 2 seconds");
        clock.advance(Duration.ofSeconds(2));
        assertCode(failure(s.login("Alice", "guess")), ErrorCode.BAD_CREDENTIALS);
        assertThat(failure(s.login("Alice", PASSWORD)).getMessage()).isEqualTo("Too many attempts; try again in 4 seconds");

        // the right password once the wait is over, and the name starts afresh
        clock.advance(Duration.ofSeconds(4));
        await(s.login("Alice", PASSWORD));
        for (int i = 0; i < 4; i++) {
            assertCode(failure(s.login("Alice", "guess")), ErrorCode.BAD_CREDENTIALS);
        }
        await(s.login("Alice", PASSWORD));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void unknownNamesAndWrongPasswordsCostOneHashEachAndReadAlike(Backend backend) {
        AccountService s = service(backend);
        await(s.register("Alice", PASSWORD));
        int before = hasher.calls.get();
        GameException wrong = failure(s.login("Alice", "wrong password"));
        int afterWrong = hasher.calls.get();
        GameException unknown = failure(s.login("Nobody", "wrong password"));
        assertThat(afterWrong - before).isEqualTo(1);
        assertThat(hasher.calls.get() - afterWrong).isEqualTo(1);
        assertThat(unknown.code()).isEqualTo(wrong.code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        assertThat(unknown.getMessage()).isEqualTo(wrong.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void oneAddressTryingManyNamesIsRefused(Backend backend) {
        AccountService s = service(backend);
        await(s.register("Alice", PASSWORD));
        for (int i = 0; i < 20; i++) {
            assertCode(failure(s.login("user" + i, PASSWORD, ADDRESS)), ErrorCode.BAD_CREDENTIALS);
        }
        int hashes = hasher.calls.get();
        assertCode(failure(s.login("Alice", PASSWORD, ADDRESS)), ErrorCode.TOO_MANY_ATTEMPTS);
        assertCode(failure(s.login("no such name!", PASSWORD, ADDRESS)), ErrorCode.TOO_MANY_ATTEMPTS);
        assertThat(hasher.calls.get()).isEqualTo(hashes);
        await(s.login("Alice", PASSWORD, "198.51.100.1")); // from elsewhere Alice gets in
        clock.advance(Duration.ofSeconds(1));
        await(s.login("Alice", PASSWORD, ADDRESS));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void changingThePasswordEndsTheOtherSessions(Backend backend) {
        AccountService s = service(backend);
        LoginResult first = await(s.register("Alice", PASSWORD));
        LoginResult current = await(s.login("Alice", PASSWORD));
        long id = current.account().id();

        assertCode(failure(s.changePassword(id, current.token(), PASSWORD, "short", ADDRESS)), ErrorCode.INVALID_PASSWORD);
        assertCode(failure(s.changePassword(id, current.token(), "wrong password", NEW_PASSWORD, ADDRESS)),
                ErrorCode.BAD_CREDENTIALS);
        await(s.resume(first.token())); // nothing changed yet

        await(s.changePassword(id, current.token(), PASSWORD, NEW_PASSWORD, ADDRESS));
        assertCode(failure(s.resume(first.token())), ErrorCode.SESSION_EXPIRED);
        assertThat(await(s.resume(current.token())).account().id()).isEqualTo(id); // this one stays
        assertCode(failure(s.login("Alice", PASSWORD)), ErrorCode.BAD_CREDENTIALS);
        assertThat(await(s.login("Alice", NEW_PASSWORD)).account().id()).isEqualTo(id);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void guessingTheOldPasswordIsThrottledLikeALogin(Backend backend) {
        AccountService s = service(backend);
        LoginResult alice = await(s.register("Alice", PASSWORD));
        long id = alice.account().id();
        for (int i = 0; i < 5; i++) {
            assertCode(failure(s.changePassword(id, alice.token(), "guess" + i, NEW_PASSWORD, ADDRESS)),
                    ErrorCode.BAD_CREDENTIALS);
        }
        int hashes = hasher.calls.get();
        assertCode(failure(s.changePassword(id, alice.token(), PASSWORD, NEW_PASSWORD, ADDRESS)),
                ErrorCode.TOO_MANY_ATTEMPTS);
        assertCode(failure(s.login("Alice", PASSWORD)), ErrorCode.TOO_MANY_ATTEMPTS); // the same name's count
        assertThat(hasher.calls.get()).isEqualTo(hashes);
        clock.advance(Duration.ofSeconds(1));
        await(s.changePassword(id, alice.token(), PASSWORD, NEW_PASSWORD, ADDRESS));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void loggingOutEverywhereEndsEverySession(Backend backend) {
        AccountService s = service(backend);
        LoginResult first = await(s.register("Alice", PASSWORD));
        LoginResult second = await(s.login("Alice", PASSWORD));
        LoginResult bob = await(s.register("Bob", PASSWORD));
        await(s.logoutEverywhere(first.account().id()));
        assertCode(failure(s.resume(first.token())), ErrorCode.SESSION_EXPIRED);
        assertCode(failure(s.resume(second.token())), ErrorCode.SESSION_EXPIRED);
        await(s.resume(bob.token())); // other accounts keep theirs
        await(s.login("Alice", PASSWORD)); // and the password still works
    }
}

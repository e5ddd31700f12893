package mmo.server.account;

import mmo.protocol.ErrorCode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static mmo.server.account.AccountFutures.await;
import static mmo.server.account.AccountFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bot fleet's fast login: only with the flag, only with the key, only for accounts it created. */
class BotFleetTest {
    private static final TileMap MAP = TileMap.loadResource("maps/test.tmj");
    private static final String KEY = "0123456789abcdef-bots";

    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);

    private final MutableClock clock = new MutableClock();
    private final ExecutorService worker = Executors.newFixedThreadPool(2);
    private final PasswordHasher hasher = new PasswordHasher(64, 1, 1);
    private Database db;

    @AfterEach
    void stopWorker() throws InterruptedException {
        worker.shutdownNow();
        assertThat(worker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A service on the one database of this test, with the fleet on (the key) or off (null). */
    private AccountService service(String key) {
        if (db == null) db = dbs.open(Backend.SQLITE);
        BotFleet fleet = key == null ? BotFleet.disabled() : BotFleet.of(key, "random", MAP);
        return new AccountService(new AccountRepository(db, clock), new CharacterRepository(db, clock),
                new SessionRepository(db, clock), hasher, new MapStartPoints(MAP), "Testland", worker,
                Duration.ofHours(1), fleet);
    }

    @Test
    void botLoginWithTheKeyCreatesTheAccountOnceAndReusesIt() {
        AccountService s = service(KEY);
        LoginResult first = await(s.login("bot17", KEY));
        assertThat(first.account().username()).isEqualTo("bot17");
        assertThat(first.account().passwordHash()).isEqualTo(BotFleet.BOT_HASH);
        LoginResult again = await(s.login("bot17", KEY));
        assertThat(again.account().id()).isEqualTo(first.account().id());
        assertThat(again.token()).isNotEqualTo(first.token());
    }

    @Test
    void wrongKeyOrNonBotNameIsBadCredentials() {
        AccountService s = service(KEY);
        await(s.login("bot1", KEY));
        assertThat(failure(s.login("bot1", KEY + "x")).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        assertThat(failure(s.login("bot2", "not-the-key-at-all")).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        // Not bot<1-7 digits>: no account is created by the key.
        assertThat(failure(s.login("robot1", KEY)).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        assertThat(failure(s.login("bot12345678", KEY)).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        assertThat(failure(s.login("Bot3", KEY)).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
    }

    @Test
    void withoutTheFlagTheKeyOpensNothing() {
        await(service(KEY).login("bot1", KEY));
        AccountService off = service(null);
        // Neither the bot account the fleet made earlier nor a new one.
        assertThat(failure(off.login("bot1", KEY)).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        assertThat(failure(off.login("bot2", KEY)).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        // The marker is not a hash: no password verifies against it.
        assertThat(failure(off.login("bot1", BotFleet.BOT_HASH)).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        assertThat(failure(off.login("bot1", "")).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
    }

    @Test
    void botNamesAreReservedFromRegistrationWithTheFlagOnOrOff() {
        for (AccountService s : new AccountService[]{service(null), service(KEY)}) {
            for (String name : new String[]{"bot5", "BOT12", "Bot9999999"}) {
                assertThat(failure(s.register(name, "real password 5")).code()).as(name).isEqualTo(ErrorCode.INVALID_NAME);
            }
        }
        assertThat(BotFleet.isReservedName("bottle")).isFalse();
        assertThat(BotFleet.isReservedName("bot12345678")).isFalse(); // beyond the fleet's range
        await(service(null).register("bottle", "real password 5"));
    }

    /** An account named like a bot from before the names were reserved (made here directly). */
    @Test
    void aRealAccountWithABotNameIsNotOpenedByTheKey() {
        AccountService off = service(null);
        new AccountRepository(db, clock).create("bot5", hasher.hash("real password 5"));
        AccountService on = service(KEY);
        assertThat(failure(on.login("bot5", KEY)).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        // Its owner still logs in normally, with the flag on or off.
        assertThat(await(on.login("bot5", "real password 5")).account().passwordHash()).startsWith("$argon2id$");
        await(off.login("bot5", "real password 5"));
    }

    @Test
    void realAccountsStillHashWithTheFlagOn() {
        AccountService on = service(KEY);
        await(on.register("Alice", "alice password"));
        await(on.login("Alice", "alice password"));
        assertThat(failure(on.login("Alice", KEY)).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
    }

    @Test
    void spawnSettings() {
        assertThat(BotFleet.parseSpawn("random")).isEqualTo(new BotFleet.Random());
        assertThat(BotFleet.parseSpawn("square:488,488,48")).isEqualTo(new BotFleet.Square(488, 488, 48));
        assertThatThrownBy(() -> BotFleet.parseSpawn("square:1,2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BotFleet.parseSpawn("crowd")).isInstanceOf(IllegalArgumentException.class);
        BotFleet square = BotFleet.of(KEY, "square:4,4,8", MAP);
        for (int i = 0; i < 500; i++) {
            TileMap.Point p = square.spawnPoint();
            assertThat(MAP.isWalkable(p.x(), p.y())).isTrue();
            assertThat(p.x()).isBetween(4f, 12f);
            assertThat(p.y()).isBetween(4f, 12f);
        }
        BotFleet random = BotFleet.of(KEY, "random", MAP);
        for (int i = 0; i < 500; i++) {
            TileMap.Point p = random.spawnPoint();
            assertThat(MAP.isWalkable(p.x(), p.y())).isTrue();
        }
    }
}

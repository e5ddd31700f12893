package mmo.server.account;

import com.google.protobuf.UnknownFieldSet;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CreateCharacter;
import mmo.protocol.ErrorCode;
import mmo.protocol.Outfit;
import mmo.protocol.StartChoice;
import mmo.server.game.GameException;
import mmo.server.game.MapStartPoints;
import mmo.server.persistence.AccountRepository;
import mmo.server.persistence.CharacterClaim;
import mmo.server.persistence.CharacterRecord;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static mmo.server.account.AccountFutures.await;
import static mmo.server.account.AccountFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * AccountService over a real database (SQLite; PostgreSQL for a smoke test) and the test map.
 * Futures are joined with a timeout, never waited for with sleeps.
 */
class AccountServiceTest {
    private static final TileMap MAP = TileMap.loadResource("maps/test.tmj");
    private static final Duration TTL = Duration.ofHours(2);
    private static final String PASSWORD = "correct horse";

    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);

    private final MutableClock clock = new MutableClock();
    private final ExecutorService worker = Executors.newFixedThreadPool(4);
    // Cheap parameters: the tests are about the service, not Argon2's cost.
    private final PasswordHasher hasher = new PasswordHasher(64, 1, 1);
    private Database db;
    private AccountService service;

    @AfterEach
    void stopWorker() throws InterruptedException {
        worker.shutdownNow();
        assertThat(worker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private AccountService service(Backend backend) {
        return service(backend, hasher);
    }

    private AccountService service(Backend backend, PasswordHasher hasher) {
        db = dbs.open(backend);
        service = new AccountService(new AccountRepository(db, clock), new CharacterRepository(db, clock),
                new SessionRepository(db, clock), hasher, new MapStartPoints(MAP), "Testland", worker, TTL);
        return service;
    }

    private AccountService sqlite() {
        return service(Backend.SQLITE);
    }

    // ---- register / login ------------------------------------------------------------------

    @Test
    void registerThenLogin() {
        AccountService s = sqlite();
        LoginResult registered = await(s.register("Alice", PASSWORD));
        assertThat(registered.account().username()).isEqualTo("Alice");
        assertThat(registered.token()).isNotBlank();
        assertThat(registered.characters()).isEmpty();

        LoginResult login = await(s.login("Alice", PASSWORD));
        assertThat(login.account()).isEqualTo(registered.account());
        assertThat(login.token()).isNotEqualTo(registered.token()); // a session of its own
        // Both sessions work.
        assertThat(await(s.resume(registered.token())).account().id()).isEqualTo(registered.account().id());
        assertThat(await(s.resume(login.token())).account().id()).isEqualTo(registered.account().id());
    }

    @Test
    void loginIgnoresTheCaseOfTheUsername() {
        AccountService s = sqlite();
        await(s.register("Alice", PASSWORD));
        assertThat(await(s.login("aLICE", PASSWORD)).account().username()).isEqualTo("Alice");
    }

    @Test
    void loginListsTheAccountsCharacters() {
        AccountService s = sqlite();
        long id = await(s.register("Alice", PASSWORD)).account().id();
        CharacterRecord a = await(s.createCharacter(id, create("Hero", CharacterClass.MAGE)));
        CharacterRecord b = await(s.createCharacter(id, create("Sage", CharacterClass.HEALER)));
        assertThat(await(s.login("Alice", PASSWORD)).characters()).containsExactly(a, b);
        assertThat(await(s.listCharacters(id))).containsExactly(a, b);
    }

    @Test
    void wrongPasswordAndUnknownUserFailAlike() {
        AccountService s = sqlite();
        await(s.register("Alice", PASSWORD));
        GameException wrong = failure(s.login("Alice", PASSWORD + "!"));
        GameException unknown = failure(s.login("Nobody", PASSWORD));
        GameException malformed = failure(s.login("no such name", PASSWORD));
        GameException nullPassword = failure(s.login("Alice", null));

        assertThat(wrong.code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        for (GameException e : List.of(unknown, malformed, nullPassword)) {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
            assertThat(e.getMessage()).isEqualTo(wrong.getMessage());
        }
    }

    @Test
    void duplicateUsernameIgnoringCaseIsTaken() {
        AccountService s = sqlite();
        await(s.register("Alice", PASSWORD));
        assertThat(failure(s.register("ALICE", "another password")).code()).isEqualTo(ErrorCode.NAME_TAKEN);
        // The first password still logs in, the second does not.
        await(s.login("alice", PASSWORD));
        assertThat(failure(s.login("alice", "another password")).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
    }

    @Test
    void concurrentRegistrationsOfOneNameLetExactlyOneWin() throws Exception {
        AccountService s = sqlite();
        List<CompletableFuture<LoginResult>> attempts = new ArrayList<>();
        for (String name : List.of("Racer", "racer", "RACER", "rAcEr")) {
            attempts.add(s.register(name, PASSWORD));
        }
        int won = 0;
        for (CompletableFuture<LoginResult> f : attempts) {
            try {
                f.get(10, TimeUnit.SECONDS);
                won++;
            } catch (ExecutionException e) {
                assertThat(((GameException) e.getCause()).code()).isEqualTo(ErrorCode.NAME_TAKEN);
            }
        }
        assertThat(won).isEqualTo(1);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "ab", "abcdefghijklmnopq", "with space", "under_score", "dash-name", "héllo",
            "Ünïcode", "tab\tname", "emoji\uD83D\uDE00", "dot.name", "abc\u0661"})
    void invalidUsernamesAreRejected(String name) {
        AccountService s = sqlite();
        assertThat(failure(s.register(name, PASSWORD)).code()).isEqualTo(ErrorCode.INVALID_NAME);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "ABCDEFGHIJKLMNOP", "a1b2c3", "007"})
    void validUsernamesAreAccepted(String name) {
        AccountService s = sqlite();
        assertThat(await(s.register(name, PASSWORD)).account().username()).isEqualTo(name);
    }

    @Test
    void passwordRules() {
        AccountService s = sqlite();
        assertThat(failure(s.register("Short", "1234567")).code()).isEqualTo(ErrorCode.INVALID_PASSWORD);
        assertThat(failure(s.register("Empty", "")).code()).isEqualTo(ErrorCode.INVALID_PASSWORD);
        assertThat(failure(s.register("Null", null)).code()).isEqualTo(ErrorCode.INVALID_PASSWORD);
        assertThat(failure(s.register("Long", "x".repeat(129))).code()).isEqualTo(ErrorCode.INVALID_PASSWORD);
        await(s.register("Eight", "12345678"));
        await(s.register("Max", "x".repeat(128)));
        // Lengths count characters, not UTF-16 units or bytes: eight emoji are eight characters.
        String emoji = "\uD83D\uDE00".repeat(8);
        await(s.register("Emoji", emoji));
        await(s.login("Emoji", emoji));
        assertThat(failure(s.register("Emoji7", "\uD83D\uDE00".repeat(7))).code())
                .isEqualTo(ErrorCode.INVALID_PASSWORD);
        // Invalid name is reported before a bad password.
        assertThat(failure(s.register("x", "short")).code()).isEqualTo(ErrorCode.INVALID_NAME);
    }

    @Test
    void passwordsAreStoredAsArgon2idHashes() throws SQLException {
        AccountService s = service(Backend.SQLITE, new PasswordHasher()); // the real settings
        await(s.register("Alice", PASSWORD));
        await(s.register("Bob", PASSWORD));

        String alice = storedHash("Alice");
        String bob = storedHash("Bob");
        assertThat(alice).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain(PASSWORD);
        assertThat(alice.split("\\$")).hasSize(6);
        assertThat(bob).isNotEqualTo(alice); // salted
        assertThat(new PasswordHasher().verify(PASSWORD, alice)).isTrue();
        assertThat(new PasswordHasher().verify("wrong", alice)).isFalse();
        await(s.login("Alice", PASSWORD));
    }

    // ---- sessions ----------------------------------------------------------------------------

    @Test
    void resumeWithAValidTokenLogsInAgain() {
        AccountService s = sqlite();
        LoginResult reg = await(s.register("Alice", PASSWORD));
        CharacterRecord hero = await(s.createCharacter(reg.account().id(), create("Hero", CharacterClass.WARRIOR)));
        clock.advance(TTL.minusSeconds(1));
        LoginResult resumed = await(s.resume(reg.token()));
        assertThat(resumed.account()).isEqualTo(reg.account());
        assertThat(resumed.token()).isEqualTo(reg.token());
        assertThat(resumed.characters()).containsExactly(hero);
    }

    @Test
    void resumeWithAnExpiredUnknownOrRevokedTokenFails() {
        AccountService s = sqlite();
        String expiring = await(s.register("Alice", PASSWORD)).token();
        String loggedOut = await(s.login("Alice", PASSWORD)).token();

        await(s.logout(loggedOut));
        assertThat(failure(s.resume(loggedOut)).code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
        assertThat(failure(s.resume("made-up-token")).code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
        assertThat(failure(s.resume("")).code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
        assertThat(failure(s.resume(null)).code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
        assertThat(failure(s.resume("x".repeat(10_000))).code()).isEqualTo(ErrorCode.SESSION_EXPIRED);

        await(s.resume(expiring));
        clock.advance(TTL);
        assertThat(failure(s.resume(expiring)).code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
        // A fresh login still works after the old session expired.
        await(s.resume(await(s.login("Alice", PASSWORD)).token()));
    }

    @Test
    void logoutOfUnknownTokensIsNotAnError() {
        AccountService s = sqlite();
        await(s.logout("never-issued"));
        await(s.logout(""));
        await(s.logout(null));
    }

    // ---- characters --------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = CharacterClass.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
    void homeStartIsInsideTheClassHomeArea(CharacterClass cls) {
        AccountService s = sqlite();
        long id = await(s.register("Alice", PASSWORD)).account().id();
        TileMap.SpawnArea home = MAP.home(cls);
        assertThat(home.kind()).isEqualTo("home");
        assertThat(home.characterClass()).isEqualTo(cls);
        for (int i = 0; i < 8; i++) {
            CharacterRecord c = await(s.createCharacter(id, create("Home" + i, cls, StartChoice.START_HOME)));
            assertThat(home.contains(c.x(), c.y())).as("%s at %s,%s in %s", cls, c.x(), c.y(), home).isTrue();
            assertThat(MAP.isWalkable(c.x(), c.y())).isTrue();
            assertThat(c.characterClass()).isEqualTo(cls.getNumber());
            assertThat(c.world()).isEqualTo("Testland");
        }
    }

    @Test
    void randomStartIsInsideASafeArea() {
        AccountService s = sqlite();
        List<TileMap.SpawnArea> safe = MAP.spawnAreas().stream().filter(a -> a.kind().equals("safe")).toList();
        assertThat(safe).isNotEmpty();
        List<Long> accounts = new ArrayList<>();
        for (int a = 0; a < 3; a++) accounts.add(await(s.register("Player" + a, PASSWORD)).account().id());
        for (int i = 0; i < 24; i++) {
            CharacterRecord c = await(s.createCharacter(accounts.get(i / 8),
                    create("Rand" + i, CharacterClass.forNumber(i % 4), StartChoice.START_RANDOM)));
            assertThat(safe).as("%s,%s", c.x(), c.y()).anySatisfy(area ->
                    assertThat(area.contains(c.x(), c.y())).isTrue());
            assertThat(MAP.isWalkable(c.x(), c.y())).isTrue();
        }
    }

    @Test
    void characterNamesAreValidated() {
        AccountService s = sqlite();
        long id = await(s.register("Alice", PASSWORD)).account().id();
        for (String bad : List.of("", "ab", "abcdefghijklmnopq", "two words", "x_y", "héllo")) {
            assertThat(failure(s.createCharacter(id, create(bad, CharacterClass.WARRIOR))).code())
                    .as(bad).isEqualTo(ErrorCode.INVALID_NAME);
        }
        assertThat(await(s.listCharacters(id))).isEmpty();
    }

    @Test
    void takenCharacterNamesIgnoreCaseAndAccounts() {
        AccountService s = sqlite();
        long alice = await(s.register("Alice", PASSWORD)).account().id();
        long bob = await(s.register("Bob", PASSWORD)).account().id();
        await(s.createCharacter(alice, create("Hero", CharacterClass.WARRIOR)));
        assertThat(failure(s.createCharacter(alice, create("hero", CharacterClass.MAGE))).code())
                .isEqualTo(ErrorCode.NAME_TAKEN);
        assertThat(failure(s.createCharacter(bob, create("HERO", CharacterClass.MAGE))).code())
                .isEqualTo(ErrorCode.NAME_TAKEN);
        // A character may share its name with an account: they are different namespaces.
        await(s.createCharacter(bob, create("Alice", CharacterClass.MAGE)));
    }

    @Test
    void tooManyCharacters() {
        AccountService s = sqlite();
        long id = await(s.register("Alice", PASSWORD)).account().id();
        for (int i = 0; i < AccountService.MAX_CHARACTERS_PER_ACCOUNT; i++) {
            await(s.createCharacter(id, create("Char" + i, CharacterClass.WARRIOR)));
        }
        assertThat(failure(s.createCharacter(id, create("OneTooMany", CharacterClass.WARRIOR))).code())
                .isEqualTo(ErrorCode.TOO_MANY_CHARACTERS);
        assertThat(await(s.listCharacters(id))).hasSize(AccountService.MAX_CHARACTERS_PER_ACCOUNT);
    }

    @Test
    void badClassStartOrAppearanceIsABadRequest() {
        AccountService s = sqlite();
        long id = await(s.register("Alice", PASSWORD)).account().id();
        CreateCharacter ok = create("Hero", CharacterClass.WARRIOR);
        List<CreateCharacter> bad = List.of(
                ok.toBuilder().setCharacterClassValue(99).build(),
                ok.toBuilder().setStartValue(7).build(),
                ok.toBuilder().setAppearance(Appearance.newBuilder().setBody(2)).build(),
                ok.toBuilder().setAppearance(Appearance.newBuilder().setHairStyle(4)).build(),
                ok.toBuilder().setAppearance(Appearance.newBuilder().setSkinColor(0x1000000)).build(),
                ok.toBuilder().setAppearance(Appearance.newBuilder().setHairColor(-1)).build(), // uint32 max
                ok.toBuilder().setAppearance(Appearance.newBuilder().setOutfit(Outfit.newBuilder().setHat(3))).build(),
                ok.toBuilder().setAppearance(Appearance.newBuilder()
                        .setOutfit(Outfit.newBuilder().setShoesColor(0x1000000))).build());
        for (CreateCharacter req : bad) {
            assertThat(failure(s.createCharacter(id, req)).code()).as(req.toString()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
        assertThat(await(s.listCharacters(id))).isEmpty();
        await(s.createCharacter(id, ok));
    }

    @Test
    void appearanceRoundTripsThroughTheDatabase() {
        AccountService s = sqlite();
        long id = await(s.register("Alice", PASSWORD)).account().id();
        Appearance look = Appearance.newBuilder().setBody(1).setSkinColor(0xFFFFFF).setHairColor(0x123456)
                .setHairStyle(3).setOutfit(Outfit.newBuilder().setTop(2).setTopColor(0xABCDEF).setBottom(1)
                        .setBottomColor(1).setShoesColor(0).setHat(2).setHatColor(0xFF0000)).build();
        CharacterRecord c = await(s.createCharacter(id, create("Dressed", CharacterClass.RANGER).toBuilder()
                .setAppearance(look).build()));
        CharacterRecord loaded = await(s.loadCharacter(id, c.id())).character();
        assertThat(AccountService.appearance(loaded)).isEqualTo(look);
        assertThat(AccountService.toSummary(loaded).getAppearance()).isEqualTo(look);
        assertThat(AccountService.toSummary(loaded).getCharacterClass()).isEqualTo(CharacterClass.RANGER);
    }

    @Test
    void unknownAppearanceFieldsAreNotStored() throws Exception {
        AccountService s = sqlite();
        long id = await(s.register("Alice", PASSWORD)).account().id();
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build();
        Appearance withUnknown = Appearance.newBuilder().setBody(1).setUnknownFields(extra)
                .setOutfit(Outfit.newBuilder().setHat(1).setUnknownFields(extra))
                .build();
        CharacterRecord c = await(s.createCharacter(id, create("Clean", CharacterClass.WARRIOR).toBuilder()
                .setAppearance(withUnknown).build()));
        Appearance stored = Appearance.parseFrom(c.appearance());
        assertThat(stored.getUnknownFields().asMap()).isEmpty();
        assertThat(stored.getOutfit().getUnknownFields().asMap()).isEmpty();
        assertThat(stored.getBody()).isEqualTo(1);
        assertThat(stored.getOutfit().getHat()).isEqualTo(1);
    }

    @Test
    void loadCharacterOnlyGivesTheAccountsOwnCharacters() {
        AccountService s = sqlite();
        long alice = await(s.register("Alice", PASSWORD)).account().id();
        long bob = await(s.register("Bob", PASSWORD)).account().id();
        CharacterRecord hero = await(s.createCharacter(alice, create("Hero", CharacterClass.WARRIOR)));
        CharacterClaim first = await(s.loadCharacter(alice, hero.id()));
        assertThat(first.character()).isEqualTo(hero);
        assertThat(failure(s.loadCharacter(bob, hero.id())).code()).isEqualTo(ErrorCode.NO_SUCH_CHARACTER);
        assertThat(failure(s.loadCharacter(alice, hero.id() + 1000)).code()).isEqualTo(ErrorCode.NO_SUCH_CHARACTER);
        // Each entry claims the character anew; Bob's attempt claimed nothing.
        assertThat(await(s.loadCharacter(alice, hero.id())).epoch()).isEqualTo(first.epoch() + 1);
    }

    // ---- failures ----------------------------------------------------------------------------

    @Test
    void databaseFailuresBecomeServerErrorWithoutDetails() {
        AccountService s = sqlite();
        LoginResult reg = await(s.register("Alice", PASSWORD));
        db.close();
        for (CompletableFuture<?> f : List.of(s.register("Bob", PASSWORD), s.login("Alice", PASSWORD),
                s.resume(reg.token()), s.createCharacter(reg.account().id(), create("Hero", CharacterClass.MAGE)),
                s.listCharacters(reg.account().id()))) {
            GameException e = failure(f);
            assertThat(e.code()).isEqualTo(ErrorCode.SERVER_ERROR);
            assertThat(e.getMessage()).doesNotContainIgnoringCase("sql").doesNotContainIgnoringCase("closed");
        }
    }

    @Test
    void aRejectingExecutorGivesServerError() {
        AccountService s = sqlite();
        worker.shutdown();
        assertThat(failure(s.login("Alice", PASSWORD)).code()).isEqualTo(ErrorCode.SERVER_ERROR);
    }

    // ---- PostgreSQL smoke ----------------------------------------------------------------------

    @Test
    void postgresSmoke() {
        AccountService s = service(Backend.POSTGRES);
        LoginResult reg = await(s.register("Alice", PASSWORD));
        assertThat(failure(s.register("alice", PASSWORD)).code()).isEqualTo(ErrorCode.NAME_TAKEN);
        assertThat(failure(s.login("Alice", "wrong password")).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        long id = await(s.login("ALICE", PASSWORD)).account().id();
        CharacterRecord hero = await(s.createCharacter(id, create("Hero", CharacterClass.HEALER)));
        assertThat(MAP.home(CharacterClass.HEALER).contains(hero.x(), hero.y())).isTrue();
        assertThat(failure(s.createCharacter(id, create("HERO", CharacterClass.MAGE))).code())
                .isEqualTo(ErrorCode.NAME_TAKEN);
        assertThat(await(s.resume(reg.token())).characters()).containsExactly(hero);
        await(s.logout(reg.token()));
        assertThat(failure(s.resume(reg.token())).code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static CreateCharacter create(String name, CharacterClass cls) {
        return create(name, cls, StartChoice.START_HOME);
    }

    private static CreateCharacter create(String name, CharacterClass cls, StartChoice start) {
        return CreateCharacter.newBuilder().setName(name).setCharacterClass(cls).setStart(start)
                .setAppearance(Appearance.newBuilder().setBody(1).setHairStyle(2)
                        .setOutfit(Outfit.newBuilder().setTop(1).setTopColor(0x336699)))
                .build();
    }

    private String storedHash(String username) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT password_hash FROM accounts WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}

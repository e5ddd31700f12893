package mmo.server.persistence;

import mmo.server.persistence.TestDatabases.Backend;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The characters table on SQLite and PostgreSQL. */
class CharacterRepositoryTest {
    private static final byte[] LOOK = {8, 1, 16, 42};

    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);
    private final MutableClock clock = new MutableClock();

    private Database db;
    private AccountRepository accounts;
    private CharacterRepository characters;

    private void open(Backend backend) {
        db = dbs.open(backend);
        accounts = new AccountRepository(db, clock);
        characters = new CharacterRepository(db, clock);
    }

    private long account(String name) {
        return accounts.create(name, "hash").id();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void createsListsAndFindsCharacters(Backend backend) {
        open(backend);
        long alice = account("Alice");
        long bob = account("Bob");
        CharacterRecord hero = characters.create(alice, "Hero", 0, LOOK, "Testland", 5.5f, 6.5f);
        clock.advance(Duration.ofSeconds(1));
        CharacterRecord sage = characters.create(alice, "Sage", 1, LOOK, "Testland", 7.5f, 8.5f);
        CharacterRecord other = characters.create(bob, "Other", 2, LOOK, "Elsewhere", 1.5f, 2.5f);

        assertThat(hero.accountId()).isEqualTo(alice);
        assertThat(hero.name()).isEqualTo("Hero");
        assertThat(hero.characterClass()).isZero();
        assertThat(hero.world()).isEqualTo("Testland");
        assertThat(hero.x()).isEqualTo(5.5f);
        assertThat(hero.y()).isEqualTo(6.5f);
        assertThat(sage.createdAt()).isEqualTo(clock.instant());
        assertThat(List.of(hero.id(), sage.id(), other.id())).doesNotHaveDuplicates();

        assertThat(characters.listByAccount(alice)).containsExactly(hero, sage); // oldest first
        assertThat(characters.listByAccount(bob)).containsExactly(other);
        assertThat(characters.listByAccount(bob + 1000)).isEmpty();
        assertThat(characters.countByAccount(alice)).isEqualTo(2);
        assertThat(characters.countByAccount(bob + 1000)).isZero();
        assertThat(characters.findById(sage.id())).contains(sage);
        assertThat(characters.findById(other.id() + 1000)).isEmpty();
        assertThat(characters.findByName("sAGE")).contains(sage);
        assertThat(characters.findByName("Nobody")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void characterNamesAreUniqueIgnoringCaseAcrossAccounts(Backend backend) {
        open(backend);
        long alice = account("Alice");
        long bob = account("Bob");
        CharacterRecord hero = characters.create(alice, "Hero", 0, LOOK, "Testland", 1, 1);

        assertThatThrownBy(() -> characters.create(alice, "HERO", 0, LOOK, "Testland", 1, 1))
                .isInstanceOf(NameTakenException.class);
        assertThatThrownBy(() -> characters.create(bob, "hero", 0, LOOK, "Testland", 1, 1, 8))
                .isInstanceOf(NameTakenException.class)
                .satisfies(e -> assertThat(((NameTakenException) e).name()).isEqualTo("hero"));
        assertThat(characters.listByAccount(alice)).containsExactly(hero);
        assertThat(characters.listByAccount(bob)).isEmpty();
        // A failed creation leaves nothing behind that would block other names.
        characters.create(bob, "Heroine", 0, LOOK, "Testland", 1, 1, 8);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void perAccountLimitIsEnforced(Backend backend) {
        open(backend);
        long alice = account("Alice");
        long bob = account("Bob");
        for (int i = 0; i < 3; i++) {
            characters.create(alice, "Alice" + i, 0, LOOK, "Testland", 1, 1, 3);
        }
        assertThatThrownBy(() -> characters.create(alice, "Alice3", 0, LOOK, "Testland", 1, 1, 3))
                .isInstanceOf(TooManyCharactersException.class);
        assertThat(characters.countByAccount(alice)).isEqualTo(3);
        assertThat(characters.findByName("Alice3")).isEmpty();
        // The limit is per account, and the unlimited overload ignores it.
        characters.create(bob, "Bob0", 0, LOOK, "Testland", 1, 1, 3);
        characters.create(alice, "Alice3", 0, LOOK, "Testland", 1, 1);
        assertThat(characters.countByAccount(alice)).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentCreationsCannotExceedTheLimit(Backend backend) throws Exception {
        open(backend);
        long alice = account("Alice");
        int threads = 8;
        Concurrently.Outcome<CharacterRecord> out = Concurrently.run(threads,
                i -> characters.create(alice, "Racer" + i, 0, LOOK, "Testland", 1, 1, 3), Duration.ofSeconds(30));

        assertThat(out.successes()).hasSize(3);
        assertThat(out.failures()).hasSize(threads - 3).allMatch(e -> e instanceof TooManyCharactersException);
        assertThat(characters.countByAccount(alice)).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentCreationsOfOneNameLetExactlyOneWin(Backend backend) throws Exception {
        open(backend);
        int threads = 6;
        List<Long> owners = new ArrayList<>();
        for (int i = 0; i < threads; i++) owners.add(account("Player" + i));
        Concurrently.Outcome<CharacterRecord> out = Concurrently.run(threads,
                i -> characters.create(owners.get(i), i % 2 == 0 ? "Duel" : "DUEL", 0, LOOK, "Testland", 1, 1, 8),
                Duration.ofSeconds(30));

        assertThat(out.successes()).hasSize(1);
        assertThat(out.failures()).hasSize(threads - 1).allMatch(e -> e instanceof NameTakenException);
        CharacterRecord winner = out.successes().get(0);
        assertThat(characters.findByName("duel")).contains(winner);
        for (long owner : owners) {
            assertThat(characters.countByAccount(owner)).isEqualTo(owner == winner.accountId() ? 1 : 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void appearanceBytesRoundTrip(Backend backend) {
        open(backend);
        long alice = account("Alice");
        byte[] every = new byte[256];
        for (int i = 0; i < every.length; i++) every[i] = (byte) i;
        byte[] original = every.clone();

        CharacterRecord all = characters.create(alice, "Bytes", 0, every, "Testland", 1, 1);
        every[0] = 99; // the record took a copy
        CharacterRecord empty = characters.create(alice, "Empty", 0, new byte[0], "Testland", 1, 1);

        assertThat(all.appearance()).isEqualTo(original);
        assertThat(characters.findById(all.id()).orElseThrow().appearance()).isEqualTo(original);
        assertThat(characters.findByName("empty").orElseThrow().appearance()).isEmpty();
        assertThat(characters.listByAccount(alice)).containsExactly(all, empty);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void unknownAccountIsRejectedByTheForeignKey(Backend backend) {
        open(backend);
        assertThatThrownBy(() -> characters.create(12345, "Orphan", 0, LOOK, "Testland", 1, 1))
                .isInstanceOf(PersistenceException.class);
        assertThatThrownBy(() -> characters.create(12345, "Orphan", 0, LOOK, "Testland", 1, 1, 8))
                .isInstanceOf(PersistenceException.class);
        assertThat(characters.findByName("Orphan")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void saveStatesUpdatesPositions(Backend backend) {
        open(backend);
        long alice = account("Alice");
        CharacterRecord a = characters.create(alice, "Walker", 0, LOOK, "Testland", 1.5f, 1.5f);
        CharacterRecord b = characters.create(alice, "Runner", 0, LOOK, "Testland", 2.5f, 2.5f);
        CharacterRecord c = characters.create(alice, "Sitter", 0, LOOK, "Testland", 3.5f, 3.5f);

        characters.saveStates(List.of(
                new CharacterState(a.id(), 0, "Testland", 10.125f, 20.875f),
                new CharacterState(b.id(), 0, "Elsewhere", 63.99f, 0.01f)));

        CharacterRecord a2 = characters.findById(a.id()).orElseThrow();
        CharacterRecord b2 = characters.findById(b.id()).orElseThrow();
        assertThat(a2.x()).isEqualTo(10.125f);
        assertThat(a2.y()).isEqualTo(20.875f);
        assertThat(b2.world()).isEqualTo("Elsewhere");
        assertThat(b2.x()).isEqualTo(63.99f); // REAL keeps every float exactly
        assertThat(b2.y()).isEqualTo(0.01f);
        assertThat(a2.name()).isEqualTo("Walker");
        assertThat(a2.appearance()).isEqualTo(LOOK);
        assertThat(a2.createdAt()).isEqualTo(a.createdAt());
        assertThat(characters.findById(c.id())).contains(c);

        // Later saves win.
        characters.saveStates(List.of(new CharacterState(a.id(), 0, "Testland", 11f, 21f)));
        assertThat(characters.findById(a.id()).orElseThrow().x()).isEqualTo(11f);
        characters.saveStates(List.of()); // nothing to do
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void savingAnUnknownOrDeletedCharacterCreatesNothing(Backend backend) throws SQLException {
        open(backend);
        long alice = account("Alice");
        CharacterRecord kept = characters.create(alice, "Kept", 0, LOOK, "Testland", 1, 1);
        CharacterRecord gone = characters.create(alice, "Gone", 0, LOOK, "Testland", 1, 1);
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM characters WHERE id = ?")) {
            ps.setLong(1, gone.id());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }

        // Missing rows are skipped, not reported as fenced.
        assertThat(characters.saveStates(List.of(
                new CharacterState(gone.id(), 0, "Testland", 9, 9),
                new CharacterState(kept.id(), 0, "Testland", 4, 5),
                new CharacterState(gone.id() + 1000, 0, "Testland", 9, 9)))).isEmpty();

        assertThat(characters.findById(gone.id())).isEmpty();
        assertThat(characters.findById(gone.id() + 1000)).isEmpty();
        assertThat(characters.listByAccount(alice)).extracting(CharacterRecord::name).containsExactly("Kept");
        assertThat(characters.findById(kept.id()).orElseThrow().x()).isEqualTo(4f);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFailingSaveWritesNothing(Backend backend) {
        open(backend);
        long alice = account("Alice");
        CharacterRecord a = characters.create(alice, "First", 0, LOOK, "Testland", 1, 1);
        CharacterRecord b = characters.create(alice, "Second", 0, LOOK, "Testland", 2, 2);

        // The world column is NOT NULL, so the second update fails after the first one ran.
        assertThatThrownBy(() -> characters.saveStates(List.of(
                new CharacterState(a.id(), 0, "Testland", 7, 7),
                new CharacterState(b.id(), 0, null, 8, 8))))
                .isInstanceOf(PersistenceException.class);

        assertThat(characters.findById(a.id())).contains(a);
        assertThat(characters.findById(b.id())).contains(b);
        // The connection went back to the pool usable (auto-commit restored).
        characters.saveStates(List.of(new CharacterState(a.id(), 0, "Testland", 3, 3)));
        assertThat(characters.findById(a.id()).orElseThrow().x()).isEqualTo(3f);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void claimIncrementsTheEpochAndReturnsTheRecord(Backend backend) {
        open(backend);
        long alice = account("Alice");
        long bob = account("Bob");
        CharacterRecord hero = characters.create(alice, "Hero", 0, LOOK, "Testland", 5.5f, 6.5f);
        assertThat(epochOf(hero.id())).isZero();

        CharacterClaim first = characters.claim(hero.id()).orElseThrow();
        assertThat(first.epoch()).isEqualTo(1);
        assertThat(first.character()).isEqualTo(hero);
        assertThat(characters.claim(hero.id(), alice).orElseThrow().epoch()).isEqualTo(2);
        assertThat(epochOf(hero.id())).isEqualTo(2);

        // Someone else's or a missing character: nothing claimed, nothing changed.
        assertThat(characters.claim(hero.id(), bob)).isEmpty();
        assertThat(characters.claim(hero.id() + 1000)).isEmpty();
        assertThat(characters.claim(hero.id() + 1000, alice)).isEmpty();
        assertThat(epochOf(hero.id())).isEqualTo(2);
        assertThat(characters.findById(hero.id())).contains(hero);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentClaimsEachGetTheirOwnEpoch(Backend backend) throws Exception {
        open(backend);
        CharacterRecord hero = characters.create(account("Alice"), "Hero", 0, LOOK, "Testland", 1, 1);
        int threads = 8;
        Concurrently.Outcome<CharacterClaim> out = Concurrently.run(threads,
                i -> characters.claim(hero.id()).orElseThrow(), Duration.ofSeconds(30));

        assertThat(out.failures()).isEmpty();
        assertThat(out.successes()).extracting(CharacterClaim::epoch)
                .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(epochOf(hero.id())).isEqualTo(threads);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSaveWithTheCurrentEpochIsWritten(Backend backend) {
        open(backend);
        CharacterRecord hero = characters.create(account("Alice"), "Hero", 0, LOOK, "Testland", 1, 1);
        long epoch = characters.claim(hero.id()).orElseThrow().epoch();

        assertThat(characters.saveStates(List.of(new CharacterState(hero.id(), epoch, "Elsewhere", 7.5f, 8.5f))))
                .isEmpty();

        CharacterRecord saved = characters.findById(hero.id()).orElseThrow();
        assertThat(saved.world()).isEqualTo("Elsewhere");
        assertThat(saved.x()).isEqualTo(7.5f);
        assertThat(saved.y()).isEqualTo(8.5f);
        assertThat(epochOf(hero.id())).isEqualTo(epoch); // saving does not claim
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSaveWithAStaleEpochIsRejectedAndTheRowIsUnchanged(Backend backend) throws SQLException {
        open(backend);
        CharacterRecord hero = characters.create(account("Alice"), "Hero", 0, LOOK, "Testland", 1, 1);
        long mine = characters.claim(hero.id()).orElseThrow().epoch();
        characters.saveStates(List.of(new CharacterState(hero.id(), mine, "Testland", 2, 2)));
        long theirs = characters.claim(hero.id()).orElseThrow().epoch(); // another node takes over
        CharacterRecord before = characters.findById(hero.id()).orElseThrow();
        long updatedBefore = longColumn(hero.id(), "updated_at");
        clock.advance(Duration.ofSeconds(5));

        CharacterState stale = new CharacterState(hero.id(), mine, "Elsewhere", 9, 9);
        CharacterState ahead = new CharacterState(hero.id(), theirs + 1, "Elsewhere", 9, 9); // never claimed
        assertThat(characters.saveStates(List.of(stale))).containsExactly(new FencedSave(stale, theirs));
        assertThat(characters.saveStates(List.of(ahead))).containsExactly(new FencedSave(ahead, theirs));

        assertThat(characters.findById(hero.id())).contains(before);
        assertThat(before.x()).isEqualTo(2f);
        assertThat(longColumn(hero.id(), "updated_at")).isEqualTo(updatedBefore);
        assertThat(epochOf(hero.id())).isEqualTo(theirs);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBatchMixingStaleAndCurrentEpochsSavesTheCurrentOnes(Backend backend) {
        open(backend);
        long alice = account("Alice");
        CharacterRecord a = characters.create(alice, "Kept", 0, LOOK, "Testland", 1, 1);
        CharacterRecord b = characters.create(alice, "Lost", 0, LOOK, "Testland", 2, 2);
        CharacterRecord c = characters.create(alice, "Also", 0, LOOK, "Testland", 3, 3);
        long ea = characters.claim(a.id()).orElseThrow().epoch();
        long eb = characters.claim(b.id()).orElseThrow().epoch();
        long ec = characters.claim(c.id()).orElseThrow().epoch();
        long newer = characters.claim(b.id()).orElseThrow().epoch();

        CharacterState staleB = new CharacterState(b.id(), eb, "Testland", 20, 20);
        List<FencedSave> fenced = characters.saveStates(List.of(
                new CharacterState(a.id(), ea, "Testland", 10, 10),
                staleB,
                new CharacterState(c.id(), ec, "Testland", 30, 30)));

        assertThat(fenced).containsExactly(new FencedSave(staleB, newer));
        assertThat(characters.findById(a.id()).orElseThrow().x()).isEqualTo(10f);
        assertThat(characters.findById(b.id())).contains(b);
        assertThat(characters.findById(c.id()).orElseThrow().x()).isEqualTo(30f);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void saveServiceFailsFencedStatesWithFencedExceptionAndSavesTheRest(Backend backend) throws Exception {
        open(backend);
        long alice = account("Alice");
        CharacterRecord a = characters.create(alice, "Kept", 0, LOOK, "Testland", 1, 1);
        CharacterRecord b = characters.create(alice, "Lost", 0, LOOK, "Testland", 2, 2);
        long ea = characters.claim(a.id()).orElseThrow().epoch();
        long eb = characters.claim(b.id()).orElseThrow().epoch();
        characters.claim(b.id());
        SaveService saves = new SaveService(characters);
        try {
            Throwable err = saves.save(List.of(
                    new CharacterState(a.id(), ea, "Testland", 10, 10),
                    new CharacterState(b.id(), eb, "Testland", 20, 20))).handle((ok, e) -> e).get();
            FencedException fenced = FencedException.in(err);
            assertThat(fenced).isNotNull();
            assertThat(fenced.characterIds()).containsExactly(b.id());
            assertThat(fenced.rejected().get(0).currentEpoch()).isEqualTo(eb + 1);
            // A save with nothing stale completes normally.
            saves.save(List.of(new CharacterState(a.id(), ea, "Testland", 11, 11))).get();
        } finally {
            saves.close();
        }
        assertThat(characters.findById(a.id()).orElseThrow().x()).isEqualTo(11f);
        assertThat(characters.findById(b.id())).contains(b);
    }

    private long epochOf(long characterId) {
        try {
            return longColumn(characterId, "epoch");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private long longColumn(long characterId, String column) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM characters WHERE id = ?")) {
            ps.setLong(1, characterId);
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getLong(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void recordsReadTwiceAreEqual(Backend backend) {
        open(backend);
        CharacterRecord c = characters.create(account("Alice"), "Twice", 3, LOOK, "Testland", 1, 1);
        CharacterRecord r1 = characters.findById(c.id()).orElseThrow();
        CharacterRecord r2 = characters.findById(c.id()).orElseThrow();
        assertThat(r1).isEqualTo(r2).hasSameHashCodeAs(r2);
        assertThat(Arrays.equals(r1.appearance(), LOOK)).isTrue();
        assertThat(r1.toString()).contains("Twice").contains(LOOK.length + " bytes");
    }
}

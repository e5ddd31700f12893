package mmo.server.persistence;

import mmo.server.persistence.Ledger.ItemMove;
import mmo.server.persistence.Ledger.NewItem;
import mmo.server.persistence.TestDatabases.Backend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static mmo.server.persistence.ItemPlace.BAG;
import static mmo.server.persistence.ItemPlace.WORN;
import static org.assertj.core.api.Assertions.assertThat;

/** The Ledger's database thread: submission order, never blocking the caller, surviving failures. */
class LedgerServiceTest {
    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);

    private Database db;
    private CharacterRepository characters;
    private InventoryRepository inventory;
    private LedgerService ledger;

    record Hero(long id, long epoch) {
    }

    private void open(String url) {
        db = dbs.open(url);
        characters = new CharacterRepository(db);
        inventory = new InventoryRepository(db);
        ledger = new LedgerService(inventory);
    }

    @AfterEach
    void closeLedger() throws InterruptedException {
        if (ledger != null) ledger.close();
    }

    private Hero hero(String name) {
        long account = new AccountRepository(db).create(name, "hash").id();
        long id = characters.create(account, name, 0, new byte[0], "Testland", 1, 1).id();
        return new Hero(id, characters.claim(id).orElseThrow().epoch());
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** What a future failed with (unwrapped), or null if it succeeded. */
    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void changesApplyInTheOrderTheyWereSubmitted(Backend backend) throws Exception {
        open(dbs.freshUrl(backend));
        Hero a = hero("Alice");
        Hero b = hero("Bob");
        long sword = inventory.create(a.id(), a.epoch(), List.of(new NewItem("sword", BAG, 0)), 0)[0];

        // Each change needs the one before it applied: drop, pick up, drop, pick up ... and
        // progress that only ever goes up. Nothing is awaited until all are submitted.
        List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> futures = new ArrayList<>();
        Consumer<CompletableFuture<?>> track = f -> {
            int index = futures.size();
            futures.add(f);
            f.whenComplete((ok, err) -> completed.add(index));
        };
        int rounds = 40;
        for (int i = 0; i < rounds; i++) {
            track.accept(ledger.drop(a.id(), a.epoch(), sword, "Testland", i, i));
            track.accept(ledger.pickUp(b.id(), b.epoch(), sword, i));
            track.accept(ledger.move(b.id(), b.epoch(), List.of(new ItemMove(sword, WORN, 4))));
            track.accept(ledger.drop(b.id(), b.epoch(), sword, "Testland", i, i));
            track.accept(ledger.pickUp(a.id(), a.epoch(), sword, 0));
            track.accept(ledger.progress(a.id(), a.epoch(), i + 1, 100L * i));
            track.accept(ledger.addGold(b.id(), b.epoch(), i + 1));
        }
        CompletableFuture<Progress> aliceAtEnd = ledger.load(a.id());
        track.accept(aliceAtEnd);

        assertThat(await(aliceAtEnd)).isEqualTo(new Progress(rounds, 100L * (rounds - 1), 0,
                List.of(ItemRow.owned(sword, "sword", a.id(), BAG, 0))));
        for (CompletableFuture<?> f : futures) assertThat(failure(f)).isNull();
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) inOrder.add(i);
        assertThat(completed).containsExactlyElementsOf(inOrder);
        assertThat(inventory.load(b.id()).gold()).isEqualTo(rounds * (rounds + 1) / 2);
        assertThat(await(ledger.ground("Testland"))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void submittingDoesNotWaitForABusyDatabase(Backend backend) throws Exception {
        open(dbs.freshUrl(backend));
        Hero a = hero("Alice");
        CompletableFuture<Void> gold;
        CompletableFuture<Void> level;
        CompletableFuture<Progress> loaded;
        // Another writer holds Alice's row (PostgreSQL) or the database's write lock (SQLite).
        try (Connection other = db.dataSource().getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement ps = other.prepareStatement("UPDATE characters SET gold = gold WHERE id = ?")) {
                ps.setLong(1, a.id());
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            gold = ledger.addGold(a.id(), a.epoch(), 5);
            level = ledger.progress(a.id(), a.epoch(), 2, 10);
            loaded = ledger.load(a.id());
            // The calls returned although the first change cannot apply yet.
            assertThat(gold).isNotDone();
            assertThat(level).isNotDone();
            assertThat(loaded).isNotDone();
            other.commit();
            other.setAutoCommit(true);
        }
        await(gold);
        await(level);
        assertThat(await(loaded)).isEqualTo(new Progress(2, 10, 5, List.of()));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRefusedChangeFailsItsFutureAndTheNextOnesStillApply(Backend backend) throws Exception {
        open(dbs.freshUrl(backend));
        Hero a = hero("Alice");
        Hero b = hero("Bob");
        long newer = characters.claim(a.id()).orElseThrow().epoch();
        long bobs = inventory.create(b.id(), b.epoch(), List.of(new NewItem("ring", BAG, 0)), 0)[0];

        CompletableFuture<Void> fenced = ledger.addGold(a.id(), a.epoch(), 7);
        CompletableFuture<Void> conflict = ledger.drop(a.id(), newer, bobs, "Testland", 1, 1);
        CompletableFuture<Void> malformed = ledger.addGold(a.id(), newer, -3);
        CompletableFuture<long[]> created = ledger.create(a.id(), newer, List.of(new NewItem("cap", BAG, 1)), 7);

        FencedException f = FencedException.in(failure(fenced));
        assertThat(f).isNotNull();
        assertThat(f.characterIds()).containsExactly(a.id());
        assertThat(failure(conflict)).isInstanceOf(ItemConflictException.class);
        assertThat(failure(malformed)).isInstanceOf(IllegalArgumentException.class);
        long cap = await(created)[0];
        assertThat(inventory.load(a.id())).isEqualTo(new Progress(1, 0, 7, List.of(ItemRow.owned(cap, "cap", a.id(), BAG, 1))));
        assertThat(inventory.load(b.id()).items()).extracting(ItemRow::id).containsExactly(bobs);
    }

    @Test
    void aDatabaseThatGoesAwayFailsTheChangesMeanwhileAndTheLaterOnesApply() throws Exception {
        open(dbs.freshUrl(Backend.POSTGRES));
        String schema = dbs.lastSchema();
        Hero a = hero("Alice");
        inventory.addGold(a.id(), a.epoch(), 10);

        // The pool's connections search the test schema only: renamed, none of the tables exist.
        TestDatabases.postgresAdmin("ALTER SCHEMA " + schema + " RENAME TO " + schema + "_away");
        List<CompletableFuture<?>> meanwhile;
        try {
            meanwhile = List.of(ledger.addGold(a.id(), a.epoch(), 5), ledger.progress(a.id(), a.epoch(), 3, 30),
                    ledger.load(a.id()));
            for (CompletableFuture<?> f : meanwhile) {
                assertThat(failure(f)).isInstanceOf(PersistenceException.class);
            }
        } finally {
            TestDatabases.postgresAdmin("ALTER SCHEMA " + schema + "_away RENAME TO " + schema);
        }

        await(ledger.addGold(a.id(), a.epoch(), 1));
        assertThat(await(ledger.load(a.id()))).isEqualTo(new Progress(1, 0, 11, List.of()));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void closingFinishesQueuedChangesAndLaterOnesFailWithoutThrowing(Backend backend) throws Exception {
        open(dbs.freshUrl(backend));
        Hero a = hero("Alice");
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        for (int i = 1; i <= 20; i++) queued.add(ledger.addGold(a.id(), a.epoch(), i));
        ledger.close();

        for (CompletableFuture<Void> f : queued) assertThat(f).isCompleted();
        assertThat(inventory.load(a.id()).gold()).isEqualTo(210);
        CompletableFuture<Void> late = ledger.addGold(a.id(), a.epoch(), 1);
        assertThat(failure(late)).isInstanceOf(IllegalStateException.class);
        assertThat(inventory.load(a.id()).gold()).isEqualTo(210);
    }
}

package mmo.server.world;

import mmo.protocol.DisconnectReason;
import mmo.server.persistence.AccountRepository;
import mmo.server.persistence.CharacterClaim;
import mmo.server.persistence.CharacterRecord;
import mmo.server.persistence.CharacterRepository;
import mmo.server.persistence.CharacterState;
import mmo.server.persistence.Database;
import mmo.server.persistence.SaveService;
import mmo.server.persistence.TestDatabases;
import mmo.server.persistence.TestDatabases.Backend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static mmo.server.world.TestWorlds.input;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A world saving through the real {@link SaveService} into SQLite and PostgreSQL while
 * "another node" claims one of its characters straight through the repository: the world's
 * next save of it is rejected, never retried, and the player is disconnected.
 */
class FencingWorldTest {
    private static final byte[] LOOK = {};

    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);

    private SaveService saves;

    /** Waits for each save before handing it back, so the tick-stepped world sees its result at once. */
    private static final class WaitingSaver implements World.Saver {
        final World.Saver inner;
        final List<CharacterState> submitted = new ArrayList<>();

        WaitingSaver(World.Saver inner) {
            this.inner = inner;
        }

        @Override
        public CompletableFuture<Void> save(Collection<CharacterState> states) {
            submitted.addAll(states);
            CompletableFuture<Void> f = inner.save(states);
            f.handle((ok, err) -> null).join();
            return f;
        }
    }

    @AfterEach
    void closeSaves() throws InterruptedException {
        if (saves != null) saves.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCharacterClaimedByAnotherNodeIsNoLongerSavedHereAndItsPlayerIsDisconnected(Backend backend)
            throws Exception {
        Database db = dbs.open(backend);
        CharacterRepository characters = new CharacterRepository(db);
        long account = new AccountRepository(db).create("Alice", "hash").id();
        CharacterRecord alice = characters.create(account, "Alice", 0, LOOK, "Testland", 5.5f, 50.5f);
        CharacterRecord bob = characters.create(account, "Bob", 0, LOOK, "Testland", 9.5f, 50.5f);
        saves = new SaveService(characters);
        WaitingSaver saver = new WaitingSaver(saves);
        World world = TestWorlds.world(saver);

        FakeLink aliceLink = new FakeLink(), bobLink = new FakeLink();
        CharacterClaim aliceClaim = characters.claim(alice.id()).orElseThrow();
        Player a = TestWorlds.join(world, aliceClaim, aliceLink);
        Player b = TestWorlds.join(world, characters.claim(bob.id()).orElseThrow(), bobLink);
        assertThat(a.epoch()).isEqualTo(1);

        // This node saves Alice under its claim.
        input(a, 1, 1, 0);
        while (world.currentTick() < 200) world.tick();
        assertThat(characters.findById(alice.id()).orElseThrow().x()).isEqualTo(a.x());

        // Another node claims Alice and saves her somewhere else; this node has not noticed.
        CharacterClaim elsewhere = characters.claim(alice.id()).orElseThrow();
        assertThat(elsewhere.epoch()).isEqualTo(2);
        assertThat(characters.saveStates(List.of(new CharacterState(alice.id(), 2, "Testland", 40.5f, 45.5f))))
                .isEmpty();

        // This node's next save of Alice is rejected; Bob, in the same batch, is saved.
        input(a, 2, -1, 0);
        input(b, 1, 1, 0);
        while (world.currentTick() < 400) world.tick();
        CharacterRecord stored = characters.findById(alice.id()).orElseThrow();
        assertThat(stored.x()).isEqualTo(40.5f);
        assertThat(stored.y()).isEqualTo(45.5f);
        assertThat(characters.findById(bob.id()).orElseThrow().x()).isEqualTo(b.x());

        // The next tick drops her: disconnected, no longer simulated here.
        world.tick();
        assertThat(aliceLink.disconnected).isEqualTo(DisconnectReason.LOGGED_IN_ELSEWHERE);
        assertThat(bobLink.disconnected).isNull();
        assertThat(world.players()).containsExactly(b);

        // Not retried: not by the periodic save, not when her connection closes, not at shutdown.
        int submittedForAlice = count(saver.submitted, alice.id());
        world.leave(aliceLink).get();
        while (world.currentTick() < 800) world.tick();
        world.shutdown(DisconnectReason.SERVER_SHUTDOWN, "bye").handle((ok, err) -> null).get();
        assertThat(count(saver.submitted, alice.id())).isEqualTo(submittedForAlice);
        stored = characters.findById(alice.id()).orElseThrow();
        assertThat(stored.x()).isEqualTo(40.5f);
        assertThat(stored.y()).isEqualTo(45.5f);
        assertThat(characters.claim(alice.id()).orElseThrow().epoch()).isEqualTo(3); // nobody else claimed
    }

    private static int count(List<CharacterState> states, long characterId) {
        return (int) states.stream().filter(s -> s.characterId() == characterId).count();
    }
}

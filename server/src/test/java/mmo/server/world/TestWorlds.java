package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ClientMessage;
import mmo.protocol.Input;
import mmo.server.game.Chat;
import mmo.server.persistence.CharacterState;
import mmo.server.world.map.TileMap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Builds worlds for tick-stepped tests on the small test map (64 x 64, a wall at x = 20 for
 * y < 40, a block at 30..33): regions of 32, view radius 10, speed 4 at 20 Hz; by default
 * every entity in view is sent every tick ({@link InterestPolicy#EVERY_TICK}).
 */
public final class TestWorlds {
    public static final float VIEW = 10f;

    /** Records saves instead of writing them; can be told to fail. */
    public static final class RecordingSaver implements World.Saver {
        public final List<List<CharacterState>> saves = new ArrayList<>();
        public boolean fail;

        @Override
        public CompletableFuture<Void> save(Collection<CharacterState> states) {
            if (fail) return CompletableFuture.failedFuture(new IllegalStateException("database down"));
            saves.add(List.copyOf(states));
            return CompletableFuture.completedFuture(null);
        }
    }

    public static TileMap testMap() {
        return TileMap.loadResource("maps/test.tmj");
    }

    /** A world that sends everything in view every tick (exact pictures for the engine tests). */
    public static World world(RecordingSaver saver) {
        return world(saver, InterestPolicy.EVERY_TICK);
    }

    public static World world(RecordingSaver saver, InterestPolicy interest) {
        return new World("Testland", testMap(), new World.WorldSettings(20, 32, VIEW, 4f, 16, 200, interest), saver, new Chat());
    }

    private static long nextCharacter = 1;

    /** Joins a character at (x, y) on the calling (owner) thread. */
    public static Player join(World world, String name, float x, float y, FakeLink link) {
        long id = nextCharacter++;
        return world.join(new World.JoinRequest(id, id, name, CharacterClass.WARRIOR, Appearance.getDefaultInstance(),
                x, y, link, new Inbox(128), 0, CharacterSummary.newBuilder().setId(id).setName(name).build()));
    }

    public static void input(Player p, int seq, float dx, float dy) {
        if (!p.inbox().offer(ClientMessage.newBuilder().setInput(Input.newBuilder().setSeq(seq).setDx(dx).setDy(dy)).build())) {
            throw new AssertionError("inbox full");
        }
    }

    private TestWorlds() {}
}

package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ClientMessage;
import mmo.protocol.Input;
import mmo.server.game.Chat;
import mmo.server.persistence.CharacterClaim;
import mmo.server.persistence.CharacterRecord;
import mmo.server.persistence.CharacterState;
import mmo.server.persistence.FencedException;
import mmo.server.persistence.FencedSave;
import mmo.server.world.map.TileMap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Builds worlds for tick-stepped tests on the small test map (64 x 64, a wall at x = 20 for
 * y < 40, a block at 30..33): regions of 32, view radius 10, speed 4 at 20 Hz; by default
 * every entity in view is sent every tick ({@link InterestPolicy#EVERY_TICK}).
 */
public final class TestWorlds {
    public static final float VIEW = 10f;

    /**
     * Records saves instead of writing them; can be told to fail, or to reject the states of
     * some characters as fenced (the rest of such a save is recorded).
     */
    public static final class RecordingSaver implements World.Saver {
        public final List<List<CharacterState>> saves = new ArrayList<>();
        public boolean fail;
        public final Set<Long> fenced = new HashSet<>();

        @Override
        public CompletableFuture<Void> save(Collection<CharacterState> states) {
            if (fail) return CompletableFuture.failedFuture(new IllegalStateException("database down"));
            List<CharacterState> kept = new ArrayList<>();
            List<FencedSave> rejected = new ArrayList<>();
            for (CharacterState s : states) {
                if (fenced.contains(s.characterId())) rejected.add(new FencedSave(s, s.epoch() + 1));
                else kept.add(s);
            }
            if (!kept.isEmpty() || rejected.isEmpty()) saves.add(List.copyOf(kept));
            return rejected.isEmpty() ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.failedFuture(new FencedException(rejected));
        }

        /** Every state saved so far, in order. */
        public List<CharacterState> all() {
            return saves.stream().flatMap(List::stream).toList();
        }
    }

    public static TileMap testMap() {
        return TileMap.loadResource("maps/test.tmj");
    }

    /** A world that sends everything in view every tick (exact pictures for the engine tests). */
    public static World world(World.Saver saver) {
        return world(saver, InterestPolicy.EVERY_TICK);
    }

    public static World world(World.Saver saver, InterestPolicy interest) {
        return new World("Testland", testMap(), new World.WorldSettings(20, 32, VIEW, 4f, 16, 200, interest), saver, new Chat());
    }

    private static long nextCharacter = 1;

    /** Joins a character at (x, y) on the calling (owner) thread. */
    public static Player join(World world, String name, float x, float y, FakeLink link) {
        long id = nextCharacter++;
        return world.join(new World.JoinRequest(id, 0, id, name, CharacterClass.WARRIOR, Appearance.getDefaultInstance(),
                x, y, link, new Inbox(128), 0, CharacterSummary.newBuilder().setId(id).setName(name).build()));
    }

    /** Joins a claimed character where it was stored, under its claim's epoch, on the calling (owner) thread. */
    public static Player join(World world, CharacterClaim claim, FakeLink link) {
        CharacterRecord c = claim.character();
        return world.join(new World.JoinRequest(c.id(), claim.epoch(), c.accountId(), c.name(), CharacterClass.WARRIOR,
                Appearance.getDefaultInstance(), c.x(), c.y(), link, new Inbox(128), 0,
                CharacterSummary.newBuilder().setId(c.id()).setName(c.name()).build()));
    }

    public static void input(Player p, int seq, float dx, float dy) {
        if (!p.inbox().offer(ClientMessage.newBuilder().setInput(Input.newBuilder().setSeq(seq).setDx(dx).setDy(dy)).build())) {
            throw new AssertionError("inbox full");
        }
    }

    private TestWorlds() {}
}

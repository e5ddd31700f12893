package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.Emote;
import mmo.protocol.EntityEnter;
import mmo.protocol.EntityEvent;
import mmo.protocol.Outfit;
import mmo.protocol.ServerMessage;
import mmo.protocol.WorldUpdate;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static mmo.server.world.TestWorlds.input;
import static mmo.server.world.TestWorlds.join;
import static org.assertj.core.api.Assertions.assertThat;

class UpdateEncoderTest {
    static Player player(int id, String name, Emote emote, int topColor) {
        Player p = new Player(id, id, 0, id, name, CharacterClass.RANGER,
                Appearance.newBuilder().setBody(1).setSkinColor(0xC68642)
                        .setOutfit(Outfit.newBuilder().setTopColor(topColor).setHat(2)).build(),
                0, 0, new FakeLink(), new Inbox(4));
        p.lastingEmote = emote;
        return p;
    }

    /** Hand-encoded bytes decode to exactly the message protobuf's own builder describes. */
    @Test
    void roundTripsAgainstTheGeneratedClasses() throws Exception {
        SplittableRandom rnd = new SplittableRandom(42);
        UpdateEncoder enc = new UpdateEncoder();
        for (int round = 0; round < 500; round++) {
            enc.begin();
            WorldUpdate.Builder expected = WorldUpdate.newBuilder();
            int tick = rnd.nextInt(0, Integer.MAX_VALUE), ack = rnd.nextInt(0, 1 << 20), since = rnd.nextInt(0, 100);
            int x = rnd.nextInt(-100_000, 100_000), y = rnd.nextInt(-100_000, 100_000);
            float dilation = rnd.nextBoolean() ? 1f : (float) rnd.nextDouble();
            expected.setTick(tick).setAckSeq(ack).setTicksSinceAck(since).setX(x).setY(y).setTimeDilation(dilation);
            for (int i = 0, n = rnd.nextInt(0, 5); i < n; i++) {
                Player e = player(rnd.nextInt(1, 100_000), "Ünïcode" + i, rnd.nextBoolean() ? Emote.SIT : Emote.EMOTE_NONE,
                        rnd.nextInt(0, 0xFFFFFF));
                int qx = rnd.nextInt(-20_000, 20_000), qy = rnd.nextBoolean() ? 0 : rnd.nextInt(-20_000, 20_000);
                enc.enter(e, qx, qy);
                expected.addEnters(EntityEnter.newBuilder().setId(e.id).setX(qx).setY(qy).setName(e.name)
                        .setCharacterClass(e.characterClass).setAppearance(e.appearance).setEmote(e.lastingEmote)
                        .setLevel(e.level).setHealth(e.health).setMaxHealth(e.maxHealth));
            }
            for (int i = 0, n = rnd.nextInt(0, 5); i < n; i++) {
                int id = rnd.nextInt(1, 1 << 30);
                enc.leave(id);
                expected.addLeaves(id);
            }
            int id = 0, prev = 0;
            for (int i = 0, n = rnd.nextInt(0, 40); i < n; i++) {
                id += rnd.nextInt(1, 1000);
                int dx = rnd.nextInt(-64, 65), dy = rnd.nextInt(-64, 65);
                enc.move(id, dx, dy);
                expected.addMoves(id - prev).addMoves(dx).addMoves(dy);
                prev = id;
            }
            if (rnd.nextBoolean()) {
                EntityEvent ev = EntityEvent.newBuilder().setId(rnd.nextInt(1, 1000)).setEmote(Emote.DANCE).build();
                enc.event(ev.toByteArray());
                expected.addEvents(ev);
            }
            WireWriter w = enc.finish(tick, ack, since, x, y, dilation);
            ServerMessage decoded = ServerMessage.parseFrom(Arrays.copyOf(w.array(), w.size()));
            assertThat(decoded).isEqualTo(ServerMessage.newBuilder().setWorldUpdate(expected).build());
        }
    }

    @Test
    void enterFieldsAreCachedUntilTheLookOrLastingEmoteChanges() {
        Player p = player(7, "Cached", Emote.EMOTE_NONE, 0x112233);
        byte[] first = p.enterFields();
        assertThat(p.enterFields()).isSameAs(first);
        p.lastingEmote = Emote.SIT;
        byte[] sitting = p.enterFields();
        assertThat(sitting).isNotSameAs(first);
        p.appearance = p.appearance.toBuilder().setHairStyle(3).build();
        assertThat(p.enterFields()).isNotSameAs(sitting);
    }

    /**
     * A viewer that adds up the deltas it is sent knows every neighbour's position to within
     * half a quantum (1/32 unit), however long they walk: deltas are between quantized
     * positions, so rounding errors never accumulate.
     */
    @Test
    void quantizationErrorStaysBoundedOverALongWalk() {
        World world = TestWorlds.world(new TestWorlds.RecordingSaver());
        FakeLink watcherLink = new FakeLink();
        Player watcher = join(world, "Watcher", 45.5f, 45.5f, watcherLink);
        Player[] walkers = new Player[6];
        for (int i = 0; i < walkers.length; i++) walkers[i] = join(world, "Walker" + i, 42f + i, 48f, new FakeLink());
        SplittableRandom rnd = new SplittableRandom(3);
        Map<Integer, int[]> known = new HashMap<>();
        int seq = 0;
        for (int t = 0; t < 600; t++) {
            if (t % 15 == 0) {
                for (Player w : walkers) input(w, ++seq, (float) rnd.nextDouble(-1, 1), (float) rnd.nextDouble(-1, 1));
            }
            world.tick();
            WorldUpdate u = watcherLink.lastUpdate();
            for (int id : u.getLeavesList()) known.remove(id);
            for (EntityEnter e : u.getEntersList()) known.put(e.getId(), new int[]{e.getX(), e.getY()});
            int id = 0;
            for (int i = 0; i < u.getMovesCount(); i += 3) {
                id += u.getMoves(i);
                int[] pos = known.get(id);
                pos[0] += u.getMoves(i + 1);
                pos[1] += u.getMoves(i + 2);
            }
            for (Player w : walkers) {
                int[] pos = known.get(w.id());
                if (pos == null) continue;
                assertThat(Math.abs(pos[0] / 16f - w.x())).isLessThanOrEqualTo(1 / 32f + 1e-5f);
                assertThat(Math.abs(pos[1] / 16f - w.y())).isLessThanOrEqualTo(1 / 32f + 1e-5f);
            }
        }
        assertThat(known).isNotEmpty();
        assertThat(watcher.knownIds()).hasSameSizeAs(known.keySet().toArray());
    }
}

package mmo.server.world;

import mmo.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static mmo.server.world.TestWorlds.input;
import static mmo.server.world.TestWorlds.join;
import static org.assertj.core.api.Assertions.assertThat;

/** Encoding viewers on several threads sends every client exactly what one thread sends. */
class ParallelEncodeTest {
    static List<List<ServerMessage>> play(int threads) {
        World world = TestWorlds.world(new TestWorlds.RecordingSaver(), InterestPolicy.DEFAULT);
        world.setEncodeThreads(threads);
        List<FakeLink> links = new ArrayList<>();
        List<Player> players = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(9);
        for (int i = 0; i < 150; i++) { // more than PARALLEL_ENCODE_MIN, a dense crowd
            FakeLink link = new FakeLink();
            links.add(link);
            players.add(join(world, "P" + i, 40f + (float) rnd.nextDouble(20), 42f + (float) rnd.nextDouble(20), link));
        }
        int seq = 0;
        for (int t = 0; t < 80; t++) {
            if (t % 10 == 0) {
                for (Player p : players) input(p, ++seq, (float) rnd.nextDouble(-1, 1), (float) rnd.nextDouble(-1, 1));
            }
            world.tick();
        }
        world.shutdown(mmo.protocol.DisconnectReason.SERVER_SHUTDOWN, "bye");
        List<List<ServerMessage>> out = new ArrayList<>();
        // world updates only: the join replies carry character ids that differ from run to run
        for (FakeLink l : links) out.add(l.delivered.stream().filter(ServerMessage::hasWorldUpdate).toList());
        return out;
    }

    @Test
    void threeThreadsSendTheSameAsOne() {
        assertThat(PARALLEL_MIN()).isLessThan(150);
        List<List<ServerMessage>> one = play(1);
        List<List<ServerMessage>> three = play(3);
        assertThat(three).hasSameSizeAs(one);
        for (int i = 0; i < one.size(); i++) assertThat(three.get(i)).as("client %d", i).isEqualTo(one.get(i));
        assertThat(one.get(0)).hasSizeGreaterThan(79);
    }

    static int PARALLEL_MIN() {
        return World.PARALLEL_ENCODE_MIN;
    }
}

package mmo.server.world;

import mmo.protocol.WorldUpdate;
import mmo.server.game.Chat;
import org.junit.jupiter.api.Test;

import static mmo.server.world.TestWorlds.input;
import static mmo.server.world.TestWorlds.join;
import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark baseline world: acknowledgements in fixed-size frames, nothing else. */
class TransportOnlyTest {
    @Test
    void eachClientGetsOneFixedSizeAcknowledgingFramePerTickAndNothingMoves() {
        World world = new World("Bare", TestWorlds.testMap(),
                new World.WorldSettings(20, 32, 10, 4, 16, 200, InterestPolicy.DEFAULT, 150),
                new TestWorlds.RecordingSaver(), new Chat());
        FakeLink a = new FakeLink(), b = new FakeLink();
        Player pa = join(world, "Alice", 10.5f, 10.5f, a);
        join(world, "Bob", 11.5f, 10.5f, b);
        input(pa, 7, 1, 0);
        world.tick();
        WorldUpdate u = a.lastUpdate();
        assertThat(u.getAckSeq()).isEqualTo(7);
        assertThat(u.getEntersList()).isEmpty(); // nobody sees anybody
        assertThat(pa.x()).isEqualTo(10.5f);     // nothing moves
        // the filler is a field clients do not know; they skip it (protobuf keeps it as unknown)
        assertThat(a.delivered.get(a.delivered.size() - 1).getSerializedSize()).isBetween(145, 155);
        assertThat(world.tickStats().lastTick()).isEqualTo(1);
        world.tick();
        assertThat(b.updates()).hasSize(2);
    }
}

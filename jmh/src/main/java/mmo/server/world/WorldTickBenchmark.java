package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.DisconnectReason;
import mmo.protocol.Outfit;
import mmo.protocol.ServerMessage;
import mmo.server.game.Chat;
import mmo.server.world.map.TileMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One whole world tick (inputs, simulation, interest, encoding, hand-off to the links) on the
 * real world map, for the standard workloads: open-world-walk (players at random walkable
 * points, view 32) and crowd (everyone in one 48 x 48 square). Links discard the bytes but
 * count them. Run with {@code -prof gc} to see the allocation per tick
 * ({@code gc.alloc.rate.norm}): the target is none per entity.
 *
 * <pre>
 * mvn -B -q -Pjmh -pl jmh -am package -DskipTests
 * java -jar jmh/target/benchmarks.jar WorldTickBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class WorldTickBenchmark {
    /** A link that throws the bytes away and counts them. */
    static final class CountingLink implements ClientLink {
        long bytes;
        long messages;

        @Override public void send(ServerMessage message) { bytes += message.getSerializedSize(); messages++; }
        @Override public void sendEncoded(byte[] b, int length) { bytes += length; messages++; }
        @Override public void flush() { }
        @Override public void disconnect(DisconnectReason reason, String message) { }
    }

    @Param({"open-world-walk:2000", "open-world-walk:5000", "crowd:500", "crowd:1000"})
    public String workload;

    @Param({"tiered", "every-tick"})
    public String interest;

    World world;
    final List<Player> players = new ArrayList<>();
    final List<CountingLink> links = new ArrayList<>();
    final SplittableRandom rnd = new SplittableRandom(1);
    int ticks;

    @Setup(Level.Trial)
    public void setUp() {
        String[] w = workload.split(":");
        int n = Integer.parseInt(w[1]);
        boolean crowd = w[0].equals("crowd");
        TileMap map = TileMap.loadResource("maps/world.tmj");
        InterestPolicy policy = interest.equals("tiered") ? InterestPolicy.DEFAULT : InterestPolicy.EVERY_TICK;
        world = new World("Bench", map, new World.WorldSettings(20, 128, 32, 4, 16, 200, policy),
                states -> CompletableFuture.completedFuture(null), new Chat());
        world.claimOwnership();
        Appearance look = Appearance.newBuilder().setSkinColor(0xC68642).setHairColor(0x2C1B10)
                .setOutfit(Outfit.newBuilder().setTopColor(0x228822).setBottomColor(0x333366)).build();
        for (int i = 0; i < n; i++) {
            float x, y;
            do {
                if (crowd) {
                    x = 488 + (float) rnd.nextDouble(48);
                    y = 488 + (float) rnd.nextDouble(48);
                } else {
                    x = (float) rnd.nextDouble(1024);
                    y = (float) rnd.nextDouble(1024);
                }
            } while (!Movement.boxFree(map, x, y));
            CountingLink link = new CountingLink();
            long id = i + 1;
            Player p = world.join(new World.JoinRequest(id, 0, id, "Bot" + i, CharacterClass.WARRIOR, look, x, y, link,
                    new Inbox(16), 0, CharacterSummary.getDefaultInstance()));
            players.add(p);
            links.add(link);
        }
        for (int i = 0; i < 40; i++) tick(); // everyone knows everyone in view
    }

    @Setup(Level.Iteration)
    public void own() {
        world.claimOwnership();
    }

    void tick() {
        // a random walk: about one player in 60 turns each tick (a new direction every ~3 s)
        for (int k = 0, turns = Math.max(1, players.size() / 60); k < turns; k++) {
            Player p = players.get(rnd.nextInt(players.size()));
            double angle = rnd.nextDouble(2 * Math.PI);
            p.dirX = (float) Math.cos(angle);
            p.dirY = (float) Math.sin(angle);
        }
        world.tick();
        ticks++;
    }

    @Benchmark
    public void tick(Blackhole bh) {
        tick();
        bh.consume(world.currentTick());
    }
}

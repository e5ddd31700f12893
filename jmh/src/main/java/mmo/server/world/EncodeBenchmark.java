package mmo.server.world;

import mmo.protocol.ServerMessage;
import mmo.protocol.WorldUpdate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Encoding one client's per-tick update with {@code visible} moving neighbours: the
 * hand-written wire encoder the tick uses, against protobuf's generated builder as the
 * baseline (compare the two within one run).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncodeBenchmark {
    @Param({"30", "300"})
    public int visible;

    int[] ids, dx, dy;
    final UpdateEncoder encoder = new UpdateEncoder();

    @Setup
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(5);
        ids = new int[visible];
        dx = new int[visible];
        dy = new int[visible];
        int id = 0;
        for (int i = 0; i < visible; i++) {
            id += rnd.nextInt(1, 40);
            ids[i] = id;
            dx[i] = rnd.nextInt(-4, 5);
            dy[i] = rnd.nextInt(-4, 5);
        }
    }

    @Benchmark
    public int handWritten() {
        UpdateEncoder e = encoder;
        e.begin();
        for (int i = 0; i < visible; i++) e.move(ids[i], dx[i], dy[i]);
        return e.finish(123456, 789, 1, 8000, 8000, 1f).size();
    }

    @Benchmark
    public int protobufBuilder() {
        WorldUpdate.Builder u = WorldUpdate.newBuilder().setTick(123456).setAckSeq(789).setTicksSinceAck(1)
                .setX(8000).setY(8000).setTimeDilation(1f);
        int prev = 0;
        for (int i = 0; i < visible; i++) {
            u.addMoves(ids[i] - prev).addMoves(dx[i]).addMoves(dy[i]);
            prev = ids[i];
        }
        return ServerMessage.newBuilder().setWorldUpdate(u).build().toByteArray().length;
    }
}

package mmo.server.world;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The tick thread of a process with several worlds: one thread owns and ticks them all. */
class TickLoopTest {

    @Test
    void oneThreadTicksEveryWorldAndHandsThemBackOnStop() throws Exception {
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        World b = TestWorlds.world(new TestWorlds.RecordingSaver());
        CompletableFuture<Thread> ranA = new CompletableFuture<>();
        CompletableFuture<Thread> ranB = new CompletableFuture<>();
        a.execute(() -> ranA.complete(Thread.currentThread()));
        b.execute(() -> ranB.complete(Thread.currentThread()));
        TickLoop loop = new TickLoop(List.of(a, b), 20, new TimeDilation(20, 0.5f));

        loop.start();
        Thread tickA = ranA.get(10, TimeUnit.SECONDS);
        Thread tickB = ranB.get(10, TimeUnit.SECONDS);
        loop.stop();

        assertThat(tickA).isSameAs(tickB);
        assertThat(tickA.getName()).isEqualTo("tick");
        assertThat(a.currentTick()).isPositive();
        assertThat(b.currentTick()).isPositive();
        // stopped: the worlds are the caller's now (a tick-thread method does not throw)
        assertThat(a.players()).isEmpty();
        assertThat(b.players()).isEmpty();
    }
}

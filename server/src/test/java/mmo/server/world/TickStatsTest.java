package mmo.server.world;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TickStatsTest {
    @Test
    void percentilesAndRateOverTheTicksAsked() {
        TickStats s = new TickStats();
        // ticks 1..100 start 50 ms apart (20 Hz) and take 1..100 ms
        for (int t = 1; t <= 100; t++) s.record(t, t * 50_000_000L, t * 1_000_000L);
        TickStats.Summary all = s.since(0);
        assertThat(all.ticks()).isEqualTo(100);
        assertThat(all.p50Ms()).isEqualTo(50.0);
        assertThat(all.p99Ms()).isEqualTo(99.0);
        assertThat(all.maxMs()).isEqualTo(100.0);
        assertThat(all.meanMs()).isCloseTo(50.5, within(1e-9));
        assertThat(all.hz()).isCloseTo(20.0, within(1e-9));
        TickStats.Summary late = s.since(91);
        assertThat(late.ticks()).isEqualTo(10);
        assertThat(late.p50Ms()).isEqualTo(95.0);
        assertThat(s.lastTick()).isEqualTo(100);
        assertThat(s.since(101).ticks()).isZero();
    }

    @Test
    void cpuTimePercentilesBesideTheWallClock() {
        TickStats s = new TickStats();
        // wall 10 ms each, CPU 1..100 ms / 10 (the thread waited for the CPU the rest)
        for (int t = 1; t <= 100; t++) s.record(t, t * 50_000_000L, 10_000_000L, t * 100_000L);
        TickStats.Summary all = s.since(0);
        assertThat(all.p99Ms()).isEqualTo(10.0);
        assertThat(all.cpuP50Ms()).isEqualTo(5.0);
        assertThat(all.cpuP99Ms()).isEqualTo(9.9);
        assertThat(all.cpuMaxMs()).isEqualTo(10.0);
        TickStats unmeasured = new TickStats();
        unmeasured.record(1, 0, 5, -1);
        assertThat(unmeasured.since(0).cpuP99Ms()).isZero();
    }

    @Test
    void keepsOnlyTheLastCapacityTicks() {
        TickStats s = new TickStats();
        for (int t = 1; t <= TickStats.CAPACITY + 10; t++) s.record(t, t * 1000L, 7);
        assertThat(s.since(0).ticks()).isEqualTo(TickStats.CAPACITY);
        assertThat(s.lastTick()).isEqualTo(TickStats.CAPACITY + 10);
    }

    @Test
    void aWindowOfTheNewestTicksAfterTheBufferWrapped() {
        TickStats s = new TickStats();
        int last = TickStats.CAPACITY + 5_000;
        for (int t = 1; t <= last; t++) s.record(t, t * 50_000_000L, (t % 10 + 1) * 1_000_000L);
        TickStats.Summary ten = s.since(last - 9); // durations 1..10 ms, one each
        assertThat(ten.ticks()).isEqualTo(10);
        assertThat(ten.maxMs()).isEqualTo(10.0);
        assertThat(ten.meanMs()).isCloseTo(5.5, within(1e-9));
        assertThat(ten.hz()).isCloseTo(20.0, within(1e-9));
        assertThat(s.since(0).ticks()).isEqualTo(TickStats.CAPACITY);
    }

    @Test
    void theWorldRecordsEachTick() {
        World world = TestWorlds.world(new TestWorlds.RecordingSaver());
        for (int i = 0; i < 5; i++) world.tick();
        assertThat(world.tickStats().since(0).ticks()).isEqualTo(5);
        assertThat(world.tickStats().lastTick()).isEqualTo(5);
    }
}

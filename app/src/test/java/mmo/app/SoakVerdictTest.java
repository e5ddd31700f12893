package mmo.app;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The arithmetic behind {@code mmo soak}'s verdict: the heap-after-GC slope and pause percentiles. */
class SoakVerdictTest {

    private static SoakCommand.Sample at(double t, double liveMb) {
        return new SoakCommand.Sample(t, 300, liveMb, 1, 1, 1, 2000, 2000, 0);
    }

    @Test
    void slopeIsMegabytesPerHourOfTheHeapAfterGc() {
        List<SoakCommand.Sample> growing = new ArrayList<>();
        // 10 MB more every 30 minutes, sampled every 30 s, with +-1 MB of sawtooth on top
        for (int i = 0; i <= 60; i++) growing.add(at(i * 30, 40 + i * 10.0 / 60 + (i % 2 == 0 ? 1 : -1)));
        assertThat(SoakCommand.slopePerHour(growing)).isCloseTo(20, within(1.0));

        List<SoakCommand.Sample> flat = new ArrayList<>();
        for (int i = 0; i <= 27; i++) flat.add(at(900 + i * 30, 37 + (i % 3 == 0 ? 1 : 0)));
        assertThat(Math.abs(SoakCommand.slopePerHour(flat))).isLessThan(SoakCommand.DEFAULT_MAX_SLOPE_MB_PER_H / 5);
    }

    @Test
    void percentilesAreNearestRank() {
        List<Double> sorted = new ArrayList<>();
        for (int i = 1; i <= 200; i++) sorted.add((double) i);
        assertThat(SoakCommand.percentile(sorted, 50)).isEqualTo(100);
        assertThat(SoakCommand.percentile(sorted, 99)).isEqualTo(198);
        assertThat(SoakCommand.percentile(List.of(7.5), 99)).isEqualTo(7.5);
        assertThat(SoakCommand.percentile(List.of(), 99)).isZero();
    }
}

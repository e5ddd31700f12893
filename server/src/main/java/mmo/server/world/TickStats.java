package mmo.server.world;

import java.util.Arrays;

/**
 * The last {@value #CAPACITY} ticks of one world: when each started and how long its work
 * took (inputs through flush and save hand-off; socket writes by network threads are not in
 * it). The tick thread records; any thread may ask for a {@link Summary}. Recording takes a
 * short lock once per tick, which is nothing beside the tick's own work.
 */
public final class TickStats {
    public static final int CAPACITY = 1 << 16;

    /** Tick durations over a window: percentiles in milliseconds and the tick rate held. */
    public record Summary(int ticks, double p50Ms, double p99Ms, double maxMs, double meanMs, double hz) {}

    private final long[] startNanos = new long[CAPACITY];
    private final long[] durationNanos = new long[CAPACITY];
    private final int[] tickNumbers = new int[CAPACITY];
    private long recorded;

    synchronized void record(int tick, long start, long duration) {
        int i = (int) (recorded & (CAPACITY - 1));
        startNanos[i] = start;
        durationNanos[i] = duration;
        tickNumbers[i] = tick;
        recorded++;
    }

    /** The number of the last recorded tick, or 0. */
    public synchronized int lastTick() {
        return recorded == 0 ? 0 : tickNumbers[(int) ((recorded - 1) & (CAPACITY - 1))];
    }

    /** Ticks numbered {@code fromTick} or later that are still held. */
    public synchronized Summary since(int fromTick) {
        int held = (int) Math.min(recorded, CAPACITY);
        long[] d = new long[held];
        int n = 0;
        long firstStart = Long.MAX_VALUE, lastStart = Long.MIN_VALUE;
        for (int k = 0; k < held; k++) {
            int i = (int) ((recorded - held + k) & (CAPACITY - 1));
            if (tickNumbers[i] < fromTick) continue;
            d[n++] = durationNanos[i];
            firstStart = Math.min(firstStart, startNanos[i]);
            lastStart = Math.max(lastStart, startNanos[i]);
        }
        if (n == 0) return new Summary(0, 0, 0, 0, 0, 0);
        Arrays.sort(d, 0, n);
        long sum = 0;
        for (int k = 0; k < n; k++) sum += d[k];
        double hz = n > 1 && lastStart > firstStart ? (n - 1) * 1e9 / (lastStart - firstStart) : 0;
        return new Summary(n, ms(d[percentileIndex(n, 0.50)]), ms(d[percentileIndex(n, 0.99)]), ms(d[n - 1]),
                sum / (double) n / 1e6, hz);
    }

    private static int percentileIndex(int n, double q) {
        return Math.min(n - 1, (int) Math.ceil(q * n) - 1);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}

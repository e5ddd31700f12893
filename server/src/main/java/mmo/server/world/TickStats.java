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

    /**
     * Tick durations over a window: wall-clock percentiles in milliseconds, the same for the
     * tick thread's CPU time (its own work, without the time other threads, such as the
     * network's, held the CPU while it waited), and the tick rate held.
     */
    public record Summary(int ticks, double p50Ms, double p99Ms, double maxMs, double meanMs, double hz,
                          double cpuP50Ms, double cpuP99Ms, double cpuMaxMs) {
        public Summary(int ticks, double p50Ms, double p99Ms, double maxMs, double meanMs, double hz) {
            this(ticks, p50Ms, p99Ms, maxMs, meanMs, hz, 0, 0, 0);
        }
    }

    private final long[] startNanos = new long[CAPACITY];
    private final long[] durationNanos = new long[CAPACITY];
    private final int[] tickNumbers = new int[CAPACITY];
    private final long[] cpuNanos = new long[CAPACITY];
    private long recorded;

    synchronized void record(int tick, long start, long duration) {
        record(tick, start, duration, -1);
    }

    /** @param cpu the tick thread's CPU time for the tick, or -1 if not measured */
    synchronized void record(int tick, long start, long duration, long cpu) {
        int i = (int) (recorded & (CAPACITY - 1));
        cpuNanos[i] = cpu;
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
        long[] c = new long[held];
        int n = 0;
        long firstStart = Long.MAX_VALUE, lastStart = Long.MIN_VALUE;
        for (int k = 0; k < held; k++) {
            int i = (int) ((recorded - held + k) & (CAPACITY - 1));
            if (tickNumbers[i] < fromTick) continue;
            c[n] = cpuNanos[i];
            d[n++] = durationNanos[i];
            firstStart = Math.min(firstStart, startNanos[i]);
            lastStart = Math.max(lastStart, startNanos[i]);
        }
        if (n == 0) return new Summary(0, 0, 0, 0, 0, 0);
        Arrays.sort(d, 0, n);
        Arrays.sort(c, 0, n);
        long sum = 0;
        for (int k = 0; k < n; k++) sum += d[k];
        double hz = n > 1 && lastStart > firstStart ? (n - 1) * 1e9 / (lastStart - firstStart) : 0;
        boolean cpu = c[0] >= 0;
        return new Summary(n, ms(d[percentileIndex(n, 0.50)]), ms(d[percentileIndex(n, 0.99)]), ms(d[n - 1]),
                sum / (double) n / 1e6, hz,
                cpu ? ms(c[percentileIndex(n, 0.50)]) : 0, cpu ? ms(c[percentileIndex(n, 0.99)]) : 0,
                cpu ? ms(c[n - 1]) : 0);
    }

    private static int percentileIndex(int n, double q) {
        return Math.min(n - 1, (int) Math.ceil(q * n) - 1);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}

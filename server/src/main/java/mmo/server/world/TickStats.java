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

    void record(int tick, long start, long duration) {
        record(tick, start, duration, -1);
    }

    /** @param cpu the tick thread's CPU time for the tick, or -1 if not measured */
    void record(int tick, long start, long duration, long cpu) {
        synchronized (this) {
            int i = (int) (recorded & (CAPACITY - 1));
            cpuNanos[i] = cpu;
            startNanos[i] = start;
            durationNanos[i] = duration;
            tickNumbers[i] = tick;
            recorded++;
        }
        Listener l = listener;
        if (l != null) l.tickRecorded(tick, duration);
    }

    /**
     * Told of every tick as it is recorded, on the thread that ran it: the metrics' tick timer
     * and liveness. Must be cheap and must not throw; it runs inside the tick.
     */
    public interface Listener {
        void tickRecorded(int tick, long durationNanos);
    }

    private volatile Listener listener;

    /** Sets the one {@link Listener} (null: none). Any thread. */
    public void listen(Listener listener) {
        this.listener = listener;
    }

    /** The number of the last recorded tick, or 0. */
    public synchronized int lastTick() {
        return recorded == 0 ? 0 : tickNumbers[(int) ((recorded - 1) & (CAPACITY - 1))];
    }

    /**
     * Ticks numbered {@code fromTick} or later that are still held. Ticks are recorded in
     * increasing order, so the window is the newest entries: the cost is the window's, not the
     * buffer's (the admin dashboard asks for the last ten ticks twice a second).
     */
    public synchronized Summary since(int fromTick) {
        int held = (int) Math.min(recorded, CAPACITY);
        int n = 0;
        while (n < held && tickNumbers[(int) ((recorded - 1 - n) & (CAPACITY - 1))] >= fromTick) n++;
        if (n == 0) return new Summary(0, 0, 0, 0, 0, 0);
        long[] d = new long[n];
        long[] c = new long[n];
        long firstStart = Long.MAX_VALUE, lastStart = Long.MIN_VALUE;
        for (int k = 0; k < n; k++) {
            int i = (int) ((recorded - n + k) & (CAPACITY - 1));
            c[k] = cpuNanos[i];
            d[k] = durationNanos[i];
            firstStart = Math.min(firstStart, startNanos[i]);
            lastStart = Math.max(lastStart, startNanos[i]);
        }
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

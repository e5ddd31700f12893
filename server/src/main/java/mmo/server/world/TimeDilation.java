package mmo.server.world;

/**
 * Decides how fast a world's clock runs. Each tick is a whole tick of game time; when ticks
 * take longer than the budget ({@value #BUDGET_SHARE} of the period), the loop spaces ticks
 * further apart instead of skipping work or dropping players, so the simulation slows evenly
 * (time dilation, as in EVE Online) and network threads keep CPU to send what it produced.
 * The factor follows a moving average of tick durations: it falls quickly when ticks overrun
 * and climbs back slowly, so it does not oscillate. Tick thread only.
 */
public final class TimeDilation {
    static final double BUDGET_SHARE = 0.8;
    private static final double ALPHA = 0.1;          // weight of the newest tick in the average
    private static final double FALL = 0.95;          // at most 5% slower per tick
    private static final double RISE = 0.01;          // at most 1 point faster per tick

    private final long periodNanos;
    private final double budgetNanos;
    private final double min;
    private double average = -1;
    private double factor = 1;

    public TimeDilation(int tickRate, double min) {
        if (min <= 0 || min > 1) throw new IllegalArgumentException("min must be in (0, 1]");
        this.periodNanos = 1_000_000_000L / tickRate;
        this.budgetNanos = periodNanos * BUDGET_SHARE;
        this.min = min;
    }

    /** Takes the last tick's duration and returns the factor for the next (min..1). */
    public float update(long tickNanos) {
        average = average < 0 ? tickNanos : average + ALPHA * (tickNanos - average);
        double target = Math.max(min, Math.min(1, budgetNanos / Math.max(1, average)));
        if (target < factor) {
            factor = Math.max(target, factor * FALL);
        } else {
            factor = Math.min(target, factor + RISE);
        }
        return (float) factor;
    }

    public float factor() {
        return (float) factor;
    }

    /** Wall-clock time between the starts of two ticks at the current factor. */
    public long periodNanos() {
        return (long) (periodNanos / factor);
    }
}

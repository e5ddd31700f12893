package mmo.server.world;

/**
 * How much of what a client can see it is sent each tick, so a crowd degrades gracefully
 * instead of flooding every client. Entities in the inner half of the view radius are sent
 * every tick, always (with their enters and all leaves); those farther out move on a
 * slower cadence (every 2nd tick up to 3/4 of the radius, every 4th beyond), staggered by
 * id so the work spreads over ticks; and those optional updates share a byte budget per
 * client per tick, taken in an order that rotates from tick to tick so nobody starves.
 * A skipped update is not lost: the next one carries the whole delta since the last sent.
 *
 * @param tiered       whether far entities get the slower cadences (false: every tick)
 * @param bytesPerTick budget for the far moves in one client's update per tick
 */
public record InterestPolicy(boolean tiered, int bytesPerTick) {
    /** The default: tiered, about 28 KB/s per client at 20 Hz for the optional part. */
    /** Most bytes of enters in one update; clients accept frames up to 64 KiB. */
    public static final int MAX_ENTER_BYTES = 32 * 1024;

    public static final InterestPolicy DEFAULT = new InterestPolicy(true, 1400);
    /** Everything in view every tick, no budget (tests that count every move; comparisons). */
    public static final InterestPolicy EVERY_TICK = new InterestPolicy(false, Integer.MAX_VALUE);

    public InterestPolicy {
        if (bytesPerTick < 0) throw new IllegalArgumentException("bytesPerTick must be >= 0");
    }

    /**
     * Every how many ticks an entity at squared distance {@code d2} from the viewer is
     * updated, for a view radius {@code r}: 1 (mandatory), 2 or 4.
     */
    public int period(float d2, float r) {
        if (!tiered) return 1;
        float half = r * 0.5f, threeQuarters = r * 0.75f;
        if (d2 <= half * half) return 1;
        if (d2 <= threeQuarters * threeQuarters) return 2;
        return 4;
    }

    /** Whether an entity with this period and id is due on tick {@code t}. */
    public static boolean due(int period, int id, int t) {
        return period == 1 || ((t + id) & (period - 1)) == 0;
    }
}

package mmo.server.world;

import java.util.ArrayList;
import java.util.List;

/**
 * One square of the world grid (regionSize x regionSize units) and the players standing in
 * it. A region's state is changed only by the thread ticking it; a player crossing into
 * another region is handed off between simulate and interest, never mid-step.
 */
public final class Region {
    final int rx, ry;
    final int index; // ry * columns + rx: the number topologies and the cluster layer use
    final ArrayList<Player> players = new ArrayList<>();
    /** players.size() as the tick thread last left it, for readers on other threads (metrics). */
    private volatile int population;
    // Time its players' movement took to simulate (tick thread): last tick, and summed since
    // the admin dashboard last took the mean.
    private volatile long lastStepNanos; // read by the metrics scrape too
    private long sumStepNanos;
    private int steps;

    Region(int rx, int ry, int index) {
        this.rx = rx;
        this.ry = ry;
        this.index = index;
    }

    public int rx() { return rx; }
    public int ry() { return ry; }
    public int index() { return index; }

    /** How many players stand here, as of the tick thread's last change. Any thread. */
    public int population() {
        return population;
    }

    /** Players in this region (live view; tick thread only). */
    public List<Player> players() {
        return players;
    }

    /** The simulate phase stepped this region in {@code nanos}. Tick thread. */
    void recordStep(long nanos) {
        if (nanos != lastStepNanos) lastStepNanos = nanos; // empty regions: no store each tick
        sumStepNanos += nanos;
        steps++;
    }

    /** How long the last tick's simulate step of this region took, in nanoseconds (0 without players). Any thread. */
    public long lastStepNanos() {
        return lastStepNanos;
    }

    /** The mean step time since the last call (0 if none), in nanoseconds; starts a new interval. Tick thread. */
    public long takeMeanStepNanos() {
        long mean = steps == 0 ? 0 : sumStepNanos / steps;
        sumStepNanos = 0;
        steps = 0;
        return mean;
    }

    void add(Player p) {
        players.add(p);
        population = players.size();
        p.region = this;
    }

    void remove(Player p) {
        int i = players.indexOf(p);
        if (i >= 0) {
            int last = players.size() - 1;
            players.set(i, players.get(last));
            players.remove(last);
            population = last;
        }
        p.region = null;
    }

    @Override
    public String toString() {
        return "Region(" + rx + "," + ry + ")";
    }
}

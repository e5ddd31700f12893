package mmo.server.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Liveness and readiness from the server's parts, as {@code /health/live} and
 * {@code /health/ready} answer them. Pure functions of what they are given; any thread.
 *
 * <p>Live: the process and its tick loop are alive: a tick thread that died, or a world that has
 * not finished a tick for {@link #STALLED_AFTER_NANOS} while its loop runs, is not (restart it).
 * Ready: the server can take players: not shutting down, the database answers, every world has
 * ticked, and a cluster node is Up in its cluster. Either is a {@link Report}: UP (200) or DOWN
 * (503) with the checks that failed and why.
 */
public final class Health {
    /** A world whose tick has not ended for this long is stuck (one tick is 50 ms, 500 ms at the slowest dilation). */
    public static final long STALLED_AFTER_NANOS = 60_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Health() {
    }

    /** One check: its name, and why it fails (null: it passes). */
    public record Check(String name, String problem) {
        public static Check up(String name) {
            return new Check(name, null);
        }

        public boolean isUp() {
            return problem == null;
        }
    }

    /** The answer: UP when every check passes. */
    public record Report(List<Check> checks) {
        public boolean up() {
            return checks.stream().allMatch(Check::isUp);
        }

        /** 200 or 503. */
        public int httpStatus() {
            return up() ? 200 : 503;
        }

        /**
         * {"status":"UP"} with, when asked, every check: {"status":"DOWN","checks":{"database":
         * {"status":"DOWN","reason":"..."},"worlds":{"status":"UP"}}}. A DOWN report always names its checks.
         */
        public String json(boolean withChecks) {
            ObjectNode root = JSON.createObjectNode();
            root.put("status", up() ? "UP" : "DOWN");
            if (withChecks || !up()) {
                ObjectNode all = root.putObject("checks");
                for (Check c : checks) {
                    ObjectNode n = all.putObject(c.name());
                    n.put("status", c.isUp() ? "UP" : "DOWN");
                    if (!c.isUp()) n.put("reason", c.problem());
                }
            }
            return root.toString();
        }
    }

    /**
     * @param tickLoopDied the tick thread ended without being stopped
     * @param worlds       the worlds' last ticks
     * @param ticking      whether a tick thread runs (false with the manual tick of tests: no stall then)
     * @param now          {@link System#nanoTime()}
     */
    public static Report liveness(boolean tickLoopDied, List<ServerMetrics.WorldTicks> worlds, boolean ticking, long now) {
        if (tickLoopDied) return new Report(List.of(new Check("tick", "the tick thread died; see the log")));
        if (ticking) {
            for (ServerMetrics.WorldTicks w : worlds) {
                long since = w.sinceLastTick(now);
                if (since > STALLED_AFTER_NANOS) {
                    return new Report(List.of(new Check("tick", "world '" + w.name() + "' has not finished a tick for "
                            + since / 1_000_000_000L + " s")));
                }
            }
        }
        return new Report(List.of(Check.up("tick")));
    }

    /**
     * @param draining    shutdown has begun
     * @param database    the database check ({@link DatabaseProbe})
     * @param worlds      the worlds' ticks (each must have ticked)
     * @param clusterDown why this cluster node is not Up in its cluster; null when it is, or in one process
     * @param clustered   whether this is a cluster node (the check is listed only then)
     */
    public static Report readiness(boolean draining, Check database, List<ServerMetrics.WorldTicks> worlds,
                                   boolean clustered, String clusterDown) {
        List<Check> checks = new java.util.ArrayList<>();
        checks.add(draining ? new Check("shutdown", "the server is shutting down (draining)") : Check.up("shutdown"));
        checks.add(database);
        List<String> waiting = worlds.stream().filter(w -> !w.started()).map(ServerMetrics.WorldTicks::name).toList();
        checks.add(waiting.isEmpty() ? Check.up("worlds")
                : new Check("worlds", "not started yet: " + String.join(", ", waiting)));
        if (clustered) checks.add(new Check("cluster", clusterDown));
        return new Report(List.copyOf(checks));
    }
}

package mmo.server.world;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the server refused that an honest client would not ask for, counted by kind (issue 6,
 * anti-cheat). The checks themselves are where the requests are handled; this only counts, for
 * operators ({@code /stats}, metrics) and for flagging one player who keeps trying: more than
 * {@link #FLAG_AT} refusals within {@link #WINDOW_TICKS} ticks is logged once per window at
 * WARN, with the kinds, for a moderator to look at. Nobody is punished automatically: a buggy
 * or lagging client trips the same checks now and then.
 *
 * <p>Counts are written on tick threads (game checks) and event loops (transport limits) and
 * read from anywhere.
 */
public final class Refusals {
    private static final Logger log = LoggerFactory.getLogger(Refusals.class);

    /** Refusals of one player within this many ticks (10 s at 20 Hz) ... */
    public static final int WINDOW_TICKS = 200;
    /** ... above this many are flagged. */
    public static final int FLAG_AT = 50;

    /** What was refused. */
    public enum Kind {
        /** A movement direction longer than any client's stick or keys make (it moves at the speed anyway). */
        SPEED,
        /** More movement inputs in one tick than a client sends (only the last one counts anyway). */
        INPUT_FLOOD,
        /** A movement direction that is not a number. */
        BAD_INPUT,
        /** An ability before its cooldown ended. */
        COOLDOWN,
        /** An ability on a target beyond its range. */
        OUT_OF_RANGE,
        /** An ability through a wall. */
        NO_LINE_OF_SIGHT,
        /** An ability on something that is not there, or not of the kind it works on. */
        BAD_TARGET,
        /** An item, slot or gold the player does not have (equip, drop, trade). */
        NOT_OWNED,
        /** A pick-up from farther than the player can reach, or of something that is not loot. */
        OUT_OF_REACH,
        /** Loot still claimed by someone else. */
        NOT_YOURS,
        /** A message over its type's rate limit (token bucket). */
        RATE_LIMITED,
        /** A message while the player's input queue was full. */
        QUEUE_FULL,
        /** A connection closed for refusals over the rate limits, again and again. */
        TOO_MANY_REQUESTS;

        final String key = name().toLowerCase(Locale.ROOT);
    }

    private final AtomicLongArray counts = new AtomicLongArray(Kind.values().length);

    /** Counts one refusal not tied to a player in a world (the transport's). Any thread. */
    public void add(Kind kind) {
        counts.incrementAndGet(kind.ordinal());
    }

    /**
     * Counts one refusal of {@code p}'s request, and flags {@code p} when it passes
     * {@link #FLAG_AT} within the window. The thread ticking {@code p}.
     */
    void add(Player p, Kind kind, int tick) {
        counts.incrementAndGet(kind.ordinal());
        if (p.refusedSince < 0 || tick - p.refusedSince >= WINDOW_TICKS) {
            p.refusedSince = tick;
            p.refusedInWindow = 0;
            if (p.refusedKinds != null) java.util.Arrays.fill(p.refusedKinds, 0);
        }
        if (p.refusedKinds == null) p.refusedKinds = new int[Kind.values().length];
        p.refusedKinds[kind.ordinal()]++;
        if (++p.refusedInWindow == FLAG_AT + 1) {
            StringBuilder kinds = new StringBuilder();
            for (Kind k : Kind.values()) {
                int n = p.refusedKinds[k.ordinal()];
                if (n > 0) kinds.append(kinds.isEmpty() ? "" : ", ").append(k.key).append(' ').append(n);
            }
            log.warn("suspicious client: {} (account {}) had over {} requests refused within {} ticks ({})",
                    p.name, p.accountId, FLAG_AT, WINDOW_TICKS, kinds);
            p.flagged++;
        }
    }

    public long count(Kind kind) {
        return counts.get(kind.ordinal());
    }

    public Map<Kind, Long> snapshot() {
        Map<Kind, Long> m = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) m.put(k, counts.get(k.ordinal()));
        return m;
    }

    /** {"speed":0,"cooldown":3,...}: every kind, in declaration order. */
    public String json() {
        StringBuilder b = new StringBuilder("{");
        for (Kind k : Kind.values()) {
            if (b.length() > 1) b.append(',');
            b.append('"').append(k.key).append("\":").append(counts.get(k.ordinal()));
        }
        return b.append('}').toString();
    }
}

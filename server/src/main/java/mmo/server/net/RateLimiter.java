package mmo.server.net;

import mmo.protocol.ClientMessage;
import mmo.server.config.ServerConfig;

import java.util.function.LongSupplier;

/**
 * One connection's token buckets, one per kind of message ({@code mmo.net.rate-limits}), and
 * its count of recent refusals. Inputs, hello and logout are not counted here (inputs are
 * bounded by the input queue). Event loop only; the clock is injectable (nanoseconds).
 */
final class RateLimiter {
    /** What {@link #check} decided. */
    enum Verdict { ALLOW, REFUSE, CLOSE }

    private final LongSupplier nanos;
    private final ServerConfig.NetLimits limits;
    private final Bucket chat, emote, trade, items, ability, account, ping;
    // refusals in the current window
    private long windowStart;
    private int refusals;

    RateLimiter(ServerConfig.NetLimits limits, LongSupplier nanos) {
        this.nanos = nanos;
        this.limits = limits;
        long now = nanos.getAsLong();
        chat = new Bucket(limits, "chat", now);
        emote = new Bucket(limits, "emote", now);
        trade = new Bucket(limits, "trade", now);
        items = new Bucket(limits, "items", now);
        ability = new Bucket(limits, "ability", now);
        account = new Bucket(limits, "account", now);
        ping = new Bucket(limits, "ping", now);
        windowStart = now;
    }

    /** Takes a token for {@code kind}: ALLOW; REFUSE when its bucket is empty; CLOSE when refused too often. */
    Verdict check(ClientMessage.MsgCase kind) {
        Bucket b = switch (kind) {
            case CHAT -> chat;
            case EMOTE -> emote;
            case TRADE -> trade;
            case EQUIP, UNEQUIP, DROP_ITEM, PICK_UP -> items;
            case USE_ABILITY -> ability;
            case REGISTER, LOGIN, RESUME, CREATE_CHARACTER, ENTER_WORLD, LEAVE_WORLD, LIST_WORLDS, CHANGE_PASSWORD,
                 LOGOUT_EVERYWHERE, IGNORE, UNIGNORE, ADMIN, ADMIN_WATCH -> account;
            case PING -> ping;
            default -> null;
        };
        if (b == null) return Verdict.ALLOW;
        long now = nanos.getAsLong();
        if (b.take(now)) return Verdict.ALLOW;
        if (now - windowStart > limits.refusalWindow().toNanos()) {
            windowStart = now;
            refusals = 0;
        }
        return ++refusals > limits.maxRefusals() ? Verdict.CLOSE : Verdict.REFUSE;
    }

    private static final class Bucket {
        private final double perNano;
        private final double burst;
        private double tokens;
        private long last;

        Bucket(ServerConfig.NetLimits limits, String kind, long now) {
            ServerConfig.RateLimit l = limits.rateLimits().get(kind);
            perNano = l.perSecond() / 1e9;
            burst = l.burst();
            tokens = burst;
            last = now;
        }

        boolean take(long now) {
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
            if (tokens < 1) return false;
            tokens -= 1;
            return true;
        }
    }
}

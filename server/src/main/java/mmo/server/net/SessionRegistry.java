package mmo.server.net;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Which connection plays each account: one place at a time. A new login claims the account
 * and gets back the connection it displaced, which the caller then closes. Thread-safe.
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<Long, Connection> byAccount = new ConcurrentHashMap<>();
    private final LongAccumulator peakPendingBytes = new LongAccumulator(Math::max, 0);
    private final java.util.concurrent.atomic.LongAdder logins = new java.util.concurrent.atomic.LongAdder();

    /** Makes {@code conn} the account's connection; returns the one it replaced, or null. */
    Connection claim(long accountId, Connection conn) {
        logins.increment();
        Connection old = byAccount.put(accountId, conn);
        return old == conn ? null : old;
    }

    void release(long accountId, Connection conn) {
        byAccount.remove(accountId, conn);
    }

    /**
     * The account logged in on another cluster node: closes its session here, if any. Any thread.
     */
    public void loggedInElsewhere(long accountId) {
        Connection c = byAccount.get(accountId);
        if (c != null) {
            c.disconnect(mmo.protocol.DisconnectReason.LOGGED_IN_ELSEWHERE, "You logged in from another place");
        }
    }

    /** The account logged out everywhere: closes its connection here, if any. Any thread. */
    public void loggedOut(long accountId) {
        Connection c = byAccount.get(accountId);
        if (c != null) {
            c.disconnect(mmo.protocol.DisconnectReason.LOGGED_OUT, "Logged out everywhere");
        }
    }

    /** A game connection closed; {@code peakPendingBytes} is the most it ever had unsent. */
    void closed(long peakPendingBytes) {
        this.peakPendingBytes.accumulate(peakPendingBytes);
    }

    /**
     * The most bytes any closed game connection had handed over for sending and not yet taken
     * by its socket: stays near {@code mmo.net.max-pending-bytes} (the cap plus one tick's or one
     * relayed message's bytes) however slowly a client reads. Any thread.
     */
    public long peakPendingBytes() {
        return peakPendingBytes.get();
    }

    /** Closes the account's connection here with {@code reason}; false if it has none. Any thread. */
    public boolean disconnect(long accountId, mmo.protocol.DisconnectReason reason, String message) {
        Connection c = byAccount.get(accountId);
        if (c == null) return false;
        c.disconnect(reason, message);
        return true;
    }

    /** Sends the account's connection here a message outside the tick (e.g. a moderation notice). Any thread. */
    public void notify(long accountId, mmo.protocol.ServerMessage message) {
        Connection c = byAccount.get(accountId);
        if (c != null) c.notice(message);
    }

    /** Sessions claimed since start (logins and resumes). Any thread. */
    public long logins() {
        return logins.sum();
    }

    public int online() {
        return byAccount.size();
    }
}

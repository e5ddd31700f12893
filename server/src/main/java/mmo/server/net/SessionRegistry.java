package mmo.server.net;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which connection plays each account: one place at a time. A new login claims the account
 * and gets back the connection it displaced, which the caller then closes. Thread-safe.
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<Long, Connection> byAccount = new ConcurrentHashMap<>();

    /** Makes {@code conn} the account's connection; returns the one it replaced, or null. */
    Connection claim(long accountId, Connection conn) {
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

    public int online() {
        return byAccount.size();
    }
}

package mmo.client;

import java.io.IOException;

/**
 * The connection closed before a request was answered or an awaited event happened.
 *
 * <p>Immutable; any thread.
 */
public final class ConnectionClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient CloseInfo closeInfo;

    /** @param closeInfo how the connection ended */
    public ConnectionClosedException(CloseInfo closeInfo) {
        super("connection closed: " + closeInfo.code() + " " + closeInfo.reason());
        this.closeInfo = closeInfo;
    }

    /** @return how the connection ended */
    public CloseInfo closeInfo() {
        return closeInfo;
    }
}

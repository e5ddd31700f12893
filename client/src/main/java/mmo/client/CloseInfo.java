package mmo.client;

import mmo.protocol.Disconnect;

/**
 * How a connection ended: the {@code Disconnect} message the server sent just before closing
 * (if any) and the WebSocket close code and reason.
 *
 * <p>Close codes: the server's close frame code (4000 + {@code DisconnectReason} for server
 * initiated disconnects), {@value #NORMAL} when this client closed the connection, or
 * {@value #ABNORMAL} when the TCP connection ended without a close frame.
 *
 * <p>Immutable; any thread.
 *
 * @param disconnect the last {@code Disconnect} message received, or {@code null}
 * @param code       the WebSocket close code
 * @param reason     the WebSocket close reason, never {@code null}
 */
public record CloseInfo(Disconnect disconnect, int code, String reason) {
    /** Close code of a normal closure, used when this client closes the connection. */
    public static final int NORMAL = 1000;
    /** Close code reported when the connection ended without a close frame (RFC 6455 1006). */
    public static final int ABNORMAL = 1006;
}

package mmo.server.world;

import mmo.protocol.DisconnectReason;
import mmo.protocol.ServerMessage;

/**
 * The world's view of one client connection. The network layer implements it; tests use a
 * fake. {@link #send} and {@link #flush} are called by the tick thread only;
 * {@link #disconnect} from any thread.
 */
public interface ClientLink {

    /** Queues a message for this tick's flush. Tick thread only. */
    void send(ServerMessage message);

    /**
     * Queues an already encoded {@code ServerMessage} (the first {@code length} bytes of
     * {@code bytes}); the link copies them before returning. Tick thread only.
     */
    void sendEncoded(byte[] bytes, int length);

    /** Writes everything queued since the last flush, in one write to the socket. Tick thread only. */
    void flush();

    /** Sends {@code Disconnect} with the reason, then closes. Any thread; idempotent. */
    void disconnect(DisconnectReason reason, String message);

    /**
     * Whether the client is still there to play: a join that completes after it went (its
     * character's items were still being read) is dropped. Any thread.
     */
    default boolean isOpen() {
        return true;
    }

    /** The username of the account playing through this link, for the admin dashboard; "" if unknown. Any thread. */
    default String accountName() {
        return "";
    }
}

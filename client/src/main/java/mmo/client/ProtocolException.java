package mmo.client;

import java.io.IOException;

/**
 * The server answered a request with a message of the wrong type, which means client and
 * server disagree about the protocol.
 *
 * <p>Immutable; any thread.
 */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what was expected and what arrived */
    public ProtocolException(String message) {
        super(message);
    }
}

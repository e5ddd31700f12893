package mmo.server.game;

import mmo.protocol.ErrorCode;

/**
 * A request the server refuses, with the protocol error code and a message that is safe to
 * show to a player. Thrown (or completed exceptionally) by services; turned into an
 * {@code Error} reply by the network layer. Immutable, any thread.
 */
public final class GameException extends RuntimeException {
    private final ErrorCode code;

    public GameException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}

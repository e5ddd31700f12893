package mmo.client;

import mmo.protocol.ErrorCode;

/**
 * The server rejected a request: an {@code Error} message arrived carrying the request's rid
 * (or, during the handshake, the reply to {@code Hello}). Futures returned by {@link MmoClient}
 * fail with this exception; the error code says why.
 *
 * <p>Immutable; any thread. Carries no stack trace: the cause lives on the server, and a local
 * trace would only cost allocation on a path bots hit routinely (e.g. {@code NAME_TAKEN}).
 */
public final class ServerError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String serverMessage;
    private final int rid;

    /**
     * @param code          the error code sent by the server
     * @param serverMessage the human readable message sent by the server
     * @param rid           the request id the error answered, 0 if none
     */
    public ServerError(ErrorCode code, String serverMessage, int rid) {
        super(code + ": " + serverMessage, null, false, false);
        this.code = code;
        this.serverMessage = serverMessage;
        this.rid = rid;
    }

    /** @return the error code sent by the server */
    public ErrorCode code() {
        return code;
    }

    /** @return the message sent by the server, safe to show to a player */
    public String serverMessage() {
        return serverMessage;
    }

    /** @return the request id this error answered, 0 if none */
    public int rid() {
        return rid;
    }
}

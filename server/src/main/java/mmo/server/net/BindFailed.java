package mmo.server.net;

/**
 * A listener's address could not be bound (in use, or not an address of this machine). The
 * message names the address and the setting that moves it, for the operator to read as is.
 */
public final class BindFailed extends IllegalStateException {
    public BindFailed(String message, Throwable cause) {
        super(message, cause);
    }
}

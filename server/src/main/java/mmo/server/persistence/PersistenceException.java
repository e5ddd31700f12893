package mmo.server.persistence;

/**
 * The database could not do what was asked (unreachable, closed, broken schema, constraint the
 * caller did not expect). Its message may hold SQL details: log it, never show it to players.
 * Immutable, any thread.
 */
public final class PersistenceException extends RuntimeException {
    public PersistenceException(String message, Throwable cause) {
        super(message, cause);
    }
}

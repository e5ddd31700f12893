package mmo.server.persistence;

/**
 * An account already has as many characters as the limit passed to
 * {@link CharacterRepository#create(long, String, int, byte[], String, float, float, int)}.
 * Immutable, any thread.
 */
public final class TooManyCharactersException extends RuntimeException {
    public TooManyCharactersException(long accountId, int limit) {
        super("account " + accountId + " already has " + limit + " characters", null, false, false);
    }
}

package mmo.server.persistence;

/**
 * The result of {@link CharacterRepository#claim}: the character as stored when it was claimed,
 * and the epoch its new owner saves under. Immutable, any thread.
 */
public record CharacterClaim(CharacterRecord character, long epoch) {
}

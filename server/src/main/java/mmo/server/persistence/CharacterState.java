package mmo.server.persistence;

/**
 * The part of a character that changes while it plays, as saved by
 * {@link CharacterRepository#saveStates}. Immutable, any thread.
 */
public record CharacterState(long characterId, String world, float x, float y) {
}

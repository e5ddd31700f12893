package mmo.server.persistence;

/**
 * The part of a character that changes while it plays, as saved by
 * {@link CharacterRepository#saveStates}, taken under {@code epoch}: the value its owner got
 * from {@link CharacterRepository#claim}. The save applies only while that epoch is still the
 * character's current one. Immutable, any thread.
 */
public record CharacterState(long characterId, long epoch, String world, float x, float y) {
}

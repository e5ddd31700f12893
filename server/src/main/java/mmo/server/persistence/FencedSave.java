package mmo.server.persistence;

/**
 * A save that {@link CharacterRepository#saveStates} rejected because the character was claimed
 * again after {@code state} was taken: {@code currentEpoch} is the epoch the row had when the
 * save was refused. Immutable, any thread.
 */
public record FencedSave(CharacterState state, long currentEpoch) {
    public long characterId() {
        return state.characterId();
    }
}

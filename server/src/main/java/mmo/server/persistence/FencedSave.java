package mmo.server.persistence;

/**
 * A save that {@link CharacterRepository#saveStates} rejected because the character was claimed
 * again after {@code state} was taken: {@code currentEpoch} is the epoch the row had when the
 * save was refused. Immutable, any thread.
 */
public record FencedSave(CharacterState state, long currentEpoch) {
    /**
     * A rejected {@link Ledger} change for a character held under {@code epoch}: it carries no
     * position, so only the character and the epoch of {@link #state()} are meaningful (its
     * world is null). {@code currentEpoch} is -1 if the character no longer exists.
     */
    public static FencedSave ofChange(long characterId, long epoch, long currentEpoch) {
        return new FencedSave(new CharacterState(characterId, epoch, null, Float.NaN, Float.NaN), currentEpoch);
    }

    public long characterId() {
        return state.characterId();
    }
}

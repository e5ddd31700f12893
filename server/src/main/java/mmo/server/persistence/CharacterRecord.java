package mmo.server.persistence;

import java.time.Instant;
import java.util.Arrays;

/**
 * One row of the characters table. {@code characterClass} is the {@code mmo.protocol.CharacterClass}
 * number and {@code appearance} the serialized {@code mmo.protocol.Appearance}. Immutable by
 * convention (do not modify the appearance array), any thread.
 */
public record CharacterRecord(long id, long accountId, String name, int characterClass, byte[] appearance,
                              String world, float x, float y, Instant createdAt) {

    // Records compare arrays by reference; a character read twice must compare equal.
    @Override
    public boolean equals(Object o) {
        return o instanceof CharacterRecord r
                && id == r.id && accountId == r.accountId && name.equals(r.name)
                && characterClass == r.characterClass && Arrays.equals(appearance, r.appearance)
                && world.equals(r.world) && Float.compare(x, r.x) == 0 && Float.compare(y, r.y) == 0
                && createdAt.equals(r.createdAt);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return "CharacterRecord[id=" + id + ", accountId=" + accountId + ", name=" + name
                + ", class=" + characterClass + ", appearance=" + appearance.length + " bytes, world=" + world
                + ", x=" + x + ", y=" + y + ", createdAt=" + createdAt + "]";
    }
}

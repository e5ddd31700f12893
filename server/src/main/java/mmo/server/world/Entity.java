package mmo.server.world;

/**
 * Anything a client can see in the world: a player, a creature, loot on the ground, or a ghost
 * (an entity simulated by another world, only shown here). Every entity has an id unique in
 * every world it can be seen in, a position, and its encoded enter fields (all of its
 * {@code EntityEnter} but the position), encoded once per change and sent to every viewer that
 * sees it enter. Tick thread only.
 */
abstract sealed class Entity permits Player, Creature, Loot, Ghost {
    final int id;
    float x, y;

    // Ghosts: whose batches report it (null while a handoff is unconfirmed), the source's batch
    // that last reported it, and the tick it became a ghost by a handoff (it expires if never
    // reported).
    World.GhostSource ghostSource;
    int ghostStamp;
    int ghostSince;

    private byte[] enterFields;
    private int encodedVersion = -1;
    /** Bumped by {@link #changed} whenever something viewers see on entering changes. */
    private int version;

    Entity(int id, float x, float y) {
        this.id = id;
        this.x = x;
        this.y = y;
    }

    /** Whether it is simulated by another world and only shown here. */
    boolean isGhost() {
        return false;
    }

    /** Marks the enter fields stale: they are encoded again when next needed. */
    final void changed() {
        version++;
    }

    /** Whether the cached enter fields no longer describe the entity. */
    boolean stale() {
        return encodedVersion != version;
    }

    /** The enter fields, re-encoded if stale. */
    byte[] enterFields() {
        if (enterFields == null || stale()) {
            enterFields = encodeEnterFields();
            encodedVersion = version;
        }
        return enterFields;
    }

    /** Encodes the enter fields: id, kind and the rest, not the position. */
    abstract byte[] encodeEnterFields();

    public final int id() { return id; }
    public final float x() { return x; }
    public final float y() { return y; }
}

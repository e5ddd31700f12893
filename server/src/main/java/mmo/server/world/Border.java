package mmo.server.world;

/**
 * Where a world that simulates only part of the map ({@link World#setTopology}) sends what
 * crosses its edge: players leaving its owned regions, and each tick the players near the
 * regions it does not own (which other worlds show as ghosts). Implemented by the cluster
 * layer, which maps regions to nodes.
 *
 * <p>Every method is called on the world's tick thread, inside {@link World#tick()}; none may
 * block. Order within one tick: {@link #borderEntities} for every border region, then
 * {@link #handOff} for every departing player, then {@link #tickEnd}.
 */
public interface Border {

    /**
     * {@code snapshot}'s player now stands in {@code toRegion}, which this world does not own.
     * When this returns, the world drops it without a save and without a word to its client
     * (whose update for this tick has already been flushed), showing it as a ghost until the
     * new owner reports it; if this throws, the player stays here and is offered again after
     * the next tick. The world that owns {@code toRegion} continues it with
     * {@link World#adopt}, from its next tick. The player's client link and inbox stay with
     * the caller; messages still queued in the inbox belong to the new owner
     * ({@link Inbox#drainTo}).
     */
    void handOff(PlayerSnapshot snapshot, int toRegion);

    /**
     * This tick's players within view of {@code toRegion} (a region this world does not own,
     * next to one it does), with their positions and enter fields. Called every tick for every
     * such region, with an empty batch when nobody is near, so the receiving world can drop
     * ghosts that walked away. A player near several such regions is in each of their batches;
     * merge a tick's batches per destination with {@link GhostBatch#merge} before
     * {@link World#acceptGhosts}.
     */
    void borderEntities(int toRegion, GhostBatch batch);

    /** This tick's {@link #borderEntities} and {@link #handOff} calls are all made. */
    default void tickEnd(int tick) {}

    /**
     * {@code p} joined this world: it is simulated here and its client has been sent
     * {@code WorldEntered}. With a game, that is ticks after {@link World#join} was called,
     * once the character's items are read. Not called for {@link World#adopt}.
     */
    default void joined(Player p) {}

    /** This world's address for replies to its {@link #gameAction}s (a cluster node's name). */
    default String self() {
        return "";
    }

    /**
     * A game action for the world that owns {@code region} (an attack on a creature seen here
     * as a ghost), delivered there through {@link World#acceptGameAction}.
     */
    default void gameAction(int region, byte[] action) {}

    /** A game action for the world at address {@code world} (a reply: experience for a kill, a bite). */
    default void gameActionTo(String world, byte[] action) {}
}

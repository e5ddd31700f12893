package mmo.server.net;

import mmo.protocol.ClientMessage;
import mmo.server.world.World;

import java.util.concurrent.CompletableFuture;

/**
 * A connection's way into the world. In one process the world is local ({@link Local}); in a
 * cluster the character may be simulated on another node, and the gateway forwards its
 * messages there and its updates back, following it across handoffs.
 */
public interface WorldGateway {
    /** Puts the connection's character into the world. Event loop. */
    void enter(Connection connection, World.JoinRequest join);

    /** A message for the character in the world (input, chat, emote). False: too many waiting. Event loop. */
    boolean offer(Connection connection, ClientMessage message);

    /** The character leaves the world (closed, or back to the character list). Completes once it is saved. Any thread. */
    CompletableFuture<Void> leave(Connection connection);

    /** The world's current tick, for Pong. Any thread. */
    int currentTick();

    /** A JSON object of the gateway's own figures for /stats (a cluster node's; those over time since {@code fromTick}), or null. Any thread. */
    default String statsJson(int fromTick) {
        return null;
    }

    /** An account logged in on this connection (a cluster tells the other nodes, which close its older session). Event loop. */
    default void loggedIn(Connection connection, long accountId) {}

    /**
     * The one-process gateway: the worlds are right here. A connection's character goes into
     * the world the connection chose for it ({@link Connection#world()}).
     */
    final class Local implements WorldGateway {
        private final World first;

        /** @param first the first world, whose tick Pong reports (the worlds tick in step) */
        public Local(World first) {
            this.first = first;
        }

        @Override
        public void enter(Connection connection, World.JoinRequest join) {
            World world = connection.world();
            world.execute(() -> {
                if (!connection.isClosing()) world.join(join);
            });
        }

        @Override
        public boolean offer(Connection connection, ClientMessage message) {
            return connection.inbox().offer(message);
        }

        @Override
        public CompletableFuture<Void> leave(Connection connection) {
            World world = connection.world();
            if (world == null) return CompletableFuture.completedFuture(null);
            CompletableFuture<Void> saved = new CompletableFuture<>();
            world.execute(() -> world.leave(connection).whenComplete((ok, err) -> {
                if (err != null) saved.completeExceptionally(err);
                else saved.complete(null);
            }));
            return saved;
        }

        @Override
        public int currentTick() {
            return first.currentTick();
        }
    }
}

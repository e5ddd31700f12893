package mmo.server.world;

import io.netty.util.internal.PlatformDependent;
import mmo.protocol.ClientMessage;

import java.util.Queue;

/**
 * A player's bounded queue of decoded messages: the network thread offers, the tick drains
 * at most a fixed number per tick. A full inbox is the caller's signal to disconnect the
 * client (a client that floods is never allowed to grow server memory).
 */
public final class Inbox {
    // Lock-free and bounded: offers from the connection's event loop, polls from the tick,
    // neither ever blocks or wakes the other.
    private final Queue<ClientMessage> queue;

    public Inbox(int capacity) {
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
    }

    /** Network thread. Returns false when full. */
    public boolean offer(ClientMessage message) {
        return queue.offer(message);
    }

    /** Tick thread: the next message, or null. */
    ClientMessage poll() {
        return queue.poll();
    }

    /**
     * Moves every queued message to {@code sink}, in order, and returns how many: for a
     * player handed to another world ({@link Border#handOff}), whose inputs that arrived after
     * its last tick here belong to the new owner. Only once no world polls this inbox any more
     * (one consumer at a time).
     */
    public int drainTo(java.util.function.Consumer<ClientMessage> sink) {
        int n = 0;
        ClientMessage m;
        while ((m = queue.poll()) != null) {
            sink.accept(m);
            n++;
        }
        return n;
    }

    public int size() {
        return queue.size();
    }
}

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

    public int size() {
        return queue.size();
    }
}

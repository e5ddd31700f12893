package mmo.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;

import java.util.Arrays;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection's outgoing game traffic between the tick thread and the channel's event loop.
 * The tick thread appends each message as a ready WebSocket binary frame (header + payload)
 * to a byte array it alone touches; {@link #flush} hands the tick's bytes over (a swap under a
 * short lock) and queues the connection on its event loop's {@link Batcher}, which drains
 * every queued connection in one task per loop per tick: the event loop copies into the
 * connection's direct buffer and writes and flushes once, straight to the pipeline's head (the
 * bytes are already WebSocket frames, so no handler has anything to do with them). The direct
 * buffer is reused while the socket takes each tick's bytes at once (the common case), so a
 * tick costs one cross-thread wake-up per event loop, not one per connection, and allocates
 * nothing per message on either thread. With TLS the bytes go through the pipeline instead, so
 * that the {@code SslHandler} encrypts them.
 *
 * <p>Bounded by {@code mmo.net.max-pending-bytes} on both ways in (the tick's {@link #flush} and
 * {@link #appendNow} from another cluster node's relay): bytes handed over but not yet taken by
 * the socket (waiting here, or in the channel) past the cap close the connection as a slow
 * client instead of growing; what one call adds may pass the cap once, by its own size.
 */
final class Outbound {
    private final Channel channel;
    private final Batcher batcher;
    private final boolean throughPipeline; // TLS: the SslHandler must see (and encrypt) the bytes
    private final long maxPendingBytes;
    private final Runnable onOverflow; // run on the event loop, once, when the cap is passed
    private final NetTraffic traffic;
    private int appended; // messages appended since the last flush (tick thread only)
    private volatile long peakPendingBytes;
    private byte[] building = new byte[512]; // tick thread only
    private int buildingLen;
    private final Object lock = new Object();
    private byte[] ready = new byte[512];    // guarded by lock
    private int readyLen;
    private volatile boolean closed;
    private ByteBuf direct; // event loop only: reused while the socket has written all of it

    /** Below this the direct buffer is kept; a larger one (after a burst of enters) is let go. */
    private static final int KEEP_DIRECT_BYTES = 16 * 1024;

    /**
     * @param maxPendingBytes the cap on bytes handed over but not taken by the socket
     * @param onOverflow      run on the channel's event loop when the cap is passed (this
     *                        outbound is closed by then: nothing more is queued)
     */
    Outbound(Channel channel, long maxPendingBytes, Runnable onOverflow) {
        this(channel, maxPendingBytes, onOverflow, new NetTraffic());
    }

    /** @param traffic counts the messages handed over and the bytes written */
    Outbound(Channel channel, long maxPendingBytes, Runnable onOverflow, NetTraffic traffic) {
        this.channel = channel;
        this.traffic = traffic;
        this.batcher = Batcher.of(channel.eventLoop());
        this.throughPipeline = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
        this.maxPendingBytes = maxPendingBytes;
        this.onOverflow = onOverflow;
        channel.closeFuture().addListener(f -> releaseDirect());
    }

    /** Bytes written to the channel that its socket has not taken yet. Any thread. */
    private long channelPending() {
        io.netty.channel.ChannelOutboundBuffer b = channel.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }

    /**
     * Under {@code lock}: records the bytes now waiting ({@code readyLen} plus the channel's),
     * and whether they are past the cap; past it, drops what is ready, closes this outbound and
     * has the event loop run {@code onOverflow}.
     */
    private boolean overCap(long waiting) {
        if (waiting > peakPendingBytes) peakPendingBytes = waiting;
        if (waiting <= maxPendingBytes) return false;
        closed = true;
        readyLen = 0;
        try {
            channel.eventLoop().execute(onOverflow);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the server is stopping: the channel goes with it
        }
        return true;
    }

    /**
     * The most bytes this connection had handed over and not yet taken by its socket, as seen
     * each time bytes were handed over (tests, diagnostics). Any thread.
     */
    long peakPendingBytes() {
        return peakPendingBytes;
    }

    /** Tick thread: appends one message as a binary frame. */
    void append(byte[] payload, int length) {
        if (closed) return;
        int need = buildingLen + length + 10;
        if (need > building.length) building = Arrays.copyOf(building, Math.max(need, building.length * 2));
        buildingLen = frame(building, buildingLen, payload, 0, length);
        appended++;
    }

    /**
     * Any thread: queues one message as a binary frame for the next write, bypassing the tick's
     * buffer: how messages simulated on another cluster node reach this connection.
     */
    void appendNow(byte[] payload, int offset, int length) {
        if (closed) return;
        boolean wasEmpty;
        synchronized (lock) {
            if (closed || overCap(readyLen + channelPending())) return;
            wasEmpty = readyLen == 0;
            int need = readyLen + length + 10;
            if (need > ready.length) ready = Arrays.copyOf(ready, Math.max(need, ready.length * 2));
            readyLen = frame(ready, readyLen, payload, offset, length);
            if (readyLen > peakPendingBytes) peakPendingBytes = readyLen;
        }
        traffic.sentMessages(1);
        if (wasEmpty) batcher.add(this);
    }

    /** Writes a WebSocket binary frame (header and payload) into {@code b} at {@code p}; returns the end. */
    private static int frame(byte[] b, int p, byte[] payload, int offset, int length) {
        b[p++] = (byte) 0x82; // FIN, binary; server frames are not masked
        if (length < 126) {
            b[p++] = (byte) length;
        } else if (length < 65536) {
            b[p++] = 126;
            b[p++] = (byte) (length >>> 8);
            b[p++] = (byte) length;
        } else {
            b[p++] = 127;
            for (int shift = 56; shift >= 0; shift -= 8) b[p++] = (byte) ((long) length >>> shift);
        }
        System.arraycopy(payload, offset, b, p, length);
        return p + length;
    }

    /** Tick thread: hands this tick's frames to the event loop. */
    void flush() {
        if (buildingLen == 0 || closed) {
            buildingLen = 0;
            appended = 0;
            return;
        }
        traffic.sentMessages(appended); // once per connection per tick, not per message
        appended = 0;
        boolean wasEmpty;
        synchronized (lock) {
            if (closed || overCap(readyLen + channelPending())) {
                buildingLen = 0;
                return;
            }
            wasEmpty = readyLen == 0;
            if (wasEmpty) {
                byte[] t = ready;
                ready = building;
                building = t;
                readyLen = buildingLen;
            } else { // the loop has not written the last tick yet: send both, in order
                int need = readyLen + buildingLen;
                if (need > ready.length) ready = Arrays.copyOf(ready, Math.max(need, ready.length * 2));
                System.arraycopy(building, 0, ready, readyLen, buildingLen);
                readyLen = need;
            }
        }
        buildingLen = 0;
        if (wasEmpty) batcher.add(this);
    }

    /** Event loop: writes what is ready (also before a close, so nothing handed over is lost). */
    void writeReady(boolean flush) {
        if (!channel.isActive()) {
            synchronized (lock) {
                readyLen = 0;
            }
            return;
        }
        ByteBuf buf;
        synchronized (lock) {
            if (readyLen == 0) return;
            long waiting = readyLen + channelPending();
            if (waiting > peakPendingBytes) peakPendingBytes = waiting;
            buf = directFor(readyLen);
            buf.writeBytes(ready, 0, readyLen);
            traffic.sentBytes(readyLen);
            readyLen = 0;
        }
        // Our reference stays: when the socket takes all of it now, the channel's release
        // brings the count back to 1 and the next tick reuses the buffer (see directFor).
        buf.retain();
        if (throughPipeline) {
            if (flush) {
                channel.writeAndFlush(buf, channel.voidPromise());
            } else {
                channel.write(buf, channel.voidPromise());
            }
            return;
        }
        ChannelHandlerContext first = channel.pipeline().firstContext();
        if (first == null) { // pipeline torn down: the channel is closing
            buf.release(2);
            direct = null;
            return;
        }
        if (flush) {
            first.writeAndFlush(buf, channel.voidPromise());
        } else {
            first.write(buf, channel.voidPromise());
        }
    }

    /** Event loop: an empty direct buffer of at least {@code bytes}, the last one if it is free. */
    private ByteBuf directFor(int bytes) {
        ByteBuf d = direct;
        if (d != null) {
            if (d.refCnt() == 1 && d.capacity() >= bytes && (d.capacity() <= KEEP_DIRECT_BYTES || bytes > KEEP_DIRECT_BYTES / 4)) {
                return d.clear();
            }
            d.release(); // still queued in the channel (or the wrong size): the channel keeps it
        }
        d = channel.alloc().directBuffer(Math.max(bytes, 256));
        direct = d;
        return d;
    }

    private void releaseDirect() {
        ByteBuf d = direct;
        direct = null;
        if (d != null) d.release();
    }

    /** Any thread: drops whatever is not written yet. */
    void close() {
        closed = true;
        synchronized (lock) {
            readyLen = 0;
        }
    }

    /** One per event loop: the connections with frames to write this tick. */
    static final class Batcher implements Runnable {
        private static final Map<EventLoop, Batcher> BY_LOOP = new ConcurrentHashMap<>();
        private final EventLoop loop;
        private final Queue<Outbound> queue = PlatformDependent.newMpscQueue();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        private Batcher(EventLoop loop) {
            this.loop = loop;
        }

        static Batcher of(EventLoop loop) {
            Batcher b = BY_LOOP.get(loop);
            if (b == null) {
                b = BY_LOOP.computeIfAbsent(loop, Batcher::new);
                try {
                    loop.terminationFuture().addListener(f -> BY_LOOP.remove(loop));
                } catch (UnsupportedOperationException neverTerminates) {
                    // Netty's EmbeddedEventLoop (connections tested on an EmbeddedChannel)
                }
            }
            return b;
        }

        void add(Outbound o) {
            queue.offer(o);
            // While a drain is scheduled or running, it will see this one: no second task and
            // no second wake-up of the loop (the tick flushes thousands of connections a tick).
            if (!scheduled.get() && scheduled.compareAndSet(false, true)) schedule();
        }

        private void schedule() {
            try {
                loop.execute(this);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                queue.clear();
            }
        }

        @Override
        public void run() {
            Outbound o;
            while ((o = queue.poll()) != null) o.writeReady(true);
            scheduled.set(false);
            // one added between the last poll and the reset: drain again (from the loop itself)
            if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) schedule();
        }
    }
}

package mmo.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.ServerMessage;
import mmo.server.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cap on unsent bytes ({@code mmo.net.max-pending-bytes}) on the paths into
 * {@link Outbound}: frames relayed from another cluster node ({@link Outbound#appendNow},
 * {@link Connection#deliver}) and the tick's flush. On an {@link EmbeddedChannel}, whose event
 * loop runs only when the test says: frames queued while the loop does not drain them, and
 * writes the "socket" has not taken (written, not flushed), count towards the cap.
 */
class OutboundCapTest {
    private static final int CAP = 65_536;
    private static final byte[] RELAYED = ServerMessage.newBuilder().setChat(ChatMessage.newBuilder()
            .setChannel(ChatChannel.WORLD).setFrom("Far").setText("x".repeat(200))).build().toByteArray();
    /** The relayed message as a WebSocket frame: 4 header bytes (126 to 65535 bytes of payload). */
    private static final int FRAME = RELAYED.length + 4;
    /** What a channel counts per write on top of its bytes (Netty's outboundBufferEntrySizeOverhead). */
    private static final int ENTRY = 96;

    /**
     * An {@link EmbeddedChannel} whose "socket" takes every flush, until {@link #stalled}: then
     * what is flushed stays in the channel's outbound buffer, as with a client that stopped
     * reading. A handler first, so that {@link Outbound} has a pipeline to write into.
     */
    static final class StallingChannel extends EmbeddedChannel {
        boolean stalled;

        StallingChannel() {
            super(new io.netty.channel.ChannelDuplexHandler() {
                @Override
                public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) throws Exception {
                    // the stalled writes fail when the channel closes (as FrameHandler, say nothing)
                    if (!(cause instanceof java.nio.channels.ClosedChannelException)) super.exceptionCaught(ctx, cause);
                }
            });
        }

        @Override
        protected void doWrite(io.netty.channel.ChannelOutboundBuffer in) throws Exception {
            if (!stalled) super.doWrite(in);
        }

        long unsentBytes() {
            io.netty.channel.ChannelOutboundBuffer b = unsafe().outboundBuffer();
            return b == null ? 0 : b.totalPendingWriteBytes();
        }
    }

    @Test
    void relayedFramesTheLoopDoesNotDrainStopAtTheCap() {
        StallingChannel ch = new StallingChannel();
        AtomicInteger overflows = new AtomicInteger();
        Outbound out = new Outbound(ch, CAP, overflows::incrementAndGet);
        int appended = 0;
        // a relay (any thread) keeps delivering; the event loop never gets to write
        while (overflows.get() == 0 && appended < 10_000) {
            out.appendNow(RELAYED, 0, RELAYED.length);
            appended++;
            if (appended > CAP / FRAME + 1) ch.runPendingTasks(); // the cap was passed: the loop runs the overflow
        }
        assertThat(appended).as("frames queued before the cap").isEqualTo(CAP / FRAME + 2);
        assertThat(out.peakPendingBytes()).isGreaterThan(CAP).isLessThanOrEqualTo(CAP + FRAME);
        assertThat(overflows).as("told once, on the event loop").hasValue(1);

        for (int i = 0; i < 100; i++) out.appendNow(RELAYED, 0, RELAYED.length);
        ch.runPendingTasks();
        assertThat(overflows).as("closed: nothing more queued, no second overflow").hasValue(1);
        assertThat(drainBytes(ch)).as("what was queued is dropped, not written").isZero();
        discard(ch);
    }

    @Test
    void relayedFramesCountWhatTheSocketHasNotTaken() {
        StallingChannel ch = new StallingChannel();
        AtomicInteger overflows = new AtomicInteger();
        Outbound out = new Outbound(ch, CAP, overflows::incrementAndGet);
        out.appendNow(RELAYED, 0, RELAYED.length);
        ch.runPendingTasks();
        assertThat(drainBytes(ch)).as("a reading client gets the frame").isEqualTo(FRAME);

        ch.stalled = true; // the client stops reading: each frame the loop writes stays in the channel
        int delivered = 0;
        while (overflows.get() == 0 && delivered < 10_000) {
            out.appendNow(RELAYED, 0, RELAYED.length);
            delivered++;
            ch.runPendingTasks(); // the loop keeps up: every frame goes into the channel
        }
        // one write per frame here: the channel counts each with its overhead
        assertThat(ch.unsentBytes()).as("in the channel when the cap was passed").isGreaterThan(CAP).isLessThanOrEqualTo(CAP + FRAME + ENTRY);
        assertThat(delivered).isEqualTo(CAP / (FRAME + ENTRY) + 2);
        assertThat(out.peakPendingBytes()).isLessThanOrEqualTo(CAP + FRAME + ENTRY);
        discard(ch);
    }

    @Test
    void theTicksFlushStopsAtTheCapToo() {
        StallingChannel ch = new StallingChannel();
        ch.stalled = true;
        AtomicInteger overflows = new AtomicInteger();
        Outbound out = new Outbound(ch, CAP, overflows::incrementAndGet);
        int ticks = 0;
        while (overflows.get() == 0 && ticks < 1_000) { // 20 messages a tick, about 4.3 KB
            for (int i = 0; i < 20; i++) out.append(RELAYED, RELAYED.length);
            out.flush();
            ticks++;
            ch.runPendingTasks();
        }
        assertThat(ticks).isEqualTo(CAP / (20 * FRAME + ENTRY) + 2);
        assertThat(out.peakPendingBytes()).as("the cap plus one tick's flush at most").isLessThanOrEqualTo(CAP + 20 * FRAME + ENTRY);
        discard(ch);
    }

    @Test
    void aSlowClientWhoseFramesComeFromAnotherNodeIsClosed() {
        ServerConfig config = ServerConfig.defaults(Map.of("mmo.net.max-pending-bytes", CAP));
        StallingChannel ch = new StallingChannel();
        ch.stalled = true;
        Connection c = new Connection(ch, new GameContext(config, null, null, null, noWorld(), null, null), System::nanoTime);
        int delivered = 0;
        while (ch.isOpen() && delivered < 10_000) {
            c.deliver(RELAYED, 0, RELAYED.length); // the cluster's relay thread
            delivered++;
            ch.runPendingTasks();
        }
        assertThat(ch.isOpen()).as("closed as a slow client").isFalse();
        assertThat(c.isClosing()).isTrue();
        assertThat(delivered).isEqualTo(CAP / (FRAME + ENTRY) + 2);
        c.deliver(RELAYED, 0, RELAYED.length); // a late relay is dropped without error
        discard(ch);
    }

    private static WorldGateway noWorld() {
        return new WorldGateway() {
            @Override
            public void enter(Connection connection, mmo.server.world.World.JoinRequest join) {
            }

            @Override
            public boolean offer(Connection connection, mmo.protocol.ClientMessage message) {
                return true;
            }

            @Override
            public CompletableFuture<Void> leave(Connection connection) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public int currentTick() {
                return 0;
            }
        };
    }

    /**
     * Closes and frees what the channel still holds. (The writes a stalled channel never sent
     * fail when it closes; they are not what these tests check.)
     */
    private static void discard(EmbeddedChannel ch) {
        ch.close();
        ch.releaseOutbound();
        ch.releaseInbound();
    }

    /** Reads and releases what the channel wrote; returns its size. */
    private static long drainBytes(EmbeddedChannel ch) {
        long n = 0;
        Object o;
        while ((o = ch.readOutbound()) != null) {
            if (o instanceof ByteBuf b) n += b.readableBytes();
            ReferenceCountUtil.release(o);
        }
        return n;
    }
}

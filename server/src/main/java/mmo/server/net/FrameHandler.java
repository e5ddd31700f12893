package mmo.server.net;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import mmo.protocol.ClientMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * Decodes WebSocket frames into {@link ClientMessage}s for the channel's {@link Connection}.
 * Anything that is not one well-formed binary protobuf message closes the connection with a
 * reason; nothing thrown here reaches other players. Event loop only.
 */
final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);
    private final GameContext game;
    private final LongSupplier nanoClock;
    private Connection connection;
    private boolean writabilityCheckQueued;

    FrameHandler(GameContext game) {
        this(game, System::nanoTime);
    }

    /** With the clock the connection's rate limits read (tests). */
    FrameHandler(GameContext game, LongSupplier nanoClock) {
        this.game = game;
        this.nanoClock = nanoClock;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            connection = new Connection(ctx.channel(), game, nanoClock);
        } else if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            // nothing read for mmo.net.idle-timeout: a game connection is told why, HTTP just closed
            if (connection != null) connection.idleTimeout();
            else ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /**
     * The unsent bytes passed the high-water mark ({@code mmo.net.max-pending-bytes}). Checked
     * again after what is running now (usually a write about to be flushed): one tick's large
     * write that the socket takes at once is no slow reader; a client not reading is closed.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (connection != null && !ctx.channel().isWritable() && !writabilityCheckQueued) {
            writabilityCheckQueued = true;
            ctx.executor().execute(() -> {
                writabilityCheckQueued = false;
                if (!ctx.channel().isWritable() && connection != null) {
                    var out = ctx.channel().unsafe().outboundBuffer();
                    connection.slowClient(out == null ? -1 : out.totalPendingWriteBytes());
                }
            });
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (connection == null) return;
        if (!(frame instanceof BinaryWebSocketFrame)) {
            connection.protocolError("only binary frames are accepted, got " + frame.getClass().getSimpleName());
            return;
        }
        ClientMessage m;
        ByteBuf content = frame.content();
        game.traffic().received(content.readableBytes());
        try {
            // Straight from the frame's memory: parsing from a stream would allocate a 4 KiB
            // buffer per message (40,000 inputs a second at 4,000 players).
            m = ClientMessage.parseFrom(content.nioBuffer());
        } catch (InvalidProtocolBufferException e) {
            connection.protocolError("undecodable message (" + content.readableBytes() + " bytes)");
            return;
        }
        if (m.getMsgCase() == ClientMessage.MsgCase.MSG_NOT_SET) {
            connection.protocolError("empty or unknown message");
            return;
        }
        connection.onMessage(m);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (connection != null) connection.onClosed();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.nio.channels.ClosedChannelException) {
            // a write still queued when the connection closed (a slow client's): nothing to tell
            // anyone, and the close is logged once already
            ctx.close();
            return;
        }
        // One line per bad connection: oversized frames, broken framing, resets, failed TLS
        // handshakes. Cut short: some causes quote what the client sent (a plain-text request
        // to the TLS port comes back as a hex dump of it).
        String why = cause.toString();
        log.info("{} closed: {}", ctx.channel().remoteAddress(), why.length() > 300 ? why.substring(0, 300) + "..." : why);
        if (connection != null) {
            connection.protocolError(cause.getClass().getSimpleName());
        } else {
            ctx.close();
        }
    }
}

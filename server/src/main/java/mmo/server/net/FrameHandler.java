package mmo.server.net;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import mmo.protocol.ClientMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes WebSocket frames into {@link ClientMessage}s for the channel's {@link Connection}.
 * Anything that is not one well-formed binary protobuf message closes the connection with a
 * reason; nothing thrown here reaches other players. Event loop only.
 */
final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);
    private final GameContext game;
    private Connection connection;

    FrameHandler(GameContext game) {
        this.game = game;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            connection = new Connection(ctx.channel(), game);
        }
        super.userEventTriggered(ctx, evt);
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
        // One line per bad connection: oversized frames, broken framing, resets.
        log.info("{} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        if (connection != null) {
            connection.protocolError(cause.getClass().getSimpleName());
        } else {
            ctx.close();
        }
    }
}

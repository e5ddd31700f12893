package mmo.client;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import mmo.protocol.ClientMessage;
import mmo.protocol.ServerMessage;

/**
 * The last handler of a client's pipeline: turns binary frames into {@link ServerMessage}s for
 * its {@link MmoClient} and {@link ClientMessage}s into binary frames. Runs on the channel's
 * event loop, like everything in the pipeline.
 */
final class ClientHandler extends ChannelDuplexHandler {
    private final MmoClient client;

    ClientHandler(MmoClient client) {
        this.client = client;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            client.onHandshakeComplete();
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            client.onException(new TimeoutException("WebSocket handshake timed out"));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof BinaryWebSocketFrame frame) {
                ByteBuf content = frame.content();
                client.countFrame(content.readableBytes());
                ServerMessage message;
                try {
                    if (client.leanView() != null && content.nioBufferCount() == 1
                            && client.tryLeanUpdate(CodedInputStream.newInstance(content.nioBuffer()))) {
                        return;
                    }
                    message = decode(content);
                } catch (IOException e) {
                    client.protocolError("undecodable frame of " + frame.content().readableBytes() + " bytes: "
                            + e.getMessage());
                    return;
                }
                client.onMessage(message);
            } else if (msg instanceof CloseWebSocketFrame close) {
                client.onCloseFrame(close.statusCode(), close.reasonText());
            } else if (msg instanceof WebSocketFrame frame) {
                client.protocolError("unexpected " + frame.getClass().getSimpleName());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static ServerMessage decode(ByteBuf content) throws IOException {
        if (content.nioBufferCount() == 1) {
            return ServerMessage.parseFrom(content.nioBuffer());
        }
        try (ByteBufInputStream in = new ByteBufInputStream(content)) {
            return ServerMessage.parseFrom(in);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof ClientMessage message) {
            int size = message.getSerializedSize();
            ByteBuf buf = ctx.alloc().ioBuffer(size);
            try {
                // Serialise straight into the (usually direct) buffer: no intermediate byte[].
                CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(0, size));
                message.writeTo(out);
                out.flush();
                buf.writerIndex(size);
            } catch (IOException | RuntimeException e) {
                buf.release();
                promise.setFailure(e);
                return;
            }
            ctx.write(new BinaryWebSocketFrame(buf), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        client.onException(cause);
    }
}

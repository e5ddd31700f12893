package mmo.server.net;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import mmo.protocol.ChatSend;
import mmo.protocol.ClientMessage;
import mmo.protocol.Constants;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.protocol.Hello;
import mmo.protocol.Ping;
import mmo.protocol.ServerMessage;
import mmo.server.config.ServerConfig;
import mmo.server.world.World;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport's per-connection limits on an {@link EmbeddedChannel} with a hand-moved clock:
 * token buckets per kind of message, closing a connection that keeps going over them, the idle
 * time-out and the cap on unsent bytes (a client that stops reading).
 */
class TransportLimitsTest {
    private static final ServerConfig CONFIG = ServerConfig.defaults(Map.of());
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(123 * SECOND);

    @Test
    void pingsPastTheBurstAreRefusedUntilTheBucketRefills() {
        EmbeddedChannel ch = connect();
        for (int i = 0; i < 5; i++) { // burst 5
            assertThat(ask(ch, ping())).singleElement().satisfies(m -> assertThat(m.hasPong()).isTrue());
        }
        assertThat(ask(ch, ping())).singleElement().satisfies(m -> assertThat(m.getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED));
        now.addAndGet(SECOND / 2); // 2/s: one more token
        assertThat(ask(ch, ping())).singleElement().satisfies(m -> assertThat(m.hasPong()).isTrue());
        assertThat(ask(ch, ping())).singleElement().satisfies(m -> assertThat(m.getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED));
        now.addAndGet(60 * SECOND); // refills to the burst, no more
        for (int i = 0; i < 5; i++) assertThat(ask(ch, ping()).getFirst().hasPong()).isTrue();
        assertThat(ask(ch, ping()).getFirst().getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void eachKindHasItsOwnBucket() {
        EmbeddedChannel ch = connect();
        for (int i = 0; i < 5; i++) ask(ch, ping());
        assertThat(ask(ch, ping()).getFirst().getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        ClientMessage chat = ClientMessage.newBuilder().setRid(5).setChat(ChatSend.newBuilder().setText("hi")).build();
        for (int i = 0; i < 10; i++) { // chat burst 10: answered (here: not in the world), not rate limited
            assertThat(ask(ch, chat).getFirst().getError().getCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
        assertThat(ask(ch, chat).getFirst().getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        ch.finishAndReleaseAll();
    }

    @Test
    void ignoreAndAdminRequestsShareTheAccountBucket() {
        EmbeddedChannel ch = connect();
        ClientMessage ignore = ClientMessage.newBuilder().setRid(6)
                .setIgnore(mmo.protocol.Ignore.newBuilder().setName("Troll")).build();
        ClientMessage admin = ClientMessage.newBuilder().setRid(7).setAdmin(mmo.protocol.AdminCommand.newBuilder()
                .setAction(mmo.protocol.AdminAction.BROADCAST).setText("hi")).build();
        for (int i = 0; i < 15; i++) { // account burst 30: answered (here: not logged in), not rate limited
            assertThat(ask(ch, ignore).getFirst().getError().getCode()).isEqualTo(ErrorCode.NOT_AUTHENTICATED);
            assertThat(ask(ch, admin).getFirst().getError().getCode()).isEqualTo(ErrorCode.NOT_AUTHENTICATED);
        }
        assertThat(ask(ch, ignore).getFirst().getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(ask(ch, admin).getFirst().getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        // chat has a bucket of its own
        ClientMessage chat = ClientMessage.newBuilder().setRid(5).setChat(ChatSend.newBuilder().setText("hi")).build();
        assertThat(ask(ch, chat).getFirst().getError().getCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatKeepsGoingOverItsLimitsIsClosed() {
        EmbeddedChannel ch = connect();
        for (int i = 0; i < 5; i++) ask(ch, ping());
        for (int i = 0; i < 50; i++) { // 50 refusals in the window: still open
            assertThat(ask(ch, ping()).getFirst().getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        }
        assertThat(ch.isOpen()).isTrue();
        send(ch, ping());
        List<Object> out = drain(ch);
        assertThat(out).hasSize(2);
        assertThat(((ServerMessage) out.get(0)).getDisconnect().getReason()).isEqualTo(DisconnectReason.TOO_MANY_REQUESTS);
        assertThat(((CloseWebSocketFrame) out.get(1)).statusCode()).isEqualTo(4000 + DisconnectReason.TOO_MANY_REQUESTS_VALUE);
        ch.finishAndReleaseAll();
    }

    @Test
    void refusalsSpreadOverWindowsDoNotClose() {
        EmbeddedChannel ch = connect();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 5; i++) ask(ch, ping());
            for (int i = 0; i < 40; i++) assertThat(ask(ch, ping()).getFirst().getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
            now.addAndGet(11 * SECOND);
        }
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionSilentForTheIdleTimeoutIsClosedWithAReason() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new IdleStateHandler(CONFIG.netLimits().idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                new FrameHandler(game(), now::get));
        handshake(ch);
        assertThat(CONFIG.netLimits().idleTimeout()).hasSeconds(120);
        ch.advanceTimeBy(119, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ask(ch, ping()).getFirst().hasPong()).isTrue(); // a message resets the time-out
        ch.advanceTimeBy(119, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(drain(ch)).isEmpty();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        List<Object> out = drain(ch);
        assertThat(out).hasSize(2);
        assertThat(((ServerMessage) out.get(0)).getDisconnect().getReason()).isEqualTo(DisconnectReason.IDLE_TIMEOUT);
        assertThat(((CloseWebSocketFrame) out.get(1)).statusCode()).isEqualTo(4000 + DisconnectReason.IDLE_TIMEOUT_VALUE);
        ch.finishAndReleaseAll();
    }

    @Test
    void aClientThatStopsReadingIsClosedOnceItsUnsentBytesPassTheCap() {
        EmbeddedChannel ch = connect();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(32 * 1024, 64 * 1024));
        // what the socket does not take stays pending: here, writes that are never flushed
        for (int i = 0; i < 4; i++) ch.write(Unpooled.wrappedBuffer(new byte[10_000]));
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("under the cap").isTrue();
        for (int i = 0; i < 4; i++) ch.write(Unpooled.wrappedBuffer(new byte[10_000]));
        assertThat(ch.isWritable()).isFalse();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("over the cap").isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void oneLargeWriteTheSocketTakesAtOnceIsNoSlowClient() {
        EmbeddedChannel ch = connect();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(32 * 1024, 64 * 1024));
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[200_000])); // unwritable until flushed
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        assertThat(ask(ch, ping())).isNotEmpty();
        ch.finishAndReleaseAll();
    }

    // ------------------------------------------------------------------ the channel

    private EmbeddedChannel connect() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameHandler(game(), now::get));
        handshake(ch);
        return ch;
    }

    private static void handshake(EmbeddedChannel ch) {
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/ws", new DefaultHttpHeaders(), null));
        ClientMessage hello = ClientMessage.newBuilder().setRid(1)
                .setHello(Hello.newBuilder().setProtocolVersion(Constants.PROTOCOL_VERSION_VALUE).setClient("test")).build();
        assertThat(ask(ch, hello)).singleElement().satisfies(m -> assertThat(m.hasWelcome()).isTrue());
    }

    private static GameContext game() {
        WorldGateway gateway = new WorldGateway() {
            @Override
            public void enter(Connection connection, World.JoinRequest join) {
            }

            @Override
            public boolean offer(Connection connection, ClientMessage message) {
                return true;
            }

            @Override
            public CompletableFuture<Void> leave(Connection connection) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public int currentTick() {
                return 7;
            }
        };
        return new GameContext(CONFIG, null, null, null, gateway, null, null);
    }

    private static ClientMessage ping() {
        return ClientMessage.newBuilder().setRid(2).setPing(Ping.newBuilder().setClientTime(1)).build();
    }

    private static void send(EmbeddedChannel ch, ClientMessage m) {
        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(m.toByteArray())));
        ch.checkException();
    }

    /** Sends {@code m}; the server's messages written since (no close frames expected). */
    private static List<ServerMessage> ask(EmbeddedChannel ch, ClientMessage m) {
        send(ch, m);
        List<ServerMessage> out = new ArrayList<>();
        for (Object o : drain(ch)) out.add((ServerMessage) o);
        return out;
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            try {
                if (o instanceof BinaryWebSocketFrame b) out.add(ServerMessage.parseFrom(ByteBufUtil.getBytes(b.content())));
                else if (o instanceof CloseWebSocketFrame c) out.add(c.retain());
                else if (!(o instanceof io.netty.buffer.ByteBuf)) throw new AssertionError("unexpected write " + o);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return out;
    }
}

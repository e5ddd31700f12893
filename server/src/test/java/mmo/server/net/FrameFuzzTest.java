package mmo.server.net;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import mmo.protocol.ClientMessage;
import mmo.protocol.Constants;
import mmo.protocol.DisconnectReason;
import mmo.protocol.Hello;
import mmo.protocol.Input;
import mmo.protocol.Login;
import mmo.protocol.Ping;
import mmo.protocol.ServerMessage;
import mmo.server.account.AccountService;
import mmo.server.account.PasswordHasher;
import mmo.server.config.ServerConfig;
import mmo.server.fuzz.Mutations;
import mmo.server.game.MapStartPoints;
import mmo.server.persistence.AccountRepository;
import mmo.server.persistence.CharacterRepository;
import mmo.server.persistence.Database;
import mmo.server.persistence.SessionRepository;
import mmo.server.world.World;
import mmo.server.world.map.TileMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the wire decoder: arbitrary bytes and mutated valid frames through {@link FrameHandler}
 * on an {@link EmbeddedChannel}, before and after the handshake's hello. No exception reaches
 * the pipeline; the sender gets answers or one clean protocol-error close; a well-behaved
 * connection next to it keeps being answered. Few tries in the test run; {@code -Djqwik.tries.default=N}
 * for a long run.
 */
class FrameFuzzTest {
    // the neighbour pings after every frame, faster than the default ping limit (TransportLimitsTest's subject)
    private static final ServerConfig CONFIG = ServerConfig.defaults(Map.of("mmo.net.rate-limits.ping.burst", 1_000_000));
    private static final byte[] HELLO = ClientMessage.newBuilder().setRid(1)
            .setHello(Hello.newBuilder().setProtocolVersion(Constants.PROTOCOL_VERSION_VALUE).setClient("fuzz")).build().toByteArray();
    private static final byte[][] VALID = {
            HELLO,
            ClientMessage.newBuilder().setRid(2).setPing(Ping.newBuilder().setClientTime(123)).build().toByteArray(),
            ClientMessage.newBuilder().setRid(3).setInput(Input.newBuilder().setSeq(9).setDx(1).setDy(-1)).build().toByteArray(),
            ClientMessage.newBuilder().setLogin(Login.newBuilder().setUsername("someone").setPassword("secret12")).build().toByteArray(),
    };

    /** A frame: binary (0), text (1) or ping (2), and its bytes. */
    record Frame(int type, byte[] bytes) {
        WebSocketFrame netty() {
            return switch (type) {
                case 0 -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes));
                case 1 -> new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes));
                default -> new PingWebSocketFrame(Unpooled.wrappedBuffer(bytes));
            };
        }

        @Override
        public String toString() {
            return type + ":" + java.util.HexFormat.of().formatHex(bytes);
        }
    }

    /** The frames one client sends; {@code hello}: a valid hello goes first. */
    record Attack(boolean hello, List<Frame> frames) {}

    @Property
    void badFramesCloseOneConnectionCleanlyAndNoOther(@ForAll("attacks") Attack attack) {
        ListAppender<ILoggingEvent> escaped = new ListAppender<>();
        escaped.start();
        Logger frameLog = (Logger) LoggerFactory.getLogger(FrameHandler.class);
        frameLog.addAppender(escaped);
        EmbeddedChannel bad = connect(), good = connect();
        try {
            send(good, HELLO);
            assertThat(replies(good)).singleElement().satisfies(m -> assertThat(m.hasWelcome()).isTrue());
            if (attack.hello()) {
                send(bad, HELLO);
                replies(bad);
            }
            List<ServerMessage> answers = new ArrayList<>();
            boolean closed = false;
            for (Frame f : attack.frames()) {
                bad.writeInbound(f.netty());
                bad.checkException();
                for (Object out : drain(bad)) {
                    if (out instanceof CloseWebSocketFrame) closed = true;
                    else answers.add((ServerMessage) out);
                }
                // the neighbour is unaffected
                send(good, VALID[1]);
                assertThat(replies(good)).singleElement().satisfies(m -> assertThat(m.hasPong()).isTrue());
            }
            assertThat(escaped.list).as("exceptions that reached the pipeline").isEmpty();
            List<DisconnectReason> reasons = answers.stream().filter(ServerMessage::hasDisconnect)
                    .map(m -> m.getDisconnect().getReason()).toList();
            assertThat(reasons).as("disconnects").hasSizeLessThanOrEqualTo(1)
                    .allSatisfy(r -> assertThat(r).isIn(DisconnectReason.PROTOCOL_ERROR, DisconnectReason.VERSION_MISMATCH_CLOSE,
                            DisconnectReason.LOGGED_OUT, DisconnectReason.INPUT_OVERFLOW));
            assertThat(closed).as("closed exactly when told why").isEqualTo(!reasons.isEmpty());
        } finally {
            frameLog.detachAppender(escaped);
            bad.finishAndReleaseAll();
            good.finishAndReleaseAll();
        }
    }

    // ------------------------------------------------------------------ the channel

    /**
     * The account service of every fuzzed connection: a real one whose worker drops the work, so
     * a mutated frame that turns into a valid account request (a login's tag flipped to a
     * register) reaches it and is simply never answered. The decoder is the subject here;
     * AccountServiceTest covers the requests.
     */
    private static final AccountService ACCOUNTS = noAnswers();

    private static AccountService noAnswers() {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("frame-fuzz-");
            dir.toFile().deleteOnExit();
            Database db = Database.open("jdbc:sqlite:" + dir.resolve("accounts.db"));
            return new AccountService(new AccountRepository(db), new CharacterRepository(db), new SessionRepository(db),
                    new PasswordHasher(64, 1, 1), new MapStartPoints(TileMap.loadResource("maps/test.tmj")), "Fuzzland",
                    work -> { });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A connection past the WebSocket handshake, with accounts that never answer and a world that takes every input. */
    private static EmbeddedChannel connect() {
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
        EmbeddedChannel ch = new EmbeddedChannel(new FrameHandler(new GameContext(CONFIG, ACCOUNTS, null, null, gateway, null, null)));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/ws", new DefaultHttpHeaders(), null));
        return ch;
    }

    private static void send(EmbeddedChannel ch, byte[] bytes) {
        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
        ch.checkException();
    }

    private static List<ServerMessage> replies(EmbeddedChannel ch) {
        List<ServerMessage> out = new ArrayList<>();
        for (Object o : drain(ch)) {
            assertThat(o).as("a close").isInstanceOf(ServerMessage.class);
            out.add((ServerMessage) o);
        }
        return out;
    }

    /** What the server wrote: its messages decoded, and close frames. */
    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            try {
                if (o instanceof BinaryWebSocketFrame b) {
                    out.add(ServerMessage.parseFrom(io.netty.buffer.ByteBufUtil.getBytes(b.content())));
                } else if (o instanceof CloseWebSocketFrame c) {
                    out.add(c.retain());
                } else {
                    throw new AssertionError("unexpected write " + o);
                }
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("the server wrote bytes that do not decode", e);
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<Attack> attacks() {
        Arbitrary<byte[]> bytes = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(48),
                Arbitraries.of(VALID).flatMap(Mutations::of),
                Arbitraries.of(VALID));
        Arbitrary<Frame> frame = net.jqwik.api.Combinators.combine(
                Arbitraries.frequency(net.jqwik.api.Tuple.of(12, 0), net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(1, 2)), bytes)
                .as(Frame::new);
        return net.jqwik.api.Combinators.combine(Arbitraries.of(true, false), frame.list().ofMinSize(1).ofMaxSize(6))
                .as(Attack::new)
                // no account service here: a login, registration or resume after hello is another test's subject
                .filter(a -> !a.hello() || a.frames().stream().noneMatch(FrameFuzzTest::needsAccounts));
    }

    private static boolean needsAccounts(Frame f) {
        try {
            ClientMessage m = ClientMessage.parseFrom(f.bytes());
            return switch (m.getMsgCase()) {
                case REGISTER, LOGIN, RESUME -> true;
                default -> false;
            };
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }
}

package mmo.client;

import static org.assertj.core.api.Assertions.fail;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterCreated;
import mmo.protocol.CharacterList;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatMessage;
import mmo.protocol.ClientMessage;
import mmo.protocol.Constants;
import mmo.protocol.Disconnect;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.protocol.LoginOk;
import mmo.protocol.Pong;
import mmo.protocol.ServerMessage;
import mmo.protocol.Welcome;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldInfo;
import mmo.protocol.WorldList;

/**
 * A tiny WebSocket server speaking just enough of the protocol to exercise the client:
 * canned answers to each request (with its rid), plus hooks for tests to see what a client
 * sent and to push messages, garbage or a disconnect at it. Runs on its own one-thread event
 * loop; {@link Session} methods may be called from any thread.
 */
final class FakeServer implements AutoCloseable {
    static final String USER = "alice";
    static final String PASSWORD = "password1";
    static final String TOKEN = "tok-alice";
    static final CharacterSummary ALIA = CharacterSummary.newBuilder()
            .setId(42).setName("Alia").setCharacterClass(CharacterClass.MAGE).setWorld("overworld").build();
    static final int OWN_ENTITY = 100;
    static final WorldInfo OVERWORLD = WorldInfo.newBuilder()
            .setName("overworld").setMap("/maps/world.tmj").setPopulation(3).setCapacity(100).build();
    static final WorldInfo UNDERWORLD = WorldInfo.newBuilder()
            .setName("underworld").setMap("/maps/under.tmj").setPopulation(0).setCapacity(10).build();
    /** How many players ListWorlds says the overworld has (login says 3). */
    volatile int overworldPopulation = 4;
    static final int ENTER_TICK = 1000;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel serverChannel;
    private final BlockingQueue<Session> sessions = new LinkedBlockingQueue<>();
    /** When false, only Hello is answered; tests answer everything else by hand. */
    volatile boolean autoReply = true;

    private final boolean tls;

    FakeServer() throws InterruptedException {
        this(null);
    }

    /** @param ssl a server TLS context to serve wss, or {@code null} for plain ws */
    FakeServer(SslContext ssl) throws InterruptedException {
        tls = ssl != null;
        serverChannel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/ws").maxFramePayloadLength(MmoClient.MAX_FRAME_BYTES).build()),
                                new Session(ch));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    URI uri() {
        return URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + ((InetSocketAddress) serverChannel.localAddress()).getPort() + "/ws");
    }

    /** @return the next session whose WebSocket handshake completed, waiting up to 5 s */
    Session nextSession() throws InterruptedException {
        Session s = sessions.poll(5, TimeUnit.SECONDS);
        if (s == null) {
            fail("no client connected within 5 s");
        }
        return s;
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One client connection, as the server sees it. */
    final class Session extends SimpleChannelInboundHandler<WebSocketFrame> {
        final Channel channel;
        private final BlockingQueue<ClientMessage> received = new LinkedBlockingQueue<>();

        Session(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                sessions.add(this);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws IOException {
            if (!(frame instanceof BinaryWebSocketFrame)) {
                return;
            }
            ClientMessage m = ClientMessage.parseFrom(new ByteBufInputStream(frame.content()));
            received.add(m);
            if (m.hasHello()) {
                hello(m);
            } else if (autoReply) {
                answer(m);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Expected in tests that make the client misbehave (e.g. reject our certificate).
            ctx.close();
        }

        /** @return the next message the client sent, waiting up to 5 s */
        ClientMessage take() throws InterruptedException {
            ClientMessage m = received.poll(5, TimeUnit.SECONDS);
            if (m == null) {
                fail("client sent nothing within 5 s");
            }
            return m;
        }

        /** @return the next message matching {@code p}, skipping others */
        ClientMessage take(Predicate<ClientMessage> p) throws InterruptedException {
            while (true) {
                ClientMessage m = take();
                if (p.test(m)) {
                    return m;
                }
            }
        }

        ChannelFuture send(ServerMessage m) {
            return channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(m.toByteArray())));
        }

        ChannelFuture sendRaw(byte[] bytes) {
            return channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
        }

        /** Sends Disconnect then a close frame with 4000 + reason, as the contract says. */
        void disconnect(DisconnectReason reason, String message) {
            send(ServerMessage.newBuilder().setDisconnect(Disconnect.newBuilder().setReason(reason).setMessage(message))
                    .build());
            channel.writeAndFlush(new CloseWebSocketFrame(4000 + reason.getNumber(), message))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        private void hello(ClientMessage m) {
            if (m.getHello().getProtocolVersion() != Constants.PROTOCOL_VERSION_VALUE) {
                error(m.getRid(), ErrorCode.VERSION_MISMATCH, "server speaks version 1");
                disconnect(DisconnectReason.VERSION_MISMATCH_CLOSE, "version mismatch");
                return;
            }
            send(ServerMessage.newBuilder().setRid(m.getRid()).setWelcome(Welcome.newBuilder()
                    .setProtocolVersion(Constants.PROTOCOL_VERSION_VALUE).setServer("fake/0").setTickRate(20)).build());
        }

        private void answer(ClientMessage m) {
            int rid = m.getRid();
            ServerMessage.Builder reply = ServerMessage.newBuilder().setRid(rid);
            switch (m.getMsgCase()) {
                case REGISTER -> {
                    if (m.getRegister().getPassword().length() < 8) {
                        error(rid, ErrorCode.INVALID_PASSWORD, "at least 8 characters");
                    } else {
                        send(reply.setLoginOk(loginOk(m.getRegister().getUsername())).build());
                    }
                }
                case LOGIN -> {
                    if (m.getLogin().getUsername().equals(USER) && m.getLogin().getPassword().equals(PASSWORD)) {
                        send(reply.setLoginOk(loginOk(USER).addCharacters(ALIA)).build());
                    } else {
                        error(rid, ErrorCode.BAD_CREDENTIALS, "unknown user or wrong password");
                    }
                }
                case RESUME -> {
                    if (m.getResume().getToken().equals(TOKEN)) {
                        send(reply.setLoginOk(loginOk(USER).addCharacters(ALIA)).build());
                    } else {
                        error(rid, ErrorCode.SESSION_EXPIRED, "log in again");
                    }
                }
                case CREATE_CHARACTER -> {
                    String world = m.getCreateCharacter().getWorld();
                    if (m.getCreateCharacter().getName().equals("Taken")) {
                        error(rid, ErrorCode.NAME_TAKEN, "name taken");
                    } else if (!world.isEmpty() && !world.equals(OVERWORLD.getName()) && !world.equals(UNDERWORLD.getName())) {
                        error(rid, ErrorCode.NO_SUCH_WORLD, "no world named " + world);
                    } else {
                        send(reply.setCharacterCreated(CharacterCreated.newBuilder().setCharacter(
                                CharacterSummary.newBuilder().setId(43).setName(m.getCreateCharacter().getName())
                                        .setCharacterClass(m.getCreateCharacter().getCharacterClass())
                                        .setAppearance(m.getCreateCharacter().getAppearance())
                                        .setWorld(world.isEmpty() ? OVERWORLD.getName() : world))).build());
                    }
                }
                case ENTER_WORLD -> {
                    if (m.getEnterWorld().getCharacterId() != ALIA.getId()) {
                        error(rid, ErrorCode.NO_SUCH_CHARACTER, "no such character");
                    } else {
                        send(reply.setWorldEntered(WorldEntered.newBuilder().setEntityId(OWN_ENTITY)
                                .setWorld("overworld").setMap("/maps/world.tmj").setX(160).setY(320)
                                .setTick(ENTER_TICK).setTickRate(20).setSpeed(4f).setViewRadius(24f)
                                .setCharacter(ALIA)).build());
                    }
                }
                case LEAVE_WORLD -> send(reply.setCharacters(CharacterList.newBuilder().addCharacters(ALIA)).build());
                case CHAT -> {
                    if (m.getChat().getText().equals("bad")) {
                        error(rid, ErrorCode.CHAT_REJECTED, "rejected");
                    } else {
                        send(reply.setChat(ChatMessage.newBuilder().setChannel(m.getChat().getChannel())
                                .setFrom(ALIA.getName()).setFromEntity(OWN_ENTITY).setText(m.getChat().getText())
                                .setTo(m.getChat().getTarget())).build());
                    }
                }
                case LIST_WORLDS -> send(reply.setWorlds(WorldList.newBuilder()
                        .addWorlds(OVERWORLD.toBuilder().setPopulation(overworldPopulation)).addWorlds(UNDERWORLD)).build());
                case LOGOUT -> disconnect(DisconnectReason.LOGGED_OUT, "logged out");
                case PING -> send(reply.setPong(Pong.newBuilder().setClientTime(m.getPing().getClientTime())
                        .setServerTime(System.currentTimeMillis()).setTick(ENTER_TICK)).build());
                default -> {
                    // input and emote need no answer
                }
            }
        }

        private LoginOk.Builder loginOk(String username) {
            return LoginOk.newBuilder().setAccountId(1).setUsername(username).setSessionToken(TOKEN)
                    .addWorlds(OVERWORLD).addWorlds(UNDERWORLD);
        }

        void error(int rid, ErrorCode code, String message) {
            send(ServerMessage.newBuilder().setRid(rid).setError(
                    mmo.protocol.Error.newBuilder().setCode(code).setMessage(message)).build());
        }
    }
}

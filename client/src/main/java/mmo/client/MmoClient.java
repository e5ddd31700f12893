package mmo.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import mmo.protocol.ChangePassword;
import mmo.protocol.CharacterList;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.ChatSend;
import mmo.protocol.ClientMessage;
import mmo.protocol.Constants;
import mmo.protocol.CreateCharacter;
import mmo.protocol.Disconnect;
import mmo.protocol.Emote;
import mmo.protocol.EmoteSend;
import mmo.protocol.EnterWorld;
import mmo.protocol.Hello;
import mmo.protocol.Input;
import mmo.protocol.LeaveWorld;
import mmo.protocol.Login;
import mmo.protocol.ListWorlds;
import mmo.protocol.LoginOk;
import mmo.protocol.Logout;
import mmo.protocol.LogoutEverywhere;
import mmo.protocol.Ping;
import mmo.protocol.Pong;
import mmo.protocol.Register;
import mmo.protocol.ResumeSession;
import mmo.protocol.ServerMessage;
import mmo.protocol.Welcome;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to an MMO server over a WebSocket: sends requests, matches replies to them by
 * request id, keeps the {@link WorldView} current and tells a {@link ClientListener} what
 * arrives.
 *
 * <h2>Threads</h2>
 * Each client lives on one Netty event-loop thread (possibly shared with many other clients).
 * Its methods may be called from any thread. Incoming messages, listener callbacks, and the
 * completion of every future returned here happen on that event-loop thread: dependent stages
 * added without an executor run there too, so they must not block (in particular, never
 * {@code join()} a client future on the event loop). {@link #view()} may only be read on the
 * event loop; {@link #snapshot()} works anywhere.
 *
 * <h2>Requests and errors</h2>
 * Requests ({@link #login}, {@link #enterWorld}, ...) get a fresh request id; the reply with
 * that id completes the future, an {@code Error} with it fails the future with
 * {@link ServerError}. Fire-and-forget messages ({@link #say}, {@link #emote}, ...) also carry
 * a request id so that a rejection can be reported; see {@link #say} for what their futures
 * mean. {@link #sendInput} carries no request id: it is the hot path and its errors, if any,
 * reach {@link ClientListener#onError}. When the connection closes, every outstanding future
 * fails with {@link ConnectionClosedException} (except as documented for {@link #logout} and
 * fire-and-forget messages).
 *
 * <h2>Lifecycle</h2>
 * {@link #connect} completes once the server's {@code Welcome} arrived. {@link #close()} ends
 * the connection; the server may end it too, which {@link #closed()} and
 * {@link ClientListener#onDisconnect} report.
 */
public final class MmoClient implements AutoCloseable {
    /** Largest WebSocket frame either side may send, in bytes. */
    public static final int MAX_FRAME_BYTES = 64 * 1024;
    /**
     * How many fire-and-forget messages are watched for an error at once; beyond that the oldest
     * is considered accepted. Bounds memory for a client that chats or emotes without end
     * against a server that does not echo request ids.
     */
    public static final int MAX_UNCONFIRMED = 256;

    private static final Logger log = LoggerFactory.getLogger(MmoClient.class);
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final URI uri;
    private final ClientOptions options;
    private final ClientListener listener;
    private final EventLoopGroup ownedGroup;
    private final CompletableFuture<MmoClient> connectFuture = new CompletableFuture<>();
    private final CompletableFuture<CloseInfo> closedFuture = new CompletableFuture<>();
    private final AtomicInteger inputSeq = new AtomicInteger();
    private final WorldView view = new WorldView(this::protocolError);
    private final LeanView lean;
    private final boolean trackWorld;

    // Set once on the event loop in init(), before connect() can hand the client to anyone.
    private Channel channel;
    private EventLoop loop;

    // Event-loop confined from here on.
    private final IntObjectMap<Pending> requests = new IntObjectHashMap<>();
    private volatile List<String> ignoreList = List.of();
    private final Map<Integer, CompletableFuture<Void>> unconfirmed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, CompletableFuture<Void>> eldest) {
            if (size() > MAX_UNCONFIRMED) {
                eldest.getValue().complete(null);
                return true;
            }
            return false;
        }
    };
    // Added to by the calling thread itself, not through a task on the loop: a task could run
    // after the loop had read (and dropped) the very message the caller then waits for.
    private final Queue<Waiter<ChatMessage>> chatWaiters = new ConcurrentLinkedQueue<>();
    private final List<Waiter<WorldView.Snapshot>> updateWaiters = new ArrayList<>();
    private final Queue<Waiter<ServerMessage>> messageWaiters = new ConcurrentLinkedQueue<>();
    // How many messages the loop has begun to handle (the loop alone writes it).
    private volatile long dispatched;
    // The newest game state the server sent (any thread reads them).
    private volatile mmo.protocol.Inventory inventory = mmo.protocol.Inventory.getDefaultInstance();
    private volatile mmo.protocol.CharacterStats stats = mmo.protocol.CharacterStats.getDefaultInstance();
    private volatile mmo.protocol.TradeState trade = mmo.protocol.TradeState.getDefaultInstance();
    private int lastRid;
    private boolean handshakeDone;
    // Also read by isOpen() on any thread.
    private volatile boolean closingLocally;
    private Disconnect disconnect;
    private int closeCode = CloseInfo.ABNORMAL;
    private String closeReason = "";
    private Throwable connectFailure;
    private ScheduledFuture<?> connectTimer;

    // Written on the event loop, read anywhere.
    private volatile Welcome welcome;
    private volatile CloseInfo closeInfo;
    private volatile WorldView.Snapshot finalSnapshot;
    private volatile List<WorldInfo> worlds = List.of();
    private volatile long protocolErrors;
    private volatile long bytesReceived;

    private MmoClient(URI uri, ClientOptions options, EventLoopGroup ownedGroup) {
        this.uri = uri;
        this.options = options;
        this.listener = options.listener();
        this.ownedGroup = ownedGroup;
        this.trackWorld = options.trackWorld();
        this.lean = trackWorld ? null : new LeanView();
    }

    /**
     * Connects with {@link ClientOptions#defaults()}.
     *
     * @param wsUri the server's WebSocket address, {@code ws://host:port/path} or {@code wss://...}
     * @return completes when the server welcomed the client; see {@link #connect(URI, ClientOptions)}
     */
    public static CompletableFuture<MmoClient> connect(URI wsUri) {
        return connect(wsUri, ClientOptions.defaults());
    }

    /**
     * Opens a WebSocket to the server, sends {@code Hello} and waits for {@code Welcome}.
     *
     * <p>The future fails with {@link ServerError} if the server answers {@code Hello} with an
     * error (e.g. {@code VERSION_MISMATCH}), with {@link ConnectionClosedException} if the
     * connection closes first, with {@link TimeoutException} after
     * {@link ClientOptions#connectTimeout()}, or with the I/O error that prevented connecting.
     * Whatever the outcome, a client that failed to connect has released its resources.
     *
     * @param wsUri   the server's WebSocket address, {@code ws://host:port/path} or {@code wss://...}
     * @param options event loop, listener, name, ...
     * @return completes on the client's event loop with the connected client
     */
    public static CompletableFuture<MmoClient> connect(URI wsUri, ClientOptions options) {
        Objects.requireNonNull(wsUri, "wsUri");
        Objects.requireNonNull(options, "options");
        String scheme = wsUri.getScheme() == null ? "" : wsUri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = scheme.equals("wss");
        if (!tls && !scheme.equals("ws")) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a ws:// or wss:// URI: " + wsUri));
        }
        String host = wsUri.getHost();
        if (host == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no host in " + wsUri));
        }
        int port = wsUri.getPort() != -1 ? wsUri.getPort() : tls ? 443 : 80;
        SslContext ssl = null;
        if (tls) {
            try {
                ssl = options.sslContext() != null ? options.sslContext()
                        : SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
            } catch (SSLException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        EventLoopGroup group = options.eventLoopGroup();
        EventLoopGroup owned = null;
        if (group == null) {
            // Daemon threads: a forgotten client must not keep the JVM alive.
            owned = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("mmo-client", true),
                    NioIoHandler.newFactory());
            group = owned;
        }
        MmoClient client = new MmoClient(wsUri, options, owned);
        SslContext sslContext = ssl;
        long timeoutMillis = options.connectTimeout().toMillis();
        try {
            new Bootstrap()
                    .group(group)
                    .channel(options.channelType())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeoutMillis, Integer.MAX_VALUE))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            client.init(ch, sslContext, host, port, timeoutMillis);
                        }
                    })
                    .connect(host, port)
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            // Watched only from here: before this, the failed connect reports
                            // the cause, and both listeners racing would lose it.
                            f.channel().closeFuture().addListener(closed -> client.onClosed());
                        } else {
                            client.onConnectFailed(f.cause());
                        }
                    });
        } catch (RuntimeException e) {
            client.failConnect(e);
        }
        return client.connectFuture;
    }

    private void init(Channel ch, SslContext ssl, String host, int port, long timeoutMillis) {
        channel = ch;
        loop = ch.eventLoop();
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            SslHandler tls = ssl.newHandler(ch.alloc(), host, port);
            // Verify the host name even with a caller's context, which may not ask for it.
            SSLParameters params = tls.engine().getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            tls.engine().setSSLParameters(params);
            p.addLast(tls);
        }
        p.addLast(new HttpClientCodec());
        p.addLast(new HttpObjectAggregator(8192));
        p.addLast(new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .maxFramePayloadLength(MAX_FRAME_BYTES)
                .handleCloseFrames(false)
                .sendCloseFrame(null)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(timeoutMillis)
                .build()));
        p.addLast(new WebSocketFrameAggregator(MAX_FRAME_BYTES));
        p.addLast(new ClientHandler(this));
        connectTimer = loop.schedule(
                () -> failConnect(new TimeoutException("no Welcome from " + uri + " within " + timeoutMillis + " ms")),
                timeoutMillis, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ requests

    /**
     * Creates an account and logs in.
     *
     * @param username 3-16 letters or digits
     * @param password 8-128 characters
     * @return the session; fails with {@link ServerError} ({@code NAME_TAKEN}, {@code INVALID_NAME},
     *         {@code INVALID_PASSWORD}, ...)
     */
    public CompletableFuture<LoginOk> register(String username, String password) {
        return request(ClientMessage.newBuilder().setRegister(
                        Register.newBuilder().setUsername(username).setPassword(password)),
                ServerMessage.MsgCase.LOGIN_OK, ServerMessage::getLoginOk, false);
    }

    /**
     * Logs in to an existing account.
     *
     * @param username the account name
     * @param password its password
     * @return the session; fails with {@link ServerError} ({@code BAD_CREDENTIALS}, ...)
     */
    public CompletableFuture<LoginOk> login(String username, String password) {
        return request(ClientMessage.newBuilder().setLogin(
                        Login.newBuilder().setUsername(username).setPassword(password)),
                ServerMessage.MsgCase.LOGIN_OK, ServerMessage::getLoginOk, false);
    }

    /**
     * Logs in again with the token of an earlier {@link LoginOk}, e.g. after a reconnect.
     *
     * @param sessionToken {@link LoginOk#getSessionToken()}
     * @return the session; fails with {@link ServerError} ({@code SESSION_EXPIRED}, ...)
     */
    public CompletableFuture<LoginOk> resume(String sessionToken) {
        return request(ClientMessage.newBuilder().setResume(ResumeSession.newBuilder().setToken(sessionToken)),
                ServerMessage.MsgCase.LOGIN_OK, ServerMessage::getLoginOk, false);
    }

    /**
     * Creates a character on the logged-in account.
     *
     * @param character name, class, appearance and start choice
     * @return the new character; fails with {@link ServerError} ({@code NAME_TAKEN},
     *         {@code TOO_MANY_CHARACTERS}, ...)
     */
    public CompletableFuture<CharacterSummary> createCharacter(CreateCharacter character) {
        return request(ClientMessage.newBuilder().setCreateCharacter(character),
                ServerMessage.MsgCase.CHARACTER_CREATED, m -> m.getCharacterCreated().getCharacter(), false);
    }

    /**
     * Creates a character on the logged-in account, in the world of that name (one of
     * {@link #worlds()}; "" for the server's first world). A character belongs to its world for
     * good.
     *
     * @param character name, class, appearance and start choice (its own world field is replaced)
     * @param world     {@link WorldInfo#getName()}
     * @return the new character; fails with {@link ServerError} ({@code NO_SUCH_WORLD},
     *         {@code NAME_TAKEN}, ...)
     */
    public CompletableFuture<CharacterSummary> createCharacter(CreateCharacter character, String world) {
        return createCharacter(character.toBuilder().setWorld(Objects.requireNonNull(world, "world")).build());
    }

    /**
     * Asks for the world list again: the populations change as players come and go.
     * {@link #worlds()} is updated before the future completes.
     *
     * @return every world with its population and capacity; fails with {@link ServerError}
     *         ({@code NOT_AUTHENTICATED} before login)
     */
    public CompletableFuture<List<WorldInfo>> listWorlds() {
        return request(ClientMessage.newBuilder().setListWorlds(ListWorlds.getDefaultInstance()),
                ServerMessage.MsgCase.WORLDS, m -> m.getWorlds().getWorldsList(), false);
    }

    /**
     * The server's worlds as last received: with login ({@link LoginOk#getWorldsList()}) or from
     * {@link #listWorlds()}; empty before login. Any thread.
     */
    public List<WorldInfo> worlds() {
        return worlds;
    }

    /**
     * Enters the world with a character. When the future completes, {@link #view()} already
     * shows the new world.
     *
     * @param characterId {@link CharacterSummary#getId()}
     * @return what the server sent on entering; fails with {@link ServerError}
     *         ({@code NO_SUCH_CHARACTER}, ...)
     */
    public CompletableFuture<WorldEntered> enterWorld(long characterId) {
        return request(ClientMessage.newBuilder().setEnterWorld(EnterWorld.newBuilder().setCharacterId(characterId)),
                ServerMessage.MsgCase.WORLD_ENTERED, ServerMessage::getWorldEntered, false);
    }

    /**
     * Leaves the world (the character is saved) and returns to the character list. When the
     * future completes, {@link #view()} is empty again.
     *
     * @return the account's characters
     */
    public CompletableFuture<CharacterList> leaveWorld() {
        return request(ClientMessage.newBuilder().setLeaveWorld(LeaveWorld.getDefaultInstance()),
                ServerMessage.MsgCase.CHARACTERS, ServerMessage::getCharacters, false);
    }

    /**
     * Ends the session; the server revokes the token and closes the connection.
     *
     * @return completes when the server answers the request without an error or closes the
     *         connection, whichever comes first; fails with {@link ServerError} if the server
     *         rejects the logout
     */
    public CompletableFuture<Void> logout() {
        return request(ClientMessage.newBuilder().setLogout(Logout.getDefaultInstance()), null, m -> null, true);
    }

    /**
     * Sets a new password; the server ends every other session of the account (this one stays).
     *
     * @return completes when the server confirms; fails with {@link ServerError}
     *         ({@code BAD_CREDENTIALS} for a wrong old password, {@code INVALID_PASSWORD},
     *         {@code TOO_MANY_ATTEMPTS}, ...)
     */
    public CompletableFuture<Void> changePassword(String oldPassword, String newPassword) {
        return request(ClientMessage.newBuilder().setChangePassword(ChangePassword.newBuilder()
                        .setOldPassword(oldPassword).setNewPassword(newPassword)),
                ServerMessage.MsgCase.PASSWORD_CHANGED, m -> null, false);
    }

    /**
     * Ends every session of the account, so no session token resumes any more, and closes its
     * connections, this one included (reason {@code LOGGED_OUT}).
     *
     * @return completes when the server closes the connection; fails with {@link ServerError}
     *         if the server could not revoke the sessions (the connection then stays open)
     */
    public CompletableFuture<Void> logoutEverywhere() {
        return request(ClientMessage.newBuilder().setLogoutEverywhere(LogoutEverywhere.getDefaultInstance()),
                null, m -> null, true);
    }

    /**
     * Stops hearing a character (its say, world and whisper chat); the list belongs to the
     * account and is kept across logins.
     *
     * @return the account's ignore list after the change; fails with {@link ServerError}
     *         ({@code NO_SUCH_CHARACTER}, {@code BAD_REQUEST} for a full list or an own character)
     */
    public CompletableFuture<List<String>> ignore(String characterName) {
        return request(ClientMessage.newBuilder().setIgnore(mmo.protocol.Ignore.newBuilder().setName(characterName)),
                ServerMessage.MsgCase.IGNORE_LIST, m -> m.getIgnoreList().getNamesList(), false);
    }

    /** Hears a character again; returns the ignore list after the change. */
    public CompletableFuture<List<String>> unignore(String characterName) {
        return request(ClientMessage.newBuilder().setUnignore(mmo.protocol.Unignore.newBuilder().setName(characterName)),
                ServerMessage.MsgCase.IGNORE_LIST, m -> m.getIgnoreList().getNamesList(), false);
    }

    /** The account's ignore list as the server last sent it (after login and each change). Any thread. */
    public List<String> ignoreList() {
        return ignoreList;
    }

    /**
     * Sends an admin command (see the protocol's AdminCommand); the server checks the account's
     * role and records the command in its audit log.
     *
     * @return what the server did; fails with {@link ServerError} ({@code PERMISSION_DENIED} for
     *         an account without the admin role, {@code NO_SUCH_CHARACTER}, {@code NOT_ONLINE}, ...)
     */
    public CompletableFuture<mmo.protocol.AdminResult> admin(mmo.protocol.AdminCommand command) {
        return request(ClientMessage.newBuilder().setAdmin(command), ServerMessage.MsgCase.ADMIN_RESULT,
                ServerMessage::getAdminResult, false);
    }

    /** Admin: closes the character's connection. */
    public CompletableFuture<mmo.protocol.AdminResult> kick(String characterName, String reason) {
        return admin(adminCommand(mmo.protocol.AdminAction.KICK, characterName, java.time.Duration.ZERO, reason));
    }

    /** Admin: bans the character's account for {@code duration} (zero: for good) and disconnects it. */
    public CompletableFuture<mmo.protocol.AdminResult> ban(String characterName, java.time.Duration duration, String reason) {
        return admin(adminCommand(mmo.protocol.AdminAction.BAN, characterName, duration, reason));
    }

    /** Admin: lifts the ban of the character's account. */
    public CompletableFuture<mmo.protocol.AdminResult> unban(String characterName) {
        return admin(adminCommand(mmo.protocol.AdminAction.UNBAN, characterName, java.time.Duration.ZERO, ""));
    }

    /** Admin: refuses the character's account's chat for {@code duration}. */
    public CompletableFuture<mmo.protocol.AdminResult> mute(String characterName, java.time.Duration duration, String reason) {
        return admin(adminCommand(mmo.protocol.AdminAction.MUTE, characterName, duration, reason));
    }

    /** Admin: lets the character's account chat again. */
    public CompletableFuture<mmo.protocol.AdminResult> unmute(String characterName) {
        return admin(adminCommand(mmo.protocol.AdminAction.UNMUTE, characterName, java.time.Duration.ZERO, ""));
    }

    /** Admin: a SYSTEM message to everyone in every world of the server. */
    public CompletableFuture<mmo.protocol.AdminResult> broadcast(String text) {
        return admin(mmo.protocol.AdminCommand.newBuilder().setAction(mmo.protocol.AdminAction.BROADCAST).setText(text).build());
    }

    /**
     * Admin: moves the character (in a world on this server, or on any node of its cluster) to
     * (x, y) units, a walkable spot of its map. Fails with IllegalArgumentException, sending
     * nothing, for a coordinate that is not finite or does not fit the wire's 1/16 units (NaN
     * would have been sent as 0).
     */
    public CompletableFuture<mmo.protocol.AdminResult> teleport(String characterName, float x, float y) {
        float limit = Integer.MAX_VALUE / 16f;
        if (!Float.isFinite(x) || !Float.isFinite(y) || Math.abs(x) >= limit || Math.abs(y) >= limit) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a place to teleport to: (" + x + ", " + y + ")"));
        }
        return admin(mmo.protocol.AdminCommand.newBuilder().setAction(mmo.protocol.AdminAction.TELEPORT)
                .setTarget(characterName).setX(Math.round(x * 16)).setY(Math.round(y * 16)).build());
    }

    /**
     * Admin: subscribes this connection to the dashboard feed; completes with the first feed (the
     * whole players-online history, the recent chat). Later feeds arrive about twice a second:
     * wait for them with {@link #nextMessage}. Fails with PERMISSION_DENIED for a non-admin.
     */
    public CompletableFuture<mmo.protocol.AdminFeed> watchAdminFeed() {
        return request(ClientMessage.newBuilder().setAdminWatch(mmo.protocol.AdminWatch.newBuilder().setOn(true)),
                ServerMessage.MsgCase.ADMIN_FEED, ServerMessage::getAdminFeed, false);
    }

    private static mmo.protocol.AdminCommand adminCommand(mmo.protocol.AdminAction action, String target,
                                                          java.time.Duration duration, String reason) {
        return mmo.protocol.AdminCommand.newBuilder().setAction(action).setTarget(target)
                .setDurationS(duration.toSeconds()).setReason(reason == null ? "" : reason).build();
    }

    /**
     * Waits for the next message from the server itself (an admin broadcast or a moderation
     * notice: chat channel SYSTEM).
     */
    public CompletableFuture<ChatMessage> nextSystemMessage() {
        return nextChat(c -> c.getChannel() == ChatChannel.SYSTEM);
    }

    /**
     * Measures the round trip and learns the server's clock and tick.
     *
     * @return the server's answer; {@link Pong#getClientTime()} is the local
     *         {@link System#currentTimeMillis()} at sending
     */
    public CompletableFuture<Pong> ping() {
        return request(ClientMessage.newBuilder().setPing(Ping.newBuilder().setClientTime(System.currentTimeMillis())),
                ServerMessage.MsgCase.PONG, ServerMessage::getPong, false);
    }

    // ------------------------------------------------------------------ fire and forget

    /**
     * Sends the movement direction; it holds until the next call. The server normalises
     * (dx, dy): any length above 0 moves at full speed, (0, 0) stops. Send it when the
     * direction changes and at least every 100 ms while in the world.
     *
     * <p>This is the hot path: no request id, no future, nothing allocated beyond the message.
     * Sequence numbers follow call order; call it from one thread at a time (typically the
     * event loop itself, from a listener or a task scheduled on {@link #eventLoop()}). Does
     * nothing once the connection is closed.
     *
     * @param dx direction x
     * @param dy direction y
     * @return the sequence number of this input, compared against
     *         {@link WorldView#ackSeq()} for reconciling prediction
     */
    public int sendInput(float dx, float dy) {
        int seq = inputSeq.incrementAndGet();
        if (closeInfo == null && !closingLocally) {
            channel.writeAndFlush(ClientMessage.newBuilder()
                    .setInput(Input.newBuilder().setSeq(seq).setDx(dx).setDy(dy))
                    .build(), channel.voidPromise());
        }
        return seq;
    }

    /** @return the sequence number of the last {@link #sendInput}, 0 before the first */
    public int lastInputSeq() {
        return inputSeq.get();
    }

    /**
     * Says something to the players in view.
     *
     * <p>Like every fire-and-forget message, the returned future:
     * <ul>
     *   <li>fails with {@link ServerError} if the server rejects the message (an {@code Error}
     *       with its request id, e.g. {@code CHAT_REJECTED} or {@code RATE_LIMITED});</li>
     *   <li>completes normally if the server answers its request id with anything else (e.g.
     *       the echo of the chat line to its sender), or when the client stops watching for
     *       a rejection: when the connection closes, or when more than
     *       {@value #MAX_UNCONFIRMED} later fire-and-forget messages are outstanding;</li>
     *   <li>fails with {@link ConnectionClosedException} if the connection was closed before
     *       the message could be sent.</li>
     * </ul>
     * To wait until a chat line was delivered, use {@link #nextChat}.
     *
     * @param text at most 256 characters, no control characters
     * @return see above
     */
    public CompletableFuture<Void> say(String text) {
        return fireAndForget(ClientMessage.newBuilder().setChat(
                ChatSend.newBuilder().setChannel(ChatChannel.SAY).setText(text)));
    }

    /**
     * Says something to everyone in the world.
     *
     * @param text at most 256 characters, no control characters
     * @return fails if the server rejects the message, see {@link #say}
     */
    public CompletableFuture<Void> worldChat(String text) {
        return fireAndForget(ClientMessage.newBuilder().setChat(
                ChatSend.newBuilder().setChannel(ChatChannel.WORLD).setText(text)));
    }

    /**
     * Says something to one character, wherever it is.
     *
     * @param characterName the recipient
     * @param text          at most 256 characters, no control characters
     * @return fails if the server rejects the message (e.g. {@code NOT_ONLINE}), see {@link #say}
     */
    public CompletableFuture<Void> whisper(String characterName, String text) {
        return fireAndForget(ClientMessage.newBuilder().setChat(
                ChatSend.newBuilder().setChannel(ChatChannel.WHISPER).setTarget(characterName).setText(text)));
    }

    /**
     * Plays an emote that players in view see.
     *
     * @param emote the emote; SIT lasts until the character moves
     * @return fails if the server rejects the message, see {@link #say}
     */
    public CompletableFuture<Void> emote(Emote emote) {
        return fireAndForget(ClientMessage.newBuilder().setEmote(EmoteSend.newBuilder().setEmote(emote)));
    }

    // ------------------------------------------------------------------ the game

    /**
     * Uses the class ability on an entity (a creature; for a healer, a player or yourself). The
     * server checks range, cooldown and line of sight; a refusal fails the future with
     * {@link ServerError} ({@code ABILITY_REFUSED}). What happened shows as events in the updates.
     */
    public CompletableFuture<Void> useAbility(int targetEntity) {
        return fireAndForget(ClientMessage.newBuilder().setUseAbility(mmo.protocol.UseAbility.newBuilder().setTarget(targetEntity)));
    }

    /** Wears the item in a bag slot (swapping with what is worn there); the new {@link #inventory()} follows. */
    public CompletableFuture<Void> equip(int bagSlot) {
        return fireAndForget(ClientMessage.newBuilder().setEquip(mmo.protocol.Equip.newBuilder().setBagSlot(bagSlot)));
    }

    /** Takes off what is worn in a slot into the first free bag slot. */
    public CompletableFuture<Void> unequip(mmo.protocol.EquipSlot slot) {
        return fireAndForget(ClientMessage.newBuilder().setUnequip(mmo.protocol.Unequip.newBuilder().setSlot(slot)));
    }

    /** Drops the item in a bag slot at your feet. */
    public CompletableFuture<Void> drop(int bagSlot) {
        return fireAndForget(ClientMessage.newBuilder().setDropItem(mmo.protocol.DropItem.newBuilder().setBagSlot(bagSlot)));
    }

    /** Picks up a loot entity within reach. */
    public CompletableFuture<Void> pickUp(int lootEntity) {
        return fireAndForget(ClientMessage.newBuilder().setPickUp(mmo.protocol.PickUp.newBuilder().setEntity(lootEntity)));
    }

    /** A trade action: invite, accept, offer, confirm or cancel (see mmo.proto TradeAction). */
    public CompletableFuture<Void> trade(mmo.protocol.TradeAction action) {
        return fireAndForget(ClientMessage.newBuilder().setTrade(action));
    }

    /** The newest inventory the server sent (empty before entering the world). Any thread. */
    public mmo.protocol.Inventory inventory() {
        return inventory;
    }

    /** The newest character stats the server sent. Any thread. */
    public mmo.protocol.CharacterStats stats() {
        return stats;
    }

    /** The newest trade state the server sent. Any thread. */
    public mmo.protocol.TradeState tradeState() {
        return trade;
    }

    /**
     * Waits for the next message from the server matching a condition (messages that arrived
     * before the call do not count; every message read after it returns does).
     *
     * @return completes with the first matching message; fails with
     *         {@link ConnectionClosedException} if the connection closes first
     */
    public CompletableFuture<ServerMessage> nextMessage(Predicate<? super ServerMessage> condition) {
        CompletableFuture<ServerMessage> f = new CompletableFuture<>();
        watch(messageWaiters, condition, f);
        return f;
    }

    // ------------------------------------------------------------------ state and waiting

    /**
     * The live view of the world. Read it only on the event-loop thread (in listener callbacks,
     * future dependents or tasks on {@link #eventLoop()}); elsewhere use {@link #snapshot()}.
     *
     * @return the view, updated in place as messages arrive
     */
    public WorldView view() {
        return view;
    }

    /**
     * An immutable copy of the view, from any thread. Off the event loop this waits for the
     * event loop to take the copy, so it is for tests and tools, not for a tight loop.
     *
     * @return the view as of now (or as of the close, once closed)
     */
    public WorldView.Snapshot snapshot() {
        WorldView.Snapshot last = finalSnapshot;
        if (last != null) {
            return last;
        }
        if (loop.inEventLoop()) {
            return view.snapshot();
        }
        try {
            return loop.submit(view::snapshot).get();
        } catch (RejectedExecutionException | ExecutionException e) {
            // The loop went away with the connection; onClosed took a final copy first.
            return Objects.requireNonNullElseGet(finalSnapshot, view::snapshot);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while taking a snapshot", e);
        }
    }

    /**
     * Waits for the next chat line matching a condition (including this client's own echoed
     * lines). Lines that arrived before the call do not count; every line read after it returns
     * does, whatever thread called it (even while the event loop is busy reading).
     *
     * @param condition tested on the event loop against each arriving line
     * @return completes with the first matching line; fails with
     *         {@link ConnectionClosedException} if the connection closes first
     */
    public CompletableFuture<ChatMessage> nextChat(Predicate<? super ChatMessage> condition) {
        CompletableFuture<ChatMessage> f = new CompletableFuture<>();
        watch(chatWaiters, condition, f);
        return f;
    }

    /**
     * Waits until the view matches a condition: tested at once, then after every message that
     * changes the view (entering or leaving a world, each world update).
     *
     * @param condition tested on the event loop against snapshots
     * @return completes with the first matching snapshot; fails with
     *         {@link ConnectionClosedException} if the connection closes first
     */
    public CompletableFuture<WorldView.Snapshot> awaitUpdate(Predicate<? super WorldView.Snapshot> condition) {
        CompletableFuture<WorldView.Snapshot> f = new CompletableFuture<>();
        onLoop(() -> {
            if (failIfClosed(f)) {
                return;
            }
            Waiter<WorldView.Snapshot> w = new Waiter<>(condition, f);
            if (!w.offer(view.snapshot())) {
                updateWaiters.add(w);
            }
        }, f);
        return f;
    }

    /**
     * Waits until the view has reached a server tick.
     *
     * @param tick the tick to wait for
     * @return completes with the first snapshot at {@code tick} or later
     */
    public CompletableFuture<WorldView.Snapshot> awaitTick(int tick) {
        return awaitUpdate(s -> Integer.compareUnsigned(s.tick(), tick) >= 0);
    }

    /**
     * @return completes on the event loop when the connection has closed, for any reason;
     *         never fails
     */
    public CompletableFuture<CloseInfo> closed() {
        return closedFuture;
    }

    /** @return whether the connection is open and not closing */
    public boolean isOpen() {
        return closeInfo == null && !closingLocally && channel.isActive();
    }

    /** @return what the server sent in {@code Welcome} */
    public Welcome welcome() {
        return welcome;
    }

    /**
     * The lean view of a client in lean mode ({@link ClientOptions.Builder#trackWorld(boolean)
     * trackWorld(false)}). Read it only on the event loop.
     *
     * @return the lean view, or {@code null} in full mode
     */
    public LeanView leanView() {
        return lean;
    }

    /**
     * @return bytes received on the socket in binary WebSocket frames so far (payload plus the
     *         frame header), any thread
     */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** @return how many protocol errors the server's messages contained so far */
    public long protocolErrors() {
        return protocolErrors;
    }

    /**
     * @return the event loop this client runs on; schedule per-client work (e.g. a bot's
     *         decisions) here to touch {@link #view()} safely and without thread hops
     */
    public EventLoop eventLoop() {
        return loop;
    }

    /**
     * Closes the connection with a normal close frame. Off the event loop this waits (a few
     * seconds at most) until the connection and, if the client owns it, its event loop are
     * gone; on the event loop it only starts the close. Safe to call more than once.
     */
    @Override
    public void close() {
        if (channel == null) {
            return;
        }
        if (loop.inEventLoop()) {
            closeLocally();
            return;
        }
        try {
            loop.execute(this::closeLocally);
            closedFuture.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            channel.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
        }
        if (ownedGroup != null) {
            ownedGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS)
                    .awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "MmoClient[" + uri + (closeInfo == null ? "" : ", closed " + closeInfo.code()) + "]";
    }

    // ------------------------------------------------------------------ internals (event loop)

    private <T> CompletableFuture<T> request(ClientMessage.Builder message, ServerMessage.MsgCase expected,
                                             Function<ServerMessage, T> extract, boolean completesOnClose) {
        CompletableFuture<T> f = new CompletableFuture<>();
        onLoop(() -> {
            if (failIfClosed(f)) {
                return;
            }
            int rid = nextRid();
            ClientMessage m = message.setRid(rid).build();
            if (tooBig(m, f)) {
                return;
            }
            requests.put(rid, new Pending(expected, extract, f, completesOnClose));
            channel.writeAndFlush(m, channel.voidPromise());
        }, f);
        return f;
    }

    private CompletableFuture<Void> fireAndForget(ClientMessage.Builder message) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        onLoop(() -> {
            if (failIfClosed(f)) {
                return;
            }
            int rid = nextRid();
            ClientMessage m = message.setRid(rid).build();
            if (tooBig(m, f)) {
                return;
            }
            unconfirmed.put(rid, f);
            channel.writeAndFlush(m, channel.voidPromise());
        }, f);
        return f;
    }

    private void onLoop(Runnable task, CompletableFuture<?> f) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            CloseInfo info = closeInfo;
            f.completeExceptionally(info != null ? new ConnectionClosedException(info) : e);
        }
    }

    /**
     * Any thread: starts offering arriving messages to {@code w} at once, so that whatever the
     * loop reads after this call returns is seen. A waiter added while the connection closes
     * is failed either by {@link #onClosed} (which drains the queue after setting
     * {@code closeInfo}) or here.
     */
    private <T> void watch(Queue<Waiter<T>> waiters, Predicate<? super T> condition, CompletableFuture<T> f) {
        // Not the message being handled now, if any (this may be a dependent of its future,
        // woken on another thread while the loop still offers that message): only later ones.
        Waiter<T> w = new Waiter<>(condition, f, dispatched);
        waiters.add(w);
        CloseInfo info = closeInfo;
        if (info != null && waiters.remove(w)) {
            w.future.completeExceptionally(new ConnectionClosedException(info));
        }
    }

    private boolean failIfClosed(CompletableFuture<?> f) {
        CloseInfo info = closeInfo;
        if (info != null || closingLocally) {
            f.completeExceptionally(new ConnectionClosedException(
                    info != null ? info : new CloseInfo(disconnect, closeCode, closeReason)));
            return true;
        }
        return false;
    }

    private static boolean tooBig(ClientMessage m, CompletableFuture<?> f) {
        if (m.getSerializedSize() > MAX_FRAME_BYTES) {
            f.completeExceptionally(new IllegalArgumentException(
                    "message of " + m.getSerializedSize() + " bytes exceeds the " + MAX_FRAME_BYTES + " byte frame limit"));
            return true;
        }
        return false;
    }

    private int nextRid() {
        // rid is a uint32 on the wire and 0 means "no request": skip it when wrapping around.
        if (++lastRid == 0) {
            ++lastRid;
        }
        return lastRid;
    }

    void onHandshakeComplete() {
        handshakeDone = true;
        int rid = nextRid();
        channel.writeAndFlush(ClientMessage.newBuilder().setRid(rid).setHello(Hello.newBuilder()
                .setProtocolVersion(options.protocolVersion())
                .setClient(options.clientName())).build(), channel.voidPromise());
    }

    void onMessage(ServerMessage m) {
        dispatched++; // the loop alone writes it
        if (welcome == null) {
            onMessageBeforeWelcome(m);
            return;
        }
        int rid = m.getRid();
        try {
            switch (m.getMsgCase()) {
                case WORLD_UPDATE -> {
                    view.apply(m.getWorldUpdate());
                    listener.onWorldUpdate(m.getWorldUpdate(), view);
                    offerSnapshot();
                }
                case CHAT -> {
                    listener.onChat(m.getChat());
                    offer(chatWaiters, m.getChat(), dispatched);
                }
                case WORLD_ENTERED -> {
                    view.enter(m.getWorldEntered());
                    if (lean != null) lean.enter(m.getWorldEntered());
                    listener.onWorldEntered(m.getWorldEntered(), view);
                    offerSnapshot();
                }
                case CHARACTERS -> {
                    Pending p = rid == 0 ? null : requests.get(rid);
                    if (p != null && p.expected == ServerMessage.MsgCase.CHARACTERS) {
                        view.leave();
                        if (lean != null) lean.leave();
                        offerSnapshot();
                    }
                    listener.onCharacterList(m.getCharacters());
                }
                case LOGIN_OK -> {
                    worlds = m.getLoginOk().getWorldsList();
                    listener.onLoginOk(m.getLoginOk());
                }
                case WORLDS -> {
                    worlds = m.getWorlds().getWorldsList();
                    listener.onWorldList(m.getWorlds());
                }
                case CHARACTER_CREATED -> listener.onCharacterCreated(m.getCharacterCreated().getCharacter());
                case PONG -> listener.onPong(m.getPong());
                case REGION_OWNER -> listener.onRegionOwner(m.getRegionOwner());
                case INVENTORY -> {
                    inventory = m.getInventory();
                    listener.onInventory(m.getInventory());
                }
                case STATS -> {
                    stats = m.getStats();
                    listener.onStats(m.getStats());
                }
                case TRADE -> {
                    trade = m.getTrade();
                    listener.onTrade(m.getTrade());
                }
                case IGNORE_LIST -> {
                    ignoreList = List.copyOf(m.getIgnoreList().getNamesList());
                    listener.onIgnoreList(ignoreList);
                }
                case ADMIN_RESULT, ADMIN_FEED -> { }
                case ERROR -> listener.onError(m.getError(), rid);
                case DISCONNECT -> disconnect = m.getDisconnect();
                case WELCOME -> protocolError("second Welcome");
                case MSG_NOT_SET -> protocolError("message of unknown type (newer server?)");
            }
        } catch (RuntimeException e) {
            log.warn("listener failed on {}", m.getMsgCase(), e);
        }
        if (rid != 0) {
            resolve(rid, m);
        }
        if (!messageWaiters.isEmpty()) offer(messageWaiters, m, dispatched);
    }

    /** Counts a binary frame of {@code payload} bytes; only the event loop writes. */
    void countFrame(int payload) {
        // Header: 2 bytes, plus 2 for a 16-bit or 8 for a 64-bit length (server frames are unmasked).
        int header = payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10;
        bytesReceived = bytesReceived + payload + header;
    }

    /**
     * Lean mode: applies the frame if it is a world update.
     *
     * @return false if it is not one (the caller decodes it in full)
     */
    boolean tryLeanUpdate(com.google.protobuf.CodedInputStream in) throws java.io.IOException {
        if (lean == null || welcome == null) return false;
        int problems = LeanDecoder.decode(in, lean);
        if (problems < 0) return false;
        if (problems > 0) protocolError(problems + " inconsistent enters/leaves at tick " + lean.tick());
        view.applyOwn(lean.tick(), lean.ackSeq(), lean.ticksSinceAck(), lean.rawX(), lean.rawY(), lean.timeDilation());
        try {
            listener.onLeanUpdate(lean);
        } catch (RuntimeException e) {
            log.warn("listener failed on a lean update", e);
        }
        offerSnapshot();
        return true;
    }

    private void onMessageBeforeWelcome(ServerMessage m) {
        switch (m.getMsgCase()) {
            case WELCOME -> {
                welcome = m.getWelcome();
                connectTimer.cancel(false);
                // keep-alive: the server closes connections silent for its idle time-out (120 s
                // by default), and a client may sit on its character list for longer
                keepAlive = loop.scheduleAtFixedRate(() -> {
                    if (closeInfo == null && !closingLocally) {
                        channel.writeAndFlush(ClientMessage.newBuilder().setPing(Ping.newBuilder()
                                .setClientTime(System.currentTimeMillis())).build(), channel.voidPromise());
                    }
                }, KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                connectFuture.complete(this);
            }
            case ERROR -> {
                mmo.protocol.Error error = m.getError();
                try {
                    listener.onError(error, m.getRid());
                } catch (RuntimeException e) {
                    log.warn("listener failed on ERROR", e);
                }
                failConnect(new ServerError(error.getCode(), error.getMessage(), m.getRid()));
            }
            case DISCONNECT -> disconnect = m.getDisconnect();
            default -> protocolError(m.getMsgCase() + " before Welcome");
        }
    }

    private void resolve(int rid, ServerMessage m) {
        Pending p = requests.remove(rid);
        if (p != null) {
            if (m.hasError()) {
                p.future.completeExceptionally(new ServerError(m.getError().getCode(), m.getError().getMessage(), rid));
            } else if (p.expected == null || p.expected == m.getMsgCase()) {
                p.future.complete(p.extract.apply(m));
            } else {
                p.future.completeExceptionally(new ProtocolException(
                        "expected " + p.expected + " for request " + rid + ", got " + m.getMsgCase()));
            }
            return;
        }
        CompletableFuture<Void> f = unconfirmed.remove(rid);
        if (f != null) {
            if (m.hasError()) {
                f.completeExceptionally(new ServerError(m.getError().getCode(), m.getError().getMessage(), rid));
            } else {
                f.complete(null);
            }
        }
    }

    private void offerSnapshot() {
        if (!updateWaiters.isEmpty()) {
            offer(updateWaiters, view.snapshot(), Long.MAX_VALUE);
        }
    }

    /** Offers {@code value}, the {@code seq}-th message handled, to the waiters that started before it. */
    private static <T> void offer(Collection<Waiter<T>> waiters, T value, long seq) {
        if (waiters.isEmpty()) {
            return;
        }
        // Completing runs dependents right here and they may add waiters: finish iterating first.
        List<Waiter<T>> matched = null;
        for (Iterator<Waiter<T>> it = waiters.iterator(); it.hasNext(); ) {
            Waiter<T> w = it.next();
            if (w.future.isDone()) {
                // Timed out or cancelled by its owner, or its condition threw.
                it.remove();
            } else if (w.after >= seq) {
                // started while this message was being handled: waits for the next ones
            } else if (w.matches(value)) {
                it.remove();
                if (matched == null) {
                    matched = new ArrayList<>(1);
                }
                matched.add(w);
            }
        }
        if (matched != null) {
            for (Waiter<T> w : matched) {
                w.future.complete(value);
            }
        }
    }

    void onCloseFrame(int statusCode, String reasonText) {
        // -1: the frame carried no status, which RFC 6455 reports as 1005.
        closeCode = statusCode == -1 ? 1005 : statusCode;
        closeReason = reasonText == null ? "" : reasonText;
        if (!closingLocally) {
            closingLocally = true;
            CloseWebSocketFrame echo = statusCode == -1 ? new CloseWebSocketFrame()
                    : new CloseWebSocketFrame(statusCode, "");
            channel.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void protocolError(String problem) {
        long n = ++protocolErrors;
        // Thousands of bots against one broken server would drown the log: warn once per client.
        if (n == 1) {
            log.warn("{}: protocol error: {} (further ones at debug level)", uri, problem);
        } else {
            log.debug("{}: protocol error: {}", uri, problem);
        }
        try {
            listener.onProtocolError(problem);
        } catch (RuntimeException e) {
            log.warn("listener failed on protocol error", e);
        }
    }

    void onException(Throwable cause) {
        if (closeInfo != null) {
            return;
        }
        log.debug("{}: closing after {}", uri, cause.toString());
        if (!connectFuture.isDone() && connectFailure == null) {
            connectFailure = cause;
        }
        channel.close();
    }

    /**
     * Gives up connecting. Closing the channel then ends in {@link #onClosed} (if the TCP
     * connection was up) or {@link #onConnectFailed} (if not), which release the resources.
     */
    private void failConnect(Throwable cause) {
        if (connectFuture.isDone()) {
            return;
        }
        if (channel == null) {
            onConnectFailed(cause);
            return;
        }
        if (connectFailure == null) {
            connectFailure = cause;
        }
        connectFuture.completeExceptionally(connectFailure);
        closeLocally();
    }

    /** The TCP connection could not be made (or the channel not even be created). */
    private void onConnectFailed(Throwable cause) {
        if (connectTimer != null) {
            connectTimer.cancel(false);
        }
        CloseInfo info = new CloseInfo(null, CloseInfo.ABNORMAL, String.valueOf(cause.getMessage()));
        closeInfo = info;
        connectFuture.completeExceptionally(connectFailure != null ? connectFailure : cause);
        closedFuture.complete(info);
        if (ownedGroup != null) {
            ownedGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    private void closeLocally() {
        if (closeInfo != null || closingLocally) {
            return;
        }
        closingLocally = true;
        closeCode = CloseInfo.NORMAL;
        closeReason = "client closed";
        if (handshakeDone && channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(CloseInfo.NORMAL, closeReason))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** How often a connection sends a Ping of its own, whatever else it sends. */
    static final long KEEP_ALIVE_SECONDS = 30;
    private java.util.concurrent.ScheduledFuture<?> keepAlive;

    private void onClosed() {
        if (keepAlive != null) keepAlive.cancel(false);
        CloseInfo info = new CloseInfo(disconnect, closeCode, closeReason);
        closeInfo = info;
        connectTimer.cancel(false);
        finalSnapshot = view.snapshot();
        ConnectionClosedException closed = new ConnectionClosedException(info);
        boolean established = connectFuture.isDone() && !connectFuture.isCompletedExceptionally();
        if (!connectFuture.isDone()) {
            connectFuture.completeExceptionally(connectFailure != null ? connectFailure : closed);
        }

        List<Pending> pending = new ArrayList<>(requests.values());
        requests.clear();
        for (Pending p : pending) {
            if (p.completesOnClose) {
                p.future.complete(null);
            } else {
                p.future.completeExceptionally(closed);
            }
        }
        List<CompletableFuture<Void>> watched = new ArrayList<>(unconfirmed.values());
        unconfirmed.clear();
        watched.forEach(f -> f.complete(null));
        List<Waiter<?>> waiters = new ArrayList<>(updateWaiters);
        updateWaiters.clear();
        // taken one by one: other threads may still add (and, seeing closeInfo, remove) theirs
        for (Waiter<?> w; (w = chatWaiters.poll()) != null; ) waiters.add(w);
        for (Waiter<?> w; (w = messageWaiters.poll()) != null; ) waiters.add(w);
        waiters.forEach(w -> w.future.completeExceptionally(closed));

        if (established) {
            try {
                listener.onDisconnect(info.disconnect(), info.code(), info.reason());
            } catch (RuntimeException e) {
                log.warn("listener failed on disconnect", e);
            }
        }
        closedFuture.complete(info);
        if (ownedGroup != null) {
            ownedGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    /** An outstanding request: which reply completes it and how to get the result out. */
    private static final class Pending {
        final ServerMessage.MsgCase expected;
        final Function<ServerMessage, ?> extract;
        final CompletableFuture<Object> future;
        final boolean completesOnClose;

        @SuppressWarnings("unchecked")
        Pending(ServerMessage.MsgCase expected, Function<ServerMessage, ?> extract, CompletableFuture<?> future,
                boolean completesOnClose) {
            this.expected = expected;
            this.extract = extract;
            this.future = (CompletableFuture<Object>) future;
            this.completesOnClose = completesOnClose;
        }
    }

    /** A test-helper wait: completes with the first value matching its condition. */
    private static final class Waiter<T> {
        final Predicate<? super T> condition;
        final CompletableFuture<T> future;

        /** How many messages had been handled when the wait started: it sees only later ones. */
        final long after;

        Waiter(Predicate<? super T> condition, CompletableFuture<T> future) {
            this(condition, future, -1);
        }

        Waiter(Predicate<? super T> condition, CompletableFuture<T> future, long after) {
            this.condition = condition;
            this.future = future;
            this.after = after;
        }

        boolean matches(T value) {
            try {
                return condition.test(value);
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
                return false;
            }
        }

        /** Completes at once if {@code value} matches. */
        boolean offer(T value) {
            if (matches(value)) {
                future.complete(value);
                return true;
            }
            return future.isDone();
        }
    }
}

package mmo.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterList;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ClientMessage;
import mmo.protocol.Constants;
import mmo.protocol.Disconnect;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.protocol.IgnoreList;
import mmo.protocol.LoginOk;
import mmo.protocol.PasswordChanged;
import mmo.protocol.Pong;
import mmo.protocol.ServerMessage;
import mmo.protocol.Welcome;
import mmo.server.account.AccountService;
import mmo.server.account.BotFleet;
import mmo.server.account.LoginResult;
import mmo.server.admin.Dashboard;
import mmo.server.game.GameException;
import mmo.server.game.WorldDirectory;
import mmo.server.moderation.ModerationService;
import mmo.server.persistence.CharacterClaim;
import mmo.server.persistence.CharacterRecord;
import mmo.server.world.ClientLink;
import mmo.server.world.Inbox;
import mmo.server.world.Refusals;
import mmo.server.world.World;
import mmo.server.world.map.TileMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One client's WebSocket session: the handshake, authentication and character choice, then
 * the bridge into the world. Its session state is touched only on the channel's event loop;
 * in the world, decoded messages go into the player's {@link Inbox} and the world alone acts
 * on them. The world sends through {@link #send}/{@link #flush} on the tick thread.
 *
 * <p>Entering takes a seat in the character's world ({@link WorldDirectory}), refused when the
 * world is full; leaving, closing or being told to go frees it.
 */
public final class Connection implements ClientLink {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    enum State { AWAIT_HELLO, ANONYMOUS, AUTHENTICATED, ENTERING, IN_WORLD, CLOSED }

    private final Channel channel;
    private final GameContext ctx;

    // event-loop state
    private State state = State.AWAIT_HELLO;
    private boolean busy;
    // set at login; read by the tick and the cluster's relay threads too (the ignore list, below)
    private volatile long accountId;
    private volatile String username = "";
    private String token;
    private boolean botAccount;
    private boolean moderated; // remembered by the moderation service (forgotten when closed)
    private Inbox inbox;
    private volatile long characterId; // the character in the world, or 0
    // The world whose seat this connection holds (from entering until leaving or being told to
    // go), or null; and the world its character went into last (the local gateway's target).
    private WorldDirectory.Entry seat;
    private volatile World world;
    // The account's characters' worlds, known from the lists this connection was sent: which
    // world's seat to take before claiming a character.
    private final Map<Long, String> characterWorlds = new HashMap<>();

    // tick-thread state
    // This tick's outgoing game messages, handed to the event loop once per tick.
    private final Outbound outbound;

    private volatile boolean closing;
    /**
     * This connection as the admin dashboard's watcher. Each feed it is given (on the tick
     * thread) re-checks the account's role, one check at a time; the database is read on the
     * moderation worker (never on the tick) at most every {@link ModerationService#ROLE_RECHECK_MILLIS}
     * per account, so a revoked admin's open feed stops within 5 s and a feed or two.
     */
    private final Dashboard.Watcher feed = this::deliverFeed;
    private volatile long watchingAccount; // set on the event loop before the watch starts
    private final java.util.concurrent.atomic.AtomicBoolean roleCheck = new java.util.concurrent.atomic.AtomicBoolean();
    /** How long a closed-by-us client has to answer with its close frame. */
    static final long CLOSE_GRACE_MS = 2_000;

    private final RateLimiter limiter;

    Connection(Channel channel, GameContext ctx, java.util.function.LongSupplier nanoClock) {
        this.channel = channel;
        this.ctx = ctx;
        this.outbound = new Outbound(channel, ctx.config().netLimits().maxPendingBytes(), this::outboundOverflow, ctx.traffic());
        this.limiter = new RateLimiter(ctx.config().netLimits(), nanoClock);
    }

    // ------------------------------------------------------------------ inbound (event loop)

    void onMessage(ClientMessage m) {
        if (closing) return; // told to go: what it still sends is dropped
        int rid = m.getRid();
        switch (state) {
            case CLOSED -> { }
            case AWAIT_HELLO -> {
                if (m.getMsgCase() != ClientMessage.MsgCase.HELLO) {
                    protocolError("the first message must be hello");
                    return;
                }
                int version = m.getHello().getProtocolVersion();
                if (version != Constants.PROTOCOL_VERSION_VALUE) {
                    String text = "Protocol version mismatch: the server speaks " + Constants.PROTOCOL_VERSION_VALUE
                            + ", the client " + version + ". Update the client.";
                    log.info("{} closed: {}", channel.remoteAddress(), text);
                    reply(rid, ServerMessage.newBuilder().setError(error(ErrorCode.VERSION_MISMATCH, text)));
                    close(DisconnectReason.VERSION_MISMATCH_CLOSE, text);
                    return;
                }
                state = State.ANONYMOUS;
                reply(rid, ServerMessage.newBuilder().setWelcome(Welcome.newBuilder()
                        .setProtocolVersion(Constants.PROTOCOL_VERSION_VALUE)
                        .setServer("mmo/" + GameContext.VERSION)
                        .setTickRate(ctx.config().tickRate())));
            }
            default -> {
                switch (limiter.check(m.getMsgCase())) {
                    case ALLOW -> dispatch(m, rid);
                    case REFUSE -> {
                        countRefusal(Refusals.Kind.RATE_LIMITED);
                        replyError(rid, ErrorCode.RATE_LIMITED, "Too many " + m.getMsgCase().name().toLowerCase()
                                + " messages; slow down");
                    }
                    case CLOSE -> {
                        countRefusal(Refusals.Kind.TOO_MANY_REQUESTS);
                        log.info("{} closed: kept sending over its rate limits", describe());
                        close(DisconnectReason.TOO_MANY_REQUESTS, "Too many messages over the rate limits");
                    }
                }
            }
        }
    }

    /** Counts a refused request in the server's {@link Refusals} (none in some unit tests' contexts). */
    private void countRefusal(Refusals.Kind kind) {
        if (ctx.worlds() != null) ctx.world().refusals().add(kind);
    }

    /** Event loop: sent nothing for the idle time-out. */
    void idleTimeout() {
        log.info("{} closed: idle for {}", describe(), ctx.config().netLimits().idleTimeout());
        close(DisconnectReason.IDLE_TIMEOUT, "Closed after " + ctx.config().netLimits().idleTimeout().toSeconds()
                + " s without a message");
    }

    /**
     * Event loop: the client does not read and its unsent bytes passed the cap. Closed at once:
     * a Disconnect would only queue behind what it does not read.
     */
    void slowClient(long pendingBytes) {
        if (!closing) { // (closing already: its close frame is stuck behind the unread bytes too)
            log.info("{} closed: slow client, {} bytes unsent", describe(), pendingBytes);
            closing = true;
            freeSeat();
            outbound.close();
        }
        channel.close();
    }

    /** Event loop: the tick's or a relay's frames found the unsent bytes past the cap. */
    private void outboundOverflow() {
        slowClient(outbound.peakPendingBytes());
    }

    private void dispatch(ClientMessage m, int rid) {
        switch (m.getMsgCase()) {
            case INPUT, CHAT, EMOTE, USE_ABILITY, EQUIP, UNEQUIP, DROP_ITEM, PICK_UP, TRADE -> {
                if (state != State.IN_WORLD && state != State.ENTERING) {
                    replyError(rid, ErrorCode.BAD_REQUEST, "You are not in the world");
                    return;
                }
                // Refused here, where the session is: in a cluster the node simulating the
                // character may be another, whose copy of the account's mute is not kept up to date.
                long muted = moderated && m.getMsgCase() == ClientMessage.MsgCase.CHAT ? ctx.moderation().mutedNow(accountId) : 0;
                if (muted != 0) {
                    replyError(rid, ErrorCode.CHAT_REJECTED, "You are muted " + mmo.server.game.Chat.until(muted));
                    return;
                }
                if (!ctx.gateway().offer(this, m)) {
                    countRefusal(Refusals.Kind.QUEUE_FULL);
                    log.info("{} closed: input queue overflow", describe());
                    close(DisconnectReason.INPUT_OVERFLOW, "Too many messages");
                }
            }
            case REGISTER -> authenticate(rid, ctx.accounts().register(m.getRegister().getUsername(), m.getRegister().getPassword()));
            case LOGIN -> authenticate(rid, ctx.accounts().login(m.getLogin().getUsername(), m.getLogin().getPassword(),
                    clientAddress()));
            case RESUME -> authenticate(rid, ctx.accounts().resume(m.getResume().getToken()));
            case CREATE_CHARACTER -> {
                if (!requireState(rid, State.AUTHENTICATED)) return;
                run(rid, ctx.accounts().createCharacter(accountId, m.getCreateCharacter()), rec -> {
                    characterWorlds.put(rec.id(), rec.world());
                    reply(rid, ServerMessage.newBuilder().setCharacterCreated(
                            mmo.protocol.CharacterCreated.newBuilder().setCharacter(AccountService.toSummary(rec))));
                });
            }
            case ENTER_WORLD -> {
                if (!requireState(rid, State.AUTHENTICATED)) return;
                long characterId = m.getEnterWorld().getCharacterId();
                // The seat first, so a full world refuses before the character is claimed
                // (a claim fences out whoever held the character before).
                String known = characterWorlds.get(characterId);
                if (known != null && !takeSeat(rid, known)) return;
                run(rid, ctx.accounts().loadCharacter(accountId, characterId), claim -> enterWorld(claim, rid),
                        this::freeSeat);
            }
            case LEAVE_WORLD -> {
                if (!requireState(rid, State.IN_WORLD)) return;
                state = State.AUTHENTICATED;
                CompletableFuture<Void> saved = ctx.gateway().leave(this).exceptionally(err -> null);
                freeSeat();
                run(rid, saved.thenCompose(v -> ctx.accounts().listCharacters(accountId)), list -> {
                    rememberWorlds(list);
                    reply(rid, ServerMessage.newBuilder().setCharacters(characterList(list)));
                });
            }
            case LIST_WORLDS -> {
                if (state == State.ANONYMOUS) {
                    replyError(rid, ErrorCode.NOT_AUTHENTICATED, "Log in first");
                    return;
                }
                reply(rid, ServerMessage.newBuilder().setWorlds(ctx.worlds().list()));
            }
            case LOGOUT -> {
                if (token != null) ctx.accounts().logout(token);
                close(DisconnectReason.LOGGED_OUT, "Logged out");
            }
            case CHANGE_PASSWORD -> {
                if (!requireLoggedIn(rid)) return;
                run(rid, ctx.accounts().changePassword(accountId, token, m.getChangePassword().getOldPassword(),
                                m.getChangePassword().getNewPassword(), clientAddress()),
                        v -> reply(rid, ServerMessage.newBuilder().setPasswordChanged(PasswordChanged.getDefaultInstance())));
            }
            case LOGOUT_EVERYWHERE -> {
                if (!requireLoggedIn(rid)) return;
                long account = accountId;
                // Only once no token resumes: a failure leaves the player connected to retry.
                run(rid, ctx.accounts().logoutEverywhere(account), v -> {
                    ctx.sessions().loggedOut(account);
                    close(DisconnectReason.LOGGED_OUT, "Logged out everywhere");
                });
            }
            case IGNORE -> {
                if (!requireLoggedIn(rid)) return;
                run(rid, ctx.moderation().ignore(accountId, m.getIgnore().getName()), names -> sendIgnoreList(rid, names));
            }
            case UNIGNORE -> {
                if (!requireLoggedIn(rid)) return;
                run(rid, ctx.moderation().unignore(accountId, m.getUnignore().getName()), names -> sendIgnoreList(rid, names));
            }
            case ADMIN -> {
                if (!requireLoggedIn(rid)) return;
                run(rid, ctx.moderation().admin(accountId, m.getAdmin()),
                        result -> reply(rid, ServerMessage.newBuilder().setAdminResult(result)));
            }
            case ADMIN_WATCH -> {
                if (!requireLoggedIn(rid)) return;
                if (!m.getAdminWatch().getOn()) {
                    if (ctx.dashboard() != null) ctx.dashboard().unwatch(feed);
                    return;
                }
                run(rid, ctx.moderation().requireAdmin(accountId), v -> {
                    watchingAccount = accountId;
                    if (ctx.dashboard() != null && !closing) ctx.dashboard().watch(feed, rid);
                });
            }
            case PING -> reply(rid, ServerMessage.newBuilder().setPong(Pong.newBuilder()
                    .setClientTime(m.getPing().getClientTime())
                    .setServerTime(System.currentTimeMillis())
                    .setTick(ctx.gateway().currentTick())));
            case HELLO -> replyError(rid, ErrorCode.BAD_REQUEST, "Hello was already received");
            default -> protocolError("unknown message");
        }
    }

    private boolean requireState(int rid, State required) {
        if (busy) {
            replyError(rid, ErrorCode.BAD_REQUEST, "Another request is still in progress");
            return false;
        }
        if (state != required) {
            replyError(rid, ErrorCode.BAD_REQUEST, switch (state) {
                case ANONYMOUS -> "Log in first";
                case IN_WORLD, ENTERING -> "Not possible while in the world";
                default -> "Not possible now";
            });
            return false;
        }
        return true;
    }

    /** Logged in (in the world or not) and no other account request running; or replies why not. */
    private boolean requireLoggedIn(int rid) {
        if (state == State.ANONYMOUS) {
            replyError(rid, ErrorCode.NOT_AUTHENTICATED, "Log in first");
            return false;
        }
        if (busy) {
            replyError(rid, ErrorCode.BAD_REQUEST, "Another request is still in progress");
            return false;
        }
        return true;
    }

    /**
     * Whom login throttling counts this connection as: the peer's IP address, an IPv6 one cut
     * to its /64 (one host usually holds a whole /64); null if the peer has no IP address.
     */
    private String clientAddress() {
        if (!(channel.remoteAddress() instanceof InetSocketAddress isa) || isa.getAddress() == null) return null;
        InetAddress a = isa.getAddress();
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            return HexFormat.of().formatHex(b, 0, 8) + "::/64";
        }
        return a.getHostAddress();
    }

    private void sendIgnoreList(int rid, List<String> names) {
        reply(rid, ServerMessage.newBuilder().setIgnoreList(IgnoreList.newBuilder().addAllNames(names)));
    }

    private record Admitted(LoginResult login, ModerationService.Admission moderation) {}

    private void authenticate(int rid, CompletableFuture<LoginResult> result) {
        if (busy || state != State.ANONYMOUS) {
            result.thenAccept(r -> ctx.accounts().logout(r.token()));
            replyError(rid, ErrorCode.BAD_REQUEST, state == State.ANONYMOUS
                    ? "Another request is still in progress" : "Already logged in");
            return;
        }
        // A banned account is refused here, after its password or token checked out (so the
        // refusal says nothing to someone guessing), and the session just started is ended.
        CompletableFuture<Admitted> admitted = result.thenCompose(r -> ctx.moderation().admit(r.account().id())
                .handle((admission, err) -> {
                    if (err == null) return new Admitted(r, admission);
                    ctx.accounts().logout(r.token());
                    throw err instanceof CompletionException ce ? ce : new CompletionException(err);
                }));
        run(rid, admitted, a -> {
            LoginResult r = a.login();
            ctx.moderation().remember(a.moderation());
            moderated = true;
            accountId = r.account().id();
            username = r.account().username();
            token = r.token();
            botAccount = BotFleet.isBotAccount(r.account().passwordHash());
            state = State.AUTHENTICATED;
            Connection displaced = ctx.sessions().claim(accountId, this);
            ctx.gateway().loggedIn(this, accountId);
            if (displaced != null) {
                log.info("account {} logged in from {}; closing its session at {}", r.account().username(),
                        channel.remoteAddress(), displaced.channel.remoteAddress());
                displaced.disconnect(DisconnectReason.LOGGED_IN_ELSEWHERE,
                        "You logged in from another place");
            }
            LoginOk.Builder ok = LoginOk.newBuilder()
                    .setAccountId(accountId)
                    .setUsername(r.account().username())
                    .setSessionToken(token)
                    .addAllWorlds(ctx.worlds().infos());
            for (CharacterRecord c : r.characters()) ok.addCharacters(AccountService.toSummary(c));
            rememberWorlds(r.characters());
            reply(rid, ServerMessage.newBuilder().setLoginOk(ok));
            sendIgnoreList(0, a.moderation().ignored());
        });
    }

    private void enterWorld(CharacterClaim claim, int rid) {
        if (closing) return; // told to go while the character loaded
        CharacterRecord rec = claim.character();
        characterWorlds.put(rec.id(), rec.world());
        WorldDirectory.Entry place = ctx.worlds().forCharacter(rec.world());
        if (seat == null || seat != place) {
            // not known before the claim (or not as stored): the seat is taken now
            if (!takeSeat(rid, rec.world())) return;
        }
        world = seat.world();
        state = State.ENTERING;
        inbox = new Inbox(ctx.config().inputQueue());
        characterId = rec.id();
        CharacterSummary summary = AccountService.toSummary(rec);
        mmo.protocol.Appearance appearance = AccountService.appearance(rec);
        float x = rec.x(), y = rec.y();
        BotFleet bots = ctx.accounts().botFleet();
        if (botAccount && bots.enabled()) {
            // Load-test bots start where the workload wants them, not where they were saved.
            TileMap.Point at = bots.spawnPoint(seat.world().map());
            x = at.x();
            y = at.y();
        }
        World.JoinRequest join = new World.JoinRequest(rec.id(), claim.epoch(), accountId, rec.name(),
                CharacterClass.forNumber(rec.characterClass()), appearance, x, y, this, inbox, rid, summary);
        state = State.IN_WORLD;
        ctx.gateway().enter(this, join);
    }

    /**
     * Takes a seat in the world called {@code worldName} for entering it, or replies with why
     * not: NO_SUCH_WORLD (the character's world is not configured here), WORLD_FULL.
     */
    private boolean takeSeat(int rid, String worldName) {
        freeSeat();
        WorldDirectory.Entry place = ctx.worlds().forCharacter(worldName);
        if (place == null) {
            replyError(rid, ErrorCode.NO_SUCH_WORLD, "This character's world, " + worldName + ", is not on this server");
            return false;
        }
        if (!place.takeSeat()) {
            replyError(rid, ErrorCode.WORLD_FULL, place.name() + " is full (" + place.capacity()
                    + " of " + place.capacity() + " players); try again later");
            return false;
        }
        seat = place;
        return true;
    }

    /** Gives the seat back, if this connection holds one. Event loop. */
    private void freeSeat() {
        if (seat == null) return;
        seat.freeSeat();
        seat = null;
    }

    private void rememberWorlds(List<CharacterRecord> characters) {
        characterWorlds.clear();
        for (CharacterRecord c : characters) characterWorlds.put(c.id(), c.world());
    }

    /** Runs {@code onSuccess} on the event loop when {@code future} completes, or replies with its error. */
    private <T> void run(int rid, CompletableFuture<T> future, java.util.function.Consumer<T> onSuccess) {
        run(rid, future, onSuccess, () -> { });
    }

    /** As above, running {@code onFailure} first when the request fails (or the connection closed meanwhile). */
    private <T> void run(int rid, CompletableFuture<T> future, java.util.function.Consumer<T> onSuccess,
                         Runnable onFailure) {
        busy = true;
        future.whenComplete((value, err) -> channel.eventLoop().execute(() -> {
            busy = false;
            if (err != null) onFailure.run();
            if (state == State.CLOSED) return;
            if (err == null) {
                try {
                    onSuccess.accept(value);
                } catch (RuntimeException e) {
                    log.error("handling a reply for {} failed", describe(), e);
                    replyError(rid, ErrorCode.SERVER_ERROR, "The server could not do that right now, try again");
                }
                return;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof GameException ge) {
                replyError(rid, ge.code(), ge.getMessage());
            } else {
                log.error("request from {} failed", describe(), cause);
                replyError(rid, ErrorCode.SERVER_ERROR, "The server could not do that right now, try again");
            }
        }));
    }

    private static CharacterList characterList(List<CharacterRecord> list) {
        CharacterList.Builder b = CharacterList.newBuilder();
        for (CharacterRecord c : list) b.addCharacters(AccountService.toSummary(c));
        return b.build();
    }

    void onClosed() {
        if (state == State.CLOSED) return;
        boolean inWorld = state == State.IN_WORLD || state == State.ENTERING;
        state = State.CLOSED;
        closing = true;
        freeSeat();
        // before the account is released: whoever sees it gone sees this connection's peak
        if (ctx.sessions() != null) ctx.sessions().closed(outbound.peakPendingBytes());
        if (accountId != 0) ctx.sessions().release(accountId, this);
        if (moderated) ctx.moderation().forget(accountId);
        if (ctx.dashboard() != null) ctx.dashboard().unwatch(feed);
        if (inWorld) ctx.gateway().leave(this);
        outbound.close();
    }


    /** Whether this connection is closing or closed (what it still sends is dropped). Any thread. */
    @Override
    public boolean isOpen() {
        return !isClosing();
    }

    public boolean isClosing() {
        return closing;
    }

    /** The queue of this connection's in-world messages for the tick (null before it entered the world). */
    public Inbox inbox() {
        return inbox;
    }

    /** The world this connection's character entered last, or null. Any thread. */
    public World world() {
        return world;
    }

    /** The character this connection entered the world with, or 0. Any thread. */
    public long characterId() {
        return characterId;
    }

    @Override
    public String accountName() {
        return username;
    }

    /** The account logged in on this connection, or 0. Event loop. */
    public long accountId() {
        return accountId;
    }

    // ------------------------------------------------------------------ outbound

    private static mmo.protocol.Error error(ErrorCode code, String message) {
        return mmo.protocol.Error.newBuilder().setCode(code).setMessage(message).build();
    }

    private void replyError(int rid, ErrorCode code, String message) {
        reply(rid, ServerMessage.newBuilder().setError(error(code, message)));
    }

    private void reply(int rid, ServerMessage.Builder msg) {
        if (closing) return;
        channel.writeAndFlush(new BinaryWebSocketFrame(encode(msg.setRid(rid).build())));
    }

    /** Event loop: a message written outside the tick's batch (replies, the last words), counted as sent. */
    private ByteBuf encode(ServerMessage msg) {
        int size = msg.getSerializedSize();
        ctx.traffic().sentMessages(1);
        ctx.traffic().sentBytes(size + (size < 126 ? 2 : size < 65536 ? 4 : 10)); // with the frame's header, as the tick's are
        ByteBuf buf = channel.alloc().buffer(size, size);
        try {
            msg.writeTo(com.google.protobuf.CodedOutputStream.newInstance(buf.nioBuffer(0, size)));
        } catch (IOException e) {
            buf.release();
            throw new IllegalStateException(e);
        }
        buf.writerIndex(size);
        return buf;
    }

    /** Tick thread: serialises now (the encode phase's cost), writes at {@link #flush}. */
    @Override
    public void send(ServerMessage message) {
        if (closing) return;
        if (message.getMsgCase() == ServerMessage.MsgCase.CHAT && ignored(message.getChat())) return;
        byte[] bytes = message.toByteArray();
        sendEncoded(bytes, bytes.length);
    }

    /** Tick thread: appends an encoded message as a frame to this tick's buffer. */
    @Override
    public void sendEncoded(byte[] bytes, int length) {
        if (closing) return;
        outbound.append(bytes, length);
    }

    /**
     * Any thread: sends an encoded {@code ServerMessage} at once, outside the tick's batch:
     * updates and messages for this client that were produced on another cluster node.
     */
    public void deliver(byte[] bytes, int offset, int length) {
        if (closing) return;
        outbound.appendNow(bytes, offset, length);
    }

    /**
     * Any thread: as {@link #deliver}, for an encoded chat line produced on another cluster node,
     * dropped if this connection's account ignores its speaker. Only these are decoded: the
     * relay marks them, so the updates around them go through {@link #deliver} untouched.
     */
    public void deliverChat(byte[] bytes, int offset, int length) {
        if (closing) return;
        long account = accountId;
        if (account != 0 && ctx.moderation().ignoresAnyone(account)) {
            try {
                ServerMessage m = ServerMessage.parseFrom(java.nio.ByteBuffer.wrap(bytes, offset, length));
                if (m.getMsgCase() == ServerMessage.MsgCase.CHAT && ignored(m.getChat())) return;
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                log.warn("{}: a relayed chat line that does not decode, sent as it is", describe());
            }
        }
        outbound.appendNow(bytes, offset, length);
    }

    /**
     * Whether this connection's account ignores the speaker of {@code chat}: its ignore list is
     * applied here, where its session is, to every line it is sent (SAY, WORLD, WHISPER; SYSTEM
     * has no speaker), whichever node simulates it or produced the line. Any thread.
     */
    private boolean ignored(mmo.protocol.ChatMessage chat) {
        long account = accountId;
        return account != 0 && chat.getChannel() != mmo.protocol.ChatChannel.SYSTEM && !chat.getFrom().isEmpty()
                && ctx.moderation().ignores(account, chat.getFrom());
    }

    /** Tick thread: a dashboard feed; sent at once, and the role checked again (see {@link #feed}). */
    private void deliverFeed(byte[] bytes, int offset, int length) {
        if (closing) return;
        outbound.appendNow(bytes, offset, length);
        if (!roleCheck.compareAndSet(false, true)) return; // the last check has not answered yet
        ctx.moderation().recheckAdmin(watchingAccount).whenComplete((v, err) -> {
            roleCheck.set(false);
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            // a database that fails to answer keeps the feed: only a refusal stops it
            if (!(cause instanceof GameException ge) || ge.code() != ErrorCode.PERMISSION_DENIED) return;
            channel.eventLoop().execute(() -> {
                // a feed handed over meanwhile may have had the same (shared) refusal: told once
                if (ctx.dashboard() == null || !ctx.dashboard().unwatch(feed)) return;
                log.info("{}: admin role revoked; dashboard feed stopped", describe());
                replyError(0, ErrorCode.PERMISSION_DENIED, "Only admins can watch the dashboard; the feed has stopped");
            });
        });
    }

    /** Tick thread: hands the tick's frames to the event loop, written and flushed once. */
    @Override
    public void flush() {
        outbound.flush();
    }

    /** Any thread: sends {@code message} now, outside the tick's batch (a moderation notice). */
    void notice(ServerMessage message) {
        channel.eventLoop().execute(() -> reply(0, message.toBuilder()));
    }

    @Override
    public void disconnect(DisconnectReason reason, String message) {
        channel.eventLoop().execute(() -> close(reason, message));
    }

    /** Event loop: tells the client why, then closes with code 4000 + reason. */
    void close(DisconnectReason reason, String message) {
        if (closing) return;
        flushPendingNow();
        closing = true;
        // Told to go: its place is free for whoever comes next (a player taking over this
        // account from elsewhere, into a full world), before the socket has finished closing.
        freeSeat();
        if (!channel.isActive()) return;
        ServerMessage bye = ServerMessage.newBuilder().setDisconnect(Disconnect.newBuilder()
                .setReason(reason).setMessage(message)).build();
        channel.write(new BinaryWebSocketFrame(encode(bye)));
        channel.writeAndFlush(new CloseWebSocketFrame(4000 + reason.getNumber(), truncate(message)))
                .addListener(f -> {
                    // The closing handshake: the client answers with its own close frame, and
                    // the protocol handler then closes the socket. Closing at once would reset
                    // a client still sending, which could lose the Disconnect above; a client
                    // that never answers is cut off after a grace period.
                    if (!f.isSuccess()) {
                        channel.close();
                        return;
                    }
                    channel.eventLoop().schedule(() -> {
                        channel.close();
                    }, CLOSE_GRACE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
                });
    }

    private void flushPendingNow() {
        outbound.writeReady(false);
    }

    void protocolError(String why) {
        log.info("{} closed: protocol error: {}", describe(), why);
        close(DisconnectReason.PROTOCOL_ERROR, "Protocol error: " + why);
    }

    private static String truncate(String s) {
        // close reasons must fit a control frame (123 bytes)
        return s.length() > 100 ? s.substring(0, 100) : s;
    }

    String describe() {
        return String.valueOf(channel.remoteAddress()) + (accountId != 0 ? " (account " + accountId + ")" : "");
    }
}

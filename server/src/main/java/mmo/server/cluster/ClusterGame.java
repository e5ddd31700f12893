package mmo.server.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ClientMessage;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.protocol.RegionOwner;
import mmo.protocol.ServerMessage;
import mmo.server.game.GameException;
import mmo.server.net.Connection;
import mmo.server.net.WorldGateway;
import mmo.server.world.Border;
import mmo.server.world.ClientLink;
import mmo.server.world.GhostBatch;
import mmo.server.world.Inbox;
import mmo.server.world.Player;
import mmo.server.world.PlayerSnapshot;
import mmo.server.world.World;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The game on one cluster node: glues this node's {@link World}, which simulates only the
 * regions the node owns, to the {@link ClusterNode}, which says which regions those are and
 * carries messages between nodes. Every node is also a gateway for the WebSockets it holds.
 *
 * <p>A character lives in two places. Its <b>gateway</b> is the node holding its client's
 * connection, for the whole session. Its <b>owner</b> is the node owning the region it stands
 * in, which simulates it and encodes its updates; that changes at each handoff. The gateway
 * forwards the client's messages to the owner (directly when both are this node) and the
 * owner sends the encoded updates back, one message per gateway node per tick. Walking into a
 * region owned elsewhere hands the character over through Cluster Sharding (buffered while a
 * region itself moves) with its known set and last acknowledged input, so the client's
 * update stream just continues. Players near a region owned elsewhere are sent there every
 * tick and shown as ghosts.
 *
 * <p>Threads: {@link ClusterHost} callbacks come on Pekko threads and hand world work to the
 * tick thread with {@link World#execute}; {@link Border} calls come on the tick thread;
 * {@link WorldGateway} calls on the connections' event loops.
 */
public final class ClusterGame implements ClusterHost, Border, WorldGateway {
    private static final Logger log = LoggerFactory.getLogger(ClusterGame.class);

    // message kinds (payloads are this class's own compact encoding)
    static final int JOIN = 1, HANDOFF = 2, INPUT = 3, OWNER = 4, FRAMES = 5, GHOSTS = 6, LEAVE = 7,
            SAY = 8, WORLD_CHAT = 9, WHISPER = 10, KICK = 11, ACCOUNT_LOGIN = 12, INPUTS = 13, GAME = 14, ACCOUNT_CLOSE = 15,
            DASHBOARD_ASK = 16, DASHBOARD_PART = 17, TELEPORT_ASK = 18, TELEPORT_ANSWER = 19, ACCOUNT_MUTE = 20;
    /** How often a gateway sends each owner node the client messages gathered since: one message, not one per input. */
    private static final long INPUT_BATCH_MILLIS = 4;
    static final String CHAT_TOPIC = "chat", SESSIONS_TOPIC = "sessions", DASHBOARD_TOPIC = "dashboard";
    /** Inputs kept for a character whose handoff has not arrived yet. */
    private static final int EARLY_LIMIT = 64;

    private World world; // set once by bind, before anything runs
    private final int inputQueue;
    private volatile String nodeName = "";
    private volatile ClusterNode node;
    private volatile String self = "";
    private volatile java.util.function.LongConsumer accountLoggedInElsewhere = a -> { };

    // ---- gateway side (event loops and Pekko threads): this node's connections in the world
    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Entry> entriesByName = new ConcurrentHashMap<>();

    /** A connection of this node whose character is in the world, and where that character is simulated. */
    private static final class Entry {
        final Connection conn;
        final long characterId;
        final String nameKey;
        String owner;                                   // guarded by this; null while in transit
        final ArrayDeque<ClientMessage> pending = new ArrayDeque<>(); // guarded by this: while in transit
        /** This connection's time in the world: told apart from an earlier or later one of the same character. */
        final long session = java.util.concurrent.ThreadLocalRandom.current().nextLong();
        byte[] join;        // guarded by this: the JOIN, until an owner confirms it (then null)
        long sentAt;        // guarded by this: when the JOIN was last sent, or the handoff began (nanos)

        Entry(Connection conn, long characterId, String nameKey) {
            this.conn = conn;
            this.characterId = characterId;
            this.nameKey = nameKey;
        }
    }

    /** JOINs are resent this often until an owner confirms: one sent as a node died may be lost. */
    private static final long JOIN_RETRY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    /** A handoff not confirmed within this is lost (its node died): the client is told to reconnect. */
    private static final long TRANSIT_LIMIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    private final java.util.concurrent.ScheduledExecutorService retries = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(Thread.ofPlatform().name("cluster-retries").daemon(true).factory());

    /** Resends unconfirmed JOINs; gives up on handoffs that never arrived. */
    private void checkUnconfirmed() {
        long now = System.nanoTime();
        for (Entry e : entries.values()) {
            byte[] resend = null;
            boolean lost = false;
            synchronized (e) {
                if (e.owner != null) continue;
                if (e.join != null) {
                    if (now - e.sentAt > JOIN_RETRY_NANOS) {
                        resend = e.join;
                        e.sentAt = now;
                    }
                } else if (now - e.sentAt > TRANSIT_LIMIT_NANOS) {
                    lost = true;
                }
            }
            if (resend != null) {
                toRegion(Wire.joinRegion(resend), JOIN, resend);
            } else if (lost) {
                log.warn("character {} was handed over and never arrived; its client reconnects", e.characterId);
                e.conn.disconnect(DisconnectReason.SERVER_SHUTDOWN, "Lost between servers; reconnecting");
            }
        }
    }

    // ---- owner side: players simulated here whose client is on another node
    private final ConcurrentHashMap<Long, RemoteLink> remote = new ConcurrentHashMap<>();
    /** Characters that just left this node, and the region they went to (for late inputs). */
    private final ConcurrentHashMap<Long, Integer> movedTo = new ConcurrentHashMap<>();
    /** Inputs that arrived before their character did. */
    private final ConcurrentHashMap<Long, Queue<ClientMessage>> early = new ConcurrentHashMap<>();
    // This tick's frames per gateway node: added to by whichever thread encodes a viewer (the
    // world encodes on several once it holds PARALLEL_ENCODE_MIN players), sent by the tick
    // thread at tickEnd.
    private final ConcurrentHashMap<String, FrameBatch> frames = new ConcurrentHashMap<>();
    // tick thread: ghost batches per owner node
    private final Map<String, List<GhostBatch>> ghostsOut = new HashMap<>();
    private Set<String> ghostTargets = new HashSet<>();
    // figures for /stats (written by one thread each, read by any)
    private volatile int handoffsOut, handoffsIn;
    private volatile int simulated;
    // the latest handoffs' latencies (sent by the old owner to adopted here), wall clock, µs
    private final long[] handoffMicros = new long[1024];
    private final int[] handoffTicks = new int[1024];
    private int handoffNext; // guarded by handoffMicros
    private final java.util.concurrent.atomic.LongAdder messagesOut = new java.util.concurrent.atomic.LongAdder();
    private final CompletableFuture<Void> leftCluster = new CompletableFuture<>();

    public ClusterGame(int inputQueue) {
        this.inputQueue = inputQueue;
    }

    /** The world this node simulates its regions in (it owns none until the cluster gives it some). */
    public void bind(World world) {
        this.world = world;
    }

    /** Chat beyond this node: SAY to the nodes near, WORLD to all, WHISPER to the node holding the name. */
    public mmo.server.game.Chat.Reach chatReach() {
        return new mmo.server.game.Chat.Reach() {
            @Override
            public void say(float x, float y, float radius, int speakerEntity, ServerMessage msg) {
                publishSay(x, y, radius, speakerEntity, msg);
            }

            @Override
            public void world(ServerMessage msg) {
                publishWorld(msg);
            }

            @Override
            public boolean whisper(String name, ServerMessage msg) {
                return ClusterGame.this.whisper(name, msg);
            }
        };
    }

    /** Connects the game to its node (after {@link ClusterNode#start}, which may already call back). */
    public void attach(ClusterNode node) {
        this.node = node;
        this.self = node.self();
        int at = self.indexOf('@');
        this.nodeName = shortName(self);
        node.subscribe(CHAT_TOPIC);
        node.subscribe(SESSIONS_TOPIC);
        node.subscribe(DASHBOARD_TOPIC);
        retries.scheduleWithFixedDelay(() -> {
            try {
                checkUnconfirmed();
            } catch (RuntimeException ex) {
                log.warn("checking unconfirmed joins failed", ex);
            }
        }, 500, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        retries.scheduleWithFixedDelay(() -> {
            try {
                sendInputs();
            } catch (RuntimeException ex) {
                log.warn("sending inputs failed", ex);
            }
        }, INPUT_BATCH_MILLIS, INPUT_BATCH_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Closes an account's session here: a moderation command on another node told it to go. */
    public interface AccountCloser {
        void close(long accountId, mmo.protocol.DisconnectReason reason, String message);
    }

    private volatile AccountCloser accountClosed = (a, r, m) -> { };

    /** Called when a node asks every node to close an account's session (an admin's kick or ban). */
    public void onAccountClosed(AccountCloser action) {
        this.accountClosed = action;
    }

    /**
     * Asks every other node to close the account's session there, with {@code reason}: a kick or
     * ban reaches the player wherever it connected. Any thread.
     */
    public void closeAccountElsewhere(long accountId, mmo.protocol.DisconnectReason reason, String message) {
        toTopic(SESSIONS_TOPIC, ACCOUNT_CLOSE, Wire.accountClose(self, accountId, reason.getNumber(), message));
    }

    /** Applies a mute set on another node to an account's session here. */
    public interface MuteListener {
        /** {@code mutedUntil} epoch ms (0: lifted); {@code notice} to show the player, if any (empty: none). */
        void muteChanged(long accountId, long mutedUntil, String notice);
    }

    private volatile MuteListener muteChanged = (a, u, n) -> { };

    /** Called when an admin on another node mutes or unmutes an account. */
    public void onMuteChanged(MuteListener action) {
        this.muteChanged = action;
    }

    /**
     * Tells every other node that the account's mute changed: the node holding its session
     * enforces it from now on (each node keeps its logged-in accounts' mutes in memory, read at
     * login) and shows the player {@code notice}. Any thread.
     */
    public void muteChangedElsewhere(long accountId, long mutedUntil, String notice) {
        toTopic(SESSIONS_TOPIC, ACCOUNT_MUTE, Wire.accountMute(self, accountId, mutedUntil, notice));
    }

    // ---- an admin's teleport of a character simulated anywhere in the cluster

    /** How long a teleport waits for the other nodes' answers: less than the moderation's own limit, so this error is the one shown. */
    static final long TELEPORT_ANSWER_MS = 3_000;
    /** What a node answers a TELEPORT_ASK. */
    static final int TELEPORTED = 0, NOT_HERE = 1, NOT_WALKABLE = 2;
    private final java.util.concurrent.atomic.AtomicLong teleportIds = new java.util.concurrent.atomic.AtomicLong();
    private final ConcurrentHashMap<Long, TeleportAsk> teleportAsks = new ConcurrentHashMap<>();

    /** A teleport asked of the other nodes: done at the first that moved the character, NOT_ONLINE once every one said no. */
    private record TeleportAsk(String name, CompletableFuture<String> moved, int asked, java.util.concurrent.atomic.AtomicInteger notHere) {}

    /**
     * Moves the character to (x, y) units wherever in the cluster it is simulated: here on the
     * tick thread if it is, else every other node is asked (TELEPORT_ASK on the sessions topic)
     * and the one simulating it teleports it on its tick and answers. Completes with the world's
     * name, or exceptionally with a {@link GameException}: NOT_ONLINE when every node answered
     * that it is not there, BAD_REQUEST for a spot that is not walkable, SERVER_ERROR when some
     * node did not answer within {@link #TELEPORT_ANSWER_MS}. Any thread; never blocks.
     */
    public CompletableFuture<String> teleport(String characterName, float x, float y) {
        CompletableFuture<String> moved = new CompletableFuture<>();
        world.execute(() -> {
            int here = teleportHere(characterName, x, y);
            if (here == TELEPORTED) {
                moved.complete(world.name());
            } else if (here == NOT_WALKABLE) {
                moved.completeExceptionally(notWalkable(x, y, world.name()));
            } else {
                askToTeleport(characterName, x, y, moved);
            }
        });
        return moved;
    }

    private void askToTeleport(String characterName, float x, float y, CompletableFuture<String> moved) {
        int others = (int) node.members().stream().filter(m -> !m.equals(self)).count();
        if (others == 0) {
            moved.completeExceptionally(notOnline(characterName));
            return;
        }
        long id = teleportIds.incrementAndGet();
        teleportAsks.put(id, new TeleportAsk(characterName, moved, others, new java.util.concurrent.atomic.AtomicInteger()));
        moved.whenComplete((w, err) -> teleportAsks.remove(id));
        java.util.concurrent.CompletableFuture.delayedExecutor(TELEPORT_ANSWER_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(() -> moved.completeExceptionally(new GameException(ErrorCode.SERVER_ERROR,
                        "Not every server answered in time where " + characterName + " is; try again")));
        toTopic(SESSIONS_TOPIC, TELEPORT_ASK, Wire.teleportAsk(self, id, characterName, x, y));
    }

    /** Tick thread: teleports the character if this node simulates it; TELEPORTED, NOT_HERE or NOT_WALKABLE. */
    private int teleportHere(String characterName, float x, float y) {
        Player p = world.playerByName(characterName); // simulated here: ghosts are not in it
        if (p == null) return NOT_HERE;
        return world.teleportByAdmin(p, x, y) ? TELEPORTED : NOT_WALKABLE;
    }

    /** Another node's answer to this node's TELEPORT_ASK. Any thread. */
    private void teleportAnswered(Wire.TeleportAnswer a) {
        TeleportAsk ask = teleportAsks.get(a.id());
        if (ask == null) return; // done already, or timed out
        switch (a.outcome()) {
            case TELEPORTED -> ask.moved().complete(a.world());
            case NOT_WALKABLE -> ask.moved().completeExceptionally(notWalkable(a.x(), a.y(), a.world()));
            default -> {
                if (ask.notHere().incrementAndGet() >= ask.asked()) ask.moved().completeExceptionally(notOnline(ask.name()));
            }
        }
    }

    private static GameException notOnline(String characterName) {
        return new GameException(ErrorCode.NOT_ONLINE, characterName + " is not in the world on any server");
    }

    /** The BAD_REQUEST of a teleport to a spot that is not walkable (one text on every server). */
    public static GameException notWalkable(float x, float y, String world) {
        return new GameException(ErrorCode.BAD_REQUEST, String.format(Locale.ROOT, "(%.1f, %.1f) is not a walkable spot of %s", x, y, world));
    }

    /** Called with an account id when that account logged in on another node (close its session here). */
    public void onAccountLoggedInElsewhere(java.util.function.LongConsumer action) {
        this.accountLoggedInElsewhere = action;
    }

    public String self() {
        return self;
    }

    /** A node's address as people read it: "127.0.0.1:2551" for "pekko://mmo@127.0.0.1:2551". */
    public static String shortName(String address) {
        int at = address.indexOf('@');
        return at >= 0 ? address.substring(at + 1) : address;
    }

    private volatile mmo.server.admin.Dashboard dashboard;

    /**
     * The admin dashboard of this node: when it has watchers it asks the other nodes (a
     * DASHBOARD_ASK on the dashboard topic, twice a second), and each answers with its players
     * (DASHBOARD_PARTs, chunks that each fit a frame, built on its tick thread) straight to the
     * asking node.
     */
    public void setDashboard(mmo.server.admin.Dashboard dashboard) {
        this.dashboard = dashboard;
        dashboard.setPeers(() -> {
            if (node != null && self != null) toTopic(DASHBOARD_TOPIC, DASHBOARD_ASK, self.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
    }

    public String nodeName() {
        return nodeName;
    }

    public ClusterNode node() {
        return node;
    }

    /** Client messages on their way to each owner node, sent every {@link #INPUT_BATCH_MILLIS}. */
    private final ConcurrentHashMap<String, FrameBatch> inputsOut = new ConcurrentHashMap<>();

    /** Gateway: queues a client's message for its owner node, in order with the ones before it. */
    private void forward(String owner, long characterId, ClientMessage m) {
        byte[] b = m.toByteArray();
        inputsOut.computeIfAbsent(owner, k -> new FrameBatch()).add(characterId, b, 0, b.length);
    }

    private void sendInputs() {
        for (Map.Entry<String, FrameBatch> e : inputsOut.entrySet()) {
            byte[] batch = e.getValue().drain();
            if (batch != null) toNode(e.getKey(), INPUTS, batch);
        }
    }

    // every message this node sends to others goes through these three (counted for /stats)
    private void toNode(String to, int kind, byte[] payload) {
        messagesOut.increment();
        node.sendToNode(to, kind, payload);
    }

    private void toRegion(int region, int kind, byte[] payload) {
        messagesOut.increment();
        node.sendToRegion(region, kind, payload);
    }

    private void toTopic(String topic, int kind, byte[] payload) {
        messagesOut.increment();
        node.publish(topic, kind, payload);
    }

    // =================================================================== gateway (event loops)

    @Override
    public void enter(Connection c, World.JoinRequest join) {
        String nameKey = join.name().toLowerCase(Locale.ROOT);
        Entry e = new Entry(c, join.characterId(), nameKey);
        int region = world.regionIndex(join.x(), join.y());
        byte[] payload = Wire.join(self, e.session, region, join);
        synchronized (e) {
            // before the entry is visible: checkUnconfirmed takes one with neither an owner nor
            // a JOIN for a handoff in transit, and with sentAt still 0 for one lost long ago
            e.join = payload;
            e.sentAt = System.nanoTime();
        }
        Entry old = entries.put(join.characterId(), e);
        if (old != null && old.conn != c) entriesByName.remove(old.nameKey, old);
        entriesByName.put(nameKey, e);
        node.presenceAdd(nameKey, self);
        toRegion(region, JOIN, payload);
    }

    @Override
    public boolean offer(Connection c, ClientMessage m) {
        Entry e = entries.get(c.characterId());
        if (e == null || e.conn != c) return true; // not (or no longer) in the world: dropped
        String owner;
        synchronized (e) {
            owner = e.owner;
            if (owner == null) {
                if (e.pending.size() >= inputQueue) return false;
                e.pending.add(m);
                return true;
            }
            if (owner.equals(self)) return c.inbox().offer(m);
        }
        forward(owner, e.characterId, m);
        return true;
    }

    @Override
    public CompletableFuture<Void> leave(Connection c) {
        Entry e = entries.get(c.characterId());
        if (e == null || e.conn != c) return CompletableFuture.completedFuture(null);
        entries.remove(e.characterId, e);
        entriesByName.remove(e.nameKey, e);
        node.presenceRemove(e.nameKey);
        String owner;
        synchronized (e) {
            owner = e.owner;
            e.owner = null;
        }
        if (owner == null) return CompletableFuture.completedFuture(null); // in transit: its OWNER is answered with LEAVE
        if (owner.equals(self)) {
            CompletableFuture<Void> saved = new CompletableFuture<>();
            world.execute(() -> world.leave(c).whenComplete((ok, err) -> saved.complete(null)));
            return saved;
        }
        toNode(owner, LEAVE, Wire.leave(e.characterId, e.session));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public int currentTick() {
        return world.currentTick();
    }

    @Override
    public void loggedIn(Connection c, long accountId) {
        toTopic(SESSIONS_TOPIC, ACCOUNT_LOGIN, Wire.accountLogin(self, accountId));
    }

    /** The owner of a character changed: route its messages there from now on. Any thread. */
    private void ownerIs(long characterId, long session, String owner) {
        Entry e = entries.get(characterId);
        if (e == null || e.session != session) {
            // the client left while its character was on its way: the new owner saves it
            if (!owner.equals(self)) toNode(owner, LEAVE, Wire.leave(characterId, session));
            else world.execute(() -> leaveHere(characterId, session));
            return;
        }
        List<ClientMessage> flush;
        synchronized (e) {
            e.owner = owner;
            e.join = null;
            flush = new ArrayList<>(e.pending);
            e.pending.clear();
            if (owner.equals(self)) {
                for (ClientMessage m : flush) e.conn.inbox().offer(m);
                return;
            }
        }
        for (ClientMessage m : flush) forward(owner, characterId, m);
    }

    // =================================================================== owner (tick thread)

    /** A character arrives from its gateway's database read: join it here. */
    private void joinHere(Wire.Join j) {
        Player here = world.playerByCharacter(j.characterId());
        if (here != null && sessionOf(here.link()) == j.session()) {
            // a resent JOIN that already arrived (its confirmation crossed it): confirm again
            arrived(j.characterId(), j.session(), j.gateway(), null);
            return;
        }
        log.debug("character {} joins here (client at {})", j.characterId(), j.gateway());
        Link l = linkFor(j.gateway(), j.session(), j.characterId());
        if (l == null) return; // the client left before it got here
        World.JoinRequest req = j.request(l.link, l.inbox);
        world.join(req); // completes once its items are read: joined() tells the client where it is
        arrived(j.characterId(), j.session(), j.gateway(), l.inbox);
    }

    @Override
    public void joined(Player p) {
        p.link().send(regionOwner(p.x(), p.y()));
    }

    /** The session a link belongs to (0: not a cluster client). */
    private long sessionOf(ClientLink link) {
        if (link instanceof RemoteLink rl) return rl.session;
        if (link instanceof Connection c) {
            Entry e = entries.get(c.characterId());
            return e != null && e.conn == c ? e.session : 0;
        }
        return 0;
    }

    /** A character walks in from another node's region. */
    private void adoptHere(Wire.Handoff h, byte[] payload, boolean viaSharding) {
        if (!viaSharding && !world.owns(h.toRegion())) {
            toRegion(h.toRegion(), HANDOFF, payload); // the region moved on: sharding knows where
            return;
        }
        handoffsIn++;
        long latency = nowMicros() - h.sentMicros();
        synchronized (handoffMicros) {
            int i = handoffNext++ & (handoffMicros.length - 1);
            handoffMicros[i] = latency;
            handoffTicks[i] = world.currentTick();
        }
        PlayerSnapshot s = h.snapshot();
        Link l = linkFor(h.gateway(), h.session(), s.characterId());
        if (l == null) {
            // its client left while it walked over: continue it just long enough to save it
            NullLink nobody = new NullLink();
            world.adopt(s, nobody, new Inbox(1));
            world.leave(nobody);
            return;
        }
        world.adopt(s, l.link, l.inbox);
        arrived(s.characterId(), h.session(), h.gateway(), l.inbox);
        Player p = world.playerByCharacter(s.characterId());
        if (p != null) p.link().send(regionOwner(p.x(), p.y()));
    }

    private record Link(ClientLink link, Inbox inbox) {}

    private Link linkFor(String gateway, long session, long characterId) {
        if (gateway.equals(self)) {
            Entry e = entries.get(characterId);
            return e == null || e.session != session ? null : new Link(e.conn, e.conn.inbox());
        }
        RemoteLink rl = new RemoteLink(gateway, session, characterId, new Inbox(inputQueue));
        remote.put(characterId, rl);
        return new Link(rl, rl.inbox);
    }

    private void arrived(long characterId, long session, String gateway, Inbox inbox) {
        movedTo.remove(characterId);
        if (inbox != null) {
            Queue<ClientMessage> q = early.remove(characterId);
            if (q != null) for (ClientMessage m; (m = q.poll()) != null; ) inbox.offer(m);
        }
        if (gateway.equals(self)) ownerIs(characterId, session, self);
        else toNode(gateway, OWNER, Wire.owner(characterId, session, self));
    }

    private ServerMessage regionOwner(float x, float y) {
        int rs = world.settings().regionSize();
        return ServerMessage.newBuilder().setRegionOwner(RegionOwner.newBuilder()
                .setRegionX((int) (x / rs)).setRegionY((int) (y / rs)).setNode(nodeName).setRegionSize(rs)).build();
    }

    /** The client of this session left: save and remove its character (0: whatever the session). */
    private void leaveHere(long characterId, long session) {
        RemoteLink rl = remote.get(characterId);
        if (rl != null) {
            if (session != 0 && rl.session != session) return; // a newer session plays it now
            remote.remove(characterId, rl);
            world.leave(rl);
            return;
        }
        Player p = world.playerByCharacter(characterId);
        if (p != null && p.link() instanceof Connection c && c.isClosing()) {
            world.leave(c); // held here, and its connection closed while it was on its way here
            return;
        }
        Integer region = movedTo.get(characterId);
        if (region != null) toRegion(region, LEAVE, Wire.leave(characterId, session));
    }

    @Override
    public void handOff(PlayerSnapshot s, int toRegion) {
        long id = s.characterId();
        RemoteLink rl = remote.remove(id);
        String gateway;
        movedTo.put(id, toRegion);
        long session;
        if (rl != null) {
            gateway = rl.gateway;
            session = rl.session;
            rl.inbox.drainTo(m -> toRegion(toRegion, INPUT, Wire.input(id, m)));
        } else {
            gateway = self;
            Entry e = entries.get(id);
            session = e != null ? e.session : 0;
            if (e != null) {
                synchronized (e) {
                    e.owner = null; // in transit: the connection's messages wait for the new owner
                    e.sentAt = System.nanoTime();
                    e.conn.inbox().drainTo(e.pending::add);
                }
            }
        }
        // Straight to the owner when known: the same path as this node's ghost batches, so the
        // handoff arrives before the first batch without the player, and viewers there never
        // see it leave and come back. Through sharding when unknown (or the owner moved).
        byte[] payload = Wire.handoff(gateway, session, toRegion, s);
        String owner = node.ownerOf(toRegion).orElse(null);
        if (owner != null && !owner.equals(self)) toNode(owner, HANDOFF, payload);
        else toRegion(toRegion, HANDOFF, payload);
        handoffsOut++;
    }

    @Override
    public void gameAction(int region, byte[] action) {
        String owner = node.ownerOf(region).orElse(null);
        if (self.equals(owner)) world.acceptGameAction(action);
        else if (owner != null) toNode(owner, GAME, action);
        else toRegion(region, GAME, action);
    }

    @Override
    public void gameActionTo(String to, byte[] action) {
        if (self.equals(to)) world.acceptGameAction(action);
        else toNode(to, GAME, action);
    }

    @Override
    public void borderEntities(int toRegion, GhostBatch batch) {
        String owner = node.ownerOf(toRegion).orElse(null);
        if (owner == null || owner.equals(self)) return;
        ghostsOut.computeIfAbsent(owner, k -> new ArrayList<>()).add(batch);
    }

    private static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    @Override
    public void tickEnd(int tick) {
        simulated = world.players().size();
        if (!releases.isEmpty()) {
            releases.removeIf(r -> {
                if (tick < r.afterTick()) return false;
                r.done().complete(null);
                return true;
            });
        }
        for (Map.Entry<String, FrameBatch> f : frames.entrySet()) {
            byte[] batch = f.getValue().drain();
            if (batch != null) toNode(f.getKey(), FRAMES, batch);
        }
        Set<String> targets = new HashSet<>();
        for (Map.Entry<String, List<GhostBatch>> g : ghostsOut.entrySet()) {
            if (g.getValue().isEmpty()) continue;
            targets.add(g.getKey());
            toNode(g.getKey(), GHOSTS, GhostBatch.merge(g.getValue()).encode());
            g.getValue().clear();
        }
        for (String was : ghostTargets) {
            if (!targets.contains(was)) toNode(was, GHOSTS, GhostBatch.empty(tick).encode());
        }
        ghostTargets = targets;
    }

    /** The link of a player simulated here whose client is held by another node. Tick thread, except disconnect. */
    private final class RemoteLink implements ClientLink {
        final String gateway;
        final long session;
        final long characterId;
        final Inbox inbox;

        RemoteLink(String gateway, long session, long characterId, Inbox inbox) {
            this.gateway = gateway;
            this.session = session;
            this.characterId = characterId;
            this.inbox = inbox;
        }

        @Override
        public boolean isOpen() {
            return remote.get(characterId) == this; // a leave (or a newer session) took it out
        }

        /** A chat line goes marked: the gateway filters it by its listener's ignore list (see {@link FrameBatch#CHAT}). */
        @Override
        public void send(ServerMessage message) {
            byte[] b = message.toByteArray();
            append(b, b.length, message.getMsgCase() == ServerMessage.MsgCase.CHAT);
        }

        // This tick's messages for the client, kept here until flush: viewers are encoded on
        // several threads at once, and the gateway's batch is shared by all its clients. Each
        // is its length (the top bit: a chat line) and its bytes.
        private byte[] pending = new byte[256];
        private int pendingLen;

        @Override
        public void sendEncoded(byte[] bytes, int length) {
            append(bytes, length, false);
        }

        private void append(byte[] bytes, int length, boolean chat) {
            int need = pendingLen + 4 + length;
            if (need > pending.length) pending = java.util.Arrays.copyOf(pending, Math.max(need, pending.length * 2));
            int word = chat ? length | FrameBatch.CHAT : length;
            pending[pendingLen] = (byte) (word >>> 24);
            pending[pendingLen + 1] = (byte) (word >>> 16);
            pending[pendingLen + 2] = (byte) (word >>> 8);
            pending[pendingLen + 3] = (byte) word;
            System.arraycopy(bytes, 0, pending, pendingLen + 4, length);
            pendingLen = need;
        }

        /** Tick thread: moves this tick's messages into the gateway's batch, sent at tickEnd. */
        @Override
        public void flush() {
            if (pendingLen == 0) return;
            FrameBatch batch = frames.computeIfAbsent(gateway, k -> new FrameBatch());
            for (int p = 0; p < pendingLen; ) {
                int word = ((pending[p] & 0xff) << 24) | ((pending[p + 1] & 0xff) << 16) | ((pending[p + 2] & 0xff) << 8) | (pending[p + 3] & 0xff);
                int len = word & ~FrameBatch.CHAT;
                batch.add(characterId, pending, p + 4, len, word < 0);
                p += 4 + len;
            }
            pendingLen = 0;
            if (pending.length > 16 * 1024) pending = new byte[256]; // after a burst of enters
        }

        @Override
        public void disconnect(DisconnectReason reason, String message) {
            toNode(gateway, KICK, Wire.kick(characterId, session, reason, message));
        }
    }

    /** A link to nobody: for a character whose client is gone, continued only to be saved. */
    private static final class NullLink implements ClientLink {
        @Override public void send(ServerMessage message) { }
        @Override public void sendEncoded(byte[] bytes, int length) { }
        @Override public void flush() { }
        @Override public void disconnect(DisconnectReason reason, String message) { }
    }

    // =================================================================== chat across nodes

    /** SAY heard on other nodes: their players within {@code radius} of (x, y). */
    public void publishSay(float x, float y, float radius, int speakerEntity, ServerMessage msg) {
        toTopic(CHAT_TOPIC, SAY, Wire.say(self, x, y, radius, speakerEntity, msg));
    }

    /** WORLD heard on every other node. */
    public void publishWorld(ServerMessage msg) {
        toTopic(CHAT_TOPIC, WORLD_CHAT, Wire.world(self, msg));
    }

    /** Sends a whisper to the node holding {@code name}'s connection; false if nobody by that name is online. */
    public boolean whisper(String name, ServerMessage msg) {
        String gw = node.presence(name.toLowerCase(Locale.ROOT)).orElse(null);
        if (gw == null) return false;
        toNode(gw, WHISPER, Wire.whisper(name.toLowerCase(Locale.ROOT), msg));
        return true;
    }

    // =================================================================== ClusterHost (Pekko threads)

    @Override
    public void regionStarted(int region) {
        log.info("region {} starts here", region);
        world.execute(() -> world.claimRegion(region));
    }

    /**
     * Releases the region and waits (on this Pekko thread, at most 2 s) until the world has
     * handed its players over: sharding moves the region only after this returns, and buffers
     * what is sent to it meanwhile, so the handoffs reach the new owner.
     */
    @Override
    public void regionStopped(int region) {
        log.info("region {} moves away", region);
        CompletableFuture<Void> done = new CompletableFuture<>();
        world.execute(() -> {
            world.releaseRegion(region);
            releases.add(new Release(world.currentTick() + 2, done)); // handed off after the next tick's flush
        });
        try {
            done.get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("region {} released without waiting for its handoffs: {}", region, e.toString());
        }
    }

    private record Release(int afterTick, CompletableFuture<Void> done) {}
    private final List<Release> releases = new ArrayList<>(); // tick thread

    @Override
    public void onRegionMessage(int region, int kind, byte[] payload) {
        try {
            switch (kind) {
                case JOIN -> {
                    Wire.Join j = Wire.readJoin(payload);
                    world.execute(() -> joinHere(j));
                }
                case HANDOFF -> {
                    Wire.Handoff h = Wire.readHandoff(payload);
                    world.execute(() -> adoptHere(h, payload, true));
                }
                case INPUT -> input(payload);
                case LEAVE -> {
                    Wire.Leave l = Wire.readLeave(payload);
                    world.execute(() -> leaveHere(l.characterId(), l.session()));
                }
                case GAME -> world.acceptGameAction(payload);
                default -> log.warn("region {}: unknown message kind {}", region, kind);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("region {}: bad message of kind {}: {}", region, kind, e.toString());
        }
    }

    @Override
    public void onNodeMessage(String from, int kind, byte[] payload) {
        try {
            switch (kind) {
                case INPUT -> input(payload);
                case INPUTS -> FrameBatch.forEach(payload, (characterId, bytes, offset, length, chat) -> {
                    try {
                        input(characterId, ClientMessage.parseFrom(java.nio.ByteBuffer.wrap(bytes, offset, length)));
                    } catch (InvalidProtocolBufferException ex) {
                        log.warn("bad input for character {} from {}", characterId, from);
                    }
                });
                case HANDOFF -> {
                    Wire.Handoff h = Wire.readHandoff(payload);
                    world.execute(() -> adoptHere(h, payload, false));
                }
                case OWNER -> {
                    Wire.Owner o = Wire.readOwner(payload);
                    ownerIs(o.characterId(), o.session(), o.owner());
                }
                case FRAMES -> deliverFrames(payload);
                case GAME -> world.acceptGameAction(payload);
                case GHOSTS -> {
                    GhostBatch b = GhostBatch.decode(payload);
                    world.acceptGhosts(from, b);
                }
                case LEAVE -> {
                    Wire.Leave l = Wire.readLeave(payload);
                    world.execute(() -> leaveHere(l.characterId(), l.session()));
                }
                case KICK -> {
                    Wire.Kick k = Wire.readKick(payload);
                    Entry e = entries.get(k.characterId());
                    if (e != null && e.session == k.session()) e.conn.disconnect(k.reason(), k.message());
                }
                case DASHBOARD_PART -> {
                    mmo.server.admin.Dashboard d = dashboard;
                    if (d != null) d.acceptPart(shortName(from), payload);
                }
                case TELEPORT_ANSWER -> teleportAnswered(Wire.readTeleportAnswer(payload));
                case WHISPER -> {
                    Wire.Whisper w = Wire.readWhisper(payload);
                    Entry e = entriesByName.get(w.nameKey());
                    if (e != null) e.conn.deliverChat(w.message(), 0, w.message().length); // its ignore list applies here
                }
                default -> log.warn("unknown node message kind {} from {}", kind, from);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("bad node message of kind {} from {}: {}", kind, from, e.toString());
        }
    }

    @Override
    public void onTopicMessage(String topic, int kind, byte[] payload) {
        try {
            switch (kind) {
                case SAY -> {
                    Wire.Say s = Wire.readSay(payload);
                    if (s.origin().equals(self)) return;
                    ServerMessage msg = ServerMessage.parseFrom(s.message());
                    world.execute(() -> world.forEachWithin(s.x(), s.y(), s.radius(), p -> {
                        if (!world.isGhost(p.id()) && p.id() != s.speakerEntity()) p.link().send(msg);
                    }));
                }
                case WORLD_CHAT -> {
                    Wire.WorldChat w = Wire.readWorld(payload);
                    if (w.origin().equals(self)) return;
                    ServerMessage msg = ServerMessage.parseFrom(w.message());
                    world.execute(() -> {
                        for (Player p : world.players()) p.link().send(msg);
                    });
                }
                case ACCOUNT_LOGIN -> {
                    Wire.AccountLogin a = Wire.readAccountLogin(payload);
                    if (!a.origin().equals(self)) accountLoggedInElsewhere.accept(a.accountId());
                }
                case DASHBOARD_ASK -> {
                    String origin = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
                    mmo.server.admin.Dashboard d = dashboard;
                    if (d == null || origin.equals(self)) return;
                    // answered only to a member: the payload is not trusted to name an address to dial
                    if (!node.members().contains(origin)) {
                        log.debug("dashboard ask from {}, which is no member: ignored", origin);
                        return;
                    }
                    world.execute(() -> {
                        for (byte[] chunk : d.part(origin, mmo.server.admin.Dashboard.PART_CHUNK_BYTES)) toNode(origin, DASHBOARD_PART, chunk);
                    });
                }
                case ACCOUNT_CLOSE -> {
                    Wire.AccountClose a = Wire.readAccountClose(payload);
                    mmo.protocol.DisconnectReason reason = mmo.protocol.DisconnectReason.forNumber(a.reason());
                    if (!a.origin().equals(self) && reason != null) accountClosed.close(a.accountId(), reason, a.message());
                }
                case ACCOUNT_MUTE -> {
                    Wire.AccountMute m = Wire.readAccountMute(payload);
                    if (!m.origin().equals(self)) muteChanged.muteChanged(m.accountId(), m.mutedUntil(), m.notice());
                }
                case TELEPORT_ASK -> {
                    Wire.TeleportAsk t = Wire.readTeleportAsk(payload);
                    if (t.origin().equals(self)) return;
                    // answered only to a member: the payload is not trusted to name an address to dial
                    if (!node.members().contains(t.origin())) {
                        log.debug("teleport ask from {}, which is no member: ignored", t.origin());
                        return;
                    }
                    world.execute(() -> toNode(t.origin(), TELEPORT_ANSWER,
                            Wire.teleportAnswer(t.id(), teleportHere(t.name(), t.x(), t.y()), world.name(), t.x(), t.y())));
                }
                default -> log.warn("unknown topic message kind {} on {}", kind, topic);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("bad topic message of kind {} on {}: {}", kind, topic, e.toString());
        }
    }

    private volatile boolean leaving;

    /** This node is leaving on purpose (shutdown): its leaving the cluster is no alarm. */
    public void leaving() {
        leaving = true;
    }

    @Override
    public void leftCluster() {
        if (!leaving) leftCluster.complete(null);
    }

    /** Completes when this node is out of the cluster without having asked to leave (downed by the others): then it must stop. */
    public CompletableFuture<Void> whenLeftCluster() {
        return leftCluster;
    }

    /** Handoff latencies (ms) of the handoffs adopted here at or after {@code fromTick}: count, p50, p99, max. */
    private String handoffLatency(int fromTick) {
        long[] l;
        int n = 0;
        synchronized (handoffMicros) {
            int have = Math.min(handoffNext, handoffMicros.length);
            l = new long[have];
            for (int i = 0; i < have; i++) if (handoffTicks[i] >= fromTick) l[n++] = handoffMicros[i];
        }
        java.util.Arrays.sort(l, 0, n);
        if (n == 0) return "{\"count\":0}";
        return String.format(Locale.ROOT, "{\"count\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}", n,
                l[(n - 1) / 2] / 1000.0, l[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1000.0, l[n - 1] / 1000.0);
    }

    @Override
    public String statsJson(int fromTick) {
        ClusterNode n = node;
        if (n == null) return null;
        StringBuilder b = new StringBuilder(256);
        b.append("{\"self\":\"").append(self).append("\",\"name\":\"").append(nodeName)
                .append("\",\"members\":").append(n.members().size())
                .append(",\"connections\":").append(entries.size())
                .append(",\"simulated_for_other_nodes\":").append(remote.size())
                .append(",\"simulated\":").append(simulated)
                .append(",\"messages_out\":").append(messagesOut.sum())
                .append(",\"handoffs_out\":").append(handoffsOut)
                .append(",\"handoffs_in\":").append(handoffsIn)
                .append(",\"handoff_latency\":").append(handoffLatency(fromTick))
                .append(",\"region_count\":").append(n.settings().regionCount())
                .append(",\"regions\":{");
        boolean first = true;
        for (Map.Entry<Integer, String> e : n.regionOwners().entrySet()) {
            if (!first) b.append(',');
            first = false;
            b.append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
        }
        return b.append("}}").toString();
    }

    @Override
    public void nodeRemoved(String gone) {
        log.warn("node {} left the cluster", gone);
        world.acceptGhosts(gone, GhostBatch.empty(world.currentTick()));
        // players simulated here for connections held there: their clients are gone
        world.execute(() -> {
            for (RemoteLink rl : new ArrayList<>(remote.values())) {
                if (rl.gateway.equals(gone)) leaveHere(rl.characterId, rl.session);
            }
        });
        // connections held here whose characters were simulated there: the clients are told to
        // come back (they resume the session and enter again from the last save)
        int lost = 0;
        for (Entry e : entries.values()) {
            boolean here;
            synchronized (e) {
                here = gone.equals(e.owner);
            }
            if (here) {
                lost++;
                e.conn.disconnect(DisconnectReason.SERVER_SHUTDOWN, "The server simulating your region went away; reconnecting");
            }
        }
        log.info("{} clients held here were simulated on {}: told to reconnect", lost, gone);
    }

    private void input(byte[] payload) throws IOException {
        Wire.Input in = Wire.readInput(payload);
        input(in.characterId(), in.message());
    }

    /** Owner: a client's message, for a character simulated here, just gone, or not here yet. */
    private void input(long id, ClientMessage m) {
        RemoteLink rl = remote.get(id);
        if (rl != null) {
            if (!rl.inbox.offer(m)) rl.disconnect(DisconnectReason.INPUT_OVERFLOW, "Too many messages");
            return;
        }
        Integer region = movedTo.get(id);
        if (region != null) {
            toRegion(region, INPUT, Wire.input(id, m));
            return;
        }
        Queue<ClientMessage> q = early.computeIfAbsent(id, k -> new ConcurrentLinkedQueue<>());
        if (q.size() < EARLY_LIMIT) q.add(m);
        // it may have arrived meanwhile
        RemoteLink now = remote.get(id);
        if (now != null && early.remove(id, q)) {
            for (ClientMessage e; (e = q.poll()) != null; ) now.inbox.offer(e);
        }
    }

    private void deliverFrames(byte[] payload) {
        FrameBatch.forEach(payload, (characterId, bytes, offset, length, chat) -> {
            Entry e = entries.get(characterId);
            if (e == null) return;
            if (chat) e.conn.deliverChat(bytes, offset, length);
            else e.conn.deliver(bytes, offset, length);
        });
    }

    // =================================================================== frames

    /**
     * One tick's encoded messages for the clients held by one gateway node: filled by the remote
     * links' flushes and drained at the end of the tick. Locked per add, so a frame always goes
     * in whole whichever thread adds it.
     */
    static final class FrameBatch {
        /**
         * The top bit of a frame's length: the frame is a chat line. The gateway decodes only
         * these, to apply its client's ignore list (kept where the session is, not where the
         * character is simulated); every other frame goes to the socket as it is.
         */
        static final int CHAT = 1 << 31;

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        private final DataOutputStream out = new DataOutputStream(bytes);
        private int count;

        synchronized void add(long characterId, byte[] b, int offset, int length) {
            add(characterId, b, offset, length, false);
        }

        synchronized void add(long characterId, byte[] b, int offset, int length, boolean chat) {
            try {
                out.writeLong(characterId);
                out.writeInt(chat ? length | CHAT : length);
                out.write(b, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            count++;
        }

        /** The frames added since the last drain, as one payload (null if none); starts over. */
        synchronized byte[] drain() {
            if (count == 0) return null;
            byte[] payload = bytes.toByteArray();
            bytes.reset();
            count = 0;
            return payload;
        }

        interface Sink {
            void frame(long characterId, byte[] bytes, int offset, int length, boolean chat);
        }

        static void forEach(byte[] payload, Sink sink) {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(payload);
            while (in.remaining() >= 12) {
                long id = in.getLong();
                int word = in.getInt();
                int len = word & ~CHAT;
                if (len > in.remaining()) throw new IllegalArgumentException("truncated frame batch");
                sink.frame(id, payload, in.position(), len, word < 0);
                in.position(in.position() + len);
            }
        }
    }

    // =================================================================== payloads

    /** The payloads of this class's messages: DataOutput fields in a fixed order. */
    static final class Wire {
        record Join(String gateway, long session, int region, long characterId, long epoch, long accountId, String name, int cls, byte[] appearance,
                    float x, float y, int rid, byte[] summary) {
            World.JoinRequest request(ClientLink link, Inbox inbox) {
                try {
                    return new World.JoinRequest(characterId, epoch, accountId, name, CharacterClass.forNumber(cls),
                            Appearance.parseFrom(appearance), x, y, link, inbox, rid, CharacterSummary.parseFrom(summary),
                            entityIdOf(characterId));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException(e);
                }
            }
        }

        record Handoff(String gateway, long session, int toRegion, long sentMicros, PlayerSnapshot snapshot) {}
        record Input(long characterId, ClientMessage message) {}
        record Owner(long characterId, long session, String owner) {}
        record Kick(long characterId, long session, DisconnectReason reason, String message) {}
        record Leave(long characterId, long session) {}
        record Say(String origin, float x, float y, float radius, int speakerEntity, byte[] message) {}
        record WorldChat(String origin, byte[] message) {}
        record Whisper(String nameKey, byte[] message) {}
        record AccountLogin(String origin, long accountId) {}
        record AccountClose(String origin, long accountId, int reason, String message) {}
        record AccountMute(String origin, long accountId, long mutedUntil, String notice) {}
        record TeleportAsk(String origin, long id, String name, float x, float y) {}
        record TeleportAnswer(long id, int outcome, String world, float x, float y) {}

        interface Writer {
            void write(DataOutputStream out) throws IOException;
        }

        static byte[] bytes(Writer w) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            try (DataOutputStream out = new DataOutputStream(b)) {
                w.write(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return b.toByteArray();
        }

        static DataInputStream in(byte[] payload) {
            return new DataInputStream(new java.io.ByteArrayInputStream(payload));
        }

        static void blob(DataOutputStream out, byte[] b) throws IOException {
            out.writeInt(b.length);
            out.write(b);
        }

        static byte[] blob(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n < 0 || n > 1 << 20) throw new IOException("bad length " + n);
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        static byte[] join(String gateway, long session, int region, World.JoinRequest j) {
            return bytes(out -> {
                out.writeUTF(gateway);
                out.writeLong(session);
                out.writeInt(region);
                out.writeLong(j.characterId());
                out.writeLong(j.epoch());
                out.writeLong(j.accountId());
                out.writeUTF(j.name());
                out.writeInt(j.characterClass().getNumber());
                blob(out, j.appearance().toByteArray());
                out.writeFloat(j.x());
                out.writeFloat(j.y());
                out.writeInt(j.rid());
                blob(out, j.summary().toByteArray());
            });
        }

        static Join readJoin(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new Join(in.readUTF(), in.readLong(), in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readUTF(), in.readInt(),
                    blob(in), in.readFloat(), in.readFloat(), in.readInt(), blob(in));
        }

        /** The region a JOIN is addressed to. */
        static int joinRegion(byte[] join) {
            try {
                DataInputStream in = in(join);
                in.readUTF();
                in.readLong();
                return in.readInt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static byte[] handoff(String gateway, long session, int toRegion, PlayerSnapshot s) {
            return bytes(out -> {
                out.writeUTF(gateway);
                out.writeLong(session);
                out.writeInt(toRegion);
                out.writeLong(nowMicros());
                blob(out, s.encode());
            });
        }

        static Handoff readHandoff(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new Handoff(in.readUTF(), in.readLong(), in.readInt(), in.readLong(), PlayerSnapshot.decode(blob(in)));
        }

        static byte[] input(long characterId, ClientMessage m) {
            return bytes(out -> {
                out.writeLong(characterId);
                blob(out, m.toByteArray());
            });
        }

        static Input readInput(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new Input(in.readLong(), ClientMessage.parseFrom(blob(in)));
        }

        static byte[] owner(long characterId, long session, String owner) {
            return bytes(out -> {
                out.writeLong(characterId);
                out.writeLong(session);
                out.writeUTF(owner);
            });
        }

        static Owner readOwner(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new Owner(in.readLong(), in.readLong(), in.readUTF());
        }

        static byte[] leave(long characterId, long session) {
            return bytes(out -> {
                out.writeLong(characterId);
                out.writeLong(session);
            });
        }

        static Leave readLeave(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new Leave(in.readLong(), in.readLong());
        }

        static byte[] kick(long characterId, long session, DisconnectReason reason, String message) {
            return bytes(out -> {
                out.writeLong(characterId);
                out.writeLong(session);
                out.writeInt(reason.getNumber());
                out.writeUTF(message);
            });
        }

        static Kick readKick(byte[] p) throws IOException {
            DataInputStream in = in(p);
            long id = in.readLong();
            long session = in.readLong();
            DisconnectReason r = DisconnectReason.forNumber(in.readInt());
            return new Kick(id, session, r == null ? DisconnectReason.DISCONNECT_UNSPECIFIED : r, in.readUTF());
        }

        static byte[] say(String origin, float x, float y, float radius, int speaker, ServerMessage m) {
            return bytes(out -> {
                out.writeUTF(origin);
                out.writeFloat(x);
                out.writeFloat(y);
                out.writeFloat(radius);
                out.writeInt(speaker);
                blob(out, m.toByteArray());
            });
        }

        static Say readSay(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new Say(in.readUTF(), in.readFloat(), in.readFloat(), in.readFloat(), in.readInt(), blob(in));
        }

        static byte[] world(String origin, ServerMessage m) {
            return bytes(out -> {
                out.writeUTF(origin);
                blob(out, m.toByteArray());
            });
        }

        static WorldChat readWorld(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new WorldChat(in.readUTF(), blob(in));
        }

        static byte[] whisper(String nameKey, ServerMessage m) {
            return bytes(out -> {
                out.writeUTF(nameKey);
                blob(out, m.toByteArray());
            });
        }

        static Whisper readWhisper(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new Whisper(in.readUTF(), blob(in));
        }

        static byte[] accountLogin(String origin, long accountId) {
            return bytes(out -> {
                out.writeUTF(origin);
                out.writeLong(accountId);
            });
        }

        static AccountLogin readAccountLogin(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new AccountLogin(in.readUTF(), in.readLong());
        }

        static byte[] accountClose(String origin, long accountId, int reason, String message) {
            return bytes(out -> {
                out.writeUTF(origin);
                out.writeLong(accountId);
                out.writeInt(reason);
                out.writeUTF(message);
            });
        }

        static AccountClose readAccountClose(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new AccountClose(in.readUTF(), in.readLong(), in.readInt(), in.readUTF());
        }

        static byte[] accountMute(String origin, long accountId, long mutedUntil, String notice) {
            return bytes(out -> {
                out.writeUTF(origin);
                out.writeLong(accountId);
                out.writeLong(mutedUntil);
                out.writeUTF(notice);
            });
        }

        static AccountMute readAccountMute(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new AccountMute(in.readUTF(), in.readLong(), in.readLong(), in.readUTF());
        }

        static byte[] teleportAsk(String origin, long id, String name, float x, float y) {
            return bytes(out -> {
                out.writeUTF(origin);
                out.writeLong(id);
                out.writeUTF(name);
                out.writeFloat(x);
                out.writeFloat(y);
            });
        }

        static TeleportAsk readTeleportAsk(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new TeleportAsk(in.readUTF(), in.readLong(), in.readUTF(), in.readFloat(), in.readFloat());
        }

        static byte[] teleportAnswer(long id, int outcome, String world, float x, float y) {
            return bytes(out -> {
                out.writeLong(id);
                out.writeInt(outcome);
                out.writeUTF(world);
                out.writeFloat(x);
                out.writeFloat(y);
            });
        }

        static TeleportAnswer readTeleportAnswer(byte[] p) throws IOException {
            DataInputStream in = in(p);
            return new TeleportAnswer(in.readLong(), in.readInt(), in.readUTF(), in.readFloat(), in.readFloat());
        }
    }

    /** Stops the background retries (the node is closing). */
    public void stop() {
        retries.shutdownNow();
    }

    /** Stops being a gateway: every client held here is told the server is going (they resume on another node). */
    public void disconnectAll(String message) {
        for (Entry e : entries.values()) e.conn.disconnect(DisconnectReason.SERVER_SHUTDOWN, message);
    }

    /** Clients held here that are in the world. */
    public int connections() {
        return entries.size();
    }

    /** 2026-01-01T00:00:00Z: ticks count from here, so every node numbers them alike. */
    private static final long TICK_EPOCH_MILLIS = 1_767_225_600_000L;

    /** The tick number the wall clock says now, the same on every node whose clock is right. */
    public static int wallClockTick(int tickRate) {
        return (int) ((System.currentTimeMillis() - TICK_EPOCH_MILLIS) * tickRate / 1000);
    }

    /**
     * A character's entity id in a cluster: the same on every node, so handoffs keep it. Ids
     * below {@link World#FIRST_PLAYER_ID} are the creatures' and the loot's.
     */
    public static int entityIdOf(long characterId) {
        if (characterId <= 0 || characterId > Integer.MAX_VALUE - World.FIRST_PLAYER_ID) {
            throw new IllegalArgumentException("character id " + characterId);
        }
        return (int) characterId + World.FIRST_PLAYER_ID;
    }
}

package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatSend;
import mmo.protocol.ClientMessage;
import mmo.protocol.DisconnectReason;
import mmo.protocol.Emote;
import mmo.protocol.EntityEvent;
import mmo.protocol.EntityKind;
import mmo.protocol.ErrorCode;
import mmo.protocol.ServerMessage;
import mmo.protocol.WorldEntered;
import mmo.server.persistence.CharacterState;
import mmo.server.persistence.FencedException;
import mmo.server.persistence.FencedSave;
import mmo.server.world.map.TileMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * One world: its map, its grid of regions and every player in it, advanced by {@link #tick()}
 * in named phases (inputs, simulate, interest, encode, flush, save).
 *
 * <p>Threading: all state is owned by the one thread that calls {@link #tick()} (the tick
 * thread, or a test). Other threads reach the world only through {@link #execute} (commands
 * run at the start of the next tick) and through each player's {@link Inbox}. Calling a
 * tick-thread method from another thread fails with {@link IllegalStateException}.
 */
public final class World {
    private static final Logger log = LoggerFactory.getLogger(World.class);

    /** Fixed-point scale of positions on the wire (mmo.proto POSITION_SCALE). */
    public static final int POSITION_SCALE = 16;

    private final String name;
    private final TileMap map;
    private final WorldSettings settings;
    private final Saver saver;
    private final GameRules rules;

    private final int regionSize;
    private final int regionCols, regionRows;
    private final Region[] regions;
    private final SpatialGrid grid;
    private final TickStats tickStats = new TickStats();
    // This tick's positions by entity id (float units and 1/16 quanta), filled at the start of
    // the encode phase: the per-viewer diff reads these flat arrays, not the Player objects.
    private float[] xById = new float[64], yById = new float[64];
    private int[] qxById = new int[64], qyById = new int[64];
    private final InterestPolicy interest;
    private volatile float timeDilation = 1.0f;
    private int[] tickEventIds = new int[16];
    private byte[][] tickEventBytes = new byte[16][];

    private final ArrayList<Player> players = new ArrayList<>();
    private Player[] byId = new Player[64];
    private final Map<String, Player> byName = new HashMap<>();
    private final Map<Long, Player> byCharacter = new HashMap<>();
    private final Map<ClientLink, Player> byLink = new IdentityHashMap<>();
    /**
     * Characters that left recently: their newest state, and the tick its final save completed
     * (-1 while it has not). Kept for {@link #REMEMBER_LEFT_TICKS} after the save, because a
     * character may come back with a database read taken before that save committed; the
     * world's own state is the newer one, so a join prefers it. A state whose save failed is
     * saved again by the next periodic save; one whose save was fenced is final.
     */
    private final Map<Long, Left> recentlyLeft = new HashMap<>();

    private static final class Left {
        final CharacterState state;
        int savedTick = -1;
        boolean saving;

        Left(CharacterState state) {
            this.state = state;
        }
    }

    /** How long a left character's state is remembered after its save: 60 s at 20 Hz. */
    static final int REMEMBER_LEFT_TICKS = 1200;

    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private int nextId = 1;
    private final ArrayDeque<long[]> freedIds = new ArrayDeque<>();

    private final ArrayList<EntityEvent> tickEvents = new ArrayList<>();
    private final ArrayList<PendingChat> pendingChats = new ArrayList<>();
    private final ArrayList<Player> handoffs = new ArrayList<>();

    private volatile int tick;
    private volatile long lastTickNanos;
    private Thread owner;
    private final float stepDistance;
    private final int saveEveryTicks;

    /** Settings a world needs from the configuration. */
    public record WorldSettings(int tickRate, int regionSize, float viewRadius, float speed,
                                int inputsPerTick, int saveEveryTicks, InterestPolicy interest,
                                int transportOnlyFrameBytes) {
        public WorldSettings(int tickRate, int regionSize, float viewRadius, float speed,
                             int inputsPerTick, int saveEveryTicks) {
            this(tickRate, regionSize, viewRadius, speed, inputsPerTick, saveEveryTicks, InterestPolicy.DEFAULT, 0);
        }

        public WorldSettings(int tickRate, int regionSize, float viewRadius, float speed,
                             int inputsPerTick, int saveEveryTicks, InterestPolicy interest) {
            this(tickRate, regionSize, viewRadius, speed, inputsPerTick, saveEveryTicks, interest, 0);
        }

        /** The benchmark baseline: no world, one fixed-size acknowledgement frame per client per tick. */
        public boolean transportOnly() {
            return transportOnlyFrameBytes > 0;
        }
    }

    /**
     * Where a world's saves go (the persistence layer, or a test's fake). Called on the tick
     * thread; must not block. A save fails with {@link FencedException} when some states were
     * rejected because their characters were claimed by a newer owner (the rest were saved).
     */
    public interface Saver {
        CompletableFuture<Void> save(Collection<CharacterState> states);
    }

    /** Game rules the engine delegates to (chat routing, ...). Called on the tick thread. */
    public interface GameRules {
        /** A chat from {@code speaker}, routed after the tick's positions are final. */
        void onChat(World world, Player speaker, ChatSend chat, int rid);
    }

    private record PendingChat(Player speaker, ChatSend chat, int rid) {}

    /**
     * What a client needs to join: the character as loaded and the epoch of its claim, and where
     * its messages come from and go.
     */
    public record JoinRequest(long characterId, long epoch, long accountId, String name, CharacterClass characterClass,
                              Appearance appearance, float x, float y, ClientLink link, Inbox inbox, int rid,
                              CharacterSummary summary) {}

    public World(String name, TileMap map, WorldSettings settings, Saver saver, GameRules rules) {
        this.name = name;
        this.map = map;
        this.settings = settings;
        this.saver = saver;
        this.rules = rules;
        this.regionSize = settings.regionSize();
        this.regionCols = (map.width() + regionSize - 1) / regionSize;
        this.regionRows = (map.height() + regionSize - 1) / regionSize;
        this.regions = new Region[regionCols * regionRows];
        for (int ry = 0; ry < regionRows; ry++) {
            for (int rx = 0; rx < regionCols; rx++) {
                regions[ry * regionCols + rx] = new Region(rx, ry);
            }
        }
        // Cells of a quarter of the view radius: a view query scans 8-9 rows of 8-9 cells, one
        // contiguous run of entries per row, over ~1.6x the view circle's area (3x with cells
        // as large as the radius).
        this.grid = new SpatialGrid(map.width(), map.height(), Math.max(settings.viewRadius() / 4f, 4f));
        this.stepDistance = settings.speed() / settings.tickRate();
        this.saveEveryTicks = Math.max(1, settings.saveEveryTicks());
        this.interest = settings.interest() != null ? settings.interest() : InterestPolicy.DEFAULT;
    }

    // ------------------------------------------------------------------ access

    public String name() { return name; }
    public TileMap map() { return map; }
    public WorldSettings settings() { return settings; }
    /** The number of the last completed tick. Any thread. */
    public int currentTick() { return tick; }
    /** The player with this entity id, or null. Tick thread. */
    public Player player(int entityId) {
        return entityId > 0 && entityId < byId.length ? byId[entityId] : null;
    }

    /** Simulation speed sent to clients: 1 normal, lower when the tick loop slows time to keep up. Any thread. */
    public float timeDilation() { return timeDilation; }

    /** Set by the tick loop (owner thread) before a tick; clamped to (0, 1]. */
    public void setTimeDilation(float d) {
        checkOwner();
        timeDilation = Math.max(0.01f, Math.min(1f, d));
    }

    /** Duration of the last tick's work in nanoseconds. Any thread. */
    public long lastTickNanos() { return lastTickNanos; }
    /** Players in the world (tick thread only; a live view). */
    public List<Player> players() { checkOwner(); return players; }
    public int regionCols() { return regionCols; }
    public int regionRows() { return regionRows; }

    public Region regionAt(float x, float y) {
        int rx = Math.min(regionCols - 1, Math.max(0, (int) (x / regionSize)));
        int ry = Math.min(regionRows - 1, Math.max(0, (int) (y / regionSize)));
        return regions[ry * regionCols + rx];
    }

    /** The player with that name (ignoring case), or null. Tick thread only. */
    public Player playerByName(String characterName) {
        checkOwner();
        return byName.get(characterName.toLowerCase(Locale.ROOT));
    }

    /** Calls {@code action} for every player within {@code r} of (x, y), as of this tick's interest phase. Tick thread only. */
    public void forEachWithin(float x, float y, float r, Consumer<Player> action) {
        checkOwner();
        grid.forEachWithin(x, y, r, action);
    }

    /** Runs {@code command} on the tick thread at the start of the next tick. Any thread. */
    public void execute(Runnable command) {
        commands.add(command);
    }

    /** Makes the calling thread the world's owner (the tick thread). */
    public synchronized void claimOwnership() {
        owner = Thread.currentThread();
    }

    private void checkOwner() {
        Thread t = Thread.currentThread();
        if (owner != t) {
            if (owner == null) {
                owner = t;
                return;
            }
            throw new IllegalStateException("world '" + name + "' is owned by " + owner.getName()
                    + ", not " + t.getName());
        }
    }

    // ------------------------------------------------------------------ the tick

    /** Advances the world by one tick: inputs, simulate, interest, encode, flush, save. */
    public void tick() {
        checkOwner();
        long start = System.nanoTime();
        long cpuStart = threadCpu();
        int t = tick + 1;
        runCommands();
        if (settings.transportOnly()) {
            transportOnlyTick(t);
        } else {
            phaseInputs(t);
            phaseSimulate();
            phaseInterest();
            phaseEncode(t);
            phaseFlush();
            if (t % saveEveryTicks == 0) phaseSave();
            tickEvents.clear();
        }
        tick = t;
        lastTickNanos = System.nanoTime() - start;
        tickStats.record(t, start, lastTickNanos, cpuStart < 0 ? -1 : threadCpu() - cpuStart);
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();

    /** The calling thread's CPU time in nanoseconds, or -1 where the JVM cannot tell. */
    private static long threadCpu() {
        return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    /** Durations of the recent ticks; any thread. */
    public TickStats tickStats() {
        return tickStats;
    }

    /**
     * The transport-only baseline: inputs are acknowledged, nothing moves, nobody sees anybody;
     * each client gets one frame of {@code transportOnlyFrameBytes} per tick.
     */
    private void transportOnlyTick(int t) {
        phaseInputs(t);
        UpdateEncoder enc = viewerEncoders[0].encoder;
        for (int i = 0; i < players.size(); i++) {
            Player p = players.get(i);
            p.dirX = 0;
            p.dirY = 0;
            enc.begin();
            WireWriter w = enc.finishPadded(t, p.ackSeq, p.ackTick < 0 ? 0 : t - p.ackTick + 1,
                    quantize(p.x), quantize(p.y), 1f, settings.transportOnlyFrameBytes());
            p.link.sendEncoded(w.array(), w.size());
        }
        phaseFlush();
    }

    private void runCommands() {
        Runnable r;
        while ((r = commands.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.error("world command failed", e);
            }
        }
    }

    private void phaseInputs(int t) {
        int limit = settings.inputsPerTick();
        for (int i = 0; i < players.size(); i++) {
            Player p = players.get(i);
            for (int k = 0; k < limit; k++) {
                ClientMessage m = p.inbox.poll();
                if (m == null) break;
                try {
                    apply(p, m, t);
                } catch (RuntimeException e) {
                    log.warn("bad message from {}: {}", p.name, e.toString());
                    sendError(p, m.getRid(), ErrorCode.BAD_REQUEST, "Bad request");
                }
            }
        }
    }

    private void apply(Player p, ClientMessage m, int t) {
        switch (m.getMsgCase()) {
            case INPUT -> {
                var in = m.getInput();
                float dx = in.getDx(), dy = in.getDy();
                if (!Float.isFinite(dx) || !Float.isFinite(dy)) {
                    dx = 0;
                    dy = 0;
                }
                float len = (float) Math.sqrt(dx * dx + dy * dy);
                if (len < 1e-6f) {
                    p.dirX = 0;
                    p.dirY = 0;
                } else {
                    p.dirX = dx / len;
                    p.dirY = dy / len;
                }
                p.ackSeq = in.getSeq();
                p.ackTick = t;
            }
            case CHAT -> pendingChats.add(new PendingChat(p, m.getChat(), m.getRid()));
            case EMOTE -> {
                Emote e = m.getEmote().getEmote();
                if (e == Emote.EMOTE_NONE || e == Emote.UNRECOGNIZED) {
                    sendError(p, m.getRid(), ErrorCode.BAD_REQUEST, "Unknown emote");
                    return;
                }
                if (e == Emote.SIT) p.lastingEmote = Emote.SIT;
                tickEvents.add(EntityEvent.newBuilder().setId(p.id).setEmote(e).build());
            }
            default -> sendError(p, m.getRid(), ErrorCode.BAD_REQUEST,
                    "Not allowed in the world: " + m.getMsgCase());
        }
    }

    private void phaseSimulate() {
        for (Region region : regions) {
            ArrayList<Player> list = region.players;
            for (int i = 0; i < list.size(); i++) {
                Player p = list.get(i);
                if (Movement.step(map, p, stepDistance)) {
                    if (p.lastingEmote == Emote.SIT) p.lastingEmote = Emote.EMOTE_NONE;
                    if (regionAt(p.x, p.y) != region) handoffs.add(p);
                }
            }
        }
        // Border crossings move between regions only after every region has stepped, so
        // no region's list changes while it is being simulated.
        for (int i = 0; i < handoffs.size(); i++) {
            Player p = handoffs.get(i);
            p.region.remove(p);
            regionAt(p.x, p.y).add(p);
        }
        handoffs.clear();
    }

    private void phaseInterest() {
        grid.rebuild(players);
        for (int i = 0; i < pendingChats.size(); i++) {
            PendingChat c = pendingChats.get(i);
            if (!c.speaker.removed) rules.onChat(this, c.speaker, c.chat, c.rid);
        }
        pendingChats.clear();
    }

    private void phaseEncode(int t) {
        if (xById.length < byId.length) {
            xById = new float[byId.length];
            yById = new float[byId.length];
            qxById = new int[byId.length];
            qyById = new int[byId.length];
        }
        for (int i = 0; i < players.size(); i++) {
            Player p = players.get(i);
            p.enterFields(); // refreshed here, read-only while viewers are encoded
            xById[p.id] = p.x;
            yById[p.id] = p.y;
            qxById[p.id] = quantize(p.x);
            qyById[p.id] = quantize(p.y);
        }
        int events = tickEvents.size();
        if (tickEventIds.length < events) {
            tickEventIds = new int[Math.max(events, tickEventIds.length * 2)];
            tickEventBytes = new byte[tickEventIds.length][];
        }
        for (int i = 0; i < events; i++) {
            tickEventIds[i] = tickEvents.get(i).getId();
            tickEventBytes[i] = tickEvents.get(i).toByteArray();
        }
        // Viewers in the grid's cell order: consecutive viewers scan the same cells and see
        // the same neighbours, which are then still in cache.
        int n = players.size();
        int k = viewerEncoders.length;
        if (k == 1 || n < PARALLEL_ENCODE_MIN) {
            ViewerEncoder enc = viewerEncoders[0];
            for (int i = 0; i < n; i++) enc.encode(grid.entry(i), t);
            return;
        }
        // contiguous slices, one per encode thread; the tick thread takes the first
        java.util.concurrent.Future<?>[] slices = new java.util.concurrent.Future<?>[k - 1];
        for (int w = 1; w < k; w++) {
            int from = (int) ((long) n * w / k), to = (int) ((long) n * (w + 1) / k);
            ViewerEncoder enc = viewerEncoders[w];
            slices[w - 1] = encodePool.submit(() -> {
                for (int i = from; i < to; i++) enc.encode(grid.entry(i), t);
            });
        }
        ViewerEncoder first = viewerEncoders[0];
        for (int i = 0, to = n / k; i < to; i++) first.encode(grid.entry(i), t);
        for (java.util.concurrent.Future<?> f : slices) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while encoding", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("encoding failed", e.getCause());
            }
        }
    }

    /** What a far move is reckoned to cost against the budget (id delta, dx, dy varints). */
    static final int MOVE_COST = 6;

    /** Below this many players a tick encodes on its own thread only. */
    static final int PARALLEL_ENCODE_MIN = 64;
    private ViewerEncoder[] viewerEncoders = {new ViewerEncoder()};
    private java.util.concurrent.ExecutorService encodePool;

    /**
     * Encodes viewers' updates on {@code threads} threads (the tick thread and
     * {@code threads - 1} helpers); 1, the default, keeps everything on the tick thread.
     * Call before the world runs.
     */
    public synchronized void setEncodeThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("encode threads must be >= 1");
        if (encodePool != null) encodePool.shutdown();
        encodePool = threads == 1 ? null : java.util.concurrent.Executors.newFixedThreadPool(threads - 1,
                Thread.ofPlatform().name("encode-" + name + "-", 1).daemon(true).factory());
        ViewerEncoder[] e = new ViewerEncoder[threads];
        for (int i = 0; i < threads; i++) e[i] = new ViewerEncoder();
        viewerEncoders = e;
    }

    /**
     * Encodes viewers' updates with its own scratch: one per encode thread. Reads only this
     * tick's shared, already computed state (positions by id, enter fields, events) and writes
     * only the viewer's own known set and link, so viewers can be encoded in parallel.
     */
    private final class ViewerEncoder {
        private final UpdateEncoder encoder = new UpdateEncoder();
        private final SpatialGrid.Ids visible = new SpatialGrid.Ids();
        private final IdSort idSort = new IdSort();
        private int[] next = new int[3 * 64]; // the viewer's new known set, (id, qx, qy)

        /**
         * Finds what {@code viewer} sees now (grid query, sorted by id), diffs it against what
         * it knew in one pass, and sends leaves, enters with full state, and moves as deltas
         * from the last position sent, under the {@link InterestPolicy}: near entities' moves
         * always; farther ones on their cadence, sharing the byte budget by a window that
         * slides over the due candidates from tick to tick (round robin, so nobody starves).
         * Encoded by hand into wire format; no allocation per entity.
         */
        void encode(Player viewer, int t) {
            InterestPolicy policy = interest;
            float r = settings.viewRadius();
            float vx = viewer.x, vy = viewer.y;
            int curN = grid.collectVisible(vx, vy, viewer.id, r, visible);
            int[] cur = visible.a;
            idSort.sort(cur, curN);
            int[] old = viewer.known;
            int oldN = viewer.knownCount;
            if (next.length < 3 * (oldN + curN)) next = new int[3 * (oldN + curN) + 48];
            int[] out = next;

            int budget = policy.bytesPerTick();
            // the optional moves we can afford, and how many were due last tick
            int capacity = budget / MOVE_COST;
            int expected = Math.max(1, viewer.lastOptional);
            int windowStart = (int) (((long) t * capacity + viewer.id) % expected);
            int optional = 0, used = 0, enterBytes = 0;

            UpdateEncoder enc = encoder;
            enc.begin();
            int known = 0, a = 0, b = 0;
            while (a < oldN || b < curN) {
                int oldId = a < oldN ? old[3 * a] : Integer.MAX_VALUE;
                int curId = b < curN ? cur[b] : Integer.MAX_VALUE;
                if (oldId < curId) {
                    enc.leave(oldId);
                    a++;
                    continue;
                }
                if (curId < oldId) {
                    // Enters are always sent, so the client's set of who is in view is exact,
                    // up to a cap per update (a crowd seen at once arrives over a few ticks).
                    b++;
                    Player e = byId[curId];
                    int cost = e.enterFields().length + 8;
                    if (enterBytes + cost > InterestPolicy.MAX_ENTER_BYTES) continue; // next tick
                    enterBytes += cost;
                    int qx = qxById[curId], qy = qyById[curId];
                    enc.enter(e, qx, qy);
                    int o = 3 * known++;
                    out[o] = curId;
                    out[o + 1] = qx;
                    out[o + 2] = qy;
                    continue;
                }
                int sentX = old[3 * a + 1], sentY = old[3 * a + 2];
                int qx = qxById[curId], qy = qyById[curId];
                a++;
                b++;
                if (qx != sentX || qy != sentY) {
                    float dx = xById[curId] - vx, dy = yById[curId] - vy;
                    int period = policy.period(dx * dx + dy * dy, r);
                    boolean send;
                    if (period == 1) {
                        send = true;
                    } else if (InterestPolicy.due(period, curId, t)) {
                        int rank = optional++;
                        int offset = rank - windowStart;
                        if (offset < 0) offset += expected;
                        send = used + MOVE_COST <= budget && (capacity >= expected || offset % expected < capacity);
                        if (send) used += MOVE_COST;
                    } else {
                        send = false;
                    }
                    if (send) {
                        enc.move(curId, qx - sentX, qy - sentY);
                        sentX = qx;
                        sentY = qy;
                    }
                }
                int o = 3 * known++;
                out[o] = curId;
                out[o + 1] = sentX;
                out[o + 2] = sentY;
            }
            viewer.lastOptional = optional;
            for (int i = 0; i < tickEvents.size(); i++) {
                int id = tickEventIds[i];
                if (id == viewer.id || knows(out, known, id)) enc.event(tickEventBytes[i]);
            }
            viewer.setKnown(out, known);
            WireWriter w = enc.finish(t, viewer.ackSeq, viewer.ackTick < 0 ? 0 : t - viewer.ackTick + 1,
                    qxById[viewer.id], qyById[viewer.id], timeDilation);
            viewer.link.sendEncoded(w.array(), w.size());
        }

        /** Whether {@code id} is among the first {@code n} (id, qx, qy) entries, ids increasing. */
        private static boolean knows(int[] set, int n, int id) {
            int lo = 0, hi = n - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int v = set[3 * mid];
                if (v < id) lo = mid + 1;
                else if (v > id) hi = mid - 1;
                else return true;
            }
            return false;
        }
    }

    public static int quantize(float units) {
        return Math.round(units * POSITION_SCALE);
    }

    private void phaseFlush() {
        for (int i = 0; i < players.size(); i++) {
            players.get(i).link.flush();
        }
    }

    private void phaseSave() {
        recentlyLeft.values().removeIf(l -> l.savedTick >= 0 && tick - l.savedTick > REMEMBER_LEFT_TICKS);
        ArrayList<CharacterState> dirty = new ArrayList<>();
        for (int i = 0; i < players.size(); i++) {
            Player p = players.get(i);
            if (p.isDirty()) {
                dirty.add(stateOf(p));
                p.savedX = p.x;
                p.savedY = p.y;
            }
        }
        ArrayList<Left> retried = new ArrayList<>();
        for (Left left : recentlyLeft.values()) {
            if (left.savedTick < 0 && !left.saving) {
                dirty.add(left.state); // its save on leaving failed
                retried.add(left);
            }
        }
        if (!dirty.isEmpty()) trackLeft(retried, submitSave(dirty));
    }

    private CharacterState stateOf(Player p) {
        return new CharacterState(p.characterId, p.epoch, name, p.x, p.y);
    }

    private CompletableFuture<Void> submitSave(List<CharacterState> states) {
        CompletableFuture<Void> f;
        try {
            f = saver.save(states);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.whenComplete((ok, err) -> {
            FencedException fenced = FencedException.in(err);
            if (fenced != null) {
                // Final: the rest of the batch was saved, and these are never retried.
                execute(() -> dropFenced(fenced));
            } else if (err != null) {
                log.error("saving {} characters failed; they stay dirty and are saved again next time", states.size(), err);
                execute(() -> {
                    for (CharacterState s : states) {
                        Player p = byCharacter.get(s.characterId());
                        if (p != null) p.savedX = Float.NaN;
                    }
                });
            }
        });
    }

    // ------------------------------------------------------------------ joining and leaving

    /** Adds a player (tick thread; called from a command). A character already in the world is taken over. */
    public Player join(JoinRequest req) {
        checkOwner();
        float x = req.x(), y = req.y();
        Player existing = byCharacter.get(req.characterId());
        if (existing != null) {
            // The same character from a new connection: keep the newest state, drop the old link.
            if (!claimedBetween(existing.epoch, req.epoch())) {
                x = existing.x;
                y = existing.y;
            }
            existing.link.disconnect(DisconnectReason.LOGGED_IN_ELSEWHERE, "You logged in from another place");
            removePlayer(existing, false);
        } else {
            Left left = recentlyLeft.remove(req.characterId());
            if (left != null && !claimedBetween(left.state.epoch(), req.epoch())) {
                x = left.state.x();
                y = left.state.y();
            }
        }
        if (!Movement.boxFree(map, x, y)) {
            TileMap.Point safe = map.randomSafeStart(java.util.concurrent.ThreadLocalRandom.current());
            log.warn("{} stood on a blocked tile at ({}, {}); moved to ({}, {})", req.name(), x, y, safe.x(), safe.y());
            x = safe.x();
            y = safe.y();
        }
        Player p = new Player(allocateId(), req.characterId(), req.epoch(), req.accountId(), req.name(), req.characterClass(),
                req.appearance(), x, y, req.link(), req.inbox());
        players.add(p);
        ensureById(p.id);
        byId[p.id] = p;
        byName.put(p.name.toLowerCase(Locale.ROOT), p);
        byCharacter.put(p.characterId, p);
        byLink.put(p.link, p);
        regionAt(x, y).add(p);
        p.link.send(ServerMessage.newBuilder().setRid(req.rid()).setWorldEntered(WorldEntered.newBuilder()
                .setEntityId(p.id)
                .setWorld(name)
                .setMap("/" + map.resourcePath())
                .setX(quantize(x))
                .setY(quantize(y))
                .setTick(tick)
                .setTickRate(settings.tickRate())
                .setSpeed(settings.speed())
                .setViewRadius(settings.viewRadius())
                .setCharacter(req.summary()))
                .build());
        return p;
    }

    /** Removes the player on {@code link}, if any, and saves it. Returns the save, or a completed future. */
    public CompletableFuture<Void> leave(ClientLink link) {
        checkOwner();
        Player p = byLink.get(link);
        if (p == null) return CompletableFuture.completedFuture(null);
        return removePlayer(p, true);
    }

    private CompletableFuture<Void> removePlayer(Player p, boolean save) {
        p.removed = true;
        players.remove(p);
        if (p.region != null) p.region.remove(p);
        byId[p.id] = null;
        freedIds.add(new long[]{p.id, tick});
        byName.remove(p.name.toLowerCase(Locale.ROOT), p);
        byCharacter.remove(p.characterId, p);
        byLink.remove(p.link, p);
        if (!save) return CompletableFuture.completedFuture(null);
        Left left = new Left(stateOf(p));
        recentlyLeft.put(p.characterId, left);
        return trackLeft(List.of(left), submitSave(List.of(left.state)));
    }

    /**
     * Marks left characters' states done when their save completes: saved, or fenced (final).
     * A failed one stays pending, and the next periodic save tries it again.
     */
    private CompletableFuture<Void> trackLeft(List<Left> lefts, CompletableFuture<Void> save) {
        if (lefts.isEmpty()) return save;
        for (Left left : lefts) left.saving = true;
        return save.whenComplete((ok, err) -> {
            boolean done = err == null || FencedException.in(err) != null;
            execute(() -> {
                for (Left left : lefts) {
                    left.saving = false;
                    if (done) left.savedTick = tick;
                }
            });
        });
    }

    /**
     * Whether a claim other than the one at {@code newEpoch} came after {@code oldEpoch}: then
     * another owner (another node) may have saved newer state than this world's, and the join
     * keeps the state it read with its claim. Epoch 0 is unclaimed (tests).
     */
    private static boolean claimedBetween(long oldEpoch, long newEpoch) {
        return newEpoch - oldEpoch > 1;
    }

    /**
     * Characters whose save was fenced: a newer claim owns them, so this world stops simulating
     * them. A player still in the world under the fenced epoch is disconnected without another
     * save; its state is remembered (final) for a rejoin on this node.
     */
    private void dropFenced(FencedException fenced) {
        for (FencedSave f : fenced.rejected()) {
            Player p = byCharacter.get(f.characterId());
            if (p == null || p.epoch != f.state().epoch()) continue; // gone, or rejoined under a newer claim
            log.info("{} (character {}) was claimed by a newer owner (epoch {} after {}); disconnecting it",
                    p.name, p.characterId, f.currentEpoch(), p.epoch);
            p.link.disconnect(DisconnectReason.LOGGED_IN_ELSEWHERE, "You logged in from another place");
            removePlayer(p, false);
            Left left = new Left(stateOf(p));
            left.savedTick = tick;
            recentlyLeft.put(p.characterId, left);
        }
    }

    private int allocateId() {
        // An id freed this tick is not reused before viewers have been sent its leave.
        long[] head = freedIds.peek();
        if (head != null && head[1] < tick) {
            freedIds.poll();
            return (int) head[0];
        }
        return nextId++;
    }

    private void ensureById(int id) {
        if (id >= byId.length) byId = Arrays.copyOf(byId, Math.max(id + 1, byId.length * 2));
    }

    /**
     * Disconnects everyone with {@code reason} and saves every character. Tick thread (or
     * after the tick thread has stopped, from the thread that stopped it).
     */
    public CompletableFuture<Void> shutdown(DisconnectReason reason, String message) {
        checkOwner();
        if (encodePool != null) encodePool.shutdown();
        runCommands();
        List<CharacterState> all = new ArrayList<>();
        for (Player p : new ArrayList<>(players)) {
            all.add(stateOf(p));
            p.link.disconnect(reason, message);
            removePlayer(p, false);
        }
        for (Left left : recentlyLeft.values()) {
            if (left.savedTick < 0) all.add(left.state);
        }
        if (all.isEmpty()) return CompletableFuture.completedFuture(null);
        return submitSave(all);
    }

    // ------------------------------------------------------------------ helpers for game rules

    /** Queues an error reply to a player's request. Tick thread. */
    public void sendError(Player p, int rid, ErrorCode code, String message) {
        p.link.send(ServerMessage.newBuilder().setRid(rid)
                .setError(mmo.protocol.Error.newBuilder().setCode(code).setMessage(message)).build());
    }

}

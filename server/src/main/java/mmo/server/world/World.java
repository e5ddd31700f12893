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
import mmo.server.persistence.Ledger;
import mmo.server.persistence.Progress;
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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * One world: its map, its grid of regions and every player in it, advanced by {@link #tick()}
 * in named phases (inputs, simulate, interest, encode, flush, save).
 *
 * <p>Threading: all state is owned by the one thread that calls {@link #tick()} (the tick
 * thread, or a test). Other threads reach the world only through {@link #execute} (commands
 * run at the start of the next tick), {@link #acceptGhosts} and each player's {@link Inbox}.
 * Calling a tick-thread method from another thread fails with {@link IllegalStateException}.
 *
 * <p>Partial worlds: by default a world owns every region of its map. With
 * {@link #setTopology} it simulates only the regions it owns (a cluster splits one map across
 * nodes): a player walking out of them is handed to the {@link Border} as a
 * {@link PlayerSnapshot} after the tick's flush, and continued by the owning world's
 * {@link #adopt}; players near regions it does not own are reported each tick as a
 * {@link GhostBatch}, which other worlds show through {@link #acceptGhosts}. Owning
 * everything computes none of this.
 */
public final class World {
    private static final Logger log = LoggerFactory.getLogger(World.class);

    /** The first entity id of players in a world with a game: creatures and loot have the ids below. */
    public static final int FIRST_PLAYER_ID = Game.PLAYER_IDS;

    /** Fixed-point scale of positions on the wire (mmo.proto POSITION_SCALE). */
    public static final int POSITION_SCALE = 16;
    /** The longest movement direction a client's keys (1, 1) or stick (1) make, with some slack. */
    static final float MAX_HONEST_INPUT = 1.5f;
    /** Movement inputs one client may send within a tick before it counts as a flood (keys pressed and released quickly). */
    static final int MAX_HONEST_INPUTS_PER_TICK = 4;

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
    private Refusals refusals = new Refusals();
    // This tick's positions by entity id (float units and 1/16 quanta), filled at the start of
    // the encode phase: the per-viewer diff reads these flat arrays, not the Player objects.
    private float[] xById = new float[64], yById = new float[64];
    private int[] qxById = new int[64], qyById = new int[64];
    private final InterestPolicy interest;
    private volatile float timeDilation = 1.0f;
    private int[] tickEventIds = new int[16];
    private byte[][] tickEventBytes = new byte[16][];

    private final ArrayList<Player> players = new ArrayList<>();
    private Entity[] byId = new Entity[64];
    /** The game (creatures, combat, items, trade), or null: a world of walkers only. */
    private Game game;
    private final ArrayList<Entity> others = new ArrayList<>(); // ghosts, creatures and loot: this tick's grid
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

    /**
     * Whether the last periodic save is still being written. While it is, the next one waits:
     * with the database gone each save takes the pool's connection timeout to fail, and
     * submitting one per interval would queue saves without bound. Nothing is lost by waiting:
     * players stay dirty until a save of their newest state is submitted.
     */
    private boolean periodicSaving;
    /** Saves failed in a row (tick thread): the first success after some is logged. */
    private int failedSaves;

    /** How long a left character's state is remembered after its save: 60 s at 20 Hz. */
    static final int REMEMBER_LEFT_TICKS = 1200;

    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private int nextId = 1;
    private final ArrayDeque<long[]> freedIds = new ArrayDeque<>();

    private final ArrayList<EntityEvent> tickEvents = new ArrayList<>();
    private final ArrayList<PendingChat> pendingChats = new ArrayList<>();
    private final ArrayList<Player> handoffs = new ArrayList<>();

    // Partial worlds (setTopology): the regions simulated here, what crosses their edge, and
    // the ghosts (characters simulated by other worlds, shown to viewers here).
    private final boolean[] owned;
    private boolean ownsAll = true;
    private Border border;
    private int[] borderRegions = new int[0]; // not owned, within view of an owned region
    private final ArrayList<Player> leaving = new ArrayList<>();
    private final ArrayList<Ghost> ghosts = new ArrayList<>();
    private Map<Integer, List<byte[]>> borderEvents; // this tick's events by entity, for the border reports
    private final ConcurrentHashMap<String, GhostBatch> incomingGhosts = new ConcurrentHashMap<>();
    private final Map<String, GhostSource> ghostSources = new HashMap<>();
    private final SpatialGrid.Ids borderScratch = new SpatialGrid.Ids();
    private int ghostStamp;
    /** How long a ghost lasts unreported: a handoff's ghost until its new owner reports it, a silent source's ghosts. */
    private final int ghostTimeoutTicks;

    /** One world whose ghosts are shown here, and which of its batches was applied last. */
    static final class GhostSource {
        final String name;
        int tick = Integer.MIN_VALUE; // the sender's tick of the newest batch applied
        int stamp;                    // that batch's stamp: a ghost with another was not in it
        int appliedAt;                // our tick it was applied in

        GhostSource(String name) {
            this.name = name;
        }
    }

    private volatile int tick;
    private boolean started;
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
     *
     * @param entityId the entity id to use, unique in every world the entity may be seen in
     *                 (a cluster derives it from the character id, so it is the same on every
     *                 node); 0 lets this world allocate one
     */
    public record JoinRequest(long characterId, long epoch, long accountId, String name, CharacterClass characterClass,
                              Appearance appearance, float x, float y, ClientLink link, Inbox inbox, int rid,
                              CharacterSummary summary, int entityId, Progress progress) {
        public JoinRequest {
            if (entityId < 0) throw new IllegalArgumentException("entity ids are positive: " + entityId);
        }

        /** A join whose progress the world loads (through its ledger) before the player appears. */
        public JoinRequest(long characterId, long epoch, long accountId, String name, CharacterClass characterClass,
                           Appearance appearance, float x, float y, ClientLink link, Inbox inbox, int rid,
                           CharacterSummary summary, int entityId) {
            this(characterId, epoch, accountId, name, characterClass, appearance, x, y, link, inbox, rid, summary, entityId, null);
        }

        JoinRequest withProgress(Progress p) {
            return new JoinRequest(characterId, epoch, accountId, name, characterClass, appearance, x, y, link, inbox, rid,
                    summary, entityId, p);
        }

        /** A join whose entity id the world allocates. */
        public JoinRequest(long characterId, long epoch, long accountId, String name, CharacterClass characterClass,
                           Appearance appearance, float x, float y, ClientLink link, Inbox inbox, int rid,
                           CharacterSummary summary) {
            this(characterId, epoch, accountId, name, characterClass, appearance, x, y, link, inbox, rid, summary, 0);
        }
    }

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
                regions[ry * regionCols + rx] = new Region(rx, ry, ry * regionCols + rx);
            }
        }
        this.owned = new boolean[regions.length];
        Arrays.fill(owned, true);
        // Cells of a quarter of the view radius: a view query scans 8-9 rows of 8-9 cells, one
        // contiguous run of entries per row, over ~1.6x the view circle's area (3x with cells
        // as large as the radius).
        this.grid = new SpatialGrid(map.width(), map.height(), Math.max(settings.viewRadius() / 4f, 4f));
        this.stepDistance = settings.speed() / settings.tickRate();
        this.saveEveryTicks = Math.max(1, settings.saveEveryTicks());
        this.interest = settings.interest() != null ? settings.interest() : InterestPolicy.DEFAULT;
        this.ghostTimeoutTicks = 2 * Math.max(1, settings.tickRate());
    }

    // ------------------------------------------------------------------ access

    public String name() { return name; }
    public TileMap map() { return map; }
    public WorldSettings settings() { return settings; }
    /** The number of the last completed tick. Any thread. */
    public int currentTick() { return tick; }
    /** The player with this entity id simulated here (not a ghost), or null. Tick thread. */
    public Player player(int entityId) {
        Entity e = entityId > 0 && entityId < byId.length ? byId[entityId] : null;
        return e instanceof Player p ? p : null;
    }

    /** The entity with this id here (player, creature, loot or ghost), or null. Tick thread. */
    Entity entityAt(int entityId) {
        Entity e = entityId > 0 && entityId < byId.length ? byId[entityId] : null;
        if (e == null && game != null) e = game.entity(entityId);
        return e;
    }

    /** Whether {@code entityId} is a ghost here (simulated by another world). Tick thread. */
    public boolean isGhost(int entityId) {
        checkOwner();
        return entityId > 0 && entityId < byId.length && byId[entityId] != null && byId[entityId].isGhost();
    }

    /** Whether the region at (x, y) is simulated here. Tick thread. */
    boolean ownsAt(float x, float y) {
        return ownsAll || owned[regionIndex(x, y)];
    }

    /**
     * Gives this world a game: the content's creatures spawn (ids 1 .. their count, the same in
     * every world built from the same content and map) and players fight, loot and trade, with
     * item, gold and experience changes written through {@code ledger} (null: kept in memory
     * only, for tests). Before the first tick. Tick thread.
     */
    public void setGame(mmo.server.game.content.Content content, Ledger ledger, long seed) {
        checkOwner();
        if (started) throw new IllegalStateException("the world has already ticked");
        game = new Game(this, content, ledger, seed);
        nextId = Math.max(nextId, Game.PLAYER_IDS); // below: creatures and loot
        for (int r = 0; r < regions.length; r++) if (owned[r]) game.regionOwned(r, true, false);
        boolean[] at = owned.clone();
        game.loadGround(r -> at[r]); // one read for all of them
    }

    /** The game, for tests in this package. */
    Game gameForTests() {
        return game;
    }

    /** The game's creatures (tests and tools). Tick thread. */
    public List<Creature> creatures() {
        checkOwner();
        return game == null ? List.of() : game.creatureList();
    }

    /** The loot on the ground (tests and tools). Tick thread. */
    public List<Loot> loot() {
        checkOwner();
        return game == null ? List.of() : List.copyOf(game.loot);
    }

    /** Queues an event for viewers of its entity this tick. Tick thread. */
    void addEvent(EntityEvent e) {
        tickEvents.add(e);
    }

    /** Moves a player at once (a revival at home); a region it does not own hands it off after this tick. */
    void teleport(Player p, float x, float y) {
        p.x = x;
        p.y = y;
        p.dirX = 0;
        p.dirY = 0;
        Region to = regionAt(x, y);
        if (to != p.region) {
            if (p.region != null) p.region.remove(p);
            to.add(p);
        }
    }

    /** How many ghosts viewers here can see. Tick thread. */
    public int ghostCount() {
        checkOwner();
        return ghosts.size();
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
        return regions[regionIndex(x, y)];
    }

    /** The index ({@code ry * regionCols + rx}) of the region containing (x, y), clamped to the map. Any thread. */
    public int regionIndex(float x, float y) {
        int rx = Math.min(regionCols - 1, Math.max(0, (int) (x / regionSize)));
        int ry = Math.min(regionRows - 1, Math.max(0, (int) (y / regionSize)));
        return ry * regionCols + rx;
    }

    /** The player simulated here with that character id, or null. Tick thread only. */
    public Player playerByCharacter(long characterId) {
        checkOwner();
        return byCharacter.get(characterId);
    }

    /** The player with that name (ignoring case), or null. Tick thread only. */
    public Player playerByName(String characterName) {
        checkOwner();
        return byName.get(characterName.toLowerCase(Locale.ROOT));
    }

    /**
     * Calls {@code action} for every player simulated here within {@code r} of (x, y), as of
     * this tick's interest phase (ghosts, simulated elsewhere, are not included). Tick thread only.
     */
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
        started = true;
        int t = tick + 1;
        // Ghost batches before commands: a cluster queues a tick's handoffs (adopt commands)
        // before that tick's batches, so a batch seen here has its handoffs in this tick too.
        applyGhosts(t);
        runCommands();
        if (settings.transportOnly()) {
            transportOnlyTick(t);
        } else {
            phaseInputs(t);
            phaseSimulate();
            phaseInterest();
            phaseBorder(t);
            phaseEncode(t);
            if (game != null) game.endOfTick();
            phaseFlush();
            phaseHandOff(t);
            if (t % saveEveryTicks == 0) phaseSave();
            tickEvents.clear();
        }
        tick = t;
        lastTickNanos = System.nanoTime() - start;
        tickStats.record(t, start, lastTickNanos, cpuStart < 0 ? -1 : threadCpu() - cpuStart);
        if (afterTick != null) afterTick.run();
    }

    private Runnable afterTick;

    /** Runs {@code hook} on the tick thread after each tick of this world (the admin dashboard's feed). */
    public void afterTick(Runnable hook) {
        this.afterTick = hook;
    }

    /** The regions, by index ({@code ry * regionCols + rx}). Tick thread. */
    public Region region(int index) {
        return regions[index];
    }

    /** The size of a region's side in units. */
    public int regionSize() {
        return regionSize;
    }

    /**
     * An admin moves {@code p} to (x, y) at once: refused (false) unless (x, y) is a walkable
     * spot on the map. A region this world does not own hands it off after this tick. Tick thread.
     */
    public boolean teleportByAdmin(Player p, float x, float y) {
        checkOwner();
        if (!Float.isFinite(x) || !Float.isFinite(y) || !map.isWalkable(x, y)) return false;
        teleport(p, x, y);
        p.lastingEmote = Emote.EMOTE_NONE;
        return true;
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
            p.inputsThisTick = 0;
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
                    countRefusal(p, Refusals.Kind.BAD_INPUT);
                    dx = 0;
                    dy = 0;
                }
                if (p.dead) {
                    dx = 0;
                    dy = 0;
                }
                float len = (float) Math.sqrt(dx * dx + dy * dy);
                // keys give at most (1, 1), a stick at most 1: longer is asking for more speed
                // (normalised below all the same)
                if (len > MAX_HONEST_INPUT) countRefusal(p, Refusals.Kind.SPEED);
                if (++p.inputsThisTick == MAX_HONEST_INPUTS_PER_TICK + 1) countRefusal(p, Refusals.Kind.INPUT_FLOOD);
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
            default -> {
                if (game != null) game.apply(p, m, t);
                else sendError(p, m.getRid(), ErrorCode.BAD_REQUEST, "Not allowed in the world: " + m.getMsgCase());
            }
        }
    }

    private void phaseSimulate() {
        for (Region region : regions) {
            ArrayList<Player> list = region.players;
            if (list.isEmpty()) { // the clock only where there is work: most regions are empty
                region.recordStep(0);
                continue;
            }
            long start = System.nanoTime();
            for (int i = 0; i < list.size(); i++) {
                Player p = list.get(i);
                if (Movement.step(map, p, stepDistance)) {
                    if (p.lastingEmote == Emote.SIT) p.lastingEmote = Emote.EMOTE_NONE;
                    if (regionAt(p.x, p.y) != region) handoffs.add(p);
                }
            }
            region.recordStep(System.nanoTime() - start);
        }
        if (game != null) game.tick(tick + 1);
        // Border crossings move between regions only after every region has stepped, so
        // no region's list changes while it is being simulated.
        for (int i = 0; i < handoffs.size(); i++) {
            Player p = handoffs.get(i);
            p.region.remove(p);
            regionAt(p.x, p.y).add(p);
        }
        handoffs.clear();
        if (!ownsAll) collectLeaving();
    }

    /**
     * Marks the players standing in regions this world does not own: they are still encoded
     * and flushed this tick (their clients miss no update), then handed off.
     */
    private void collectLeaving() {
        for (int r = 0; r < regions.length; r++) {
            if (owned[r]) continue;
            ArrayList<Player> list = regions[r].players;
            for (int i = 0; i < list.size(); i++) {
                Player p = list.get(i);
                if (!p.leaving) {
                    p.leaving = true;
                    leaving.add(p);
                }
            }
        }
    }

    private void phaseInterest() {
        others.clear();
        others.addAll(ghosts);
        if (game != null) game.collectEntities(others);
        grid.rebuild(players, others);
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
        for (int i = 0; i < others.size(); i++) {
            Entity g = others.get(i);
            g.enterFields();
            xById[g.id] = g.x;
            yById[g.id] = g.y;
            qxById[g.id] = quantize(g.x);
            qyById[g.id] = quantize(g.y);
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
        // the same neighbours, which are then still in cache. Ghosts are in the grid but are
        // not viewers.
        int n = grid.count();
        int k = viewerEncoders.length;
        if (k == 1 || players.size() < PARALLEL_ENCODE_MIN) {
            ViewerEncoder enc = viewerEncoders[0];
            for (int i = 0; i < n; i++) encodeViewer(enc, grid.entry(i), t);
            return;
        }
        // contiguous slices, one per encode thread; the tick thread takes the first
        java.util.concurrent.Future<?>[] slices = new java.util.concurrent.Future<?>[k - 1];
        for (int w = 1; w < k; w++) {
            int from = (int) ((long) n * w / k), to = (int) ((long) n * (w + 1) / k);
            ViewerEncoder enc = viewerEncoders[w];
            slices[w - 1] = encodePool.submit(() -> {
                for (int i = from; i < to; i++) encodeViewer(enc, grid.entry(i), t);
            });
        }
        ViewerEncoder first = viewerEncoders[0];
        for (int i = 0, to = n / k; i < to; i++) encodeViewer(first, grid.entry(i), t);
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

    private static void encodeViewer(ViewerEncoder enc, Entity e, int t) {
        if (e instanceof Player p) enc.encode(p, t);
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
                    Entity e = byId[curId];
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
        if (periodicSaving) return;
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
        if (dirty.isEmpty()) return;
        periodicSaving = true;
        trackLeft(retried, submitSave(dirty)).whenComplete((ok, err) -> execute(() -> periodicSaving = false));
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
            } else if (err == null) {
                execute(() -> {
                    if (failedSaves > 0) log.info("saving works again after {} failed saves", failedSaves);
                    failedSaves = 0;
                });
            } else {
                log.error("saving {} characters failed; they stay dirty and are saved again next time", states.size(), err);
                execute(() -> {
                    failedSaves++;
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
        if (game != null && req.progress() == null && game.ledger != null) {
            // the character's items and progress first, read through the ledger so that every
            // change this node wrote for it before is in what it reads
            game.ledger.load(req.characterId()).whenComplete((progress, err) -> execute(() -> {
                if (err != null) {
                    log.error("loading the items of {} failed; it cannot enter now", req.name(), err);
                    req.link().send(ServerMessage.newBuilder().setRid(req.rid()).setError(mmo.protocol.Error.newBuilder()
                            .setCode(ErrorCode.SERVER_ERROR).setMessage("Your character could not be loaded; try again")).build());
                    return;
                }
                if (!req.link().isOpen()) return; // it left while its items were read: nothing to join
                join(req.withProgress(progress));
            }));
            return null;
        }
        Player same = byCharacter.get(req.characterId());
        if (same != null && same.link == req.link()) return same; // this join again (a cluster resends it)
        int id = req.entityId();
        if (id != 0) {
            ensureById(id);
            Entity at = byId[id];
            if (at != null && !at.isGhost() && !(at instanceof Player q && q.characterId == req.characterId())) {
                throw new IllegalStateException("entity id " + id + " is taken by " + at);
            }
        }
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
        if (id == 0) {
            id = allocateId();
        } else if (byId[id] instanceof Ghost g) {
            dropGhost(g); // the character itself, seen here until now
        }
        Player p = new Player(id, req.characterId(), req.epoch(), req.accountId(), req.name(), req.characterClass(),
                req.appearance(), x, y, req.link(), req.inbox());
        p.localId = req.entityId() == 0;
        attach(p);
        // WorldEntered first: a client starts listening for the world's messages (the
        // inventory onJoin sends) when it has it
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
        if (game != null) game.onJoin(p, req.progress() != null ? req.progress() : Progress.fresh());
        if (border != null) border.joined(p);
        return p;
    }

    /** Removes the player on {@code link}, if any, and saves it. Returns the save, or a completed future. */
    public CompletableFuture<Void> leave(ClientLink link) {
        checkOwner();
        Player p = byLink.get(link);
        if (p == null) return CompletableFuture.completedFuture(null);
        return removePlayer(p, true);
    }

    /** Makes {@code p} one of this world's simulated players. */
    private void attach(Player p) {
        players.add(p);
        ensureById(p.id);
        byId[p.id] = p;
        byName.put(p.name.toLowerCase(Locale.ROOT), p);
        byCharacter.put(p.characterId, p);
        byLink.put(p.link, p);
        regionAt(p.x, p.y).add(p);
    }

    /** Takes {@code p} out of every index; its id stays in {@code byId} for the caller to clear or reuse. */
    private void detach(Player p) {
        p.removed = true;
        players.remove(p);
        if (p.region != null) p.region.remove(p);
        byName.remove(p.name.toLowerCase(Locale.ROOT), p);
        byCharacter.remove(p.characterId, p);
        byLink.remove(p.link, p);
    }

    private CompletableFuture<Void> removePlayer(Player p, boolean save) {
        detach(p);
        if (game != null) game.onLeave(p);
        if (byId[p.id] == p) byId[p.id] = null;
        // ids given by the join (a cluster's, unique across worlds) are not this world's to reuse
        if (p.localId) freedIds.add(new long[]{p.id, tick});
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
        long[] head;
        while ((head = freedIds.peek()) != null && head[1] < tick) {
            freedIds.poll();
            int id = (int) head[0];
            if (byId[id] == null) return id; // else a join with an explicit id took it meanwhile
        }
        while (nextId < byId.length && byId[nextId] != null) nextId++; // explicit ids and ghosts
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
        List<CharacterState> all = shutdownUnsaved(reason, message);
        if (all.isEmpty()) return CompletableFuture.completedFuture(null);
        return submitSave(all);
    }

    /**
     * As {@link #shutdown}, but hands back the states to save instead of submitting them: every
     * player's, and those of characters that left whose save has not succeeded. The server saves
     * them itself, trying again while the database fails ({@code ShutdownSave}). Tick thread (or
     * after the tick thread has stopped, from the thread that stopped it).
     */
    public List<CharacterState> shutdownUnsaved(DisconnectReason reason, String message) {
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
        return all;
    }

    // ------------------------------------------------------------------ partial worlds

    /**
     * Makes this world simulate only the regions {@code ownsRegion} accepts (by
     * {@link #regionIndex}), reporting what crosses their edge to {@code border}. Players in
     * regions no longer owned are handed off at the end of the next tick. Tick thread.
     */
    public void setTopology(IntPredicate ownsRegion, Border border) {
        checkOwner();
        this.border = Objects.requireNonNull(border, "border");
        for (int r = 0; r < regions.length; r++) {
            boolean was = owned[r];
            owned[r] = ownsRegion.test(r);
            if (game != null && was != owned[r]) game.regionOwned(r, owned[r]);
        }
        topologyChanged();
    }

    /** Whether this world simulates region {@code region}. Tick thread. */
    public boolean owns(int region) {
        checkOwner();
        return owned[region];
    }

    /**
     * Stops simulating {@code region} (the cluster moves it to another node): at the end of the
     * next tick every player in it is handed to the {@link Border}, as if it had walked out.
     * Tick thread; needs {@link #setTopology} first.
     */
    public void releaseRegion(int region) {
        checkOwner();
        if (border == null) throw new IllegalStateException("no border to hand players to: setTopology first");
        owned[region] = false;
        if (game != null) game.regionOwned(region, false);
        topologyChanged();
    }

    /** Simulates {@code region} again; its players arrive through {@link #adopt}. Tick thread. */
    public void claimRegion(int region) {
        checkOwner();
        boolean was = owned[region];
        owned[region] = true;
        if (game != null && !was) game.regionOwned(region, true);
        topologyChanged();
    }

    /**
     * Numbers the next tick {@code t + 1}, so worlds on several nodes can agree on tick numbers
     * (from the wall clock). Before the first tick only.
     */
    public void setTick(int t) {
        checkOwner();
        if (started) throw new IllegalStateException("the world has already ticked");
        tick = t;
    }

    /**
     * The newest set of {@code source}'s entities near this world's regions (all of them,
     * merged from one tick's {@link Border#borderEntities}), applied at the start of the next
     * tick: each becomes or moves a ghost; that source's ghosts missing from it are removed (a
     * leave to whoever saw them); an entity simulated here is ignored. Of several batches
     * arriving before a tick only the newest counts. Queue a tick's {@link #adopt}s (through
     * {@link #execute}) before its batch, so a player handed over never flickers out. Any thread.
     */
    public void acceptGhosts(String source, GhostBatch batch) {
        // the newest positions win; the events of a batch replaced before it was applied are
        // kept (a hit or a death must not vanish because two batches came within one tick)
        incomingGhosts.merge(source, batch, (old, next) -> next.tick() >= old.tick() ? next.withEarlierEvents(old)
                : old.withEarlierEvents(null).withLaterEvents(next));
    }

    /**
     * Continues a player another world handed off ({@link Border#handOff}) exactly where it
     * stopped: same entity id, position, direction, acknowledged input and known set, so its
     * client's next update is an ordinary delta and it is sent nothing else. A ghost of it here
     * becomes the player without a leave or enter to anyone. Its inputs keep coming through
     * {@code inbox}. Tick thread (from a command).
     */
    public Player adopt(PlayerSnapshot s, ClientLink link, Inbox inbox) {
        checkOwner();
        int id = s.entityId();
        ensureById(id);
        Entity at = byId[id];
        if (at != null && !at.isGhost()) throw new IllegalStateException("entity " + id + " is already simulated here");
        Player same = byCharacter.get(s.characterId());
        if (same != null) throw new IllegalStateException("character " + s.characterId() + " is already here as entity " + same.id);
        if (at instanceof Ghost g) dropGhost(g);
        Player p = new Player(id, s.characterId(), s.epoch(), s.accountId(), s.name(), s.cls(), s.appearance(), s.x(), s.y(),
                link, inbox);
        p.dirX = s.dirX();
        p.dirY = s.dirY();
        p.ackSeq = s.ackSeq();
        // the age carried over, not the tick number: right even if the two worlds' ticks differ
        p.ackTick = s.ackAge() < 0 ? -1 : tick - s.ackAge();
        p.lastingEmote = s.lastingEmote();
        p.savedX = s.savedX();
        p.savedY = s.savedY();
        p.setKnown(s.known(), s.knownCount());
        p.lastOptional = s.lastOptional();
        recentlyLeft.remove(s.characterId()); // the snapshot is newer than anything remembered
        attach(p);
        if (game != null) {
            game.onJoin(p, s.progress() != null ? s.progress() : Progress.fresh());
            if (s.progress() != null) {
                p.health = Math.max(0, Math.min(p.maxHealth, s.health()));
                p.dead = s.dead();
                if (p.dead) game.diedNow(p, tick);
            }
        }
        return p;
    }

    /** Which non-owned regions get border reports: those within view of an owned one. */
    private void topologyChanged() {
        boolean all = true;
        for (boolean o : owned) all &= o;
        ownsAll = all;
        float r = settings.viewRadius();
        int reach = (int) Math.ceil(r / regionSize);
        int[] list = new int[regions.length];
        int n = 0;
        for (Region to : regions) {
            if (owned[to.index]) continue;
            boolean near = false;
            for (int ry = Math.max(0, to.ry - reach); ry <= Math.min(regionRows - 1, to.ry + reach) && !near; ry++) {
                for (int rx = Math.max(0, to.rx - reach); rx <= Math.min(regionCols - 1, to.rx + reach); rx++) {
                    if (!owned[ry * regionCols + rx]) continue;
                    // gap between the two squares along each axis
                    float gx = Math.max(0, (Math.abs(rx - to.rx) - 1) * regionSize);
                    float gy = Math.max(0, (Math.abs(ry - to.ry) - 1) * regionSize);
                    if (gx * gx + gy * gy <= r * r) {
                        near = true;
                        break;
                    }
                }
            }
            if (near) list[n++] = to.index;
        }
        borderRegions = Arrays.copyOf(list, n);
    }

    /**
     * Applies the ghost batches that arrived since the last tick, then drops ghosts their
     * source no longer reports, handoff ghosts nobody claimed, and ghosts of silent sources.
     */
    private void applyGhosts(int t) {
        if (!incomingGhosts.isEmpty()) {
            for (String source : incomingGhosts.keySet()) {
                GhostBatch batch = incomingGhosts.remove(source);
                if (batch != null) applyGhosts(source, batch, t);
            }
        }
        for (int i = ghosts.size() - 1; i >= 0; i--) {
            Ghost g = ghosts.get(i);
            GhostSource src = g.ghostSource;
            boolean gone = src == null ? t - g.ghostSince > ghostTimeoutTicks
                    : g.ghostStamp != src.stamp || t - src.appliedAt > ghostTimeoutTicks;
            if (gone) removeGhostAt(i);
        }
    }

    private void applyGhosts(String sourceName, GhostBatch batch, int t) {
        GhostSource src = ghostSources.computeIfAbsent(sourceName, GhostSource::new);
        if (batch.tick() < src.tick) return; // older than what is shown
        src.tick = batch.tick();
        src.stamp = ++ghostStamp;
        src.appliedAt = t;
        for (int i = 0; i < batch.size(); i++) {
            int id = batch.id(i);
            ensureById(id);
            Entity e = byId[id];
            Ghost g;
            if (e == null) {
                g = new Ghost(id, batch.x(i), batch.y(i), batch.enterFields(i));
                byId[id] = g;
                ghosts.add(g);
            } else if (!(e instanceof Ghost known)) {
                continue; // simulated here (the report predates its handoff to us)
            } else {
                g = known;
                g.x = batch.x(i);
                g.y = batch.y(i);
                g.setFields(batch.enterFields(i));
            }
            g.ghostSource = src;
            g.ghostStamp = src.stamp;
        }
        for (int i = 0; i < batch.eventCount(); i++) {
            if (!(byId[batch.eventId(i)] instanceof Ghost)) continue; // simulated here: its own events count
            try {
                tickEvents.add(EntityEvent.parseFrom(batch.event(i)));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                log.warn("bad event from {} for entity {}", sourceName, batch.eventId(i));
            }
        }
    }

    /** A game action from another world (see {@link Border#gameAction}), applied at the next tick. Any thread. */
    public void acceptGameAction(byte[] action) {
        execute(() -> {
            if (game != null) game.remoteAction(action);
        });
    }

    /** Where this world's border sends game actions (null: it owns the whole map). */
    Border border() {
        return border;
    }

    /** The world simulating the ghost {@code g} (its source's address), or null if unknown. */
    static String sourceOf(Ghost g) {
        return g.ghostSource == null ? null : g.ghostSource.name;
    }

    private void dropGhost(Ghost g) {
        removeGhostAt(ghosts.indexOf(g));
    }

    private void removeGhostAt(int i) {
        Ghost g = ghosts.get(i);
        int last = ghosts.size() - 1;
        ghosts.set(i, ghosts.get(last));
        ghosts.remove(last);
        if (byId[g.id] == g) byId[g.id] = null;
    }

    /**
     * Reports, for each region this world does not own but can see into, the players within
     * view of it: allocation proportional to those players, nothing when everything is owned.
     */
    private void phaseBorder(int t) {
        if (ownsAll) return;
        borderEvents = null;
        if (!tickEvents.isEmpty()) {
            borderEvents = new HashMap<>();
            for (EntityEvent ev : tickEvents) {
                borderEvents.computeIfAbsent(ev.getId(), k -> new ArrayList<>(2)).add(ev.toByteArray());
            }
        }
        float r = settings.viewRadius(), r2 = r * r;
        for (int region : borderRegions) {
            Region to = regions[region];
            float x0 = to.rx * regionSize, y0 = to.ry * regionSize;
            float x1 = x0 + regionSize, y1 = y0 + regionSize;
            int n = grid.collectInBox(x0 - r, y0 - r, x1 + r, y1 + r, borderScratch);
            GhostBatch.Builder batch = new GhostBatch.Builder(t, n);
            int[] entries = borderScratch.a;
            for (int k = 0; k < n; k++) {
                Entity p = grid.entry(entries[k]);
                if (p.isGhost() || p instanceof Player q && q.leaving) continue;
                float dx = Math.max(0, Math.max(x0 - p.x, p.x - x1));
                float dy = Math.max(0, Math.max(y0 - p.y, p.y - y1));
                if (dx * dx + dy * dy <= r2) {
                    batch.add(p.id, p.x, p.y, p.enterFields());
                    // the tick's events of what is reported (hits, deaths): viewers there see them too
                    if (borderEvents != null) {
                        List<byte[]> evs = borderEvents.get(p.id);
                        if (evs != null) for (byte[] ev : evs) batch.addEvent(p.id, ev);
                    }
                }
            }
            try {
                border.borderEntities(region, batch.build());
            } catch (RuntimeException e) {
                log.error("reporting the border of region {} failed", region, e);
            }
        }
    }

    /**
     * Hands the players standing outside the owned regions to the {@link Border}, after their
     * update for this tick went out: no save, nothing more to their client. Each stays visible
     * here as a ghost at its last position until its new owner reports it (or it times out),
     * so viewers here see no leave and enter.
     */
    private void phaseHandOff(int t) {
        if (border == null) return; // one process: the whole map is here
        // a cluster node ends every tick at the border, even owning every region: the frames of
        // clients held by other nodes go out there
        for (int i = 0; i < leaving.size(); i++) {
            Player p = leaving.get(i);
            p.leaving = false;
            if (p.removed) continue;
            int to = p.region.index;
            try {
                border.handOff(snapshot(p, t), to);
            } catch (RuntimeException e) {
                // still ours: simulated here, and handed off again after the next tick
                log.error("handing {} over to region {} failed; kept here", p.name, to, e);
                continue;
            }
            byte[] fields = p.enterFields();
            detach(p);
            if (game != null) game.onHandOff(p, to);
            Ghost g = new Ghost(p.id, p.x, p.y, fields);
            g.ghostSince = t;
            byId[p.id] = g;
            ghosts.add(g);
        }
        leaving.clear();
        try {
            border.tickEnd(t);
        } catch (RuntimeException e) {
            log.error("the border's end of tick {} failed", t, e);
        }
    }

    private PlayerSnapshot snapshot(Player p, int t) {
        return new PlayerSnapshot(p.id, p.characterId, p.epoch, p.accountId, p.name, p.characterClass, p.appearance,
                p.x, p.y, p.dirX, p.dirY, p.ackSeq, p.ackTick < 0 ? -1 : t - p.ackTick, p.lastingEmote,
                p.savedX, p.savedY, Arrays.copyOf(p.known, 3 * p.knownCount), p.knownCount, p.lastOptional,
                game == null ? null : game.progressOf(p), p.health, p.dead);
    }

    /** Makes {@code e} (a creature or loot of the game) visible by its id, replacing a ghost of it. */
    void place(Entity e) {
        ensureById(e.id);
        if (byId[e.id] instanceof Ghost g) dropGhost(g);
        byId[e.id] = e;
    }

    /** Forgets {@code e}'s id (it vanished or is simulated elsewhere now). */
    void unplace(Entity e) {
        if (e.id < byId.length && byId[e.id] == e) byId[e.id] = null;
    }

    // ------------------------------------------------------------------ helpers for game rules

    /** Queues an error reply to a player's request. Tick thread. */
    /** The counts of refused requests this world adds to; several worlds of a server share one. */
    public Refusals refusals() {
        return refusals;
    }

    /** Before the first tick: count into {@code shared} (the server's) instead of this world's own. */
    public void setRefusals(Refusals shared) {
        this.refusals = java.util.Objects.requireNonNull(shared);
    }

    /** Counts a refusal of {@code p}'s request that an honest client would not make (tick thread). */
    void countRefusal(Player p, Refusals.Kind kind) {
        refusals.add(p, kind, tick);
    }

    /** Refuses {@code p}'s request with an error and counts it as {@code kind}. */
    void refuse(Player p, int rid, ErrorCode code, Refusals.Kind kind, String message) {
        countRefusal(p, kind);
        sendError(p, rid, code, message);
    }

    public void sendError(Player p, int rid, ErrorCode code, String message) {
        p.link.send(ServerMessage.newBuilder().setRid(rid)
                .setError(mmo.protocol.Error.newBuilder().setCode(code).setMessage(message)).build());
    }

}

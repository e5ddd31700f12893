package mmo.server;

import mmo.protocol.DisconnectReason;
import mmo.server.account.AccountService;
import mmo.server.account.BotFleet;
import mmo.server.account.PasswordHasher;
import mmo.server.cluster.ClusterGame;
import mmo.server.cluster.ClusterNode;
import mmo.server.cluster.ClusterSettings;
import mmo.server.config.ServerConfig;
import mmo.server.game.Chat;
import mmo.server.game.WorldDirectory;
import mmo.server.game.content.Content;
import mmo.server.net.GameContext;
import mmo.server.net.NetServer;
import mmo.server.net.SessionRegistry;
import mmo.server.net.WorldGateway;
import mmo.server.persistence.AccountRepository;
import mmo.server.persistence.CharacterRepository;
import mmo.server.persistence.Database;
import mmo.server.persistence.FencedException;
import mmo.server.persistence.SaveService;
import mmo.server.persistence.InventoryRepository;
import mmo.server.persistence.LedgerService;
import mmo.server.persistence.SessionRepository;
import mmo.server.world.TickLoop;
import mmo.server.world.World;
import mmo.server.world.TimeDilation;
import mmo.server.world.map.TileMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One server process: database, worlds, tick loop and network, started and stopped in the
 * right order. Each configured world ({@code mmo.worlds}) is a {@link World} of its own, all
 * ticked by one {@link TickLoop} thread (see there why one). With {@code mmo.tick.manual =
 * true} no tick thread runs and the holder calls {@link #tick()} (tests). {@link #close()} is
 * the graceful shutdown: stop accepting, stop the tick, tell every player, save everyone in
 * every world, then close the database.
 */
public final class MmoServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MmoServer.class);

    private final ServerConfig config;
    private final Database database;
    private final SaveService saves;
    private final LedgerService ledger;
    private final ExecutorService workers;
    private final java.util.concurrent.ScheduledExecutorService housekeeping;
    private final List<World> worlds;
    private final WorldDirectory directory;
    private final NetServer net;
    private final TickLoop tickLoop;
    private final int port;
    private final SessionRegistry sessions = new SessionRegistry();
    private final ClusterGame cluster; // null in one process
    private final Content content;
    private boolean closed;

    private MmoServer(ServerConfig config) throws InterruptedException {
        this.config = config;
        // content first: a server never runs on content that does not check out (ContentException)
        this.content = config.contentDir().isBlank() ? Content.loadDefault() : Content.load(java.nio.file.Path.of(config.contentDir()));
        List<TileMap> maps = loadMaps(config.worlds());
        TileMap map = maps.get(0);
        this.database = Database.open(config.dbUrl());
        CharacterRepository characters = new CharacterRepository(database);
        this.saves = new SaveService(characters);
        this.ledger = new LedgerService(new InventoryRepository(database));
        this.workers = Executors.newFixedThreadPool(config.workerThreads(),
                Thread.ofPlatform().name("accounts-", 0).daemon(true).factory());
        SessionRepository sessionRepository = new SessionRepository(database);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("housekeeping").daemon(true).factory());
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                int n = sessionRepository.deleteExpired();
                if (n > 0) log.info("deleted {} expired sessions", n);
            } catch (RuntimeException e) {
                log.warn("could not delete expired sessions: {}", e.toString());
            }
        }, 1, 60, TimeUnit.MINUTES);
        this.cluster = config.clusterEnabled() ? new ClusterGame(config.inputQueue()) : null;
        World.WorldSettings settings = new World.WorldSettings(config.tickRate(), config.regionSize(),
                config.viewRadius(), config.speed(), config.inputsPerTick(), config.saveEveryTicks(), config.interestPolicy(),
                config.transportOnly() ? config.transportFrameBytes() : 0);
        // A cluster has one world (ServerConfig refuses more); whispers there cross nodes. In
        // one process, whispers cross worlds (all owned by the one tick thread).
        List<World> all = new ArrayList<>();
        Chat.Reach reach = cluster != null ? cluster.chatReach() : Chat.Reach.otherWorlds(java.util.Collections.unmodifiableList(all));
        List<WorldDirectory.Entry> entries = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            ServerConfig.WorldConfig wc = config.worlds().get(i);
            World w = new World(wc.name(), maps.get(i), settings, saves, new Chat(reach));
            w.setEncodeThreads(config.effectiveEncodeThreads());
            all.add(w);
            entries.add(new WorldDirectory.Entry(w, wc.capacity()));
        }
        this.worlds = List.copyOf(all);
        this.directory = new WorldDirectory(entries);
        World world = worlds.get(0);
        AccountService accounts = new AccountService(new AccountRepository(database), characters,
                sessionRepository, new PasswordHasher(), directory, workers, config.sessionTtl(),
                config.botsEnabled() ? BotFleet.of(config.botsKey(), config.botsSpawn(), map) : BotFleet.disabled());
        if (config.botsEnabled()) {
            log.warn("bot fleet fast login is ON (mmo.bots.key set; spawn {}): for load tests only", config.botsSpawn());
        }
        for (World w : worlds) {
            w.claimOwnership();
            if (cluster != null) w.setTopology(region -> false, cluster); // before the game: no creature until a region is ours
            if (!config.transportOnly()) {
                // the same content in every world: spawns.conf's areas must fit each world's map
                w.setGame(config.creatures() ? content : content.withoutSpawns(), ledger, System.nanoTime());
            }
        }
        if (cluster != null) {
            // This node simulates no region until the cluster gives it some; its ticks are
            // numbered from the wall clock, like every other node's.
            cluster.bind(world);
            world.setTick(ClusterGame.wallClockTick(config.tickRate()));
            cluster.attach(ClusterNode.start(ClusterSettings.of(config, map.width(), map.height()), cluster));
            cluster.onAccountLoggedInElsewhere(sessions::loggedInElsewhere);
            log.info("cluster node {} joining through {}", cluster.self(),
                    config.clusterSeedNodes().isEmpty() ? "itself" : config.clusterSeedNodes());
        }
        this.net = new NetServer(config, new GameContext(config, accounts, directory, sessions,
                cluster != null ? cluster : new WorldGateway.Local(world)));
        this.port = net.start();
        if (config.manualTick()) {
            this.tickLoop = null;
        } else {
            this.tickLoop = new TickLoop(worlds, config.tickRate(),
                    config.dilation() ? new TimeDilation(config.tickRate(), config.dilationMin()) : null);
            tickLoop.start();
        }
        for (WorldDirectory.Entry e : directory.all()) {
            TileMap m = e.world().map();
            log.info("world '{}' ({}x{} map {}, capacity {}) running at {} Hz", e.name(), m.width(), m.height(),
                    e.map(), e.capacity(), config.tickRate());
        }
        log.info("database {}", Database.redact(config.dbUrl()));
    }

    /**
     * Every world's map, in the order of {@code mmo.worlds}; a map that does not load stops the
     * start with the world's name. Two different map files that the browser would load by the
     * same path (maps are served as {@code /maps/<file name>}) stop it too.
     */
    private static List<TileMap> loadMaps(List<ServerConfig.WorldConfig> worlds) {
        List<TileMap> maps = new ArrayList<>();
        Map<String, TileMap> byLocation = new HashMap<>();
        Map<String, String> locationByPath = new HashMap<>();
        for (ServerConfig.WorldConfig w : worlds) {
            String location = mapLocation(w.map());
            TileMap m = byLocation.get(location);
            if (m == null) {
                try {
                    m = TileMap.loadFileOrResource(w.map());
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("world '" + w.name() + "': map '" + w.map() + "' does not load: "
                            + e.getMessage(), e);
                }
                byLocation.put(location, m);
            }
            String other = locationByPath.putIfAbsent(m.resourcePath(), location);
            if (other != null && !other.equals(location)) {
                throw new IllegalArgumentException("world '" + w.name() + "': map '" + w.map() + "' would be served as /"
                        + m.resourcePath() + ", like " + other + " of another world; give the map files different names");
            }
            maps.add(m);
        }
        return maps;
    }

    /** Where a map setting points: an absolute file, or a classpath resource. */
    private static String mapLocation(String map) {
        java.nio.file.Path file = java.nio.file.Path.of(map);
        if (java.nio.file.Files.isRegularFile(file)) return file.toAbsolutePath().normalize().toString();
        return "classpath:" + (map.startsWith("/") ? map.substring(1) : map);
    }

    /** Starts a server with this configuration. */
    public static MmoServer start(ServerConfig config) throws InterruptedException {
        return new MmoServer(config);
    }

    public int port() { return port; }
    /** The first world (the only one, unless {@code mmo.worlds} lists several). */
    public World world() { return worlds.get(0); }
    /** Every world, in the order configured. */
    public List<World> worlds() { return worlds; }
    /** The world of that name (ignoring case), or null. */
    public World world(String name) {
        WorldDirectory.Entry e = directory.find(name);
        return e == null ? null : e.world();
    }
    /** The worlds as players see them: capacities and populations. */
    public WorldDirectory worldDirectory() { return directory; }
    /** Where item, gold and experience changes are written (tests and tools). */
    public LedgerService ledger() { return ledger; }
    public ServerConfig config() { return config; }
    public SessionRegistry sessions() { return sessions; }
    /** The game's content (classes, items, creatures), checked at start-up. */
    public Content content() { return content; }
    /** The cluster side of this node, or null in one process. */
    public ClusterGame cluster() { return cluster; }

    /** Completes when this cluster node is out of the cluster (closed, or downed by the others: then the process must stop). Never in one process. */
    public java.util.concurrent.CompletableFuture<Void> whenLeftCluster() {
        return cluster != null ? cluster.whenLeftCluster() : new java.util.concurrent.CompletableFuture<>();
    }

    /**
     * Runs one tick of every world on the calling thread, in the order configured, as the tick
     * thread would. Only with {@code mmo.tick.manual = true}.
     */
    public void tick() {
        if (tickLoop != null) throw new IllegalStateException("the tick thread is running; tick() is for manual mode");
        for (World w : worlds) w.tick();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        log.info("shutting down: saving every character");
        net.stopAccepting();
        if (cluster != null) {
            // Clients held here go and resume on another node; then this node leaves the
            // cluster, which hands its regions, with the players in them, to the others while
            // the tick still runs.
            cluster.leaving();
            cluster.disconnectAll("The server is shutting down; reconnecting");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (cluster.connections() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20); // shutdown only: waits for the closes to reach the gateway
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            cluster.node().close();
            cluster.stop();
        }
        try {
            if (tickLoop != null) tickLoop.stop();
            else for (World w : worlds) w.claimOwnership();
            List<CompletableFuture<Void>> saving = new ArrayList<>();
            for (World w : worlds) {
                try {
                    saving.add(w.shutdown(DisconnectReason.SERVER_SHUTDOWN, "The server is shutting down"));
                } catch (RuntimeException e) {
                    log.error("shutting world '{}' down failed", w.name(), e);
                    saving.add(CompletableFuture.completedFuture(null));
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < worlds.size(); i++) {
                try {
                    saving.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                    if (FencedException.in(e) != null) {
                        // Already logged by the save service: those characters have a newer owner.
                        log.info("shutdown save of world '{}' done; {}", worlds.get(i).name(), e.getCause().getMessage());
                    } else {
                        log.error("saving world '{}' on shutdown failed", worlds.get(i).name(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error("interrupted while stopping the tick; nothing saved on shutdown", e);
        }
        net.close();
        try {
            saves.close();
            ledger.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            else log.error("closing the ledger failed", e);
        }
        workers.shutdown();
        housekeeping.shutdownNow();
        database.close();
        log.info("stopped");
    }
}

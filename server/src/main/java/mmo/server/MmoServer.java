package mmo.server;

import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.server.account.AccountService;
import mmo.server.admin.Dashboard;
import mmo.server.game.GameException;
import mmo.server.world.Player;
import mmo.server.account.BotFleet;
import mmo.server.account.PasswordHasher;
import mmo.server.cluster.ClusterGame;
import mmo.server.cluster.ClusterNode;
import mmo.server.cluster.ClusterSettings;
import mmo.server.config.ServerConfig;
import mmo.server.game.Chat;
import mmo.server.game.WorldDirectory;
import mmo.server.game.content.Content;
import mmo.server.metrics.DatabaseProbe;
import mmo.server.metrics.Health;
import mmo.server.metrics.ManagementServer;
import mmo.server.metrics.ServerMetrics;
import mmo.server.net.NetTraffic;
import mmo.server.moderation.ModerationService;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.ServerMessage;
import mmo.server.persistence.ModerationRepository;
import mmo.server.net.GameContext;
import mmo.server.net.NetServer;
import mmo.server.net.SessionRegistry;
import mmo.server.net.TlsCertificates;
import mmo.server.net.WorldGateway;
import mmo.server.persistence.AccountRepository;
import mmo.server.persistence.CharacterRepository;
import mmo.server.persistence.Database;
import mmo.server.persistence.SaveService;
import mmo.server.persistence.ShutdownSave;
import mmo.server.persistence.InventoryRepository;
import mmo.server.persistence.LedgerService;
import mmo.server.persistence.SessionRepository;
import mmo.server.world.Refusals;
import mmo.server.world.TickLoop;
import mmo.server.world.World;
import mmo.server.world.TimeDilation;
import mmo.server.world.map.TileMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
 *
 * <p>Its metrics ({@link ServerMetrics}) and health are served on the management port
 * ({@code mmo.management.port}), apart from the game's; {@link #drain()} (the first step of
 * {@link #close()}) turns readiness off. Start-up logs its steps as "start-up n/N: ...".
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
    private final TlsCertificates tls; // null without mmo.net.tls
    private final TickLoop tickLoop;
    private final int port;
    private final SessionRegistry sessions = new SessionRegistry();
    private final ClusterGame cluster; // null in one process
    private final Content content;
    private boolean closed;

    private final ModerationService moderation;
    private final Map<World, Chat> chats = new HashMap<>();
    private final Dashboard dashboard;

    private final ServerMetrics metrics;
    private final NetTraffic traffic = new NetTraffic();
    private final List<ServerMetrics.WorldTicks> worldTicks = new ArrayList<>();
    private final ManagementServer management; // null when mmo.management.port = 0
    private final int managementPort;          // the bound port, or -1
    private volatile boolean draining;

    /** A moderation notice (a mute set or lifted) to the account's player, as a SYSTEM chat, if it is connected here. */
    private void moderationNotice(long accountId, String text) {
        sessions.notify(accountId, ServerMessage.newBuilder().setChat(ChatMessage.newBuilder()
                .setChannel(ChatChannel.SYSTEM).setText(text)).build());
    }

    /** Start-up steps, logged as they finish. */
    private static final int STARTUP_STEPS = 6;

    private static void progress(int step, String what, Object... args) {
        log.info("start-up " + step + "/" + STARTUP_STEPS + ": " + what, args);
    }

    /**
     * What a start has opened so far. A start that fails closes it, newest first (the worlds'
     * threads before the database they save to), and rethrows its own failure with the
     * closes' failures added as suppressed: a port in use must not leave the database open or
     * the save and ledger threads (not daemons) keeping the process alive.
     */
    private static final class Opened {
        private final Deque<AutoCloseable> closes = new ArrayDeque<>();

        void add(AutoCloseable close) {
            closes.push(close);
        }

        void closeAfter(Throwable failure) {
            for (AutoCloseable c; (c = closes.poll()) != null; ) {
                try {
                    c.close();
                } catch (Throwable e) {
                    if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                    failure.addSuppressed(e);
                }
            }
        }
    }

    private MmoServer(ServerConfig config, Clock clock, Opened opened) throws InterruptedException {
        this.config = config;
        // content first: a server never runs on content that does not check out (ContentException)
        this.content = config.contentDir().isBlank() ? Content.loadDefault() : Content.load(java.nio.file.Path.of(config.contentDir()));
        progress(1, "content checked: {} classes, {} items, {} creatures", content.classes().size(), content.items().size(),
                content.creatures().size());
        List<TileMap> maps = loadMaps(config.worlds());
        for (int i = 0; i < maps.size(); i++) {
            progress(2, "world '{}': map {} loaded, {}x{} ({}/{})", config.worlds().get(i).name(), config.worlds().get(i).map(),
                    maps.get(i).width(), maps.get(i).height(), i + 1, maps.size());
        }
        TileMap map = maps.get(0);
        // and a certificate that does not load stops it before it opens anything
        this.tls = TlsCertificates.load(config.tls());
        this.database = Database.open(config.dbUrl());
        opened.add(database);
        progress(3, "database {} open and migrated", Database.redact(config.dbUrl()));
        CharacterRepository characters = new CharacterRepository(database);
        this.saves = new SaveService(characters);
        opened.add(saves);
        this.ledger = new LedgerService(new InventoryRepository(database));
        opened.add(ledger);
        this.workers = Executors.newFixedThreadPool(config.workerThreads(),
                Thread.ofPlatform().name("accounts-", 0).daemon(true).factory());
        opened.add(workers::shutdown);
        SessionRepository sessionRepository = new SessionRepository(database);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("housekeeping").daemon(true).factory());
        opened.add(housekeeping::shutdownNow);
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                int n = sessionRepository.deleteExpired();
                if (n > 0) log.info("deleted {} expired sessions", n);
            } catch (RuntimeException e) {
                log.warn("could not delete expired sessions: {}", e.toString());
            }
        }, 1, 60, TimeUnit.MINUTES);
        if (tls != null && !config.tls().checkInterval().isZero()) {
            // a stat of two files, rarely a load: off the tick and the event loops
            long every = config.tls().checkInterval().toMillis();
            housekeeping.scheduleWithFixedDelay(tls::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        }
        this.cluster = config.clusterEnabled() ? new ClusterGame(config.inputQueue()) : null;
        if (cluster != null) opened.add(cluster::stop);
        World.WorldSettings settings = new World.WorldSettings(config.tickRate(), config.regionSize(),
                config.viewRadius(), config.speed(), config.inputsPerTick(), config.saveEveryTicks(), config.interestPolicy(),
                config.transportOnly() ? config.transportFrameBytes() : 0);
        // A cluster has one world (ServerConfig refuses more); whispers there cross nodes. In
        // one process, whispers cross worlds (all owned by the one tick thread).
        List<World> all = new ArrayList<>();
        this.moderation = new ModerationService(new ModerationRepository(database), workers, clock, new ModerationService.Effects() {
            @Override
            public boolean disconnect(long accountId, DisconnectReason reason, String message) {
                boolean here = sessions.disconnect(accountId, reason, message);
                if (cluster == null) return here;
                // the player may be connected to another node: each closes it there, if it is
                cluster.closeAccountElsewhere(accountId, reason, message);
                return true;
            }

            @Override
            public void notify(long accountId, String text) {
                moderationNotice(accountId, text);
            }

            @Override
            public void broadcast(String text) {
                // each world's tick sends it (and, in a cluster, its chat reach to the other nodes)
                for (World w : worlds) w.execute(() -> chats.get(w).broadcast(w, text));
            }

            @Override
            public void muteChangedElsewhere(long accountId, long mutedUntil, String notice) {
                if (cluster != null) cluster.muteChangedElsewhere(accountId, mutedUntil, notice);
            }

            @Override
            public CompletableFuture<String> teleport(String characterName, float x, float y) {
                // the character may be simulated on another node: the cluster finds it
                if (cluster != null) return cluster.teleport(characterName, x, y);
                // every world is owned by the one tick thread: the first world's queue reaches them all
                CompletableFuture<String> moved = new CompletableFuture<>();
                worlds.get(0).execute(() -> {
                    for (World w : worlds) {
                        Player p = w.playerByName(characterName);
                        if (p == null) continue;
                        if (w.teleportByAdmin(p, x, y)) moved.complete(w.name());
                        else moved.completeExceptionally(ClusterGame.notWalkable(x, y, w.name()));
                        return;
                    }
                    moved.completeExceptionally(new GameException(ErrorCode.NOT_ONLINE, characterName + " is not in a world here"));
                });
                return moved;
            }
        });
        Chat.Reach reach = cluster != null ? cluster.chatReach()
                : Chat.Reach.otherWorlds(java.util.Collections.unmodifiableList(all), moderation);
        List<WorldDirectory.Entry> entries = new ArrayList<>();
        Refusals refusals = new Refusals(); // one count for the whole server
        for (int i = 0; i < maps.size(); i++) {
            ServerConfig.WorldConfig wc = config.worlds().get(i);
            Chat chat = new Chat(reach, moderation, clock);
            World w = new World(wc.name(), maps.get(i), settings, saves, chat);
            chats.put(w, chat);
            w.setEncodeThreads(config.effectiveEncodeThreads());
            opened.add(() -> w.setEncodeThreads(1)); // one = the tick thread alone: the pool's threads end
            w.setRefusals(refusals);
            all.add(w);
            entries.add(new WorldDirectory.Entry(w, wc.capacity()));
            progress(4, "world '{}': {}x{} regions of {} units built ({}/{})", wc.name(), w.regionCols(), w.regionRows(),
                    config.regionSize(), i + 1, maps.size());
        }
        this.worlds = List.copyOf(all);
        this.dashboard = new Dashboard(worlds, cluster == null ? () -> "" : cluster::nodeName, cluster == null ? null : region -> {
            ClusterNode n = cluster.node();
            String owner = n == null ? null : n.regionOwners().get(region);
            return owner == null ? "" : ClusterGame.shortName(owner);
        }, clock);
        if (cluster != null) cluster.setDashboard(dashboard);
        for (Chat c : chats.values()) c.logTo(dashboard);
        worlds.get(worlds.size() - 1).afterTick(dashboard::afterTick); // every world has ticked: one feed for all
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
                progress(5, "world '{}': game set up, {} creatures spawned", w.name(),
                        config.creatures() ? content.spawnsFor(Content.mapName(w.map().resourcePath())).stream().mapToInt(Content.SpawnDef::count).sum() : 0);
            }
        }
        this.metrics = new ServerMetrics();
        opened.add(metrics);
        for (WorldDirectory.Entry e : directory.all()) worldTicks.add(metrics.bindWorld(e.world(), e));
        metrics.bindRefusals(refusals);
        metrics.bindSessions(sessions);
        metrics.bindTraffic(traffic);
        metrics.bindSaves(saves);
        if (tls != null) metrics.bindTls(tls);
        if (cluster != null) metrics.bindCluster(cluster);
        if (cluster != null) {
            // This node simulates no region until the cluster gives it some; its ticks are
            // numbered from the wall clock, like every other node's.
            cluster.bind(world);
            world.setTick(ClusterGame.wallClockTick(config.tickRate()));
            cluster.attach(ClusterNode.start(ClusterSettings.of(config, map.width(), map.height()), cluster));
            opened.add(cluster.node());
            cluster.onAccountLoggedInElsewhere(sessions::loggedInElsewhere);
            cluster.onAccountClosed(sessions::disconnect);
            cluster.onMuteChanged((account, until, notice) -> {
                moderation.muteChanged(account, until);
                if (!notice.isEmpty()) moderationNotice(account, notice);
            });
            log.info("cluster node {} joining through {}", cluster.self(),
                    config.clusterSeedNodes().isEmpty() ? "itself" : config.clusterSeedNodes());
        }
        this.net = new NetServer(config, new GameContext(config, accounts, directory, sessions,
                cluster != null ? cluster : new WorldGateway.Local(world), moderation, traffic, dashboard), tls);
        opened.add(net); // before start: it stops the event loops of a start that could not bind
        this.port = net.start();
        progress(6, "listening for players on port {}", port);
        if (config.managementPort() > 0) {
            this.management = new ManagementServer(managementSource());
            opened.add(management);
            this.managementPort = management.start(net.sharedBootstrap(), config.managementHost(), config.managementPort());
        } else {
            this.management = null;
            this.managementPort = -1;
        }
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

    /**
     * Starts a server with this configuration. A start that fails has closed whatever it had
     * opened (database, threads, listeners) before it throws.
     *
     * @throws mmo.server.net.BindFailed when the game or management port cannot be bound
     */
    public static MmoServer start(ServerConfig config) throws InterruptedException {
        return start(config, Clock.systemUTC());
    }

    /** As {@link #start(ServerConfig)}, with the clock that bans and mutes end by (tests move it). */
    public static MmoServer start(ServerConfig config, Clock clock) throws InterruptedException {
        Opened opened = new Opened();
        try {
            return new MmoServer(config, clock, opened);
        } catch (Throwable failure) {
            opened.closeAfter(failure);
            throw failure;
        }
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
    /** The admin dashboard's feed. */
    public Dashboard dashboard() { return dashboard; }
    /** The cluster side of this node, or null in one process. */
    public ClusterGame cluster() { return cluster; }

    /** The management listener's port ({@code /metrics}, {@code /health/...}), or -1 when it is off. */
    public int managementPort() { return managementPort; }
    /** This process's metrics. */
    public ServerMetrics metrics() { return metrics; }

    /**
     * Loads the TLS certificate and key again if either file changed (what the housekeeping
     * thread does every {@code mmo.net.tls.check-interval}; a test calls it instead of waiting).
     * {@link TlsCertificates.Outcome#UNCHANGED} without TLS. Any thread; never throws.
     */
    public TlsCertificates.Outcome reloadTlsIfChanged() {
        return tls == null ? TlsCertificates.Outcome.UNCHANGED : tls.reloadIfChanged();
    }

    /**
     * Starts the shutdown's first step: from now on {@code /health/ready} answers 503, so that
     * load balancers and orchestrators send no new players here. {@link #close()} calls it. Any thread.
     */
    public void drain() {
        if (draining) return;
        draining = true;
        log.info("draining: not ready for new players");
    }

    /** Whether {@link #drain()} (or {@link #close()}) has begun. */
    public boolean draining() { return draining; }

    /** What the management listener reads: this server's parts, read from any thread. */
    private ManagementServer.Source managementSource() {
        return new ManagementServer.Source() {
            private volatile DatabaseProbe probe;

            @Override
            public ServerMetrics metrics() {
                return metrics;
            }

            @Override
            public Health.Report liveness() {
                return Health.liveness(tickLoop != null && tickLoop.died(), worldTicks, tickLoop != null && !draining,
                        System.nanoTime());
            }

            @Override
            public Health.Report readiness(Health.Check db) {
                String clusterDown = null;
                if (cluster != null) {
                    ClusterNode n = cluster.node();
                    if (n == null) clusterDown = "not joined to the cluster yet";
                    else if (!n.members().contains(n.self())) clusterDown = "this node is not Up in the cluster (joining, leaving or removed)";
                }
                return Health.readiness(draining, db, worldTicks, cluster != null, clusterDown);
            }

            @Override
            public DatabaseProbe database() {
                DatabaseProbe p = probe;
                if (p == null) {
                    synchronized (this) {
                        if (probe == null) probe = new DatabaseProbe(database::ping, management.probes(), System::nanoTime);
                        p = probe;
                    }
                }
                return p;
            }
        };
    }

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
        drain();
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
            // Tried again while the database fails (a restart during the stop), for at most
            // mmo.save.shutdown-retry: nothing saves these positions once the process is gone.
            List<ShutdownSave.Batch> batches = new ArrayList<>();
            for (World w : worlds) {
                try {
                    batches.add(new ShutdownSave.Batch(w.name(),
                            w.shutdownUnsaved(DisconnectReason.SERVER_SHUTDOWN, "The server is shutting down")));
                } catch (RuntimeException e) {
                    log.error("shutting world '{}' down failed", w.name(), e);
                }
            }
            new ShutdownSave(saves, config.saveShutdownRetry()).run(batches);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error("interrupted while stopping the tick; nothing saved on shutdown", e);
        }
        if (management != null) management.close(); // before the event loops it runs on
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
        metrics.close();
        log.info("stopped");
    }
}

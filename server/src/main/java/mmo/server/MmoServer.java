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
import mmo.server.game.MapStartPoints;
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

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One server process: database, world, tick loop and network, started and stopped in the
 * right order. With {@code mmo.tick.manual = true} no tick thread runs and the holder calls
 * {@link #tick()} (tests). {@link #close()} is the graceful shutdown: stop accepting, stop
 * the tick, tell every player, save everyone, then close the database.
 */
public final class MmoServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MmoServer.class);

    private final ServerConfig config;
    private final Database database;
    private final SaveService saves;
    private final LedgerService ledger;
    private final ExecutorService workers;
    private final java.util.concurrent.ScheduledExecutorService housekeeping;
    private final World world;
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
        TileMap map = TileMap.loadFileOrResource(config.mapResource());
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
        AccountService accounts = new AccountService(new AccountRepository(database), characters,
                sessionRepository, new PasswordHasher(), new MapStartPoints(map),
                config.worldName(), workers, config.sessionTtl(),
                config.botsEnabled() ? BotFleet.of(config.botsKey(), config.botsSpawn(), map) : BotFleet.disabled());
        if (config.botsEnabled()) {
            log.warn("bot fleet fast login is ON (mmo.bots.key set; spawn {}): for load tests only", config.botsSpawn());
        }
        this.cluster = config.clusterEnabled() ? new ClusterGame(config.inputQueue()) : null;
        this.world = new World(config.worldName(), map, new World.WorldSettings(config.tickRate(), config.regionSize(),
                config.viewRadius(), config.speed(), config.inputsPerTick(), config.saveEveryTicks(), config.interestPolicy(),
                config.transportOnly() ? config.transportFrameBytes() : 0),
                saves, new Chat(cluster != null ? cluster.chatReach() : Chat.Reach.NONE));
        world.setEncodeThreads(config.effectiveEncodeThreads());
        world.claimOwnership();
        if (cluster != null) world.setTopology(region -> false, cluster); // before the game: no creature until a region is ours
        if (!config.transportOnly()) {
            world.setGame(config.creatures() ? content : content.withoutSpawns(), ledger, System.nanoTime());
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
        this.net = new NetServer(config, new GameContext(config, accounts, world, sessions,
                cluster != null ? cluster : new WorldGateway.Local(world)));
        this.port = net.start();
        if (config.manualTick()) {
            this.tickLoop = null;
        } else {
            this.tickLoop = new TickLoop(world, config.tickRate(),
                    config.dilation() ? new TimeDilation(config.tickRate(), config.dilationMin()) : null);
            tickLoop.start();
        }
        log.info("world '{}' ({}x{} map {}) running at {} Hz; database {}", config.worldName(), map.width(), map.height(),
                config.mapResource(), config.tickRate(), Database.redact(config.dbUrl()));
    }

    /** Starts a server with this configuration. */
    public static MmoServer start(ServerConfig config) throws InterruptedException {
        return new MmoServer(config);
    }

    public int port() { return port; }
    public World world() { return world; }
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

    /** Runs one tick on the calling thread. Only with {@code mmo.tick.manual = true}. */
    public void tick() {
        if (tickLoop != null) throw new IllegalStateException("the tick thread is running; tick() is for manual mode");
        world.tick();
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
            else world.claimOwnership();
            world.shutdown(DisconnectReason.SERVER_SHUTDOWN, "The server is shutting down")
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (FencedException.in(e) != null) {
                // Already logged by the save service: those characters have a newer owner.
                log.info("shutdown save done; {}", e.getCause().getMessage());
            } else {
                log.error("saving on shutdown failed", e);
            }
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

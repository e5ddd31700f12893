package mmo.app;

import mmo.server.MmoServer;
import mmo.server.config.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code mmo serve}: runs the server until SIGTERM/SIGINT, then saves everyone and exits.
 * Settings come from reference.conf, ./mmo.conf (or --config), MMO_* environment variables,
 * then these options.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the game server (HTTP + WebSocket on one port; embedded SQLite by default).")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", description = "Configuration file (HOCON). Default: ./mmo.conf if present.")
    Path config;

    @Option(names = "--port", description = "Port for HTTP and WebSocket (default 8080; env MMO_PORT).")
    Integer port;

    @Option(names = "--host", description = "Address to bind (default 0.0.0.0; env MMO_HOST).")
    String host;

    @Option(names = "--tls-cert", description = "PEM certificate chain (e.g. Let's Encrypt's fullchain.pem): with --tls-key, the port speaks https and wss only; a renewal of either file is loaded without a restart (mmo.net.tls.check-interval; env MMO_TLS_CERT).")
    String tlsCert;

    @Option(names = "--tls-key", description = "PEM (PKCS#8) private key of --tls-cert (e.g. privkey.pem; env MMO_TLS_KEY).")
    String tlsKey;

    @Option(names = "--db", description = "JDBC URL: jdbc:sqlite:data/mmo.db (default) or jdbc:postgresql://host:5432/db?user=u (env MMO_DB_URL).")
    String db;

    @Option(names = "--tick-rate", description = "Ticks per second (default 20; env MMO_TICK_RATE).")
    Integer tickRate;

    @Option(names = "--map", description = "The world's Tiled .tmj map: a file path (its folder is served at /maps/ for the browser, tileset image beside it) or a classpath resource (default maps/world.tmj; env MMO_MAP). Ignored when the configuration lists mmo.worlds.")
    String map;

    @Option(names = "--world-name", description = "The world's name (env MMO_WORLD_NAME). Ignored when the configuration lists mmo.worlds.")
    String worldName;

    @Option(names = "--bots-key", description = "Turn on the load-test bot fleet's fast login with this key (16+ characters; env MMO_BOTS_KEY). Off by default.")
    String botsKey;

    @Option(names = "--bots-spawn", description = "Where bot characters appear: random (default) or square:X,Y,SIZE (env MMO_BOTS_SPAWN).")
    String botsSpawn;

    @Option(names = "--stats", description = "Serve GET /stats (tick durations as JSON); also on with --bots-key (env MMO_STATS_ENABLED).")
    Boolean stats;

    @Option(names = "--transport-only", description = "Benchmark baseline: no world; each client gets one fixed-size frame per tick acknowledging its input (mmo bench --transport-only).")
    boolean transportOnly;

    @Option(names = "--content", description = "A folder with classes.conf, items.conf, creatures.conf and spawns.conf (default: the content shipped with the server; env MMO_CONTENT).")
    String content;

    @Option(names = "--cluster", description = "Run as a node of a cluster sharing one world (docs/CLUSTER.md; env MMO_CLUSTER_ENABLED). Use a shared PostgreSQL --db.")
    boolean cluster;

    @Option(names = "--cluster-host", description = "Address other nodes reach this node at (default 127.0.0.1; env MMO_CLUSTER_HOST).")
    String clusterHost;

    @Option(names = "--cluster-port", description = "Cluster (Pekko Artery) port of this node (default 25520; env MMO_CLUSTER_PORT).")
    Integer clusterPort;

    @Option(names = "--seed-nodes", split = ",", description = "host:port of the cluster nodes to join through, the same on every node (env MMO_CLUSTER_SEED_NODES).")
    java.util.List<String> seedNodes;

    @Option(names = "--management-port", description = "Port of the operator's listener: GET /metrics (Prometheus), /health/live, /health/ready (default 8081; 0 = off; env MMO_MANAGEMENT_PORT).")
    Integer managementPort;

    @Option(names = "--management-host", description = "Address the operator's listener binds (default 127.0.0.1; env MMO_MANAGEMENT_HOST).")
    String managementHost;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> overrides = new HashMap<>();
        if (port != null) overrides.put("mmo.net.port", port);
        if (host != null) overrides.put("mmo.net.host", host);
        if (tlsCert != null) overrides.put("mmo.net.tls.cert", tlsCert);
        if (tlsKey != null) overrides.put("mmo.net.tls.key", tlsKey);
        if (db != null) overrides.put("mmo.db.url", db.startsWith("postgresql://") ? "jdbc:" + db : db);
        if (tickRate != null) overrides.put("mmo.tick.rate", tickRate);
        if (map != null) overrides.put("mmo.world.map", map);
        if (worldName != null) overrides.put("mmo.world.name", worldName);
        if (botsKey != null) overrides.put("mmo.bots.key", botsKey);
        if (botsSpawn != null) overrides.put("mmo.bots.spawn", botsSpawn);
        if (stats != null) overrides.put("mmo.stats.enabled", stats);
        if (transportOnly) overrides.put("mmo.bench.transport-only", true);
        if (content != null) overrides.put("mmo.world.content", content);
        if (cluster) overrides.put("mmo.cluster.enabled", true);
        if (clusterHost != null) overrides.put("mmo.cluster.host", clusterHost);
        if (clusterPort != null) overrides.put("mmo.cluster.port", clusterPort);
        if (managementPort != null) overrides.put("mmo.management.port", managementPort);
        if (managementHost != null) overrides.put("mmo.management.host", managementHost);
        if (seedNodes != null) overrides.put("mmo.cluster.seed-nodes", String.join(",", seedNodes));
        ServerConfig cfg = ServerConfig.load(config, overrides);
        MmoServer server;
        try {
            server = MmoServer.start(cfg);
        } catch (mmo.server.game.content.ContentException e) {
            System.err.println("mmo: the game content is invalid: " + e.getMessage());
            return 2;
        } catch (mmo.server.net.BindFailed e) { // the game's or the management port; nothing is left open
            System.err.println("mmo: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            server.close();
            stopped.countDown();
        }));
        server.whenLeftCluster().thenRun(() -> {
            // downed by the rest of the cluster (or closed): its regions live elsewhere now
            if (stopped.getCount() > 0) {
                System.err.println("mmo: this node is no longer a cluster member; stopping");
                System.exit(3);
            }
        });
        System.out.println("mmo server running: open " + (cfg.tls().enabled() ? "https" : "http") + "://localhost:"
                + server.port() + "/ (Ctrl+C to stop)");
        if (server.managementPort() > 0) {
            System.out.println("metrics and health: http://" + cfg.managementHost() + ":" + server.managementPort()
                    + "/metrics, /health/live, /health/ready");
        }
        stopped.await();
        return 0;
    }
}

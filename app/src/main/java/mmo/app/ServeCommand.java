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

    @Option(names = "--db", description = "JDBC URL: jdbc:sqlite:data/mmo.db (default) or jdbc:postgresql://host:5432/db?user=u (env MMO_DB_URL).")
    String db;

    @Option(names = "--tick-rate", description = "Ticks per second (default 20; env MMO_TICK_RATE).")
    Integer tickRate;

    @Option(names = "--map", description = "A Tiled .tmj map: a file path (its folder is served at /maps/ for the browser, tileset image beside it) or a classpath resource (default maps/world.tmj; env MMO_MAP).")
    String map;

    @Option(names = "--world-name", description = "The world's name (env MMO_WORLD_NAME).")
    String worldName;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> overrides = new HashMap<>();
        if (port != null) overrides.put("mmo.net.port", port);
        if (host != null) overrides.put("mmo.net.host", host);
        if (db != null) overrides.put("mmo.db.url", db.startsWith("postgresql://") ? "jdbc:" + db : db);
        if (tickRate != null) overrides.put("mmo.tick.rate", tickRate);
        if (map != null) overrides.put("mmo.world.map", map);
        if (worldName != null) overrides.put("mmo.world.name", worldName);
        ServerConfig cfg = ServerConfig.load(config, overrides);
        MmoServer server = MmoServer.start(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("mmo server running: open http://localhost:" + server.port() + "/ (Ctrl+C to stop)");
        stopped.await();
        return 0;
    }
}

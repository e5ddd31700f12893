package mmo.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The server's settings, read once at start-up. Precedence, highest first: explicit
 * overrides (the command line), environment variables, the configuration file
 * ({@code ./mmo.conf} or a given path), then {@code reference.conf}. Immutable; any thread.
 *
 * <p>The deployment's worlds are {@link #worlds()}; {@code worldName} and {@code mapResource}
 * are the {@code mmo.world.name} / {@code mmo.world.map} settings, which make the one world
 * when {@code mmo.worlds} is empty.
 */
public record ServerConfig(
        String host,
        int port,
        int maxFrameBytes,
        int inputQueue,
        int inputsPerTick,
        String dbUrl,
        int tickRate,
        boolean manualTick,
        String worldName,
        String mapResource,
        String contentDir,
        int regionSize,
        float viewRadius,
        float speed,
        Duration saveInterval,
        Duration saveShutdownRetry,
        Duration sessionTtl,
        int workerThreads,
        boolean dilation,
        float dilationMin,
        boolean interestTiered,
        int interestBytesPerTick,
        String botsKey,
        String botsSpawn,
        boolean statsEnabled,
        boolean transportOnly,
        int transportFrameBytes,
        int encodeThreads,
        int ioThreads,
        String transport,
        boolean clusterEnabled,
        String clusterHost,
        int clusterPort,
        List<String> clusterSeedNodes,
        Duration clusterDownAfter,
        ClusterDiscovery clusterDiscovery,
        boolean creatures,
        List<WorldConfig> worlds,
        NetLimits netLimits,
        Tls tls,
        String managementHost,
        int managementPort) {

    /**
     * Finding the other nodes by DNS ({@code mmo.cluster.discovery}) instead of a fixed seed list:
     * Pekko Discovery looks up a name that resolves to the address of every node (a Kubernetes
     * headless Service), and Pekko Management's Cluster Bootstrap forms or joins the cluster
     * through them, probing each on {@code bootstrapPort}.
     *
     * @param dnsName       the name to look up; empty: off (the seed nodes are used)
     * @param minContacts   form a new cluster only once the name resolves to at least this many
     *                      nodes, all answering and none in a cluster yet
     * @param bootstrapPort Pekko Management's HTTP port, the same on every node (cluster-internal)
     */
    public record ClusterDiscovery(String dnsName, int minContacts, int bootstrapPort) {
        public ClusterDiscovery {
            if (minContacts < 1) throw new IllegalArgumentException("mmo.cluster.discovery.min-contacts must be at least 1, got " + minContacts);
            if (bootstrapPort < 1 || bootstrapPort > 65535) {
                throw new IllegalArgumentException("mmo.cluster.discovery.bootstrap-port must be 1..65535, got " + bootstrapPort);
            }
        }

        /** Pekko Management's usual port. */
        public static final int DEFAULT_BOOTSTRAP_PORT = 7626;

        /** Off: the seed nodes are used. */
        public static final ClusterDiscovery OFF = new ClusterDiscovery("", 1, DEFAULT_BOOTSTRAP_PORT);

        /** Whether the nodes are found by DNS. */
        public boolean enabled() {
            return !dnsName.isEmpty();
        }
    }

    /** A token bucket's setting: refills {@code perSecond}, holds at most {@code burst}. */
    public record RateLimit(double perSecond, int burst) {}

    /**
     * Per-connection transport limits ({@code mmo.net}): idle time-out, unsent-bytes cap,
     * rate limits by kind of message (chat, emote, trade, items, ability, account, ping).
     */
    /** @param allowedOrigins browser origins (scheme://host[:port]) that may open the game's WebSocket besides the server's own */
    /** @param socketSendBuffer SO_SNDBUF of each connection in bytes; 0: the OS's own (Linux grows it as needed) */
    public record NetLimits(Duration idleTimeout, int maxPendingBytes, Map<String, RateLimit> rateLimits,
                            int maxRefusals, Duration refusalWindow, List<String> allowedOrigins, int socketSendBuffer) {}

    /**
     * TLS for the listener ({@code mmo.net.tls}): a PEM certificate chain and its PEM (PKCS#8)
     * private key. Both set: the port speaks https and wss only; both empty: plain http and ws.
     *
     * @param checkInterval how often the files are checked for a renewal to load; zero: never
     */
    public record Tls(String cert, String key, Duration checkInterval) {
        /** Whether the listener speaks TLS. */
        public boolean enabled() {
            return !cert.isEmpty();
        }
    }

    /** World names: letters, digits, spaces, '-' and '_', 1 to 32, starting and ending with a letter or digit. */
    private static final java.util.regex.Pattern WORLD_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9]([A-Za-z0-9 _-]{0,30}[A-Za-z0-9])?");
    private static final java.util.Set<String> WORLD_KEYS = java.util.Set.of("name", "map", "capacity");

    /**
     * One world of the deployment ({@code mmo.worlds}, or the single world of {@code mmo.world.name}
     * and {@code mmo.world.map} when that list is empty).
     *
     * @param map      a Tiled map: a file path or a classpath resource
     * @param capacity the most players it takes at once; more are refused with WORLD_FULL
     */
    public record WorldConfig(String name, String map, int capacity) {
    }

    /** Loads the defaults, {@code ./mmo.conf} if present, then applies {@code overrides} (keys like "mmo.net.port"). */
    public static ServerConfig load(Path file, Map<String, ?> overrides) {
        Config base = ConfigFactory.defaultReference();
        Path path = file != null ? file : Path.of("mmo.conf");
        if (file != null && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("configuration file not found: " + file);
        }
        if (Files.isRegularFile(path)) {
            Config fromFile = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            base = fromFile.withFallback(base);
        }
        Config merged = ConfigFactory.parseMap(overrides == null ? Map.of() : overrides, "command line")
                .withFallback(base)
                .resolve();
        return from(merged.getConfig("mmo"));
    }

    /**
     * The defaults with {@code overrides} applied, ignoring any {@code ./mmo.conf} (tests). The
     * management listener is off unless {@code mmo.management.port} is given: tests start many
     * servers at once, and none should hold 8081.
     */
    public static ServerConfig defaults(Map<String, ?> overrides) {
        Map<String, Object> withPort = new java.util.HashMap<>(overrides);
        withPort.putIfAbsent("mmo.management.port", 0);
        Config merged = ConfigFactory.parseMap(withPort, "overrides")
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        return from(merged.getConfig("mmo"));
    }

    /**
     * The defaults with these {@code MMO_*} variables set, as a container or a systemd unit would
     * set them (and nothing from this process's own environment): checks deployment files.
     */
    public static ServerConfig withEnvironment(Map<String, String> env) {
        Config unresolved = ConfigFactory.parseResources(ServerConfig.class.getClassLoader(), "reference.conf");
        Config merged = ConfigFactory.parseMap(env, "environment").withFallback(unresolved)
                .resolve(com.typesafe.config.ConfigResolveOptions.noSystem());
        return from(merged.getConfig("mmo"));
    }

    private static ServerConfig from(Config c) {
        ServerConfig cfg = new ServerConfig(
                c.getString("net.host"),
                c.getInt("net.port"),
                c.getInt("net.max-frame-bytes"),
                c.getInt("net.input-queue"),
                c.getInt("net.inputs-per-tick"),
                c.getString("db.url"),
                c.getInt("tick.rate"),
                c.getBoolean("tick.manual"),
                c.getString("world.name"),
                c.getString("world.map"),
                c.getString("world.content"),
                c.getInt("world.region-size"),
                (float) c.getDouble("world.view-radius"),
                (float) c.getDouble("world.speed"),
                c.getDuration("save.interval"),
                c.getDuration("save.shutdown-retry"),
                c.getDuration("accounts.session-ttl"),
                c.getInt("accounts.worker-threads"),
                c.getBoolean("tick.dilation"),
                (float) c.getDouble("tick.dilation-min"),
                c.getBoolean("interest.tiered"),
                c.getInt("interest.bytes-per-tick"),
                c.getString("bots.key"),
                c.getString("bots.spawn"),
                c.getBoolean("stats.enabled"),
                c.getBoolean("bench.transport-only"),
                c.getInt("bench.frame-bytes"),
                c.getInt("tick.encode-threads"),
                c.getInt("net.io-threads"),
                c.getString("net.transport"),
                c.getBoolean("cluster.enabled"),
                c.getString("cluster.host"),
                c.getInt("cluster.port"),
                seedNodes(c),
                c.getDuration("cluster.down-after"),
                new ClusterDiscovery(c.getString("cluster.discovery.dns-name").trim(), c.getInt("cluster.discovery.min-contacts"),
                        c.getInt("cluster.discovery.bootstrap-port")),
                c.getBoolean("world.creatures"),
                worlds(c),
                netLimits(c.getConfig("net")),
                new Tls(c.getString("net.tls.cert").trim(), c.getString("net.tls.key").trim(),
                        c.getDuration("net.tls.check-interval")),
                c.getString("management.host"),
                c.getInt("management.port"));
        cfg.validate();
        return cfg;
    }

    static final List<String> RATE_LIMITED_KINDS = List.of("chat", "emote", "trade", "items", "ability", "account", "ping");

    private static NetLimits netLimits(Config net) {
        Config r = net.getConfig("rate-limits");
        Map<String, RateLimit> limits = new java.util.LinkedHashMap<>();
        for (String kind : RATE_LIMITED_KINDS) {
            RateLimit l = new RateLimit(r.getDouble(kind + ".per-second"), r.getInt(kind + ".burst"));
            if (l.perSecond() <= 0 || l.burst() < 1) {
                throw new IllegalArgumentException("mmo.net.rate-limits." + kind + " needs per-second > 0 and burst >= 1");
            }
            limits.put(kind, l);
        }
        NetLimits n = new NetLimits(net.getDuration("idle-timeout"), net.getInt("max-pending-bytes"), Map.copyOf(limits),
                r.getInt("max-refusals"), r.getDuration("refusal-window"), List.copyOf(net.getStringList("allowed-origins")),
                net.getInt("socket-send-buffer"));
        if (n.socketSendBuffer() < 0) throw new IllegalArgumentException("mmo.net.socket-send-buffer must be >= 0 (0: the OS's own)");
        if (n.idleTimeout().toMillis() < 1000) throw new IllegalArgumentException("mmo.net.idle-timeout must be >= 1s");
        if (n.maxPendingBytes() < 65536) throw new IllegalArgumentException("mmo.net.max-pending-bytes must be >= 65536");
        if (n.maxRefusals() < 1 || n.refusalWindow().isNegative() || n.refusalWindow().isZero()) {
            throw new IllegalArgumentException("mmo.net.rate-limits.max-refusals must be >= 1 and refusal-window > 0");
        }
        return n;
    }

    private void validate() {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("mmo.net.port must be 0..65535, got " + port);
        if (tickRate < 1 || tickRate > 128) throw new IllegalArgumentException("mmo.tick.rate must be 1..128, got " + tickRate);
        if (regionSize < 16) throw new IllegalArgumentException("mmo.world.region-size must be >= 16, got " + regionSize);
        if (viewRadius <= 0) throw new IllegalArgumentException("mmo.world.view-radius must be > 0");
        if (speed <= 0) throw new IllegalArgumentException("mmo.world.speed must be > 0");
        if (dilationMin <= 0 || dilationMin > 1) throw new IllegalArgumentException("mmo.tick.dilation-min must be in (0, 1]");
        if (saveShutdownRetry.isNegative()) throw new IllegalArgumentException("mmo.save.shutdown-retry must be >= 0 (0: one try)");
        if (interestBytesPerTick < 0) throw new IllegalArgumentException("mmo.interest.bytes-per-tick must be >= 0");
        if (inputQueue < 1 || inputsPerTick < 1) throw new IllegalArgumentException("mmo.net.input-queue and inputs-per-tick must be >= 1");
        if (!botsKey.isEmpty() && botsKey.length() < 16) {
            throw new IllegalArgumentException("mmo.bots.key must be empty (bots off) or at least 16 characters");
        }
        mmo.server.account.BotFleet.parseSpawn(botsSpawn);
        if (managementPort < 0 || managementPort > 65535) {
            throw new IllegalArgumentException("mmo.management.port must be 0..65535 (0 = off), got " + managementPort);
        }
        if (managementPort != 0 && managementPort == port) {
            throw new IllegalArgumentException("mmo.management.port must differ from mmo.net.port (" + port
                    + "): /metrics is never served on the game's port");
        }
        if (clusterPort < 0 || clusterPort > 65535) {
            throw new IllegalArgumentException("mmo.cluster.port must be 0..65535, got " + clusterPort);
        }
        if (tls.cert().isEmpty() != tls.key().isEmpty()) {
            throw new IllegalArgumentException("mmo.net.tls needs both cert and key (PEM files), or neither; got "
                    + (tls.cert().isEmpty() ? "only key" : "only cert"));
        }
        if (tls.checkInterval().isNegative() || (!tls.checkInterval().isZero() && tls.checkInterval().toMillis() < 1000)) {
            throw new IllegalArgumentException("mmo.net.tls.check-interval must be 0 (off) or at least 1s, got " + tls.checkInterval());
        }
        if (worlds.isEmpty()) throw new IllegalArgumentException("no world configured");
        java.util.Map<String, String> seen = new java.util.LinkedHashMap<>();
        for (WorldConfig w : worlds) {
            String other = seen.putIfAbsent(w.name().toLowerCase(java.util.Locale.ROOT), w.name());
            if (other != null) {
                throw new IllegalArgumentException("mmo.worlds: '" + other + "' and '" + w.name()
                        + "' are the same name (world names are unique ignoring case)");
            }
        }
        if (clusterEnabled && worlds.size() > 1) {
            throw new IllegalArgumentException("cluster mode (mmo.cluster.enabled) runs one world, but mmo.worlds lists "
                    + worlds.size() + " (" + String.join(", ", seen.values()) + "): configure one world per cluster,"
                    + " or turn the cluster off");
        }
    }

    /**
     * {@code mmo.worlds}, each entry checked where it is read (so a mistake names its place in
     * the file); when the list is empty or absent, the one world of {@code mmo.world.name} and
     * {@code mmo.world.map}. An entry without map or capacity takes {@code mmo.world.map} /
     * {@code mmo.world.capacity}.
     */
    private static List<WorldConfig> worlds(Config c) {
        String defaultMap = c.getString("world.map");
        int defaultCapacity = c.getInt("world.capacity");
        if (!c.hasPath("worlds") || c.getList("worlds").isEmpty()) {
            WorldConfig only = new WorldConfig(c.getString("world.name"), defaultMap, defaultCapacity);
            checkWorld(only, "mmo.world");
            return List.of(only);
        }
        List<WorldConfig> list = new java.util.ArrayList<>();
        com.typesafe.config.ConfigList entries = c.getList("worlds");
        for (int i = 0; i < entries.size(); i++) {
            com.typesafe.config.ConfigValue v = entries.get(i);
            String where = "mmo.worlds[" + i + "] (" + v.origin().description() + ")";
            if (!(v instanceof com.typesafe.config.ConfigObject obj)) {
                throw new IllegalArgumentException(where + ": each world is an object { name, map, capacity }, got "
                        + v.valueType().name().toLowerCase(java.util.Locale.ROOT));
            }
            for (String key : obj.keySet()) {
                if (!WORLD_KEYS.contains(key)) {
                    throw new IllegalArgumentException(where + ": unknown setting '" + key + "' (a world has name, map, capacity)");
                }
            }
            Config w = obj.toConfig();
            WorldConfig world;
            try {
                if (!w.hasPath("name")) throw new IllegalArgumentException(where + ": the world has no name");
                world = new WorldConfig(w.getString("name"),
                        w.hasPath("map") ? w.getString("map") : defaultMap,
                        w.hasPath("capacity") ? w.getInt("capacity") : defaultCapacity);
            } catch (com.typesafe.config.ConfigException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            checkWorld(world, where);
            list.add(world);
        }
        return List.copyOf(list);
    }

    private static void checkWorld(WorldConfig w, String where) {
        if (!WORLD_NAME.matcher(w.name()).matches()) {
            throw new IllegalArgumentException(where + ": world name '" + w.name() + "' must be 1 to 32 letters, digits,"
                    + " spaces, '-' or '_', starting and ending with a letter or digit");
        }
        if (w.map().isBlank()) throw new IllegalArgumentException(where + ": world '" + w.name() + "' has an empty map");
        if (w.capacity() < 1) {
            throw new IllegalArgumentException(where + ": world '" + w.name() + "' capacity must be > 0, got " + w.capacity());
        }
    }

    /** {@code mmo.cluster.seed-nodes}: a list in a file, or one comma-separated string (MMO_CLUSTER_SEED_NODES). */
    private static List<String> seedNodes(Config c) {
        if (c.getValue("cluster.seed-nodes").valueType() == com.typesafe.config.ConfigValueType.LIST) {
            return List.copyOf(c.getStringList("cluster.seed-nodes"));
        }
        return Arrays.stream(c.getString("cluster.seed-nodes").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Whether the bot-fleet fast login is on (a non-empty {@code mmo.bots.key}). */
    public boolean botsEnabled() {
        return !botsKey.isEmpty();
    }

    /** Whether {@code GET /stats} answers: {@code mmo.stats.enabled}, or implied by the bot fleet. */
    public boolean statsEndpoint() {
        return statsEnabled || botsEnabled();
    }

    /** Never prints the bots key. */
    @Override
    public String toString() {
        return "ServerConfig[" + host + ":" + port + ", db " + mmo.server.persistence.Database.redact(dbUrl)
                 + ", worlds " + worlds.stream().map(WorldConfig::name).toList() + ", tick " + tickRate + " Hz, bots " + (botsEnabled() ? "on" : "off") + "]";
    }

    /** Encode threads to use: the setting, or one per available processor for 0. */
    public int effectiveEncodeThreads() {
        return encodeThreads > 0 ? encodeThreads : Runtime.getRuntime().availableProcessors();
    }

    /** The interest policy these settings describe. */
    public mmo.server.world.InterestPolicy interestPolicy() {
        return new mmo.server.world.InterestPolicy(interestTiered, interestBytesPerTick);
    }

    /** Ticks between two periodic saves (at least one). */
    public int saveEveryTicks() {
        return (int) Math.max(1, saveInterval.toMillis() * tickRate / 1000);
    }
}

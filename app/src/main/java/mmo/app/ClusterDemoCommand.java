package mmo.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import mmo.app.bots.Fleet;
import mmo.app.bots.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mmo cluster-demo}: a cluster to watch on one machine. Starts K {@code serve --cluster}
 * processes of this jar on consecutive ports (node 1 the seed of all), sharing one PostgreSQL
 * schema, waits until the cluster owns every region, fills it with wandering bots (in this JVM,
 * spread over the nodes) and prints a status line every 5 s. Ctrl+C stops the bots, then the
 * nodes.
 *
 * <p>Threads: {@link #call} on the main thread starts everything and then waits; one reader
 * thread per child stream prints its lines; a scheduler thread prints the status; the shutdown
 * hook stops it all. What they share is the immutable node list and the volatile fleet.
 */
@Command(name = "cluster-demo", mixinStandardHelpOptions = true,
        description = "Run a cluster of K nodes on this machine (one shared PostgreSQL), fill it with bots and "
                + "show which node owns what, to watch handoffs in the browser. Ctrl+C stops everything.")
final class ClusterDemoCommand implements Callable<Integer> {
    static final String DEFAULT_DB = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=mmo_demo";
    static final int DEFAULT_HTTP_PORT = 8080, DEFAULT_CLUSTER_PORT = 25520;
    /** Enough for one machine; the default map's 16 shards (2 x 2 regions each) give each node two or more. */
    static final int MAX_NODES = 8;
    private static final int TAIL_LINES = 30;
    private static final long SETTLED_MS = 3000;
    private static final Pattern LOG_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR)\\b");
    private static final Pattern CURRENT_SCHEMA = Pattern.compile("[?&]currentSchema=([^&]*)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @Option(names = "--nodes", defaultValue = "3", description = "Number of node processes (1 to " + MAX_NODES + ", default ${DEFAULT-VALUE}).")
    int nodeCount;

    @Option(names = "--bots", defaultValue = "300", description = "Wandering bots spread over the nodes; 0 for none (default ${DEFAULT-VALUE}).")
    int bots;

    @Option(names = "--db", defaultValue = DEFAULT_DB,
            description = "PostgreSQL JDBC URL all nodes share; the schema named by currentSchema is created if missing (default ${DEFAULT-VALUE}).")
    String db;

    @Option(names = "--base-port", description = "HTTP port of node 1; node i gets base + i - 1. Default: the first of 8080, 8081, ... with enough free ports after it.")
    Integer basePort;

    @Option(names = "--cluster-base-port", description = "Cluster (Artery) port of node 1; node i gets base + i - 1. Default: the first of 25520, 25521, ... with enough free ports after it.")
    Integer clusterBasePort;

    @Option(names = "--node-heap", defaultValue = "512m", description = "Maximum heap of each node process (-Xmx, default ${DEFAULT-VALUE}).")
    String nodeHeap;

    @Option(names = "--timeout", defaultValue = "90", description = "Seconds to wait for the cluster to own every region (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--verbose", description = "Print every line of the nodes' output (default: warnings, errors and the 'running' line).")
    boolean verbose;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Node> nodes = new ArrayList<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final ScheduledExecutorService status = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("cluster-demo-status").daemon(true).factory());
    private volatile Fleet fleet;
    private volatile boolean stopping;
    private boolean stopped; // guarded by this

    @Override
    public Integer call() throws Exception {
        if (nodeCount < 1 || nodeCount > MAX_NODES) {
            System.err.println("mmo cluster-demo: --nodes must be 1 to " + MAX_NODES);
            return 2;
        }
        if (bots < 0 || timeoutSeconds < 1) {
            System.err.println("mmo cluster-demo: --bots must be 0 or more, --timeout positive");
            return 2;
        }
        String url = db.startsWith("postgresql://") ? "jdbc:" + db : db;
        if (!url.startsWith("jdbc:postgresql:")) {
            System.err.println("mmo cluster-demo: the nodes share one database, so --db must be a PostgreSQL JDBC URL, got " + url);
            return 2;
        }
        int httpBase, clusterBase;
        try {
            httpBase = ports(basePort, DEFAULT_HTTP_PORT, "--base-port");
            clusterBase = ports(clusterBasePort, DEFAULT_CLUSTER_PORT, "--cluster-base-port");
        } catch (IllegalStateException e) {
            System.err.println("mmo cluster-demo: " + e.getMessage());
            return 2;
        }
        if (httpBase < clusterBase + nodeCount && clusterBase < httpBase + nodeCount) {
            System.err.println("mmo cluster-demo: the HTTP ports and the cluster ports overlap");
            return 2;
        }
        try {
            createSchema(url);
        } catch (SQLException e) {
            System.err.println("mmo cluster-demo: cannot use PostgreSQL at " + redact(url) + ": " + e.getMessage()
                    + "\n  start PostgreSQL or give another database with --db");
            return 1;
        }

        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String key = HexFormat.of().formatHex(secret);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("cluster-demo-stop").unstarted(this::stopAll));
        List<String> jvm = javaCommand();
        say("starting " + nodeCount + " nodes: HTTP ports " + httpBase + "-" + (httpBase + nodeCount - 1)
                + ", cluster ports " + clusterBase + "-" + (clusterBase + nodeCount - 1) + ", database " + redact(url));
        for (int i = 0; i < nodeCount; i++) {
            List<String> cmd = new ArrayList<>(jvm);
            cmd.addAll(List.of("serve", "--cluster", "--host", "127.0.0.1", "--port", Integer.toString(httpBase + i),
                    "--cluster-host", "127.0.0.1", "--cluster-port", Integer.toString(clusterBase + i),
                    "--seed-nodes", "127.0.0.1:" + clusterBase, "--db", url, "--bots-key", key, "--stats", "--management-port", "0"));
            synchronized (this) {
                if (stopped) break; // Ctrl+C while starting: start no more
                nodes.add(new Node(i + 1, httpBase + i, clusterBase + i, cmd));
            }
        }

        if (!awaitCluster()) {
            stopAll();
            return 1;
        }
        say("cluster up: " + nodeCount + " nodes own all regions");
        for (Node n : nodes) {
            say("  " + n.name + ": open http://127.0.0.1:" + n.port + "/   (the HUD's Node row reads 127.0.0.1:" + n.clusterPort + ")");
        }
        say("log in, walk across a region border and watch the HUD's Node row change (Ctrl+C to stop)");
        status.scheduleAtFixedRate(this::printStatus, 5, 5, TimeUnit.SECONDS);

        if (bots > 0) {
            List<URI> ws = nodes.stream().map(n -> URI.create("ws://127.0.0.1:" + n.port + "/ws")).toList();
            Fleet f = new Fleet(ws, key, Workload.OPEN_WORLD_WALK, 1, 1);
            fleet = f;
            say(bots + " bots wandering the whole map, spread over the nodes, at 100/s");
            try {
                f.ramp(bots, 100, (long) Math.ceil(bots / 100.0) + 60, ClusterDemoCommand::say);
                say(f.progress("ramp done"));
            } catch (RuntimeException e) {
                if (!stopping) throw e; // else: the shutdown hook closed the fleet under the ramp
            }
        }
        finished.await();
        stopAll();
        return 1; // only reached when every node exited on its own
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /** The ports {@code given..given+K-1}, which must be free; or without it the first free run from {@code from}. */
    private int ports(Integer given, int from, String option) {
        if (given != null) {
            if (given < 1 || given + nodeCount - 1 > 65535) throw new IllegalStateException(option + " out of range");
            int busy = firstBusy(given, nodeCount);
            if (busy >= 0) throw new IllegalStateException("port " + busy + " is in use (" + option + " " + given + ")");
            return given;
        }
        int start = from;
        for (int attempt = 0; attempt < 100 && start + nodeCount - 1 <= 65535; attempt++) {
            int busy = firstBusy(start, nodeCount);
            if (busy < 0) return start;
            start = busy + 1;
        }
        throw new IllegalStateException("found no " + nodeCount + " free consecutive ports from " + from + "; give " + option);
    }

    /** The first of {@code count} ports from {@code start} that cannot be bound on the loopback address, or -1. */
    static int firstBusy(int start, int count) {
        for (int p = start; p < start + count; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
            } catch (IOException e) {
                return p;
            }
        }
        return -1;
    }

    /** Creates the schema the URL's currentSchema names, if there is one and it is missing. */
    static void createSchema(String url) throws SQLException {
        Matcher m = CURRENT_SCHEMA.matcher(url);
        String schema = m.find() ? m.group(1).split(",")[0] : "";
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            if (schema.isEmpty()) return;
            if (!IDENTIFIER.matcher(schema).matches()) {
                throw new SQLException("currentSchema '" + schema + "' is not a plain identifier (letters, digits, _)");
            }
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        }
    }

    /** {@code java [flags] -jar mmo.jar}: this JVM's java binary and jar. */
    private List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .filter(c -> Files.isExecutable(Path.of(c)))
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path jar = ownJar();
        List<String> cmd = new ArrayList<>();
        // Each node in a session of its own: a Ctrl+C in the terminal reaches only this process,
        // which stops the bots before it stops the nodes (they would otherwise all get SIGINT at
        // once). setsid execs in place, so the child is still the node's JVM.
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) cmd.add(setsid.toString());
        cmd.add(java);
        cmd.add("-Xmx" + nodeHeap);
        cmd.addAll(JvmDefaults.gcFlags(JvmDefaults.GC)); // as ./mmo serve
        cmd.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow"); // Pekko (docs/CLUSTER.md)
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    private static Path ownJar() {
        try {
            Path p = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(p)) return p;
        } catch (Exception e) {
            // not run from a jar: try the build's
        }
        Path built = Path.of("app/target/mmo.jar");
        if (Files.isRegularFile(built)) return built.toAbsolutePath();
        throw new IllegalStateException("cannot find the mmo jar to start the nodes from (build it: ./mmo build)");
    }

    /**
     * Polls until every node answers /stats and node 1's owner table holds every region, owned
     * by K distinct nodes, and has not changed for {@value #SETTLED_MS} ms (sharding rebalances
     * every 2 s until the nodes hold about as many shards each; bots entering during a move may
     * be lost between nodes). Prints progress when it changes; false (after printing each
     * node's last lines) on a timeout or when a node exits.
     */
    private boolean awaitCluster() throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        String last = "";
        Map<String, String> table = Map.of();
        long tableSince = start;
        while (true) {
            if (stopping) return false;
            for (Node n : nodes) {
                if (!n.process.isAlive()) {
                    say(n.name + " exited with code " + n.process.exitValue() + " before the cluster was up; the nodes' last lines:");
                    printTails();
                    return false;
                }
            }
            int answering = 0;
            JsonNode first = null;
            for (Node n : nodes) {
                JsonNode s = stats(n);
                if (s == null) continue;
                answering++;
                if (n == nodes.get(0)) first = s;
            }
            int total = 0;
            Map<String, String> now = new HashMap<>();
            if (first != null) {
                JsonNode c = first.path("cluster");
                total = c.path("region_count").asInt();
                c.path("regions").properties().forEach(e -> now.put(e.getKey(), e.getValue().asText()));
            }
            if (!now.equals(table)) {
                table = now;
                tableSince = System.nanoTime();
            }
            int owners = new HashSet<>(now.values()).size();
            boolean owned = answering == nodeCount && total > 0 && now.size() == total && owners == nodeCount;
            if (owned && System.nanoTime() - tableSince >= TimeUnit.MILLISECONDS.toNanos(SETTLED_MS)) return true;
            String progress = answering + "/" + nodeCount + " nodes up, "
                    + (total == 0 ? "no regions owned yet" : now.size() + "/" + total + " regions owned by " + owners + " nodes")
                    + (owned ? ", settling" : "");
            if (!progress.equals(last)) {
                say("waiting: " + progress + " (" + (System.nanoTime() - start) / 1_000_000_000 + " s)");
                last = progress;
            }
            if (System.nanoTime() > deadline) {
                say("the cluster did not own every region within " + timeoutSeconds + " s (" + progress + "); the nodes' last lines:");
                printTails();
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(500); // polling other processes
        }
    }

    /** One line: players, handoffs and regions per node, and the bots. Scheduler thread. */
    private void printStatus() {
        try {
            StringBuilder b = new StringBuilder("status:");
            Map<String, Integer> regionsOf = new HashMap<>();
            boolean tableRead = false;
            List<JsonNode> all = new ArrayList<>();
            for (Node n : nodes) all.add(stats(n));
            for (int i = 0; i < nodes.size(); i++) {
                JsonNode s = all.get(i);
                if (s == null || tableRead) continue;
                s.path("cluster").path("regions").properties().forEach(e -> regionsOf.merge(owner(e.getValue().asText()), 1, Integer::sum));
                tableRead = true;
            }
            int up = 0;
            for (int i = 0; i < nodes.size(); i++) {
                Node n = nodes.get(i);
                JsonNode s = all.get(i);
                b.append(i == 0 ? " " : " | ").append(n.name).append(": ");
                if (s == null) {
                    b.append(n.process.isAlive() ? "not answering" : "down");
                    continue;
                }
                up++;
                b.append(s.path("players").asInt()).append(" players, ")
                        .append(s.path("cluster").path("handoffs_out").asLong()).append(" handoffs out, ")
                        .append(regionsOf.getOrDefault(n.name, 0)).append(" regions");
            }
            b.append(" | ").append(up).append("/").append(nodes.size()).append(" nodes up");
            Fleet f = fleet;
            if (f != null) b.append(" | bots: ").append(f.connectedNow()).append('/').append(bots).append(" in world");
            say(b.toString());
            if (nodes.stream().noneMatch(n -> n.process.isAlive()) && !stopping) {
                say("every node has exited; stopping");
                finished.countDown();
            }
        } catch (RuntimeException e) {
            say("status failed: " + e);
        }
    }

    /** The node name of a cluster address ({@code pekko://mmo@127.0.0.1:PORT}). */
    private String owner(String address) {
        for (Node n : nodes) if (address.endsWith("@127.0.0.1:" + n.clusterPort)) return n.name;
        return address;
    }

    /** The node's /stats, or null if it does not answer. */
    private JsonNode stats(Node n) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port + "/stats"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? json.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void printTails() {
        for (Node n : nodes) {
            for (String line : n.tail()) System.out.println("[" + n.name + "] " + line);
        }
    }

    /** Stops the bots, then SIGTERM to every node, then waits (kill -9 after 30 s). Idempotent; any thread. */
    private synchronized void stopAll() {
        if (stopped) return;
        stopped = true;
        stopping = true;
        status.shutdownNow();
        Fleet f = fleet;
        if (f != null) {
            say("stopping the bots");
            f.close();
        }
        if (nodes.stream().anyMatch(n -> n.process.isAlive())) say("stopping the nodes (each leaves the cluster)");
        // The others first, then node 1 alone: when the oldest member leaves together with the
        // rest, its leave waits out Pekko's 10 s cluster-exiting timeout.
        if (!nodes.isEmpty()) {
            terminate(nodes.subList(1, nodes.size()));
            terminate(nodes.subList(0, 1));
        }
        say("stopped");
        finished.countDown();
    }

    /** SIGTERM to each, then waits for all of them; kill -9 for any still running after 30 s. */
    private static void terminate(List<Node> some) {
        // through the handle: Process.destroy() would also close our ends of the pipes, and the
        // nodes' shutdown lines would go unread
        for (Node n : some) n.process.toHandle().destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Node n : some) {
            try {
                if (!n.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    say(n.name + " did not stop within 30 s; killing it");
                    n.process.destroyForcibly();
                    n.process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                n.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void say(String line) {
        System.out.println("cluster-demo: " + line);
    }

    /** A node process: its output is printed with its name (filtered unless --verbose) and its last lines kept. */
    private final class Node {
        final String name;
        final int port, clusterPort;
        final Process process;
        private final ArrayDeque<String> tail = new ArrayDeque<>(); // guarded by itself

        Node(int index, int port, int clusterPort, List<String> command) throws IOException {
            this.name = "node" + index;
            this.port = port;
            this.clusterPort = clusterPort;
            this.process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            pump(process.getInputStream(), false);
            pump(process.getErrorStream(), true);
        }

        private void pump(InputStream in, boolean stderr) {
            Thread.ofPlatform().daemon().name(name + (stderr ? "-err" : "-out")).start(() -> {
                boolean showing = true; // whether the last log line was shown: its stack trace follows it
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (tail) {
                            if (tail.size() == TAIL_LINES) tail.removeFirst();
                            tail.addLast(line);
                        }
                        boolean show;
                        Matcher m = LOG_LINE.matcher(line);
                        if (m.find()) {
                            show = m.group(1).equals("WARN") || m.group(1).equals("ERROR");
                            showing = show;
                        } else if (!line.isEmpty() && (Character.isWhitespace(line.charAt(0)) || line.startsWith("Caused by"))) {
                            show = showing; // a stack trace line
                        } else {
                            show = true; // plain output: the "running" line, stderr messages
                        }
                        if (show || verbose) System.out.println("[" + name + "] " + line);
                    }
                } catch (IOException e) {
                    // the process is gone
                }
                if (!stderr && !stopping) {
                    try {
                        say(name + " exited with code " + process.waitFor());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        }

        List<String> tail() {
            synchronized (tail) {
                return List.copyOf(tail);
            }
        }
    }
}

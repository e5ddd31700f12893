package mmo.app;

import com.fasterxml.jackson.databind.JsonNode;
import mmo.app.bots.ProcStats;
import mmo.app.bots.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code mmo bench}: one run of a standard workload (WORKLOADS.md). Starts the server as a
 * process of its own (unless given one), then the bots as another ({@code mmo bots}), waits for
 * the ramp, measures the steady phase (server tick durations from {@code /stats}, CPU and
 * memory of both processes from /proc, the bots' own figures) and prints, as its last line,
 * one JSON object with every field WORKLOADS.md lists.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a standard load workload (server and bots as separate processes); the last line is the JSON result.")
final class BenchCommand implements Callable<Integer> {
    static final int MIN_REPORTED_STEADY_S = 30;

    @Option(names = "--workload", defaultValue = "open-world-walk", converter = Workload.Converter.class,
            description = "open-world-walk or crowd (default ${DEFAULT-VALUE}).")
    Workload workload;

    @Option(names = "--players", required = true, description = "Number of bots.")
    int players;

    @Option(names = "--steady", defaultValue = "30", description = "Seconds of the measured steady phase (default and minimum for a reported run: 30).")
    int steady;

    @Option(names = "--ramp-rate", defaultValue = "200", description = "Connections per second during the ramp (default ${DEFAULT-VALUE}).")
    double rampRate;

    @Option(names = "--settle", defaultValue = "3", description = "Seconds between ramp and steady phase (default ${DEFAULT-VALUE}).")
    int settle;

    @Option(names = "--transport-only", description = "The machine's ceiling for this traffic: the same bots, sockets and frame rate against a server with no world, sending each client one 150-byte frame per tick.")
    boolean transportOnly;

    @Option(names = "--jfr", description = "Record a JFR CPU and allocation profile of the server and of the bots (server.jfr, bots.jfr in the work directory).")
    boolean jfr;

    @Option(names = "--pin", description = "Pin the server to CPU 0 and the bots to CPU 1 (taskset).")
    boolean pin;

    @Option(names = "--heap", defaultValue = "2g", description = "Server heap, -Xmx (default ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--bots-heap", defaultValue = "1g", description = "Bot process heap (default ${DEFAULT-VALUE}).")
    String botsHeap;

    @Option(names = "--gc", defaultValue = "G1", description = "Garbage collector of both JVMs: G1, Parallel, Serial or Z (default ${DEFAULT-VALUE}).")
    String gc;

    @Option(names = "--bot-threads", defaultValue = "1", description = "Event-loop threads of the bot process (default ${DEFAULT-VALUE}).")
    int botThreads;

    @Option(names = "--server-url", description = "Use this running server (ws://host:port/ws) instead of starting one; it needs --key and /stats.")
    URI serverUrl;

    @Option(names = "--server-pid", description = "With --server-url: the server's pid, for its CPU and memory.")
    Long serverPid;

    @Option(names = "--trust-cert", description = "With a wss:// --server-url whose certificate is self-signed: the PEM certificate (or CA) to trust, for the bots and /stats. Default: the JDK's trusted authorities.")
    Path trustCert;

    @Option(names = "--key", description = "With --server-url: the server's bots key.")
    String key;

    @Option(names = "--jar", description = "The mmo jar to run (default: the jar this command runs from).")
    Path jar;

    @Option(names = "--work-dir", description = "Where the database and the logs go (default: a new temporary directory).")
    Path workDir;

    @Option(names = "--nodes", defaultValue = "1", description = "Run the world on this many cluster node processes sharing PostgreSQL (default ${DEFAULT-VALUE}: one process, embedded database).")
    int nodes;

    @Option(names = "--db", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
            description = "With --nodes > 1: the PostgreSQL the nodes share; the run uses a fresh schema in it, dropped afterwards (default ${DEFAULT-VALUE}).")
    String db;

    /** Made in {@link #call}, once {@code --trust-cert} is known. */
    LoadRun load;

    @Override
    public Integer call() throws Exception {
        if (players < 1 || steady < 1 || rampRate <= 0) {
            System.err.println("mmo bench: --players, --steady and --ramp-rate must be positive");
            return 2;
        }
        if (steady < MIN_REPORTED_STEADY_S) {
            System.out.println("bench: WARNING: a steady phase of " + steady + " s is shorter than the "
                    + MIN_REPORTED_STEADY_S + " s of a reported run; use the result for smoke tests only");
        }
        if (trustCert != null && (serverUrl == null || !"wss".equals(serverUrl.getScheme()))) {
            System.err.println("mmo bench: --trust-cert needs a wss:// --server-url");
            return 2;
        }
        try {
            load = new LoadRun(trustCert == null ? null : TrustedCertificates.sslContext(trustCert));
        } catch (IOException | GeneralSecurityException e) {
            System.err.println("mmo bench: --trust-cert " + trustCert + ": " + e.getMessage());
            return 2;
        }
        Path jarPath = jar != null ? jar : LoadRun.ownJar();
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("mmo-bench-");
        String java = LoadRun.javaBinary();
        List<String> gcFlags = LoadRun.gcFlags(gc, Runtime.version().feature());
        System.out.println("bench: " + workload.id() + ", " + players + " players, steady " + steady + " s, ramp "
                + rampRate + "/s, " + (pin ? "pinned" : "not pinned") + "; logs in " + dir);

        if (nodes > 1) return new ClusterBench(this, java, gcFlags, jarPath, dir).run();

        Process server = null;
        Process bots = null;
        try {
            URI ws;
            long serverProcessId;
            String botsKey;
            if (serverUrl == null) {
                int port = LoadRun.freePort();
                byte[] secret = new byte[16];
                new SecureRandom().nextBytes(secret);
                botsKey = HexFormat.of().formatHex(secret);
                List<String> jvm = new ArrayList<>();
                if (jfr) jvm.add("-XX:StartFlightRecording=filename=" + dir.resolve("server.jfr") + ",settings=profile,dumponexit=true");
                jvm.add("-Xmx" + heap);
                jvm.addAll(gcFlags);
                List<String> cmd = LoadRun.javaCommand(pin ? List.of("taskset", "-c", "0") : List.of(), java, jvm, jarPath,
                        List.of("serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
                                "--db", "jdbc:sqlite:" + dir.resolve("bench.db"),
                                "--bots-key", botsKey, "--bots-spawn", workload.spawn(), "--management-port", "0"));
                if (transportOnly) cmd.add("--transport-only");
                ProcessBuilder spb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("server.log").toFile());
                spb.environment().put("MMO_WORLD_CREATURES", "false"); // the standard workloads are players only
                server = spb.start();
                serverProcessId = server.pid();
                ws = URI.create("ws://127.0.0.1:" + port + "/ws");
                System.out.println("bench: server pid " + serverProcessId + " on port " + port + " (" + String.join(" ", LoadRun.redact(cmd, botsKey)) + ")");
            } else {
                if (key == null) {
                    System.err.println("mmo bench: --server-url needs --key");
                    return 2;
                }
                ws = serverUrl;
                botsKey = key;
                serverProcessId = serverPid == null ? -1 : serverPid;
            }
            URI statsUri = URI.create((ws.getScheme().equals("wss") ? "https" : "http") + "://" + ws.getHost() + ":"
                    + ws.getPort() + "/stats");
            JsonNode up = load.waitForStats(statsUri, server, 90);
            System.out.println("bench: server up, world " + up.path("world").asText() + ", tick " + up.path("tick").asInt());

            bots = startBots(java, gcFlags, jarPath, dir, ws.toString(), botsKey);
            long botsPid = bots.pid();

            int[] fromTick = {0};
            long[] serverCpu0 = {0}, botsCpu0 = {0}, wall0 = {0};
            AtomicLong maxRss = new AtomicLong(-1);
            Thread[] rssSampler = {null};
            JsonNode report = followBots(bots, dir, () -> {
                fromTick[0] = load.getJson(statsUri).path("tick").asInt() + 1;
                wall0[0] = System.nanoTime();
                serverCpu0[0] = ProcStats.cpuNanos(serverProcessId);
                botsCpu0[0] = ProcStats.cpuNanos(botsPid);
                rssSampler[0] = LoadRun.everySecond(() -> maxRss.accumulateAndGet(ProcStats.rssBytes(serverProcessId), Math::max));
                System.out.println("bench: steady phase from tick " + fromTick[0]);
            });
            if (report == null) {
                System.err.println("mmo bench: the bot process ended without a report; see " + dir.resolve("bots.log")
                        + " and " + dir.resolve("server.log"));
                return 1;
            }
            long wall = System.nanoTime() - wall0[0];
            long serverCpu = ProcStats.cpuNanos(serverProcessId) - serverCpu0[0];
            long botsCpu = ProcStats.cpuNanos(botsPid) - botsCpu0[0];
            if (rssSampler[0] != null) rssSampler[0].interrupt();
            maxRss.accumulateAndGet(ProcStats.rssBytes(serverProcessId), Math::max);
            JsonNode stats = load.getJson(URI.create(statsUri + "?from=" + fromTick[0]));

            Map<String, Object> r = new LinkedHashMap<>();
            r.put("workload", transportOnly ? "transport-only" : workload.id());
            r.put("n", report.path("n").asInt());
            r.put("tick_p50_ms", stats.path("p50_ms").asDouble());
            r.put("tick_p99_ms", stats.path("p99_ms").asDouble());
            r.put("tick_max_ms", stats.path("max_ms").asDouble());
            // the tick thread's own CPU time: the world's work without the waits for the CPU
            // while network threads (on the same core when pinned) held it
            r.put("tick_cpu_p50_ms", stats.path("cpu_p50_ms").asDouble());
            r.put("tick_cpu_p99_ms", stats.path("cpu_p99_ms").asDouble());
            r.put("tick_cpu_max_ms", stats.path("cpu_max_ms").asDouble());
            r.put("ack_p50_ms", report.path("ack_p50_ms").asDouble());
            r.put("ack_p99_ms", report.path("ack_p99_ms").asDouble());
            r.put("bytes_per_client_s", report.path("bytes_per_client_s").asDouble());
            r.put("avg_visible", report.path("avg_visible").asDouble());
            r.put("server_cpu_pct", serverProcessId < 0 || serverCpu0[0] < 0 ? null : LoadRun.round(100.0 * serverCpu / wall));
            r.put("server_rss_mb", maxRss.get() < 0 ? null : LoadRun.round(maxRss.get() / 1048576.0));
            r.put("bot_cpu_pct", botsCpu0[0] < 0 ? null : LoadRun.round(100.0 * botsCpu / wall));
            r.put("failures", report.path("failures").asInt());
            r.put("steady_s", report.path("steady_s").asDouble());
            r.put("tick_hz", LoadRun.round(stats.path("hz").asDouble()));
            r.put("pinning", pin ? "server:cpu0 bots:cpu1" : "none");
            Map<String, Object> machine = new LinkedHashMap<>();
            machine.put("cores", Runtime.getRuntime().availableProcessors());
            machine.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
            machine.put("server_heap", serverUrl == null ? heap : null);
            machine.put("gc", serverUrl == null ? gc : null);
            machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
            r.put("machine", machine);
            r.put("time_dilation", report.path("time_dilation").asDouble());
            r.put("players", players);
            r.put("ticks", stats.path("ticks").asInt());
            r.put("tick_mean_ms", stats.path("mean_ms").asDouble());
            r.put("ack_max_ms", report.path("ack_max_ms").asDouble());
            r.put("updates_per_client_s", report.path("updates_per_client_s").asDouble());
            r.put("interest", stats.path("interest").asText("players within " + report.path("view_radius").asDouble() + " units"));
            Map<String, Object> failures = new LinkedHashMap<>();
            for (String k : List.of("connect", "login", "disconnect", "protocol")) {
                failures.put(k, report.path("failures_" + k).asLong());
            }
            r.put("failures_detail", failures);
            r.put("ramp_rate", rampRate);
            r.put("reportable", steady >= MIN_REPORTED_STEADY_S);
            String line = load.json.writeValueAsString(r);
            Files.writeString(dir.resolve("result.json"), line + "\n");
            LoadRun.stop(bots, 10);
            bots = null;
            LoadRun.stop(server, 60);
            server = null;
            System.out.println(line);
            return 0;
        } finally {
            if (bots != null) LoadRun.stop(bots, 5);
            if (server != null) LoadRun.stop(server, 30);
        }
    }

    /** The bot process against {@code servers} (comma-separated WebSocket URLs), on CPU 1 with --pin. */
    Process startBots(String java, List<String> gcFlags, Path jarPath, Path dir, String servers, String botsKey) throws IOException {
        List<String> jvm = new ArrayList<>();
        if (jfr) jvm.add("-XX:StartFlightRecording=filename=" + dir.resolve("bots.jfr") + ",settings=profile,dumponexit=true");
        jvm.add("-Xmx" + botsHeap);
        jvm.addAll(gcFlags);
        List<String> cmd = LoadRun.javaCommand(pin ? List.of("taskset", "-c", "1") : List.of(), java, jvm, jarPath,
                List.of("bots", "--server", servers, "--players", Integer.toString(players), "--workload", workload.id(),
                        "--ramp-rate", Double.toString(rampRate), "--threads", Integer.toString(botThreads),
                        "--steady", Integer.toString(steady), "--settle", Integer.toString(settle),
                        "--report", dir.resolve("bots-report.json").toString()));
        if (trustCert != null) cmd.addAll(List.of("--trust-cert", trustCert.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MMO_BOTS_KEY", botsKey);
        return pb.start();
    }

    /** Work done when the bots' steady phase begins. */
    interface SteadyStart {
        void run() throws Exception;
    }

    /**
     * Echoes the bot process's output (also into bots.log) until its report; runs
     * {@code onSteadyStart} when the steady phase begins. Returns the report, or null if the
     * process ended without one.
     */
    JsonNode followBots(Process bots, Path dir, SteadyStart onSteadyStart) throws Exception {
        JsonNode[] report = {null};
        load.followBots(bots, dir, System.out, (event, ev) -> {
            switch (event) {
                case "steady-start" -> onSteadyStart.run();
                case "report" -> {
                    report[0] = ev.path("report");
                    return true;
                }
                case "progress" -> { }
                default -> System.out.println("  " + load.json.writeValueAsString(ev));
            }
            return false;
        });
        return report[0];
    }

}

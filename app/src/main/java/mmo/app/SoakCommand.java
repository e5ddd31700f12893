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
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code mmo soak}: many players for a long time against a server process of its own, to show
 * that memory stays flat, nobody is disconnected, and what the garbage collector's pauses are.
 * Starts the server with a GC log ({@link GcLog}) and the bots as a process of their own (as
 * {@code mmo bench} does, through {@link LoadRun}); after the ramp it takes a sample every
 * {@code --sample-seconds}: the server's RSS, the heap in use after its collections, the bots
 * still in the world, disconnects so far, the tick p99 and the GC pauses of the interval. One
 * progress line per sample goes to stderr, the result (one JSON line) to stdout, and every
 * sample to {@code samples.jsonl} in the work directory.
 *
 * <p>The leak signal is the heap after garbage collection, not the heap at a random instant:
 * per sample, the smallest heap-after-GC among the interval's collections (an upper bound of
 * the live set that a collection reached). Its least-squares slope over the second half of the
 * run, after the warm-up, must stay under {@code --max-slope-mb-per-h}.
 *
 * <p>The picocli thread drives the run; one sampler thread takes the samples ({@link #sample} is
 * synchronized, and the final sample is taken after the sampler stopped).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Run many bots for a long time against a server process; report memory after GC, disconnects and GC pauses (last line JSON, exit 1 if memory grows or players were dropped).")
final class SoakCommand implements Callable<Integer> {

    /** What the bots do and whether the world has creatures. */
    enum Kind {
        /** Open-world walk, each bot saying a line in local chat about every 15 s; creatures on. */
        WALK_CHAT("walk-chat", Workload.OPEN_WORLD_WALK, 15, true),
        /** The standard workloads as they are (players only, no chat). */
        OPEN_WORLD_WALK("open-world-walk", Workload.OPEN_WORLD_WALK, 0, false),
        CROWD("crowd", Workload.CROWD, 0, false);

        final String id;
        final Workload walk;
        final double chatEvery;
        final boolean creatures;

        Kind(String id, Workload walk, double chatEvery, boolean creatures) {
            this.id = id;
            this.walk = walk;
            this.chatEvery = chatEvery;
            this.creatures = creatures;
        }

        static final class Converter implements picocli.CommandLine.ITypeConverter<Kind> {
            @Override
            public Kind convert(String value) {
                for (Kind k : values()) if (k.id.equals(value.toLowerCase(Locale.ROOT))) return k;
                throw new IllegalArgumentException("unknown workload '" + value + "' (walk-chat, open-world-walk or crowd)");
            }
        }
    }

    @Option(names = "--players", defaultValue = "2000", description = "Number of bots (default ${DEFAULT-VALUE}).")
    int players;

    @Option(names = "--minutes", defaultValue = "30", description = "Length of the soak after the ramp, in minutes; fractions allowed (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--workload", defaultValue = "walk-chat", converter = Kind.Converter.class,
            description = "walk-chat (open-world walk, a chat line per bot about every 15 s, creatures on), open-world-walk or crowd (default ${DEFAULT-VALUE}).")
    Kind workload;

    @Option(names = "--sample-seconds", defaultValue = "30", description = "Seconds between samples (default ${DEFAULT-VALUE}).")
    double sampleSeconds;

    @Option(names = "--warmup-seconds", description = "Samples in the first this many seconds after the ramp are shown but not judged (default: a tenth of the run).")
    Double warmupSeconds;

    @Option(names = "--max-slope-mb-per-h", defaultValue = "" + DEFAULT_MAX_SLOPE_MB_PER_H,
            description = "Largest growth of the heap after GC, in MB per hour over the second half of the run, that still counts as flat (default ${DEFAULT-VALUE}; docs/BENCHMARKS.md says why).")
    double maxSlope;

    @Option(names = "--heap", defaultValue = JvmDefaults.HEAP, description = "Server heap: -Xms and -Xmx (default ${DEFAULT-VALUE}, as ./mmo serve).")
    String heap;

    @Option(names = "--gc", defaultValue = JvmDefaults.GC, description = "Server garbage collector: G1 (with -XX:MaxGCPauseMillis=50), Z (generational ZGC), Parallel or Serial (default ${DEFAULT-VALUE}, as ./mmo serve).")
    String gc;

    @Option(names = "--jvm-opt", description = "Another option for the server JVM, e.g. --jvm-opt=-XX:MaxGCPauseMillis=50 (repeatable).")
    List<String> jvmOpts = new ArrayList<>();

    @Option(names = "--probe-gc", description = "When an interval had no collection, ask the server JVM for one (jcmd GC.run) before the sample, so each sample has a heap-after-GC; its pauses are left out of the pause figures. For short runs and servers that allocate little.")
    boolean probeGc;

    @Option(names = "--bots-heap", defaultValue = "1g", description = "Bot process heap (default ${DEFAULT-VALUE}).")
    String botsHeap;

    @Option(names = "--ramp-rate", defaultValue = "200", description = "Connections per second during the ramp (default ${DEFAULT-VALUE}).")
    double rampRate;

    @Option(names = "--jar", description = "The mmo jar to run (default: the jar this command runs from).")
    Path jar;

    @Option(names = "--work-dir", description = "Where the database, the logs, the GC log and samples.jsonl go (default: a new temporary directory).")
    Path workDir;

    /** See docs/BENCHMARKS.md, "Soak": about 200 bytes kept per player per minute at 2000 players. */
    static final double DEFAULT_MAX_SLOPE_MB_PER_H = 25;

    private final LoadRun load = new LoadRun();
    private final List<Sample> samples = new ArrayList<>();
    private final List<GcLog.Pause> pauses = new ArrayList<>();
    private final List<GcLog.HeapAfter> heapAfter = new ArrayList<>();
    private volatile JsonNode botProgress;

    private Path dir;
    private GcLog gcLog;
    private URI statsUri;
    private long serverPid;
    private long startNanos;
    private int lastTick;
    private int firstGcId;
    private int probes;

    /** One sample: seconds since the ramp ended and what was measured over the interval before it. */
    record Sample(double t, double rssMb, Double liveMb, int gcPauses, double pauseMaxMs, double tickP99Ms,
                  int online, int inWorld, int disconnects) {}

    @Override
    public Integer call() throws Exception {
        if (players < 1 || minutes <= 0 || sampleSeconds <= 0 || rampRate <= 0 || maxSlope < 0
                || (warmupSeconds != null && (warmupSeconds < 0 || warmupSeconds >= minutes * 60))) {
            System.err.println("mmo soak: --players, --minutes, --sample-seconds and --ramp-rate must be positive, "
                    + "--max-slope-mb-per-h not negative, --warmup-seconds within the run");
            return 2;
        }
        List<String> gcFlags;
        try {
            gcFlags = JvmDefaults.gcFlags(gc);
        } catch (IllegalArgumentException e) {
            System.err.println("mmo soak: " + e.getMessage());
            return 2;
        }
        int seconds = (int) Math.max(1, Math.round(minutes * 60));
        double warmup = warmupSeconds != null ? warmupSeconds : seconds / 10.0;
        Path jarPath = jar != null ? jar : LoadRun.ownJar();
        dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("mmo-soak-");
        String java = LoadRun.javaBinary();
        Path gcFile = dir.resolve("gc.log");
        Files.deleteIfExists(gcFile);
        Files.deleteIfExists(dir.resolve("samples.jsonl"));
        gcLog = new GcLog(gcFile);

        int port = LoadRun.freePort();
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String key = HexFormat.of().formatHex(secret);
        List<String> jvm = new ArrayList<>(List.of("-Xms" + heap, "-Xmx" + heap));
        jvm.addAll(gcFlags);
        jvm.add(GcLog.xlogOption(gcFile));
        jvm.addAll(jvmOpts);
        List<String> serverCmd = LoadRun.javaCommand(List.of(), java, jvm, jarPath,
                List.of("serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
                        "--db", "jdbc:sqlite:" + dir.resolve("soak.db"),
                        "--bots-key", key, "--bots-spawn", workload.walk.spawn(), "--management-port", "0"));
        System.err.println("soak: " + workload.id + ", " + players + " players, " + minutes + " min after the ramp, a sample every "
                + sampleSeconds + " s, warm-up " + warmup + " s; logs in " + dir);

        Process server = null;
        Process bots = null;
        ScheduledExecutorService sampler = null;
        try {
            ProcessBuilder spb = new ProcessBuilder(serverCmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server.log").toFile());
            spb.environment().put("MMO_WORLD_CREATURES", Boolean.toString(workload.creatures));
            server = spb.start();
            serverPid = server.pid();
            System.err.println("soak: server pid " + serverPid + " on port " + port + " (" + String.join(" ", LoadRun.redact(serverCmd, key)) + ")");
            statsUri = URI.create("http://127.0.0.1:" + port + "/stats");
            load.waitForStats(statsUri, server, 90);

            List<String> botsCmd = LoadRun.javaCommand(List.of(), java,
                    concat(List.of("-Xmx" + botsHeap), LoadRun.gcFlags("G1", Runtime.version().feature())), jarPath,
                    List.of("bots", "--server", "ws://127.0.0.1:" + port + "/ws", "--players", Integer.toString(players),
                            "--workload", workload.walk.id(), "--chat-every", Double.toString(workload.chatEvery),
                            "--ramp-rate", Double.toString(rampRate), "--steady", Integer.toString(seconds),
                            "--settle", "1", "--report", dir.resolve("bots-report.json").toString()));
            ProcessBuilder bpb = new ProcessBuilder(botsCmd).redirectErrorStream(true);
            bpb.environment().put("MMO_BOTS_KEY", key);
            bots = bpb.start();

            JsonNode[] report = {null};
            long[] cpu0 = {0};
            ScheduledExecutorService[] started = {null};
            int[] steadyTick = {0};
            load.followBots(bots, dir, System.err, (event, ev) -> {
                switch (event) {
                    case "steady-start" -> {
                        steadyTick[0] = begin();
                        cpu0[0] = ProcStats.cpuNanos(serverPid);
                        long period = Math.round(sampleSeconds * 1000);
                        started[0] = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).name("soak-sampler").unstarted(r));
                        started[0].scheduleAtFixedRate(this::sampleQuietly, period, period, TimeUnit.MILLISECONDS);
                    }
                    case "progress" -> botProgress = ev;
                    case "report" -> {
                        report[0] = ev.path("report");
                        return true;
                    }
                    default -> System.err.println("  " + load.json.writeValueAsString(ev));
                }
                return false;
            });
            sampler = started[0];
            if (sampler != null) {
                sampler.shutdown();
                sampler.awaitTermination(30, TimeUnit.SECONDS);
            }
            if (report[0] == null) {
                System.err.println("mmo soak: the bot process ended without a report; see " + dir.resolve("bots.log")
                        + " and " + dir.resolve("server.log"));
                return 1;
            }
            botProgress = null; // the report is newer
            Sample last = sample(report[0]);
            boolean serverAlive = server.isAlive();
            double wallS = (System.nanoTime() - startNanos) / 1e9;
            long cpu = ProcStats.cpuNanos(serverPid) - cpu0[0];
            JsonNode stats = serverAlive ? load.getJson(URI.create(statsUri + "?from=" + steadyTick[0])) : load.json.createObjectNode();

            Map<String, Object> r = result(report[0], stats, last, warmup, seconds, serverAlive, wallS, cpu,
                    String.join(" ", jvm));
            String line = load.json.writeValueAsString(r);
            Files.writeString(dir.resolve("result.json"), line + "\n");
            LoadRun.stop(bots, 10);
            bots = null;
            LoadRun.stop(server, 60);
            server = null;
            System.out.println(line);
            return "pass".equals(r.get("verdict")) ? 0 : 1;
        } finally {
            if (sampler != null) sampler.shutdownNow();
            if (bots != null) LoadRun.stop(bots, 5);
            if (server != null) LoadRun.stop(server, 30);
        }
    }

    /** The ramp is over: what the GC log holds so far belongs to it, not to the soak. Returns the first tick of the soak. */
    private synchronized int begin() throws Exception {
        gcLog.readNew(new ArrayList<>(), new ArrayList<>());
        firstGcId = gcLog.lastGcId() + 1;
        lastTick = load.getJson(statsUri).path("tick").asInt() + 1;
        startNanos = System.nanoTime();
        return lastTick;
    }

    /**
     * Runs {@code jcmd <server> GC.run} and waits for it: a collection of the whole heap (G1 a
     * full pause, ZGC a concurrent major cycle). The GC log has its lines when jcmd returns.
     */
    private boolean requestGc() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            System.err.println("soak: --probe-gc needs jcmd (a JDK, not a JRE): " + jcmd + " is missing");
            return false;
        }
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(serverPid), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    private void sampleQuietly() {
        try {
            sample(null);
        } catch (Exception e) {
            System.err.println("soak: a sample failed: " + e);
        }
    }

    /** Reads the interval since the last sample; {@code finalReport} is the bots' report at the end (else their last progress). */
    private synchronized Sample sample(JsonNode finalReport) throws Exception {
        double t = (System.nanoTime() - startNanos) / 1e9;
        List<GcLog.Pause> newPauses = new ArrayList<>();
        List<GcLog.HeapAfter> newHeap = new ArrayList<>();
        gcLog.readNew(newPauses, newHeap);
        if (probeGc && newHeap.isEmpty() && requestGc()) {
            gcLog.readNew(newPauses, newHeap);
            probes++;
        }
        pauses.addAll(newPauses);
        heapAfter.addAll(newHeap);
        Double live = newHeap.stream().mapToDouble(GcLog.HeapAfter::mb).min().stream().boxed().findFirst().orElse(null);
        List<Double> own = GcLog.durations(newPauses);
        double pauseMax = own.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double tickP99 = -1;
        int online = -1;
        try {
            JsonNode st = load.getJson(URI.create(statsUri + "?from=" + lastTick));
            tickP99 = st.path("p99_ms").asDouble();
            online = st.path("players").asInt();
            lastTick = st.path("tick").asInt() + 1;
        } catch (IOException e) {
            // the server is gone or not answering: shows as -1 and in the verdict
        }
        JsonNode bots = finalReport != null ? finalReport : botProgress;
        int inWorld = bots == null ? -1 : bots.path(finalReport != null ? "n" : "in_world").asInt(-1);
        int disconnects = bots == null ? 0 : bots.path(finalReport != null ? "failures_disconnect" : "disconnects").asInt();
        Sample s = new Sample(t, ProcStats.rssBytes(serverPid) / 1048576.0, live, own.size(), pauseMax, tickP99,
                online, inWorld, disconnects);
        samples.add(s);
        System.err.println(String.format(Locale.ROOT,
                "soak: %6.0f s  heap after GC %s  rss %.0f MB  in world %d (server: %d online)  disconnects %d  tick p99 %.1f ms  GC pauses %d (max %.1f ms)",
                t, live == null ? "  (no GC)" : String.format(Locale.ROOT, "%.1f MB", live), s.rssMb(), inWorld, online,
                disconnects, tickP99, own.size(), pauseMax));
        Files.writeString(dir.resolve("samples.jsonl"), load.json.writeValueAsString(s) + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return s;
    }

    private Map<String, Object> result(JsonNode report, JsonNode stats, Sample last, double warmup, int seconds,
                                       boolean serverAlive, double wallS, long cpuNanos, String serverJvm) {
        List<Sample> judged = samples.stream().filter(s -> s.t() >= warmup).toList();
        List<Sample> withLive = judged.stream().filter(s -> s.liveMb() != null).toList();
        double secondHalf = warmup + (seconds - warmup) / 2;
        List<Sample> late = withLive.stream().filter(s -> s.t() >= secondHalf).toList();
        Double slope = late.size() >= 3 ? slopePerHour(late) : null;
        Sample first = judged.isEmpty() ? last : judged.get(0);
        List<Double> d = GcLog.durations(pauses);
        d.sort(null);

        int disconnects = report.path("failures_disconnect").asInt();
        int failures = report.path("failures").asInt();
        int n = report.path("n").asInt();
        List<String> problems = new ArrayList<>();
        if (!serverAlive) problems.add("the server process died");
        if (disconnects > 0) problems.add(disconnects + " disconnects");
        if (failures > disconnects) problems.add((failures - disconnects) + " other failures (connect, login, refused chat, protocol)");
        if (n < players) problems.add("only " + n + " of " + players + " bots in the world at the end");
        if (slope == null) problems.add("memory: fewer than 3 samples with a collection in the second half; cannot judge");
        else if (slope > maxSlope) problems.add(String.format(Locale.ROOT, "memory: heap after GC grows %.1f MB/h (limit %.1f)", slope, maxSlope));

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", "soak-" + workload.id);
        r.put("n", n);
        r.put("players", players);
        r.put("minutes", minutes);
        r.put("disconnects", disconnects);
        r.put("failures", failures);
        // the first judged sample with a collection in its interval
        r.put("live_heap_start_mb", withLive.isEmpty() ? null : LoadRun.round(withLive.get(0).liveMb()));
        r.put("live_heap_end_mb", withLive.isEmpty() ? null : LoadRun.round(withLive.get(withLive.size() - 1).liveMb()));
        r.put("live_heap_slope_mb_per_h", slope == null ? null : LoadRun.round(slope));
        r.put("live_heap_slope_limit_mb_per_h", maxSlope);
        r.put("rss_start_mb", LoadRun.round(first.rssMb()));
        r.put("rss_end_mb", LoadRun.round(last.rssMb()));
        r.put("rss_max_mb", LoadRun.round(samples.stream().mapToDouble(Sample::rssMb).max().orElse(0)));
        r.put("gc", gcLog.collector());
        r.put("gc_count", Math.max(0, gcLog.lastGcId() - firstGcId + 1));
        r.put("gc_pauses", d.size());
        r.put("gc_pause_p50_ms", percentile(d, 50));
        r.put("gc_pause_p99_ms", percentile(d, 99));
        r.put("gc_pause_max_ms", d.isEmpty() ? 0 : d.get(d.size() - 1));
        r.put("gc_pause_total_ms", LoadRun.round(d.stream().mapToDouble(Double::doubleValue).sum()));
        r.put("gc_probes", probes);
        r.put("tick_p50_ms", stats.path("p50_ms").asDouble());
        r.put("tick_p99_ms", stats.path("p99_ms").asDouble());
        r.put("tick_max_ms", stats.path("max_ms").asDouble());
        r.put("tick_hz", LoadRun.round(stats.path("hz").asDouble()));
        r.put("server_cpu_pct", cpuNanos < 0 ? null : LoadRun.round(100.0 * cpuNanos / 1e9 / wallS));
        r.put("ack_p99_ms", report.path("ack_p99_ms").asDouble());
        r.put("chats_sent", report.path("chats_sent").asLong());
        r.put("chats_heard", report.path("chats_heard").asLong());
        r.put("samples", samples.size());
        r.put("warmup_s", warmup);
        r.put("server_jvm", serverJvm);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        r.put("machine", machine);
        r.put("verdict", problems.isEmpty() ? "pass" : "fail");
        r.put("problems", problems);
        return r;
    }

    /** Least-squares slope of the heap after GC against time, in MB per hour. */
    static double slopePerHour(List<Sample> s) {
        double mx = 0, my = 0;
        for (Sample p : s) {
            mx += p.t();
            my += p.liveMb();
        }
        mx /= s.size();
        my /= s.size();
        double sxy = 0, sxx = 0;
        for (Sample p : s) {
            sxy += (p.t() - mx) * (p.liveMb() - my);
            sxx += (p.t() - mx) * (p.t() - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx * 3600;
    }

    /** Nearest-rank percentile of sorted values, rounded to 0.01 ms. */
    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return Math.round(sorted.get(Math.max(0, rank - 1)) * 100) / 100.0;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> r = new ArrayList<>(a);
        r.addAll(b);
        return r;
    }
}

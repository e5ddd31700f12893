package mmo.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import mmo.app.bots.ProcStats;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code mmo bench --nodes K}: the workload over K cluster node processes on this machine,
 * sharing a fresh PostgreSQL schema; the bots (one process) spread over the nodes. Reports the
 * standard fields (tick figures of the slowest node, CPU and memory summed over the nodes) and
 * per node: tick times, players simulated, CPU, memory, messages sent to other nodes; and for
 * the cluster: cross-node messages and handoffs per second, and the handoff latency.
 */
final class ClusterBench {
    private final BenchCommand b;
    private final String java;
    private final List<String> gcFlags;
    private final Path jar, dir;
    private final ObjectMapper json = new ObjectMapper();

    ClusterBench(BenchCommand b, String java, List<String> gcFlags, Path jar, Path dir) {
        this.b = b;
        this.java = java;
        this.gcFlags = gcFlags;
        this.jar = jar;
        this.dir = dir;
    }

    private record Node(String name, Process process, int port, URI stats) {}

    int run() throws Exception {
        if (b.pin || b.transportOnly || b.serverUrl != null) {
            System.err.println("mmo bench: --nodes does not combine with --pin, --transport-only or --server-url");
            return 2;
        }
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (var c = DriverManager.getConnection(b.db); var st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        String dbUrl = b.db + (b.db.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String key = HexFormat.of().formatHex(secret);
        List<Node> nodes = new ArrayList<>();
        Process bots = null;
        try {
            int seed = LoadRun.freePort();
            for (int i = 0; i < b.nodes; i++) {
                int port = LoadRun.freePort();
                int clusterPort = i == 0 ? seed : LoadRun.freePort();
                List<String> jvm = new ArrayList<>(List.of("-Xmx" + b.heap));
                jvm.addAll(gcFlags);
                List<String> cmd = LoadRun.javaCommand(List.of(), java, jvm, jar,
                        List.of("serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
                                "--db", dbUrl, "--bots-key", key, "--bots-spawn", b.workload.spawn(),
                                "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", Integer.toString(clusterPort),
                                "--seed-nodes", "127.0.0.1:" + seed, "--management-port", "0"));
                String name = "node" + (i + 1);
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve(name + ".log").toFile());
                pb.environment().put("MMO_WORLD_CREATURES", "false"); // the standard workloads are players only
                Process p = pb.start();
                nodes.add(new Node(name, p, port, URI.create("http://127.0.0.1:" + port + "/stats")));
                System.out.println("bench: " + name + " pid " + p.pid() + " on port " + port + ", cluster port " + clusterPort);
            }
            for (Node n : nodes) b.load.waitForStats(n.stats(), n.process(), 120);
            waitForRegions(nodes);
            System.out.println("bench: " + b.nodes + " nodes own every region");

            String servers = String.join(",", nodes.stream().map(n -> "ws://127.0.0.1:" + n.port() + "/ws").toList());
            bots = b.startBots(java, gcFlags, jar, dir, servers, key);
            Process botProcess = bots;

            int[] fromTick = new int[nodes.size()];
            long[] cpu0 = new long[nodes.size()], msgs0 = new long[nodes.size()], hand0 = new long[nodes.size()];
            int[] simulated = new int[nodes.size()], connections = new int[nodes.size()];
            long[] botsCpu0 = {0}, wall0 = {0};
            long[] maxRss = new long[nodes.size()];
            Thread[] rssSampler = {null};
            JsonNode report = b.followBots(bots, dir, () -> {
                wall0[0] = System.nanoTime();
                botsCpu0[0] = ProcStats.cpuNanos(botProcess.pid());
                for (int i = 0; i < nodes.size(); i++) {
                    JsonNode st = b.load.getJson(nodes.get(i).stats());
                    fromTick[i] = st.path("tick").asInt() + 1;
                    msgs0[i] = st.path("cluster").path("messages_out").asLong();
                    hand0[i] = st.path("cluster").path("handoffs_out").asLong();
                    cpu0[i] = ProcStats.cpuNanos(nodes.get(i).process().pid());
                    simulated[i] = st.path("cluster").path("simulated").asInt();
                    connections[i] = st.path("cluster").path("connections").asInt();
                }
                rssSampler[0] = LoadRun.everySecond(() -> {
                    synchronized (maxRss) {
                        for (int i = 0; i < nodes.size(); i++) {
                            maxRss[i] = Math.max(maxRss[i], ProcStats.rssBytes(nodes.get(i).process().pid()));
                        }
                    }
                });
                System.out.println("bench: steady phase starts");
            });
            if (rssSampler[0] != null) rssSampler[0].interrupt();
            if (report == null) {
                System.err.println("mmo bench: the bot process ended without a report; see " + dir);
                return 1;
            }
            double wall = (System.nanoTime() - wall0[0]) / 1e9;
            long botsCpu = ProcStats.cpuNanos(bots.pid()) - botsCpu0[0];

            List<Map<String, Object>> perNode = new ArrayList<>();
            double worstP50 = 0, worstP99 = 0, worstMax = 0, cpuSum = 0, rssSum = 0, minHz = Double.MAX_VALUE;
            long msgs = 0, handoffs = 0;
            List<Double> latencyP99 = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                Node n = nodes.get(i);
                JsonNode st = b.load.getJson(URI.create(n.stats() + "?from=" + fromTick[i]));
                JsonNode cl = st.path("cluster");
                double cpu = 100.0 * (ProcStats.cpuNanos(n.process().pid()) - cpu0[i]) / 1e9 / wall;
                synchronized (maxRss) {
                    maxRss[i] = Math.max(maxRss[i], ProcStats.rssBytes(n.process().pid()));
                }
                long m = cl.path("messages_out").asLong() - msgs0[i];
                long h = cl.path("handoffs_out").asLong() - hand0[i];
                msgs += m;
                handoffs += h;
                worstP50 = Math.max(worstP50, st.path("p50_ms").asDouble());
                worstP99 = Math.max(worstP99, st.path("p99_ms").asDouble());
                worstMax = Math.max(worstMax, st.path("max_ms").asDouble());
                minHz = Math.min(minHz, st.path("hz").asDouble());
                cpuSum += cpu;
                rssSum += maxRss[i] / 1048576.0;
                JsonNode lat = cl.path("handoff_latency");
                if (lat.path("count").asInt() > 0) latencyP99.add(lat.path("p99_ms").asDouble());
                Map<String, Object> nm = new LinkedHashMap<>();
                nm.put("node", n.name());
                // as the steady phase began (at its end the bots are already leaving)
                nm.put("simulated", simulated[i]);
                nm.put("connections", connections[i]);
                nm.put("regions", countOwned(cl.path("regions"), cl.path("self").asText()));
                nm.put("tick_p50_ms", st.path("p50_ms").asDouble());
                nm.put("tick_p99_ms", st.path("p99_ms").asDouble());
                nm.put("tick_cpu_p50_ms", st.path("cpu_p50_ms").asDouble());
                nm.put("tick_hz", LoadRun.round(st.path("hz").asDouble()));
                nm.put("cpu_pct", LoadRun.round(cpu));
                nm.put("rss_mb", LoadRun.round(maxRss[i] / 1048576.0));
                nm.put("messages_out_per_s", LoadRun.round(m / wall));
                nm.put("handoffs_out_per_s", LoadRun.round(h / wall));
                nm.put("handoff_latency", json.convertValue(lat, Map.class));
                perNode.add(nm);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("workload", b.workload.id());
            r.put("n", report.path("n").asInt());
            r.put("tick_p50_ms", worstP50);
            r.put("tick_p99_ms", worstP99);
            r.put("tick_max_ms", worstMax);
            r.put("ack_p50_ms", report.path("ack_p50_ms").asDouble());
            r.put("ack_p99_ms", report.path("ack_p99_ms").asDouble());
            r.put("bytes_per_client_s", report.path("bytes_per_client_s").asDouble());
            r.put("avg_visible", report.path("avg_visible").asDouble());
            r.put("server_cpu_pct", LoadRun.round(cpuSum));
            r.put("server_rss_mb", LoadRun.round(rssSum));
            r.put("bot_cpu_pct", LoadRun.round(100.0 * botsCpu / 1e9 / wall));
            r.put("failures", report.path("failures").asInt());
            r.put("steady_s", report.path("steady_s").asDouble());
            r.put("tick_hz", LoadRun.round(minHz));
            r.put("pinning", "none");
            r.put("nodes", nodes.size());
            r.put("cross_node_msgs_per_s", LoadRun.round(msgs / wall));
            r.put("handoffs_per_s", LoadRun.round(handoffs / wall));
            r.put("handoff_latency_p99_ms", latencyP99.stream().mapToDouble(Double::doubleValue).max().orElse(0));
            r.put("per_node", perNode);
            Map<String, Object> machine = new LinkedHashMap<>();
            machine.put("cores", Runtime.getRuntime().availableProcessors());
            machine.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
            machine.put("server_heap", b.heap + " per node");
            machine.put("gc", b.gc);
            machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
            r.put("machine", machine);
            r.put("time_dilation", report.path("time_dilation").asDouble());
            r.put("players", b.players);
            r.put("ack_max_ms", report.path("ack_max_ms").asDouble());
            Map<String, Object> failures = new LinkedHashMap<>();
            for (String k : List.of("connect", "login", "disconnect", "protocol")) {
                failures.put(k, report.path("failures_" + k).asLong());
            }
            r.put("failures_detail", failures);
            r.put("ramp_rate", b.rampRate);
            r.put("reportable", b.steady >= BenchCommand.MIN_REPORTED_STEADY_S);
            String line = json.writeValueAsString(r);
            Files.writeString(dir.resolve("result.json"), line + "\n");
            LoadRun.stop(bots, 10);
            bots = null;
            for (Node n : nodes) n.process().destroy();
            for (Node n : nodes) LoadRun.stop(n.process(), 60);
            System.out.println(line);
            return 0;
        } finally {
            if (bots != null) LoadRun.stop(bots, 5);
            for (Node n : nodes) LoadRun.stop(n.process(), 30);
            try (var c = DriverManager.getConnection(b.db); var st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (Exception e) {
                System.err.println("bench: could not drop schema " + schema + ": " + e);
            }
        }
    }

    private static int countOwned(JsonNode regions, String self) {
        int n = 0;
        for (JsonNode owner : regions) if (owner.asText().equals(self)) n++;
        return n;
    }

    /** Until node 1 sees every region owned, by as many owners as there are nodes. */
    private void waitForRegions(List<Node> nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            JsonNode regions = b.load.getJson(nodes.get(0).stats()).path("cluster").path("regions");
            Set<String> owners = new HashSet<>();
            for (JsonNode o : regions) owners.add(o.asText());
            if (regions.size() > 0 && owners.size() == nodes.size() && regions.size() == expectedRegions(nodes)) return;
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new IllegalStateException("the cluster did not own every region with " + nodes.size() + " nodes within 120 s");
    }

    private int expectedRegions(List<Node> nodes) throws Exception {
        return b.load.getJson(nodes.get(0).stats()).path("cluster").path("region_count").asInt(-1);
    }
}

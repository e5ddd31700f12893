package mmo.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code mmo cluster-demo} as a person runs it: the packaged jar starts three node processes
 * on a fresh PostgreSQL schema (which it creates), waits for the cluster, puts bots on every
 * node and reports them; SIGTERM to it stops the bots and every node.
 */
class ClusterDemoIT {
    static final long TIMEOUT_S = 75;
    static final String PG = System.getProperty("mmo.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    /** One node's part of a status line. */
    static final Pattern NODE = Pattern.compile("(node\\d): (\\d+) players, \\d+ handoffs out, (\\d+) regions");

    String schema;
    Process demo;
    final StringBuffer output = new StringBuffer();

    @BeforeEach
    void schemaName() {
        schema = "demo_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12); // created by the demo
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (demo != null && demo.isAlive()) {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
            demo.waitFor(10, TimeUnit.SECONDS);
        }
        try (Connection c = DriverManager.getConnection(PG); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void runsThreeNodesWithBotsOnEachAndStopsThemAll() throws Exception {
        int httpBase = freeRun(3, -1);
        int clusterBase = freeRun(3, httpBase);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = System.getProperty("mmo.jar", "target/mmo.jar");
        demo = new ProcessBuilder(java, "-Xmx256m", "-jar", jar, "cluster-demo", "--nodes", "3", "--bots", "30",
                "--base-port", Integer.toString(httpBase), "--cluster-base-port", Integer.toString(clusterBase),
                "--node-heap", "256m", "--db", PG + "&currentSchema=" + schema)
                .redirectErrorStream(true).start();
        CompletableFuture<String> busy = new CompletableFuture<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                    if (line.startsWith("cluster-demo: status:") && botsOnEveryNode(line)) busy.complete(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
            busy.completeExceptionally(new AssertionError("cluster-demo ended before its bots were on all three nodes"));
            ended.complete(null);
        });

        String status;
        try {
            status = busy.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no status line with bots on all three nodes within " + TIMEOUT_S + " s:\n" + output, e);
        }
        assertThat(status).contains("3/3 nodes up");
        for (int i = 0; i < 3; i++) assertThat(output).contains("http://127.0.0.1:" + (httpBase + i) + "/");
        assertThat(output).contains("watch the HUD's Node row change");
        List<ProcessHandle> nodes = demo.descendants().toList();
        assertThat(nodes).as("node processes").hasSize(3);

        demo.toHandle().destroy(); // SIGTERM, as Ctrl+C's SIGINT would; the output stays readable
        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("cluster-demo exited after SIGTERM:\n%s", output).isTrue();
        ended.get(10, TimeUnit.SECONDS);
        assertThat(output).contains("cluster-demo: stopping the bots", "cluster-demo: stopped");
        assertThat(output.toString()).doesNotContain("killing it"); // every node stopped on SIGTERM
        for (ProcessHandle n : nodes) assertThat(n.isAlive()).as("node %d still running", n.pid()).isFalse();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 3; i++) {
            URI stats = URI.create("http://127.0.0.1:" + (httpBase + i) + "/stats");
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(stats).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("port %d still answers", httpBase + i).isInstanceOf(ConnectException.class);
        }
    }

    /** A status line in which each of the three nodes holds bots and owns regions. */
    static boolean botsOnEveryNode(String line) {
        Matcher m = NODE.matcher(line);
        int nodes = 0;
        while (m.find()) {
            if (Integer.parseInt(m.group(2)) == 0 || Integer.parseInt(m.group(3)) == 0) return false;
            nodes++;
        }
        return nodes == 3;
    }

    /**
     * The first of {@code count} consecutive free loopback ports, below Linux's ephemeral range
     * (where outgoing connections take theirs), not overlapping the run from {@code avoid}.
     */
    static int freeRun(int count, int avoid) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int start = ThreadLocalRandom.current().nextInt(20_000, 32_000 - count);
            if (avoid >= 0 && start < avoid + count && avoid < start + count) continue;
            boolean free = true;
            for (int p = start; p < start + count && free; p++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) return start;
        }
        throw new IOException("no " + count + " consecutive free ports found");
    }
}

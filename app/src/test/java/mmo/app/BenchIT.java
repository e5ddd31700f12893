package mmo.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mmo bench} as a person runs it: the real jar, the server and the bots as processes of
 * their own. A tiny run (20 players, 3 s steady) whose last line must be the JSON object with
 * every field WORKLOADS.md lists. Checks the plumbing, not the figures.
 */
class BenchIT {
    static final List<String> FIELDS = List.of("workload", "n", "tick_p50_ms", "tick_p99_ms", "tick_max_ms",
            "ack_p50_ms", "ack_p99_ms", "bytes_per_client_s", "avg_visible", "server_cpu_pct", "server_rss_mb",
            "bot_cpu_pct", "failures", "steady_s", "tick_hz", "pinning", "machine", "time_dilation");

    @TempDir Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void smallCrowdRunPrintsTheJsonLineLast() throws Exception {
        Bench run = bench("--workload", "crowd", "--players", "20", "--steady", "3", "--settle", "1", "--heap", "512m",
                "--bots-heap", "256m", "--jar", JAR, "--work-dir", dir.toString());
        assertThat(run.exit()).as(run.out()).isZero();
        JsonNode r = run.lastLine();
        for (String f : FIELDS) assertThat(r.has(f)).as("field %s in %s", f, r).isTrue();
        assertThat(r.get("workload").asText()).isEqualTo("crowd");
        assertThat(r.get("n").asInt()).isEqualTo(20);
        assertThat(r.get("failures").asInt()).isZero();
        assertThat(r.get("pinning").asText()).isEqualTo("none");
        assertThat(r.get("tick_hz").asDouble()).isPositive();
        assertThat(r.get("avg_visible").asDouble()).isGreaterThan(10);
        assertThat(r.get("machine").get("cores").asInt()).isPositive();
        assertThat(r.get("reportable").asBoolean()).isFalse();
    }

    /**
     * Against a running server with TLS and a self-signed certificate: with {@code --trust-cert},
     * the bots play over wss:// and the bench reads https:// /stats. Without a wss:// server the
     * option is refused at once.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void benchesARunningTlsServerTrustingItsCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        TlsTest.selfSignedCertificate(cert, key);
        int port = ServerProcessIT.freePort();
        String botsKey = "bench-tls-key-0123456789";
        try (ServerProcessIT.ServerProcess server = new ServerProcessIT.ServerProcess("tls-server", port, List.of("-Xmx256m"),
                List.of("--db", "jdbc:sqlite:" + dir.resolve("tls.db"), "--tls-cert", cert.toString(), "--tls-key", key.toString(),
                        "--bots-key", botsKey))) {
            server.ready.get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
            Bench run = bench("--players", "10", "--steady", "2", "--settle", "1", "--bots-heap", "256m", "--jar", JAR,
                    "--work-dir", dir.resolve("work").toString(),
                    "--server-url", "wss://127.0.0.1:" + port + "/ws", "--key", botsKey, "--trust-cert", cert.toString());
            assertThat(run.exit()).as(run.out()).isZero();
            JsonNode r = run.lastLine();
            assertThat(r.get("n").asInt()).as(run.out()).isEqualTo(10);
            assertThat(r.get("failures").asInt()).as(run.out()).isZero();
            assertThat(r.get("tick_hz").asDouble()).isPositive();
        }

        Bench refused = bench("--players", "1", "--trust-cert", cert.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.out()).contains("--trust-cert needs a wss:// --server-url");
    }

    static final String JAR = System.getProperty("mmo.jar", "target/mmo.jar");

    /** What one {@code java -jar mmo.jar bench ...} printed, and its exit code. */
    record Bench(String out, int exit) {
        JsonNode lastLine() throws Exception {
            String[] lines = out.strip().split("\n");
            return new ObjectMapper().readTree(lines[lines.length - 1]);
        }
    }

    /** Runs {@code mmo bench} with these arguments to its end (at most 30 s after its output closes). */
    static Bench bench(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR, "bench"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Bench(out, p.exitValue());
    }
}

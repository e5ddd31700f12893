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
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = System.getProperty("mmo.jar", "target/mmo.jar");
        Process p = new ProcessBuilder(java, "-jar", jar, "bench", "--workload", "crowd", "--players", "20",
                "--steady", "3", "--settle", "1", "--heap", "512m", "--bots-heap", "256m", "--jar", jar,
                "--work-dir", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String[] lines = out.strip().split("\n");
        JsonNode r = new ObjectMapper().readTree(lines[lines.length - 1]);
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
}

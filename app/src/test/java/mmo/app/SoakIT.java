package mmo.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mmo soak} as a person runs it: the real jar, the server (with its GC log) and the bots
 * (walking and chatting) as processes of their own. A short run of 20 players whose stdout is
 * exactly one JSON line with the soak's fields, progress on stderr, one line per sample in
 * samples.jsonl. {@code --probe-gc} makes every sample have a collection to read; the slope
 * limit is lifted because 24 s says nothing about a slope. Checks the plumbing, not the figures.
 */
class SoakIT {
    static final List<String> FIELDS = List.of("workload", "n", "players", "minutes", "disconnects", "failures",
            "live_heap_start_mb", "live_heap_end_mb", "live_heap_slope_mb_per_h", "live_heap_slope_limit_mb_per_h",
            "rss_start_mb", "rss_end_mb", "gc", "gc_count", "gc_pause_p50_ms", "gc_pause_p99_ms", "gc_pause_max_ms",
            "tick_p99_ms", "chats_sent", "samples", "machine", "verdict", "problems");

    @TempDir Path dir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shortWalkAndChatSoakPrintsOneJsonLineAndPasses() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = System.getProperty("mmo.jar", "target/mmo.jar");
        Process p = new ProcessBuilder(java, "-jar", jar, "soak", "--players", "20", "--minutes", "0.4",
                "--sample-seconds", "4", "--probe-gc", "--max-slope-mb-per-h", "1000000", "--heap", "256m",
                "--bots-heap", "256m", "--jar", jar, "--work-dir", dir.toString())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(p.waitFor(140, TimeUnit.SECONDS)).isTrue();
        String out = stdout.get(10, TimeUnit.SECONDS);
        String err = Files.readString(dir.resolve("stderr.txt"));
        assertThat(p.exitValue()).as(out + err).isZero();

        String[] lines = out.strip().split("\n");
        assertThat(lines).as("stdout is the JSON line alone").hasSize(1);
        JsonNode r = new ObjectMapper().readTree(lines[0]);
        for (String f : FIELDS) assertThat(r.has(f)).as("field %s in %s", f, r).isTrue();
        assertThat(r.get("workload").asText()).isEqualTo("soak-walk-chat");
        assertThat(r.get("n").asInt()).isEqualTo(20);
        assertThat(r.get("disconnects").asInt()).isZero();
        assertThat(r.get("failures").asInt()).isZero();
        assertThat(r.get("verdict").asText()).isEqualTo("pass");
        assertThat(r.get("problems")).isEmpty();
        assertThat(r.get("gc").asText()).isEqualTo(JvmDefaults.GC.equals("Z") ? "ZGC" : JvmDefaults.GC);
        assertThat(r.get("gc_count").asInt()).isPositive();
        assertThat(r.get("gc_probes").asInt()).isPositive();
        assertThat(r.get("live_heap_start_mb").asDouble()).isPositive().isLessThan(256);
        assertThat(r.get("live_heap_end_mb").asDouble()).isPositive().isLessThan(256);
        assertThat(r.get("live_heap_slope_mb_per_h").isNumber()).isTrue();
        assertThat(r.get("rss_end_mb").asDouble()).isGreaterThan(r.get("live_heap_end_mb").asDouble());
        assertThat(r.get("chats_sent").asLong()).as("bots chat").isPositive();
        assertThat(r.get("chats_heard").asLong()).isGreaterThanOrEqualTo(r.get("chats_sent").asLong());
        assertThat(r.get("server_jvm").asText()).contains("-Xmx256m", "-Xlog:gc");

        int samples = r.get("samples").asInt();
        assertThat(samples).isGreaterThanOrEqualTo(5);
        assertThat(Files.readAllLines(dir.resolve("samples.jsonl"))).hasSize(samples);
        assertThat(err.lines().filter(l -> l.startsWith("soak: ") && l.contains("heap after GC"))).hasSize(samples);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void badOptionsAreRefusedWithAMessage() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = System.getProperty("mmo.jar", "target/mmo.jar");
        Process p = new ProcessBuilder(java, "-jar", jar, "soak", "--players", "10", "--gc", "Shenandoah")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("unknown garbage collector 'Shenandoah'");
    }
}

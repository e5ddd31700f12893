package mmo.app;

import mmo.client.MmoClient;
import mmo.protocol.CharacterClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's view over real sockets (issue 7): a real server whose tick the test steps, two
 * real clients, and {@code /metrics}, {@code /health/live} and {@code /health/ready} read over
 * real HTTP from the management port, which is not the game's.
 */
class MetricsTest {
    @TempDir
    Path dir;
    TestServer server;
    int management;
    final List<MmoClient> clients = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        management = ServerProcessIT.freePort();
        server = TestServer.start("jdbc:sqlite:" + dir.resolve("mmo.db"), Map.of(
                "mmo.management.port", management,
                "mmo.save.interval", "250ms")); // a periodic save every 5 ticks
        assertThat(server.server.managementPort()).isEqualTo(management);
    }

    @AfterEach
    void stop() {
        clients.forEach(MmoClient::close);
        server.close();
    }

    HttpResponse<String> get(int port, String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (accept != null) b.header("Accept", accept);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String scrape() throws Exception {
        HttpResponse<String> r = get(management, "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return r.body();
    }

    /** The value of the sample {@code name} whose labels include every one of {@code labels} ("k=\"v\""). */
    static double value(String text, String name, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(text);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String want : labels) all &= l.contains(want);
            if (all) return Double.parseDouble(m.group(2));
        }
        throw new AssertionError("no sample " + name + " " + List.of(labels) + " in:\n" + text);
    }

    MmoClient client() throws Exception {
        MmoClient c = server.connect();
        clients.add(c);
        return c;
    }

    @Test
    void metricsShowPlayersTicksTrafficSavesRefusalsAndTheJvm() throws Exception {
        String world = "world=\"" + server.server.world().name() + "\"";
        MmoClient a = client(), b = client();
        server.play(a, "ann", "Ann", CharacterClass.WARRIOR);
        server.play(b, "bob", "Bob", CharacterClass.MAGE);
        server.tick(a, b);

        String before = scrape();
        assertThat(value(before, "mmo_players", world)).isEqualTo(2);
        assertThat(value(before, "mmo_sessions_online")).isEqualTo(2);
        assertThat(value(before, "mmo_logins_total")).isEqualTo(2);
        // both stand in a region of the world's grid, as the tick last left it
        double inRegions = 0;
        Matcher regions = Pattern.compile("^mmo_region_players\\{[^}]*} (\\S+)$", Pattern.MULTILINE).matcher(before);
        while (regions.find()) inRegions += Double.parseDouble(regions.group(1));
        assertThat(inRegions).isEqualTo(2);
        // the regions they stand in took time to simulate; the others none
        Matcher simulate = Pattern.compile("^mmo_region_simulate_time_seconds\\{[^}]*} (\\S+)$", Pattern.MULTILINE).matcher(before);
        int timed = 0, regionCount = 0;
        while (simulate.find()) {
            regionCount++;
            if (Double.parseDouble(simulate.group(1)) > 0) timed++;
        }
        assertThat(regionCount).as("one gauge per region").isGreaterThan(2);
        assertThat(timed).isBetween(1, 2);
        assertThat(value(before, "mmo_time_dilation", world)).isEqualTo(1);
        double ticks0 = value(before, "mmo_tick_duration_seconds_count", world);
        assertThat(ticks0).isPositive();
        assertThat(value(before, "mmo_tick_duration_seconds_bucket", world, "le=\"0.05\"")).isPositive();
        double out0 = value(before, "mmo_net_out_bytes_total"), msgOut0 = value(before, "mmo_net_out_messages_total");
        double in0 = value(before, "mmo_net_in_bytes_total"), msgIn0 = value(before, "mmo_net_in_messages_total");
        assertThat(out0).isPositive();
        assertThat(msgOut0).isPositive();
        assertThat(in0).isPositive();
        assertThat(msgIn0).isGreaterThanOrEqualTo(6); // hello, register, create, enter: each twice at least
        assertThat(value(before, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
        assertThat(value(before, "jvm_threads_live_threads")).isPositive();
        assertThat(value(before, "process_uptime_seconds")).isPositive();
        assertThat(before).contains("jvm_gc_", "jvm_classes_loaded_classes", "system_cpu_count");
        double speed0 = value(before, "mmo_refusals_total", "kind=\"speed\"");

        // ten ticks, walking, with a cheat: an input far longer than any stick makes
        int stepped = 10;
        for (int t = 0; t < stepped; t++) {
            a.sendInput(1, 0);
            b.sendInput(t == 0 ? 1_000_000f : 0, 1);
            server.tick(a, b);
        }
        // saves are written on their own thread, and the cheat may arrive a tick late: step
        // until a save has been timed and the cheat refused
        server.tickUntil(() -> {
            String s = scrapeQuietly();
            return saves(s) > 0 && value(s, "mmo_refusals_total", "kind=\"speed\"") > speed0;
        }, 100, a, b);
        String after = scrape();
        int tickedSince = server.server.world().currentTick() - (int) (ticks0 + 0.5);
        assertThat(value(after, "mmo_tick_duration_seconds_count", world) - ticks0)
                .as("one timer record per tick stepped").isEqualTo(tickedSince).isGreaterThanOrEqualTo(stepped);
        assertThat(value(after, "mmo_net_out_bytes_total")).isGreaterThan(out0);
        assertThat(value(after, "mmo_net_out_messages_total")).isGreaterThanOrEqualTo(msgOut0 + 2 * stepped);
        assertThat(value(after, "mmo_net_in_messages_total")).isGreaterThan(msgIn0); // the cheat, at least
        assertThat(value(after, "mmo_net_in_bytes_total")).isGreaterThan(in0);
        assertThat(value(after, "mmo_refusals_total", "kind=\"speed\"")).isEqualTo(speed0 + 1);
        assertThat(saves(after)).isPositive();
        assertThat(value(after, "mmo_save_duration_seconds_sum", "outcome=\"ok\"")).isPositive();

        // OpenMetrics for a scraper that asks for it
        HttpResponse<String> om = get(management, "/metrics", "application/openmetrics-text; version=1.0.0");
        assertThat(om.statusCode()).isEqualTo(200);
        assertThat(om.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
        assertThat(om.body()).contains("mmo_players{world=").endsWith("# EOF\n");
    }

    double saves(String text) {
        return value(text, "mmo_save_duration_seconds_count", "outcome=\"ok\"");
    }

    String scrapeQuietly() {
        try {
            return scrape();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void healthIsLiveAndReadyOnceTheWorldTicksAndNotReadyWhenDraining() throws Exception {
        HttpResponse<String> live = get(management, "/health/live", null);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(live.headers().firstValue("Content-Type")).hasValue("application/json");

        // nothing has ticked yet: not ready, and it says why
        HttpResponse<String> early = get(management, "/health/ready", null);
        assertThat(early.statusCode()).isEqualTo(503);
        assertThat(early.body()).contains("\"status\":\"DOWN\"", "\"worlds\":{\"status\":\"DOWN\"", "not started yet");

        server.server.tick();
        HttpResponse<String> ready = get(management, "/health/ready", null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"UP\"", "\"database\":{\"status\":\"UP\"}", "\"worlds\":{\"status\":\"UP\"}");

        // shutdown begins: no new players here, but the process is alive
        server.server.drain();
        HttpResponse<String> draining = get(management, "/health/ready", null);
        assertThat(draining.statusCode()).isEqualTo(503);
        assertThat(draining.body()).contains("\"shutdown\":{\"status\":\"DOWN\",\"reason\":\"the server is shutting down (draining)\"}");
        assertThat(get(management, "/health/live", null).statusCode()).isEqualTo(200);
    }

    @Test
    void theGamePortServesNoMetricsAndUnknownPathsAreRefused() throws Exception {
        int game = server.server.port();
        assertThat(get(game, "/metrics", null).statusCode()).isEqualTo(404);
        assertThat(get(game, "/health/ready", null).statusCode()).isEqualTo(404);
        HttpResponse<String> unknown = get(management, "/nothing-here", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("/metrics", "/health/live", "/health/ready");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        // and after garbage on the management port, it still answers
        try (var s = new java.net.Socket("127.0.0.1", management)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("\u0000\u0001 not http at all\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            s.getInputStream().read(new byte[256]);
        }
        assertThat(get(management, "/health/live", null).statusCode()).isEqualTo(200);
    }
}

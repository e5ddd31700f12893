package mmo.app;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /health/ready} follows the database (issue 7): a real server on a PostgreSQL of the
 * test's own ({@link PrivatePostgres}) is ready; with the database stopped under it, readiness
 * answers 503 naming the database, while liveness stays 200 (the process is fine; restarting it
 * would not bring the database back); with the database started again, it is ready again.
 */
class ReadinessIT {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Asks until the answer satisfies {@code wanted}: a probe's result is kept for a couple of
     * seconds and a database that went away takes the pool's time-out to fail, so the change
     * shows within seconds, not at once. Correctness rests on the answer; the pause between
     * asks only keeps the loop from spinning.
     */
    HttpResponse<String> awaitReady(int port, Predicate<HttpResponse<String>> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> r;
        do {
            r = get(port, "/health/ready");
            if (wanted.test(r)) return r;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("readiness never became as wanted; last: " + r.statusCode() + " " + r.body());
    }

    @Test
    void notReadyWhileTheDatabaseIsDownAndReadyAgainWhenItIsBack() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.create()) {
            int management = ServerProcessIT.freePort();
            try (TestServer server = TestServer.start(pg.jdbcUrl(), Map.of("mmo.management.port", management))) {
                server.server.tick();
                HttpResponse<String> up = awaitReady(management, r -> r.statusCode() == 200);
                assertThat(up.body()).contains("\"database\":{\"status\":\"UP\"}");

                pg.stop("immediate");
                HttpResponse<String> down = awaitReady(management, r -> r.statusCode() == 503);
                assertThat(down.body()).contains("\"status\":\"DOWN\"", "\"database\":{\"status\":\"DOWN\",\"reason\":\"")
                        .contains("\"worlds\":{\"status\":\"UP\"}");
                assertThat(get(management, "/health/live").statusCode()).isEqualTo(200);
                assertThat(get(management, "/metrics").statusCode()).as("metrics do not need the database").isEqualTo(200);

                pg.start();
                HttpResponse<String> back = awaitReady(management, r -> r.statusCode() == 200);
                assertThat(back.body()).contains("\"database\":{\"status\":\"UP\"}");
            }
        }
    }
}

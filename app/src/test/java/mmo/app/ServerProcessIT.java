package mmo.app;

import mmo.client.ClientOptions;
import mmo.client.MmoClient;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.LoginOk;
import mmo.protocol.WorldEntered;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The packaged server as a real process: it serves the browser client, keeps accounts and
 * characters across a restart, and on SIGTERM saves every player before it exits.
 */
class ServerProcessIT {
    static final long TIMEOUT_S = 60;

    @TempDir
    Path dir;

    /**
     * JVM options for a test's server that starts, runs a scenario of seconds and is killed:
     * C1 only, which spends the 2 cores of a CI machine on starting rather than on C2 compiles
     * that would pay off only in a long run (ClusterIT's 8 tests, 2 to 3 nodes each: 219 s with
     * C2, 174 s without, one machine back to back). Not for tests that load the server.
     */
    static final List<String> SHORT_LIVED = List.of("-XX:TieredStopAtLevel=1");

    /** A running {@code java -jar mmo.jar serve} whose output is echoed and watched. */
    static final class ServerProcess implements AutoCloseable {
        final Process process;
        final int port;
        final StringBuffer output = new StringBuffer();
        final CompletableFuture<Void> ready = new CompletableFuture<>();

        ServerProcess(Path db, int port) throws Exception {
            this("server", port, List.of("--db", "jdbc:sqlite:" + db));
            ready.get(TIMEOUT_S, TimeUnit.SECONDS);
        }

        /**
         * Starts {@code serve --port port --host 127.0.0.1} plus {@code serveArgs}, under
         * {@code jvmArgs}, without waiting: {@link #ready} completes when it runs.
         */
        ServerProcess(String name, int port, List<String> jvmArgs, List<String> serveArgs) throws Exception {
            this.port = port;
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String jar = System.getProperty("mmo.jar", "target/mmo.jar");
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(jvmArgs);
            cmd.addAll(List.of("-jar", jar, "serve", "--port", String.valueOf(port), "--host", "127.0.0.1"));
            // the management listener off (8081 would clash between processes) unless a test asks for it
            if (!serveArgs.contains("--management-port")) cmd.addAll(List.of("--management-port", "0"));
            cmd.addAll(serveArgs);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        output.append(line).append('\n');
                        for (LineWaiter w : lineWaiters) {
                            if (w.condition().test(line)) w.line().complete(line);
                        }
                        if (line.contains("mmo server running")) ready.complete(null);
                    }
                } catch (Exception ignored) {
                    // the process ended
                }
                ready.completeExceptionally(new AssertionError(name + " exited before it was ready:\n" + output));
            });
        }

        private ServerProcess(String name, int port, List<String> serveArgs) throws Exception {
            this(name, port, List.of(), serveArgs);
        }

        private record LineWaiter(Predicate<String> condition, CompletableFuture<String> line) {}

        private final List<LineWaiter> lineWaiters = new CopyOnWriteArrayList<>();

        /** The first line of output from now on that matches {@code condition}. */
        CompletableFuture<String> nextLine(Predicate<String> condition) {
            CompletableFuture<String> f = new CompletableFuture<>();
            lineWaiters.add(new LineWaiter(condition, f));
            return f;
        }

        URI ws() {
            return URI.create("ws://127.0.0.1:" + port + "/ws");
        }

        /** SIGTERM, then wait for a clean exit. */
        int terminate() throws Exception {
            process.destroy();
            assertThat(process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** A port nothing listens on, never the same twice in this JVM (see {@link LoadRun#freePort}). */
    static int freePort() throws Exception {
        return LoadRun.freePort();
    }

    static MmoClient connect(ServerProcess p) throws Exception {
        return MmoClient.connect(p.ws(), ClientOptions.builder().clientName("process-it").build()).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Test
    void servesTheBrowserClientAndKeepsEverythingAcrossSigterm() throws Exception {
        Path db = dir.resolve("data/mmo.db");
        int port = freePort();
        float x, y;
        CharacterSummary hero;
        try (ServerProcess server = new ServerProcess(db, port)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> index = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.body()).contains("<script");
            HttpResponse<String> map = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/maps/world.tmj")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(map.statusCode()).isEqualTo(200);
            assertThat(map.body()).contains("\"tilesets\"");

            MmoClient c = connect(server);
            c.register("walker", "password-walker").get(TIMEOUT_S, TimeUnit.SECONDS);
            hero = c.createCharacter(TestServer.character("Walker", CharacterClass.MAGE, 0x2255AA)).get(TIMEOUT_S, TimeUnit.SECONDS);
            WorldEntered entered = c.enterWorld(hero.getId()).get(TIMEOUT_S, TimeUnit.SECONDS);
            int seq = c.sendInput(1, 0);
            // walk for one second of server time (20 ticks), then stop: the server clock runs on its own here
            c.awaitUpdate(s -> s.ackSeq() == seq).get(TIMEOUT_S, TimeUnit.SECONDS);
            c.awaitTick(c.snapshot().tick() + 20).get(TIMEOUT_S, TimeUnit.SECONDS);
            int stop = c.sendInput(0, 0);
            var stopped = c.awaitUpdate(s -> s.ackSeq() == stop).get(TIMEOUT_S, TimeUnit.SECONDS);
            x = stopped.x();
            y = stopped.y();
            assertThat(x).isNotEqualTo(entered.getX() / 16f);
            // SIGTERM while the player is still in the world: it must be saved on the way out
            assertThat(server.terminate()).isIn(0, 143);
            assertThat(c.closed().get(TIMEOUT_S, TimeUnit.SECONDS).disconnect().getReason())
                    .isEqualTo(mmo.protocol.DisconnectReason.SERVER_SHUTDOWN);
        }

        try (ServerProcess server = new ServerProcess(db, port)) {
            MmoClient c = connect(server);
            LoginOk ok = c.login("walker", "password-walker").get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(ok.getCharactersList()).singleElement().satisfies(s -> {
                assertThat(s.getName()).isEqualTo("Walker");
                assertThat(s.getAppearance().getOutfit().getTopColor()).isEqualTo(0x2255AA);
            });
            WorldEntered entered = c.enterWorld(hero.getId()).get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(entered.getX() / 16f).isCloseTo(x, within(0.07f));
            assertThat(entered.getY() / 16f).isCloseTo(y, within(0.07f));
            c.close();
            server.terminate();
        }
    }
}

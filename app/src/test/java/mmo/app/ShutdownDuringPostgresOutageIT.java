package mmo.app;

import mmo.app.ServerProcessIT.ServerProcess;
import mmo.client.MmoClient;
import mmo.client.WorldView;
import mmo.protocol.CharacterSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static mmo.app.ServerProcessIT.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * PostgreSQL goes down, the server jar is sent SIGTERM, and PostgreSQL comes back while the
 * stop is still trying its final save (mmo.save.shutdown-retry): the positions walked since the
 * last save are in the database. Periodic saves are off in effect (an hour), so only the final
 * save can have written them.
 */
class ShutdownDuringPostgresOutageIT {
    @TempDir
    Path dir;
    final List<ServerProcess> servers = new ArrayList<>();
    final List<MmoClient> clients = new ArrayList<>();
    PrivatePostgres pg;

    @RegisterExtension
    final TestWatcher serverOutputOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            for (ServerProcess s : servers) System.err.println("---- output of the server ----\n" + s.output);
        }
    };

    @AfterEach
    void stop() throws Exception {
        clients.forEach(MmoClient::close);
        servers.forEach(ServerProcess::close);
        if (pg != null) pg.close();
    }

    private static float[] stored(Connection c, String name) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT x, y FROM characters WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("character %s stored", name).isTrue();
                return new float[]{rs.getFloat(1), rs.getFloat(2)};
            }
        }
    }

    @Test
    void positionsWalkedBeforeASigtermWhilePostgresIsDownAreSavedWhenItComesBackWithinTheRetryTime() throws Exception {
        pg = PrivatePostgres.create();
        Path config = dir.resolve("mmo.conf");
        Files.writeString(config, "mmo.save.interval = 1h\nmmo.save.shutdown-retry = 30s\n");
        ServerProcess server = new ServerProcess("server", ServerProcessIT.freePort(), ServerProcessIT.SHORT_LIVED,
                List.of("--db", pg.jdbcUrl(), "--config", config.toString()));
        servers.add(server);
        server.ready.get(TIMEOUT_S, TimeUnit.SECONDS);

        List<MmoClient> players = new ArrayList<>();
        List<CharacterSummary> characters = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            MmoClient c = ServerProcessIT.connect(server);
            clients.add(c);
            players.add(c);
            characters.add(GameCrashIT.register(c, "walker" + i, "Walker" + i));
            GameCrashIT.enter(c, characters.get(i));
        }
        // each walks (and stops, acked) and says so to the other
        PostgresRestartIT.assertMovesAndChat(players.get(0), players.get(1), "before the stop");
        PostgresRestartIT.assertMovesAndChat(players.get(1), players.get(0), "before the stop");
        List<WorldView.Snapshot> told = players.stream().map(MmoClient::snapshot).toList();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl())) {
            float[] before = stored(c, "Walker0");
            assertThat(before[0] != told.get(0).x() || before[1] != told.get(0).y()).as("walked since the last save").isTrue();
        }

        CompletableFuture<String> failedTry = server.nextLine(l -> l.contains("shutdown save of world") && l.contains("failed (try 1)"));
        CompletableFuture<String> outcome = server.nextLine(l -> l.contains("shutdown save of world") && !l.contains("failed (try"));
        pg.stop("immediate");
        // SIGTERM by kill, not Process.destroy(): that also closes the pipe the server logs to
        assertThat(new ProcessBuilder("kill", "-TERM", String.valueOf(server.process.pid())).start().waitFor()).isZero();
        failedTry.get(TIMEOUT_S, TimeUnit.SECONDS);
        pg.start();
        assertThat(server.process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
        assertThat(server.process.exitValue()).isIn(0, 143);
        assertThat(outcome.get(TIMEOUT_S, TimeUnit.SECONDS)).contains("2 characters saved after");

        try (Connection c = DriverManager.getConnection(pg.jdbcUrl())) {
            for (int i = 0; i < 2; i++) {
                String name = characters.get(i).getName();
                float[] saved = stored(c, name);
                assertThat(saved[0]).as("%s x", name).isCloseTo(told.get(i).x(), within(1 / 16f));
                assertThat(saved[1]).as("%s y", name).isCloseTo(told.get(i).y(), within(1 / 16f));
            }
        }
    }
}

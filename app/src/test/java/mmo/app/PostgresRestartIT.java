package mmo.app;

import mmo.app.LoadPlayers.Counters;
import mmo.app.LoadPlayers.Pair;
import mmo.app.ServerProcessIT.ServerProcess;
import mmo.client.MmoClient;
import mmo.client.ServerError;
import mmo.client.WorldView;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatMessage;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static mmo.app.ServerProcessIT.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PostgreSQL crashes (stopped with {@code -m immediate}) under the running server, which keeps
 * the world going, and comes back: the server jar plays on a private PostgreSQL instance
 * ({@link PrivatePostgres}) with hunters, trading pairs and a walker. While the database is
 * down moves are acked, ticks advance and chat flows; what needs the database is refused with a
 * clear error and changes nothing (a pickup, a trade, a login); the log says saves fail and are
 * retried. Once it is back the same server (no restart) saves again, trades and pickups work,
 * logins work; after a graceful stop the database holds every position exactly and every item
 * and gold the players were told, exactly once, and no row is orphaned.
 */
class PostgresRestartIT {
    static final int HUNTERS = 2, WALKER = 2, PAIRS = 2, PLAYERS = 3 + 2 * PAIRS;

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

    private final long startedAt = System.nanoTime();

    void step(String what) {
        System.out.printf("PostgresRestartIT %5.1f s: %s%n", (System.nanoTime() - startedAt) / 1e9, what);
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(MmoClient::close);
        servers.forEach(ServerProcess::close);
        if (pg != null) pg.close();
    }

    @Test
    void theWorldRunsOnWhilePostgresIsDownAndNothingIsLostWhenItComesBack() throws Exception {
        pg = PrivatePostgres.create();
        step("private PostgreSQL on port " + pg.port);
        Path content = LoadPlayers.content(dir);
        Path config = dir.resolve("mmo.conf");
        Files.writeString(config, "mmo.save.interval = 1s\n");
        ServerProcess server = new ServerProcess("server", ServerProcessIT.freePort(), List.of(),
                List.of("--db", pg.jdbcUrl(), "--content", content.toString(), "--config", config.toString()));
        servers.add(server);
        server.ready.get(TIMEOUT_S, TimeUnit.SECONDS);

        // ---- everyone registers; the traders are given their goods; everyone enters
        List<MmoClient> players = new ArrayList<>();
        List<CharacterSummary> characters = new ArrayList<>();
        for (int i = 0; i < PLAYERS; i++) {
            MmoClient c = connect(server);
            players.add(c);
            characters.add(GameCrashIT.register(c, "player" + i, "Player" + i));
        }
        MmoClient idle = connect(server);
        idle.register("idle", "password-idle").get(TIMEOUT_S, TimeUnit.SECONDS);
        idle.close();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl())) {
            LoadPlayers.seedTraders(c, characters.subList(3, PLAYERS));
        }
        for (int i = 0; i < PLAYERS; i++) GameCrashIT.enter(players.get(i), characters.get(i));
        MmoClient walker = players.get(WALKER), listener = players.get(0);

        Counters counters = new Counters();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < HUNTERS; i++) {
            MmoClient c = players.get(i);
            threads.add(CrashUnderLoadIT.play("hunter " + i, failures, () -> LoadPlayers.hunt(c, counters, stop)));
        }
        for (int i = 0; i < PAIRS; i++) {
            Pair pair = new Pair(players.get(3 + 2 * i), players.get(4 + 2 * i));
            pairs.add(pair);
            threads.add(CrashUnderLoadIT.play("pair " + i, failures, () -> LoadPlayers.trade(pair, counters, stop)));
        }
        counters.reach(5, 1).get(TIMEOUT_S, TimeUnit.SECONDS);
        step("playing: " + counters);

        // ---- PostgreSQL crashes
        CompletableFuture<String> saveFailed = server.nextLine(l -> l.contains("characters failed; they stay dirty"));
        pg.stop("immediate");
        step("PostgreSQL stopped (immediate)");
        int tick = walker.snapshot().tick();
        assertMovesAndChat(walker, listener, "while the database is down");
        assertThat(walker.awaitTick(tick + 40).get(TIMEOUT_S, TimeUnit.SECONDS).tick()).as("ticks advance").isGreaterThan(tick);
        step("moves acked, chat delivered, ticks advance");
        MmoClient late = connect(server);
        assertThatThrownBy(() -> late.login("idle", "password-idle").get(TIMEOUT_S, TimeUnit.SECONDS))
                .as("a login while the database is down").isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ServerError.class).satisfies(e -> step("login refused: " + ((ServerError) e).code()
                        + " \"" + ((ServerError) e).serverMessage() + "\""));
        saveFailed.get(TIMEOUT_S, TimeUnit.SECONDS);
        step("the server logged a failed save");
        step("a pickup refused: " + counters.firstPickupError.get(TIMEOUT_S, TimeUnit.SECONDS));
        step("a trade cancelled: " + counters.firstCancel.get(TIMEOUT_S, TimeUnit.SECONDS));
        assertThat(counters.cancelled).as("why trades were cancelled").allMatch(r -> r.contains("could not be saved"));

        // ---- PostgreSQL comes back: the same server saves, trades, loots and logs in again
        CompletableFuture<String> savesAgain = server.nextLine(l -> l.contains("saving works again"));
        pg.start();
        step("PostgreSQL started again");
        savesAgain.get(TIMEOUT_S, TimeUnit.SECONDS);
        step("saves succeed again");
        counters.reach(counters.trades.get() + 3, counters.pickups.get() + 2).get(TIMEOUT_S, TimeUnit.SECONDS);
        step("trades and pickups work again: " + counters);
        late.login("idle", "password-idle").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertMovesAndChat(walker, listener, "after the database came back");

        // ---- everyone stops; a graceful stop saves everyone; the database holds what they were told
        stop.complete(null);
        for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_S));
        assertThat(failures).as("what the players ran into").isEmpty();
        for (MmoClient p : players) standStill(p);
        assertThat(server.terminate()).isIn(0, 143);
        for (MmoClient p : players) p.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
        step("stopped gracefully: " + counters);
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl())) {
            assertThat(GameCrashIT.count(c, "SELECT COUNT(*) FROM accounts")).isEqualTo(PLAYERS + 1);
            assertThat(GameCrashIT.count(c, "SELECT COUNT(*) FROM characters WHERE account_id NOT IN (SELECT id FROM accounts)"))
                    .as("characters of no account").isZero();
            assertThat(GameCrashIT.count(c, "SELECT COUNT(*) FROM sessions WHERE account_id NOT IN (SELECT id FROM accounts)"))
                    .as("sessions of no account").isZero();
            // saved on the way out: every position where the server last said it was (to the 1/16
            // unit the wire carries)
            LoadPlayers.assertStored(c, 3, characters, players, pairs, 1 / 16f);
        }
    }

    MmoClient connect(ServerProcess s) throws Exception {
        MmoClient c = ServerProcessIT.connect(s);
        clients.add(c);
        return c;
    }

    /**
     * A step of {@code walker} is acked and its world chat reaches {@code listener}. The walker
     * tries east, west, south and north in turn: its spawn point is random, and a wall may stand
     * next to it (it once stood still against one going east).
     */
    static void assertMovesAndChat(MmoClient walker, MmoClient listener, String when) throws Exception {
        float x = walker.snapshot().x(), y = walker.snapshot().y();
        int[][] directions = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        boolean moved = false;
        for (int d = 0; d < directions.length && !moved; d++) {
            walker.sendInput(directions[d][0], directions[d][1]);
            int tick = walker.snapshot().tick();
            walker.awaitTick(tick + 4).get(TIMEOUT_S, TimeUnit.SECONDS);
            standStill(walker);
            moved = walker.snapshot().x() != x || walker.snapshot().y() != y;
        }
        assertThat(moved).as("the walker moved %s (from %.4f, %.4f)", when, x, y).isTrue();
        String text = "still here " + when;
        CompletableFuture<ChatMessage> heard = listener.nextChat(m -> m.getText().equals(text));
        walker.worldChat(text);
        heard.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Stops and waits for the server to ack the stop: nothing moves it after. */
    static void standStill(MmoClient c) throws Exception {
        int seq = c.sendInput(0, 0);
        WorldView.Snapshot s = c.awaitUpdate(u -> u.ackSeq() == seq).get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(s.ackSeq()).isEqualTo(seq);
    }
}

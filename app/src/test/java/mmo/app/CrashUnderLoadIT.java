package mmo.app;

import mmo.app.LoadPlayers.Counters;
import mmo.app.LoadPlayers.Pair;
import mmo.app.ServerProcessIT.ServerProcess;
import mmo.client.MmoClient;
import mmo.client.WorldView;
import mmo.protocol.CharacterSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static mmo.app.ServerProcessIT.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server as a real process killed with SIGKILL in the middle of heavy play and restarted on
 * the same database: three times on an SQLite file with 12 players hunting wolves and picking up
 * their loot and 9 pairs trading their whole bags and half their gold back and forth and
 * equipping between trades, everyone moving; twice on PostgreSQL (a schema of its own) with 6
 * and 4. The kill comes once a seeded random number of trades and pickups were confirmed (the
 * seed is printed). Read from the database with plain JDBC after each kill: every account and
 * character is there; every item a client was last told it holds is stored exactly once with
 * that character (or, for a trade both sides had confirmed but not both been told the result
 * of, with its partner); a trading pair's items and gold are exactly what they started with; a
 * hunter has at least what it was told; every position is within (save interval + 2 s) of
 * walking from the last one the server sent; SQLite's integrity and foreign key checks pass (on
 * PostgreSQL, which enforces its keys itself: no character or session of no account). The
 * restarted server shows each player what the database holds.
 */
class CrashUnderLoadIT {
    /** Players hunting, and pairs trading, in this test's runs (the hunters first). */
    int hunters, pairCount;
    static final int KILLS = 3;
    /** The test's save interval (seconds), and how far a player walks in a second (reference.conf). */
    static final int SAVE_S = 2;
    static final float SPEED = 4;

    @TempDir
    Path dir;
    @RegisterExtension
    final ServerRuns runs = new ServerRuns("CrashUnderLoadIT");
    final List<ServerProcess> servers = runs.servers;
    final List<MmoClient> clients = runs.clients;

    void step(String what) {
        runs.step(what);
    }

    @Test
    void killedInTheMiddleOfHeavyPlayOnSqliteTheServerLosesAndDuplicatesNothing() throws Exception {
        killedInTheMiddleOfHeavyPlay("jdbc:sqlite:" + dir.resolve("mmo.db"), KILLS, 12, 9);
    }

    /** The same on the machine's PostgreSQL, in a schema of its own: fewer players, killed twice. */
    @Test
    void killedInTheMiddleOfHeavyPlayOnPostgresTheServerLosesAndDuplicatesNothing() throws Exception {
        String schema = "crash_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PostgresPlayTest.BASE); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        try {
            killedInTheMiddleOfHeavyPlay(PostgresPlayTest.BASE + "&currentSchema=" + schema, 2, 6, 4);
        } finally {
            try (Connection c = DriverManager.getConnection(PostgresPlayTest.BASE); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    void killedInTheMiddleOfHeavyPlay(String db, int kills, int hunters, int pairCount) throws Exception {
        this.hunters = hunters;
        this.pairCount = pairCount;
        SplittableRandom rnd = LoadPlayers.random("CrashUnderLoadIT");
        Path content = LoadPlayers.content(dir);
        Path config = dir.resolve("mmo.conf");
        Files.writeString(config, "mmo.save.interval = " + SAVE_S + "s\n");

        // ---- setup: register everyone, stop gracefully, give the traders their goods
        ServerProcess setup = start(db, content, config);
        List<CharacterSummary> characters = new ArrayList<>();
        List<CompletableFuture<CharacterSummary>> registered = new ArrayList<>();
        for (int i = 0; i < players(); i++) {
            MmoClient c = ServerProcessIT.connect(setup);
            clients.add(c);
            String user = "player" + i, name = "Player" + i;
            registered.add(c.register(user, "password-" + user).thenCompose(ok -> c.createCharacter(
                    TestServer.character(name, mmo.protocol.CharacterClass.WARRIOR, 0x884422))));
        }
        for (CompletableFuture<CharacterSummary> r : registered) characters.add(r.get(TIMEOUT_S, TimeUnit.SECONDS));
        assertThat(setup.terminate()).isIn(0, 143);
        clients.forEach(MmoClient::close);
        clients.clear();
        seedTraders(db, characters);
        step(players() + " players registered, traders given their goods");

        for (int run = 1; run <= kills; run++) {
            ServerProcess server = start(db, content, config);
            List<MmoClient> players = enterAll(server, characters, db);
            step("run " + run + ": everyone entered and shown what the database holds");

            Counters counters = new Counters();
            int tradeTarget = 30 + rnd.nextInt(60), pickupTarget = 3 + rnd.nextInt(12);
            CompletableFuture<Void> stop = new CompletableFuture<>();
            List<Pair> pairs = new ArrayList<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < hunters; i++) {
                MmoClient c = players.get(i);
                threads.add(play("hunter " + i, failures, () -> LoadPlayers.hunt(c, counters, stop)));
            }
            for (int i = 0; i < pairCount; i++) {
                Pair pair = new Pair(players.get(hunters + 2 * i), players.get(hunters + 2 * i + 1));
                pairs.add(pair);
                threads.add(play("pair " + i, failures, () -> LoadPlayers.trade(pair, counters, stop)));
            }
            counters.reach(tradeTarget, pickupTarget).get(TIMEOUT_S, TimeUnit.SECONDS);
            server.process.destroyForcibly();
            GameCrashIT.assertKilled(server);
            for (MmoClient c : players) c.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
            stop.complete(null);
            for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_S));
            assertThat(failures).as("what the players ran into").isEmpty();
            assertThat(counters.cancelled).as("trades cancelled").isEmpty();
            assertThat(counters.pickupErrors).as("pickups refused by a database error").isEmpty();
            step("run " + run + ": killed after " + counters + " (targets " + tradeTarget + " trades, " + pickupTarget + " pickups)");

            assertStored(db, characters, players, pairs);
            step("run " + run + ": the database holds everything the players were told");
        }
    }

    // ------------------------------------------------------------------ the server and players

    int players() {
        return hunters + 2 * pairCount;
    }

    ServerProcess start(String db, Path content, Path config) throws Exception {
        ServerProcess s = new ServerProcess("server run " + (servers.size() + 1), ServerProcessIT.freePort(), List.of(),
                List.of("--db", db, "--content", content.toString(), "--config", config.toString()));
        servers.add(s);
        s.ready.get(TIMEOUT_S, TimeUnit.SECONDS);
        return s;
    }

    /** Logs everyone in and enters; each is shown the items and gold the database holds for it. */
    List<MmoClient> enterAll(ServerProcess server, List<CharacterSummary> characters, String db) throws Exception {
        List<MmoClient> players = new ArrayList<>();
        List<CompletableFuture<?>> entered = new ArrayList<>();
        for (int i = 0; i < characters.size(); i++) {
            MmoClient c = ServerProcessIT.connect(server);
            clients.add(c);
            players.add(c);
            CharacterSummary character = characters.get(i);
            String user = "player" + i;
            entered.add(c.login(user, "password-" + user).thenCompose(ok -> {
                CompletableFuture<?> inventory = c.nextMessage(m -> m.hasInventory());
                CompletableFuture<?> stats = c.nextMessage(m -> m.hasStats());
                return c.enterWorld(character.getId()).thenCompose(w -> CompletableFuture.allOf(inventory, stats));
            }));
        }
        for (CompletableFuture<?> e : entered) e.get(TIMEOUT_S, TimeUnit.SECONDS);
        try (Connection jdbc = DriverManager.getConnection(db)) {
            for (int i = 0; i < characters.size(); i++) {
                MmoClient c = players.get(i);
                LoadPlayers.Stored stored = LoadPlayers.stored(jdbc, characters.get(i).getId());
                assertThat(LoadPlayers.itemsTold(c)).as("%s's items after the restart", characters.get(i).getName())
                        .isEqualTo(stored.items());
                assertThat(c.inventory().getGold()).isEqualTo(stored.gold());
                assertThat(c.stats().getXp()).isEqualTo(stored.xp());
            }
        }
        return players;
    }

    interface Play {
        void run() throws Exception;
    }

    static Thread play(String name, ConcurrentLinkedQueue<Throwable> failures, Play play) {
        return Thread.ofPlatform().name(name).start(() -> {
            try {
                play.run();
            } catch (Throwable t) {
                if (!LoadPlayers.closed(t)) failures.add(new AssertionError(name + " failed", t));
            }
        });
    }

    // ------------------------------------------------------------------ the database

    void seedTraders(String db, List<CharacterSummary> characters) throws Exception {
        try (Connection c = DriverManager.getConnection(db)) {
            LoadPlayers.seedTraders(c, characters.subList(hunters, players()));
        }
    }

    /** Everything the players were last told against the database, read while no server runs. */
    void assertStored(String db, List<CharacterSummary> characters, List<MmoClient> players, List<Pair> pairs) throws Exception {
        try (Connection c = DriverManager.getConnection(db)) {
            if (db.startsWith("jdbc:sqlite:")) {
                assertThat(rows(c, "PRAGMA integrity_check")).containsExactly("ok");
                assertThat(rows(c, "PRAGMA foreign_key_check")).as("rows breaking a foreign key").isEmpty();
            } else {
                // PostgreSQL enforces its keys and checks itself; nothing may hang loose anyway
                assertThat(GameCrashIT.count(c, "SELECT COUNT(*) FROM characters WHERE account_id NOT IN (SELECT id FROM accounts)"))
                        .as("characters of no account").isZero();
                assertThat(GameCrashIT.count(c, "SELECT COUNT(*) FROM sessions WHERE account_id NOT IN (SELECT id FROM accounts)"))
                        .as("sessions of no account").isZero();
            }
            assertThat(GameCrashIT.count(c, "SELECT COUNT(*) FROM accounts")).isEqualTo(players());
            LoadPlayers.assertStored(c, hunters, characters, players, pairs, (SAVE_S + 2) * SPEED);
        }
    }

    static List<String> rows(Connection c, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) rows.add(rs.getString(1));
        }
        return rows;
    }
}

package mmo.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import mmo.client.MmoClient;
import mmo.client.WorldView;
import mmo.protocol.CharacterClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A graceful stop while the database fails: the final save is tried again until the database
 * works (the positions walked since the last save are kept) or until mmo.save.shutdown-retry
 * has passed (the stop goes on, and says what was not saved). The "outage" is a trigger on the
 * server's SQLite file that refuses every character update, dropped when the test decides.
 */
class ShutdownSaveRetryTest {
    @TempDir Path dir;

    /** What the server logged at WARN and above, and a future per awaited message. */
    private final List<ILoggingEvent> logged = new CopyOnWriteArrayList<>();
    private final List<Map.Entry<java.util.function.Predicate<List<ILoggingEvent>>, CompletableFuture<Void>>> waits =
            new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            if (!e.getLoggerName().startsWith("mmo.server")) return;
            logged.add(e);
            for (var w : waits) if (w.getKey().test(logged)) w.getValue().complete(null);
        }
    };

    @BeforeEach
    void capture() {
        appender.start();
        root.addAppender(appender);
    }

    @AfterEach
    void release() {
        root.detachAppender(appender);
    }

    /** Completes once {@code n} failed shutdown-save tries have been logged. */
    private CompletableFuture<Void> failedTries(int n) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waits.add(Map.entry(l -> messages(l, Level.WARN, "shutdown save of world").size() >= n, f));
        if (messages(logged, Level.WARN, "shutdown save of world").size() >= n) f.complete(null);
        return f;
    }

    private static List<String> messages(List<ILoggingEvent> events, Level level, String part) {
        return events.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains(part)).toList();
    }

    /** The database refuses every character update (as one that is gone refuses everything the final save does). */
    private static void databaseDown(Connection c) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER outage BEFORE UPDATE ON characters BEGIN SELECT RAISE(ABORT, 'database down (test)'); END");
        }
    }

    private static void databaseBack(Connection c) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER outage");
        }
    }

    private static float[] stored(Connection c, String name) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT x, y FROM characters WHERE name = '" + name + "'")) {
            assertThat(rs.next()).as("character %s stored", name).isTrue();
            return new float[]{rs.getFloat(1), rs.getFloat(2)};
        }
    }

    /** Walks {@code c} a few ticks in the first direction that moves it, then stands still (acked). */
    private static WorldView.Snapshot walk(TestServer s, MmoClient c) throws Exception {
        float x = c.snapshot().x(), y = c.snapshot().y();
        int[][] directions = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        for (int[] d : directions) {
            c.sendInput(d[0], d[1]);
            for (int i = 0; i < 10; i++) s.tick(c);
            int seq = c.sendInput(0, 0);
            s.tickUntil(() -> c.snapshot().ackSeq() >= seq, 50, c);
            if (c.snapshot().x() != x || c.snapshot().y() != y) return c.snapshot();
        }
        throw new AssertionError("the walker did not move from " + x + ", " + y);
    }

    @Test
    void positionsWalkedBeforeAStopAreSavedOnceTheDatabaseWorksAgainWithinTheRetryTime() throws Exception {
        Path db = dir.resolve("mmo.db");
        TestServer s = TestServer.start("jdbc:sqlite:" + db, Map.of("mmo.save.shutdown-retry", "30s"));
        try (s; Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            MmoClient alice = s.connect(), bob = s.connect();
            s.play(alice, "alice", "Alice", CharacterClass.WARRIOR);
            s.play(bob, "bob", "Bob", CharacterClass.MAGE);
            WorldView.Snapshot a = walk(s, alice), b = walk(s, bob);
            float[] before = stored(c, "Alice");
            assertThat(before[0] != a.x() || before[1] != a.y()).as("walked since the last save").isTrue();

            databaseDown(c);
            CompletableFuture<Void> twoFailed = failedTries(2);
            CompletableFuture<Void> closed = CompletableFuture.runAsync(s.server::close);
            twoFailed.get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(closed).as("still trying").isNotDone();
            databaseBack(c);
            closed.get(TIMEOUT_S, TimeUnit.SECONDS);

            for (var who : List.of(Map.entry("Alice", a), Map.entry("Bob", b))) {
                float[] saved = stored(c, who.getKey());
                assertThat(saved[0]).as("%s x", who.getKey()).isCloseTo(who.getValue().x(), within(1 / 16f));
                assertThat(saved[1]).as("%s y", who.getKey()).isCloseTo(who.getValue().y(), within(1 / 16f));
            }
            assertThat(messages(logged, Level.WARN, "shutdown save of world 'Aldoria' failed").subList(0, 2))
                    .allSatisfy(m -> assertThat(m).contains("database down (test)", "2 characters' positions not saved yet"));
            assertThat(messages(logged, Level.INFO, "shutdown save of world 'Aldoria'"))
                    .singleElement().asString().matches(".*2 characters saved after [3-9] tries");
            assertThat(messages(logged, Level.ERROR, "shutdown save")).isEmpty();
        }
    }

    @Test
    void aDatabaseDownPastTheRetryTimeDoesNotHoldTheStopAndTheLogSaysWhatWasLost() throws Exception {
        Path db = dir.resolve("mmo.db");
        TestServer s = TestServer.start("jdbc:sqlite:" + db, Map.of("mmo.save.shutdown-retry", "2s"));
        try (s; Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            MmoClient alice = s.connect();
            s.play(alice, "alice", "Alice", CharacterClass.WARRIOR);
            walk(s, alice);
            float[] before = stored(c, "Alice");

            databaseDown(c);
            long start = System.nanoTime();
            CompletableFuture.runAsync(s.server::close).get(TIMEOUT_S, TimeUnit.SECONDS);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            // it went on after the retry time (the get above bounds it: no hang); no upper bound
            // of our own, which a loaded machine could pass
            assertThat(tookMs).as("the stop tried for the retry time").isGreaterThanOrEqualTo(2_000L);
            assertThat(messages(logged, Level.WARN, "shutdown save of world 'Aldoria' failed")).hasSizeGreaterThanOrEqualTo(2);
            assertThat(messages(logged, Level.ERROR, "shutdown save of world 'Aldoria' given up")).singleElement().asString()
                    .contains("database down (test)", "the positions of 1 characters since their last save were not saved");
            databaseBack(c);
            assertThat(stored(c, "Alice")).as("nothing written").containsExactly(before);
        }
    }
}

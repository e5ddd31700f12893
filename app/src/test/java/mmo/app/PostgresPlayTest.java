package mmo.app;

import mmo.client.MmoClient;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.LoginOk;
import mmo.protocol.WorldEntered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The whole server on the real PostgreSQL of this machine (127.0.0.1:5432, database
 * {@code test}; override with -Dmmo.test.postgres.url), in a fresh schema per test: play,
 * restart the server, and find account, character, position and look again. Fails, never
 * skips, when PostgreSQL is not there.
 */
class PostgresPlayTest {
    static final String BASE = System.getProperty("mmo.test.postgres.url",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    String schema;
    String url;

    @BeforeEach
    void createSchema() throws Exception {
        schema = "e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(BASE); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        url = BASE + "&currentSchema=" + schema;
    }

    @AfterEach
    void dropSchema() throws Exception {
        try (Connection c = DriverManager.getConnection(BASE); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void accountsCharactersAndPositionsSurviveARestart() throws Exception {
        float x, y;
        CharacterSummary created;
        try (TestServer server = TestServer.start(url, Map.of())) {
            MmoClient first = server.connect();
            created = server.play(first, "pgplayer", "Pgplayer", CharacterClass.WARRIOR);
            int seq = first.sendInput(1, 1);
            server.tickUntil(() -> first.snapshot().ackSeq() == seq, 200, first);
            for (int i = 0; i < 10; i++) server.tick(first);
            int stop = first.sendInput(0, 0);
            server.tickUntil(() -> first.snapshot().ackSeq() == stop, 200, first);
            server.tick(first);
            x = first.snapshot().x();
            y = first.snapshot().y();
            first.close();
            server.tick();
        } // graceful close saves everyone

        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM " + schema + ".accounts")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }

        try (TestServer server = TestServer.start(url, Map.of())) {
            MmoClient again = server.connect();
            LoginOk ok = again.login("PGPLAYER", "password-pgplayer").get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(ok.getCharactersList()).singleElement().satisfies(ch -> {
                assertThat(ch.getName()).isEqualTo("Pgplayer");
                assertThat(ch.getAppearance()).isEqualTo(created.getAppearance());
            });
            WorldEntered entered = server.tickUntilDone(again.enterWorld(created.getId()));
            assertThat(entered.getX() / 16f).isCloseTo(x, within(0.07f));
            assertThat(entered.getY() / 16f).isCloseTo(y, within(0.07f));
            again.close();
        }
    }
}

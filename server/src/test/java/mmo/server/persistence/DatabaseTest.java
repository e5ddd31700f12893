package mmo.server.persistence;

import mmo.server.persistence.TestDatabases.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Opening, migrating, reopening and closing the database; the fixture's isolation. */
class DatabaseTest {
    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migratesAnEmptyDatabaseToTheLatestSchema(Backend backend) throws SQLException {
        Database db = dbs.open(backend);
        assertThat(db.isSqlite()).isEqualTo(backend == Backend.SQLITE);
        assertThat(appliedMigrations(db)).containsExactly("1", "2", "3", "4");
        AccountRepository accounts = new AccountRepository(db);
        assertThat(accounts.findByUsername("nobody")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void reopeningRunsNoMigrationTwiceAndKeepsTheData(Backend backend) throws SQLException {
        String url = dbs.freshUrl(backend);
        Database first = dbs.open(url);
        AccountRecord alice = new AccountRepository(first).create("Alice", "hash");
        CharacterRecord hero = new CharacterRepository(first).create(alice.id(), "Hero", 1, new byte[] {1, 2, 3},
                "Testland", 12.5f, 7.25f);
        new CharacterRepository(first).saveStates(List.of(new CharacterState(hero.id(), 0, "Testland", 20.5f, 30.5f)));
        first.close();

        Database second = dbs.open(url);
        assertThat(appliedMigrations(second)).containsExactly("1", "2", "3", "4");
        assertThat(new AccountRepository(second).findByUsername("alice")).contains(alice);
        CharacterRecord reread = new CharacterRepository(second).findById(hero.id()).orElseThrow();
        assertThat(reread.name()).isEqualTo("Hero");
        assertThat(reread.appearance()).containsExactly(1, 2, 3);
        assertThat(reread.x()).isEqualTo(20.5f);
        assertThat(reread.y()).isEqualTo(30.5f);
        second.close();

        Database third = dbs.open(url);
        assertThat(appliedMigrations(third)).containsExactly("1", "2", "3", "4");
        assertThat(new CharacterRepository(third).countByAccount(alice.id())).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void freshDatabasesAreIndependent(Backend backend) {
        Database a = dbs.open(backend);
        Database b = dbs.open(backend);
        new AccountRepository(a).create("Alice", "hash");
        assertThat(new AccountRepository(b).findByUsername("Alice")).isEmpty();
        new AccountRepository(b).create("Alice", "hash"); // no clash: another database
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aClosedDatabaseFailsWithPersistenceException(Backend backend) {
        Database db = dbs.open(backend);
        AccountRepository accounts = new AccountRepository(db);
        db.close();
        db.close(); // idempotent
        assertThat(db.toString()).contains("closed");
        assertThatThrownBy(() -> accounts.findByUsername("Alice")).isInstanceOf(PersistenceException.class);
        assertThatThrownBy(() -> accounts.create("Alice", "hash")).isInstanceOf(PersistenceException.class);
    }

    @Test
    void postgresTablesLiveOnlyInTheTestSchema() throws SQLException {
        Database db = dbs.open(Backend.POSTGRES);
        String schema = dbs.lastSchema();
        List<String> tables = new ArrayList<>();
        try (Connection c = TestDatabases.connectPostgres();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) tables.add(rs.getString(1));
            }
        }
        assertThat(tables).containsExactly("accounts", "characters", "flyway_schema_history", "ignores", "items",
                "moderation_audit", "sessions");
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT current_schema()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(schema);
        }
    }

    @Test
    void postgresUriFormIsAccepted() {
        Database db = dbs.open(postgresUriForm(dbs.freshUrl(Backend.POSTGRES)));
        assertThat(db.isSqlite()).isFalse();
        new AccountRepository(db).create("Alice", "hash");
    }

    @Test
    void unreachableDatabaseFailsWithoutLeakingThePassword() {
        assertThatThrownBy(() -> Database.open("postgresql://mmo:s3cr3t@127.0.0.1:1/test"))
                .isInstanceOf(PersistenceException.class)
                .message().doesNotContain("s3cr3t");
        assertThatThrownBy(() -> Database.open("jdbc:postgresql://127.0.0.1:1/test?user=mmo&password=s3cr3t"))
                .isInstanceOf(PersistenceException.class)
                .message().doesNotContain("s3cr3t");
    }

    @Test
    void unsupportedUrlsAreRejected() {
        assertThatThrownBy(() -> Database.open("jdbc:mysql://localhost/test"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Database.open("mysql://u:s3cr3t@localhost/test"))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("s3cr3t");
    }

    @Test
    void redactHidesPasswordsInBothUrlForms() {
        assertThat(Database.redact("postgresql://mmo:pw@db:5432/game")).isEqualTo("postgresql://mmo:***@db:5432/game");
        assertThat(Database.redact("jdbc:postgresql://db/game?user=mmo&password=pw&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/game?user=mmo&password=***&ssl=true");
        assertThat(Database.redact("postgres://mmo:pw@db/game?Password=pw2")).doesNotContain("pw@").doesNotContain("pw2");
        assertThat(Database.redact("jdbc:sqlite:data/game.db")).isEqualTo("jdbc:sqlite:data/game.db");
    }

    @Test
    void sqliteCreatesTheParentDirectory() {
        Path file = dir.resolve("nested/deeper/game.db");
        Database db = dbs.open("jdbc:sqlite:" + file);
        new AccountRepository(db).create("Alice", "hash");
        assertThat(file).exists();
    }

    @Test
    void sqliteConnectionsGetTheConfiguredPragmas() throws SQLException {
        Database db = dbs.open(Backend.SQLITE);
        // Every pooled connection, not just the first: borrow all of them at once.
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) held.add(db.dataSource().getConnection());
            for (Connection c : held) {
                assertThat(pragma(c, "journal_mode")).isEqualToIgnoringCase("wal");
                assertThat(pragma(c, "foreign_keys")).isEqualTo("1");
                assertThat(pragma(c, "busy_timeout")).isEqualTo("10000");
                assertThat(pragma(c, "synchronous")).isEqualTo("1"); // NORMAL
            }
        } finally {
            for (Connection c : held) c.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:sqlite::memory:", "jdbc:sqlite:"})
    void inMemorySqliteKeepsItsDataAcrossQueries(String url) {
        Database db = dbs.open(url);
        AccountRepository accounts = new AccountRepository(db);
        AccountRecord a = accounts.create("Alice", "hash");
        new CharacterRepository(db).create(a.id(), "Hero", 0, new byte[0], "Testland", 1, 1, 8);
        assertThat(accounts.findByUsername("alice")).contains(a);
        assertThat(new CharacterRepository(db).countByAccount(a.id())).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void saveServiceWritesInOrderAndFlushesOnClose(Backend backend) throws Exception {
        Database db = dbs.open(backend);
        CharacterRepository characters = new CharacterRepository(db);
        long account = new AccountRepository(db).create("Alice", "hash").id();
        CharacterRecord hero = characters.create(account, "Hero", 0, new byte[0], "Testland", 1, 1);
        List<CharacterState> states = new ArrayList<>(List.of(new CharacterState(hero.id(), 0, "Testland", 2, 2)));
        SaveService saves = new SaveService(characters);
        CompletableFuture<Void> first = saves.save(states);
        states.set(0, new CharacterState(hero.id(), 0, "Testland", 99, 99)); // the service copied the list
        for (int i = 3; i <= 50; i++) {
            saves.save(List.of(new CharacterState(hero.id(), 0, "Testland", i, i)));
        }
        saves.close(); // waits for the queued saves
        assertThat(first).isCompleted();
        CharacterRecord saved = characters.findById(hero.id()).orElseThrow();
        assertThat(saved.x()).isEqualTo(50f);
        assertThat(saved.y()).isEqualTo(50f);
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** jdbc:postgresql://host:port/db?user=u&currentSchema=s as postgresql://u@host:port/db?currentSchema=s. */
    private static String postgresUriForm(String jdbcUrl) {
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        String hostAndDb = rest.substring(0, rest.indexOf('?'));
        String user = null;
        List<String> params = new ArrayList<>();
        for (String p : rest.substring(rest.indexOf('?') + 1).split("&")) {
            if (p.startsWith("user=")) user = p.substring(5); else params.add(p);
        }
        return "postgresql://" + (user != null ? user + "@" : "") + hostAndDb + "?" + String.join("&", params);
    }

    private static List<String> appliedMigrations(Database db) throws SQLException {
        List<String> versions = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")) {
            while (rs.next()) versions.add(rs.getString(1));
        }
        return versions;
    }
}

package mmo.server.persistence;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Fresh, migrated databases for tests on both backends. Register it per test class together
 * with a {@code @TempDir}:
 *
 * <pre>{@code
 * @TempDir Path dir;
 * @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);
 *
 * @ParameterizedTest @EnumSource(TestDatabases.Backend.class)
 * void something(TestDatabases.Backend backend) {
 *     Database db = dbs.open(backend);
 * }
 * }</pre>
 *
 * <ul>
 *   <li>SQLITE: a new file in the test's temporary directory.</li>
 *   <li>POSTGRES: the server at {@code 127.0.0.1:5432}, database {@code test} (override the whole
 *       JDBC URL with {@code -Dmmo.test.postgres.url=...}); each fresh database is a new schema
 *       {@code t_<random>}, selected through {@code currentSchema=} so Flyway and the repositories
 *       only ever see it. The schema is dropped after the test.</li>
 * </ul>
 *
 * If PostgreSQL cannot be reached, POSTGRES tests fail with a message saying so; they are
 * skipped only when {@code -Dmmo.test.postgres=skip} is given explicitly.
 * Every {@link Database} opened here is closed after the test. One test thread.
 */
public final class TestDatabases implements AfterEachCallback {
    public enum Backend { SQLITE, POSTGRES }

    /** The server and database the POSTGRES backend uses (no schema: the fixture adds one). */
    public static final String POSTGRES_URL =
            System.getProperty("mmo.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final boolean SKIP_POSTGRES = "skip".equals(System.getProperty("mmo.test.postgres"));

    private final Supplier<Path> tempDir;
    private final List<Database> opened = new ArrayList<>();
    private final List<String> schemas = new ArrayList<>();
    private int files;

    /** {@code tempDir} is read lazily, so it may return a {@code @TempDir} field of the test. */
    public TestDatabases(Supplier<Path> tempDir) {
        this.tempDir = tempDir;
    }

    /**
     * The URL of a new, empty database (nothing migrated yet). Several calls give several
     * independent databases; opening the same URL twice gives the same data.
     */
    public String freshUrl(Backend backend) {
        return switch (backend) {
            case SQLITE -> "jdbc:sqlite:" + tempDir.get().resolve("game-" + (++files) + ".db");
            case POSTGRES -> {
                String schema = "t_" + HexFormat.of().formatHex(randomBytes());
                postgresAdmin("CREATE SCHEMA " + schema);
                schemas.add(schema);
                yield withParameter(POSTGRES_URL, "currentSchema=" + schema);
            }
        };
    }

    /** Opens (and migrates) the database at {@code url}; closed after the test. */
    public Database open(String url) {
        Database db = Database.open(url);
        opened.add(db);
        return db;
    }

    /** A new, empty, migrated database. */
    public Database open(Backend backend) {
        return open(freshUrl(backend));
    }

    /** The schema the last fresh POSTGRES database lives in. */
    public String lastSchema() {
        if (schemas.isEmpty()) throw new IllegalStateException("no PostgreSQL database was made");
        return schemas.get(schemas.size() - 1);
    }

    /** Runs one statement as the fixture's own connection to the PostgreSQL database (not the pool). */
    public static void postgresAdmin(String sql) {
        try (Connection c = connectPostgres(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL fixture statement failed: " + sql, e);
        }
    }

    /** A plain connection to the test database, or a clear failure (skip only if asked for). */
    public static Connection connectPostgres() {
        Assumptions.assumeFalse(SKIP_POSTGRES, "PostgreSQL tests skipped: -Dmmo.test.postgres=skip");
        try {
            return DriverManager.getConnection(POSTGRES_URL);
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL is not reachable at " + Database.redact(POSTGRES_URL) + " (" + e.getMessage()
                    + "). Start it (trust auth, database 'test') or set -Dmmo.test.postgres.url=...;"
                    + " to skip the PostgreSQL tests deliberately run with -Dmmo.test.postgres=skip", e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        RuntimeException failure = null;
        for (Database db : opened) {
            try {
                db.close();
            } catch (RuntimeException e) {
                if (failure == null) failure = e; else failure.addSuppressed(e);
            }
        }
        opened.clear();
        for (String schema : schemas) {
            try {
                postgresAdmin("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (RuntimeException e) {
                if (failure == null) failure = e; else failure.addSuppressed(e);
            }
        }
        schemas.clear();
        if (failure != null) throw failure;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private static String withParameter(String url, String parameter) {
        return url + (url.contains("?") ? "&" : "?") + parameter;
    }
}

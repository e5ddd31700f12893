package mmo.server.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The connection pool to the game database (SQLite file or PostgreSQL), migrated to the latest
 * schema when opened. Owns the pool; repositories borrow connections from it. Thread-safe: any
 * thread may use it, but JDBC blocks, so callers keep it off event loops and the tick.
 */
public final class Database implements AutoCloseable {
    // SQLite allows one writer at a time; a few connections let WAL readers run beside it and
    // writers queue on busy_timeout instead of in the pool.
    private static final int SQLITE_POOL_SIZE = 4;
    private static final int POSTGRES_POOL_SIZE = 10;
    private static final String SQLITE_BUSY_TIMEOUT_MS = "10000";
    // Players wait on these queries: fail a request quickly when the database is gone rather
    // than hold it for Hikari's default 30 s.
    private static final long CONNECTION_TIMEOUT_MS = 5_000;

    private final HikariDataSource pool;
    private final boolean sqlite;
    private final Runnable afterClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Database(HikariDataSource pool, boolean sqlite, Runnable afterClose) {
        this.pool = pool;
        this.sqlite = sqlite;
        this.afterClose = afterClose;
    }

    /**
     * Opens a pool and applies pending migrations. Accepts {@code jdbc:sqlite:path},
     * {@code jdbc:postgresql://...} and {@code postgresql://[user[:password]@]host[:port]/db}.
     *
     * @throws PersistenceException if the database cannot be reached or migrated
     * @throws IllegalArgumentException if the URL is of no supported kind
     */
    public static Database open(String jdbcUrl) {
        return open(jdbcUrl, () -> { });
    }

    /** As {@link #open(String)}; {@code afterClose} runs once the pool is closed (test fixtures). */
    static Database open(String url, Runnable afterClose) {
        HikariConfig config = new HikariConfig();
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        boolean sqlite = url.startsWith("jdbc:sqlite:");
        if (sqlite) {
            configureSqlite(config, url);
        } else {
            configurePostgres(config, url);
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new PersistenceException("cannot connect to the database " + redact(url), e);
        }
        Database db = new Database(pool, sqlite, afterClose);
        try {
            db.migrate();
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    private static void configureSqlite(HikariConfig config, String url) {
        String target = url.substring("jdbc:sqlite:".length());
        boolean memory = target.isEmpty() || target.startsWith(":memory:") || target.contains("mode=memory");
        if (!memory) {
            createParentDirectory(target);
        }
        config.setJdbcUrl(url);
        config.setPoolName("sqlite");
        // Every connection to an in-memory database is a separate database: keep exactly one.
        config.setMaximumPoolSize(memory ? 1 : SQLITE_POOL_SIZE);
        // Recycling SQLite connections buys nothing and would drop an in-memory database.
        config.setMaxLifetime(0);
        config.setIdleTimeout(0);
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("synchronous", "NORMAL");
        config.addDataSourceProperty("foreign_keys", "true");
        config.addDataSourceProperty("busy_timeout", SQLITE_BUSY_TIMEOUT_MS);
        // Transactions take the write lock up front, so a read-then-write transaction waits
        // on busy_timeout instead of failing with SQLITE_BUSY when another writer got in first.
        config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
    }

    private static void createParentDirectory(String target) {
        String file = target.startsWith("file:") ? target.substring("file:".length()) : target;
        int query = file.indexOf('?');
        if (query >= 0) {
            file = file.substring(0, query);
        }
        Path parent = Path.of(file).toAbsolutePath().getParent();
        if (parent == null) {
            return;
        }
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new PersistenceException("cannot create the database directory " + parent, e);
        }
    }

    private static void configurePostgres(HikariConfig config, String url) {
        config.setPoolName("postgresql");
        config.setMaximumPoolSize(POSTGRES_POOL_SIZE);
        if (url.startsWith("jdbc:postgresql:")) {
            config.setJdbcUrl(url);
        } else if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
            convertUriForm(config, url);
        } else {
            throw new IllegalArgumentException(
                    "unsupported database URL (use jdbc:sqlite:, jdbc:postgresql: or postgresql://): " + redact(url));
        }
    }

    /** The JDBC driver does not read user:password@ from the authority, so move it to properties. */
    private static void convertUriForm(HikariConfig config, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed database URL: " + redact(url), e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("database URL without a host: " + redact(url));
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
        if (uri.getPort() >= 0) {
            jdbc.append(':').append(uri.getPort());
        }
        jdbc.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
        if (uri.getRawQuery() != null) {
            jdbc.append('?').append(uri.getRawQuery());
        }
        config.setJdbcUrl(jdbc.toString());
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            config.setUsername(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
            if (colon >= 0) {
                config.setPassword(decode(userInfo.substring(colon + 1)));
            }
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL with any password (user:password@ or password=) masked, for logs and messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(//[^/@:]*:)[^@/]*@", "$1***@");
    }

    private void migrate() {
        String vendor = sqlite ? "sqlite" : "postgresql";
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration/" + vendor)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new PersistenceException("cannot migrate the database: " + e.getMessage(), e);
        }
    }

    /**
     * Borrows a connection and checks that the database answers (readiness). Blocks up to the
     * pool's connection time-out: callers keep it off event loops and the tick.
     *
     * @throws SQLException why the database does not answer
     */
    public void ping() throws SQLException {
        try (Connection c = pool.getConnection()) {
            if (!c.isValid(2)) throw new SQLException("the database did not answer a validation query within 2 s");
        }
    }

    /** The pool, for code that needs plain JDBC. */
    public DataSource dataSource() {
        return pool;
    }

    /** True for SQLite, false for PostgreSQL: the few places where their SQL differs ask this. */
    public boolean isSqlite() {
        return sqlite;
    }

    /** Closes the pool; later queries fail with {@link PersistenceException}. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            pool.close();
            afterClose.run();
        }
    }

    /** Work done on one borrowed connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Sets a prepared statement's parameters. */
    @FunctionalInterface
    interface Binder {
        void bind(java.sql.PreparedStatement ps) throws SQLException;
    }

    /**
     * Runs one statement that changes rows, in auto-commit mode; returns how many it changed.
     *
     * @throws PersistenceException with {@code failure} as its message when the database fails
     */
    int update(String sql, Binder binder, String failure) {
        try {
            return withConnection(c -> {
                try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                    binder.bind(ps);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new PersistenceException(failure, e);
        }
    }

    /** Runs {@code work} on a connection in auto-commit mode. */
    <T> T withConnection(SqlWork<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        }
    }

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    <T> T inTransaction(SqlWork<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** True if {@code e} says a unique index or primary key rejected the row. */
    static boolean isUniqueViolation(SQLException e) {
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode code = se.getResultCode();
            return code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                    || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
        }
        return "23505".equals(e.getSQLState());
    }

    @Override
    public String toString() {
        return "Database[" + (sqlite ? "sqlite" : "postgresql") + (closed.get() ? ", closed" : "") + "]";
    }
}

package mmo.server.metrics;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether the database answers, for readiness: runs a short query on its own executor (never on
 * an event loop), and keeps the result for {@link #FRESH_NANOS}, so that probes from several
 * places cost one query every couple of seconds. A query still running is joined, not started
 * again, so a database that hangs holds one thread, not one per probe. The caller bounds its wait
 * with {@link #check(long)}: a database that does not answer in time is not ready. Any thread.
 */
public final class DatabaseProbe {
    /** How long a result is used before the next query. */
    public static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final String NAME = "database";

    /** The query: returns normally when the database answers; throws why not. */
    public interface Query {
        void run() throws Exception;
    }

    private final Query query;
    private final Executor executor;
    private final LongSupplier clock;
    private Health.Check last;           // guarded by this
    private long lastAt;                 // when last was taken
    private CompletableFuture<Health.Check> running; // guarded by this; null when none runs

    public DatabaseProbe(Query query, Executor executor, LongSupplier clock) {
        this.query = query;
        this.executor = executor;
        this.clock = clock;
    }

    /**
     * The database's state: a fresh result at once, else the running (or a new) query's, or DOWN
     * when it takes longer than {@code timeoutMillis}.
     */
    public CompletableFuture<Health.Check> check(long timeoutMillis) {
        CompletableFuture<Health.Check> f;
        synchronized (this) {
            if (last != null && clock.getAsLong() - lastAt < FRESH_NANOS) return CompletableFuture.completedFuture(last);
            f = running;
            if (f == null) {
                CompletableFuture<Health.Check> started = new CompletableFuture<>();
                running = started;
                f = started;
                // recorded when it ends, which may be at once (an executor that runs it here)
                started.thenAccept(this::record);
                try {
                    executor.execute(() -> started.complete(runQuery()));
                } catch (RuntimeException e) { // executor shut down: the server is stopping
                    running = null;
                    return CompletableFuture.completedFuture(new Health.Check(NAME, "not checked: " + e));
                }
            }
        }
        return f.copy().completeOnTimeout(new Health.Check(NAME, "no answer within " + timeoutMillis + " ms"),
                timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private Health.Check runQuery() {
        try {
            query.run();
            return Health.Check.up(NAME);
        } catch (Exception e) {
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            return new Health.Check(NAME, why.length() > 300 ? why.substring(0, 300) + "..." : why);
        }
    }

    private synchronized void record(Health.Check result) {
        last = result;
        lastAt = clock.getAsLong();
        running = null;
    }
}

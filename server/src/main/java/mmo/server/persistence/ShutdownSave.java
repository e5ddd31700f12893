package mmo.server.persistence;

import mmo.server.world.World;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The final save of a graceful stop: each world's last character states, tried again while the
 * database fails, until {@code mmo.save.shutdown-retry} has passed. Nothing saves these states
 * after the process is gone, so a database restarting during the stop would otherwise lose
 * every position since the last periodic save.
 *
 * <p>A failed try wrote nothing (a save is one transaction), so the same batch is tried again.
 * A {@link FencedException} is final: the rest of the batch was written, and the refused
 * characters belong to a newer owner. Runs on the closing thread, after the tick has stopped.
 */
public final class ShutdownSave {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSave.class);

    /** Between a failed try and the next. A try against a database that is gone takes the pool's connection time-out (5 s) to fail. */
    static final long PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a try under way is waited for, even past the retry time (as the single try was before retries). */
    static final long TRY_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** One world's final states. */
    public record Batch(String world, List<CharacterState> states) {
        public Batch {
            states = List.copyOf(states);
        }
    }

    /**
     * How it ended, over all batches.
     *
     * @param saved   characters whose positions were written
     * @param fenced  characters refused because another owner claimed them (final, not retried)
     * @param unsaved characters whose positions were not saved: the database failed until the retry time passed
     * @param tries   tries made, the most any batch took
     */
    public record Outcome(int saved, int fenced, int unsaved, int tries) {}

    /** Waits between tries; tests step it instead of sleeping. */
    public interface Pause {
        void sleep(long nanos) throws InterruptedException;
    }

    private final World.Saver saver;
    private final long retryNanos;
    private final LongSupplier nanoTime;
    private final Pause pause;

    public ShutdownSave(World.Saver saver, Duration retry) {
        this(saver, retry, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    ShutdownSave(World.Saver saver, Duration retry, LongSupplier nanoTime, Pause pause) {
        this.saver = saver;
        this.retryNanos = retry.toNanos();
        this.nanoTime = nanoTime;
        this.pause = pause;
    }

    private static final class Pending {
        final Batch batch;
        int tries;
        CompletableFuture<Void> attempt;
        long started;

        Pending(Batch batch) {
            this.batch = batch;
        }
    }

    /**
     * Saves every batch, trying those that fail again (after {@link #PAUSE_NANOS}) until they
     * are saved or the retry time has passed; logs each failed try at WARN and each world's
     * outcome. Returns when all are done or given up. Interrupted: stops retrying (the
     * interrupt stays set).
     */
    public Outcome run(List<Batch> batches) {
        long start = nanoTime.getAsLong();
        long deadline = start + retryNanos;
        List<Pending> pending = new ArrayList<>();
        for (Batch b : batches) {
            if (!b.states().isEmpty()) pending.add(new Pending(b));
        }
        int saved = 0, fenced = 0, unsaved = 0, tries = 0;
        boolean interrupted = false;
        while (!pending.isEmpty()) {
            for (Pending p : pending) submit(p);
            List<Pending> failed = new ArrayList<>();
            for (Pending p : pending) {
                tries = Math.max(tries, p.tries);
                Throwable err = interrupted ? new InterruptedException() : await(p, deadline);
                if (err instanceof InterruptedException) interrupted = true;
                FencedException f = FencedException.in(err);
                if (err == null || f != null) {
                    int refused = f == null ? 0 : f.rejected().size();
                    saved += p.batch.states().size() - refused;
                    fenced += refused;
                    log.info("shutdown save of world '{}': {} characters saved after {} {}{}", p.batch.world(),
                            p.batch.states().size() - refused, p.tries, p.tries == 1 ? "try" : "tries",
                            refused == 0 ? "" : "; " + refused + " refused: claimed by a newer owner (not retried)");
                    continue;
                }
                long left = deadline - nanoTime.getAsLong();
                if (err instanceof TimeoutException || err instanceof InterruptedException || left <= 0) {
                    unsaved += p.batch.states().size();
                    log.error("shutdown save of world '{}' given up after {} {} in {} ms ({}): the positions of {} characters"
                                    + " since their last save were not saved", p.batch.world(), p.tries, p.tries == 1 ? "try" : "tries",
                            TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - start), reason(err), p.batch.states().size());
                    continue;
                }
                log.warn("shutdown save of world '{}' failed (try {}): {}; {} characters' positions not saved yet,"
                                + " trying again for another {} ms (mmo.save.shutdown-retry)", p.batch.world(), p.tries, reason(err),
                        p.batch.states().size(), TimeUnit.NANOSECONDS.toMillis(left));
                failed.add(p);
            }
            pending = failed;
            if (pending.isEmpty()) break;
            long wait = Math.min(PAUSE_NANOS, deadline - nanoTime.getAsLong());
            try {
                if (wait > 0) pause.sleep(wait);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (interrupted) {
                for (Pending p : pending) {
                    unsaved += p.batch.states().size();
                    log.error("shutdown save of world '{}' given up after {} {}: interrupted; the positions of {} characters"
                            + " since their last save were not saved", p.batch.world(), p.tries, p.tries == 1 ? "try" : "tries",
                            p.batch.states().size());
                }
                break;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return new Outcome(saved, fenced, unsaved, tries);
    }

    private void submit(Pending p) {
        p.tries++;
        p.started = nanoTime.getAsLong();
        try {
            p.attempt = saver.save(p.batch.states());
        } catch (RuntimeException e) {
            p.attempt = CompletableFuture.failedFuture(e);
        }
    }

    /** Null when the try succeeded, else why it failed: its failure, a {@link TimeoutException} or an {@link InterruptedException}. */
    private Throwable await(Pending p, long deadline) {
        long until = Math.max(deadline, p.started + TRY_WAIT_NANOS);
        try {
            p.attempt.get(Math.max(0, until - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (TimeoutException | InterruptedException e) {
            return e;
        }
    }

    private static String reason(Throwable err) {
        if (err instanceof TimeoutException) return "a try still under way";
        if (err instanceof InterruptedException) return "interrupted";
        Throwable root = err;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root == err ? err.toString() : err + " (" + root + ")";
    }
}

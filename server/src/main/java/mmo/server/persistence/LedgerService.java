package mmo.server.persistence;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@link Ledger} over an {@link InventoryRepository}: each change runs on one database
 * thread of its own, in the order it was submitted, so the changes of a character apply in the
 * order the tick made them. Submitting never blocks (the queue is unbounded; it holds a few
 * small changes per loot, trade or level) and never throws: a change the service cannot take
 * any more (closed) fails its future.
 *
 * <p>A change fails its future with the exception that refused it and nothing of it is
 * applied: {@link FencedException} (logged here, once, at WARN; final), {@link ItemConflictException},
 * {@link IllegalArgumentException} for a malformed change, {@link PersistenceException} if the
 * database fails. A failure does not stop the service, and changes submitted once the database
 * is back apply.
 *
 * <p>While the database is unreachable (the pool timed out getting a connection) the changes
 * queued behind fail at once for {@link #UNREACHABLE_BACKOFF_NANOS} instead of each waiting the
 * pool's connection timeout in turn: otherwise a queue of equips and pickups made during an
 * outage would take minutes to answer, and a player would wait that long to be told a pickup
 * failed. After the back-off the next change tries the database again.
 */
public final class LedgerService implements Ledger, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LedgerService.class);

    /** How long changes fail at once after the database was found unreachable. */
    static final long UNREACHABLE_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final InventoryRepository inventory;
    // Ledger thread only: until when changes fail at once (valid while unreachable is set).
    private boolean unreachable;
    private long unreachableUntil;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("ledger").daemon(false).factory());

    public LedgerService(InventoryRepository inventory) {
        this.inventory = Objects.requireNonNull(inventory);
    }

    @Override
    public CompletableFuture<long[]> create(long characterId, long epoch, List<NewItem> items, long gold) {
        List<NewItem> copy = List.copyOf(items);
        return submit(() -> inventory.create(characterId, epoch, copy, gold));
    }

    @Override
    public CompletableFuture<Void> addGold(long characterId, long epoch, long gold) {
        return run(() -> inventory.addGold(characterId, epoch, gold));
    }

    @Override
    public CompletableFuture<Void> move(long characterId, long epoch, List<ItemMove> moves) {
        List<ItemMove> copy = List.copyOf(moves);
        return run(() -> inventory.move(characterId, epoch, copy));
    }

    @Override
    public CompletableFuture<Void> drop(long characterId, long epoch, long itemId, String world, float x, float y) {
        return run(() -> inventory.drop(characterId, epoch, itemId, world, x, y));
    }

    @Override
    public CompletableFuture<Void> pickUp(long characterId, long epoch, long itemId, int bagSlot) {
        return run(() -> inventory.pickUp(characterId, epoch, itemId, bagSlot));
    }

    @Override
    public CompletableFuture<Void> progress(long characterId, long epoch, int level, long xp) {
        return run(() -> inventory.progress(characterId, epoch, level, xp));
    }

    @Override
    public CompletableFuture<Void> trade(TradeSide a, TradeSide b) {
        return run(() -> inventory.trade(a, b));
    }

    @Override
    public CompletableFuture<Progress> load(long characterId) {
        return submit(() -> inventory.load(characterId));
    }

    @Override
    public CompletableFuture<List<ItemRow>> ground(String world) {
        return submit(() -> inventory.ground(world));
    }

    private CompletableFuture<Void> run(Runnable change) {
        return submit(() -> {
            change.run();
            return null;
        });
    }

    private <T> CompletableFuture<T> submit(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (unreachable && System.nanoTime() - unreachableUntil < 0) {
                    result.completeExceptionally(new PersistenceException("the database is unreachable; not tried", null));
                    return;
                }
                try {
                    result.complete(work.get());
                    unreachable = false;
                } catch (FencedException e) {
                    for (FencedSave f : e.rejected()) {
                        log.warn("a change for character {} was rejected: it was claimed again (change epoch {},"
                                + " current epoch {}); not retried", f.characterId(), f.state().epoch(), f.currentEpoch());
                    }
                    result.completeExceptionally(e);
                } catch (RuntimeException | Error e) {
                    if (isUnreachable(e)) {
                        if (!unreachable) log.warn("the database is unreachable; changes fail at once for the next {} ms",
                                TimeUnit.NANOSECONDS.toMillis(UNREACHABLE_BACKOFF_NANOS));
                        unreachable = true;
                        unreachableUntil = System.nanoTime() + UNREACHABLE_BACKOFF_NANOS;
                    }
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the ledger is closed", e));
        }
        return result;
    }

    /** Whether {@code e} says no connection to the database could be had (the pool timed out). */
    static boolean isUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) return true;
        }
        return false;
    }

    /** Finishes queued changes, then stops; changes submitted from now on fail. */
    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }
}

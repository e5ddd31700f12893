package mmo.server.persistence;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * database fails. A failure does not stop the service: while the database is unreachable each
 * change fails after the pool's connection timeout, and changes submitted once it is back apply.
 */
public final class LedgerService implements Ledger, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LedgerService.class);

    private final InventoryRepository inventory;
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
                try {
                    result.complete(work.get());
                } catch (FencedException e) {
                    for (FencedSave f : e.rejected()) {
                        log.warn("a change for character {} was rejected: it was claimed again (change epoch {},"
                                + " current epoch {}); not retried", f.characterId(), f.state().epoch(), f.currentEpoch());
                    }
                    result.completeExceptionally(e);
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the ledger is closed", e));
        }
        return result;
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

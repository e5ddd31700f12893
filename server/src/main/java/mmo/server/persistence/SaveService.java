package mmo.server.persistence;

import mmo.server.world.World;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Writes character states off the tick, on one thread of its own so that saves of the same
 * character are applied in the order they were taken. The tick hands over immutable
 * snapshots ({@link CharacterState}) and never waits.
 */
public final class SaveService implements World.Saver, AutoCloseable {
    private final CharacterRepository characters;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("save").daemon(false).factory());

    public SaveService(CharacterRepository characters) {
        this.characters = characters;
    }

    @Override
    public CompletableFuture<Void> save(Collection<CharacterState> states) {
        List<CharacterState> copy = List.copyOf(states);
        return CompletableFuture.runAsync(() -> characters.saveStates(copy), executor);
    }

    /** Finishes queued saves, then stops. */
    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }
}

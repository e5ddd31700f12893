package mmo.server.persistence;

import mmo.server.world.World;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>A save fails with {@link FencedException} when some of its states were rejected because
 * their characters were claimed again since (the rest of it was written): the rejection is
 * final and logged here, once, at WARN.
 */
public final class SaveService implements World.Saver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SaveService.class);

    private final CharacterRepository characters;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("save").daemon(false).factory());

    /** Told of each save batch once written (or refused), on the save thread: the metrics' save timer. */
    public interface Listener {
        /** @param outcome "ok", "fenced" (some states refused, the rest written) or "failed" */
        void saved(int characters, long nanos, String outcome);
    }

    private volatile Listener listener;

    public SaveService(CharacterRepository characters) {
        this.characters = characters;
    }

    /** Sets the one {@link Listener} (null: none). Any thread. */
    public void listen(Listener listener) {
        this.listener = listener;
    }

    @Override
    public CompletableFuture<Void> save(Collection<CharacterState> states) {
        List<CharacterState> copy = List.copyOf(states);
        return CompletableFuture.runAsync(() -> {
            long start = System.nanoTime();
            List<FencedSave> fenced;
            try {
                fenced = characters.saveStates(copy);
            } catch (RuntimeException e) {
                told(copy.size(), start, "failed");
                throw e;
            }
            told(copy.size(), start, fenced.isEmpty() ? "ok" : "fenced");
            if (fenced.isEmpty()) return;
            for (FencedSave f : fenced) {
                log.warn("save of character {} rejected: it was claimed again (save epoch {}, current epoch {});"
                        + " not retried", f.characterId(), f.state().epoch(), f.currentEpoch());
            }
            throw new FencedException(fenced);
        }, executor);
    }

    private void told(int n, long start, String outcome) {
        Listener l = listener;
        if (l == null) return;
        try {
            l.saved(n, System.nanoTime() - start, outcome);
        } catch (RuntimeException e) {
            log.warn("save listener failed: {}", e.toString());
        }
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

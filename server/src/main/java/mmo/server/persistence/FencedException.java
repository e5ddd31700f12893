package mmo.server.persistence;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Some states of a save were rejected because their characters were claimed by a newer owner;
 * the save's other states were written. Or a {@link Ledger} change was rejected as a whole
 * ({@link #change}): nothing of it was applied. A fenced state is final: retrying it can never
 * succeed, and the one that took it should stop simulating the character. Immutable, any thread.
 */
public final class FencedException extends RuntimeException {
    private final List<FencedSave> rejected;

    public FencedException(List<FencedSave> rejected) {
        this("save", rejected);
    }

    private FencedException(String what, List<FencedSave> rejected) {
        super(what + " rejected for characters claimed by a newer owner: "
                + rejected.stream().map(f -> String.valueOf(f.characterId())).toList(), null, false, false);
        this.rejected = List.copyOf(rejected);
    }

    /**
     * A {@link Ledger} change ({@code what}: "trade", "drop", ...) of which nothing was applied
     * because these characters were not claimed under its epochs (see {@link FencedSave#ofChange}).
     */
    public static FencedException change(String what, List<FencedSave> rejected) {
        if (rejected.isEmpty()) throw new IllegalArgumentException("nothing rejected");
        return new FencedException(what, rejected);
    }

    /** The rejected states, in the order they were given to the save. */
    public List<FencedSave> rejected() {
        return rejected;
    }

    /** The ids of the rejected characters. */
    public List<Long> characterIds() {
        return rejected.stream().map(FencedSave::characterId).toList();
    }

    /** {@code t} or the cause it wraps (as a future's failure does), if that is a FencedException; else null. */
    public static FencedException in(Throwable t) {
        if ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof FencedException f ? f : null;
    }
}

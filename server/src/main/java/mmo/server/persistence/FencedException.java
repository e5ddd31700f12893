package mmo.server.persistence;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Some states of a save were rejected because their characters were claimed by a newer owner;
 * the save's other states were written. A fenced state is final: retrying it can never succeed,
 * and the one that took it should stop simulating the character. Immutable, any thread.
 */
public final class FencedException extends RuntimeException {
    private final List<FencedSave> rejected;

    public FencedException(List<FencedSave> rejected) {
        super("save rejected for characters claimed by a newer owner: "
                + rejected.stream().map(f -> String.valueOf(f.characterId())).toList(), null, false, false);
        this.rejected = List.copyOf(rejected);
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

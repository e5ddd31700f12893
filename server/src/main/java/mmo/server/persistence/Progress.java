package mmo.server.persistence;

import java.util.List;

/** A character's level, experience, gold and items, as stored. */
public record Progress(int level, long xp, long gold, List<ItemRow> items) {
    public Progress {
        items = List.copyOf(items);
    }

    /** A new character's: level 1, nothing. */
    public static Progress fresh() {
        return new Progress(1, 0, 0, List.of());
    }
}

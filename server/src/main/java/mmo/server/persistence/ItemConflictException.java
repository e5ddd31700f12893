package mmo.server.persistence;

/**
 * An item change that no longer matches the database: the item is not where the change
 * expected it (taken by someone else, traded away), a slot is occupied, or the gold is not
 * there. Nothing of the change was applied.
 */
public final class ItemConflictException extends RuntimeException {
    public ItemConflictException(String message) {
        super(message);
    }
}

package mmo.server.persistence;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where item, gold and experience changes are written, each as it happens and each in one
 * database transaction (not at the periodic save): after a crash right after a loot or a trade,
 * every item exists exactly once.
 *
 * <p>Every change is fenced like a save: it applies only while each character it changes is
 * still claimed under the given epoch, else it fails with {@link FencedException} and nothing
 * of it is applied. Changes are applied in the order they were submitted. Methods return at
 * once (the tick calls them); the futures complete on a database thread.
 */
public interface Ledger {
    /** A new item for a character: its kind and where it goes. */
    record NewItem(String kind, ItemPlace place, int slot) {}

    /** An owned item moving to another place and slot of the same character. */
    record ItemMove(long itemId, ItemPlace place, int slot) {}

    /** One side of a trade: what it gives (its bag items, each to a slot of the other's bag) and gold. */
    record TradeSide(long characterId, long epoch, List<Long> items, List<Integer> toSlots, long gold) {
        public TradeSide {
            items = List.copyOf(items);
            toSlots = List.copyOf(toSlots);
            if (items.size() != toSlots.size()) throw new IllegalArgumentException("one destination slot per item");
            if (gold < 0) throw new IllegalArgumentException("gold " + gold);
        }
    }

    /**
     * Creates items for a character (loot from a creature, nothing before existed of them) and
     * adds {@code gold} (may be 0) in one transaction. Completes with the new items' ids, in order.
     */
    CompletableFuture<long[]> create(long characterId, long epoch, List<NewItem> items, long gold);

    /** Adds {@code gold} (positive) to a character's purse: a gold pile picked up. */
    CompletableFuture<Void> addGold(long characterId, long epoch, long gold);

    /**
     * Moves a character's own items between its bag and worn slots in one transaction (an equip
     * is a swap of two). Fails with {@link ItemConflictException} if an item is not the
     * character's.
     */
    CompletableFuture<Void> move(long characterId, long epoch, List<ItemMove> moves);

    /** Puts a character's item on the ground of {@code world} at (x, y): it has no owner from then on. */
    CompletableFuture<Void> drop(long characterId, long epoch, long itemId, String world, float x, float y);

    /**
     * Gives an item lying on the ground to a character's bag slot. Fails with
     * {@link ItemConflictException} if it is no longer on the ground (someone else took it).
     */
    CompletableFuture<Void> pickUp(long characterId, long epoch, long itemId, int bagSlot);

    /** Writes a character's level and experience. */
    CompletableFuture<Void> progress(long characterId, long epoch, int level, long xp);

    /**
     * The exchange of a trade, all or nothing: every item offered still in its giver's bag
     * moves to the other's bag slot, and the gold moves. Fails with
     * {@link ItemConflictException} (an item is gone, a slot is taken, not enough gold) or
     * {@link FencedException}; then nothing changed.
     */
    CompletableFuture<Void> trade(TradeSide a, TradeSide b);

    /** A character's progress and items (when it enters the world). */
    CompletableFuture<Progress> load(long characterId);

    /** The items lying on the ground of a world (put back when the world starts). */
    CompletableFuture<List<ItemRow>> ground(String world);
}

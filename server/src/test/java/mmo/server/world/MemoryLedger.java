package mmo.server.world;

import mmo.server.persistence.ItemConflictException;
import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.ItemRow;
import mmo.server.persistence.Ledger;
import mmo.server.persistence.Progress;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A {@link Ledger} in memory with the database's rules (an item is in one place; a pickup of
 * an item no longer on the ground, a trade of an item no longer owned, fail and change
 * nothing). Each write is held until {@link #complete} unless {@code immediate}: tests choose
 * when "the database" answers.
 */
public final class MemoryLedger implements Ledger {
    public final Map<Long, ItemRow> items = new LinkedHashMap<>();
    public final Map<Long, Long> gold = new HashMap<>();
    public final Map<Long, long[]> progress = new HashMap<>(); // character -> {level, xp}
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    public boolean immediate = true;
    public boolean down;
    private long nextId = 1000;

    /** Runs every held write, in order. */
    public void complete() {
        Runnable r;
        while ((r = pending.poll()) != null) r.run();
    }

    public int pendingCount() {
        return pending.size();
    }

    private <T> CompletableFuture<T> write(Supplier<T> change) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable r = () -> {
            if (down) {
                f.completeExceptionally(new IllegalStateException("database down"));
                return;
            }
            try {
                f.complete(change.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        };
        if (immediate) r.run();
        else pending.add(r);
        return f;
    }

    /** Gives a character an item directly (test setup). */
    public long give(long characterId, String kind, ItemPlace place, int slot) {
        long id = nextId++;
        items.put(id, ItemRow.owned(id, kind, characterId, place, slot));
        return id;
    }

    public List<ItemRow> itemsOf(long characterId) {
        return items.values().stream().filter(i -> i.characterId() == characterId).toList();
    }

    @Override
    public CompletableFuture<long[]> create(long characterId, long epoch, List<NewItem> newItems, long addGold) {
        return write(() -> {
            long[] ids = new long[newItems.size()];
            for (int i = 0; i < ids.length; i++) {
                NewItem n = newItems.get(i);
                checkFree(characterId, n.place(), n.slot());
                ids[i] = nextId++;
                items.put(ids[i], ItemRow.owned(ids[i], n.kind(), characterId, n.place(), n.slot()));
            }
            gold.merge(characterId, addGold, Long::sum);
            return ids;
        });
    }

    private void checkFree(long characterId, ItemPlace place, int slot) {
        for (ItemRow r : items.values()) {
            if (r.characterId() == characterId && r.place() == place && r.slot() == slot) {
                throw new ItemConflictException("slot taken");
            }
        }
    }

    @Override
    public CompletableFuture<Void> addGold(long characterId, long epoch, long g) {
        return write(() -> {
            gold.merge(characterId, g, Long::sum);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> move(long characterId, long epoch, List<ItemMove> moves) {
        return write(() -> {
            for (ItemMove m : moves) {
                ItemRow r = items.get(m.itemId());
                if (r == null || r.characterId() != characterId) throw new ItemConflictException("not yours");
            }
            for (ItemMove m : moves) {
                ItemRow r = items.get(m.itemId());
                items.put(r.id(), ItemRow.owned(r.id(), r.kind(), characterId, m.place(), m.slot()));
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> drop(long characterId, long epoch, long itemId, String world, float x, float y) {
        return write(() -> {
            ItemRow r = items.get(itemId);
            if (r == null || r.characterId() != characterId) throw new ItemConflictException("not yours");
            items.put(itemId, new ItemRow(itemId, r.kind(), 0, ItemPlace.GROUND, -1, world, x, y));
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> pickUp(long characterId, long epoch, long itemId, int bagSlot) {
        return write(() -> {
            ItemRow r = items.get(itemId);
            if (r == null || r.place() != ItemPlace.GROUND) throw new ItemConflictException("gone");
            checkFree(characterId, ItemPlace.BAG, bagSlot);
            items.put(itemId, ItemRow.owned(itemId, r.kind(), characterId, ItemPlace.BAG, bagSlot));
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> progress(long characterId, long epoch, int level, long xp) {
        return write(() -> {
            progress.put(characterId, new long[]{level, xp});
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> trade(TradeSide a, TradeSide b) {
        return write(() -> {
            for (TradeSide s : List.of(a, b)) {
                for (long id : s.items()) {
                    ItemRow r = items.get(id);
                    if (r == null || r.characterId() != s.characterId() || r.place() != ItemPlace.BAG) {
                        throw new ItemConflictException("item " + id + " is not " + s.characterId() + "'s");
                    }
                }
                if (gold.getOrDefault(s.characterId(), 0L) < s.gold()) throw new ItemConflictException("not enough gold");
            }
            for (TradeSide[] pair : new TradeSide[][]{{a, b}, {b, a}}) {
                TradeSide from = pair[0], to = pair[1];
                for (int i = 0; i < from.items().size(); i++) {
                    ItemRow r = items.get(from.items().get(i));
                    items.put(r.id(), ItemRow.owned(r.id(), r.kind(), to.characterId(), ItemPlace.BAG, from.toSlots().get(i)));
                }
                gold.merge(from.characterId(), -from.gold(), Long::sum);
                gold.merge(to.characterId(), from.gold(), Long::sum);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Progress> load(long characterId) {
        return write(() -> {
            long[] lv = progress.getOrDefault(characterId, new long[]{1, 0});
            return new Progress((int) lv[0], lv[1], gold.getOrDefault(characterId, 0L), new ArrayList<>(itemsOf(characterId)));
        });
    }

    @Override
    public CompletableFuture<List<ItemRow>> ground(String world) {
        return write(() -> items.values().stream().filter(i -> i.place() == ItemPlace.GROUND && i.world().equals(world)).toList());
    }
}

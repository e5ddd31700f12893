package mmo.server.world;

import mmo.server.game.content.Content;

/**
 * A character's bag (a fixed number of slots), what it wears (one item per equipment slot)
 * and its gold, as the world holds them. Every change is also written through the world's
 * {@code Ledger} as it happens: changes that create value (a pickup, a trade) are applied here
 * only once written; moves between bag and worn slots are applied at once and written behind.
 * Tick thread only.
 */
public final class Inventory {
    /** Bag slots of every character. */
    public static final int BAG_SIZE = 24;
    /** Worn slots: Content.Slot HEAD .. OFF_HAND. */
    static final int WORN_SLOTS = Content.Slot.NONE.ordinal();

    final Item[] bag = new Item[BAG_SIZE];
    final Item[] worn = new Item[WORN_SLOTS];
    /** Bag slots promised to an item on its way in (a pickup being written). */
    final boolean[] reserved = new boolean[BAG_SIZE];
    long gold;
    /** Changes being written: the inventory is sent again when they complete. */
    int pending;

    public Item bag(int slot) { return bag[slot]; }
    public Item worn(Content.Slot slot) { return worn[slot.ordinal()]; }
    public long gold() { return gold; }

    /** The first bag slot neither holding an item nor reserved, or -1. */
    int freeSlot() {
        for (int i = 0; i < BAG_SIZE; i++) if (bag[i] == null && !reserved[i]) return i;
        return -1;
    }

    /** How many bag slots are free (not reserved). */
    int freeSlots() {
        int n = 0;
        for (int i = 0; i < BAG_SIZE; i++) if (bag[i] == null && !reserved[i]) n++;
        return n;
    }

    /** The bag slot holding item {@code id}, or -1. */
    int bagSlotOf(long id) {
        for (int i = 0; i < BAG_SIZE; i++) if (bag[i] != null && bag[i].id == id) return i;
        return -1;
    }

    /** Items held, bag and worn (tests and tools). */
    public int count() {
        int n = 0;
        for (Item i : bag) if (i != null) n++;
        for (Item i : worn) if (i != null) n++;
        return n;
    }

    /** Sum of the armor of what is worn. */
    int armor() {
        int a = 0;
        for (Item i : worn) if (i != null) a += i.def.armor();
        return a;
    }

    /** Sum of the damage of what is worn (the weapons). */
    int weaponDamage() {
        int d = 0;
        for (Item i : worn) if (i != null) d += i.def.damage();
        return d;
    }

    void clear() {
        java.util.Arrays.fill(bag, null);
        java.util.Arrays.fill(worn, null);
        java.util.Arrays.fill(reserved, false);
        gold = 0;
    }
}

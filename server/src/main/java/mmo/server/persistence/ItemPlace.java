package mmo.server.persistence;

/**
 * Where an item is. In a bag or worn it has an owning character and a slot (the bag slot, or
 * the ordinal of {@code Content.Slot} it is worn in); on the ground it has no owner but a
 * world and a position.
 */
public enum ItemPlace {
    BAG("B"), WORN("W"), GROUND("G");

    /** The one-letter code stored in the items table. */
    public final String code;

    ItemPlace(String code) {
        this.code = code;
    }

    public static ItemPlace ofCode(String code) {
        for (ItemPlace p : values()) if (p.code.equals(code)) return p;
        throw new IllegalArgumentException("unknown item place " + code);
    }
}

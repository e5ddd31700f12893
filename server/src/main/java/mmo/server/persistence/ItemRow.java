package mmo.server.persistence;

/**
 * One item as stored: its id (unique for its whole life), its content kind ("rusty-sword"), and
 * where it is. {@code characterId} is 0 and {@code slot} -1 for an item on the ground;
 * {@code world}, {@code x}, {@code y} are only meaningful there.
 */
public record ItemRow(long id, String kind, long characterId, ItemPlace place, int slot, String world, float x, float y) {
    public static ItemRow owned(long id, String kind, long characterId, ItemPlace place, int slot) {
        return new ItemRow(id, kind, characterId, place, slot, "", 0, 0);
    }
}

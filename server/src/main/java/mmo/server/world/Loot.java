package mmo.server.world;

import mmo.protocol.EntityEnter;
import mmo.protocol.EntityKind;
import mmo.server.game.content.Content;

/**
 * An item or a pile of gold lying on the ground. A creature's drop exists only here until
 * someone picks it up (then the item is created in the database); an item a player dropped
 * keeps its database row ({@code itemId} != 0), which the pickup moves. Tick thread only.
 */
final class Loot extends Entity {
    final Content.ItemDef item;   // null for gold
    final long itemId;            // 0: not in the database yet (a fresh drop)
    final long gold;
    final long owner;             // character with the first claim, or 0
    final int freeAt;             // tick from which anyone may take it
    final int expiresAt;          // tick it vanishes (fresh drops only), or Integer.MAX_VALUE
    final int slot;               // its slot in the loot ids of its region
    Player claimedBy;             // a pickup of it is being written

    Loot(int id, int slot, float x, float y, Content.ItemDef item, long itemId, long gold, long owner, int freeAt, int expiresAt) {
        super(id, x, y);
        this.slot = slot;
        this.item = item;
        this.itemId = itemId;
        this.gold = gold;
        this.owner = owner;
        this.freeAt = freeAt;
        this.expiresAt = expiresAt;
    }

    @Override
    byte[] encodeEnterFields() {
        EntityEnter.Builder b = EntityEnter.newBuilder().setId(id).setKind(EntityKind.ENTITY_LOOT);
        if (item != null) {
            b.setName(item.name()).setItem(Game.itemProto(itemId, item));
        } else {
            b.setName(gold + " gold").setGold(gold);
        }
        return b.build().toByteArray();
    }
}

package mmo.server.world;

import mmo.server.game.content.Content;

/**
 * One item a character holds: its id (the items table's, unique for its whole life) and what
 * it is. {@code busy} while a change of it is being written or it is offered in a trade: no
 * other change may touch it meanwhile. Tick thread only.
 */
public final class Item {
    final long id;
    final Content.ItemDef def;
    boolean busy;

    Item(long id, Content.ItemDef def) {
        this.id = id;
        this.def = def;
    }

    public long id() { return id; }
    public Content.ItemDef def() { return def; }
}

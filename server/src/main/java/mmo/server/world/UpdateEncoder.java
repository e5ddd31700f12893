package mmo.server.world;

import mmo.protocol.Emote;

/**
 * Encodes one viewer's {@code ServerMessage{world_update}} straight into wire format, reusing
 * its buffers from viewer to viewer and tick to tick: no allocation per entity or per viewer.
 * What many viewers need is encoded once: an entity's enter fields are cached on the entity
 * ({@link Player#enterFields()}) and each tick's events once per tick.
 *
 * <p>Use: {@link #begin}, then {@link #leave} / {@link #enter} / {@link #move} / {@link #event}
 * in any order (moves in increasing id order), then {@link #finish}. Tick thread only.
 */
final class UpdateEncoder {
    // WorldUpdate field numbers (mmo.proto)
    private static final int TICK = 1, ACK_SEQ = 2, TICKS_SINCE_ACK = 3, X = 4, Y = 5,
            ENTERS = 6, LEAVES = 7, MOVES = 8, EVENTS = 9, TIME_DILATION = 10;
    private static final int SERVER_MESSAGE_WORLD_UPDATE = 6;
    // EntityEnter position fields
    private static final int ENTER_X = 3, ENTER_Y = 4;

    private final WireWriter body = new WireWriter(4096);
    private final WireWriter out = new WireWriter(4096);
    private int[] leaves = new int[64];
    private int leafCount;
    private int[] moves = new int[192];
    private int moveCount;
    private int lastMoveId;
    private Entity[] enters = new Entity[32];
    private int[] enterXY = new int[64];
    private int enterCount;
    private byte[][] events = new byte[16][];
    private int eventCount;

    void begin() {
        leafCount = 0;
        moveCount = 0;
        lastMoveId = 0;
        eventCount = 0;
        for (int i = 0; i < enterCount; i++) enters[i] = null;
        enterCount = 0;
    }

    void leave(int id) {
        if (leafCount == leaves.length) leaves = java.util.Arrays.copyOf(leaves, leafCount * 2);
        leaves[leafCount++] = id;
    }

    void enter(Entity e, int qx, int qy) {
        if (enterCount == enters.length) {
            enters = java.util.Arrays.copyOf(enters, enterCount * 2);
            enterXY = java.util.Arrays.copyOf(enterXY, enterCount * 4);
        }
        enters[enterCount] = e;
        enterXY[2 * enterCount] = qx;
        enterXY[2 * enterCount + 1] = qy;
        enterCount++;
    }

    /** A move of a known entity; ids must come in increasing order. */
    void move(int id, int dx, int dy) {
        if (moveCount + 3 > moves.length) moves = java.util.Arrays.copyOf(moves, moves.length * 2);
        moves[moveCount++] = id - lastMoveId;
        moves[moveCount++] = dx;
        moves[moveCount++] = dy;
        lastMoveId = id;
    }

    /** An already encoded {@code EntityEvent}. */
    void event(byte[] encoded) {
        if (eventCount == events.length) events = java.util.Arrays.copyOf(events, eventCount * 2);
        events[eventCount++] = encoded;
    }

    int enterCount() { return enterCount; }
    int leaveCount() { return leafCount; }
    int moveCount() { return moveCount / 3; }

    /**
     * Writes the whole {@code ServerMessage} and returns the writer holding it (valid until the
     * next {@link #begin}).
     */
    WireWriter finish(int tick, int ackSeq, int ticksSinceAck, int x, int y, float timeDilation) {
        WireWriter b = body;
        b.reset();
        b.uint32Field(TICK, tick);
        b.uint32Field(ACK_SEQ, ackSeq);
        b.uint32Field(TICKS_SINCE_ACK, ticksSinceAck);
        b.sint32Field(X, x);
        b.sint32Field(Y, y);
        for (int i = 0; i < enterCount; i++) {
            Entity e = enters[i];
            byte[] fields = e.enterFields();
            int qx = enterXY[2 * i], qy = enterXY[2 * i + 1];
            int len = fields.length
                    + (qx != 0 ? 1 + WireWriter.sintSize(qx) : 0)
                    + (qy != 0 ? 1 + WireWriter.sintSize(qy) : 0);
            b.tag(ENTERS, WireWriter.LEN);
            b.varint(len);
            b.bytes(fields, 0, fields.length);
            b.sint32Field(ENTER_X, qx);
            b.sint32Field(ENTER_Y, qy);
        }
        if (leafCount > 0) {
            int len = 0;
            for (int i = 0; i < leafCount; i++) len += WireWriter.varintSize(leaves[i]);
            b.tag(LEAVES, WireWriter.LEN);
            b.varint(len);
            for (int i = 0; i < leafCount; i++) b.varint(leaves[i]);
        }
        if (moveCount > 0) {
            int len = 0;
            for (int i = 0; i < moveCount; i++) len += WireWriter.sintSize(moves[i]);
            b.tag(MOVES, WireWriter.LEN);
            b.varint(len);
            for (int i = 0; i < moveCount; i++) b.sint(moves[i]);
        }
        for (int i = 0; i < eventCount; i++) {
            b.lengthDelimited(EVENTS, events[i], 0, events[i].length);
        }
        b.tag(TIME_DILATION, WireWriter.FIXED32);
        b.fixed32(Float.floatToRawIntBits(timeDilation));

        out.reset();
        out.lengthDelimited(SERVER_MESSAGE_WORLD_UPDATE, b.array(), 0, b.size());
        return out;
    }

    /** Field number of the filler of padded updates: unknown to clients, which skip it. */
    static final int PADDING_FIELD = 99;

    /**
     * As {@link #finish}, then pads the message with an unknown field to about
     * {@code targetBytes} (the transport-only baseline's fixed frame size).
     */
    WireWriter finishPadded(int tick, int ackSeq, int ticksSinceAck, int x, int y, float timeDilation, int targetBytes) {
        WireWriter b = body;
        finish(tick, ackSeq, ticksSinceAck, x, y, timeDilation);
        int have = b.size() + 4;
        int pad = Math.max(0, targetBytes - have - 4);
        if (padding.length < pad) padding = new byte[pad];
        b.lengthDelimited(PADDING_FIELD, padding, 0, pad);
        out.reset();
        out.lengthDelimited(SERVER_MESSAGE_WORLD_UPDATE, b.array(), 0, b.size());
        return out;
    }

    private byte[] padding = new byte[0];

    /**
     * The enter fields of a player except its position: id, kind (ENTITY_PLAYER, the default, is
     * not written), name, class, appearance, emote, and its level, health and equipment.
     */
    static byte[] encodeEnterFields(Player e) {
        mmo.protocol.EntityEnter.Builder b = mmo.protocol.EntityEnter.newBuilder()
                .setId(e.id)
                .setName(e.name)
                .setCharacterClass(e.characterClass)
                .setAppearance(e.appearance)
                .setEmote(e.lastingEmote)
                .setLevel(e.level)
                .setHealth(e.health)
                .setMaxHealth(e.maxHealth)
                .setDead(e.dead);
        mmo.protocol.Equipment eq = Game.equipmentOf(e);
        if (!eq.equals(mmo.protocol.Equipment.getDefaultInstance())) b.setEquipment(eq);
        return b.build().toByteArray();
    }
}

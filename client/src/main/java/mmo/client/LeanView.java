package mmo.client;

import io.netty.util.collection.IntObjectHashMap;
import java.util.function.IntConsumer;
import mmo.protocol.Constants;
import mmo.protocol.WorldEntered;

/**
 * What a load bot measures of the world, kept by a client in lean mode
 * ({@link ClientOptions.Builder#trackWorld(boolean) trackWorld(false)}): the tick, the
 * acknowledged input, the own position, the time dilation and the set of visible entity ids.
 * World updates are read field by field straight from the frame (see {@link LeanDecoder}):
 * no message objects, no names or appearances, no entity positions.
 *
 * <p>Owned by the client's event-loop thread: read it only there (in
 * {@link ClientListener#onLeanUpdate} or tasks on {@link MmoClient#eventLoop()}).
 */
public final class LeanView {
    private static final float SCALE = Constants.POSITION_SCALE_VALUE;
    private static final Object PRESENT = Boolean.TRUE;

    private final IntObjectHashMap<Object> visible = new IntObjectHashMap<>();
    private int ownEntityId;
    private int tick;
    private int ackSeq;
    private int ticksSinceAck;
    private int x;
    private int y;
    private float timeDilation = 1f;
    private long updates;
    private long protocolErrors;

    // Scratch space of the decoder, reused for every update.
    int[] leaves = new int[16];
    int[] enters = new int[16];

    LeanView() {
    }

    void enter(WorldEntered entered) {
        visible.clear();
        ownEntityId = entered.getEntityId();
        tick = entered.getTick();
        x = entered.getX();
        y = entered.getY();
        ackSeq = 0;
        ticksSinceAck = 0;
        timeDilation = 1f;
    }

    void leave() {
        visible.clear();
        ownEntityId = 0;
    }

    /** Applies a decoded update in protocol order: leaves, then enters. Returns the number of problems. */
    int apply(int tick, int ackSeq, int ticksSinceAck, int x, int y, float dilation, int nLeaves, int nEnters) {
        this.tick = tick;
        this.ackSeq = ackSeq;
        this.ticksSinceAck = ticksSinceAck;
        this.x = x;
        this.y = y;
        // As in WorldView: 0 is "not sent", which means normal speed.
        this.timeDilation = dilation == 0f ? 1f : dilation;
        updates++;
        int problems = 0;
        for (int i = 0; i < nLeaves; i++) {
            if (visible.remove(leaves[i]) == null) problems++;
        }
        for (int i = 0; i < nEnters; i++) {
            if (visible.put(enters[i], PRESENT) != null) problems++;
        }
        protocolErrors += problems;
        return problems;
    }

    /** @return own entity id in the current world, 0 when not in a world */
    public int ownEntityId() {
        return ownEntityId;
    }

    /** @return the server tick of the last update */
    public int tick() {
        return tick;
    }

    /** @return the last input sequence number the server applied */
    public int ackSeq() {
        return ackSeq;
    }

    /** @return ticks simulated since the server applied {@link #ackSeq()} */
    public int ticksSinceAck() {
        return ticksSinceAck;
    }

    /** @return own x in world units */
    public float x() {
        return x / SCALE;
    }

    /** @return own y in world units */
    public float y() {
        return y / SCALE;
    }

    /** @return own x in 1/16 units, as sent */
    public int rawX() {
        return x;
    }

    /** @return own y in 1/16 units, as sent */
    public int rawY() {
        return y;
    }

    /** @return the simulation speed of the own region, 1.0 normal */
    public float timeDilation() {
        return timeDilation;
    }

    /** @return how many entities (other than the client's own) are in view */
    public int visibleCount() {
        return visible.size();
    }

    /** @return whether the entity is in view */
    public boolean isVisible(int entityId) {
        return visible.containsKey(entityId);
    }

    /** Calls {@code action} with every visible entity id, in no particular order. */
    public void forEachVisible(IntConsumer action) {
        for (int id : visible.keySet()) action.accept(id);
    }

    /** @return world updates applied since the client connected */
    public long updates() {
        return updates;
    }

    /** @return inconsistent updates seen (a leave of an unknown entity, an enter of a known one) */
    public long protocolErrors() {
        return protocolErrors;
    }
}

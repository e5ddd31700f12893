package mmo.server.world;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * One tick's entities of one world near another world's regions: per entity its id, exact
 * position and encoded enter fields ({@link Player#enterFields()}: name, class, appearance,
 * lasting emote). The receiving world shows them as ghosts ({@link World#acceptGhosts}).
 * Immutable once built; any thread.
 *
 * <p>It also carries the tick's events of those entities (hits, deaths, attacks: encoded
 * {@code EntityEvent}s), which the receiving world shows to the viewers of the ghosts.
 *
 * <p>Wire form ({@link #encode}): varint format version, varint tick, varint count, then per
 * entity varint id, fixed32 x, fixed32 y, length-delimited enter fields; then varint event
 * count and per event varint entity id, length-delimited event.
 */
public final class GhostBatch {
    private static final int FORMAT = 2;

    private final int tick;
    private final int count;
    private final int[] ids;
    private final float[] xy;
    private final byte[][] enterFields;
    private final int[] eventIds;
    private final byte[][] events;

    private GhostBatch(int tick, int count, int[] ids, float[] xy, byte[][] enterFields, int[] eventIds, byte[][] events) {
        this.tick = tick;
        this.count = count;
        this.ids = ids;
        this.xy = xy;
        this.enterFields = enterFields;
        this.eventIds = eventIds;
        this.events = events;
    }

    /** This batch with {@code earlier}'s events before its own (null: unchanged). */
    public GhostBatch withEarlierEvents(GhostBatch earlier) {
        if (earlier == null || earlier.events.length == 0) return this;
        return new GhostBatch(tick, count, ids, xy, enterFields, concat(earlier.eventIds, eventIds), concat(earlier.events, events));
    }

    /** This batch with {@code later}'s events after its own. */
    public GhostBatch withLaterEvents(GhostBatch later) {
        return later.events.length == 0 ? this : later.withEarlierEvents(this).withPositionsOf(this);
    }

    private GhostBatch withPositionsOf(GhostBatch b) {
        return new GhostBatch(b.tick, b.count, b.ids, b.xy, b.enterFields, eventIds, events);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[][] concat(byte[][] a, byte[][] b) {
        byte[][] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** How many events the batch carries. */
    public int eventCount() { return events.length; }
    /** The entity an event happened to. */
    public int eventId(int i) { return eventIds[i]; }
    /** An encoded {@code EntityEvent}; shared, not to be modified. */
    public byte[] event(int i) { return events[i]; }

    /** The tick of the sending world this batch was taken in. */
    public int tick() { return tick; }
    public int size() { return count; }
    public int id(int i) { return ids[i]; }
    public float x(int i) { return xy[2 * i]; }
    public float y(int i) { return xy[2 * i + 1]; }
    /** The entity's encoded enter fields; shared, not to be modified. */
    public byte[] enterFields(int i) { return enterFields[i]; }

    /** An empty batch for {@code tick}. */
    public static GhostBatch empty(int tick) {
        return new GhostBatch(tick, 0, new int[0], new float[0], new byte[0][], new int[0], new byte[0][]);
    }

    /**
     * One batch holding each entity of {@code batches} once (the first occurrence), taken at
     * the newest of their ticks: what a world sends to another after collecting one tick's
     * {@link Border#borderEntities} for that world's regions.
     */
    public static GhostBatch merge(Collection<GhostBatch> batches) {
        int tick = Integer.MIN_VALUE, total = 0;
        for (GhostBatch b : batches) {
            tick = Math.max(tick, b.tick);
            total += b.count;
        }
        if (batches.size() == 1) return batches.iterator().next();
        Builder out = new Builder(tick == Integer.MIN_VALUE ? 0 : tick, total);
        Set<Integer> seen = new HashSet<>();
        for (GhostBatch b : batches) {
            Set<Integer> firstHere = new HashSet<>();
            for (int i = 0; i < b.count; i++) {
                if (seen.add(b.ids[i])) {
                    out.add(b.ids[i], b.x(i), b.y(i), b.enterFields[i]);
                    firstHere.add(b.ids[i]);
                }
            }
            // an entity's events once, with its first occurrence
            for (int i = 0; i < b.events.length; i++) {
                if (firstHere.contains(b.eventIds[i])) out.addEvent(b.eventIds[i], b.events[i]);
            }
        }
        return out.build();
    }

    /** The batch as bytes, for shipping between nodes. */
    public byte[] encode() {
        int size = CodedOutputStream.computeUInt32SizeNoTag(FORMAT)
                + CodedOutputStream.computeUInt32SizeNoTag(tick)
                + CodedOutputStream.computeUInt32SizeNoTag(count);
        for (int i = 0; i < count; i++) {
            size += CodedOutputStream.computeUInt32SizeNoTag(ids[i]) + 8
                    + CodedOutputStream.computeByteArraySizeNoTag(enterFields[i]);
        }
        size += CodedOutputStream.computeUInt32SizeNoTag(events.length);
        for (int i = 0; i < events.length; i++) {
            size += CodedOutputStream.computeUInt32SizeNoTag(eventIds[i]) + CodedOutputStream.computeByteArraySizeNoTag(events[i]);
        }
        byte[] bytes = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeUInt32NoTag(FORMAT);
            out.writeUInt32NoTag(tick);
            out.writeUInt32NoTag(count);
            for (int i = 0; i < count; i++) {
                out.writeUInt32NoTag(ids[i]);
                out.writeFloatNoTag(xy[2 * i]);
                out.writeFloatNoTag(xy[2 * i + 1]);
                out.writeByteArrayNoTag(enterFields[i]);
            }
            out.writeUInt32NoTag(events.length);
            for (int i = 0; i < events.length; i++) {
                out.writeUInt32NoTag(eventIds[i]);
                out.writeByteArrayNoTag(events[i]);
            }
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("sized wrongly", e);
        }
        return bytes;
    }

    /** Reads what {@link #encode} wrote; throws {@link IllegalArgumentException} if malformed. */
    public static GhostBatch decode(byte[] bytes) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            int format = in.readUInt32();
            if (format != FORMAT) throw new IllegalArgumentException("unknown ghost batch format " + format);
            int tick = in.readUInt32();
            int count = in.readUInt32();
            if (count < 0 || count > bytes.length) throw new IllegalArgumentException("bad ghost count " + count);
            Builder b = new Builder(tick, count);
            for (int i = 0; i < count; i++) {
                int id = in.readUInt32();
                float x = in.readFloat(), y = in.readFloat();
                b.add(id, x, y, in.readByteArray());
            }
            int events = in.readUInt32();
            if (events < 0 || events > bytes.length) throw new IllegalArgumentException("bad event count " + events);
            for (int i = 0; i < events; i++) {
                int id = in.readUInt32();
                b.addEvent(id, in.readByteArray());
            }
            if (!in.isAtEnd()) throw new IllegalArgumentException("trailing bytes after ghost batch");
            return b.build();
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed ghost batch", e);
        }
    }

    /** Collects a batch's entities; single-threaded. */
    public static final class Builder {
        private final int tick;
        private int count;
        private int[] ids;
        private float[] xy;
        private byte[][] enterFields;
        private final java.util.ArrayList<Integer> eventIds = new java.util.ArrayList<>(0);
        private final java.util.ArrayList<byte[]> events = new java.util.ArrayList<>(0);

        /** Adds an event of entity {@code id} (an encoded EntityEvent, kept, not copied). */
        public Builder addEvent(int id, byte[] event) {
            eventIds.add(id);
            events.add(event);
            return this;
        }

        public Builder(int tick) {
            this(tick, 8);
        }

        Builder(int tick, int capacity) {
            this.tick = tick;
            this.ids = new int[Math.max(1, capacity)];
            this.xy = new float[2 * ids.length];
            this.enterFields = new byte[ids.length][];
        }

        /** Adds an entity; {@code enterFields} is kept, not copied. */
        public Builder add(int id, float x, float y, byte[] enterFields) {
            if (id <= 0) throw new IllegalArgumentException("entity ids are positive: " + id);
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
                xy = Arrays.copyOf(xy, count * 4);
                this.enterFields = Arrays.copyOf(this.enterFields, count * 2);
            }
            ids[count] = id;
            xy[2 * count] = x;
            xy[2 * count + 1] = y;
            this.enterFields[count] = enterFields;
            count++;
            return this;
        }

        public GhostBatch build() {
            int[] eids = new int[eventIds.size()];
            for (int i = 0; i < eids.length; i++) eids[i] = eventIds.get(i);
            byte[][] ev = events.toArray(new byte[0][]);
            if (count == ids.length) return new GhostBatch(tick, count, ids, xy, enterFields, eids, ev);
            return new GhostBatch(tick, count, Arrays.copyOf(ids, count), Arrays.copyOf(xy, 2 * count),
                    Arrays.copyOf(enterFields, count), eids, ev);
        }
    }
}

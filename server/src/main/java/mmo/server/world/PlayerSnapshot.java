package mmo.server.world;

import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.ItemRow;
import mmo.server.persistence.Progress;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.Emote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Everything another world needs to continue a player exactly where this one stopped
 * ({@link Border#handOff}, {@link World#adopt}): identity, position, movement intent, the
 * last acknowledged input, and what its client has been sent (the interest known-set), so
 * the next update is an ordinary delta. Immutable by convention (the arrays are not copied);
 * any thread.
 *
 * @param epoch        the character's claim (fencing): the new owner saves under the same claim
 * @param ackAge       ticks between the acknowledged input being applied and this snapshot's
 *                     tick (0: applied in that tick), or -1 if no input was ever applied
 * @param savedX       the position last saved (NaN: a save failed), so the new owner saves
 *                     exactly when this one would have
 * @param known        (id, qx, qy) triples, ids increasing: entities the client knows and the
 *                     position (1/16 units) it was last sent; {@code knownCount} of them
 * @param lastOptional far moves due for this viewer last tick (interest budget window)
 * @param progress     level, experience, gold and items as the world holds them (null: none, a
 *                     world without a game)
 * @param health       current health
 * @param dead         dead, waiting to be revived
 */
public record PlayerSnapshot(int entityId, long characterId, long epoch, long accountId, String name, CharacterClass cls,
                             Appearance appearance, float x, float y, float dirX, float dirY, int ackSeq,
                             int ackAge, Emote lastingEmote, float savedX, float savedY, int[] known,
                             int knownCount, int lastOptional, Progress progress, int health, boolean dead) {
    private static final int FORMAT = 2;

    /** A snapshot without game state (a world without a game). */
    public PlayerSnapshot(int entityId, long characterId, long epoch, long accountId, String name, CharacterClass cls,
                          Appearance appearance, float x, float y, float dirX, float dirY, int ackSeq,
                          int ackAge, Emote lastingEmote, float savedX, float savedY, int[] known,
                          int knownCount, int lastOptional) {
        this(entityId, characterId, epoch, accountId, name, cls, appearance, x, y, dirX, dirY, ackSeq, ackAge,
                lastingEmote, savedX, savedY, known, knownCount, lastOptional, null, 0, false);
    }

    public PlayerSnapshot {
        if (entityId <= 0) throw new IllegalArgumentException("entity ids are positive: " + entityId);
        if (knownCount < 0 || known.length < 3 * knownCount) throw new IllegalArgumentException("known set too short");
    }

    /**
     * Compact bytes: a format version, then the fields in order as varints, zigzag varints
     * for the signed, fixed32 floats, length-delimited strings and appearance; the known ids
     * as increasing deltas.
     */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96 + 8 * knownCount);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes, 256);
        try {
            out.writeUInt32NoTag(FORMAT);
            out.writeUInt32NoTag(entityId);
            out.writeInt64NoTag(characterId);
            out.writeInt64NoTag(epoch);
            out.writeInt64NoTag(accountId);
            out.writeStringNoTag(name);
            out.writeUInt32NoTag(cls.getNumber());
            out.writeByteArrayNoTag(appearance.toByteArray());
            out.writeFloatNoTag(x);
            out.writeFloatNoTag(y);
            out.writeFloatNoTag(dirX);
            out.writeFloatNoTag(dirY);
            out.writeUInt32NoTag(ackSeq);
            out.writeSInt32NoTag(ackAge);
            out.writeUInt32NoTag(lastingEmote.getNumber());
            out.writeFloatNoTag(savedX);
            out.writeFloatNoTag(savedY);
            out.writeUInt32NoTag(lastOptional);
            out.writeUInt32NoTag(knownCount);
            int prev = 0;
            for (int i = 0; i < knownCount; i++) {
                out.writeUInt32NoTag(known[3 * i] - prev);
                prev = known[3 * i];
                out.writeSInt32NoTag(known[3 * i + 1]);
                out.writeSInt32NoTag(known[3 * i + 2]);
            }
            out.writeBoolNoTag(progress != null);
            if (progress != null) {
                out.writeUInt32NoTag(progress.level());
                out.writeInt64NoTag(progress.xp());
                out.writeInt64NoTag(progress.gold());
                out.writeUInt32NoTag(health);
                out.writeBoolNoTag(dead);
                out.writeUInt32NoTag(progress.items().size());
                for (ItemRow item : progress.items()) {
                    out.writeInt64NoTag(item.id());
                    out.writeStringNoTag(item.kind());
                    out.writeStringNoTag(item.place().code);
                    out.writeSInt32NoTag(item.slot());
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #encode} wrote; throws {@link IllegalArgumentException} if malformed. */
    public static PlayerSnapshot decode(byte[] bytes) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            int format = in.readUInt32();
            if (format != FORMAT) throw new IllegalArgumentException("unknown player snapshot format " + format);
            int entityId = in.readUInt32();
            long characterId = in.readInt64();
            long epoch = in.readInt64();
            long accountId = in.readInt64();
            String name = in.readString();
            CharacterClass cls = CharacterClass.forNumber(in.readUInt32());
            if (cls == null) throw new IllegalArgumentException("unknown character class");
            Appearance appearance = Appearance.parseFrom(in.readByteArray());
            float x = in.readFloat(), y = in.readFloat(), dirX = in.readFloat(), dirY = in.readFloat();
            int ackSeq = in.readUInt32();
            int ackAge = in.readSInt32();
            Emote emote = Emote.forNumber(in.readUInt32());
            if (emote == null) throw new IllegalArgumentException("unknown emote");
            float savedX = in.readFloat(), savedY = in.readFloat();
            int lastOptional = in.readUInt32();
            int knownCount = in.readUInt32();
            if (knownCount < 0 || knownCount > bytes.length) throw new IllegalArgumentException("bad known count " + knownCount);
            int[] known = new int[3 * knownCount];
            int id = 0;
            for (int i = 0; i < knownCount; i++) {
                id += in.readUInt32();
                known[3 * i] = id;
                known[3 * i + 1] = in.readSInt32();
                known[3 * i + 2] = in.readSInt32();
            }
            Progress progress = null;
            int health = 0;
            boolean dead = false;
            if (in.readBool()) {
                int level = in.readUInt32();
                long xp = in.readInt64(), gold = in.readInt64();
                health = in.readUInt32();
                dead = in.readBool();
                int n = in.readUInt32();
                if (n < 0 || n > bytes.length) throw new IllegalArgumentException("bad item count " + n);
                java.util.List<ItemRow> items = new java.util.ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    long itemId = in.readInt64();
                    String kind = in.readString();
                    ItemPlace place = ItemPlace.ofCode(in.readString());
                    items.add(ItemRow.owned(itemId, kind, characterId, place, in.readSInt32()));
                }
                progress = new Progress(level, xp, gold, items);
            }
            if (!in.isAtEnd()) throw new IllegalArgumentException("trailing bytes after player snapshot");
            return new PlayerSnapshot(entityId, characterId, epoch, accountId, name, cls, appearance, x, y, dirX, dirY,
                    ackSeq, ackAge, emote, savedX, savedY, known, knownCount, lastOptional, progress, health, dead);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed player snapshot", e);
        }
    }
}

package mmo.server.world;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * A game action one world sends another across a region border (cluster nodes): a player's hit
 * on a creature the other simulates ({@link #HIT}), a creature's bite on a player the other
 * simulates ({@link #BITE}), experience for a kill ({@link #REWARD}). The sender checks what it
 * can see (range, line of sight, cooldown); the receiver applies it to what it simulates.
 *
 * <p>Wire form: varint format, varint kind, varint target, varint source, varint64 source
 * character, zigzag amount, string reply-to, bytes body (TRADE).
 *
 * @param target    HIT: creature entity id; BITE: player entity id; REWARD: character id
 * @param replyTo   HIT: the sender's address, where the experience goes
 */
record RemoteAction(int kind, long target, int source, long sourceCharacter, int amount, String replyTo, byte[] body) {
    static final int HIT = 1, BITE = 2, REWARD = 3, TRADE = 4, RELOAD = 5;
    /** TRADE messages ({@code amount}): see {@link Trade#remote}. */
    static final int TRADE_INVITE = 1, TRADE_ACT = 2, TRADE_STATE = 3, TRADE_RESULT = 4;

    RemoteAction(int kind, long target, int source, long sourceCharacter, int amount, String replyTo) {
        this(kind, target, source, sourceCharacter, amount, replyTo, new byte[0]);
    }

    /** A trade message: {@code target} and {@code from} as {@link Trade#remote} reads them, and its body. */
    static byte[] trade(int message, long target, long from, byte[] body) {
        return new RemoteAction(TRADE, target, 0, from, message, "", body).encode();
    }

    /** The world now simulating a character is told to read its items again (a write for it completed elsewhere). */
    static byte[] reload(long character) {
        return new RemoteAction(RELOAD, character, 0, 0, 0, "").encode();
    }
    private static final int FORMAT = 1;

    static byte[] hit(int creature, int player, long character, int amount, String replyTo) {
        return new RemoteAction(HIT, creature, player, character, amount, replyTo).encode();
    }

    static byte[] bite(int player, int creature, int amount) {
        return new RemoteAction(BITE, player, creature, 0, amount, "").encode();
    }

    static byte[] reward(long character, int xp) {
        return new RemoteAction(REWARD, character, 0, 0, xp, "").encode();
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes, 64);
        try {
            out.writeUInt32NoTag(FORMAT);
            out.writeUInt32NoTag(kind);
            out.writeInt64NoTag(target);
            out.writeUInt32NoTag(source);
            out.writeInt64NoTag(sourceCharacter);
            out.writeSInt32NoTag(amount);
            out.writeStringNoTag(replyTo == null ? "" : replyTo);
            out.writeByteArrayNoTag(body == null ? new byte[0] : body);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    static RemoteAction decode(byte[] bytes) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            int format = in.readUInt32();
            if (format != FORMAT) throw new IllegalArgumentException("unknown game action format " + format);
            RemoteAction a = new RemoteAction(in.readUInt32(), in.readInt64(), in.readUInt32(), in.readInt64(),
                    in.readSInt32(), in.readString(), in.readByteArray());
            if (!in.isAtEnd()) throw new IllegalArgumentException("trailing bytes after game action");
            String replyTo = a.replyTo().isEmpty() ? null : a.replyTo();
            return new RemoteAction(a.kind(), a.target(), a.source(), a.sourceCharacter(), a.amount(), replyTo, a.body());
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed game action", e);
        }
    }
}

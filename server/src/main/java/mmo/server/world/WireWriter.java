package mmo.server.world;

import java.util.Arrays;

/**
 * Writes Protocol Buffers wire format into a growable byte array that is reused from message
 * to message, so the tick encodes without allocating. Only what the world's hot messages
 * need: varints, zigzag varints, fixed32 floats, length-delimited bytes. Not thread-safe:
 * one per tick thread.
 */
final class WireWriter {
    static final int VARINT = 0;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    private byte[] buf;
    private int pos;

    WireWriter(int initialCapacity) {
        buf = new byte[initialCapacity];
    }

    void reset() {
        pos = 0;
    }

    int size() {
        return pos;
    }

    byte[] array() {
        return buf;
    }

    private void ensure(int extra) {
        if (pos + extra > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
    }

    void tag(int field, int wireType) {
        varint((field << 3) | wireType);
    }

    /** An unsigned 32-bit varint (negative ints take 5 bytes, as uint32). */
    void varint(int v) {
        ensure(5);
        while ((v & ~0x7F) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    void sint(int v) {
        varint((v << 1) ^ (v >> 31));
    }

    void fixed32(int bits) {
        ensure(4);
        buf[pos++] = (byte) bits;
        buf[pos++] = (byte) (bits >>> 8);
        buf[pos++] = (byte) (bits >>> 16);
        buf[pos++] = (byte) (bits >>> 24);
    }

    void bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    /** A length-delimited field holding {@code len} bytes of {@code b}. */
    void lengthDelimited(int field, byte[] b, int off, int len) {
        tag(field, LEN);
        varint(len);
        bytes(b, off, len);
    }

    /** Field with a varint value, skipped when zero (proto3 default). */
    void uint32Field(int field, int v) {
        if (v == 0) return;
        tag(field, VARINT);
        varint(v);
    }

    void sint32Field(int field, int v) {
        if (v == 0) return;
        tag(field, VARINT);
        sint(v);
    }

    static int varintSize(int v) {
        if ((v & (~0 << 7)) == 0) return 1;
        if ((v & (~0 << 14)) == 0) return 2;
        if ((v & (~0 << 21)) == 0) return 3;
        if ((v & (~0 << 28)) == 0) return 4;
        return 5;
    }

    static int sintSize(int v) {
        return varintSize((v << 1) ^ (v >> 31));
    }
}

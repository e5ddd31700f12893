package mmo.client;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads a {@code ServerMessage} frame holding a {@code WorldUpdate} field by field with
 * {@link CodedInputStream}, keeping only what a {@link LeanView} needs and skipping the rest
 * (moves, events, the enters' names and appearances). Field numbers are those of mmo.proto.
 * Stateless apart from the view's scratch arrays; runs on the client's event loop.
 */
final class LeanDecoder {
    // ServerMessage
    private static final int SM_WORLD_UPDATE = 6;
    private static final int SM_RID = 15;
    // WorldUpdate
    private static final int WU_TICK = 1;
    private static final int WU_ACK_SEQ = 2;
    private static final int WU_TICKS_SINCE_ACK = 3;
    private static final int WU_X = 4;
    private static final int WU_Y = 5;
    private static final int WU_ENTERS = 6;
    private static final int WU_LEAVES = 7;
    private static final int WU_TIME_DILATION = 10;
    // EntityEnter
    private static final int EE_ID = 1;

    private LeanDecoder() {
    }

    /**
     * Applies the frame to {@code view} if it is a world update.
     *
     * @return -1 if the frame is not a world update (nothing was changed: decode it in full),
     *         else the number of inconsistencies found (0 for a good update)
     * @throws IOException if the bytes are not a valid message
     */
    static int decode(CodedInputStream in, LeanView view) throws IOException {
        int result = -1;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) return result;
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == SM_WORLD_UPDATE && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED
                    && result < 0) {
                int limit = in.pushLimit(in.readRawVarint32());
                result = worldUpdate(in, view);
                in.popLimit(limit);
            } else if (field == SM_RID || result >= 0) {
                in.skipField(tag);
            } else {
                // Another message type: leave it to the full decoder.
                return -1;
            }
        }
    }

    private static int worldUpdate(CodedInputStream in, LeanView view) throws IOException {
        int tick = 0, ack = 0, sinceAck = 0, x = 0, y = 0, nLeaves = 0, nEnters = 0;
        float dilation = 0f;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) break;
            switch (WireFormat.getTagFieldNumber(tag)) {
                case WU_TICK -> tick = in.readUInt32();
                case WU_ACK_SEQ -> ack = in.readUInt32();
                case WU_TICKS_SINCE_ACK -> sinceAck = in.readUInt32();
                case WU_X -> x = in.readSInt32();
                case WU_Y -> y = in.readSInt32();
                case WU_TIME_DILATION -> {
                    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_FIXED32) dilation = in.readFloat();
                    else in.skipField(tag);
                }
                case WU_ENTERS -> {
                    int limit = in.pushLimit(in.readRawVarint32());
                    int id = 0;
                    while (true) {
                        int t = in.readTag();
                        if (t == 0) break;
                        if (WireFormat.getTagFieldNumber(t) == EE_ID && WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_VARINT) {
                            id = in.readUInt32();
                        } else {
                            in.skipField(t);
                        }
                    }
                    in.popLimit(limit);
                    if (nEnters == view.enters.length) view.enters = Arrays.copyOf(view.enters, nEnters * 2);
                    view.enters[nEnters++] = id;
                }
                case WU_LEAVES -> {
                    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            if (nLeaves == view.leaves.length) view.leaves = Arrays.copyOf(view.leaves, nLeaves * 2);
                            view.leaves[nLeaves++] = in.readUInt32();
                        }
                        in.popLimit(limit);
                    } else {
                        if (nLeaves == view.leaves.length) view.leaves = Arrays.copyOf(view.leaves, nLeaves * 2);
                        view.leaves[nLeaves++] = in.readUInt32();
                    }
                }
                default -> in.skipField(tag);
            }
        }
        return view.apply(tick, ack, sinceAck, x, y, dilation, nLeaves, nEnters);
    }
}

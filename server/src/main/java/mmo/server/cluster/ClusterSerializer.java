package mmo.server.cluster;

import mmo.server.cluster.ClusterMessage.NodeEnvelope;
import mmo.server.cluster.ClusterMessage.Ownership;
import mmo.server.cluster.ClusterMessage.RegionEnvelope;
import mmo.server.cluster.ClusterMessage.TopicEnvelope;
import mmo.server.cluster.ClusterMessage.Touch;
import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The wire format of {@link ClusterMessage}s between nodes: big-endian ints, strings as an
 * unsigned 16-bit length then UTF-8, the opaque payload last and unprefixed (its length is what
 * remains). The manifest (one letter) names the type. Pekko creates one instance per actor
 * system by reflection; stateless, so any thread.
 */
final class ClusterSerializer extends SerializerWithStringManifest {
    /** Pekko reserves 0-40; any other value unique within the system will do. */
    static final int ID = 0x6d6d6f01;

    private static final String REGION = "R", TOUCH = "T", NODE = "N", TOPIC = "P", OWNERSHIP = "O";

    @Override
    public int identifier() {
        return ID;
    }

    @Override
    public String manifest(Object o) {
        return switch (o) {
            case RegionEnvelope e -> REGION;
            case Touch t -> TOUCH;
            case NodeEnvelope e -> NODE;
            case TopicEnvelope e -> TOPIC;
            case Ownership e -> OWNERSHIP;
            default -> throw new IllegalArgumentException("not a cluster message: " + o.getClass());
        };
    }

    @Override
    public byte[] toBinary(Object o) {
        return switch (o) {
            case RegionEnvelope e -> ByteBuffer.allocate(8 + e.payload().length)
                    .putInt(e.region()).putInt(e.kind()).put(e.payload()).array();
            case Touch t -> new byte[0];
            case NodeEnvelope e -> withString(e.from(), e.kind(), e.payload());
            case TopicEnvelope e -> withString(e.topic(), e.kind(), e.payload());
            case Ownership e -> {
                byte[] node = utf8(e.node());
                ByteBuffer b = ByteBuffer.allocate(2 + node.length + 4 + 4 * e.regions().length);
                b.putShort((short) node.length).put(node).putInt(e.regions().length);
                for (int r : e.regions()) b.putInt(r);
                yield b.array();
            }
            default -> throw new IllegalArgumentException("not a cluster message: " + o.getClass());
        };
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return switch (manifest) {
            case REGION -> new RegionEnvelope(b.getInt(), b.getInt(), rest(b));
            case TOUCH -> Touch.INSTANCE;
            case NODE -> new NodeEnvelope(string(b), b.getInt(), rest(b));
            case TOPIC -> new TopicEnvelope(string(b), b.getInt(), rest(b));
            case OWNERSHIP -> {
                String node = string(b);
                int[] regions = new int[b.getInt()];
                for (int i = 0; i < regions.length; i++) regions[i] = b.getInt();
                yield new Ownership(node, regions);
            }
            default -> throw new NotSerializableException("unknown cluster message manifest '" + manifest + "'");
        };
    }

    private static byte[] withString(String s, int kind, byte[] payload) {
        byte[] str = utf8(s);
        return ByteBuffer.allocate(2 + str.length + 4 + payload.length)
                .putShort((short) str.length).put(str).putInt(kind).put(payload).array();
    }

    private static byte[] utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) throw new IllegalArgumentException("string longer than 65535 bytes: " + s.substring(0, 40) + "...");
        return b;
    }

    private static String string(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        String s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }

    private static byte[] rest(ByteBuffer b) {
        return Arrays.copyOfRange(b.array(), b.position(), b.limit());
    }
}

package mmo.server.cluster;

/**
 * Every message that crosses from one node to another, and the only ones: the serialization
 * binding in {@link ClusterNode}'s configuration maps this interface to {@link ClusterSerializer},
 * and Java serialization is off, so a message type added without a codec fails loudly the first
 * time it is sent remotely. Game messages travel inside as an opaque {@code (kind, payload)}.
 * Immutable (the payload arrays are never changed after sending); any thread.
 */
sealed interface ClusterMessage {

    /** To the node that owns {@code region}, through sharding. */
    record RegionEnvelope(int region, int kind, byte[] payload) implements ClusterMessage, RegionActor.Command {}

    /**
     * Sent to every region twice a second by every node: starts a region that is not running
     * anywhere (first start, or after its owner crashed) and is otherwise ignored.
     */
    enum Touch implements ClusterMessage, RegionActor.Command { INSTANCE }

    /** To one node's node actor; {@code from} is the sender's address. */
    record NodeEnvelope(String from, int kind, byte[] payload) implements ClusterMessage, NodeActor.Command {}

    /** Published on a topic, delivered to every node subscribed to it. */
    record TopicEnvelope(String topic, int kind, byte[] payload) implements ClusterMessage, NodeActor.Command {}

    /**
     * The complete set of regions running on {@code node} now, published on the ownership
     * topic whenever it changes and twice a second. A full snapshot rather than deltas, so a lost
     * or reordered announcement is corrected by the next one.
     */
    record Ownership(String node, int[] regions) implements ClusterMessage, NodeActor.Command {}
}

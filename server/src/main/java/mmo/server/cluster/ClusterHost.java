package mmo.server.cluster;

/**
 * What the cluster layer tells the game. Every method is called on a Pekko dispatcher thread,
 * never the tick thread: an implementation queues the event for its tick and returns at once
 * (a slow callback delays that region's or node's next message, and a hand-off waits for
 * {@link #regionStopped}). Payloads are opaque to the cluster layer: {@code kind} says what they
 * are, and the arrays belong to the callee.
 */
public interface ClusterHost {

    /** This node now owns {@code region}: from now on its messages arrive here. */
    void regionStarted(int region);

    /**
     * This node no longer owns {@code region} (moved to another node by a rebalance, or this
     * node is leaving). Messages sent to the region meanwhile wait in sharding's buffers and go
     * to the next owner, whose {@link #regionStarted} comes after this call has returned.
     */
    void regionStopped(int region);

    /** A message sent with {@link ClusterNode#sendToRegion} to a region this node owns. */
    void onRegionMessage(int region, int kind, byte[] payload);

    /** A message sent with {@link ClusterNode#sendToNode} to this node; {@code fromNode} is the sender's address. */
    void onNodeMessage(String fromNode, int kind, byte[] payload);

    /** A message published on a topic this node subscribed to (including by this node itself). */
    void onTopicMessage(String topic, int kind, byte[] payload);

    /**
     * Member {@code node} (its address) left the cluster or was downed: once per member. Its
     * regions start elsewhere (each with {@link #regionStarted} on its new owner); whatever the
     * game had handed to that node is gone with it.
     */
    default void nodeRemoved(String node) {}

    /**
     * This node is no longer a member and its actor system has stopped: after
     * {@link ClusterNode#close()}, or because the cluster downed it (the split brain resolver
     * chose the other side of a partition, or it was unreachable too long). In the second case
     * its regions are owned elsewhere now, so the game must stop serving them (in practice:
     * shut the process down).
     */
    default void leftCluster() {}
}

package mmo.server.cluster;

import mmo.server.cluster.ClusterMessage.RegionEnvelope;
import mmo.server.cluster.ClusterMessage.Touch;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sharded entity of one region: while it runs, this node owns the region. It holds no game
 * state (the world does); it marks ownership ({@link ClusterHost#regionStarted} when it starts,
 * {@link ClusterHost#regionStopped} when it stops) and hands the region's messages to the host.
 * Sharding runs at most one per region in the cluster, and on a move the old one has stopped
 * before the new one starts. Runs on a Pekko dispatcher thread, one message at a time.
 */
final class RegionActor {
    /** What a region entity accepts. */
    interface Command {}

    /**
     * Sharding's stop message on hand-off: queued behind the messages already in the mailbox,
     * so those reach the host before {@code regionStopped}. Local only, never serialized.
     */
    enum Stop implements Command { INSTANCE }

    private static final Logger log = LoggerFactory.getLogger(RegionActor.class);

    private RegionActor() {}

    static Behavior<Command> create(int region, ClusterHost host, ActorRef<NodeActor.Command> node) {
        return Behaviors.setup(ctx -> {
            guard("regionStarted", region, () -> host.regionStarted(region));
            node.tell(new NodeActor.RegionUp(region));
            return Behaviors.receive(Command.class)
                    .onMessage(RegionEnvelope.class, e -> {
                        guard("onRegionMessage", region, () -> host.onRegionMessage(region, e.kind(), e.payload()));
                        return Behaviors.same();
                    })
                    .onMessage(Touch.class, t -> Behaviors.same())
                    .onMessage(Stop.class, s -> Behaviors.stopped())
                    .onSignal(PostStop.class, s -> {
                        guard("regionStopped", region, () -> host.regionStopped(region));
                        node.tell(new NodeActor.RegionDown(region));
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** A failing host callback is logged and survived: the region must keep running. */
    static void guard(String what, int region, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.error("cluster host {} for region {} failed", what, region, e);
        }
    }
}

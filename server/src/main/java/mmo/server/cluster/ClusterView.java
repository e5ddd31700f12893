package mmo.server.cluster;

import org.apache.pekko.actor.typed.ActorRef;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the node actor has learned, published for {@link ClusterNode}'s callers: immutable maps
 * replaced whole by the node actor (its only writer), read by any thread without locking.
 */
final class ClusterView {
    /** Region index to owner address, as announced; ordered by region. */
    volatile Map<Integer, String> owners = Map.of();
    /** The presence registry as last replicated here. */
    volatile Map<String, String> presence = Map.of();
    /** Node actors of other nodes by address, resolved on first send; dropped when the node leaves. */
    final ConcurrentHashMap<String, ActorRef<NodeActor.Command>> nodeRefs = new ConcurrentHashMap<>();
}

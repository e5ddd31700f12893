package mmo.server.cluster;

import mmo.server.cluster.ClusterMessage.NodeEnvelope;
import mmo.server.cluster.ClusterMessage.Ownership;
import mmo.server.cluster.ClusterMessage.TopicEnvelope;
import mmo.server.cluster.ClusterMessage.Touch;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * This node's guardian (at {@code /user}, where other nodes address it): receives node and
 * topic messages for the host, keeps every region running (the periodic touch), announces the
 * regions running here and builds the ownership table from everyone's announcements, follows
 * membership, and mirrors the presence registry into {@link ClusterView}. One actor, so its
 * state below needs no locks; other threads see only what it publishes in the view.
 */
final class NodeActor extends AbstractBehavior<NodeActor.Command> {
    /** What the node actor accepts: the remote messages of {@link ClusterMessage} and the local ones below. */
    interface Command {}

    /** From {@link ClusterNode} once sharding is up: where to send the touches. */
    record Start(ActorRef<ShardingEnvelope<RegionActor.Command>> regions) implements Command {}

    /** From a region entity of this node as it starts. */
    record RegionUp(int region) implements Command {}

    /** From a region entity of this node as it stops. */
    record RegionDown(int region) implements Command {}

    record SubscribeTopic(String topic) implements Command {}

    record Publish(TopicEnvelope message) implements Command {}

    private enum Tick implements Command { INSTANCE }

    private record MembershipChanged(ClusterEvent.MemberEvent event) implements Command {}

    private record PresenceChanged(Replicator.SubscribeResponse<LWWMap<String, String>> response) implements Command {}

    static final Key<LWWMap<String, String>> PRESENCE = LWWMapKey.create("mmo-presence");
    /**
     * Touches and the ownership re-announcement: how soon a lost region restarts once sharding
     * lets it, and how soon a stale table heals. Costs regions x nodes small messages per tick.
     */
    static final Duration TICK = Duration.ofMillis(500);

    private static final Logger log = LoggerFactory.getLogger(NodeActor.class);

    private final ClusterHost host;
    private final ClusterView view;
    private final int regionCount;
    private final String self;
    private final String[] entityIds;
    private final ActorRef<Topic.Command<Ownership>> ownershipTopic;
    private final Map<String, ActorRef<Topic.Command<TopicEnvelope>>> topics = new HashMap<>();
    private final Set<String> subscribed = new HashSet<>();
    private final ActorRef<Replicator.Command> replicator;
    private final SelfUniqueAddress selfUnique;
    private ActorRef<ShardingEnvelope<RegionActor.Command>> regions;

    /** Regions whose entity runs on this node. */
    private final TreeSet<Integer> owned = new TreeSet<>();
    /**
     * Per node, the regions it claims, each with the local sequence number of when that claim
     * was first seen. During a move two nodes may briefly claim one region (their announcements
     * can cross); the newer claim wins until the stale one is withdrawn by its node's next snapshot.
     */
    private final Map<String, Map<Integer, Long>> claims = new HashMap<>();
    private long claimSeq;
    /** Members not down or removed, by address: announcements from anyone else are stale. */
    private final Set<String> live = new HashSet<>();
    /** Members reported to the host as removed when downed, awaiting their MemberRemoved. */
    private final Set<UniqueAddress> reportedDown = new HashSet<>();
    /**
     * This node is leaving or was downed: from then on it reports no one else as removed (as it
     * shuts down, Pekko shows it every other member removed, which says nothing about them).
     */
    private boolean leaving;

    static Behavior<Command> create(ClusterHost host, ClusterView view, int regionCount) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
            return new NodeActor(ctx, host, view, regionCount);
        }));
    }

    private NodeActor(ActorContext<Command> ctx, ClusterHost host, ClusterView view, int regionCount) {
        super(ctx);
        this.host = host;
        this.view = view;
        this.regionCount = regionCount;
        this.self = Cluster.get(ctx.getSystem()).selfMember().address().toString();
        this.entityIds = new String[regionCount];
        for (int r = 0; r < regionCount; r++) entityIds[r] = Integer.toString(r);

        this.ownershipTopic = ctx.spawn(Topic.create(Ownership.class, "mmo-region-owners"), "region-owners");
        ownershipTopic.tell(Topic.subscribe(ctx.getSelf().narrow()));

        ActorRef<ClusterEvent.MemberEvent> members = ctx.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new);
        Cluster.get(ctx.getSystem()).subscriptions().tell(new Subscribe<>(members, ClusterEvent.MemberEvent.class));

        DistributedData ddata = DistributedData.get(ctx.getSystem());
        this.replicator = ddata.replicator();
        this.selfUnique = ddata.selfUniqueAddress();
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Replicator.SubscribeResponse<LWWMap<String, String>>> responseClass = (Class) Replicator.SubscribeResponse.class;
        replicator.tell(new Replicator.Subscribe<>(PRESENCE, ctx.messageAdapter(responseClass, PresenceChanged::new)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Start.class, m -> {
                    regions = m.regions();
                    touchAll();
                    return this;
                })
                .onMessage(Tick.class, m -> {
                    touchAll();
                    announce();
                    return this;
                })
                .onMessage(RegionUp.class, m -> {
                    owned.add(m.region());
                    ownClaimsChanged();
                    return this;
                })
                .onMessage(RegionDown.class, m -> {
                    owned.remove(m.region());
                    ownClaimsChanged();
                    return this;
                })
                .onMessage(Ownership.class, m -> {
                    // the periodic snapshots mostly repeat what is known: republish only on a change
                    if (!m.node().equals(self) && live.contains(m.node()) && setClaims(m.node(), m.regions())) {
                        publishOwners();
                    }
                    return this;
                })
                .onMessage(NodeEnvelope.class, m -> {
                    guard("onNodeMessage", () -> host.onNodeMessage(m.from(), m.kind(), m.payload()));
                    return this;
                })
                .onMessage(TopicEnvelope.class, m -> {
                    guard("onTopicMessage", () -> host.onTopicMessage(m.topic(), m.kind(), m.payload()));
                    return this;
                })
                .onMessage(SubscribeTopic.class, m -> {
                    if (subscribed.add(m.topic())) topic(m.topic()).tell(Topic.subscribe(getContext().getSelf().narrow()));
                    return this;
                })
                .onMessage(Publish.class, m -> {
                    topic(m.message().topic()).tell(Topic.publish(m.message()));
                    return this;
                })
                .onMessage(MembershipChanged.class, m -> {
                    onMemberEvent(m.event());
                    return this;
                })
                .onMessage(PresenceChanged.class, m -> {
                    if (m.response() instanceof Replicator.Changed<LWWMap<String, String>> changed) {
                        view.presence = Map.copyOf(changed.get(PRESENCE).getEntries());
                    } else {
                        view.presence = Map.of();
                    }
                    return this;
                })
                .build();
    }

    /** Sends every region a touch through sharding, which starts any region not running anywhere. */
    private void touchAll() {
        if (regions == null) return;
        for (int r = 0; r < regionCount; r++) regions.tell(new ShardingEnvelope<>(entityIds[r], Touch.INSTANCE));
    }

    private void announce() {
        int[] mine = owned.stream().mapToInt(Integer::intValue).toArray();
        ownershipTopic.tell(Topic.publish(new Ownership(self, mine)));
    }

    private void ownClaimsChanged() {
        setClaims(self, owned.stream().mapToInt(Integer::intValue).toArray());
        publishOwners();
        announce();
    }

    /** Replaces {@code node}'s claims; whether they changed. */
    private boolean setClaims(String node, int[] regions) {
        Map<Integer, Long> before = claims.getOrDefault(node, Map.of());
        Map<Integer, Long> now = new HashMap<>();
        for (int r : regions) {
            Long since = before.get(r);
            now.put(r, since != null ? since : ++claimSeq);
        }
        if (now.isEmpty()) claims.remove(node);
        else claims.put(node, now);
        return !now.keySet().equals(before.keySet());
    }

    /** Recomputes the table from the claims (a few nodes times 64 regions) and publishes it. */
    private void publishOwners() {
        Map<Integer, String> owners = new TreeMap<>();
        Map<Integer, Long> newest = new HashMap<>();
        claims.forEach((node, regionsSince) -> regionsSince.forEach((region, since) -> {
            if (since > newest.getOrDefault(region, 0L)) {
                newest.put(region, since);
                owners.put(region, node);
            }
        }));
        view.owners = Collections.unmodifiableMap(owners);
    }

    private void onMemberEvent(ClusterEvent.MemberEvent event) {
        Member member = event.member();
        String address = member.address().toString();
        if (address.equals(self)) {
            if (event instanceof ClusterEvent.MemberUp) log.info("cluster member {} is up", self);
            if (event instanceof ClusterEvent.MemberLeft || event instanceof ClusterEvent.MemberExited
                    || event instanceof ClusterEvent.MemberDowned || event instanceof ClusterEvent.MemberRemoved) {
                leaving = true;
            }
            return;
        }
        if (leaving) return;
        switch (event) {
            case ClusterEvent.MemberDowned d -> {
                live.remove(address);
                if (reportedDown.add(member.uniqueAddress())) gone(member, "was downed");
            }
            case ClusterEvent.MemberRemoved r -> {
                live.remove(address);
                if (!reportedDown.remove(member.uniqueAddress())) gone(member, "left");
            }
            default -> live.add(address);
        }
    }

    /** A member is out: its regions are no longer its, its presence entries are dropped, the host is told. */
    private void gone(Member member, String how) {
        String node = member.address().toString();
        log.info("cluster member {} {}; its regions start elsewhere", node, how);
        claims.remove(node);
        publishOwners();
        view.nodeRefs.remove(node);
        replicator.tell(new Replicator.Update<>(PRESENCE, LWWMap.create(), Replicator.writeLocal(),
                getContext().getSystem().ignoreRef(), map -> {
                    LWWMap<String, String> m = map;
                    for (Map.Entry<String, String> e : map.getEntries().entrySet()) {
                        if (e.getValue().equals(node)) m = m.remove(selfUnique, e.getKey());
                    }
                    return m;
                }));
        guard("nodeRemoved", () -> host.nodeRemoved(node));
    }

    /** The local instance of a topic, started on first use; it finds the other nodes' instances through the receptionist. */
    private ActorRef<Topic.Command<TopicEnvelope>> topic(String name) {
        return topics.computeIfAbsent(name,
                n -> getContext().spawn(Topic.create(TopicEnvelope.class, n), "topic-" + (topics.size() + 1)));
    }

    private static void guard(String what, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.error("cluster host {} failed", what, e);
        }
    }
}

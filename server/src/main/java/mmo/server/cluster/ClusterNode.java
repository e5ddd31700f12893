package mmo.server.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import mmo.server.cluster.ClusterMessage.NodeEnvelope;
import mmo.server.cluster.ClusterMessage.RegionEnvelope;
import mmo.server.cluster.ClusterMessage.TopicEnvelope;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This process as a member of the game's Pekko cluster: every node runs the same program, and
 * each region of the map is owned by exactly one node at a time, placed by Cluster Sharding.
 * The game reaches a region wherever it lives ({@link #sendToRegion}), talks to a node
 * ({@link #sendToNode}), publishes to topics, and shares a presence registry; the cluster calls
 * back through {@link ClusterHost}. Payloads are opaque {@code (kind, byte[])}: this layer
 * knows no game message. Every method may be called from any thread and none blocks, except
 * {@link #start} (creates the actor system, does not wait to join) and {@link #close}.
 * Delivery is at most once, as everywhere in Pekko: a message to a node that is just crashing is
 * lost. See docs/CLUSTER.md.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    static final String SYSTEM_NAME = "mmo";
    static final EntityTypeKey<RegionActor.Command> REGION = EntityTypeKey.create(RegionActor.Command.class, "region");
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(40);

    /**
     * Pekko settings that do not depend on {@link ClusterSettings}, over Pekko's reference
     * configuration. The timings add up to a crashed node's regions running again elsewhere in
     * about 12 s with the default down-after of 5 s: about 4 s until the failure detector calls it
     * unreachable, down-after until the split brain resolver downs it, about 1 s until the leader
     * removes it, the 1 s down-removal-margin, then within the 0.5 s retry-interval the regions
     * holding touches for its shards ask again, and the shards start on the survivors.
     */
    private static final String PEKKO = """
            pekko {
              loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
              logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
              loglevel = INFO
              stdout-loglevel = OFF
              # The server's own shutdown leaves the cluster at the right moment (after its
              # clients were told to go); Pekko must not leave on its own at SIGTERM. Nor may
              # Artery shut its transport down from a JVM hook of its own (it does while
              # jvm-shutdown-hooks is on): the leave would then reach no one, the hand-off time
              # out after 10 s and the others down this node instead.
              coordinated-shutdown.run-by-jvm-shutdown-hook = off
              jvm-shutdown-hooks = off
              log-dead-letters-during-shutdown = off
              actor {
                provider = cluster
                # every message between nodes is a ClusterMessage with a hand-written codec
                allow-java-serialization = off
                serializers { mmo-cluster = "mmo.server.cluster.ClusterSerializer" }
                serialization-bindings { "mmo.server.cluster.ClusterMessage" = mmo-cluster }
              }
              remote.artery.transport = tcp
              cluster {
                downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
                split-brain-resolver.active-strategy = keep-majority
                # a member that stops answering is unreachable after about 3.5-4 s; a pause (GC, a
                # busy machine) of up to 3 s is tolerated
                failure-detector {
                  heartbeat-interval = 500ms
                  acceptable-heartbeat-pause = 3s
                }
                # How long after removing a downed member its shards may start elsewhere: time for
                # the downed side of a partition (which decides at the same moment) to stop its own
                # regions. Pekko's default with the SBR is stable-after again (5 s more), which
                # would put the recovery from a crash over 15 s.
                down-removal-margin = 1s
                log-info-verbose = off
                sharding {
                  # regions live as long as their owner: never passivated for being idle
                  passivation.strategy = none
                  # a joining node gets its share within a few rounds (a quarter of the shards at most per round)
                  rebalance-interval = 2s
                  # a region asks the coordinator again this often for a shard it holds messages
                  # for: after a crash, how soon the freed shards are placed (Pekko's default is 2 s)
                  retry-interval = 500ms
                  least-shard-allocation-strategy {
                    rebalance-absolute-limit = 16
                    rebalance-relative-limit = 0.25
                  }
                }
              }
            }
            """;

    private final ClusterSettings settings;
    private final ActorSystem<NodeActor.Command> system;
    private final ActorRef<ShardingEnvelope<RegionActor.Command>> regions;
    private final ClusterView view;
    private final String self;
    private final String[] entityIds;
    private final ActorRefResolver resolver;
    private final ActorRef<Replicator.Command> replicator;
    private final SelfUniqueAddress selfUnique;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ClusterNode(ClusterSettings settings, ClusterHost host, Config overrides) {
        this.settings = settings;
        this.view = new ClusterView();
        ActorSystem<NodeActor.Command> system = ActorSystem.create(
                NodeActor.create(host, view, settings.regionCount()), SYSTEM_NAME, pekkoConfig(settings, overrides));
        this.system = system;
        try {
            Address selfAddress = Cluster.get(system).selfMember().address();
            this.self = selfAddress.toString();
            this.entityIds = new String[settings.regionCount()];
            for (int r = 0; r < entityIds.length; r++) entityIds[r] = Integer.toString(r);
            this.resolver = ActorRefResolver.get(system);
            DistributedData ddata = DistributedData.get(system);
            this.replicator = ddata.replicator();
            this.selfUnique = ddata.selfUniqueAddress();
            this.regions = ClusterSharding.get(system).init(
                    Entity.of(REGION, ctx -> RegionActor.create(Integer.parseInt(ctx.getEntityId()), host, system))
                            .withMessageExtractor(new BlockShards(settings.regionCols(), settings.regionRows()))
                            .withStopMessage(RegionActor.Stop.INSTANCE));
            system.tell(new NodeActor.Start(regions));

            if (settings.discovery().enabled()) {
                bootstrap();
            } else {
                List<Address> seeds = addresses(settings.seedNodes());
                if (seeds.isEmpty()) seeds.add(selfAddress);
                join(seeds);
            }
            system.getWhenTerminated().thenRun(() -> {
                try {
                    host.leftCluster();
                } catch (RuntimeException e) {
                    log.error("cluster host leftCluster failed", e);
                }
            });
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
    }

    private static List<Address> addresses(List<String> hostPorts) {
        List<Address> out = new ArrayList<>();
        for (String s : hostPorts) {
            ClusterSettings.HostPort hp = ClusterSettings.hostPort(s);
            out.add(new Address("pekko", SYSTEM_NAME, hp.host(), hp.port()));
        }
        return out;
    }

    private void join(List<Address> seeds) {
        Cluster.get(system).manager().tell(new JoinSeedNodes(seeds));
        log.info("cluster node {} joining through {} ({}x{} regions)", self, seeds, settings.regionCols(), settings.regionRows());
    }

    /**
     * Serves Pekko Management's routes on the bootstrap port and starts Cluster Bootstrap, which
     * looks the discovery name up (Pekko Discovery), probes the nodes found and joins or forms the
     * cluster; see {@code mmo.cluster.discovery} in reference.conf.
     */
    private void bootstrap() {
        var d = settings.discovery();
        PekkoManagement.get(system).start().whenComplete((uri, error) -> {
            if (error != null) log.error("cluster bootstrap: Pekko Management did not start on port {}", d.bootstrapPort(), error);
            else log.info("cluster bootstrap: Pekko Management at {}", uri);
        });
        ClusterBootstrap.get(system).start();
        log.info("cluster node {} looking for nodes at {} (forms a cluster with at least {}; {}x{} regions)",
                self, d.dnsName(), d.minContacts(), settings.regionCols(), settings.regionRows());
    }

    /**
     * Starts this node's actor system and asks to join the cluster; returns without waiting to
     * join. Regions start arriving through {@link ClusterHost#regionStarted} once this node is up
     * and sharding gives it some.
     */
    public static ClusterNode start(ClusterSettings settings, ClusterHost host) {
        return new ClusterNode(settings, host, ConfigFactory.empty());
    }

    /** {@link #start(ClusterSettings, ClusterHost)} with Pekko settings layered on top (tests). */
    static ClusterNode start(ClusterSettings settings, ClusterHost host, Config overrides) {
        return new ClusterNode(settings, host, overrides);
    }

    /**
     * The whole Pekko configuration of a node, highest first: JVM system properties (so
     * {@code -Dpekko.loglevel=DEBUG} works as with any Pekko program), the overrides, the
     * settings, {@link #PEKKO}, Pekko's reference configuration.
     */
    static Config pekkoConfig(ClusterSettings settings, Config overrides) {
        Map<String, Object> values = new HashMap<>(Map.of(
                "pekko.remote.artery.canonical.hostname", settings.host(),
                "pekko.remote.artery.canonical.port", settings.port(),
                "pekko.cluster.split-brain-resolver.stable-after", settings.downAfter().toMillis() + "ms"));
        var d = settings.discovery();
        if (d.enabled()) {
            values.put("pekko.discovery.method", "pekko-dns");
            values.put("pekko.management.http.hostname", settings.host());
            values.put("pekko.management.http.port", d.bootstrapPort());
            values.put("pekko.management.cluster.bootstrap.contact-point-discovery.service-name", d.dnsName());
            values.put("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr", d.minContacts());
        }
        Config fromSettings = ConfigFactory.parseMap(values, "cluster settings");
        return ConfigFactory.defaultOverrides()
                .withFallback(overrides)
                .withFallback(fromSettings)
                .withFallback(ConfigFactory.parseString(PEKKO, ConfigParseOptions.defaults().setOriginDescription("ClusterNode")))
                .withFallback(ConfigFactory.defaultReferenceUnresolved())
                .resolve();
    }

    /** This node's address, e.g. {@code pekko://mmo@10.0.0.5:25520}: what other nodes and the tables call it. */
    public String self() {
        return self;
    }

    public ClusterSettings settings() {
        return settings;
    }

    /**
     * Sends to whichever node owns {@code region}, through sharding: the owner's host gets
     * {@link ClusterHost#onRegionMessage}. While the region moves, the message waits in
     * sharding's buffers and reaches the new owner.
     */
    public void sendToRegion(int region, int kind, byte[] payload) {
        checkRegion(region);
        regions.tell(new ShardingEnvelope<>(entityIds[region], new RegionEnvelope(region, kind, payload)));
    }

    /** Sends straight to {@code node}'s node actor ({@link ClusterHost#onNodeMessage} there); lost if that node is gone. */
    public void sendToNode(String node, int kind, byte[] payload) {
        view.nodeRefs.computeIfAbsent(node, n -> resolver.resolveActorRef(n + "/user"))
                .tell(new NodeEnvelope(self, kind, payload));
    }

    /**
     * Publishes to every node subscribed to {@code topic}, this one included. The first
     * messages on a topic new to this node may reach only the subscribers it already knows of:
     * the topic learns of the others through the receptionist within about a second.
     */
    public void publish(String topic, int kind, byte[] payload) {
        system.tell(new NodeActor.Publish(new TopicEnvelope(topic, kind, payload)));
    }

    /** From now on this node receives {@code topic}'s messages ({@link ClusterHost#onTopicMessage}). */
    public void subscribe(String topic) {
        system.tell(new NodeActor.SubscribeTopic(topic));
    }

    /**
     * Region to owner address as announced to this node; ordered by region, immutable. Eventually
     * consistent: a region that just moved may show its old owner for a moment, a region
     * between owners is missing, and a crashed owner's regions show it until it is downed.
     */
    public Map<Integer, String> regionOwners() {
        return view.owners;
    }

    /** The owner of {@code region} as far as this node knows ({@link #regionOwners()}). */
    public Optional<String> ownerOf(int region) {
        checkRegion(region);
        return Optional.ofNullable(view.owners.get(region));
    }

    /**
     * Records cluster-wide that {@code key} (e.g. an online character's name) is at {@code node}.
     * Last writer wins; replicated in the background, so other nodes see it within about a
     * second, and this node only once the replicator has reported it back (a fraction of a second).
     */
    public void presenceAdd(String key, String node) {
        replicator.tell(new Replicator.Update<>(NodeActor.PRESENCE, LWWMap.create(), Replicator.writeLocal(),
                system.ignoreRef(), map -> map.put(selfUnique, key, node)));
    }

    /** Removes {@code key} from the presence registry (as {@link #presenceAdd}, eventually everywhere). */
    public void presenceRemove(String key) {
        replicator.tell(new Replicator.Update<>(NodeActor.PRESENCE, LWWMap.create(), Replicator.writeLocal(),
                system.ignoreRef(), map -> map.remove(selfUnique, key)));
    }

    /** Where {@code key} is, as replicated to this node. Entries of nodes that left or were downed are dropped. */
    public Optional<String> presence(String key) {
        return Optional.ofNullable(view.presence.get(key));
    }

    /** Addresses of the members that are up, sorted. */
    public Set<String> members() {
        TreeSet<String> up = new TreeSet<>();
        for (Member m : Cluster.get(system).state().getMembers()) {
            if (m.status() == MemberStatus.up()) up.add(m.address().toString());
        }
        return Collections.unmodifiableSet(up);
    }

    /**
     * Leaves the cluster gracefully and stops the actor system (Pekko's coordinated shutdown):
     * this node's regions are handed off ({@link ClusterHost#regionStopped} here, then
     * {@link ClusterHost#regionStarted} on the nodes that take them), the others see it removed.
     * Blocks until done, at most 40 s. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.clusterLeavingReason())
                    .toCompletableFuture().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("cluster node {} did not leave within {}; terminating", self, CLOSE_TIMEOUT);
            system.terminate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            system.terminate();
        } catch (Exception e) {
            log.warn("cluster node {} leave failed: {}", self, e.toString());
            system.terminate();
        }
    }

    private void checkRegion(int region) {
        if (region < 0 || region >= entityIds.length) {
            throw new IllegalArgumentException("region " + region + " outside 0.." + (entityIds.length - 1));
        }
    }

    /**
     * Entity id = region index; shard id = the 2x2 block of regions it lies in. A shard moves
     * as a whole, so neighbouring regions (whose players see across the border) tend to share a
     * node, and sharding has 16 units to balance on the 8x8 map rather than 64.
     */
    static final class BlockShards extends ShardingMessageExtractor<ShardingEnvelope<RegionActor.Command>, RegionActor.Command> {
        private final String[] shardOf;

        BlockShards(int cols, int rows) {
            int blockCols = (cols + 1) / 2;
            this.shardOf = new String[cols * rows];
            for (int r = 0; r < shardOf.length; r++) shardOf[r] = Integer.toString((r / cols / 2) * blockCols + (r % cols) / 2);
        }

        /** The shard of a region: its 2x2 block, numbered row by row. */
        int shard(int region) {
            return Integer.parseInt(shardOf[region]);
        }

        @Override
        public String entityId(ShardingEnvelope<RegionActor.Command> envelope) {
            return envelope.entityId();
        }

        @Override
        public String shardId(String entityId) {
            return shardOf[Integer.parseInt(entityId)];
        }

        @Override
        public RegionActor.Command unwrapMessage(ShardingEnvelope<RegionActor.Command> envelope) {
            return envelope.message();
        }
    }
}

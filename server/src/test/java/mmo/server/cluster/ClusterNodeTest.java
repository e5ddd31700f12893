package mmo.server.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Real actor systems in this JVM, on loopback with free ports, forming one cluster that the
 * ordered tests below grow and shrink: three nodes share the 64 regions; messages, topics and
 * presence cross nodes; a fourth node takes a share (a message sent while a region moves
 * reaches its new owner); a node leaving hands its regions to the others. Every wait is a
 * bounded poll of a condition.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterNodeTest {
    private static final int COLS = 8, ROWS = 8, REGIONS = COLS * ROWS, SHARDS = 16;
    static final Duration WAIT = Duration.ofSeconds(30);
    /** Several actor systems in one JVM would each try to register the same cluster MBean. */
    static final Config TEST_PEKKO = ConfigFactory.parseString("pekko.cluster.jmx.enabled = off");

    /** Orders every host event of every node, to check that a region stops on one node before it starts on another. */
    private static final AtomicLong clock = new AtomicLong();

    private final List<Node> nodes = new ArrayList<>();
    private String seed;

    private record Node(ClusterNode cluster, Host host) {
        String self() { return cluster.self(); }
    }

    record Received(int region, String from, String topic, int kind, byte[] payload) {
        boolean is(int kind, String text) {
            return this.kind == kind && new String(payload, StandardCharsets.UTF_8).equals(text);
        }
    }

    /** Holds the first regionStopped it sees (of any node) until released: a region stuck mid-move. */
    private static final class Gate {
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch release = new CountDownLatch(1);
        volatile int region = -1;
        volatile Host heldOn;
    }

    private static volatile Gate gate = new Gate();

    /** What a host saw that must never happen; callbacks run on Pekko threads, so they record rather than throw. */
    private static final Queue<String> violations = new ConcurrentLinkedQueue<>();

    static final class Host implements ClusterHost {
        final Set<Integer> owned = ConcurrentHashMap.newKeySet();
        final Map<Integer, Long> startedAt = new ConcurrentHashMap<>();
        final Map<Integer, Long> stoppedAt = new ConcurrentHashMap<>();
        final Queue<Received> received = new ConcurrentLinkedQueue<>();
        final Set<String> removed = ConcurrentHashMap.newKeySet();
        final CountDownLatch left = new CountDownLatch(1);

        @Override
        public void regionStarted(int region) {
            startedAt.put(region, clock.incrementAndGet());
            if (!owned.add(region)) violations.add("region " + region + " started twice on one node");
        }

        @Override
        public void regionStopped(int region) {
            owned.remove(region);
            stoppedAt.put(region, clock.incrementAndGet());
            Gate g = gate;
            if (g.armed.compareAndSet(true, false)) {
                g.heldOn = this;
                g.region = region;
                try {
                    g.release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void onRegionMessage(int region, int kind, byte[] payload) {
            if (!owned.contains(region)) violations.add("message for region " + region + " on a node that does not own it");
            received.add(new Received(region, null, null, kind, payload));
        }

        @Override
        public void onNodeMessage(String fromNode, int kind, byte[] payload) {
            received.add(new Received(-1, fromNode, null, kind, payload));
        }

        @Override
        public void onTopicMessage(String topic, int kind, byte[] payload) {
            received.add(new Received(-1, null, topic, kind, payload));
        }

        @Override
        public void nodeRemoved(String node) {
            removed.add(node);
        }

        @Override
        public void leftCluster() {
            left.countDown();
        }

        boolean got(int region, int kind, String text) {
            return received.stream().anyMatch(r -> r.region == region && r.is(kind, text));
        }
    }

    private Node startNode() {
        Host host = new Host();
        List<String> seeds = seed == null ? List.of() : List.of(seed);
        ClusterNode cluster = ClusterNode.start(
                new ClusterSettings("127.0.0.1", 0, seeds, COLS, ROWS, Duration.ofSeconds(5)), host, TEST_PEKKO);
        if (seed == null) seed = cluster.self().substring(cluster.self().indexOf('@') + 1);
        Node node = new Node(cluster, host);
        nodes.add(node);
        return node;
    }

    @AfterEach
    void nothingImpossibleHappened() {
        assertThat(violations).isEmpty();
    }

    @AfterAll
    void closeAll() {
        for (Node n : nodes) n.cluster().close();
    }

    @Test
    @Order(1)
    void threeNodesShareTheRegionsAndAgreeOnTheirOwners() {
        for (int i = 0; i < 3; i++) startNode();

        awaitBalanced(nodes);
        for (Node n : nodes) assertThat(n.host().owned).isNotEmpty();
        assertThat(nodes.get(0).cluster().members()).containsExactlyInAnyOrderElementsOf(nodes.stream().map(Node::self).toList());
        // a 2x2 block of regions is one shard, so it always lives on one node
        Map<Integer, String> owners = nodes.get(0).cluster().regionOwners();
        for (int by = 0; by < ROWS; by += 2) {
            for (int bx = 0; bx < COLS; bx += 2) {
                int r = by * COLS + bx;
                assertThat(new HashSet<>(List.of(owners.get(r), owners.get(r + 1), owners.get(r + COLS), owners.get(r + COLS + 1)))).hasSize(1);
            }
        }
        assertThat(nodes.get(1).cluster().ownerOf(5)).contains(owners.get(5));
    }

    @Test
    @Order(2)
    void messagesTopicsAndPresenceCrossNodes() {
        Node a = nodes.get(0), b = nodes.get(1), c = nodes.get(2);
        int region = b.host().owned.stream().findFirst().orElseThrow();

        a.cluster().sendToRegion(region, 5, bytes("to region"));
        await("region message delivered to its owner", () -> b.host().got(region, 5, "to region"), () -> b.host().received);
        assertThat(a.host().got(region, 5, "to region") || c.host().got(region, 5, "to region")).isFalse();

        a.cluster().sendToNode(c.self(), 6, bytes("to node"));
        await("node message", () -> c.host().received.stream().anyMatch(r -> a.self().equals(r.from()) && r.is(6, "to node")),
                () -> c.host().received);

        for (Node n : nodes) n.cluster().subscribe("chat");
        // at most once: until every topic instance knows the others, a publish may miss some
        await("publish reaches every subscriber, the publisher too", () -> {
            a.cluster().publish("chat", 7, bytes("hello"));
            return nodes.stream().allMatch(n -> n.host().received.stream().anyMatch(r -> "chat".equals(r.topic()) && r.is(7, "hello")));
        }, () -> nodes.stream().map(n -> n.host().received.size()).toList());

        a.cluster().presenceAdd("alice", a.self());
        await("presence visible on another node", () -> c.cluster().presence("alice").isPresent(), () -> c.cluster().presence("alice"));
        assertThat(c.cluster().presence("alice")).contains(a.self());
        await("presence visible where it was added", () -> a.cluster().presence("alice").isPresent(), () -> a.cluster().presence("alice"));
        a.cluster().presenceRemove("alice");
        await("presence removal visible on another node", () -> c.cluster().presence("alice").isEmpty(), () -> c.cluster().presence("alice"));
    }

    @Test
    @Order(3)
    void aJoiningNodeTakesItsShareAndAMessageSentDuringAMoveReachesTheNewOwner() {
        List<Node> old = List.copyOf(nodes);
        Gate g = gate;
        g.armed.set(true);
        Node d = startNode();

        // a region is mid-move: its old owner is inside regionStopped, nobody runs it
        await("a region starts moving", () -> g.region >= 0, () -> "nothing moved yet");
        int region = g.region;
        Host oldOwner = g.heldOn;
        Node sender = nodes.stream().filter(n -> n.host() != oldOwner).findFirst().orElseThrow();
        sender.cluster().sendToRegion(region, 8, bytes("during the move"));
        g.release.countDown();

        await("the message reaches the region's new owner",
                () -> nodes.stream().anyMatch(n -> n.host().got(region, 8, "during the move")),
                () -> "region " + region + " owners: " + nodes.stream().map(n -> n.host().owned.contains(region)).toList());
        Host newOwner = nodes.stream().map(Node::host).filter(h -> h.got(region, 8, "during the move")).findFirst().orElseThrow();
        assertThat(newOwner).isNotSameAs(oldOwner);
        assertThat(newOwner.startedAt.get(region)).isGreaterThan(oldOwner.stoppedAt.get(region));

        awaitBalanced(nodes);
        assertThat(d.host().owned).isNotEmpty();
        // what the new node took, it took from the others: each of its regions stopped on an old node first
        for (int r : d.host().owned) {
            long started = d.host().startedAt.get(r);
            assertThat(old.stream().map(n -> n.host().stoppedAt.get(r)).anyMatch(t -> t != null && t < started))
                    .as("region %d stopped on an old owner before it started on the new node", r).isTrue();
        }
    }

    @Test
    @Order(4)
    void aNodeLeavingGracefullyHandsItsRegionsToTheOthers() throws InterruptedException {
        Node leaving = nodes.get(1);
        Set<Integer> itsRegions = Set.copyOf(leaving.host().owned);
        assertThat(itsRegions).isNotEmpty();

        long t0 = System.nanoTime();
        leaving.cluster().close();
        long closeMs = (System.nanoTime() - t0) / 1_000_000;
        nodes.remove(leaving);
        assertThat(leaving.host().owned).as("every region stopped on the leaving node").isEmpty();
        assertThat(leaving.host().left.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(leaving.host().removed).as("a leaving node reports nobody else removed").isEmpty();

        await("others see it removed", () -> nodes.stream().allMatch(n -> n.host().removed.contains(leaving.self())),
                () -> nodes.stream().map(n -> n.host().removed).toList());
        awaitBalanced(nodes);
        for (Node n : nodes) assertThat(n.cluster().regionOwners()).doesNotContainValue(leaving.self());
        for (int r : itsRegions) {
            assertThat(nodes.stream().filter(n -> n.host().owned.contains(r)).count()).isEqualTo(1);
        }
        assertThat(closeMs).as("graceful leave took %d ms", closeMs).isLessThan(WAIT.toMillis());
    }

    /**
     * Every region runs on exactly one node, shards are spread evenly (so rebalancing is over),
     * and every node's ownership table says exactly where each one runs.
     */
    private void awaitBalanced(List<Node> nodes) {
        int low = SHARDS / nodes.size() * 4, high = (SHARDS + nodes.size() - 1) / nodes.size() * 4;
        await(nodes.size() + " nodes balanced and agreeing", () -> {
            Map<Integer, String> truth = new HashMap<>();
            for (Node n : nodes) {
                int count = n.host().owned.size();
                if (count < low || count > high) return false;
                for (int r : n.host().owned) {
                    if (truth.put(r, n.self()) != null) return false;
                }
            }
            if (truth.size() != REGIONS) return false;
            return nodes.stream().allMatch(n -> n.cluster().regionOwners().equals(truth));
        }, () -> describe(nodes));
        Set<Integer> union = new HashSet<>();
        for (Node n : nodes) union.addAll(n.host().owned);
        assertThat(union).hasSize(REGIONS);
    }

    private static String describe(List<Node> nodes) {
        StringBuilder s = new StringBuilder();
        for (Node n : nodes) {
            s.append('\n').append(n.self()).append(" owns ").append(n.host().owned.size())
                    .append(", table has ").append(n.cluster().regionOwners().size())
                    .append(", members ").append(n.cluster().members().size());
        }
        return s.toString();
    }

    static void await(String what, BooleanSupplier condition, Supplier<?> state) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after " + WAIT + " waiting for: " + what + "; state: " + state.get());
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

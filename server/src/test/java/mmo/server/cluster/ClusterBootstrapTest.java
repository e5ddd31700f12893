package mmo.server.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import mmo.server.config.ServerConfig;
import org.apache.pekko.discovery.Lookup;
import org.apache.pekko.discovery.ServiceDiscovery;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.CollectionConverters;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Finding the nodes by DNS ({@code mmo.cluster.discovery}): the settings, the Pekko configuration
 * they make, and real nodes forming one cluster through Pekko Management's Cluster Bootstrap.
 */
class ClusterBootstrapTest {

    @Test
    void discoveryAndASeedListAreExclusive() {
        var dns = new ServerConfig.ClusterDiscovery("mmo-nodes", 2, 7626);
        assertThatThrownBy(() -> new ClusterSettings("10.0.0.1", 25520, List.of("10.0.0.2:25520"), 8, 8, Duration.ofSeconds(5), dns))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> new ServerConfig.ClusterDiscovery("mmo-nodes", 0, 7626)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new ServerConfig.ClusterDiscovery("mmo-nodes", 1, 0)).hasMessageContaining("bootstrap-port");
        assertThat(ServerConfig.ClusterDiscovery.OFF.enabled()).isFalse();
    }

    /** What the operator sets becomes Pekko Discovery (DNS) and Cluster Bootstrap settings; nothing of them without discovery. */
    @Test
    void discoveryBecomesPekkoDnsAndClusterBootstrapSettings() {
        var dns = new ServerConfig.ClusterDiscovery("mmo-nodes.mmo.svc.cluster.local", 3, 7700);
        Config c = ClusterNode.pekkoConfig(new ClusterSettings("10.0.0.7", 25520, List.of(), 8, 8, Duration.ofSeconds(5), dns),
                ConfigFactory.empty());
        assertThat(c.getString("pekko.discovery.method")).isEqualTo("pekko-dns");
        String bootstrap = "pekko.management.cluster.bootstrap.contact-point-discovery.";
        assertThat(c.getString(bootstrap + "service-name")).isEqualTo("mmo-nodes.mmo.svc.cluster.local");
        assertThat(c.getInt(bootstrap + "required-contact-point-nr")).isEqualTo(3);
        assertThat(c.getString("pekko.management.http.hostname")).isEqualTo("10.0.0.7");
        assertThat(c.getInt("pekko.management.http.port")).isEqualTo(7700);

        Config seeds = ClusterNode.pekkoConfig(new ClusterSettings("10.0.0.7", 25520, List.of(), 8, 8, Duration.ofSeconds(5)),
                ConfigFactory.empty());
        assertThat(seeds.getString(bootstrap + "service-name")).isEqualTo("<service-name>");
        assertThat(seeds.getString("pekko.discovery.method")).isEqualTo("<method>");
    }

    /**
     * Three real nodes on three loopback addresses with one bootstrap port, like pods behind a
     * headless Service; the name's answer comes from {@link ListDiscovery}. It first holds the
     * second node only: with two contacts required nobody forms a cluster. Then it holds both, and
     * they form one. A third node started later (a restarted pod) joins that cluster.
     */
    @Test
    void nodesFindEachOtherFormOneClusterAndALaterNodeJoinsIt() throws Exception {
        int bootstrapPort;
        try (ServerSocket s = new ServerSocket(0)) {
            bootstrapPort = s.getLocalPort();
        }
        ListDiscovery.answer.clear();
        ListDiscovery.answer.add("127.0.0.2");
        ListDiscovery.lookups.set(0);
        var discovery = new ServerConfig.ClusterDiscovery("mmo-nodes.test", 2, bootstrapPort);
        Config pekko = ClusterNodeTest.TEST_PEKKO.withFallback(ConfigFactory.parseString("""
                pekko.discovery.method = test-list
                pekko.discovery.test-list.class = "%s"
                pekko.management.cluster.bootstrap.contact-point-discovery {
                  interval = 200ms
                  stable-margin = 1s
                }
                pekko.management.cluster.bootstrap.contact-point.probe-interval = 200ms
                """.formatted(ListDiscovery.class.getName())));
        List<ClusterNode> nodes = new ArrayList<>();
        try {
            ClusterNode b = start("127.0.0.2", discovery, pekko, nodes);
            waitFor(() -> ListDiscovery.lookups.get() >= 5, "five lookups");
            assertThat(b.members()).as("no cluster from a partial answer").isEmpty();

            ListDiscovery.answer.add("127.0.0.1");
            ClusterNode a = start("127.0.0.1", discovery, pekko, nodes);
            waitFor(() -> a.members().size() == 2 && b.members().size() == 2, "both nodes up in one cluster");
            assertThat(a.members()).isEqualTo(b.members()).isEqualTo(Set.of(a.self(), b.self()));

            ListDiscovery.answer.add("127.0.0.3");
            ClusterNode c = start("127.0.0.3", discovery, pekko, nodes);
            waitFor(() -> c.members().size() == 3 && a.members().size() == 3, "the later node in the same cluster");
            assertThat(c.members()).isEqualTo(a.members()).isEqualTo(Set.of(a.self(), b.self(), c.self()));
        } finally {
            for (ClusterNode n : nodes) n.close();
        }
    }

    private static ClusterNode start(String host, ServerConfig.ClusterDiscovery discovery, Config pekko, List<ClusterNode> nodes) {
        ClusterNode n = ClusterNode.start(new ClusterSettings(host, 0, List.of(), 8, 8, Duration.ofSeconds(5), discovery),
                new ClusterNodeTest.Host(), pekko);
        nodes.add(n);
        return n;
    }

    /**
     * A Pekko Discovery method answering every lookup with {@link #answer}, as a DNS server
     * answers for a headless Service: addresses only, so Bootstrap probes each on its own port.
     */
    public static final class ListDiscovery extends ServiceDiscovery {
        static final List<String> answer = new CopyOnWriteArrayList<>();
        static final AtomicInteger lookups = new AtomicInteger();

        @Override
        public Future<Resolved> lookup(Lookup lookup, FiniteDuration resolveTimeout) {
            assertThat(lookup.serviceName()).isEqualTo("mmo-nodes.test");
            lookups.incrementAndGet();
            List<ResolvedTarget> targets = new ArrayList<>();
            for (String host : answer) targets.add(new ResolvedTarget(host, Option.empty(), Option.empty()));
            return Future.successful(new Resolved(lookup.serviceName(), CollectionConverters.asScala(targets).toList()));
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + ClusterNodeTest.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) fail(what + " within " + ClusterNodeTest.WAIT);
            Thread.sleep(50);
        }
    }
}

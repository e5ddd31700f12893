package mmo.server.cluster;

import mmo.server.admin.Dashboard;
import mmo.server.world.TestWorlds;
import mmo.server.world.World;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A DASHBOARD_ASK names, in its payload, the node to answer. A node answers only a member of
 * its cluster: an ask naming anything else (garbage, or an address that is no member) builds no
 * part on the tick and sends nothing, instead of resolving (and caching, and dialling) whatever
 * the payload says.
 */
class DashboardAskTest {
    @Test
    void anAskNamingNoMemberIsIgnored() throws Exception {
        World world = TestWorlds.world(new TestWorlds.RecordingSaver());
        ClusterGame game = new ClusterGame(16);
        game.bind(world);
        // the node's own calls go to a recording host: only the dashboard's topic is under test
        ClusterNode node = ClusterNode.start(new ClusterSettings("127.0.0.1", 0, List.of(), 8, 8, Duration.ofSeconds(5)),
                new ClusterNodeTest.Host(), ClusterNodeTest.TEST_PEKKO);
        try {
            game.attach(node);
            AtomicInteger partsBuilt = new AtomicInteger(); // part() asks for this node's name
            game.setDashboard(new Dashboard(List.of(world), () -> {
                partsBuilt.incrementAndGet();
                return "self";
            }, r -> "self", Clock.systemUTC()));
            for (String origin : List.of("not an address", "pekko://mmo@127.0.0.1:1", "pekko://mmo@127.0.0.1:1/user/x")) {
                game.onTopicMessage(ClusterGame.DASHBOARD_TOPIC, ClusterGame.DASHBOARD_ASK, origin.getBytes(StandardCharsets.UTF_8));
            }
            game.onTopicMessage(ClusterGame.DASHBOARD_TOPIC, ClusterGame.DASHBOARD_ASK, new byte[]{(byte) 0xff, 0, (byte) 0xc3});
            world.tick();
            assertThat(partsBuilt).hasValue(0);
        } finally {
            node.close();
            game.stop();
        }
    }
}

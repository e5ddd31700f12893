package mmo.server.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * A cluster node in a process of its own, for {@link ClusterCrashTest} to kill with SIGKILL:
 * joins through the seed given as its argument, prints its address, then runs until killed (or
 * until its standard input closes, so it never outlives a test JVM that died).
 */
public final class CrashVictim {
    public static void main(String[] args) throws IOException {
        ClusterNode node = ClusterNode.start(new ClusterSettings("127.0.0.1", 0, List.of(args[0]), 8, 8, Duration.ofSeconds(5)),
                new ClusterHost() {
                    @Override public void regionStarted(int region) {}
                    @Override public void regionStopped(int region) {}
                    @Override public void onRegionMessage(int region, int kind, byte[] payload) {}
                    @Override public void onNodeMessage(String fromNode, int kind, byte[] payload) {}
                    @Override public void onTopicMessage(String topic, int kind, byte[] payload) {}
                }, ClusterNodeTest.TEST_PEKKO);
        System.out.println("SELF " + node.self());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the end of input
        }
        Runtime.getRuntime().halt(0);
    }
}

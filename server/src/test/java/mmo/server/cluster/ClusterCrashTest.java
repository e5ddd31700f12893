package mmo.server.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static mmo.server.cluster.ClusterNodeTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node killed with SIGKILL (a process of its own: {@link CrashVictim}) is downed by the split
 * brain resolver of the two survivors in this JVM, and its regions run on them again within
 * 15 s of the kill, with the default settings (down-after 5 s).
 */
class ClusterCrashTest {
    private final List<ClusterNode> nodes = new ArrayList<>();
    private Process victim;

    @AfterEach
    void stop() {
        if (victim != null) victim.destroyForcibly();
        for (ClusterNode n : nodes) n.close();
    }

    @Test
    void aKilledNodesRegionsRestartOnTheSurvivorsWithin15Seconds() throws Exception {
        ClusterNodeTest.Host hostA = new ClusterNodeTest.Host(), hostB = new ClusterNodeTest.Host();
        ClusterNode a = start(hostA, List.of());
        String seed = a.self().substring(a.self().indexOf('@') + 1);
        ClusterNode b = start(hostB, List.of(seed));

        String java = ProcessHandle.current().info().command().orElse("java");
        victim = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashVictim.class.getName(), seed).redirectErrorStream(true).start();
        CompletableFuture<String> victimAddress = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("victim-output").start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("SELF ")) victimAddress.complete(line.substring(5));
                    System.out.println("[victim] " + line);
                }
            } catch (Exception e) {
                victimAddress.completeExceptionally(e);
            }
        });
        String c = victimAddress.get(ClusterNodeTest.WAIT.toSeconds(), TimeUnit.SECONDS);

        await("the victim owns its share of the regions", () -> {
            Map<Integer, String> table = a.regionOwners();
            long itsShare = table.values().stream().filter(c::equals).count();
            return table.size() == 64 && itsShare >= 20 && itsShare <= 24 && table.equals(b.regionOwners())
                    && hostA.owned.size() + hostB.owned.size() == 64 - itsShare;
        }, () -> a.regionOwners());

        long killedAt = System.nanoTime();
        victim.destroyForcibly();
        System.out.println("killed the victim at " + LocalTime.now());
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();

        await("the survivors run every region", () -> {
            if (hostA.owned.size() + hostB.owned.size() != 64) return false;
            Map<Integer, String> truth = new HashMap<>();
            hostA.owned.forEach(r -> truth.put(r, a.self()));
            hostB.owned.forEach(r -> truth.put(r, b.self()));
            return truth.size() == 64;
        }, () -> hostA.owned.size() + " + " + hostB.owned.size());
        Duration recovered = Duration.ofNanos(System.nanoTime() - killedAt);
        System.out.println("regions of the killed node running again after " + recovered.toMillis() + " ms, at " + LocalTime.now());
        assertThat(recovered).isLessThan(Duration.ofSeconds(15));

        await("the survivors saw it removed", () -> hostA.removed.contains(c) && hostB.removed.contains(c),
                () -> hostA.removed + " " + hostB.removed);
        await("the tables forget it", () -> a.regionOwners().size() == 64 && !a.regionOwners().containsValue(c)
                && a.regionOwners().equals(b.regionOwners()), () -> a.regionOwners());
        assertThat(a.members()).containsExactlyInAnyOrder(a.self(), b.self());
    }

    private ClusterNode start(ClusterHost host, List<String> seeds) {
        ClusterNode n = ClusterNode.start(new ClusterSettings("127.0.0.1", 0, seeds, 8, 8, Duration.ofSeconds(5)),
                host, ClusterNodeTest.TEST_PEKKO);
        nodes.add(n);
        return n;
    }
}

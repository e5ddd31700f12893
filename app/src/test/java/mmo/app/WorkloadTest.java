package mmo.app;

import mmo.app.bots.Bot;
import mmo.app.bots.Fleet;
import mmo.app.bots.Workload;
import mmo.client.LeanView;
import mmo.client.MmoClient;
import mmo.protocol.WorldEntered;
import mmo.server.world.Player;
import mmo.server.world.World;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small version of each standard workload: real bots (lean clients on one shared event
 * loop, the bot-fleet login) against an in-process server whose tick the test steps. After
 * every tick each bot's view must be exactly the players within the view radius of its
 * server-side position; acknowledgements must advance; no bot may be disconnected.
 */
class WorkloadTest {
    static final String KEY = "workload-test-key-0123456789";
    private static final int TICKS = 100;

    @TempDir Path dir;

    @Test
    void openWorldWalk200() throws Exception {
        run(Workload.OPEN_WORLD_WALK, 200);
    }

    @Test
    void crowd100() throws Exception {
        run(Workload.CROWD, 100);
    }

    private void run(Workload workload, int players) throws Exception {
        try (TestServer ts = TestServer.start("jdbc:sqlite:" + dir.resolve("w.db"),
                Map.of("mmo.bots.key", KEY, "mmo.bots.spawn", workload.spawn(), "mmo.world.creatures", false));
             Fleet fleet = new Fleet(ts.uri(), KEY, workload, 1, 42)) {
            List<CompletableFuture<WorldEntered>> entering = new ArrayList<>();
            for (int i = 0; i < players; i++) entering.add(fleet.launch(i, false));
            ts.tickUntilDone(CompletableFuture.allOf(entering.toArray(CompletableFuture[]::new)));
            List<Bot> bots = fleet.bots();
            assertThat(bots).hasSize(players);
            assertThat(fleet.failures()).isZero();
            World world = ts.server.world();
            if (workload == Workload.CROWD) {
                for (Player p : world.players()) {
                    assertThat(p.x()).isBetween(workload.minX(), workload.maxX());
                    assertThat(p.y()).isBetween(workload.minY(), workload.maxY());
                }
            }

            int[] firstAck = new int[players];
            long visibleTotal = 0;
            for (int k = 0; k < TICKS; k++) {
                // A bot sends every 100 ms: every other tick at 20 Hz.
                if (k % 2 == 0) stepAll(bots);
                tickAndAwait(ts, bots);
                visibleTotal += checkViews(world, bots);
                if (k == 10) {
                    for (int i = 0; i < players; i++) firstAck[i] = bots.get(i).client().snapshot().ackSeq();
                }
            }
            // Everything sent has been applied and acknowledged after a few more ticks.
            for (int extra = 0; extra < 20 && !allAcked(bots); extra++) tickAndAwait(ts, bots);
            assertThat(allAcked(bots)).as("every bot's last input acknowledged").isTrue();
            for (int i = 0; i < players; i++) {
                MmoClient c = bots.get(i).client();
                assertThat(c.snapshot().ackSeq()).as("bot%d ack advanced", i).isGreaterThan(firstAck[i]);
                assertThat(c.isOpen()).as("bot%d connected", i).isTrue();
                assertThat(c.protocolErrors()).as("bot%d protocol errors", i).isZero();
            }
            assertThat(fleet.failures()).isZero();
            if (workload == Workload.CROWD) {
                // 100 players in 48 x 48 with a 32-unit view: most see most.
                assertThat(visibleTotal / (double) (TICKS * players)).isGreaterThan(0.5 * (players - 1));
            }
        }
    }

    private static boolean allAcked(List<Bot> bots) {
        for (Bot b : bots) {
            MmoClient c = b.client();
            if (c.snapshot().ackSeq() != c.lastInputSeq()) return false;
        }
        return true;
    }

    /** Runs one decision of every bot on its event loop and waits until all inputs are written. */
    static void stepAll(List<Bot> bots) throws Exception {
        List<CompletableFuture<?>> done = new ArrayList<>();
        for (Bot b : bots) {
            done.add(CompletableFuture.runAsync(() -> b.step(System.nanoTime()), b.client().eventLoop()));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
    }

    static void tickAndAwait(TestServer ts, List<Bot> bots) throws Exception {
        ts.server.tick();
        int t = ts.server.world().currentTick();
        List<CompletableFuture<?>> got = new ArrayList<>();
        for (Bot b : bots) got.add(b.client().awaitTick(t));
        CompletableFuture.allOf(got.toArray(CompletableFuture[]::new)).get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
    }

    /**
     * Compares every bot's visible set and own position with the server's (the test thread
     * owns the world between ticks). Returns the sum of the visible counts.
     */
    static long checkViews(World world, List<Bot> bots) throws Exception {
        Map<Integer, Player> byId = new HashMap<>();
        for (Player p : world.players()) byId.put(p.id(), p);
        float r = world.settings().viewRadius();
        long total = 0;
        for (Bot b : bots) {
            MmoClient c = b.client();
            BotState s = CompletableFuture.supplyAsync(() -> BotState.of(c.leanView()), c.eventLoop())
                    .get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
            Player me = byId.get(s.ownId);
            assertThat(me).as("bot%d's entity %d in the world", b.index(), s.ownId).isNotNull();
            assertThat(s.tick).isEqualTo(world.currentTick());
            assertThat(s.rawX).isEqualTo(World.quantize(me.x()));
            assertThat(s.rawY).isEqualTo(World.quantize(me.y()));
            Set<Integer> expected = new HashSet<>();
            world.forEachWithin(me.x(), me.y(), r, p -> {
                if (p != me) expected.add(p.id());
            });
            assertThat(s.visible).as("bot%d at tick %d sees exactly the players within %s", b.index(), s.tick, r)
                    .isEqualTo(expected);
            total += s.visible.size();
        }
        return total;
    }

    /** A copy of a lean view, taken on its event loop. */
    record BotState(int ownId, int tick, int rawX, int rawY, Set<Integer> visible) {
        static BotState of(LeanView v) {
            Set<Integer> ids = new HashSet<>();
            v.forEachVisible(ids::add);
            assertThat(v.visibleCount()).isEqualTo(ids.size());
            return new BotState(v.ownEntityId(), v.tick(), v.rawX(), v.rawY(), ids);
        }
    }
}

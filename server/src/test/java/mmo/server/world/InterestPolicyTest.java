package mmo.server.world;

import mmo.protocol.EntityEnter;
import mmo.protocol.WorldUpdate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static mmo.server.world.TestWorlds.input;
import static mmo.server.world.TestWorlds.join;
import static org.assertj.core.api.Assertions.assertThat;

/** The tiered, budgeted interest policy on a crowd (view radius 10 on the test map). */
class InterestPolicyTest {
    /** Applies updates like a client: known ids with last positions. */
    static final class Picture {
        final Map<Integer, int[]> known = new HashMap<>();
        final Map<Integer, Integer> lastUpdatedTick = new HashMap<>();

        void apply(WorldUpdate u) {
            for (int id : u.getLeavesList()) known.remove(id);
            for (EntityEnter e : u.getEntersList()) {
                known.put(e.getId(), new int[]{e.getX(), e.getY()});
                lastUpdatedTick.put(e.getId(), u.getTick());
            }
            int id = 0;
            for (int i = 0; i < u.getMovesCount(); i += 3) {
                id += u.getMoves(i);
                int[] p = known.get(id);
                p[0] += u.getMoves(i + 1);
                p[1] += u.getMoves(i + 2);
                lastUpdatedTick.put(id, u.getTick());
            }
        }
    }

    @Test
    void periodsByDistance() {
        InterestPolicy p = InterestPolicy.DEFAULT;
        assertThat(p.period(4.9f * 4.9f, 10)).isEqualTo(1);
        assertThat(p.period(7f * 7f, 10)).isEqualTo(2);
        assertThat(p.period(9.9f * 9.9f, 10)).isEqualTo(4);
        assertThat(InterestPolicy.EVERY_TICK.period(9.9f * 9.9f, 10)).isEqualTo(1);
        int due = 0;
        for (int t = 0; t < 40; t++) if (InterestPolicy.due(4, 13, t)) due++;
        assertThat(due).isEqualTo(10);
    }

    /**
     * A dense crowd, a small budget: every tick each viewer gets all near entities' moves,
     * its optional part stays within the budget, nobody in view is starved for long, and when
     * everyone stops, every picture converges to the exact positions.
     */
    @Test
    void nearestAlwaysBudgetRespectedNobodyStarvesAndPicturesConverge() {
        int budget = 120;
        World world = TestWorlds.world(new TestWorlds.RecordingSaver(), new InterestPolicy(true, budget));
        List<Player> crowd = new ArrayList<>();
        Map<Player, FakeLink> links = new HashMap<>();
        Map<Player, Picture> pictures = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            FakeLink link = new FakeLink();
            Player p = join(world, "P" + i, 42f + (i % 8) * 1.6f, 42f + (i / 8) * 1.6f, link);
            crowd.add(p);
            links.put(p, link);
            pictures.put(p, new Picture());
        }
        int seq = 0;
        for (int t = 0; t < 120; t++) {
            if (t % 20 == 0) {
                for (int i = 0; i < crowd.size(); i++) {
                    double angle = (i * 2.399 + t) % (2 * Math.PI);
                    input(crowd.get(i), ++seq, (float) Math.cos(angle), (float) Math.sin(angle));
                }
            }
            world.tick();
            for (Player viewer : crowd) {
                FakeLink link = links.get(viewer);
                WorldUpdate u = link.lastUpdate();
                Picture pic = pictures.get(viewer);
                pic.apply(u);
                link.clear();
                // near entities (inner half of the view) are exact every tick
                Set<Integer> enteredNow = new HashSet<>();
                u.getEntersList().forEach(e -> enteredNow.add(e.getId()));
                for (Player other : crowd) {
                    if (other == viewer) continue;
                    double d = Math.hypot(other.x() - viewer.x(), other.y() - viewer.y());
                    if (d <= 0.5 * TestWorlds.VIEW - 0.01) {
                        assertThat(pic.known).as("near entity known").containsKey(other.id());
                        assertThat(pic.known.get(other.id()))
                                .containsExactly(World.quantize(other.x()), World.quantize(other.y()));
                    }
                }
                // the optional part of the update fits the budget (near moves excluded)
                int optionalBytes = 0, idPrev = 0;
                for (int i = 0; i < u.getMovesCount(); i += 3) {
                    int id = idPrev + u.getMoves(i);
                    idPrev = id;
                    Player other = world.player(id);
                    double d = Math.hypot(other.x() - viewer.x(), other.y() - viewer.y());
                    if (d > 0.5 * TestWorlds.VIEW + 0.5) optionalBytes += 6;
                }
                assertThat(optionalBytes).isLessThanOrEqualTo(budget + 6 * 4);
                // nobody in the picture goes without an update for long while it moves
                for (var e : pic.lastUpdatedTick.entrySet()) {
                    if (pic.known.containsKey(e.getKey())) {
                        assertThat(u.getTick() - e.getValue()).as("ticks since entity %d was updated", e.getKey())
                                .isLessThan(40);
                    }
                }
            }
        }
        for (Player p : crowd) input(p, ++seq, 0, 0);
        for (int t = 0; t < 60; t++) {
            world.tick();
            for (Player viewer : crowd) {
                pictures.get(viewer).apply(links.get(viewer).lastUpdate());
                links.get(viewer).clear();
            }
        }
        for (Player viewer : crowd) {
            Picture pic = pictures.get(viewer);
            Set<Integer> inView = new HashSet<>();
            for (Player other : crowd) {
                if (other != viewer && Math.hypot(other.x() - viewer.x(), other.y() - viewer.y()) <= TestWorlds.VIEW) {
                    inView.add(other.id());
                }
            }
            assertThat(pic.known.keySet()).isEqualTo(inView);
            for (int id : inView) {
                Player other = world.player(id);
                assertThat(pic.known.get(id)).containsExactly(World.quantize(other.x()), World.quantize(other.y()));
            }
        }
    }
}

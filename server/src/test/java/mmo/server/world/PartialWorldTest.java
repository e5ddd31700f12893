package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatSend;
import mmo.protocol.ClientMessage;
import mmo.protocol.EntityEnter;
import mmo.protocol.Input;
import mmo.protocol.WorldUpdate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One map simulated by two worlds, A (regions with rx = 0, x < 32) and B (rx = 1), wired by
 * {@link Bus}, an in-memory stand-in for the cluster layer: after each round (A ticks, then B)
 * it ships handoffs and ghost batches as bytes, applied at the start of the next round.
 * The test map is free below y = 40 except the wall at x = 20, so walks there are straight.
 */
class PartialWorldTest {
    private static final float STEP = 4f / 20; // speed 4 at 20 Hz
    private static final int STEP_Q = World.quantize(STEP); // 3.2 quanta: 3 or 4 per update

    private final TestWorlds.RecordingSaver saverA = new TestWorlds.RecordingSaver();
    private final TestWorlds.RecordingSaver saverB = new TestWorlds.RecordingSaver();
    private final World a = TestWorlds.world(saverA);
    private final World b = TestWorlds.world(saverB);
    private final Bus bus = new Bus(a, b);

    // ------------------------------------------------------------------ the tests

    @Test
    void aPlayerWalkingAcrossTheBorderContinuesSeamlessly() {
        FakeLink wLink = new FakeLink(), annaLink = new FakeLink(), bertLink = new FakeLink();
        int w = bus.join(a, "Walker", 5001, 25.5f, 50.5f, wLink);
        int anna = bus.join(a, "Anna", 5002, 27.5f, 48.5f, annaLink);   // stays on A, near the border
        int bert = bus.join(b, "Bert", 70_003, 34.5f, 52.5f, bertLink); // on B; an id far past byId's size
        bus.rounds(3); // ghosts exchanged, everybody knows everybody

        ClientView wView = new ClientView();
        List<WorldUpdate> wUpdates = new ArrayList<>();
        int seq = 0;
        for (int round = 0; round < 50; round++) {
            bus.input(w, ++seq, 1, 0);
            bus.round();
            WorldUpdate u = wLink.lastUpdate();
            wUpdates.add(u);
            assertThat(u.getAckSeq()).as("round %d", round).isEqualTo(seq); // this round's input, acked once
            assertThat(u.getTicksSinceAck()).isEqualTo(1);
        }
        assertThat(b.player(w)).as("walked into B").isNotNull();
        assertThat(a.player(w)).isNull();
        assertThat(a.isGhost(w)).as("still shown on A, simulated by B").isTrue();
        assertThat(bus.handoffs).containsExactly(w);
        assertThat(saverA.saves).as("a handoff is no leave: no save").isEmpty();

        // one update per tick, without a gap at the handoff; one step per update
        for (int i = 1; i < wUpdates.size(); i++) {
            WorldUpdate prev = wUpdates.get(i - 1), u = wUpdates.get(i);
            assertThat(u.getTick()).isEqualTo(prev.getTick() + 1);
            assertThat(u.getX() - prev.getX()).as("update %d", i).isBetween(STEP_Q, STEP_Q + 1);
            assertThat(u.getY()).isEqualTo(prev.getY());
        }
        assertThat(wUpdates.getFirst().getX()).isLessThan(32 * World.POSITION_SCALE);
        assertThat(wUpdates.getLast().getX()).isGreaterThan(34 * World.POSITION_SCALE);

        // the walker's client: Anna and Bert entered once, at the start, and never left
        for (WorldUpdate u : wLink.updates()) wView.apply(u); // throws on an enter of the known or a leave of the unknown
        assertThat(enters(wLink, anna)).isEqualTo(1);
        assertThat(enters(wLink, bert)).isEqualTo(1);
        assertThat(leaves(wLink, anna) + leaves(wLink, bert)).isZero();
        assertThat(wView.positions.get(anna)).containsExactly(World.quantize(27.5f), World.quantize(48.5f));
        assertThat(wView.positions.get(bert)).containsExactly(World.quantize(34.5f), World.quantize(52.5f));
        assertThat(wLink.delivered).filteredOn(m -> !m.hasWorldUpdate() && !m.hasWorldEntered()).isEmpty();

        // Anna (A) and Bert (B) watched the walker without a leave or an enter at the handoff
        for (FakeLink viewer : List.of(annaLink, bertLink)) {
            ClientView v = new ClientView();
            for (WorldUpdate u : viewer.updates()) v.apply(u);
            assertThat(enters(viewer, w)).isEqualTo(1);
            assertThat(leaves(viewer, w)).isZero();
            Player walker = b.player(w);
            // B's view is exact; A's ghost lags a tick behind
            assertThat(v.positions.get(w)[0]).isBetween(World.quantize(walker.x() - 2 * STEP), World.quantize(walker.x()));
        }
    }

    @Test
    void aViewerSeesAPlayerOfTheOtherWorldComeMoveAndGoAndCrossOverWithoutFlicker() {
        FakeLink annaLink = new FakeLink();
        bus.join(a, "Anna", 6001, 27.5f, 50.5f, annaLink);
        int bert = bus.join(b, "Bert", 6002, 45.5f, 50.5f, new FakeLink()); // 18 away, 13.5 from A
        bus.rounds(3);
        assertThat(a.ghostCount()).as("too far from A to be reported").isZero();

        ClientView view = new ClientView();
        bus.inputs(bert, -1, 0);
        int rounds = 0;
        while (!view.positions.containsKey(bert)) {
            annaLink.clear();
            bus.round();
            for (WorldUpdate u : annaLink.updates()) view.apply(u);
            assertThat(++rounds).isLessThan(60);
        }
        assertThat(view.enters.get(bert).getName()).isEqualTo("Bert");
        assertThat(b.player(bert).x()).isLessThan(27.5f + TestWorlds.VIEW + 2 * STEP);
        for (int i = 0; i < 10; i++) { // moves: Anna's picture follows B's truth a tick late
            annaLink.clear();
            bus.round();
            for (WorldUpdate u : annaLink.updates()) view.apply(u);
            int late = World.quantize(b.player(bert).x() + STEP);
            assertThat(view.positions.get(bert)[0]).isBetween(late - 1, late + 1);
        }
        bus.inputs(bert, 1, 0); // and away
        rounds = 0;
        while (view.positions.containsKey(bert)) {
            annaLink.clear();
            bus.round();
            for (WorldUpdate u : annaLink.updates()) view.apply(u);
            assertThat(++rounds).isLessThan(80);
        }
        assertThat(annaLink.lastUpdate().getLeavesList()).containsExactly(bert);
        bus.rounds(40);
        assertThat(a.ghostCount()).as("out of A's sight: no longer reported").isZero();

        // Carl walks from B into A: seen first as a ghost, then simulated by A, never flickering
        FakeLink carlLink = new FakeLink();
        annaLink.clear();
        int carl = bus.join(b, "Carl", 6003, 36.5f, 52.5f, carlLink);
        bus.inputs(carl, -1, 0);
        for (int i = 0; i < 40; i++) {
            int seen = annaLink.updates().size();
            bus.round();
            for (WorldUpdate u : annaLink.updates().subList(seen, annaLink.updates().size())) view.apply(u);
        }
        assertThat(a.player(carl)).as("walked into A").isNotNull();
        assertThat(a.player(carl).x()).isLessThan(30f);
        assertThat(b.isGhost(carl)).isTrue();
        assertThat(bus.handoffs).containsExactly(carl);
        assertThat(view.positions.get(carl)).containsExactly(World.quantize(a.player(carl).x()), World.quantize(52.5f));
        assertThat(enters(annaLink, carl)).isEqualTo(1);
        assertThat(leaves(annaLink, carl)).isZero();
        assertThat(carlLink.lastUpdate().getAckSeq()).isEqualTo(bus.lastSeq(carl));
    }

    @Test
    void releasingARegionHandsOffEveryPlayerInItAndTheOtherWorldContinuesThem() {
        FakeLink annaLink = new FakeLink(), p1Link = new FakeLink(), p2Link = new FakeLink();
        int anna = bus.join(a, "Anna", 7001, 29.5f, 50.5f, annaLink);
        int p1 = bus.join(b, "Pia", 7002, 36.5f, 50.5f, p1Link);   // region 3, seen by Anna
        int p2 = bus.join(b, "Pat", 7003, 50.5f, 55.5f, p2Link);   // region 3, far from A
        int p3 = bus.join(b, "Pim", 7004, 40.5f, 20.5f, new FakeLink()); // region 1: stays on B
        bus.inputs(p1, 0, 1);
        bus.inputs(p2, 1, 0);
        bus.rounds(3);
        int region = a.regionIndex(40f, 50f);
        assertThat(region).isEqualTo(3);

        bus.move(region, a); // B releases region 3, A claims it
        bus.round();
        assertThat(bus.handoffs).as("every player of the region, at once").containsExactlyInAnyOrder(p1, p2);
        assertThat(bus.handoffRegions).containsOnly(region);
        assertThat(b.players()).extracting(Player::id).containsExactly(p3);
        bus.rounds(10);

        assertThat(a.player(p1)).isNotNull();
        assertThat(a.player(p2)).isNotNull();
        assertThat(b.player(p1)).isNull();
        assertThat(saverB.saves).isEmpty();
        for (FakeLink link : List.of(p1Link, p2Link)) {
            List<WorldUpdate> u = link.updates();
            for (int i = 1; i < u.size(); i++) {
                assertThat(u.get(i).getTick()).isEqualTo(u.get(i - 1).getTick() + 1);
                int moved = Math.abs(u.get(i).getX() - u.get(i - 1).getX()) + Math.abs(u.get(i).getY() - u.get(i - 1).getY());
                assertThat(moved).as("update %d", i).isBetween(STEP_Q, STEP_Q + 1); // walking on, one step a tick
            }
            ClientView v = new ClientView();
            for (WorldUpdate x : link.updates()) v.apply(x);
        }
        assertThat(p1Link.lastUpdate().getAckSeq()).isEqualTo(bus.lastSeq(p1));
        assertThat(p1Link.lastUpdate().getY()).isEqualTo(World.quantize(a.player(p1).y()));
        // Pia kept seeing Anna, and Anna kept seeing Pia, through the move
        assertThat(enters(p1Link, anna)).isEqualTo(1);
        assertThat(leaves(p1Link, anna)).isZero();
        assertThat(enters(annaLink, p1)).isEqualTo(1);
        assertThat(leaves(annaLink, p1)).isZero();
    }

    @Test
    void aGhostMissingFromItsSourcesNextBatchIsRemoved() {
        FakeLink annaLink = new FakeLink(), bobLink = new FakeLink();
        bus.join(a, "Anna", 8001, 29.5f, 50.5f, annaLink);
        bus.join(a, "Bob", 8002, 28.5f, 50.5f, bobLink);
        a.tick();
        a.acceptGhosts("B", new GhostBatch.Builder(1)
                .add(900, 33.5f, 50.5f, fields(900, "Gus"))
                .add(901, 34.5f, 51.5f, fields(901, "Gil")).build());
        a.acceptGhosts("C", new GhostBatch.Builder(1).add(902, 30.5f, 45.5f, fields(902, "Cy")).build());
        a.tick();
        ClientView view = new ClientView();
        for (WorldUpdate u : annaLink.updates()) view.apply(u);
        assertThat(view.enters.values()).extracting(EntityEnter::getName).containsExactlyInAnyOrder("Bob", "Gus", "Gil", "Cy");
        assertThat(view.positions.get(901)).containsExactly(World.quantize(34.5f), World.quantize(51.5f));
        assertThat(a.players()).extracting(Player::id).containsExactlyInAnyOrder(8001, 8002);

        // ghosts hear no chat and are never a viewer: Anna's SAY reaches Bob only
        bus.inbox(8001).offer(ClientMessage.newBuilder()
                .setChat(ChatSend.newBuilder().setChannel(ChatChannel.SAY).setText("hi")).build());
        a.acceptGhosts("B", GhostBatch.decode(new GhostBatch.Builder(2).add(901, 34f, 51.5f, fields(901, "Gil")).build().encode()));
        a.tick();
        WorldUpdate u = annaLink.lastUpdate();
        assertThat(u.getLeavesList()).containsExactly(900);
        assertThat(u.getMovesList()).containsExactly(901, -8, 0);
        assertThat(bobLink.chats()).extracting(c -> c.getText()).containsExactly("hi");
        assertThat(a.isGhost(900)).isFalse();
        assertThat(a.isGhost(901)).isTrue();
        assertThat(a.isGhost(902)).as("another source's ghosts stay").isTrue();

        a.acceptGhosts("B", new GhostBatch.Builder(1).build()); // older than what is shown: ignored
        a.tick();
        assertThat(a.isGhost(901)).isTrue();
        assertThat(a.ghostCount()).isEqualTo(2);
    }

    @Test
    void owningEveryRegionMakesNoBorderCalls() {
        World w = TestWorlds.world(new TestWorlds.RecordingSaver());
        Bus.Node recorder = new Bus(w).nodes.getFirst();
        w.setTopology(r -> true, recorder);
        Player p = TestWorlds.join(w, "Alice", 29.5f, 29.5f, new FakeLink());
        TestWorlds.join(w, "Bob", 34.5f, 28.5f, new FakeLink());
        TestWorlds.input(p, 1, 1, -1); // from region 0 into region 1, beside the block at 30..33
        for (int i = 0; i < 40; i++) w.tick();
        assertThat(p.region).isSameAs(w.regionAt(p.x(), p.y()));
        assertThat(w.regionIndex(p.x(), p.y())).isEqualTo(1);
        assertThat(recorder.calls).as("no handoff and no border batch").isZero();
        assertThat(recorder.tickEnds).as("the tick still ends at the border").isEqualTo(40);
        assertThat(w.players()).hasSize(2);
    }

    @Test
    void snapshotsAndBatchesSurviveTheirBytes() {
        PlayerSnapshot s = new PlayerSnapshot(123_456, 9_000_000_000L, 5, 77, "Zoë", CharacterClass.WARRIOR,
                Appearance.newBuilder().setSkinColor(0xC68642).build(), 31.99f, 50.5f, 0.6f, -0.8f, 41, -1,
                mmo.protocol.Emote.SIT, Float.NaN, 12f, new int[]{5, -3, 800, 70_000, 512, 0, 99}, 2, 3);
        PlayerSnapshot back = PlayerSnapshot.decode(s.encode());
        assertThat(List.of(back.entityId(), back.characterId(), back.accountId(), back.name(), back.cls(), back.appearance(),
                back.x(), back.y(), back.dirX(), back.dirY(), back.ackSeq(), back.ackAge(), back.lastingEmote(),
                back.savedX(), back.savedY(), back.knownCount(), back.lastOptional()))
                .isEqualTo(List.of(s.entityId(), s.characterId(), s.accountId(), s.name(), s.cls(), s.appearance(),
                        s.x(), s.y(), s.dirX(), s.dirY(), s.ackSeq(), s.ackAge(), s.lastingEmote(),
                        s.savedX(), s.savedY(), s.knownCount(), s.lastOptional()));
        assertThat(back.known()).containsExactly(5, -3, 800, 70_000, 512, 0);

        GhostBatch g = GhostBatch.merge(List.of(
                new GhostBatch.Builder(10).add(1, 1.5f, 2.5f, fields(1, "One")).add(2, 3f, 4f, fields(2, "Two")).build(),
                new GhostBatch.Builder(10).add(2, 3f, 4f, fields(2, "Two")).add(3, 5f, 6f, fields(3, "Three")).build()));
        GhostBatch d = GhostBatch.decode(g.encode());
        assertThat(d.tick()).isEqualTo(10);
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.id(2)).isEqualTo(3);
        assertThat(d.x(0)).isEqualTo(1.5f);
        assertThat(d.y(2)).isEqualTo(6f);
        assertThat(d.enterFields(1)).isEqualTo(fields(2, "Two"));
    }

    // ------------------------------------------------------------------ helpers

    /** What a player's enter fields are: an EntityEnter without its position. */
    private static byte[] fields(int id, String name) {
        return EntityEnter.newBuilder().setId(id).setName(name).setCharacterClass(CharacterClass.WARRIOR)
                .setAppearance(Appearance.getDefaultInstance()).build().toByteArray();
    }

    private static long enters(FakeLink link, int id) {
        return link.updates().stream().flatMap(u -> u.getEntersList().stream()).filter(e -> e.getId() == id).count();
    }

    private static long leaves(FakeLink link, int id) {
        return link.updates().stream().flatMap(u -> u.getLeavesList().stream()).filter(l -> l == id).count();
    }

    /**
     * The cluster layer in miniature: regions mapped to worlds, each world's Border recording
     * what it reports, and after every round the handoffs (as bytes) adopted by the region's
     * owner and each world's batches (merged per receiver, as bytes) given to the others.
     * Holds every client's link and inbox, as a gateway would.
     */
    static final class Bus {
        final List<Node> nodes = new ArrayList<>();
        final int[] ownerOf; // region -> node
        final Map<Integer, FakeLink> links = new HashMap<>();
        final Map<Integer, Inbox> inboxes = new HashMap<>();
        final Map<Integer, Integer> seqs = new HashMap<>();
        final Map<Integer, float[]> directions = new HashMap<>();
        final List<Integer> handoffs = new ArrayList<>();
        final List<Integer> handoffRegions = new ArrayList<>();

        /** One world and the border it reports to. */
        final class Node implements Border {
            final String name;
            final World world;
            final List<byte[]> outSnapshots = new ArrayList<>();
            final List<Integer> outRegions = new ArrayList<>();
            final Map<Node, List<GhostBatch>> outBatches = new LinkedHashMap<>();
            int calls;

            Node(String name, World world) {
                this.name = name;
                this.world = world;
            }

            @Override
            public void handOff(PlayerSnapshot snapshot, int toRegion) {
                calls++;
                outSnapshots.add(snapshot.encode());
                outRegions.add(toRegion);
                handoffs.add(snapshot.entityId());
                handoffRegions.add(toRegion);
            }

            @Override
            public void borderEntities(int toRegion, GhostBatch batch) {
                calls++;
                outBatches.computeIfAbsent(nodes.get(ownerOf[toRegion]), n -> new ArrayList<>()).add(batch);
            }

            int tickEnds;
            final List<Integer> joined = new ArrayList<>();

            @Override
            public void joined(Player p) {
                joined.add(p.id);
            }

            @Override
            public void tickEnd(int tick) {
                tickEnds++; // every tick of a cluster node (its remote frames go out there): not border work
            }

            final List<Runnable> outActions = new ArrayList<>();

            @Override
            public String self() {
                return name;
            }

            @Override
            public void gameAction(int region, byte[] action) {
                World to = nodes.get(ownerOf[region]).world;
                outActions.add(() -> to.acceptGameAction(action.clone()));
            }

            @Override
            public void gameActionTo(String world, byte[] action) {
                World to = nodes.stream().filter(n -> n.name.equals(world)).findFirst().orElseThrow().world;
                outActions.add(() -> to.acceptGameAction(action.clone()));
            }
        }

        /** Two worlds: the first owns the regions with rx = 0, the second the rest. */
        Bus(World first, World second) {
            ownerOf = new int[first.regionCols() * first.regionRows()];
            nodes.add(new Node("A", first));
            nodes.add(new Node("B", second));
            for (int r = 0; r < ownerOf.length; r++) ownerOf[r] = r % first.regionCols() == 0 ? 0 : 1;
            for (int i = 0; i < nodes.size(); i++) {
                int me = i;
                nodes.get(i).world.setTick(1000); // aligned, as a cluster would from the clock
                nodes.get(i).world.setTopology(r -> ownerOf[r] == me, nodes.get(i));
            }
        }

        /** One world, not wired: its node only counts border calls. */
        Bus(World only) {
            ownerOf = new int[only.regionCols() * only.regionRows()];
            nodes.add(new Node("solo", only));
        }

        int join(World w, String name, int characterId, float x, float y, FakeLink link) {
            return join(w, name, characterId, x, y, link, CharacterClass.WARRIOR);
        }

        int join(World w, String name, int characterId, float x, float y, FakeLink link, CharacterClass cls) {
            Inbox inbox = new Inbox(128);
            links.put(characterId, link);
            inboxes.put(characterId, inbox);
            // the entity id derived from the character id: the same on every node
            return w.join(new World.JoinRequest(characterId, 1, characterId, name, cls,
                    Appearance.getDefaultInstance(), x, y, link, inbox, 0,
                    CharacterSummary.newBuilder().setId(characterId).setName(name).build(), characterId,
                    mmo.server.persistence.Progress.fresh())).id();
        }

        Inbox inbox(int id) {
            return inboxes.get(id);
        }

        /** A new inbox for a player joined directly (its entity id = character id), so {@link #inbox} finds it. */
        Inbox inboxFor(int characterId) {
            Inbox inbox = new Inbox(128);
            inboxes.put(characterId, inbox);
            return inbox;
        }

        void input(int id, int seq, float dx, float dy) {
            seqs.put(id, seq);
            if (!inboxes.get(id).offer(ClientMessage.newBuilder()
                    .setInput(Input.newBuilder().setSeq(seq).setDx(dx).setDy(dy)).build())) {
                throw new AssertionError("inbox full");
            }
        }

        /** From now on {@code id} sends one input a round in this direction (a client re-sends its intent). */
        void inputs(int id, float dx, float dy) {
            directions.put(id, new float[]{dx, dy});
        }

        int lastSeq(int id) {
            return seqs.getOrDefault(id, 0);
        }

        /** Moves {@code region} to {@code to}'s world: released by its owner, claimed by {@code to}. */
        void move(int region, World to) {
            Node from = nodes.get(ownerOf[region]);
            Node target = nodes.stream().filter(n -> n.world == to).findFirst().orElseThrow();
            ownerOf[region] = nodes.indexOf(target);
            target.world.execute(() -> target.world.claimRegion(region));
            from.world.execute(() -> from.world.releaseRegion(region));
        }

        void rounds(int n) {
            for (int i = 0; i < n; i++) round();
        }

        /** Every world ticks once, then what they sent is delivered for the next round. */
        void round() {
            for (var e : directions.entrySet()) input(e.getKey(), lastSeq(e.getKey()) + 1, e.getValue()[0], e.getValue()[1]);
            for (Node n : nodes) n.world.tick();
            // handoffs first: a world applies a batch and the adopts queued before it in one tick
            for (Node from : nodes) {
                for (int i = 0; i < from.outSnapshots.size(); i++) {
                    PlayerSnapshot s = PlayerSnapshot.decode(from.outSnapshots.get(i));
                    World to = nodes.get(ownerOf[from.outRegions.get(i)]).world;
                    int id = s.entityId();
                    to.execute(() -> to.adopt(s, links.get(id), inboxes.get(id)));
                }
                from.outSnapshots.clear();
                from.outRegions.clear();
            }
            for (Node from : nodes) {
                from.outActions.forEach(Runnable::run);
                from.outActions.clear();
            }
            for (Node from : nodes) {
                for (var e : from.outBatches.entrySet()) {
                    if (e.getKey() == from) continue;
                    e.getKey().world.acceptGhosts(from.name, GhostBatch.decode(GhostBatch.merge(e.getValue()).encode()));
                }
                from.outBatches.clear();
            }
        }
    }
}

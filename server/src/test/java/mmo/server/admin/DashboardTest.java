package mmo.server.admin;

import mmo.protocol.AdminFeed;
import mmo.protocol.AdminPlayer;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ServerMessage;
import mmo.server.persistence.Progress;
import mmo.server.world.FakeLink;
import mmo.server.world.Inbox;
import mmo.server.world.TestWorlds;
import mmo.server.world.World;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's feed from worlds stepped by hand: what it says about players and regions,
 * that it goes out every {@link Dashboard#FEED_EVERY_TICKS} ticks only to watchers, and, for a
 * cluster, that a node's feed carries the other nodes' players (two worlds standing in for two
 * nodes, their {@link Dashboard.Peers} wired directly).
 */
class DashboardTest {
    /** Feeds received, decoded. */
    static final class Screen implements Dashboard.Watcher {
        final List<ServerMessage> got = new ArrayList<>();

        @Override
        public void deliver(byte[] bytes, int offset, int length) {
            try {
                got.add(ServerMessage.parseFrom(java.nio.ByteBuffer.wrap(bytes, offset, length)));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }

        AdminFeed last() {
            return got.get(got.size() - 1).getAdminFeed();
        }
    }

    static void join(World w, String name, int id, float x, float y) {
        w.join(new World.JoinRequest(id, 1, id, name, CharacterClass.WARRIOR, Appearance.getDefaultInstance(), x, y,
                new FakeLink(), new Inbox(16), 0, CharacterSummary.newBuilder().setId(id).setName(name).build(), id,
                Progress.fresh()));
    }

    @Test
    void watchersGetTheFeedEveryTenTicksWithPlayersRegionsAndHistory() {
        World w = TestWorlds.world(new TestWorlds.RecordingSaver());
        Dashboard d = new Dashboard(List.of(w), () -> "", null, Clock.systemUTC());
        w.afterTick(d::afterTick);
        join(w, "Annie", 70_001, 5.5f, 5.5f);
        join(w, "Bobby", 70_002, 40.5f, 20.5f);
        Screen screen = new Screen();
        for (int i = 0; i < 10; i++) w.tick();
        assertThat(screen.got).isEmpty(); // nobody watching: nothing built

        d.watch(screen, 7);
        for (int i = 0; i < 10; i++) w.tick();
        assertThat(screen.got).hasSize(1);
        ServerMessage first = screen.got.get(0);
        assertThat(first.getRid()).as("answers the watch request").isEqualTo(7);
        AdminFeed f = first.getAdminFeed();
        assertThat(f.getFullHistory()).isTrue();
        assertThat(f.getOnlineList()).singleElement().satisfies(s -> assertThat(s.getPlayers()).isEqualTo(2));
        assertThat(f.getPlayersList()).extracting(AdminPlayer::getName, AdminPlayer::getX, AdminPlayer::getY, AdminPlayer::getRegion)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("Annie", 88, 88, w.regionIndex(5.5f, 5.5f)),
                        org.assertj.core.groups.Tuple.tuple("Bobby", 648, 328, w.regionIndex(40.5f, 20.5f)));
        assertThat(f.getWorldsList()).singleElement().satisfies(x -> {
            assertThat(x.getPlayers()).isEqualTo(2);
            assertThat(x.getRegionSize()).isEqualTo(32);
            assertThat(x.getTickP50Ms()).isPositive();
        });
        assertThat(f.getRegionsCount()).isEqualTo(w.regionCols() * w.regionRows());
        assertThat(f.getRegionsList()).filteredOn(r -> r.getPlayers() > 0).hasSize(2)
                .allSatisfy(r -> {
                    assertThat(r.getLastUs()).isPositive();
                    assertThat(r.getMeanUs()).isPositive();
                });
        assertThat(f.getRegionsList()).filteredOn(r -> r.getPlayers() == 0)
                .allSatisfy(r -> assertThat(r.getLastUs()).isZero());

        for (int i = 0; i < 10; i++) w.tick();
        assertThat(screen.got).hasSize(2);
        assertThat(screen.last().getFullHistory()).isFalse();
        assertThat(screen.last().getOnlineList()).as("no new sample within 10 s").isEmpty();
        assertThat(screen.got.get(1).getRid()).isZero();

        d.unwatch(screen);
        for (int i = 0; i < 20; i++) w.tick();
        assertThat(screen.got).hasSize(2);
    }

    @Test
    void aWatcherThatAsksAgainIsAnsweredWithTheWholeHistory() {
        World w = TestWorlds.world(new TestWorlds.RecordingSaver());
        Dashboard d = new Dashboard(List.of(w), () -> "", null, Clock.systemUTC());
        w.afterTick(d::afterTick);
        Screen screen = new Screen();
        d.watch(screen, 7);
        for (int i = 0; i < 10; i++) w.tick();
        d.watch(screen, 8); // a page that lost track asks again on the same connection
        for (int i = 0; i < 10; i++) w.tick();
        assertThat(screen.got).hasSize(2);
        assertThat(screen.got.get(1).getRid()).as("answers the second request").isEqualTo(8);
        assertThat(screen.last().getFullHistory()).isTrue();
        assertThat(screen.last().getOnlineCount()).isEqualTo(1);
        assertThat(d.watchers()).isOne();
    }

    @Test
    void aClusterNodesFeedShowsThePlayersOfTheOtherNodes() {
        World a = TestWorlds.world(new TestWorlds.RecordingSaver()), b = TestWorlds.world(new TestWorlds.RecordingSaver());
        Dashboard da = new Dashboard(List.of(a), () -> "node-a", r -> r % 2 == 0 ? "node-a" : "node-b", Clock.systemUTC());
        Dashboard db = new Dashboard(List.of(b), () -> "node-b", r -> r % 2 == 0 ? "node-a" : "node-b", Clock.systemUTC());
        da.setPeers(() -> db.part("node-a", Dashboard.PART_CHUNK_BYTES).forEach(c -> da.acceptPart("node-b", c)));
        a.afterTick(da::afterTick);
        join(a, "Annie", 70_001, 5.5f, 5.5f);
        join(b, "Bobby", 70_002, 40.5f, 20.5f);
        join(b, "Annie", 70_001, 5.5f, 5.5f); // in a handoff: on both lists for a moment
        Screen screen = new Screen();
        da.watch(screen, 1);
        for (int i = 0; i < 10; i++) {
            a.tick();
            b.tick();
        }
        AdminFeed f = screen.last();
        assertThat(f.getNode()).isEqualTo("node-a");
        assertThat(f.getPlayersList()).extracting(AdminPlayer::getName, AdminPlayer::getNode)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("Annie", "node-a"),
                        org.assertj.core.groups.Tuple.tuple("Bobby", "node-b"));
        assertThat(f.getWorlds(0).getPlayers()).isEqualTo(2);
        int bobbysRegion = b.regionIndex(40.5f, 20.5f);
        assertThat(f.getRegions(bobbysRegion).getPlayers()).isEqualTo(1);
        assertThat(f.getRegions(0).getNode()).isEqualTo("node-a");
        assertThat(f.getRegions(1).getNode()).isEqualTo("node-b");

        // a malformed part is dropped, the rest stays
        da.acceptPart("node-c", new byte[]{(byte) 0xff, 1, 2});
        for (int i = 0; i < 10; i++) a.tick();
        assertThat(screen.last().getPlayersCount()).isEqualTo(2);
    }

    @Test
    void aPartWithARegionOutsideTheGridIsShownWithoutCountingItInARegion() {
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        Dashboard da = new Dashboard(List.of(a), () -> "node-a", r -> "node-a", Clock.systemUTC());
        a.afterTick(da::afterTick);
        int regions = a.regionCols() * a.regionRows();
        // uint32 regions: 0xFFFFFFFF reads as -1, and one past the grid; both from a peer that is wrong
        byte[] part = chunk(1, 0, 1, AdminFeed.newBuilder()
                .addPlayers(AdminPlayer.newBuilder().setEntityId(1).setName("Minus").setWorld(a.name()).setRegion(-1))
                .addPlayers(AdminPlayer.newBuilder().setEntityId(2).setName("Past").setWorld(a.name()).setRegion(regions))
                .build());
        da.setPeers(() -> da.acceptPart("node-b", part));
        Screen screen = new Screen();
        da.watch(screen, 1);
        for (int i = 0; i < 20; i++) a.tick(); // the first feed asks, the second carries the part
        assertThat(screen.got).hasSize(2);
        AdminFeed f = screen.last();
        assertThat(f.getPlayersList()).extracting(AdminPlayer::getName).containsExactlyInAnyOrder("Minus", "Past");
        assertThat(f.getRegionsCount()).isEqualTo(regions);
        assertThat(f.getRegionsList()).allSatisfy(r -> assertThat(r.getPlayers()).isZero());
    }

    /** A chunk as {@link Dashboard#part} heads it: the answer's number, the chunk's index, the count. */
    static byte[] chunk(int answer, int index, int count, AdminFeed feed) {
        byte[] f = feed.toByteArray();
        return java.nio.ByteBuffer.allocate(8 + f.length).putInt(answer).putShort((short) index).putShort((short) count).put(f).array();
    }

    /**
     * A node simulating thousands of players answers in chunks that each fit well within a
     * cluster frame, where the whole would not fit Pekko's 256 KiB; the asking node shows that
     * node's players only once every chunk of one answer is in, in whatever order, and a chunk
     * of another answer does not complete it.
     */
    @Test
    void aNodeWithThousandsOfPlayersAnswersInChunksThatEachFitAFrame() {
        World a = TestWorlds.world(new TestWorlds.RecordingSaver()), b = TestWorlds.world(new TestWorlds.RecordingSaver());
        Dashboard da = new Dashboard(List.of(a), () -> "node-a", r -> "node-a", Clock.systemUTC());
        Dashboard db = new Dashboard(List.of(b), () -> "node-b", r -> "node-b", Clock.systemUTC());
        a.afterTick(da::afterTick);
        int many = 6_000;
        for (int i = 0; i < many; i++) {
            join(b, String.format("Player%010d", i), 80_000 + i, 2.5f + i % 60, 2.5f + (i / 60) % 60);
        }
        List<byte[]> old = db.part("node-a", Dashboard.PART_CHUNK_BYTES);
        List<byte[]> chunks = db.part("node-a", Dashboard.PART_CHUNK_BYTES);
        assertThat(chunks.stream().mapToInt(c -> c.length).sum()).as("the whole answer").isGreaterThan(256 * 1024);
        assertThat(chunks).hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(Dashboard.PART_CHUNK_BYTES));

        List<byte[]> delivered = new ArrayList<>();
        da.setPeers(() -> delivered.forEach(c -> da.acceptPart("node-b", c)));
        Screen screen = new Screen();
        da.watch(screen, 1);
        // all but the first chunk, backwards, then the older answer's first: no answer whole
        for (int i = chunks.size() - 1; i > 0; i--) delivered.add(chunks.get(i));
        delivered.add(old.get(0));
        for (int i = 0; i < 20; i++) a.tick();
        assertThat(screen.last().getPlayersCount()).isZero();

        delivered.clear();
        for (int i = chunks.size() - 1; i >= 0; i--) delivered.add(chunks.get(i));
        for (int i = 0; i < 20; i++) a.tick();
        AdminFeed f = screen.last();
        assertThat(f.getPlayersCount()).isEqualTo(many);
        assertThat(f.getPlayersList()).extracting(AdminPlayer::getEntityId).doesNotHaveDuplicates();
        assertThat(f.getPlayersList()).allSatisfy(p -> assertThat(p.getNode()).isEqualTo("node-b"));
        assertThat(f.getWorlds(0).getPlayers()).isEqualTo(many);
    }

    @Test
    void badChunksAreDroppedAndDoNotStopTheNextAnswer() {
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        Dashboard da = new Dashboard(List.of(a), () -> "node-a", r -> "node-a", Clock.systemUTC());
        a.afterTick(da::afterTick);
        AdminFeed one = AdminFeed.newBuilder().addPlayers(AdminPlayer.newBuilder().setEntityId(5).setName("Solo").setWorld(a.name())).build();
        List<byte[]> delivered = new ArrayList<>(List.of(
                new byte[]{1, 2, 3},                             // shorter than a header
                chunk(1, 0, 0, one),                             // no chunks
                chunk(1, 3, 2, one),                             // index past the count
                chunk(1, 0, Dashboard.MAX_CHUNKS + 1, one),      // too many
                java.util.Arrays.copyOf(chunk(1, 0, 1, one), 12))); // the feed cut
        da.setPeers(() -> delivered.forEach(c -> da.acceptPart("node-b", c)));
        Screen screen = new Screen();
        da.watch(screen, 1);
        for (int i = 0; i < 20; i++) a.tick();
        assertThat(screen.last().getPlayersCount()).isZero();
        delivered.add(chunk(2, 0, 1, one));
        for (int i = 0; i < 20; i++) a.tick();
        assertThat(screen.last().getPlayersList()).extracting(AdminPlayer::getName).containsExactly("Solo");
    }

    /**
     * A cluster node's feed carries the chat said on the other nodes, each line once, and its
     * players-online samples count every node's players (one in a handoff once).
     */
    @Test
    void aClusterNodesFeedCarriesTheOtherNodesChatAndCountsTheirPlayersOnline() {
        World a = TestWorlds.world(new TestWorlds.RecordingSaver()), b = TestWorlds.world(new TestWorlds.RecordingSaver());
        Dashboard da = new Dashboard(List.of(a), () -> "node-a", r -> "node-a", Clock.systemUTC());
        Dashboard db = new Dashboard(List.of(b), () -> "node-b", r -> "node-b", Clock.systemUTC());
        da.setPeers(() -> db.part("node-a", Dashboard.PART_CHUNK_BYTES).forEach(c -> da.acceptPart("node-b", c)));
        a.afterTick(da::afterTick);
        b.afterTick(db::afterTick);
        join(a, "Annie", 70_001, 5.5f, 5.5f);
        join(b, "Bobby", 70_002, 40.5f, 20.5f);
        join(b, "Cathy", 70_003, 41.5f, 20.5f);
        join(b, "Annie", 70_001, 5.5f, 5.5f); // in a handoff: on both lists for a moment
        mmo.server.world.Player bobby = b.playerByName("Bobby");
        db.said(b, bobby, mmo.protocol.ChatChannel.WORLD, "said before anyone watched", "");
        Screen screen = new Screen();
        da.watch(screen, 1);
        for (int i = 0; i < 20; i++) {
            a.tick();
            b.tick();
        }
        db.said(b, bobby, mmo.protocol.ChatChannel.SAY, "hello from b", "");
        for (int i = 0; i < 200; i++) {
            a.tick();
            b.tick();
        }
        List<mmo.protocol.AdminChatLine> lines = new ArrayList<>();
        for (ServerMessage m : screen.got) lines.addAll(m.getAdminFeed().getChatList());
        assertThat(lines).extracting(mmo.protocol.AdminChatLine::getText)
                .containsExactly("said before anyone watched", "hello from b");
        assertThat(lines).allSatisfy(l -> assertThat(l.getFrom()).isEqualTo("Bobby"));
        List<mmo.protocol.OnlineSample> samples = new ArrayList<>();
        for (ServerMessage m : screen.got) samples.addAll(m.getAdminFeed().getOnlineList());
        assertThat(samples).last().extracting(mmo.protocol.OnlineSample::getPlayers).isEqualTo(3);
    }
}

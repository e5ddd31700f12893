package mmo.server;

import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.ClientMessage;
import mmo.protocol.Ignore;
import mmo.protocol.ServerMessage;
import mmo.server.cluster.ClusterGame;
import mmo.server.cluster.ClusterNode;
import mmo.server.config.ServerConfig;
import mmo.server.world.World;
import mmo.server.world.map.TileMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static mmo.server.MultiWorldTest.chat;
import static mmo.server.MultiWorldTest.create;
import static mmo.server.MultiWorldTest.enter;
import static mmo.server.MultiWorldTest.register;
import static mmo.server.RawClient.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * Ignore lists in a cluster: two nodes in this JVM (real actor systems on loopback, one SQLite
 * database, real sockets, ticks stepped by hand). A listener's ignore list is known only on the
 * node holding its connection, yet the lines of the character it ignores reach it on no path:
 * SAY, WORLD and WHISPER said where it is simulated while it is connected through the other
 * node, relayed from the other node to where it is simulated and connected, and relayed to
 * where it is simulated while it is connected through the speaker's node. A listener who does
 * not ignore the speaker, beside each, hears every line.
 */
class ClusterIgnoreTest {
    @TempDir
    Path dir;
    final List<MmoServer> nodes = new ArrayList<>();
    final List<RawClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(RawClient::close);
        for (int i = nodes.size() - 1; i >= 0; i--) nodes.get(i).close();
    }

    String dbUrl() {
        return "jdbc:sqlite:" + dir.resolve("mmo.db");
    }

    MmoServer node(String seed) throws Exception {
        Map<String, Object> cfg = new HashMap<>(Map.of(
                "mmo.net.port", 0,
                "mmo.net.host", "127.0.0.1",
                "mmo.db.url", dbUrl(),
                "mmo.tick.manual", true,
                "mmo.tick.encode-threads", 1,
                "mmo.management.port", 0,
                "mmo.world.map", "maps/test.tmj",
                "mmo.world.region-size", 16, // the 64 x 64 test map: 4 x 4 regions, 4 shards of 2 x 2
                "mmo.cluster.enabled", true,
                "mmo.cluster.port", 0));
        cfg.put("mmo.cluster.host", "127.0.0.1");
        if (seed != null) cfg.put("mmo.cluster.seed-nodes", seed);
        MmoServer s = MmoServer.start(ServerConfig.defaults(cfg));
        nodes.add(s);
        return s;
    }

    /** Ticks both nodes until {@code condition} holds (the short wait only keeps the loop from spinning). */
    void tickUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            for (MmoServer n : nodes) n.tick();
            Thread.sleep(2);
        }
    }

    <T> T tickUntil(CompletableFuture<T> reply) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (System.nanoTime() < deadline) {
            for (MmoServer n : nodes) n.tick();
            try {
                return reply.get(2, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                // tick again
            }
        }
        return reply.get(1, TimeUnit.MILLISECONDS);
    }

    /** Registers through {@code gateway}, creates a character placed at {@code at} and enters with it. */
    RawClient play(MmoServer gateway, String name, float[] at) throws Exception {
        RawClient c = RawClient.connect(gateway.port());
        clients.add(c);
        assertThat(c.call(register(name.toLowerCase())).hasLoginOk()).isTrue();
        ServerMessage created = c.call(create(name, ""));
        assertThat(created.hasCharacterCreated()).as("%s", created).isTrue();
        long id = created.getCharacterCreated().getCharacter().getId();
        try (Connection db = DriverManager.getConnection(dbUrl());
             PreparedStatement st = db.prepareStatement("UPDATE characters SET x = ?, y = ? WHERE id = ?")) {
            st.setFloat(1, at[0]);
            st.setFloat(2, at[1]);
            st.setLong(3, id);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
        ServerMessage entered = tickUntil(c.request(enter(id)));
        assertThat(entered.hasWorldEntered()).as("%s", entered).isTrue();
        return c;
    }

    /** Two neighbouring walkable tiles' centres, the first in a region {@code a} owns, the second in one {@code b} owns. */
    static float[][] acrossTheBorder(World world, ClusterNode view, String a, String b) {
        TileMap map = world.map();
        int[][] steps = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
        for (int y = 0; y < map.height(); y++) {
            for (int x = 0; x < map.width(); x++) {
                float ax = x + 0.5f, ay = y + 0.5f;
                if (!map.isWalkable(ax, ay) || !a.equals(view.ownerOf(world.regionIndex(ax, ay)).orElse(null))) continue;
                for (int[] s : steps) {
                    float bx = ax + s[0], by = ay + s[1];
                    if (map.isWalkable(bx, by) && b.equals(view.ownerOf(world.regionIndex(bx, by)).orElse(null))) {
                        return new float[][] {{ax, ay}, {bx, by}};
                    }
                }
            }
        }
        throw new AssertionError("no border between the nodes' regions");
    }

    @Test
    void noLineOfAnIgnoredSpeakerReachesTheListenerWhereverItIsSimulatedOrConnected() throws Exception {
        MmoServer a = node(null);
        MmoServer b = node(ClusterGame.shortName(a.cluster().self()));
        String aSelf = a.cluster().self(), bSelf = b.cluster().self();
        // the four shards settle two and two (then nothing moves); both nodes know it
        tickUntil("the regions shared out", () -> {
            for (MmoServer n : nodes) {
                Map<Integer, String> owners = n.cluster().node().regionOwners();
                if (owners.size() != 16 || Collections.frequency(owners.values(), aSelf) != 8
                        || Collections.frequency(owners.values(), bSelf) != 8) return false;
            }
            return a.cluster().node().regionOwners().equals(b.cluster().node().regionOwners());
        });
        float[][] border = acrossTheBorder(a.world(), a.cluster().node(), aSelf, bSelf);
        float[] onA = border[0], onB = border[1];

        // the speakers, simulated on A and connected to it
        RawClient troll = play(a, "Troll", onA);
        RawClient vic = play(a, "Vic", onA);
        // who ignores Troll, and beside each one who does not:
        RawClient ann = play(b, "Ann", onA), abe = play(b, "Abe", onA);     // simulated on A, connected to B
        RawClient cleo = play(b, "Cleo", onB), cole = play(b, "Cole", onB); // simulated on B, connected to it
        RawClient dan = play(a, "Dan", onB), dora = play(a, "Dora", onB);   // simulated on B, connected to A
        tickUntil("four characters simulated on each node",
                () -> a.world().players().size() == 4 && b.world().players().size() == 4);
        // whispers from A to whom it does not simulate go where presence says they are connected
        for (String name : List.of("cleo", "cole", "dan", "dora")) {
            tickUntil(name + "'s presence known on A", () -> a.cluster().node().presence(name).isPresent());
        }
        // A's chat topic reaches B (its first lines may not, while the topic learns of B)
        for (int i = 0; !cole.chats.stream().anyMatch(m -> m.getText().startsWith("warming up")); i++) {
            assertThat(i).as("A's world chat never reached B").isLessThan(30);
            tickUntil(vic.request(chat(ChatChannel.WORLD, "warming up " + i, "")));
            for (int t = 0; t < 20; t++) {
                for (MmoServer n : nodes) n.tick();
                Thread.sleep(5);
            }
        }

        for (RawClient listener : List.of(ann, cleo, dan)) {
            ServerMessage list = listener.call(ClientMessage.newBuilder().setIgnore(Ignore.newBuilder().setName("troll")));
            assertThat(list.getIgnoreList().getNamesList()).containsExactly("Troll");
        }
        List<ClientMessage.Builder> lines = new ArrayList<>(List.of(
                chat(ChatChannel.SAY, "troll says", ""), chat(ChatChannel.WORLD, "troll shouts", "")));
        for (String to : List.of("Ann", "Abe", "Cleo", "Cole", "Dan", "Dora")) lines.add(chat(ChatChannel.WHISPER, "troll to " + to, to));
        for (ClientMessage.Builder line : lines) {
            ServerMessage echo = tickUntil(troll.request(line));
            assertThat(echo.hasChat()).as("%s", echo).isTrue();
        }
        // Vic's lines follow Troll's on the same paths to each listener (same node, topic and
        // frames, in order): once a listener has them, Troll's would have come before
        List<ClientMessage.Builder> after = new ArrayList<>(List.of(
                chat(ChatChannel.SAY, "vic says", ""), chat(ChatChannel.WORLD, "vic shouts", "")));
        for (String to : List.of("Ann", "Cleo", "Dan")) after.add(chat(ChatChannel.WHISPER, "vic to " + to, to));
        for (ClientMessage.Builder line : after) assertThat(tickUntil(vic.request(line)).hasChat()).isTrue();
        for (RawClient listener : List.of(ann, cleo, dan)) {
            tickUntil("Vic's lines", () -> listener.chats.stream().filter(m -> m.getFrom().equals("Vic")
                    && !m.getText().startsWith("warming up")).count() == 3);
        }
        Map<String, RawClient> hearing = Map.of("Abe", abe, "Cole", cole, "Dora", dora);
        for (Map.Entry<String, RawClient> h : hearing.entrySet()) {
            RawClient c = h.getValue();
            tickUntil(h.getKey() + " hearing Troll", () -> c.chats.stream().filter(m -> m.getFrom().equals("Troll")).count() == 3);
            assertThat(c.chats).filteredOn(m -> m.getFrom().equals("Troll")).extracting(ChatMessage::getChannel, ChatMessage::getText)
                    .containsExactly(tuple(ChatChannel.SAY, "troll says"), tuple(ChatChannel.WORLD, "troll shouts"),
                            tuple(ChatChannel.WHISPER, "troll to " + h.getKey()));
        }
        org.assertj.core.api.SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(ann.chats).as("Ann: simulated on A, connected to B").extracting(ChatMessage::getText)
                    .noneMatch(t -> t.startsWith("troll"));
            soft.assertThat(cleo.chats).as("Cleo: simulated on B, connected to B").extracting(ChatMessage::getText)
                    .noneMatch(t -> t.startsWith("troll"));
            soft.assertThat(dan.chats).as("Dan: simulated on B, connected to A").extracting(ChatMessage::getText)
                    .noneMatch(t -> t.startsWith("troll"));
        });
    }
}

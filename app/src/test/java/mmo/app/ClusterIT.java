package mmo.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import mmo.client.ClientListener;
import mmo.client.ClientOptions;
import mmo.client.MmoClient;
import mmo.client.ServerError;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.CreateCharacter;
import mmo.protocol.EntityEvent;
import mmo.protocol.EntityKind;
import mmo.protocol.ErrorCode;
import mmo.protocol.ServerMessage;
import mmo.protocol.StartChoice;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Three server processes form one cluster over loopback and share a PostgreSQL database; the
 * world's regions are spread over them by Pekko Cluster Sharding. Real processes, real
 * sockets, real PostgreSQL, the Java client library as the players.
 */
class ClusterIT {
    static final long TIMEOUT_S = 90;
    static final String PG = System.getProperty("mmo.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    /** The test map: 256 x 256 open tiles, regions of 64, so shards (2 x 2 regions) are 128 x 128. */
    static final int SIZE = 256, REGION = 64, SHARD = 128;

    @TempDir
    Path dir;
    String schema;
    final List<Node> nodes = new ArrayList<>();
    final List<MmoClient> clients = new ArrayList<>();

    @BeforeEach
    void schemaAndMap() throws Exception {
        schema = "cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PG); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        writeMap(dir.resolve("field.tmj"));
        Files.writeString(dir.resolve("cluster.conf"), "mmo.world.region-size = " + REGION + "\nmmo.save.interval = 1s\n");
    }

    @AfterEach
    void stop() throws Exception {
        for (MmoClient c : clients) c.close();
        for (Node n : nodes) n.close();
        try (Connection c = DriverManager.getConnection(PG); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /**
     * An open field with the four class homes straddling the four inner shard borders, so a
     * character of a class starts a few steps from one border: warriors west of x = 128 in the
     * top half, mages west of x = 128 in the bottom half, rangers north of y = 128 on the left,
     * healers north of y = 128 on the right; the plaza (random starts) lies in the bottom-right
     * shard, so every shard has a start area.
     */
    static void writeMap(Path file) throws Exception {
        int tile = 16;
        StringBuilder ground = new StringBuilder(), empty = new StringBuilder();
        for (int i = 0; i < SIZE * SIZE; i++) {
            ground.append(i == 0 ? "1" : ",1");
            empty.append(i == 0 ? "0" : ",0");
        }
        String home = """
                {"id": %d, "name": "%s", "type": "home", "x": %d, "y": %d, "width": %d, "height": %d, "rotation": 0, "visible": true,
                 "properties": [{"name": "class", "type": "string", "value": "%s"}]}""";
        List<String> homes = List.of(
                home.formatted(1, "Warriors", (SHARD - 6) * tile, 60 * tile, 3 * tile, 4 * tile, "warrior"),
                home.formatted(2, "Mages", (SHARD - 6) * tile, 190 * tile, 3 * tile, 4 * tile, "mage"),
                home.formatted(3, "Rangers", 60 * tile, (SHARD - 6) * tile, 4 * tile, 3 * tile, "ranger"),
                home.formatted(4, "Healers", 190 * tile, (SHARD - 6) * tile, 4 * tile, 3 * tile, "healer"),
                """
                {"id": 5, "name": "Plaza", "type": "safe", "x": %d, "y": %d, "width": %d, "height": %d, "rotation": 0, "visible": true}"""
                        .formatted(190 * tile, 190 * tile, 10 * tile, 10 * tile));
        String json = """
                {"height": %d, "width": %d, "infinite": false, "orientation": "orthogonal", "renderorder": "right-down",
                 "tiledversion": "1.11.0", "version": "1.10", "type": "map", "tilewidth": 16, "tileheight": 16,
                 "layers": [
                  {"id": 1, "name": "ground", "type": "tilelayer", "width": %d, "height": %d, "x": 0, "y": 0, "opacity": 1, "visible": true, "data": [%s]},
                  {"id": 2, "name": "obstacles", "type": "tilelayer", "width": %d, "height": %d, "x": 0, "y": 0, "opacity": 1, "visible": true, "data": [%s]},
                  {"id": 3, "name": "spawns", "type": "objectgroup", "x": 0, "y": 0, "opacity": 1, "visible": true, "draworder": "topdown", "objects": [%s]}],
                 "tilesets": [{"firstgid": 1, "name": "field", "tilewidth": 16, "tileheight": 16, "tilecount": 2, "columns": 2,
                   "image": "tiles.png", "imagewidth": 32, "imageheight": 16, "margin": 0, "spacing": 0,
                   "tiles": [{"id": 1, "properties": [{"name": "collides", "type": "bool", "value": true}]}]}]}
                """.formatted(SIZE, SIZE, SIZE, SIZE, ground, SIZE, SIZE, empty, String.join(",", homes));
        Files.writeString(file, json);
    }

    /** A {@code java -jar mmo.jar serve --cluster} process. */
    final class Node implements AutoCloseable {
        final ServerProcessIT.ServerProcess server;
        final Process process;
        final int port, clusterPort;
        final StringBuffer output;
        final CompletableFuture<Void> ready;
        final String name;

        Node(String name, int port, int clusterPort, int seedPort) throws Exception {
            this(name, port, clusterPort, seedPort, List.of());
        }

        /** With {@code extra} arguments for {@code serve} (e.g. {@code --content DIR}). */
        Node(String name, int port, int clusterPort, int seedPort, List<String> extra) throws Exception {
            this(name, port, clusterPort, dir.resolve("cluster.conf"), List.of("--seed-nodes", "127.0.0.1:" + seedPort), List.of(), extra);
        }

        /** Joining as {@code join} says (the seed list, or nothing when {@code config} turns discovery on), with these JVM options. */
        Node(String name, int port, int clusterPort, Path config, List<String> join, List<String> jvm, List<String> extra) throws Exception {
            this.name = name;
            this.port = port;
            this.clusterPort = clusterPort;
            List<String> args = new ArrayList<>(List.of(
                    "--config", config.toString(), "--stats",
                    "--db", PG + "&currentSchema=" + schema,
                    "--map", dir.resolve("field.tmj").toString(),
                    "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", String.valueOf(clusterPort)));
            args.addAll(join);
            args.addAll(extra);
            List<String> jvmArgs = new ArrayList<>(List.of("-Xmx256m"));
            jvmArgs.addAll(ServerProcessIT.SHORT_LIVED);
            jvmArgs.addAll(jvm);
            server = new ServerProcessIT.ServerProcess(name, port, jvmArgs, args);
            process = server.process;
            output = server.output;
            ready = server.ready;
        }

        URI ws() {
            return server.ws();
        }

        JsonNode stats() throws Exception {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new ObjectMapper().readTree(r.body());
        }

        /** kill -9. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }

        /** This node's address as the cluster names it (what the owner tables hold). */
        String address() throws Exception {
            return stats().path("cluster").path("self").asText();
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freePort() throws Exception {
        return ServerProcessIT.freePort();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50); // polling an outside process: the condition, not the sleep, decides
        }
    }

    private void startCluster(int n, String... serveArgs) throws Exception {
        int seed = freePort();
        for (int i = 0; i < n; i++) {
            nodes.add(new Node("node" + (i + 1), freePort(), i == 0 ? seed : freePort(), seed, List.of(serveArgs)));
        }
        for (Node node : nodes) node.ready.get(TIMEOUT_S, TimeUnit.SECONDS);
        // every region owned, and each node sees the same owners
        await("all regions owned by " + n + " nodes", () -> {
            try {
                Map<String, String> first = owners(nodes.get(0));
                if (first.size() != (SIZE / REGION) * (SIZE / REGION)) return false;
                if (new java.util.HashSet<>(first.values()).size() != n) return false;
                for (Node node : nodes) if (!owners(node).equals(first)) return false;
                return true;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /**
     * Each node's management port (issue 7): ready once it is Up in the cluster, and its own
     * figures: the members it sees and the regions it simulates, which add up to the map. The
     * nodes find each other as on Kubernetes, by discovery and Cluster Bootstrap from the jar
     * (no seed list), with Pekko Discovery's config method standing in for the DNS answer: two
     * contacts on one host, each with its own bootstrap port.
     */
    @Test
    void eachNodeFoundByDiscoveryIsReadyOnceUpAndCountsTheClusterInItsMetrics() throws Exception {
        int[] management = {freePort(), freePort()};
        int[] bootstrap = {freePort(), freePort()};
        List<String> contacts = new ArrayList<>(List.of(
                "-Dpekko.discovery.method=config",
                // on one host the contacts differ by port, so none is filtered for not using this node's
                "-Dpekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port=false"));
        for (int i = 0; i < 2; i++) {
            contacts.add("-Dpekko.discovery.config.services.mmo-nodes.endpoints." + i + ".host=127.0.0.1");
            contacts.add("-Dpekko.discovery.config.services.mmo-nodes.endpoints." + i + ".port=" + bootstrap[i]);
        }
        for (int i = 0; i < 2; i++) {
            Path conf = dir.resolve("discovery" + i + ".conf");
            Files.writeString(conf, Files.readString(dir.resolve("cluster.conf")) + """
                    mmo.cluster.discovery { dns-name = mmo-nodes, min-contacts = 2, bootstrap-port = %d }
                    """.formatted(bootstrap[i]));
            nodes.add(new Node("node" + (i + 1), freePort(), freePort(), conf, List.of(), contacts,
                    List.of("--management-port", String.valueOf(management[i]))));
        }
        for (Node node : nodes) node.ready.get(TIMEOUT_S, TimeUnit.SECONDS);
        HttpClient http = HttpClient.newHttpClient();
        java.util.function.BiFunction<Integer, String, HttpResponse<String>> get = (port, path) -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        int regions = (SIZE / REGION) * (SIZE / REGION);
        await("both nodes ready and every region owned", () -> {
            double owned = 0;
            for (int m : management) {
                if (get.apply(m, "/health/ready").statusCode() != 200) return false;
                owned += MetricsTest.value(get.apply(m, "/metrics").body(), "mmo_cluster_regions_owned");
            }
            return owned == regions;
        });
        for (int m : management) {
            assertThat(get.apply(m, "/health/ready").body()).contains("\"cluster\":{\"status\":\"UP\"}");
            String metrics = get.apply(m, "/metrics").body();
            assertThat(MetricsTest.value(metrics, "mmo_cluster_members")).isEqualTo(2);
            assertThat(get.apply(m, "/health/live").statusCode()).isEqualTo(200);
        }
    }

    static Map<String, String> owners(Node node) throws Exception {
        Map<String, String> m = new HashMap<>();
        node.stats().path("cluster").path("regions").properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** A player's client, recording every update and message. */
    final class Player {
        final List<WorldUpdate> updates = new CopyOnWriteArrayList<>();
        final List<mmo.protocol.RegionOwner> owners = new CopyOnWriteArrayList<>();
        final List<ChatMessage> chats = new CopyOnWriteArrayList<>();
        final List<mmo.protocol.Error> errors = new CopyOnWriteArrayList<>();
        MmoClient client;
        WorldEntered entered;
        String name;

        mmo.client.ResumingClient resuming;

        Player(Node node, String name, CharacterClass cls) throws Exception {
            this(node, name, cls, StartChoice.START_HOME, null);
        }

        /** With {@code servers}: a {@link mmo.client.ResumingClient} over them (the first is where it connects). */
        Player(Node node, String name, CharacterClass cls, StartChoice start, List<Node> servers) throws Exception {
            this(node, name, cls, start, servers, null);
        }

        /** With {@code beforeEntering}: run with the new character's id before it enters the world. */
        Player(Node node, String name, CharacterClass cls, StartChoice start, List<Node> servers, Setup beforeEntering) throws Exception {
            this.name = name;
            ClientListener listener = new ClientListener() {
                @Override
                public void onWorldUpdate(WorldUpdate update, mmo.client.WorldView view) {
                    updates.add(update);
                }

                @Override
                public void onChat(ChatMessage chat) {
                    chats.add(chat);
                }

                @Override
                public void onRegionOwner(mmo.protocol.RegionOwner owner) {
                    owners.add(owner);
                }

                @Override
                public void onError(mmo.protocol.Error error, int rid) {
                    errors.add(error);
                }
            };
            ClientOptions options = ClientOptions.builder().listener(listener).build();
            MmoClient first = MmoClient.connect(node.ws(), options).get(TIMEOUT_S, TimeUnit.SECONDS);
            first.register(name.toLowerCase(), "password-" + name).get(TIMEOUT_S, TimeUnit.SECONDS);
            var summary = first.createCharacter(CreateCharacter.newBuilder().setName(name).setCharacterClass(cls)
                    .setAppearance(Appearance.newBuilder().build()).setStart(start).build()).get(TIMEOUT_S, TimeUnit.SECONDS);
            characterId = summary.getId();
            if (beforeEntering != null) beforeEntering.run(characterId);
            if (servers == null) {
                client = first;
                clients.add(client);
                entered = client.enterWorld(summary.getId()).get(TIMEOUT_S, TimeUnit.SECONDS);
                return;
            }
            first.close();
            List<URI> uris = servers.stream().map(Node::ws).toList();
            resuming = mmo.client.ResumingClient.start(uris, options, summary.getId(), java.time.Duration.ofSeconds(TIMEOUT_S),
                    c -> c.login(name.toLowerCase(), "password-" + name)).get(TIMEOUT_S, TimeUnit.SECONDS);
            client = resuming.client();
            entered = resuming.entered();
        }

        long characterId;

        MmoClient current() {
            return resuming != null ? resuming.client() : client;
        }

        /** Sends one input and waits for its acknowledgement. */
        void acked() throws Exception {
            MmoClient c = current();
            int seq = c.sendInput(0, 0);
            c.awaitUpdate(u -> u.ackSeq() >= seq).get(TIMEOUT_S, TimeUnit.SECONDS);
        }

        float x() {
            return current().snapshot().x();
        }

        float y() {
            return current().snapshot().y();
        }

        String ownerNode() {
            return owners.isEmpty() ? "" : owners.get(owners.size() - 1).getNode();
        }

        /** Walks in (dx, dy), an input every 100 ms, until {@code done}; returns the seqs sent. */
        List<Integer> walkUntil(float dx, float dy, BooleanSupplier done) throws InterruptedException {
            List<Integer> seqs = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) throw new AssertionError(name + " did not get there");
                seqs.add(client.sendInput(dx, dy));
                Thread.sleep(100); // the workload's input rate; the assertions wait on conditions
            }
            seqs.add(client.sendInput(0, 0));
            return seqs;
        }

        /**
         * Walks to (x, y), steering at each input, until within 0.6 units of it (a step at full
         * speed is 0.4), then stops and waits for the stop's acknowledgement.
         */
        void walkTo(float x, float y) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (true) {
                float dx = x - x(), dy = y - y();
                if (dx * dx + dy * dy < 0.36f) break;
                if (System.nanoTime() > deadline) throw new AssertionError(name + " did not get to (" + x + ", " + y + ")");
                client.sendInput(dx, dy);
                Thread.sleep(100); // the workload's input rate; the assertions wait on conditions
            }
            acked();
        }
    }

    /** Something to do with a new character before it enters the world. */
    interface Setup {
        void run(long characterId) throws Exception;
    }

    @Test
    void aPlayerWalksAcrossNodesWithoutNoticingAndChatReachesEveryNode() throws Exception {
        startCluster(3);
        Map<String, String> owners = owners(nodes.get(0));
        String westTop = owners.get(String.valueOf(1)), eastTop = owners.get(String.valueOf(2));
        // The test needs the top border (x = 128, top half) between two nodes; the layout is
        // Pekko's choice, so pick the crossing whose sides differ: top (warriors, east) or
        // bottom (mages, east) — with 3 nodes for 4 shards one of the four inner borders differs;
        // the map's homes cover the two horizontal crossings, which is enough when either differs.
        CharacterClass cls;
        if (!westTop.equals(eastTop)) {
            cls = CharacterClass.WARRIOR;
        } else {
            int cols = SIZE / REGION;
            String westBottom = owners.get(String.valueOf(2 * cols + 1)), eastBottom = owners.get(String.valueOf(2 * cols + 2));
            assertThat(westBottom).as("some horizontal inner border lies between two nodes: " + owners).isNotEqualTo(eastBottom);
            cls = CharacterClass.MAGE;
        }

        Player watcher = new Player(nodes.get(1), "Watcher", cls);
        Player walker = new Player(nodes.get(0), "Walker", cls);
        Player far = new Player(nodes.get(2), "Faraway", CharacterClass.RANGER);
        String westNode = walker.ownerNode();
        assertThat(westNode).as("told which node simulates the start region").isNotEmpty();

        // the watcher crosses first and waits just east of the border
        watcher.walkUntil(1, 0, () -> watcher.x() > SHARD + 4);
        await("watcher simulated east", () -> !watcher.ownerNode().equals(westNode));
        int walkerId = walker.entered.getEntityId();
        await("watcher sees the walker across the border", () -> watcher.client.snapshot().entities().containsKey(walkerId));

        int before = walker.updates.size();
        int watcherBefore = watcher.updates.size();
        List<Integer> seqs = walker.walkUntil(1, 0, () -> walker.x() > SHARD + 3);
        int last = seqs.get(seqs.size() - 1);
        await("walker's last input acknowledged", () -> walker.client.snapshot().ackSeq() == last);

        // the walker was handed to another node, and noticed nothing
        assertThat(walker.ownerNode()).as("simulated by the east node now").isNotEqualTo(westNode);
        List<WorldUpdate> walk = walker.updates.subList(before, walker.updates.size());
        int prevAck = -1;
        float px = Float.NaN;
        for (WorldUpdate u : walk) {
            assertThat(u.getAckSeq()).as("acks never go back").isGreaterThanOrEqualTo(prevAck);
            prevAck = u.getAckSeq();
            float x = u.getX() / 16f;
            if (!Float.isNaN(px)) assertThat(Math.abs(x - px)).as("position continuous (tick %d)", u.getTick()).isLessThan(0.6f);
            px = x;
            assertThat(u.getLeavesList()).as("keeps seeing the watcher").doesNotContain(watcher.entered.getEntityId());
        }
        for (WorldUpdate u : watcher.updates.subList(watcherBefore, watcher.updates.size())) {
            assertThat(u.getLeavesList()).as("the watcher never loses the walker").doesNotContain(walkerId);
        }
        assertThat(watcher.client.snapshot().entities()).containsKey(walkerId);

        // chat across nodes: world chat from node 1's client reaches node 3's; whispers both ways
        walker.client.worldChat("hello cluster").get(TIMEOUT_S, TimeUnit.SECONDS);
        await("world chat on node 3", () -> far.chats.stream().anyMatch(c -> c.getChannel() == ChatChannel.WORLD && c.getText().equals("hello cluster")));
        far.client.whisper("Walker", "psst").get(TIMEOUT_S, TimeUnit.SECONDS);
        await("whisper across nodes", () -> walker.chats.stream().anyMatch(c -> c.getChannel() == ChatChannel.WHISPER && c.getText().equals("psst")));
        assertThatThrownBy(() -> far.client.whisper("Nobody", "hi?").get(TIMEOUT_S, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ServerError.class)
                .extracting(e -> ((ServerError) e).code()).isEqualTo(ErrorCode.NOT_ONLINE);
    }

    @Test
    void theAdminFeedOfOneNodeShowsThePlayersOfEveryNodeByOwner() throws Exception {
        startCluster(2);
        List<Player> players = List.of(new Player(nodes.get(0), "Warrior", CharacterClass.WARRIOR),
                new Player(nodes.get(0), "Mage", CharacterClass.MAGE), new Player(nodes.get(1), "Ranger", CharacterClass.RANGER),
                new Player(nodes.get(1), "Healer", CharacterClass.HEALER));
        await("every player told which node simulates it", () -> players.stream().noneMatch(p -> p.ownerNode().isEmpty()));
        MmoClient boss = MmoClient.connect(nodes.get(0).ws()).get(TIMEOUT_S, TimeUnit.SECONDS);
        clients.add(boss);
        boss.register("boss", "password-boss").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(new picocli.CommandLine(new Main()).execute("admin", "grant", "boss", "--db", PG + "&currentSchema=" + schema))
                .isEqualTo(0);

        boss.watchAdminFeed().get(TIMEOUT_S, TimeUnit.SECONDS);
        // the other node's part comes with a later feed (asked at each, answered for the next)
        mmo.protocol.AdminFeed feed = boss.nextMessage(m -> m.hasAdminFeed() && m.getAdminFeed().getPlayersCount() == 4)
                .get(TIMEOUT_S, TimeUnit.SECONDS).getAdminFeed();
        for (Player p : players) {
            mmo.protocol.AdminPlayer seen = feed.getPlayersList().stream().filter(a -> a.getName().equals(p.name)).findFirst()
                    .orElseThrow();
            assertThat(seen.getNode()).as(p.name + "'s node").isEqualTo(p.ownerNode());
            assertThat(seen.getEntityId()).isEqualTo(p.entered.getEntityId());
        }
        Set<String> simulatedBy = new java.util.HashSet<>();
        players.forEach(p -> simulatedBy.add(p.ownerNode()));
        assertThat(simulatedBy).as("the homes lie on both nodes' shards").hasSize(2);
        assertThat(feed.getNode()).isEqualTo(nodes.get(0).stats().path("cluster").path("name").asText());
        // every region is named by its owner, as the cluster says
        Map<String, String> owners = owners(nodes.get(0));
        for (mmo.protocol.AdminRegion r : feed.getRegionsList()) {
            String owner = owners.get(String.valueOf(r.getIndex()));
            assertThat(r.getNode()).isEqualTo(owner.substring(owner.indexOf('@') + 1));
        }
        assertThat(feed.getWorlds(0).getPlayers()).isEqualTo(4);

        // chat said by a player the other node simulates shows in this node's feed
        Player far = players.stream().filter(p -> !p.ownerNode().equals(feed.getNode())).findFirst().orElseThrow();
        // (waiting from before the line is said: the feed that carries it may come before the echo)
        var feedWithLine = boss.nextMessage(m -> m.hasAdminFeed() && m.getAdminFeed().getChatList().stream()
                .anyMatch(l -> l.getText().equals("said over there")));
        far.client.worldChat("said over there").get(TIMEOUT_S, TimeUnit.SECONDS);
        mmo.protocol.AdminChatLine line = feedWithLine.get(TIMEOUT_S, TimeUnit.SECONDS).getAdminFeed().getChatList()
                .stream().filter(l -> l.getText().equals("said over there")).findFirst().orElseThrow();
        assertThat(line.getFrom()).isEqualTo(far.name);
        assertThat(line.getChannel()).isEqualTo(ChatChannel.WORLD);
    }

    /**
     * An admin connected to one node teleports and mutes a player that is connected to, and
     * simulated on, the other: the node simulating it moves it and answers, and the mute holds
     * at once on the node holding its session (and is lifted there at once too).
     */
    @Test
    void anAdminTeleportsAndMutesAPlayerConnectedToAndSimulatedOnAnotherNode() throws Exception {
        startCluster(2);
        String adminNode = nodes.get(0).stats().path("cluster").path("name").asText();
        List<Player> candidates = new ArrayList<>();
        for (CharacterClass cls : List.of(CharacterClass.WARRIOR, CharacterClass.MAGE, CharacterClass.RANGER, CharacterClass.HEALER)) {
            candidates.add(new Player(nodes.get(1), "Far" + cls.name().substring(0, 4), cls));
        }
        await("every player told which node simulates it", () -> candidates.stream().noneMatch(p -> p.ownerNode().isEmpty()));
        Player target = candidates.stream().filter(p -> !p.ownerNode().equals(adminNode)).findFirst()
                .orElseThrow(() -> new AssertionError("the homes lie on both nodes' shards"));
        MmoClient boss = MmoClient.connect(nodes.get(0).ws()).get(TIMEOUT_S, TimeUnit.SECONDS);
        clients.add(boss);
        boss.register("boss", "password-boss").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(new picocli.CommandLine(new Main()).execute("admin", "grant", "boss", "--db", PG + "&currentSchema=" + schema))
                .isEqualTo(0);
        // a character that exists but is in no world
        boss.createCharacter(CreateCharacter.newBuilder().setName("Absent").setCharacterClass(CharacterClass.WARRIOR)
                .setAppearance(Appearance.newBuilder().build()).setStart(StartChoice.START_HOME).build()).get(TIMEOUT_S, TimeUnit.SECONDS);

        // to the middle of another region of the node simulating it: the admin's node asks, that node moves it
        float[] there = regionMiddle(target.ownerNode(), (int) (target.x() / REGION) + (int) (target.y() / REGION) * (SIZE / REGION));
        mmo.protocol.AdminResult moved = boss.teleport(target.name, there[0], there[1]).get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(moved.getMessage()).startsWith("Teleported " + target.name + " to (");
        await(target.name + " at the spot", () -> Math.abs(target.x() - there[0]) < 0.1f && Math.abs(target.y() - there[1]) < 0.1f);
        assertThat(target.ownerNode()).isNotEqualTo(adminNode);
        assertThatThrownBy(() -> boss.teleport(target.name, -5, -5).get(TIMEOUT_S, TimeUnit.SECONDS))
                .cause().isInstanceOf(ServerError.class)
                .satisfies(e -> assertThat(((ServerError) e).code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining("not a walkable spot");
        assertThatThrownBy(() -> boss.teleport("Absent", 10, 10).get(TIMEOUT_S, TimeUnit.SECONDS))
                .cause().isInstanceOf(ServerError.class)
                .satisfies(e -> assertThat(((ServerError) e).code()).isEqualTo(ErrorCode.NOT_ONLINE));

        // into the admin's node's regions: simulated there now, its session still on the other node,
        // which alone logged the account in and so alone knows of its mute
        float[] home = regionMiddle(adminNode, -1);
        boss.teleport(target.name, home[0], home[1]).get(TIMEOUT_S, TimeUnit.SECONDS);
        await(target.name + " simulated on the admin's node", () -> target.ownerNode().equals(adminNode));

        boss.mute(target.name, java.time.Duration.ofMinutes(10), "spam").get(TIMEOUT_S, TimeUnit.SECONDS);
        await("the mute's notice on the other node", () -> target.chats.stream()
                .anyMatch(c -> c.getChannel() == ChatChannel.SYSTEM && c.getText().startsWith("You are muted")));
        assertThatThrownBy(() -> target.client.worldChat("can you hear me").get(TIMEOUT_S, TimeUnit.SECONDS))
                .cause().isInstanceOf(ServerError.class)
                .satisfies(e -> assertThat(((ServerError) e).code()).isEqualTo(ErrorCode.CHAT_REJECTED));
        boss.unmute(target.name).get(TIMEOUT_S, TimeUnit.SECONDS);
        await("the unmute's notice on the other node", () -> target.chats.stream()
                .anyMatch(c -> c.getChannel() == ChatChannel.SYSTEM && c.getText().equals("You may chat again")));
        target.client.worldChat("back again").get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** The middle of a region owned by {@code node} (as players are told it: host:port), other than {@code except}. */
    float[] regionMiddle(String node, int except) throws Exception {
        int cols = SIZE / REGION;
        for (Map.Entry<String, String> e : owners(nodes.get(0)).entrySet()) {
            int r = Integer.parseInt(e.getKey());
            if (r != except && e.getValue().endsWith("@" + node)) return new float[]{(r % cols) * REGION + REGION / 2f, (r / cols) * REGION + REGION / 2f};
        }
        throw new AssertionError("no region of " + node + " but " + except + ": " + owners(nodes.get(0)));
    }

    @Test
    void aKilledNodesRegionsAndPlayersComeBackOnTheSurvivorsWithinFifteenSeconds() throws Exception {
        startCluster(3);
        // the warriors' home region is the one to lose: kill whichever node owns it
        String victimAddress = owners(nodes.get(0)).get("1");
        Node victim = null;
        List<Node> survivors = new ArrayList<>();
        for (Node n : nodes) {
            if (n.address().equals(victimAddress)) victim = n;
            else survivors.add(n);
        }
        assertThat(victim).isNotNull();
        // one player connected to the victim, one connected to a survivor but simulated on the victim
        List<Node> viaVictim = new ArrayList<>(List.of(victim));
        viaVictim.addAll(survivors);
        List<Node> viaSurvivor = new ArrayList<>(survivors);
        viaSurvivor.add(victim);
        Player held = new Player(victim, "Held", CharacterClass.WARRIOR, StartChoice.START_HOME, viaVictim);
        Player remote = new Player(survivors.get(0), "Remote", CharacterClass.WARRIOR, StartChoice.START_HOME, viaSurvivor);
        for (Player p : List.of(held, remote)) {
            p.walkUntil(0, 1, () -> p.y() > 66); // south, staying in the region; saved every second
            p.acked();
        }
        await("both saved where they stand", () -> savedY(held) > 65.5f && savedY(remote) > 65.5f);
        float heldY = held.y(), remoteY = remote.y();
        long epochBefore = epoch(remote);

        long killedAt = System.nanoTime();
        victim.kill();
        try {
            CompletableFuture.allOf(held.resuming.nextReconnect(), remote.resuming.nextReconnect()).get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("not back: held reconnected " + held.resuming.nextReconnect().isDone() + ", ended "
                    + held.resuming.ended() + "; remote reconnected " + remote.resuming.nextReconnect().isDone() + ", ended "
                    + remote.resuming.ended() + "\n" + survivors.get(0).output + "\n----\n" + survivors.get(1).output, e);
        }
        for (Player p : List.of(held, remote)) p.acked(); // simulated again
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf("ClusterIT: both players back in the world %.1f s after the kill%n", seconds);
        assertThat(seconds).as("back in the world within 15 s of the kill").isLessThan(15);
        String newOwner = owners(survivors.get(0)).get("1");
        assertThat(newOwner).as("region 1 owned by a survivor").isNotEqualTo(victimAddress).isNotNull();
        assertThat(held.resuming.reconnects()).isEqualTo(1);
        assertThat(remote.resuming.reconnects()).isEqualTo(1);
        // at most the last save interval (1 s at 4 units/s) of movement lost: they stood still
        assertThat(Math.abs(held.y() - heldY)).isLessThan(4.5f);
        assertThat(Math.abs(remote.y() - remoteY)).isLessThan(4.5f);

        // a write from the killed node's state is refused: its claim is older than the survivor's
        long epochAfter = epoch(remote);
        assertThat(epochAfter).isGreaterThan(epochBefore);
        try (mmo.server.persistence.Database db = mmo.server.persistence.Database.open(PG + "&currentSchema=" + schema)) {
            var repo = new mmo.server.persistence.CharacterRepository(db);
            var fenced = repo.saveStates(List.of(new mmo.server.persistence.CharacterState(remote.characterId, epochBefore,
                    "Aldoria", 1f, 1f)));
            assertThat(fenced).as("the stale write is rejected").hasSize(1);
        }
        assertThat(savedY(remote)).as("and changed nothing").isGreaterThan(60f);
    }

    @Test
    void aJoiningNodeTakesOverRegionsWithoutDisconnectingAnyone() throws Exception {
        startCluster(3);
        List<Player> players = new ArrayList<>();
        int i = 0;
        for (CharacterClass cls : List.of(CharacterClass.WARRIOR, CharacterClass.MAGE, CharacterClass.RANGER, CharacterClass.HEALER)) {
            players.add(new Player(nodes.get(i++ % 3), "Stay" + cls.name().substring(0, 3), cls));
        }
        players.add(new Player(nodes.get(1), "Roamer", CharacterClass.WARRIOR, StartChoice.START_RANDOM, null));
        for (Player p : players) p.acked();

        Node fourth = new Node("node4", freePort(), freePort(), nodes.get(0).clusterPort);
        nodes.add(fourth);
        fourth.ready.get(TIMEOUT_S, TimeUnit.SECONDS);
        String fourthAddress = fourth.address();
        await("the new node owns a shard", () -> {
            try {
                return owners(nodes.get(0)).values().stream().filter(fourthAddress::equals).count() >= 4
                        && owners(fourth).equals(owners(nodes.get(0)));
            } catch (Exception e) {
                return false;
            }
        });
        // every shard has a player, so somebody now lives on the new node; nobody noticed
        String fourthName = fourthAddress.substring(fourthAddress.indexOf('@') + 1);
        await("someone handed to the new node", () -> players.stream().anyMatch(p -> p.ownerNode().equals(fourthName)));
        for (Player p : players) {
            p.acked();
            assertThat(p.client.isOpen()).as(p.name + " still connected").isTrue();
            assertThat(p.client.closed()).isNotDone();
        }
    }

    /**
     * A border between two nodes where a class's home lies on the near side, in coordinates
     * along and across it: the rangers' (y = 128, left half: regions 4 and 5 above, 8 and 9
     * below) or the mages' (x = 128, bottom half: regions 9 and 13 left, 10 and 14 right).
     * {@code wolfAlong}: where the test's wolf lives, {@link #WOLF_ACROSS} beyond the border,
     * away from the home (out of its notice range of players standing there).
     */
    record Crossing(CharacterClass cls, boolean acrossIsY, int nearRegion, int farRegion, float wolfAlong) {
        float along(Player p) {
            return acrossIsY ? p.x() : p.y();
        }

        float across(Player p) {
            return acrossIsY ? p.y() : p.x();
        }

        float along(mmo.client.RemoteEntity e) {
            return acrossIsY ? e.x() : e.y();
        }

        float across(mmo.client.RemoteEntity e) {
            return acrossIsY ? e.y() : e.x();
        }

        void walkAcross(Player p, BooleanSupplier until) throws InterruptedException {
            p.walkUntil(acrossIsY ? 0 : 1, acrossIsY ? 1 : 0, until);
        }

        void walkAlong(Player p, BooleanSupplier until) throws InterruptedException {
            p.walkUntil(acrossIsY ? 1 : 0, acrossIsY ? 0 : 1, until);
        }

        void walkTo(Player p, float along, float across) throws Exception {
            if (acrossIsY) p.walkTo(along, across);
            else p.walkTo(across, along);
        }
    }

    static final int WOLF_ACROSS = SHARD + 4;
    static final Crossing RANGERS = new Crossing(CharacterClass.RANGER, true, 4, 8, 80);
    static final Crossing MAGES = new Crossing(CharacterClass.MAGE, false, 9, 10, 210);

    /** The shipped content with spawns for the test map: one wolf beyond each crossing's border. */
    Path contentWithWolves() throws Exception {
        // keyed by the map's file name (field.tmj)
        return TestServer.shippedContent(dir, """
                spawns {
                  field = [
                    { creature = wolf, x = %d, y = %d, radius = 1, count = 1 }
                    { creature = wolf, x = %d, y = %d, radius = 1, count = 1 }
                  ]
                }
                """.formatted((int) RANGERS.wolfAlong(), WOLF_ACROSS, WOLF_ACROSS, (int) MAGES.wolfAlong()));
    }

    /** Gives a character items (bag slots 0..) and gold in the database, as the ledger writes them. */
    void give(long characterId, long gold, String... kinds) throws Exception {
        try (mmo.server.persistence.Database db = mmo.server.persistence.Database.open(PG + "&currentSchema=" + schema)) {
            List<mmo.server.persistence.Ledger.NewItem> items = new ArrayList<>();
            for (int i = 0; i < kinds.length; i++) {
                items.add(new mmo.server.persistence.Ledger.NewItem(kinds[i], mmo.server.persistence.ItemPlace.BAG, i));
            }
            new mmo.server.persistence.InventoryRepository(db).create(characterId, 0, items, gold);
        }
    }

    /** Every item in the database as "kind@owner:place", sorted. */
    List<String> itemRows() {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PG); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT kind, character_id, place FROM " + schema + ".items")) {
            while (rs.next()) rows.add(rs.getString(1) + "@" + rs.getLong(2) + ":" + rs.getString(3));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        rows.sort(null);
        return rows;
    }

    long column(Player p, String column) {
        try (Connection c = DriverManager.getConnection(PG); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT " + column + " FROM " + schema + ".characters WHERE id = " + p.characterId)) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<String> bag(Player p) {
        return p.client.inventory().getBagList().stream().map(s -> s.getItem().getKind()).sorted().toList();
    }

    static int slotOf(Player p, String kind) {
        return p.client.inventory().getBagList().stream().filter(s -> s.getItem().getKind().equals(kind))
                .mapToInt(mmo.protocol.BagSlot::getSlot).findFirst().orElseThrow(() -> new AssertionError(p.name + " holds no " + kind));
    }

    static mmo.protocol.TradeAction offer(long gold, int... slots) {
        mmo.protocol.TradeOffer.Builder o = mmo.protocol.TradeOffer.newBuilder().setGold(gold);
        for (int s : slots) o.addBagSlots(s);
        return mmo.protocol.TradeAction.newBuilder().setOffer(o).build();
    }

    static void awaitTrade(Player p, mmo.protocol.TradeStatus status) throws InterruptedException {
        await(p.name + "'s trade " + status, () -> p.client.tradeState().getStatus() == status);
    }

    static List<EntityEvent> events(Player p, int entity) {
        return p.updates.stream().flatMap(u -> u.getEventsList().stream()).filter(e -> e.getId() == entity).toList();
    }

    /**
     * Two players on either side of a border between two nodes trade (one transaction in
     * PostgreSQL; a disconnect mid-trade moves nothing), then one of them kills a wolf simulated
     * by the other node from its side: it sees the hits and the death (events in the ghost
     * batches), gets the experience, sees the loot, and picks it up after stepping over.
     */
    @Test
    void tradeAndCombatAcrossANodeBorder() throws Exception {
        try {
            tradeAndCombat();
        } catch (AssertionError e) {
            StringBuilder logs = new StringBuilder();
            for (Node n : nodes) logs.append("\n---- ").append(n.name).append(" (last 60 lines)\n").append(tail(n.output, 60));
            throw new AssertionError(e.getMessage() + logs, e);
        }
    }

    static String tail(CharSequence text, int lines) {
        String[] all = text.toString().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    private void tradeAndCombat() throws Exception {
        startCluster(3, "--content", contentWithWolves().toString());
        Map<String, String> owners = owners(nodes.get(0));
        // of the rangers' and the mages' borders at least one lies between two nodes: three nodes
        // own the four shards, so at most one inner border has the same node on both sides
        Crossing c = !owners.get(String.valueOf(RANGERS.nearRegion())).equals(owners.get(String.valueOf(RANGERS.farRegion())))
                ? RANGERS : MAGES;
        assertThat(owners.get(String.valueOf(c.nearRegion()))).as("a border between two nodes: " + owners)
                .isNotEqualTo(owners.get(String.valueOf(c.farRegion())));

        // items and gold in the database before they enter, as the ledger writes them
        Player hunter = new Player(nodes.get(0), "Hunter", c.cls(), StartChoice.START_HOME, null,
                id -> give(id, 100, "rusty-sword", "wolf-pelt"));
        Player peddler = new Player(nodes.get(1), "Peddler", c.cls(), StartChoice.START_HOME, null,
                id -> give(id, 10, "leather-cap"));
        int hunterId = hunter.entered.getEntityId(), peddlerId = peddler.entered.getEntityId();
        await("both told who simulates them", () -> !hunter.ownerNode().isEmpty() && !peddler.ownerNode().isEmpty());
        String nearNode = hunter.ownerNode();
        assertThat(hunter.client.inventory().getGold()).isEqualTo(100);

        // the hunter stays just this side of the border, the peddler steps over it
        c.walkAcross(hunter, () -> c.across(hunter) > SHARD - 1.5f);
        c.walkAcross(peddler, () -> c.across(peddler) > SHARD + 2);
        hunter.acked();
        peddler.acked();
        assertThat(c.across(hunter)).isLessThan(SHARD);
        await("the peddler simulated by the other node", () -> !peddler.ownerNode().equals(nearNode));
        assertThat(hunter.ownerNode()).isEqualTo(nearNode);
        await("each sees the other across the border", () -> hunter.client.snapshot().entities().containsKey(peddlerId)
                && peddler.client.snapshot().entities().containsKey(hunterId));

        // --- a trade across the border, hosted by the hunter's node
        List<String> itemsBefore = itemRows();
        assertThat(itemsBefore).containsExactly("leather-cap@" + peddler.characterId + ":B",
                "rusty-sword@" + hunter.characterId + ":B", "wolf-pelt@" + hunter.characterId + ":B");
        hunter.client.trade(mmo.protocol.TradeAction.newBuilder().setInvite(peddlerId).build());
        awaitTrade(peddler, mmo.protocol.TradeStatus.INVITED);
        assertThat(peddler.client.tradeState().getPartner()).isEqualTo("Hunter");
        peddler.client.trade(mmo.protocol.TradeAction.newBuilder().setAccept(true).build());
        awaitTrade(hunter, mmo.protocol.TradeStatus.OPEN);
        awaitTrade(peddler, mmo.protocol.TradeStatus.OPEN);
        hunter.client.trade(offer(30, slotOf(hunter, "rusty-sword")));
        peddler.client.trade(offer(10, slotOf(peddler, "leather-cap")));
        // both offers in before anyone confirms (a new offer clears the confirmations)
        await("both offers seen by both", () -> hunter.client.tradeState().getTheirsCount() == 1
                && peddler.client.tradeState().getTheirsCount() == 1
                && hunter.client.tradeState().getMineCount() == 1 && peddler.client.tradeState().getMineCount() == 1);
        assertThat(hunter.client.tradeState().getTheirs(0).getKind()).isEqualTo("leather-cap");
        assertThat(hunter.client.tradeState().getTheirGold()).isEqualTo(10);
        assertThat(peddler.client.tradeState().getTheirs(0).getKind()).isEqualTo("rusty-sword");
        assertThat(peddler.client.tradeState().getTheirGold()).isEqualTo(30);
        hunter.client.trade(mmo.protocol.TradeAction.newBuilder().setConfirm(true).build());
        peddler.client.trade(mmo.protocol.TradeAction.newBuilder().setConfirm(true).build());
        awaitTrade(hunter, mmo.protocol.TradeStatus.DONE);
        awaitTrade(peddler, mmo.protocol.TradeStatus.DONE);
        await("both inventories after the trade", () -> bag(hunter).equals(List.of("leather-cap", "wolf-pelt"))
                && hunter.client.inventory().getGold() == 80
                && bag(peddler).equals(List.of("rusty-sword")) && peddler.client.inventory().getGold() == 30);
        // one transaction: each item exactly once, with its new owner; the gold conserved
        List<String> itemsTraded = itemRows();
        assertThat(itemsTraded).containsExactly("leather-cap@" + hunter.characterId + ":B",
                "rusty-sword@" + peddler.characterId + ":B", "wolf-pelt@" + hunter.characterId + ":B");
        assertThat(column(hunter, "gold")).isEqualTo(80);
        assertThat(column(peddler, "gold")).isEqualTo(30);
        assertThat(column(hunter, "gold") + column(peddler, "gold")).as("gold conserved").isEqualTo(100 + 10);

        // --- a trade hosted by the peddler's node, whose client disconnects before confirming
        peddler.client.trade(mmo.protocol.TradeAction.newBuilder().setInvite(hunterId).build());
        awaitTrade(hunter, mmo.protocol.TradeStatus.INVITED);
        hunter.client.trade(mmo.protocol.TradeAction.newBuilder().setAccept(true).build());
        awaitTrade(peddler, mmo.protocol.TradeStatus.OPEN);
        hunter.client.trade(offer(50, slotOf(hunter, "leather-cap")));
        peddler.client.trade(offer(30, slotOf(peddler, "rusty-sword")));
        await("both offers seen by both", () -> hunter.client.tradeState().getTheirsCount() == 1
                && peddler.client.tradeState().getTheirsCount() == 1
                && hunter.client.tradeState().getMineCount() == 1 && peddler.client.tradeState().getMineCount() == 1);
        hunter.client.trade(mmo.protocol.TradeAction.newBuilder().setConfirm(true).build());
        await("the hunter's confirmation reached the peddler", () -> peddler.client.tradeState().getTheirConfirm());
        peddler.client.close();
        awaitTrade(hunter, mmo.protocol.TradeStatus.CANCELLED);
        assertThat(hunter.client.tradeState().getReason()).isEqualTo("Peddler left");
        await("the peddler out of the world", () -> !hunter.client.snapshot().entities().containsKey(peddlerId));
        assertThat(itemRows()).as("nothing moved").isEqualTo(itemsTraded);
        assertThat(column(hunter, "gold")).isEqualTo(80);
        assertThat(column(peddler, "gold")).isEqualTo(30);
        assertThat(bag(hunter)).containsExactly("leather-cap", "wolf-pelt");
        assertThat(hunter.client.inventory().getGold()).isEqualTo(80);
        // the cap it offered is free again: it can wear it
        hunter.client.equip(slotOf(hunter, "leather-cap"));
        await("the cap worn", () -> hunter.client.inventory().getWornList().stream()
                .anyMatch(w -> w.getItem().getKind().equals("leather-cap")));

        // --- combat: the hunter walks along the border to face the wolf beyond it
        c.walkAlong(hunter, () -> c.along(hunter) > c.wolfAlong());
        hunter.acked();
        assertThat(c.across(hunter)).isLessThan(SHARD);
        assertThat(hunter.ownerNode()).as("still on its side").isEqualTo(nearNode);
        int wolfId = awaitValue("the wolf beyond the border in view", () -> hunter.client.snapshot().entities().values().stream()
                .filter(e -> e.kind() == EntityKind.ENTITY_CREATURE && c.across(e) > SHARD).findFirst().map(e -> e.id()));
        long xpBefore = hunter.client.stats().getXp();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        int shots = 0;
        while (events(hunter, wolfId).stream().noneMatch(EntityEvent::hasDeath)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the wolf did not die; events " + events(hunter, wolfId) + ", errors " + hunter.errors);
            }
            hunter.client.useAbility(wolfId); // refused while the ability cools down
            shots++;
            Thread.sleep(250); // the player's click rate; the loop waits for the death
        }
        assertThat(events(hunter, wolfId)).as("hits on the wolf, simulated by the other node")
                .filteredOn(EntityEvent::hasHit).isNotEmpty()
                .allSatisfy(e -> {
                    assertThat(e.getHit().getSource()).isEqualTo(hunterId);
                    assertThat(e.getHit().getAmount()).isPositive();
                });
        assertThat(events(hunter, wolfId)).filteredOn(EntityEvent::hasDeath)
                .singleElement().satisfies(e -> assertThat(e.getDeath().getKiller()).isEqualTo(hunterId));
        assertThat(hunter.errors).as("no refusal but the cooldown")
                .allSatisfy(e -> assertThat(e.getMessage()).endsWith("is not ready"));
        // the experience came back to the hunter's node, and was written
        await("experience for the kill", () -> hunter.client.stats().getXp() > xpBefore);
        long xp = hunter.client.stats().getXp();
        await("the experience in PostgreSQL", () -> column(hunter, "xp") == xp);

        // the loot lies beyond the border: seen, refused from here, taken after stepping over
        mmo.client.RemoteEntity gold = awaitValue("the wolf's gold in view", () -> hunter.client.snapshot().entities().values().stream()
                .filter(e -> e.kind() == EntityKind.ENTITY_LOOT && e.game().gold() > 0).findFirst());
        assertThat(c.across(gold)).as("on the wolf's side").isGreaterThanOrEqualTo(SHARD);
        assertThatThrownBy(() -> hunter.client.pickUp(gold.id()).get(TIMEOUT_S, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ServerError.class)
                .hasMessageContaining("step closer");
        c.walkTo(hunter, c.along(gold), Math.max(c.across(gold), SHARD + 1.5f));
        await("the hunter simulated by the wolf's node", () -> !hunter.ownerNode().equals(nearNode));
        hunter.client.pickUp(gold.id());
        long purse = 80 + gold.game().gold();
        await("the gold in the purse", () -> hunter.client.inventory().getGold() == purse);
        await("and in PostgreSQL", () -> column(hunter, "gold") == purse);
        System.out.printf("ClusterIT: %s across the border: %d shots, %d xp, %d gold picked up%n", c.cls(), shots, xp,
                gold.game().gold());
    }

    /** Polls {@code value} until it is present. */
    static <T> T awaitValue(String what, java.util.function.Supplier<java.util.Optional<T>> value) throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<T> found = new java.util.concurrent.atomic.AtomicReference<>();
        await(what, () -> {
            value.get().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    float savedY(Player p) {
        try (Connection c = DriverManager.getConnection(PG); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT y FROM " + schema + ".characters WHERE id = " + p.characterId)) {
            return rs.next() ? rs.getFloat(1) : Float.NaN;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    long epoch(Player p) {
        try (Connection c = DriverManager.getConnection(PG); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT epoch FROM " + schema + ".characters WHERE id = " + p.characterId)) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The browser client's HUD says which node simulates the region it stands in, and changes at a handoff. */
    @Test
    void theBrowserShowsWhichNodeSimulatesItsRegionAndAHandoff() throws Exception {
        startCluster(3);
        Map<String, String> owners = owners(nodes.get(0));
        String cls = !owners.get("1").equals(owners.get("2")) ? "warrior" : "mage";
        org.openqa.selenium.chrome.ChromeOptions options = new org.openqa.selenium.chrome.ChromeOptions();
        options.setBinary(System.getProperty("mmo.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")));
        var service = new org.openqa.selenium.chrome.ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File(System.getProperty("mmo.chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        org.openqa.selenium.WebDriver browser = new org.openqa.selenium.chrome.ChromeDriver(service, options);
        try {
            var js = (org.openqa.selenium.JavascriptExecutor) browser;
            java.util.function.Function<String, Object> debug = key -> js.executeScript("return window.__mmo ? window.__mmo['" + key + "'] : null;");
            var wait = new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(TIMEOUT_S));
            browser.get("http://127.0.0.1:" + nodes.get(0).port + "/");
            wait.until(d -> "login".equals(debug.apply("state")));
            browser.findElement(org.openqa.selenium.By.id("username")).sendKeys("browsy");
            browser.findElement(org.openqa.selenium.By.id("password")).sendKeys("password-browsy");
            browser.findElement(org.openqa.selenium.By.id("register-btn")).click();
            wait.until(d -> "characters".equals(debug.apply("state")));
            browser.findElement(org.openqa.selenium.By.id("new-char-btn")).click();
            browser.findElement(org.openqa.selenium.By.id("char-name")).sendKeys("Browsy");
            new org.openqa.selenium.support.ui.Select(browser.findElement(org.openqa.selenium.By.id("char-class"))).selectByValue(cls);
            browser.findElement(org.openqa.selenium.By.id("start-home")).click();
            browser.findElement(org.openqa.selenium.By.id("create-btn")).click();
            wait.until(d -> !d.findElements(org.openqa.selenium.By.cssSelector("#char-list .char-entry[data-name='Browsy']")).isEmpty());
            browser.findElement(org.openqa.selenium.By.cssSelector("#char-list .char-entry[data-name='Browsy']")).click();
            wait.until(d -> !String.valueOf(debug.apply("node")).isEmpty() && debug.apply("node") != null);
            String before = String.valueOf(debug.apply("node"));
            var hud = browser.findElement(org.openqa.selenium.By.id("hud-node"));
            assertThat(hud.isDisplayed()).as("the Node row shows in cluster mode").isTrue();
            assertThat(hud.getText()).contains(before).contains("region 1,");

            browser.findElement(org.openqa.selenium.By.id("game")).click();
            new org.openqa.selenium.interactions.Actions(browser).keyDown("d").perform();
            wait.until(d -> ((Number) debug.apply("handoffs")).intValue() >= 1);
            new org.openqa.selenium.interactions.Actions(browser).keyUp("d").perform();
            String after = String.valueOf(debug.apply("node"));
            assertThat(after).as("simulated by another node after the border").isNotEqualTo(before);
            wait.until(d -> d.findElement(org.openqa.selenium.By.id("hud-node")).getText().contains(after));
            assertThat(browser.findElement(org.openqa.selenium.By.id("hud-node")).getText()).contains("region 2,");
            assertThat(String.valueOf(debug.apply("state"))).isEqualTo("world");
            Path out = Path.of(System.getProperty("mmo.screenshots", "target/screenshots"));
            Files.createDirectories(out);
            java.io.File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(org.openqa.selenium.OutputType.FILE);
            Files.copy(shot.toPath(), out.resolve("browser-cluster.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.quit();
        }
    }
}

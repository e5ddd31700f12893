package mmo.app;

import mmo.client.ClientOptions;
import mmo.client.MmoClient;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.CreateCharacter;
import mmo.protocol.Outfit;
import mmo.protocol.StartChoice;
import mmo.server.MmoServer;
import mmo.server.config.ServerConfig;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A real server in this JVM (real sockets, a real SQLite file) whose tick the test steps by
 * hand: {@link #tickUntil} runs one tick at a time and waits for the watched clients to
 * receive it, so no test depends on timing.
 */
final class TestServer implements AutoCloseable {
    static final long TIMEOUT_S = 20;
    final MmoServer server;
    /** Every client {@link #connect} made, closed with the server. */
    private final java.util.List<MmoClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

    private TestServer(MmoServer server) {
        this.server = server;
    }

    static TestServer start(Path db) throws InterruptedException {
        return start("jdbc:sqlite:" + db, Map.of());
    }

    static TestServer start(String dbUrl, Map<String, Object> extra) throws InterruptedException {
        return start(dbUrl, extra, java.time.Clock.systemUTC());
    }

    /** As above, with the clock bans and mutes end by (a test moves it instead of waiting). */
    static TestServer start(String dbUrl, Map<String, Object> extra, java.time.Clock clock) throws InterruptedException {
        Map<String, Object> cfg = new HashMap<>(Map.of(
                "mmo.net.port", 0,
                "mmo.net.host", "127.0.0.1",
                "mmo.db.url", dbUrl,
                "mmo.tick.manual", true));
        cfg.putAll(extra);
        return new TestServer(MmoServer.start(ServerConfig.defaults(cfg), clock));
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws");
    }

    /** A client connected to this server; {@link #close} closes it. */
    MmoClient connect() throws Exception {
        MmoClient c = MmoClient.connect(uri(), ClientOptions.builder().clientName("e2e-test").build())
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        clients.add(c);
        return c;
    }

    /** Ticks once and waits until every watcher has received that tick's update. */
    void tick(MmoClient... watchers) throws Exception {
        server.tick();
        int t = server.world().currentTick();
        for (MmoClient c : watchers) c.awaitTick(t).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Ticks until {@code condition} holds (checked after each tick), at most {@code maxTicks}. */
    int tickUntil(BooleanSupplier condition, int maxTicks, MmoClient... watchers) throws Exception {
        for (int i = 1; i <= maxTicks; i++) {
            tick(watchers);
            if (condition.getAsBoolean()) return i;
        }
        throw new AssertionError("condition not met within " + maxTicks + " ticks");
    }

    static CreateCharacter character(String name, CharacterClass cls, int topColor) {
        return CreateCharacter.newBuilder()
                .setName(name)
                .setCharacterClass(cls)
                .setStart(StartChoice.START_HOME)
                .setAppearance(Appearance.newBuilder()
                        .setBody(1).setSkinColor(0xC68642).setHairColor(0x2C1B10).setHairStyle(2)
                        .setOutfit(Outfit.newBuilder().setTop(1).setTopColor(topColor).setBottom(0)
                                .setBottomColor(0x333366).setShoesColor(0x442200).setHat(2).setHatColor(0xAA0000)))
                .build();
    }

    /**
     * Ticks until {@code future} completes (for replies the tick produces, like entering the
     * world or a chat echo) and returns its value. Correctness rests on the future, not on time:
     * the short wait between ticks only keeps the loop from spinning.
     */
    <T> T tickUntilDone(CompletableFuture<T> future) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (System.nanoTime() < deadline) {
            server.tick();
            try {
                return future.get(2, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                // tick again
            }
        }
        return future.get(1, TimeUnit.MILLISECONDS);
    }

    /** Registers, creates a character and enters the world with it. */
    CharacterSummary play(MmoClient c, String user, String name, CharacterClass cls) throws Exception {
        c.register(user, "password-" + user).get(TIMEOUT_S, TimeUnit.SECONDS);
        CharacterSummary s = c.createCharacter(character(name, cls, 0x118811)).get(TIMEOUT_S, TimeUnit.SECONDS);
        tickUntilDone(c.enterWorld(s.getId()));
        return s;
    }

    /**
     * A copy of the content shipped with the server in {@code dir}/content, with
     * {@code spawnsConf} as its spawns.conf (null: the shipped one), for {@code --content} or
     * {@code mmo.world.content}.
     */
    static java.nio.file.Path shippedContent(java.nio.file.Path dir, String spawnsConf) throws java.io.IOException {
        java.nio.file.Path content = java.nio.file.Files.createDirectories(dir.resolve("content"));
        for (String f : mmo.server.game.content.Content.FILES) {
            try (var in = TestServer.class.getResourceAsStream("/content/" + f)) {
                if (in == null) throw new IllegalStateException("content/" + f + " is not on the classpath");
                java.nio.file.Files.write(content.resolve(f), in.readAllBytes());
            }
        }
        if (spawnsConf != null) java.nio.file.Files.writeString(content.resolve("spawns.conf"), spawnsConf);
        return content;
    }

    @Override
    public void close() {
        clients.forEach(MmoClient::close);
        server.close();
    }
}

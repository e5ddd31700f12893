package mmo.app;

import mmo.client.MmoClient;
import mmo.client.ServerError;
import mmo.protocol.AdminFeed;
import mmo.protocol.AdminPlayer;
import mmo.protocol.AdminResult;
import mmo.protocol.CharacterClass;
import mmo.protocol.ChatChannel;
import mmo.protocol.ErrorCode;
import mmo.protocol.ServerMessage;
import mmo.server.moderation.ModerationService;
import mmo.server.persistence.Database;
import mmo.server.persistence.ModerationRepository;
import mmo.server.persistence.MutableClock;
import mmo.server.world.Player;
import mmo.server.world.map.TileMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin dashboard's feed and teleport over real WebSockets against a real server (manual
 * ticks) on a real SQLite file: an admin made with {@code mmo admin grant} watches the feed;
 * a player without the role is refused.
 */
class AdminDashboardTest {
    @TempDir
    Path dir;
    TestServer server;
    String dbUrl;
    /** The server's clock, which the feed's role re-checks go by: moved by the test, never waited for. */
    final MutableClock clock = new MutableClock(java.time.Instant.now());

    @BeforeEach
    void start() throws Exception {
        dbUrl = "jdbc:sqlite:" + dir.resolve("mmo.db");
        server = TestServer.start(dbUrl, Map.of(), clock);
    }

    @AfterEach
    void stop() {
        server.close(); // and the clients it connected
    }

    MmoClient client() throws Exception {
        return server.connect();
    }

    /** Registers "boss" (no character: an admin need not play) and grants it the role with the CLI. */
    MmoClient admin() throws Exception {
        MmoClient boss = client();
        boss.register("boss", "password-boss").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(new CommandLine(new Main()).execute("admin", "grant", "boss", "--db", dbUrl)).isEqualTo(0);
        return boss;
    }

    static ServerError serverError(CompletableFuture<?> f) throws Exception {
        try {
            f.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ServerError se) return se;
            throw e;
        }
        throw new AssertionError("did not fail");
    }

    @Test
    void theFeedShowsEveryPlayerRegionTickTimesHistoryAndChat() throws Exception {
        MmoClient ann = client(), bob = client();
        server.play(ann, "ann", "Annie", CharacterClass.WARRIOR);
        server.play(bob, "bob", "Bobby", CharacterClass.MAGE);
        MmoClient boss = admin();
        ann.worldChat("hello before the admin came");
        server.tickUntilDone(ann.nextChat(c -> c.getText().equals("hello before the admin came")));

        AdminFeed first = server.tickUntilDone(boss.watchAdminFeed());
        assertThat(first.getFullHistory()).isTrue();
        assertThat(first.getOnlineList()).isNotEmpty();
        assertThat(first.getSampleIntervalS()).isEqualTo(10); // one sample at the first tick, then every 10 s
        assertThat(first.getChatList()).anySatisfy(line -> {
            assertThat(line.getFrom()).isEqualTo("Annie");
            assertThat(line.getAccount()).isEqualTo("ann");
            assertThat(line.getChannel()).isEqualTo(ChatChannel.WORLD);
            assertThat(line.getText()).isEqualTo("hello before the admin came");
        });
        assertThat(first.getPlayersList()).extracting(AdminPlayer::getName).containsExactlyInAnyOrder("Annie", "Bobby");
        var world = server.server.world();
        Player annie = world.playerByName("Annie");
        AdminPlayer a = first.getPlayersList().stream().filter(p -> p.getName().equals("Annie")).findFirst().orElseThrow();
        assertThat(a.getAccount()).isEqualTo("ann");
        assertThat(a.getEntityId()).isEqualTo(annie.id());
        assertThat(a.getRegion()).isEqualTo(world.regionIndex(annie.x(), annie.y()));
        assertThat(first.getWorldsList()).singleElement().satisfies(w -> {
            assertThat(w.getName()).isEqualTo(world.name());
            assertThat(w.getPlayers()).isEqualTo(2);
            assertThat(w.getMap()).isEqualTo("/" + world.map().resourcePath());
            assertThat(w.getTimeDilation()).isEqualTo(1f);
            assertThat(w.getTickP99Ms()).isGreaterThan(0f);
            assertThat(w.getRegionCols() * w.getRegionRows()).isEqualTo(first.getRegionsCount());
        });
        // the regions with players were stepped, and timed (at least 1 µs each)
        assertThat(first.getRegionsList()).filteredOn(r -> r.getPlayers() > 0)
                .isNotEmpty().allSatisfy(r -> assertThat(r.getLastUs()).isPositive());
        assertThat(first.getRegionsList().stream().mapToInt(r -> r.getPlayers()).sum()).isEqualTo(2);

        // later feeds: only what is new — a chat line said since
        CompletableFuture<ServerMessage> next = boss.nextMessage(m -> m.hasAdminFeed() && m.getAdminFeed().getChatCount() > 0);
        bob.say("hi from Bobby");
        AdminFeed later = server.tickUntilDone(next).getAdminFeed();
        assertThat(later.getFullHistory()).isFalse();
        assertThat(later.getChatList()).singleElement().satisfies(line -> {
            assertThat(line.getFrom()).isEqualTo("Bobby");
            assertThat(line.getAccount()).isEqualTo("bob");
            assertThat(line.getChannel()).isEqualTo(ChatChannel.SAY);
        });
    }

    @Test
    void aPlayerWithoutTheRoleCannotWatchNorTeleport() throws Exception {
        MmoClient ann = client(), bob = client();
        server.play(ann, "ann", "Annie", CharacterClass.WARRIOR);
        server.play(bob, "bob", "Bobby", CharacterClass.WARRIOR);
        ServerError watch = serverError(ann.watchAdminFeed());
        assertThat(watch.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(server.server.dashboard().watchers()).isZero();
        Player bobby = server.server.world().playerByName("Bobby");
        float x = bobby.x(), y = bobby.y();
        assertThat(serverError(ann.teleport("Bobby", x + 1, y)).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        server.tick();
        assertThat(bobby.x()).isEqualTo(x);
        assertThat(ann.isOpen()).isTrue();
    }

    @Test
    void revokingTheRoleStopsAnOpenFeedAndRefusesTheNextWatch() throws Exception {
        MmoClient boss = admin();
        server.tickUntilDone(boss.watchAdminFeed());
        assertThat(server.server.dashboard().watchers()).isOne();

        CompletableFuture<ServerMessage> refused = boss.nextMessage(m -> m.hasError()
                && m.getError().getCode() == ErrorCode.PERMISSION_DENIED);
        assertThat(new CommandLine(new Main()).execute("admin", "revoke", "boss", "--db", dbUrl)).isEqualTo(0);
        // the feeds' re-checks answer from the last role read until it is 5 s old (ModerationServiceTest): then one reads again
        clock.advance(java.time.Duration.ofMillis(ModerationService.ROLE_RECHECK_MILLIS));
        server.tickUntilDone(refused);
        assertThat(server.server.dashboard().watchers()).isZero();
        boss.ping().get(TIMEOUT_S, TimeUnit.SECONDS); // a feed handed over while it was refused has arrived by now
        CompletableFuture<ServerMessage> anotherFeed = boss.nextMessage(ServerMessage::hasAdminFeed);
        for (int i = 0; i < 3 * mmo.server.admin.Dashboard.FEED_EVERY_TICKS; i++) server.tick();
        boss.ping().get(TIMEOUT_S, TimeUnit.SECONDS); // anything sent before the pong's answer has arrived
        assertThat(anotherFeed).isNotDone();

        assertThat(serverError(boss.watchAdminFeed()).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(server.server.dashboard().watchers()).isZero();
        assertThat(boss.isOpen()).isTrue();
    }

    @Test
    void teleportMovesThePlayerToAWalkableSpotOnlyAndIsAudited() throws Exception {
        MmoClient bob = client();
        server.play(bob, "bob", "Bobby", CharacterClass.WARRIOR);
        MmoClient boss = admin();
        var world = server.server.world();
        TileMap map = world.map();
        Player bobby = world.playerByName("Bobby");
        float[] open = find(map, true, bobby.x(), bobby.y()), wall = find(map, false, bobby.x(), bobby.y());

        AdminResult r = server.tickUntilDone(boss.teleport("bobby", open[0], open[1]));
        assertThat(r.getMessage()).startsWith("Teleported Bobby to (");
        assertThat(bobby.x()).isEqualTo(open[0]);
        assertThat(bobby.y()).isEqualTo(open[1]);
        // its own client sees where it is now
        server.tickUntil(() -> Math.abs(bob.view().x() - open[0]) < 0.1f && Math.abs(bob.view().y() - open[1]) < 0.1f, 20);

        ServerError intoWall = serverError(tickWhile(boss.teleport("Bobby", wall[0], wall[1])));
        assertThat(intoWall.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(intoWall.serverMessage()).contains("not a walkable spot");
        ServerError offMap = serverError(tickWhile(boss.teleport("Bobby", -50, map.height() + 50)));
        assertThat(offMap.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(serverError(tickWhile(boss.teleport("Nobody", open[0], open[1]))).code()).isEqualTo(ErrorCode.NO_SUCH_CHARACTER);
        assertThat(bobby.x()).isEqualTo(open[0]);

        try (Database db = Database.open(dbUrl)) {
            List<ModerationRepository.AuditEntry> log = new ModerationRepository(db).auditLog(10);
            assertThat(log).extracting(ModerationRepository.AuditEntry::action).containsOnly("TELEPORT");
            assertThat(log).anySatisfy(row -> assertThat(row.outcome()).startsWith("done: to ("));
            assertThat(log).anySatisfy(row -> assertThat(row.outcome()).startsWith("refused: (").contains("not a walkable spot"));
        }
    }

    /** Ticks until {@code f} is done either way, and returns it. */
    <T> CompletableFuture<T> tickWhile(CompletableFuture<T> f) throws Exception {
        try {
            server.tickUntilDone(f);
        } catch (java.util.concurrent.ExecutionException expected) {
            // the caller looks at the failure
        }
        return f;
    }

    /** The centre of the nearest tile to (x, y) that is walkable ({@code walkable}) or a wall. */
    static float[] find(TileMap map, boolean walkable, float x, float y) {
        for (int r = 2; r < Math.max(map.width(), map.height()); r++) {
            for (int dy = -r; dy <= r; dy++) {
                for (int dx = -r; dx <= r; dx++) {
                    int tx = (int) x + dx, ty = (int) y + dy;
                    if (tx < 0 || ty < 0 || tx >= map.width() || ty >= map.height()) continue;
                    if (map.isBlocked(tx, ty) != walkable) return new float[]{tx + 0.5f, ty + 0.5f};
                }
            }
        }
        throw new AssertionError("no such tile");
    }
}

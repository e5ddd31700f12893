package mmo.app;

import mmo.client.ClientListener;
import mmo.client.ClientOptions;
import mmo.client.LeanView;
import mmo.client.MmoClient;
import mmo.client.WorldView;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ErrorCode;
import mmo.protocol.LoginOk;
import mmo.client.ServerError;
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
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client's lean mode against the real server: lean and full clients walk among each other
 * in a small square, and after every tick each one's own state and visible set must equal what
 * the server holds; lean and full clients of the same spot agree on their counts. Also the bot
 * fleet's login over a socket.
 */
class LeanModeTest {
    static final String KEY = "lean-mode-test-key-0123456789";

    @TempDir Path dir;

    private TestServer server(String key) throws InterruptedException {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("mmo.bots.spawn", "square:500,500,12");
        if (key != null) cfg.put("mmo.bots.key", key);
        return TestServer.start("jdbc:sqlite:" + dir.resolve("lean.db"), cfg);
    }

    private static MmoClient connect(TestServer ts, boolean track, ClientListener listener) throws Exception {
        return MmoClient.connect(ts.uri(), ClientOptions.builder().trackWorld(track).listener(listener).build())
                .get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
    }

    private static CharacterSummary character(MmoClient c, LoginOk ok, int i) throws Exception {
        if (ok.getCharactersCount() > 0) return ok.getCharacters(0);
        return c.createCharacter(TestServer.character("Bot" + i, CharacterClass.RANGER, 0x336699))
                .get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Test
    void leanAndFullClientsSeeWhatTheServerHolds() throws Exception {
        try (TestServer ts = server(KEY)) {
            List<MmoClient> lean = new ArrayList<>(), full = new ArrayList<>();
            AtomicInteger leanUpdates = new AtomicInteger();
            AtomicInteger fullUpdatesSeenByLean = new AtomicInteger();
            ClientListener countLean = new ClientListener() {
                @Override
                public void onLeanUpdate(LeanView view) {
                    leanUpdates.incrementAndGet();
                }

                @Override
                public void onWorldUpdate(mmo.protocol.WorldUpdate update, WorldView view) {
                    fullUpdatesSeenByLean.incrementAndGet();
                }
            };
            for (int i = 0; i < 8; i++) {
                boolean isLean = i % 2 == 0;
                MmoClient c = connect(ts, !isLean, isLean ? countLean : ClientListener.NONE);
                LoginOk ok = c.login("bot" + i, KEY).get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
                ts.tickUntilDone(c.enterWorld(character(c, ok, i).getId()));
                (isLean ? lean : full).add(c);
                assertThat(c.leanView() == null).isEqualTo(!isLean);
            }
            List<MmoClient> all = new ArrayList<>(lean);
            all.addAll(full);
            World world = ts.server.world();
            Random rnd = new Random(7);
            long[] bytesBefore = all.stream().mapToLong(MmoClient::bytesReceived).toArray();
            int ticks = 60;
            for (int k = 0; k < ticks; k++) {
                if (k % 4 == 0) {
                    for (MmoClient c : all) {
                        double a = rnd.nextDouble() * 2 * Math.PI;
                        c.sendInput((float) Math.cos(a), (float) Math.sin(a));
                    }
                }
                ts.tick(all.toArray(MmoClient[]::new));
                Map<Integer, Player> byId = new HashMap<>();
                for (Player p : world.players()) byId.put(p.id(), p);
                for (MmoClient c : all) {
                    View v = CompletableFuture.supplyAsync(() -> View.of(c), c.eventLoop())
                            .get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
                    Player me = byId.get(v.ownId);
                    assertThat(v.tick).isEqualTo(world.currentTick());
                    assertThat(v.rawX).isEqualTo(World.quantize(me.x()));
                    assertThat(v.rawY).isEqualTo(World.quantize(me.y()));
                    assertThat(v.ack).isEqualTo(me.ackSeq());
                    Set<Integer> expected = new HashSet<>();
                    world.forEachWithin(me.x(), me.y(), world.settings().viewRadius(), p -> {
                        if (p != me) expected.add(p.id());
                    });
                    assertThat(v.visible).as("%s client at tick %d", c.leanView() != null ? "lean" : "full", v.tick)
                            .isEqualTo(expected);
                }
            }
            assertThat(leanUpdates.get()).isGreaterThanOrEqualTo(lean.size() * ticks);
            assertThat(fullUpdatesSeenByLean.get()).as("a lean client gets no full updates").isZero();
            for (int i = 0; i < all.size(); i++) {
                // At least one small frame per tick was counted.
                assertThat(all.get(i).bytesReceived() - bytesBefore[i]).isGreaterThan(ticks * 8L);
                assertThat(all.get(i).protocolErrors()).isZero();
            }
        }
    }

    @Test
    void botLoginNeedsTheFlagAndTheKey() throws Exception {
        try (TestServer off = server(null)) {
            MmoClient c = connect(off, true, ClientListener.NONE);
            assertBadCredentials(c.login("bot1", KEY));
            // Names in the fleet's range are kept for it: people cannot register them.
            MmoClient real = connect(off, true, ClientListener.NONE);
            assertThatThrownBy(() -> real.register("bot5", "a real password").get(TestServer.TIMEOUT_S, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ServerError.class)
                    .satisfies(e -> assertThat(((ServerError) e).code()).isEqualTo(ErrorCode.INVALID_NAME));
        }
        try (TestServer on = server(KEY)) {
            MmoClient c = connect(on, false, ClientListener.NONE);
            assertBadCredentials(c.login("bot1", KEY + "x"));
            assertThat(c.login("bot1", KEY).get(TestServer.TIMEOUT_S, TimeUnit.SECONDS).getUsername()).isEqualTo("bot1");
        }
    }

    private static void assertBadCredentials(CompletableFuture<LoginOk> login) {
        assertThatThrownBy(() -> login.get(TestServer.TIMEOUT_S, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ServerError.class)
                .satisfies(e -> assertThat(((ServerError) e).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS));
    }

    /** What one client believes, in either mode, copied on its event loop. */
    record View(int ownId, int tick, int ack, int rawX, int rawY, Set<Integer> visible) {
        static View of(MmoClient c) {
            LeanView l = c.leanView();
            if (l != null) {
                Set<Integer> ids = new HashSet<>();
                l.forEachVisible(ids::add);
                // The WorldView keeps the own state in lean mode too.
                assertThat(c.view().tick()).isEqualTo(l.tick());
                assertThat(c.view().entityCount()).isZero();
                return new View(l.ownEntityId(), l.tick(), l.ackSeq(), l.rawX(), l.rawY(), ids);
            }
            WorldView v = c.view();
            Set<Integer> ids = new HashSet<>();
            for (var e : v.entities()) ids.add(e.id());
            return new View(v.ownEntityId(), v.tick(), v.ackSeq(), World.quantize(v.x()), World.quantize(v.y()), ids);
        }
    }
}

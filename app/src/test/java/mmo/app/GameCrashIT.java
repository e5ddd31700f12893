package mmo.app;

import mmo.app.ServerProcessIT.ServerProcess;
import mmo.client.MmoClient;
import mmo.client.RemoteEntity;
import mmo.client.WorldView;
import mmo.protocol.BagSlot;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.EntityKind;
import mmo.protocol.Inventory;
import mmo.protocol.ServerMessage;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeOffer;
import mmo.protocol.TradeStatus;
import mmo.protocol.Worn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static mmo.app.LoadPlayers.distance;
import static mmo.app.LoadPlayers.steer;
import static mmo.app.ServerProcessIT.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash test of the game's ledger: the packaged server as a real process with its own tick
 * thread, killed with SIGKILL (no shutdown hook, no final save) the moment the clients are told
 * the result of a trade, then the moment a player is told the experience of a kill, then the
 * moment a pickup (an item, then a pile of gold) is confirmed; each time restarted on the same
 * SQLite file. Everything the clients were last told their characters hold must be in the
 * database exactly once, owned by the right character, with the gold, level and experience they
 * were told, and nothing else may exist; the restarted server shows the same.
 *
 * <p>The server runs the shipped content with two changes: two wolves live next to the
 * warriors' home (Ironhold, 188..212), and every wolf drops a pelt, so a hunt takes seconds and
 * always yields an item. Real time passes here: the test waits for server ticks and messages,
 * never for a fixed time.
 */
class GameCrashIT {
    /** Wolves in the test's content, and where they live. */
    static final int WOLVES = 2;
    static final float WOLVES_X = 200, WOLVES_Y = 218;
    /** Experience a wolf gives (the shipped creatures.conf). */
    static final long WOLF_XP = 15;
    /** How close the hunter goes to use its ability (Cleave reaches 1.6) and to pick up (PICKUP_RANGE 3). */
    static final float ATTACK_REACH = 1.3f, PICK_REACH = 2f;
    /** Longest a hunt may take. */
    static final long HUNT_S = 40;

    @TempDir
    Path dir;
    @RegisterExtension
    final ServerRuns runs = new ServerRuns("GameCrashIT");
    final List<ServerProcess> servers = runs.servers;
    final List<MmoClient> clients = runs.clients;

    void step(String what) {
        runs.step(what);
    }

    /** What a client was last told its character holds (or what the database holds for it). */
    record Holding(long characterId, long gold, int level, long xp, Map<Long, String> items) {}

    @Test
    void killedRightAfterATradeAKillOrAPickupTheServerLosesAndDuplicatesNothing() throws Exception {
        Path db = dir.resolve("mmo.db");
        Path content = content();

        // ---- run 1: a hunts and loots, then trades to b; killed as both are told the result
        ServerProcess run1 = start(db, content);
        MmoClient a = connect(run1), b = connect(run1);
        CharacterSummary ca = register(a, "hunter", "Hunter");
        CharacterSummary cb = register(b, "buyer", "Buyer");
        enter(a, ca);
        step("run 1 started, two players registered");
        hunt(a, WOLVES, null, null);
        step("hunted");
        Inventory looted = a.inventory();
        assertThat(looted.getBagList()).as("a pelt from each wolf").hasSizeGreaterThanOrEqualTo(WOLVES)
                .filteredOn(s -> s.getItem().getKind().equals("wolf-pelt")).hasSize(WOLVES);
        assertThat(looted.getGold()).as("1-5 gold from each wolf").isBetween((long) WOLVES, 5L * WOLVES);
        assertThat(a.stats().getXp()).isEqualTo(WOLVES * WOLF_XP);

        enter(b, cb);
        meet(b, a);
        // a gives every bag item but the first, and half its gold; b gives nothing
        List<Integer> given = looted.getBagList().stream().map(BagSlot::getSlot).sorted().skip(1).toList();
        long goldGiven = looted.getGold() / 2;
        open(a, b);
        CompletableFuture<ServerMessage> offerSeen = b.nextMessage(m -> m.hasTrade()
                && m.getTrade().getTheirsCount() == given.size() && m.getTrade().getTheirGold() == goldGiven);
        a.trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().setGold(goldGiven).addAllBagSlots(given)).build());
        offerSeen.get(TIMEOUT_S, TimeUnit.SECONDS);
        // SIGKILL, on a client's event loop, the moment the second of the two new inventories arrives
        CompletableFuture<ServerMessage> aDone = a.nextMessage(m -> m.hasInventory() && a.tradeState().getStatus() == TradeStatus.DONE);
        CompletableFuture<ServerMessage> bDone = b.nextMessage(m -> m.hasInventory() && b.tradeState().getStatus() == TradeStatus.DONE);
        CompletableFuture<Void> killed = CompletableFuture.allOf(aDone, bDone).thenRun(run1.process::destroyForcibly);
        tradeStatus(a, TradeStatus.CANCELLED).thenAccept(m -> killed.completeExceptionally(
                new AssertionError("the trade was cancelled: " + m.getTrade().getReason())));
        a.trade(TradeAction.newBuilder().setConfirm(true).build());
        b.trade(TradeAction.newBuilder().setConfirm(true).build());
        killed.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertKilled(run1);
        step("killed right after the trade");

        Holding tradedA = told(a, ca), tradedB = told(b, cb);
        assertThat(tradedA.items()).hasSize(looted.getBagCount() - given.size());
        assertThat(tradedB.items().keySet()).as("b holds what a gave")
                .isEqualTo(Set.copyOf(given.stream().map(s -> itemIn(looted, s)).toList()));
        assertThat(tradedB.gold()).isEqualTo(goldGiven);
        assertThat(tradedA.gold() + tradedB.gold()).as("gold is conserved by the trade").isEqualTo(looted.getGold());
        assertStored(db, tradedA, tradedB);

        // ---- run 2: both see the same after the restart; a kills a wolf, killed as a is told its experience
        ServerProcess run2 = start(db, content);
        MmoClient hunter = connect(run2), buyer = connect(run2);
        login(hunter, "hunter", ca, tradedA);
        login(buyer, "buyer", cb, tradedB);
        buyer.close();
        step("run 2 started, both logged in");
        Holding xpA = experienceThenKill(run2, hunter, ca, tradedA);
        step("killed right after the experience of a kill");
        assertStored(db, xpA, tradedB);

        // ---- run 3: the same; a kills a wolf and loots it, killed as the pickup of its pelt is confirmed
        ServerProcess run3 = start(db, content);
        hunter = connect(run3);
        buyer = connect(run3);
        login(hunter, "hunter", ca, xpA);
        login(buyer, "buyer", cb, tradedB);
        buyer.close();
        step("run 3 started, both logged in");
        Holding peltA = lootThenKill(run3, hunter, ca, xpA, pile -> pile.game().item() != null);
        step("killed right after picking up an item");
        assertStored(db, peltA, tradedB);

        // ---- run 4: the same, killed as the pickup of the wolf's gold is confirmed
        ServerProcess run4 = start(db, content);
        hunter = connect(run4);
        buyer = connect(run4);
        login(hunter, "hunter", ca, peltA);
        login(buyer, "buyer", cb, tradedB);
        buyer.close();
        step("run 4 started, both logged in");
        Holding goldA = lootThenKill(run4, hunter, ca, peltA, pile -> pile.game().item() == null);
        step("killed right after picking up gold");
        assertStored(db, goldA, tradedB);
    }

    /**
     * {@code hunter} kills a wolf; the server is killed the moment the CharacterStats with its
     * experience arrives (what it dropped is never picked up). What the hunter was told then:
     * {@code prev} and the wolf's experience.
     */
    static Holding experienceThenKill(ServerProcess server, MmoClient hunter, CharacterSummary character, Holding prev)
            throws Exception {
        CompletableFuture<ServerMessage> told = hunter.nextMessage(m -> m.hasStats() && m.getStats().getXp() > prev.xp());
        CompletableFuture<Void> killed = told.thenRun(server.process::destroyForcibly);
        hunt(hunter, 1, pile -> true, killed); // nothing else may be written meanwhile
        killed.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertKilled(server);
        Holding now = told(hunter, character);
        assertThat(now).isEqualTo(new Holding(prev.characterId(), prev.gold(), now.level(), prev.xp() + WOLF_XP, prev.items()));
        return now;
    }

    /**
     * {@code hunter} kills a wolf and picks up what it dropped but the piles matching
     * {@code last}; it picks up one of those last, and the server is killed the moment the
     * inventory confirming that arrives. What the hunter was told then: {@code prev}, the wolf's
     * experience and the piles it picked up.
     */
    static Holding lootThenKill(ServerProcess server, MmoClient hunter, CharacterSummary character, Holding prev,
                                Predicate<RemoteEntity> last) throws Exception {
        RemoteEntity pile = hunt(hunter, 1, last, null);
        Inventory before = hunter.inventory();
        boolean item = pile.game().item() != null;
        walkTo(hunter, pile.x(), pile.y(), PICK_REACH);
        CompletableFuture<ServerMessage> picked = hunter.nextMessage(m -> m.hasInventory() && (item
                ? m.getInventory().getBagCount() == before.getBagCount() + 1
                : m.getInventory().getGold() == before.getGold() + pile.game().gold()));
        CompletableFuture<Void> killed = picked.thenRun(server.process::destroyForcibly);
        hunter.pickUp(pile.id()).whenComplete((v, refused) -> {
            if (refused != null) picked.completeExceptionally(refused);
        });
        killed.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertKilled(server);

        Holding now = told(hunter, character);
        assertThat(now.xp()).isEqualTo(prev.xp() + WOLF_XP);
        assertThat(now.items()).containsAllEntriesOf(prev.items());
        if (item) {
            assertThat(now.items()).hasSize(before.getBagCount() + 1).containsValue(pile.game().item().getKind());
            assertThat(now.gold()).isEqualTo(before.getGold());
        } else {
            assertThat(now.items()).hasSize(before.getBagCount());
            assertThat(now.gold()).isEqualTo(before.getGold() + pile.game().gold());
        }
        return now;
    }

    // ------------------------------------------------------------------ the server

    /** The shipped content, with {@value #WOLVES} wolves next to Ironhold, each dropping a pelt. */
    Path content() throws Exception {
        Path content = TestServer.shippedContent(dir, null);
        Path creatures = content.resolve("creatures.conf");
        String shipped = Files.readString(creatures);
        String pelts = shipped.replace("{ item = wolf-pelt, chance = 0.6 }", "{ item = wolf-pelt, chance = 1.0 }");
        assertThat(pelts).as("the shipped wolf drops a pelt at 60%").isNotEqualTo(shipped);
        Files.writeString(creatures, pelts);
        Files.writeString(content.resolve("spawns.conf"), "spawns {\n  world = [\n"
                + "    { creature = wolf, x = " + (int) WOLVES_X + ", y = " + (int) WOLVES_Y + ", radius = 3, count = " + WOLVES + " }\n"
                + "  ]\n}\n");
        return content;
    }

    ServerProcess start(Path db, Path content) throws Exception {
        ServerProcess s = new ServerProcess("server run " + (servers.size() + 1), ServerProcessIT.freePort(), List.of(),
                List.of("--db", "jdbc:sqlite:" + db, "--content", content.toString()));
        servers.add(s);
        s.ready.get(TIMEOUT_S, TimeUnit.SECONDS);
        return s;
    }

    /** The server died of SIGKILL: no shutdown hook ran, nothing was saved on the way out. */
    static void assertKilled(ServerProcess s) throws Exception {
        assertThat(s.process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(s.process.exitValue()).as("exit status of SIGKILL").isEqualTo(128 + 9);
    }

    // ------------------------------------------------------------------ players

    MmoClient connect(ServerProcess s) throws Exception {
        MmoClient c = ServerProcessIT.connect(s);
        clients.add(c);
        return c;
    }

    static CharacterSummary register(MmoClient c, String user, String name) throws Exception {
        c.register(user, "password-" + user).get(TIMEOUT_S, TimeUnit.SECONDS);
        return c.createCharacter(TestServer.character(name, CharacterClass.WARRIOR, 0x884422)).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Enters the world and waits for the inventory and stats it is sent on entering. */
    static void enter(MmoClient c, CharacterSummary character) throws Exception {
        CompletableFuture<ServerMessage> inventory = c.nextMessage(ServerMessage::hasInventory);
        CompletableFuture<ServerMessage> stats = c.nextMessage(ServerMessage::hasStats);
        c.enterWorld(character.getId()).get(TIMEOUT_S, TimeUnit.SECONDS);
        inventory.get(TIMEOUT_S, TimeUnit.SECONDS);
        stats.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Logs in again after a restart and enters: the world shows what the client was last told. */
    static void login(MmoClient c, String user, CharacterSummary character, Holding last) throws Exception {
        c.login(user, "password-" + user).get(TIMEOUT_S, TimeUnit.SECONDS);
        enter(c, character);
        assertThat(told(c, character)).as("%s after the restart", character.getName()).isEqualTo(last);
    }

    static Holding told(MmoClient c, CharacterSummary character) {
        Inventory inv = c.inventory();
        Map<Long, String> items = new TreeMap<>();
        for (BagSlot s : inv.getBagList()) {
            assertThat(items.put(s.getItem().getId(), s.getItem().getKind())).as("item %d shown twice", s.getItem().getId()).isNull();
        }
        for (Worn w : inv.getWornList()) {
            assertThat(items.put(w.getItem().getId(), w.getItem().getKind())).as("item %d shown twice", w.getItem().getId()).isNull();
        }
        return new Holding(character.getId(), inv.getGold(), c.stats().getLevel(), c.stats().getXp(), items);
    }

    static long itemIn(Inventory inv, int bagSlot) {
        return inv.getBagList().stream().filter(s -> s.getSlot() == bagSlot).findFirst().orElseThrow().getItem().getId();
    }

    // ------------------------------------------------------------------ playing in real time

    static List<RemoteEntity> loot(WorldView.Snapshot s) {
        return s.entities().values().stream().filter(e -> e.kind() == EntityKind.ENTITY_LOOT)
                .sorted(Comparator.comparingDouble(e -> distance(s, e))).toList();
    }

    /** Waits for the next server tick the client receives; null if {@code until} (if not null) completes first. */
    static WorldView.Snapshot nextTick(MmoClient c, WorldView.Snapshot s, long deadline, CompletableFuture<?> until) throws Exception {
        assertThat(System.nanoTime()).as("within %d s", HUNT_S).isLessThan(deadline);
        CompletableFuture<WorldView.Snapshot> next = c.awaitTick(s.tick() + 1);
        if (until != null) {
            CompletableFuture.anyOf(next, until).get(TIMEOUT_S, TimeUnit.SECONDS);
            if (until.isDone()) {
                until.get();
                return null;
            }
        }
        WorldView.Snapshot got = next.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(c.stats().getHealth()).as("the player is alive").isPositive();
        return got;
    }

    static void walkTo(MmoClient c, float x, float y, float reach) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HUNT_S);
        WorldView.Snapshot s = c.snapshot();
        while (!steer(c, s, x, y, reach)) s = nextTick(c, s, deadline, null);
        // the stop reaches the server before anything sent after it
        int stop = c.lastInputSeq();
        c.awaitUpdate(u -> u.ackSeq() == stop).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Walks {@code walker} to {@code target} until they stand within 6 units (trade range is 12). */
    static void meet(MmoClient walker, MmoClient target) throws Exception {
        WorldView.Snapshot t = target.snapshot();
        walkTo(walker, t.x(), t.y(), 6);
    }

    /**
     * Plays {@code c} until {@code kills} creatures have died and every loot pile in view is
     * picked up but those matching {@code leave} (if not null), and returns the nearest of those;
     * or until {@code until} (if not null) completes (then null). It uses the class ability on the
     * nearest living creature in reach (again after a refusal, else once per cooldown), else
     * walks to the nearest pile and picks it up (again if refused), else walks to the nearest
     * living creature. Only this player fights, so every creature that dies in view was its kill.
     */
    static RemoteEntity hunt(MmoClient c, int kills, Predicate<RemoteEntity> leave, CompletableFuture<?> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HUNT_S);
        int tickRate = c.welcome().getTickRate();
        int cooldown = (int) Math.ceil(c.stats().getAbilityCooldownMs() * tickRate / 1000.0);
        Set<Integer> dead = new HashSet<>();
        Map<Integer, CompletableFuture<Void>> picking = new HashMap<>();
        CompletableFuture<Void> attack = null;
        int attackedAt = 0;
        RemoteEntity left = null;
        WorldView.Snapshot s = c.snapshot();
        while (true) {
            s = nextTick(c, s, deadline, until);
            if (s == null) return null;
            WorldView.Snapshot now = s;
            List<RemoteEntity> living = new ArrayList<>();
            for (RemoteEntity e : s.entities().values()) {
                if (e.kind() != EntityKind.ENTITY_CREATURE) continue;
                if (e.game().dead()) dead.add(e.id());
                else living.add(e);
            }
            living.sort(Comparator.comparingDouble(e -> distance(now, e)));
            List<RemoteEntity> piles = loot(s);
            // a pickup is done when its pile left the view (the pickup was written); refused, it is tried again
            picking.entrySet().removeIf(p -> p.getValue().isCompletedExceptionally()
                    || piles.stream().noneMatch(e -> e.id() == p.getKey()));
            boolean hunting = dead.size() < kills;
            if (!hunting && leave != null && left == null) left = piles.stream().filter(leave).findFirst().orElse(null);
            List<RemoteEntity> toPick = piles.stream()
                    .filter(e -> (leave == null || !leave.test(e)) && !picking.containsKey(e.id())).toList();
            RemoteEntity foe = living.isEmpty() ? null : living.getFirst();
            if (hunting && foe != null && distance(s, foe) <= ATTACK_REACH) {
                c.sendInput(0, 0);
                if (attack == null || attack.isCompletedExceptionally() || s.tick() - attackedAt >= cooldown) {
                    attack = c.useAbility(foe.id());
                    attackedAt = s.tick();
                }
            } else if (!hunting && leave != null && left == null) {
                c.sendInput(0, 0); // what the kill dropped is still to come into view
            } else if (!toPick.isEmpty()) {
                RemoteEntity pile = toPick.getFirst();
                if (steer(c, s, pile.x(), pile.y(), PICK_REACH)) picking.put(pile.id(), c.pickUp(pile.id()));
            } else if (hunting) {
                // to the nearest living creature, or to where they live if none is in view
                if (foe != null) steer(c, s, foe.x(), foe.y(), ATTACK_REACH);
                else steer(c, s, WOLVES_X, WOLVES_Y, 1);
            } else if (picking.isEmpty()) {
                c.sendInput(0, 0);
                // what the server sent after this update (stats come at the end of a tick) has arrived too
                if (until == null) c.awaitTick(s.tick() + 1).get(TIMEOUT_S, TimeUnit.SECONDS);
                return left;
            } else {
                c.sendInput(0, 0); // the last pickups are being written
            }
        }
    }

    static CompletableFuture<ServerMessage> tradeStatus(MmoClient c, TradeStatus status) {
        return c.nextMessage(m -> m.hasTrade() && m.getTrade().getStatus() == status);
    }

    /** {@code a} invites {@code b}, {@code b} accepts. */
    static void open(MmoClient a, MmoClient b) throws Exception {
        CompletableFuture<ServerMessage> invited = tradeStatus(b, TradeStatus.INVITED);
        a.trade(TradeAction.newBuilder().setInvite(b.snapshot().ownEntityId()).build());
        invited.get(TIMEOUT_S, TimeUnit.SECONDS);
        CompletableFuture<ServerMessage> opened = tradeStatus(a, TradeStatus.OPEN);
        b.trade(TradeAction.newBuilder().setAccept(true).build());
        opened.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ the database

    /**
     * The database (read with plain JDBC while no server runs) holds for each character exactly
     * what its client was last told, and no item besides: none lost, none duplicated, none
     * left on the ground or with anyone else.
     */
    static void assertStored(Path db, Holding... told) throws Exception {
        Set<Long> all = new HashSet<>();
        for (Holding t : told) {
            for (long id : t.items().keySet()) assertThat(all.add(id)).as("item %d told to two characters", id).isTrue();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            for (Holding t : told) assertThat(stored(c, t.characterId())).isEqualTo(t);
            assertThat(count(c, "SELECT COUNT(*) FROM (SELECT id FROM items GROUP BY id HAVING COUNT(*) > 1)")).as("ids twice").isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM items")).as("every item in the database").isEqualTo(all.size());
        }
    }

    static Holding stored(Connection c, long characterId) throws Exception {
        long gold, xp;
        int level;
        try (PreparedStatement ps = c.prepareStatement("SELECT gold, level, xp FROM characters WHERE id = ?")) {
            ps.setLong(1, characterId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                gold = rs.getLong(1);
                level = rs.getInt(2);
                xp = rs.getLong(3);
            }
        }
        Map<Long, String> items = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, kind FROM items WHERE character_id = ? AND place <> 'G'")) {
            ps.setLong(1, characterId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) items.put(rs.getLong(1), rs.getString(2));
            }
        }
        return new Holding(characterId, gold, level, xp, items);
    }

    static long count(Connection c, String sql) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

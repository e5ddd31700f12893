package mmo.app;

import mmo.client.ConnectionClosedException;
import mmo.client.MmoClient;
import mmo.client.ServerError;
import mmo.client.RemoteEntity;
import mmo.client.WorldView;
import mmo.protocol.BagSlot;
import mmo.protocol.EntityKind;
import mmo.protocol.ErrorCode;
import mmo.protocol.Inventory;
import mmo.protocol.ServerMessage;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeOffer;
import mmo.protocol.TradeStatus;
import mmo.protocol.Worn;

import mmo.protocol.CharacterSummary;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static mmo.app.ServerProcessIT.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heavy play for the crash tests ({@link CrashUnderLoadIT}, {@link PostgresRestartIT}): hunters
 * that kill wolves and pick up what they drop, and pairs that trade everything in their bags and
 * half their gold back and forth, equipping and unequipping between trades. Each player runs on a
 * thread of its own until its connection closes or it is told to stop, and counts what the
 * server confirmed. Every wait is for a server message; nothing sleeps.
 */
final class LoadPlayers {
    /** Where the wolves of the test content live: next to Ironhold, where warriors start. */
    static final float WOLVES_X = 200, WOLVES_Y = 218;
    static final int WOLVES = 24;
    static final float ATTACK_REACH = 1.3f, PICK_REACH = 2f;

    private LoadPlayers() {
    }

    /**
     * The shipped content with many weak wolves next to Ironhold that come back after 2 s and
     * always drop a pelt and often a leather cap: loot for every hunter, all the time.
     */
    static Path content(Path dir) throws Exception {
        Path content = TestServer.shippedContent(dir, null);
        Path creatures = content.resolve("creatures.conf");
        String shipped = Files.readString(creatures);
        String wolf = shipped.substring(shipped.indexOf("wolf {"), shipped.indexOf("boar {"));
        String weak = wolf.replace("damage = 6", "damage = 1").replace("respawn = 30s", "respawn = 2s")
                .replace("{ item = wolf-pelt, chance = 0.6 }, { item = leather-cap, chance = 0.05 }",
                        "{ item = wolf-pelt, chance = 1.0 }, { item = leather-cap, chance = 0.5 }");
        assertThat(weak).as("the shipped wolf").contains("damage = 1", "respawn = 2s", "chance = 1.0");
        Files.writeString(creatures, shipped.replace(wolf, weak));
        Files.writeString(content.resolve("spawns.conf"), "spawns {\n  world = [\n"
                + "    { creature = wolf, x = " + (int) WOLVES_X + ", y = " + (int) WOLVES_Y + ", radius = 5, count = " + WOLVES + " }\n"
                + "  ]\n}\n");
        return content;
    }

    /** What play has done in one run: confirmed operations, refusals, and waits on their counts. */
    static final class Counters {
        final AtomicInteger trades = new AtomicInteger(), pickups = new AtomicInteger(), equips = new AtomicInteger();
        /** Reasons given for trades cancelled after both sides confirmed. */
        final ConcurrentLinkedQueue<String> cancelled = new ConcurrentLinkedQueue<>();
        /** Pickups refused with SERVER_ERROR (the database failed), and the first of them. */
        final ConcurrentLinkedQueue<String> pickupErrors = new ConcurrentLinkedQueue<>();
        final CompletableFuture<String> firstCancel = new CompletableFuture<>(), firstPickupError = new CompletableFuture<>();
        private final List<Object[]> watchers = new CopyOnWriteArrayList<>();

        void confirmed(AtomicInteger which) {
            which.incrementAndGet();
            for (Object[] w : watchers) {
                if (trades.get() >= (int) w[0] && pickups.get() >= (int) w[1]) ((CompletableFuture<?>) w[2]).complete(null);
            }
        }

        /** Completes once at least {@code t} trades and {@code p} pickups were confirmed. */
        CompletableFuture<Void> reach(int t, int p) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            watchers.add(new Object[]{t, p, f});
            if (trades.get() >= t && pickups.get() >= p) f.complete(null);
            return f;
        }

        void cancelled(String reason) {
            cancelled.add(reason);
            firstCancel.complete(reason);
        }

        void pickupError(String message) {
            pickupErrors.add(message);
            firstPickupError.complete(message);
        }

        @Override
        public String toString() {
            return trades + " trades, " + pickups + " pickups, " + equips + " equips, " + cancelled.size()
                    + " trades cancelled, " + pickupErrors.size() + " pickups refused by a database error";
        }
    }

    /**
     * A trading pair; {@link #inFlight} while both confirmed and not both were told the result.
     * Trading only moves items between the two: {@link #goods}, what they hold when they
     * start playing, is what they hold together ever after.
     */
    static final class Pair {
        final MmoClient a, b;
        final Set<Long> goods = new HashSet<>();
        volatile boolean inFlight;

        /** Both are in the world, shown what the database holds. */
        Pair(MmoClient a, MmoClient b) {
            this.a = a;
            this.b = b;
            goods.addAll(itemsTold(a));
            goods.addAll(itemsTold(b));
        }
    }

    /** Waits for {@code f}; false if {@code stop} completed or a connection closed first. */
    static <T> boolean await(CompletableFuture<T> f, CompletableFuture<?> stop) throws Exception {
        try {
            CompletableFuture.anyOf(f, stop).get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (closed(e)) return false;
            throw e;
        }
        if (!f.isDone()) return false;
        try {
            f.get();
            return true;
        } catch (ExecutionException e) {
            if (closed(e)) return false;
            throw e;
        }
    }

    static boolean closed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectionClosedException) return true;
        }
        return false;
    }

    static CompletableFuture<ServerMessage> tradeStatus(MmoClient c, TradeStatus status) {
        return c.nextMessage(m -> m.hasTrade() && m.getTrade().getStatus() == status);
    }

    /**
     * Plays a pair until {@code stop} completes or a connection closes: b walks to a, then they
     * trade (each gives its whole bag and half its gold), a equips a wearable and takes it off
     * again, b does the same, a takes a step; again.
     */
    static void trade(Pair pair, Counters counters, CompletableFuture<?> stop) throws Exception {
        MmoClient a = pair.a, b = pair.b;
        if (!walkTo(b, a.snapshot().x(), a.snapshot().y(), 4, stop)) return;
        int round = 0;
        while (!stop.isDone()) {
            CompletableFuture<ServerMessage> invited = tradeStatus(b, TradeStatus.INVITED);
            a.trade(TradeAction.newBuilder().setInvite(b.snapshot().ownEntityId()).build());
            if (!await(invited, stop)) return;
            CompletableFuture<ServerMessage> opened = tradeStatus(a, TradeStatus.OPEN);
            b.trade(TradeAction.newBuilder().setAccept(true).build());
            if (!await(opened, stop)) return;
            if (!offer(a, b, stop) || !offer(b, a, stop)) return;
            CompletableFuture<ServerMessage> aDone = a.nextMessage(m -> m.hasInventory() && a.tradeState().getStatus() == TradeStatus.DONE);
            CompletableFuture<ServerMessage> bDone = b.nextMessage(m -> m.hasInventory() && b.tradeState().getStatus() == TradeStatus.DONE);
            CompletableFuture<ServerMessage> cancelled = tradeStatus(a, TradeStatus.CANCELLED);
            pair.inFlight = true;
            a.trade(TradeAction.newBuilder().setConfirm(true).build());
            b.trade(TradeAction.newBuilder().setConfirm(true).build());
            CompletableFuture<Void> both = CompletableFuture.allOf(aDone, bDone);
            if (!await(CompletableFuture.anyOf(both, cancelled), stop)) return;
            pair.inFlight = false;
            if (cancelled.isDone() && !both.isDone()) {
                // the server says nothing changed: both are sent their inventories again
                counters.cancelled(cancelled.get().getTrade().getReason());
                continue;
            }
            counters.confirmed(counters.trades);
            if (!wearAndTakeOff(a, counters, stop) || !wearAndTakeOff(b, counters, stop)) return;
            a.sendInput((round++ & 1) == 0 ? 1 : -1, 0);
            if (!await(a.awaitTick(a.snapshot().tick() + 2), stop)) return;
            a.sendInput(0, 0);
        }
    }

    /** {@code from} offers its whole bag and half its gold; done when {@code to} sees the offer. */
    private static boolean offer(MmoClient from, MmoClient to, CompletableFuture<?> stop) throws Exception {
        Inventory inv = from.inventory();
        List<Integer> slots = inv.getBagList().stream().map(BagSlot::getSlot).toList();
        long gold = inv.getGold() / 2;
        CompletableFuture<ServerMessage> seen = to.nextMessage(m -> m.hasTrade()
                && m.getTrade().getTheirsCount() == slots.size() && m.getTrade().getTheirGold() == gold);
        from.trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().setGold(gold).addAllBagSlots(slots)).build());
        return await(seen, stop);
    }

    /** Wears the first wearable in the bag, then takes it off again; each confirmed by an inventory. */
    private static boolean wearAndTakeOff(MmoClient c, Counters counters, CompletableFuture<?> stop) throws Exception {
        BagSlot wearable = c.inventory().getBagList().stream()
                .filter(s -> s.getItem().getSlot() != mmo.protocol.EquipSlot.SLOT_NONE).findFirst().orElse(null);
        if (wearable == null) return true;
        long id = wearable.getItem().getId();
        CompletableFuture<ServerMessage> worn = c.nextMessage(m -> m.hasInventory()
                && m.getInventory().getWornList().stream().anyMatch(w -> w.getItem().getId() == id));
        c.equip(wearable.getSlot());
        if (!await(worn, stop)) return false;
        counters.confirmed(counters.equips);
        CompletableFuture<ServerMessage> off = c.nextMessage(m -> m.hasInventory()
                && m.getInventory().getBagList().stream().anyMatch(s -> s.getItem().getId() == id));
        c.unequip(wearable.getItem().getSlot());
        if (!await(off, stop)) return false;
        counters.confirmed(counters.equips);
        return true;
    }

    /**
     * Hunts until {@code stop} completes or the connection closes: uses the class ability on the
     * nearest living wolf in reach, else walks to the nearest loot pile and picks it up, else
     * walks to the nearest wolf. A pile whose pickup was refused (someone else's, or being taken)
     * is left alone. A pickup counts as confirmed when the inventory shows it.
     */
    static void hunt(MmoClient c, Counters counters, CompletableFuture<?> stop) throws Exception {
        int tickRate = c.welcome().getTickRate();
        int cooldown = Math.max(1, (int) Math.ceil(c.stats().getAbilityCooldownMs() * tickRate / 1000.0));
        Set<Integer> refused = new HashSet<>();
        Map<Integer, CompletableFuture<Void>> picking = new HashMap<>();
        int attackedAt = -cooldown;
        Inventory seen = c.inventory();
        WorldView.Snapshot s = c.snapshot();
        while (!stop.isDone()) {
            CompletableFuture<WorldView.Snapshot> next = c.awaitTick(s.tick() + 1);
            if (!await(next, stop)) return;
            s = next.get();
            Inventory inv = c.inventory();
            if (inv != seen) {
                if (inv.getBagCount() > seen.getBagCount() || inv.getGold() > seen.getGold()) counters.confirmed(counters.pickups);
                seen = inv;
            }
            WorldView.Snapshot now = s;
            List<RemoteEntity> piles = new ArrayList<>();
            RemoteEntity foe = null;
            for (RemoteEntity e : s.entities().values()) {
                if (e.kind() == EntityKind.ENTITY_LOOT && !refused.contains(e.id())) piles.add(e);
                if (e.kind() == EntityKind.ENTITY_CREATURE && !e.game().dead()
                        && (foe == null || distance(now, e) < distance(now, foe))) foe = e;
            }
            piles.sort(Comparator.comparingDouble(e -> distance(now, e)));
            picking.entrySet().removeIf(p -> {
                if (p.getValue().isCompletedExceptionally()) {
                    refused.add(p.getKey());
                    Throwable why = p.getValue().exceptionNow();
                    if (why instanceof ServerError e && e.code() == ErrorCode.SERVER_ERROR) counters.pickupError(e.getMessage());
                }
                return p.getValue().isDone() || piles.stream().noneMatch(e -> e.id() == p.getKey());
            });
            piles.removeIf(e -> picking.containsKey(e.id()) || refused.contains(e.id()));
            if (foe != null && distance(s, foe) <= ATTACK_REACH) {
                c.sendInput(0, 0);
                if (s.tick() - attackedAt >= cooldown) {
                    c.useAbility(foe.id());
                    attackedAt = s.tick();
                }
            } else if (!piles.isEmpty() && inv.getBagCount() < 20) {
                RemoteEntity pile = piles.getFirst();
                if (steer(c, s, pile.x(), pile.y(), PICK_REACH)) picking.put(pile.id(), c.pickUp(pile.id()));
            } else if (foe != null) {
                steer(c, s, foe.x(), foe.y(), ATTACK_REACH);
            } else {
                steer(c, s, WOLVES_X, WOLVES_Y, 1);
            }
        }
    }

    static float distance(WorldView.Snapshot s, RemoteEntity e) {
        return (float) Math.hypot(e.x() - s.x(), e.y() - s.y());
    }

    /** Sends the input that walks towards (x, y); true (and stands still) once within {@code reach}. */
    static boolean steer(MmoClient c, WorldView.Snapshot s, float x, float y, float reach) {
        float dx = x - s.x(), dy = y - s.y();
        if (dx * dx + dy * dy <= reach * reach) {
            c.sendInput(0, 0);
            return true;
        }
        c.sendInput(dx, dy);
        return false;
    }

    /** Walks to within {@code reach} of (x, y) and waits until the server acked the stop; false if stopped first. */
    static boolean walkTo(MmoClient c, float x, float y, float reach, CompletableFuture<?> stop) throws Exception {
        WorldView.Snapshot s = c.snapshot();
        while (!steer(c, s, x, y, reach)) {
            CompletableFuture<WorldView.Snapshot> next = c.awaitTick(s.tick() + 1);
            if (!await(next, stop)) return false;
            s = next.get();
        }
        int stopSeq = c.lastInputSeq();
        return await(c.awaitUpdate(u -> u.ackSeq() == stopSeq), stop);
    }

    /** Item ids a client was last told its character holds, bag and worn. */
    static Set<Long> itemsTold(MmoClient c) {
        Set<Long> ids = new HashSet<>();
        Inventory inv = c.inventory();
        for (BagSlot s : inv.getBagList()) assertThat(ids.add(s.getItem().getId())).isTrue();
        for (Worn w : inv.getWornList()) assertThat(ids.add(w.getItem().getId())).isTrue();
        return ids;
    }

    /** What each trader starts with, written into the database before it enters. */
    static final List<String> TRADER_ITEMS = List.of("leather-cap", "boots", "wolf-pelt");
    static final long TRADER_GOLD = 100;

    /** Gives each of {@code traders} {@link #TRADER_ITEMS} and {@link #TRADER_GOLD}, while they are in no world. */
    static void seedTraders(Connection c, List<CharacterSummary> traders) throws Exception {
        try (PreparedStatement item = c.prepareStatement(
                     "INSERT INTO items (kind, character_id, place, slot, created_at) VALUES (?, ?, 'B', ?, 0)");
             PreparedStatement gold = c.prepareStatement("UPDATE characters SET gold = ? WHERE id = ?")) {
            for (CharacterSummary t : traders) {
                for (int slot = 0; slot < TRADER_ITEMS.size(); slot++) {
                    item.setString(1, TRADER_ITEMS.get(slot));
                    item.setLong(2, t.getId());
                    item.setInt(3, slot);
                    item.executeUpdate();
                }
                gold.setLong(1, TRADER_GOLD);
                gold.setLong(2, t.getId());
                assertThat(gold.executeUpdate()).isOne();
            }
        }
    }

    record Stored(long gold, long xp, float x, float y, Set<Long> items) {}

    static Stored stored(Connection c, long characterId) throws Exception {
        Stored s;
        try (PreparedStatement ps = c.prepareStatement("SELECT gold, xp, x, y FROM characters WHERE id = ?")) {
            ps.setLong(1, characterId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("character %d is stored", characterId).isTrue();
                s = new Stored(rs.getLong(1), rs.getLong(2), rs.getFloat(3), rs.getFloat(4), new HashSet<>());
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM items WHERE character_id = ? AND place <> 'G'")) {
            ps.setLong(1, characterId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) s.items().add(rs.getLong(1));
            }
        }
        return s;
    }

    /**
     * Everything the players were last told against the database (read while no server runs):
     * the first {@code hunters} players hunted, the rest traded in pairs (in order). Every
     * character is stored, within {@code maxGap} of the last position the server sent it; no
     * item of no character; no item told to two characters but the two sides of a trade in
     * flight; a hunter has at least what it was told; a pair holds exactly the items and gold it
     * started with, and each side exactly what it was told unless a trade was in flight.
     */
    static void assertStored(Connection c, int hunters, List<CharacterSummary> characters, List<MmoClient> players,
                             List<Pair> pairs, float maxGap) throws Exception {
        assertThat(GameCrashIT.count(c, "SELECT COUNT(*) FROM characters")).isEqualTo(characters.size());
        assertThat(GameCrashIT.count(c, "SELECT COUNT(*) FROM items WHERE place <> 'G' AND character_id NOT IN (SELECT id FROM characters)"))
                .as("items of no character").isZero();

        Map<Long, Integer> toldTo = new HashMap<>();
        List<Stored> stored = new ArrayList<>();
        for (int i = 0; i < characters.size(); i++) {
            MmoClient p = players.get(i);
            Stored s = stored(c, characters.get(i).getId());
            stored.add(s);
            String who = characters.get(i).getName();
            // the server's last word on where this player stands, at most a tick before it stopped
            WorldView.Snapshot last = p.snapshot();
            assertThat(Math.hypot(s.x() - last.x(), s.y() - last.y())).as("%s's saved position (%s, %s) against (%s, %s)",
                    who, s.x(), s.y(), last.x(), last.y()).isLessThanOrEqualTo(maxGap);
            for (long item : itemsTold(p)) {
                Integer other = toldTo.put(item, i);
                if (other != null) {
                    // told to both sides of a trade whose result only one of them heard
                    boolean partners = i >= hunters && (i - hunters) % 2 == 1 && other == i - 1;
                    assertThat(partners).as("item %d told to %s and to %s", item, who, characters.get(other).getName()).isTrue();
                    assertThat(pairs.get((i - hunters) / 2).inFlight)
                            .as("item %d told to both of a pair with no trade in flight", item).isTrue();
                }
            }
        }
        for (int i = 0; i < hunters; i++) {
            MmoClient p = players.get(i);
            Stored s = stored.get(i);
            String who = characters.get(i).getName();
            assertThat(s.items()).as("%s's items (a hunter may have a pickup it was not told of)", who)
                    .containsAll(itemsTold(p));
            assertThat(s.gold()).as("%s's gold", who).isGreaterThanOrEqualTo(p.inventory().getGold());
            assertThat(s.xp()).as("%s's experience", who).isGreaterThanOrEqualTo(p.stats().getXp());
        }
        for (int k = 0; k < pairs.size(); k++) {
            Pair pair = pairs.get(k);
            int ia = hunters + 2 * k, ib = ia + 1;
            Stored sa = stored.get(ia), sb = stored.get(ib);
            Set<Long> storedBoth = new HashSet<>(sa.items());
            storedBoth.addAll(sb.items());
            // a trade in flight may have been written and told to one side only: each side was
            // told its items before or after it, and together they hold the same goods
            assertThat(storedBoth).as("pair %d's items: what they started with, no more, no less", k)
                    .hasSize(2 * TRADER_ITEMS.size()).isEqualTo(pair.goods)
                    .containsAll(itemsTold(pair.a)).containsAll(itemsTold(pair.b));
            assertThat(sa.gold() + sb.gold()).as("pair %d's gold is conserved", k).isEqualTo(2 * TRADER_GOLD);
            if (!pair.inFlight) {
                assertThat(sa.items()).as("pair %d: a's items", k).isEqualTo(itemsTold(pair.a));
                assertThat(sb.items()).as("pair %d: b's items", k).isEqualTo(itemsTold(pair.b));
                assertThat(sa.gold()).as("pair %d: a's gold", k).isEqualTo(pair.a.inventory().getGold());
                assertThat(sb.gold()).as("pair %d: b's gold", k).isEqualTo(pair.b.inventory().getGold());
            }
        }
    }


    /** A seeded random source, its seed printed so a failing run can be repeated. */
    static SplittableRandom random(String test) {
        long seed = Long.getLong("mmo.test.seed", System.nanoTime());
        System.out.println(test + " seed " + seed + " (repeat with -Dmmo.test.seed=" + seed + ")");
        return new SplittableRandom(seed);
    }
}

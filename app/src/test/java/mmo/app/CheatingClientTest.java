package mmo.app;

import mmo.client.MmoClient;
import mmo.client.RemoteEntity;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.EntityKind;
import mmo.protocol.EquipSlot;
import mmo.protocol.ServerMessage;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeOffer;
import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.Ledger;
import mmo.server.persistence.Progress;
import mmo.server.world.Movement;
import mmo.server.world.Refusals;
import mmo.server.world.World;
import mmo.server.world.map.TileMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that cheats, over real sockets against a real server ticked by hand (issue 6,
 * anti-cheat): faster than the speed, through walls, abilities faster than their cooldown or
 * out of range, items it does not have, loot out of reach or not yet its own, trades of what is
 * not in its bag. It gains nothing: positions advance at the speed along walkable tiles, only
 * cooled-down hits land, and its inventory, gold and experience change only by what it earned.
 */
class CheatingClientTest {
    @TempDir
    Path dir;
    TestServer server;
    final List<MmoClient> clients = new ArrayList<>();

    /** One wolf just south of Ironhold (the warriors' home, 188..212). */
    static final String SPAWNS = """
            spawns {
              world = [ { creature = wolf, x = 200, y = 218, radius = 1, count = 1 } ]
            }
            """;

    @BeforeEach
    void start() throws Exception {
        Path content = TestServer.shippedContent(dir, SPAWNS);
        server = TestServer.start("jdbc:sqlite:" + dir.resolve("mmo.db"), Map.of("mmo.world.content", content.toString()));
    }

    @AfterEach
    void stop() {
        clients.forEach(MmoClient::close);
        server.close();
    }

    /** How many requests of {@code kind} the server refused so far. */
    long refused(Refusals.Kind kind) {
        return server.server.world().refusals().count(kind);
    }

    MmoClient client() throws Exception {
        MmoClient c = server.connect();
        clients.add(c);
        return c;
    }

    CharacterSummary enter(MmoClient c, String user, String name, String... items) throws Exception {
        c.register(user, "password-" + user).get(TIMEOUT_S, TimeUnit.SECONDS);
        CharacterSummary s = c.createCharacter(TestServer.character(name, CharacterClass.WARRIOR, 0x883311))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        List<Ledger.NewItem> list = new ArrayList<>();
        for (int i = 0; i < items.length; i++) list.add(new Ledger.NewItem(items[i], ItemPlace.BAG, i));
        server.server.ledger().create(s.getId(), 0, list, 0).get(TIMEOUT_S, TimeUnit.SECONDS);
        server.tickUntilDone(c.enterWorld(s.getId()));
        server.tickUntil(() -> c.inventory().getBagSize() > 0, 100, c);
        return s;
    }

    Progress stored(CharacterSummary c) throws Exception {
        return server.server.ledger().load(c.getId()).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Test
    void aSpeedCheatMovesAtTheSpeedAndNeverThroughAWall() throws Exception {
        MmoClient c = client();
        enter(c, "speedy", "Speedy");
        World world = server.server.world();
        TileMap map = world.map();
        float step = world.settings().speed() / world.settings().tickRate();
        // a flood of huge inputs, ten per tick, eastwards
        float x0 = c.snapshot().x();
        int ticks = 40;
        for (int t = 0; t < ticks; t++) {
            for (int k = 0; k < 10; k++) c.sendInput(1_000_000f, 0);
            server.tick(c);
        }
        server.tick(c);
        float moved = c.snapshot().x() - x0;
        assertThat(moved).as("at most the speed for the ticks it moved").isLessThanOrEqualTo((ticks + 1) * step + 0.01f);
        // and counted: each over-long input, and a tick's flood once (over sockets, a batch of
        // ten may arrive split over two ticks)
        assertThat(refused(Refusals.Kind.SPEED)).as("the last batch may still be in flight")
                .isBetween(ticks * 10L - 10, ticks * 10L);
        assertThat(refused(Refusals.Kind.INPUT_FLOOD)).isPositive().isLessThanOrEqualTo(ticks + 1);
        // and whatever it pushed into, it stands on walkable ground, never inside a wall
        for (int t = 0; t < 200; t++) {
            c.sendInput(t % 50 < 25 ? 1 : -1, t % 70 < 35 ? 1 : -1);
            server.tick(c);
            assertThat(Movement.boxFree(map, c.snapshot().x(), c.snapshot().y())).as("tick %d at (%s, %s)", t,
                    c.snapshot().x(), c.snapshot().y()).isTrue();
        }
    }

    @Test
    void abilitiesFasterThanTheCooldownOrOutOfRangeLandNothing() throws Exception {
        MmoClient c = client();
        CharacterSummary me = enter(c, "clicker", "Clicker");
        int wolf = server.tickUntilDone(c.awaitUpdate(s -> s.entities().values().stream()
                .anyMatch(e -> e.kind() == EntityKind.ENTITY_CREATURE))).entities().values().stream()
                .filter(e -> e.kind() == EntityKind.ENTITY_CREATURE).findFirst().orElseThrow().id();
        // out of range (Cleave: 1.6): the wolf has not come yet
        RemoteEntity w = c.snapshot().entity(wolf);
        if (Math.hypot(w.x() - c.snapshot().x(), w.y() - c.snapshot().y()) > 2) {
            CompletableFuture<Void> far = c.useAbility(wolf);
            server.tickUntil(far::isDone, 20, c);
            assertThat(far).isCompletedExceptionally();
        }
        // walk to the wolf (it comes too once it notices), then fire twenty in one tick
        server.tickUntil(() -> {
            RemoteEntity e = c.snapshot().entity(wolf);
            if (e == null) return false;
            float dx = e.x() - c.snapshot().x(), dy = e.y() - c.snapshot().y();
            if (Math.hypot(dx, dy) < 1.2) {
                c.sendInput(0, 0);
                return true;
            }
            c.sendInput(dx, dy);
            return false;
        }, 600, c);
        server.tick(c);
        int before = c.snapshot().entity(wolf).game().health();
        List<CompletableFuture<Void>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) burst.add(c.useAbility(wolf));
        server.tickUntil(() -> burst.stream().allMatch(CompletableFuture::isDone) || c.snapshot().entity(wolf).game().health() < before, 20, c);
        server.tick(c);
        server.tick(c);
        long refused = burst.stream().filter(CompletableFuture::isCompletedExceptionally).count();
        assertThat(refused).as("all but one refused: cooling down").isGreaterThanOrEqualTo(19);
        // (the out-of-range try spent a token of the ability bucket, burst 20: the last of the
        // twenty may be refused by the rate limit before the cooldown is checked)
        assertThat(refused(Refusals.Kind.COOLDOWN) + refused(Refusals.Kind.RATE_LIMITED)).isGreaterThanOrEqualTo(19);
        assertThat(refused(Refusals.Kind.COOLDOWN)).isGreaterThanOrEqualTo(18);
        int dealt = before - c.snapshot().entity(wolf).game().health();
        int oneHit = server.server.content().classes().get(CharacterClass.WARRIOR).ability().amount();
        assertThat(dealt).as("one hit's damage, not twenty").isPositive().isLessThan(2 * (oneHit + 20));
        assertThat(stored(me).xp()).as("no kill, no experience").isZero();
    }

    @Test
    void itemsItDoesNotHaveAndLootOutOfReachGainItNothing() throws Exception {
        MmoClient cheat = client(), honest = client();
        CharacterSummary me = enter(cheat, "grabber", "Grabber", "wolf-pelt");
        CharacterSummary other = enter(honest, "owner1", "Owner", "amber-charm");
        List<CompletableFuture<Void>> tries = new ArrayList<>();
        // the honest player walks over (trading needs 12 units or less)
        server.tickUntil(() -> {
            float dx = cheat.snapshot().x() - honest.snapshot().x(), dy = cheat.snapshot().y() - honest.snapshot().y();
            if (dx * dx + dy * dy < 16) {
                honest.sendInput(0, 0);
                return true;
            }
            honest.sendInput(dx, dy);
            return false;
        }, 2000, cheat, honest);
        // equip, drop and offer slots it does not fill (and absurd ones)
        for (int slot : new int[]{1, 5, 23, 24, 1000, Integer.MAX_VALUE, -1}) {
            tries.add(cheat.equip(slot));
            tries.add(cheat.drop(slot));
        }
        tries.add(cheat.equip(0)); // a pelt cannot be worn
        tries.add(cheat.unequip(EquipSlot.HEAD)); // nothing worn
        // a trade with the other player offering its charm's slot and gold it does not have
        cheat.trade(TradeAction.newBuilder().setInvite(honest.snapshot().ownEntityId()).build());
        server.tickUntil(() -> honest.tradeState().getStatus() == mmo.protocol.TradeStatus.INVITED, 100, cheat, honest);
        honest.trade(TradeAction.newBuilder().setAccept(true).build());
        server.tickUntil(() -> cheat.tradeState().getStatus() == mmo.protocol.TradeStatus.OPEN, 100, cheat, honest);
        tries.add(cheat.trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().addBagSlots(3)).build()));
        tries.add(cheat.trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().setGold(1_000_000)).build()));
        tries.add(cheat.trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().addBagSlots(0).addBagSlots(0)).build()));
        // pick up things that are not loot, or not there
        tries.add(cheat.pickUp(honest.snapshot().ownEntityId()));
        tries.add(cheat.pickUp(123_456));
        server.tickUntil(() -> tries.stream().allMatch(CompletableFuture::isDone), 100, cheat, honest);
        assertThat(tries).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
        // counted: 7 equips + 7 drops of slots it does not fill, the pelt, the unequip, the
        // charm's slot, the gold and the doubled slot; the two pick-ups of what is not loot
        assertThat(refused(Refusals.Kind.NOT_OWNED)).isEqualTo(19);
        assertThat(refused(Refusals.Kind.OUT_OF_REACH)).isEqualTo(2);
        cheat.trade(TradeAction.newBuilder().setCancel(true).build());
        server.tick(cheat, honest);
        server.tick(cheat, honest);

        assertThat(stored(me).items()).extracting(r -> r.kind()).containsExactly("wolf-pelt");
        assertThat(stored(me).gold()).isZero();
        assertThat(stored(other).items()).extracting(r -> r.kind()).containsExactly("amber-charm");
        assertThat(cheat.inventory().getBagList()).extracting(s -> s.getItem().getKind()).containsExactly("wolf-pelt");
        assertThat(cheat.isOpen()).as("refused, not disconnected: it may be a buggy client").isTrue();
        assertThat(cheat.nextMessage(ServerMessage::hasDisconnect)).isNotDone();
    }
}

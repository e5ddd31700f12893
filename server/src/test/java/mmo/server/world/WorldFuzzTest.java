package mmo.server.world;

import mmo.protocol.CharacterClass;
import mmo.protocol.ChatSend;
import mmo.protocol.ClientMessage;
import mmo.protocol.DropItem;
import mmo.protocol.EmoteSend;
import mmo.protocol.Equip;
import mmo.protocol.Input;
import mmo.protocol.PickUp;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeOffer;
import mmo.protocol.Unequip;
import mmo.protocol.UseAbility;
import mmo.server.fuzz.FuzzValues;
import mmo.server.game.content.Content;
import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.ItemRow;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.LoggerFactory;

import static mmo.server.world.GameTest.gameWorld;
import static mmo.server.world.GameTest.joinAs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the world's message handling: arbitrary in-world {@link ClientMessage}s (every case
 * a connection lets through to the world, with extreme and nonsensical field values) from
 * players in a tick-stepped world with the game on. A tick never throws, nobody is thrown out,
 * inventories keep their invariants and agree with the ledger, positions stay walkable, and
 * items and gold moved between players, the ground and the ledger are neither lost nor copied.
 * Few tries in the test run; {@code -Djqwik.tries.default=N} for a long run.
 */
class WorldFuzzTest {
    private static final String[] KINDS = {"rusty-sword", "leather-cap", "boots", "oak-staff", "wolf-pelt"};
    private static long nextCharacter = 80_000;

    /** One client message from one of the players, then {@code ticks} ticks. */
    record Step(int player, ClientMessage message, int ticks) {
        @Override
        public String toString() {
            return "p" + player + " +" + ticks + " " + message.toString().replace('\n', ' ');
        }
    }

    // ------------------------------------------------------------------ arbitrary messages

    @Property
    void arbitraryMessagesNeitherBreakTheTickNorCorruptState(@ForAll("anySteps") List<Step> steps) {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger, GameTest.WOLF);
        Fixture f = new Fixture(w, ledger, 3);
        f.run(steps);
    }

    // ------------------------------------------------------------------ trades, equips and drops

    @Property
    void tradesEquipsAndDropsConserveItemsAndGold(@ForAll("tradeSteps") List<Step> steps) {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger); // no creatures: nothing new enters the world
        Fixture f = new Fixture(w, ledger, 2);
        f.run(steps);
        // gold and items only moved: the same ids, in one place each, the same gold in all
        assertThat(ledger.items.keySet()).as("items in the ledger").isEqualTo(f.initialItems);
        assertThat(ledger.gold.values().stream().mapToLong(Long::longValue).sum()).as("gold in the ledger").isEqualTo(f.initialGold);
    }

    /** Players with items and gold, side by side in the open. */
    static final class Fixture {
        final World w;
        final MemoryLedger ledger;
        final List<Player> players = new ArrayList<>();
        final List<FakeLink> links = new ArrayList<>();
        final Set<Long> initialItems;
        final long initialGold;
        /** What the world logs: a message that made a handler throw is logged as "bad message". */
        final ListAppender<ILoggingEvent> log = new ListAppender<>();

        Fixture(World w, MemoryLedger ledger, int n) {
            this.w = w;
            this.ledger = ledger;
            CharacterClass[] classes = CharacterClass.values();
            for (int i = 0; i < n; i++) {
                long id = nextCharacter++;
                for (int s = 0; s < 4; s++) ledger.give(id, KINDS[(i + s) % KINDS.length], ItemPlace.BAG, s * 5);
                ledger.gold.put(id, 50L + i);
                FakeLink link = new FakeLink();
                CharacterClass cls = classes[1 + i % (classes.length - 2)]; // not UNSPECIFIED nor UNRECOGNIZED
                players.add(joinAs(w, ledger, id, "Fuzz" + i, cls, 30 + i, 50, link));
                links.add(link);
            }
            log.start();
            ((Logger) LoggerFactory.getLogger(World.class)).addAppender(log);
            initialItems = new HashSet<>(ledger.items.keySet());
            initialGold = ledger.gold.values().stream().mapToLong(Long::longValue).sum();
            w.tick();
            check();
        }

        void run(List<Step> steps) {
            try {
                play(steps);
            } finally {
                ((Logger) LoggerFactory.getLogger(World.class)).detachAppender(log);
            }
        }

        private void play(List<Step> steps) {
            for (Step s : steps) {
                Player p = players.get(s.player() % players.size());
                p.inbox().offer(s.message()); // a full inbox drops, as a connection's would
                for (int t = 0; t < s.ticks(); t++) {
                    w.tick();
                    check();
                }
            }
            // quiet: every write answered and applied; world and ledger agree
            for (int t = 0; t < 5; t++) w.tick();
            check();
            checkAgainstLedger();
        }

        void check() {
            assertThat(log.list).as("handlers that threw").noneSatisfy(e ->
                    assertThat(e.getFormattedMessage()).startsWith("bad message"));
            Set<Long> held = new HashSet<>();
            for (int i = 0; i < players.size(); i++) {
                Player p = players.get(i);
                assertThat(links.get(i).disconnected).as("%s thrown out", p.name()).isNull();
                assertThat(w.playerByCharacter(p.characterId())).as("%s in the world", p.name()).isSameAs(p);
                assertThat(Float.isFinite(p.x()) && Float.isFinite(p.y())).as("%s at (%s, %s)", p.name(), p.x(), p.y()).isTrue();
                assertThat(w.map().isWalkable(p.x(), p.y())).as("%s on a walkable tile at (%s, %s)", p.name(), p.x(), p.y()).isTrue();
                assertThat(p.health()).as("%s health", p.name()).isBetween(0, p.maxHealth());
                Inventory inv = p.inventory();
                assertThat(inv.gold()).as("%s gold", p.name()).isNotNegative();
                for (Item item : inv.bag) if (item != null) assertThat(held.add(item.id)).as("item %d held twice", item.id).isTrue();
                for (Item item : inv.worn) if (item != null) assertThat(held.add(item.id)).as("item %d held twice", item.id).isTrue();
                for (int s = 0; s < Inventory.WORN_SLOTS; s++) {
                    Item item = inv.worn[s];
                    if (item != null) assertThat(item.def.slot().ordinal()).as("%s worn in slot %d", item.def.id(), s).isEqualTo(s);
                }
            }
            Set<Long> ground = new HashSet<>();
            for (Loot l : w.loot()) {
                if (l.itemId != 0) {
                    assertThat(ground.add(l.itemId)).as("item %d on the ground twice", l.itemId).isTrue();
                    assertThat(held).as("item %d on the ground and held", l.itemId).doesNotContain(l.itemId);
                }
            }
            for (long g : ledger.gold.values()) assertThat(g).as("gold in the ledger").isNotNegative();
        }

        /** What each player holds is what the ledger says it holds, where the ledger says. */
        void checkAgainstLedger() {
            for (Player p : players) {
                Map<String, Long> world = new HashMap<>();
                Inventory inv = p.inventory();
                for (int s = 0; s < Inventory.BAG_SIZE; s++) if (inv.bag[s] != null) world.put("bag " + s, inv.bag[s].id);
                for (int s = 0; s < Inventory.WORN_SLOTS; s++) if (inv.worn[s] != null) world.put("worn " + s, inv.worn[s].id);
                Map<String, Long> db = new HashMap<>();
                for (ItemRow r : ledger.itemsOf(p.characterId())) {
                    String where = (r.place() == ItemPlace.BAG ? "bag " : r.place() == ItemPlace.WORN ? "worn " : r.place() + " ") + r.slot();
                    assertThat(db.put(where, r.id())).as("%s: two items in %s in the ledger", p.name(), where).isNull();
                }
                assertThat(world).as("%s's items, world vs ledger", p.name()).isEqualTo(db);
                assertThat(inv.gold()).as("%s's gold, world vs ledger", p.name()).isEqualTo(ledger.gold.getOrDefault(p.characterId(), 0L));
            }
            Set<Long> ground = new HashSet<>();
            for (Loot l : w.loot()) if (l.itemId != 0) ground.add(l.itemId);
            Set<Long> dbGround = new HashSet<>();
            for (ItemRow r : ledger.items.values()) if (r.place() == ItemPlace.GROUND) dbGround.add(r.id());
            assertThat(ground).as("items on the ground, world vs ledger").isEqualTo(dbGround);
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<List<Step>> anySteps() {
        Arbitrary<ClientMessage> any = Arbitraries.oneOf(input(), chat(), emote(), useAbility(), equip(), unequip(),
                drop(), pickUp(), trade());
        return steps(any, 3).ofMinSize(1).ofMaxSize(60);
    }

    @Provide
    Arbitrary<List<Step>> tradeSteps() {
        Arbitrary<ClientMessage> tradeish = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, trade()),
                net.jqwik.api.Tuple.of(2, equip()),
                net.jqwik.api.Tuple.of(2, unequip()),
                net.jqwik.api.Tuple.of(3, drop()),
                net.jqwik.api.Tuple.of(3, pickUp()),
                net.jqwik.api.Tuple.of(1, input()));
        return steps(tradeish, 2).ofMinSize(1).ofMaxSize(80);
    }

    private static net.jqwik.api.arbitraries.ListArbitrary<Step> steps(Arbitrary<ClientMessage> messages, int players) {
        return Combinators.combine(Arbitraries.integers().between(0, players - 1), messages,
                Arbitraries.integers().between(0, 3)).as(Step::new).list();
    }

    private static Arbitrary<Integer> slots() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, Inventory.BAG_SIZE), FuzzValues.ints());
    }

    private static Arbitrary<ClientMessage> input() {
        return Combinators.combine(FuzzValues.ints(), FuzzValues.floats(), FuzzValues.floats(), FuzzValues.ints())
                .as((seq, dx, dy, rid) -> ClientMessage.newBuilder().setRid(rid)
                        .setInput(Input.newBuilder().setSeq(seq).setDx(dx).setDy(dy)).build());
    }

    private static Arbitrary<ClientMessage> chat() {
        return Combinators.combine(FuzzValues.ints(), FuzzValues.strings(), FuzzValues.strings())
                .as((channel, text, target) -> ClientMessage.newBuilder()
                        .setChat(ChatSend.newBuilder().setChannelValue(Math.floorMod(channel, 6)).setText(text).setTarget(target)).build());
    }

    private static Arbitrary<ClientMessage> emote() {
        return FuzzValues.ints().map(e -> ClientMessage.newBuilder().setEmote(EmoteSend.newBuilder().setEmoteValue(e)).build());
    }

    private static Arbitrary<ClientMessage> useAbility() {
        return FuzzValues.ints().map(t -> ClientMessage.newBuilder().setUseAbility(UseAbility.newBuilder().setTarget(t)).build());
    }

    private static Arbitrary<ClientMessage> equip() {
        return slots().map(s -> ClientMessage.newBuilder().setEquip(Equip.newBuilder().setBagSlot(s)).build());
    }

    private static Arbitrary<ClientMessage> unequip() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 8), FuzzValues.ints())
                .map(s -> ClientMessage.newBuilder().setUnequip(Unequip.newBuilder().setSlotValue(s)).build());
    }

    private static Arbitrary<ClientMessage> drop() {
        return slots().map(s -> ClientMessage.newBuilder().setDropItem(DropItem.newBuilder().setBagSlot(s)).build());
    }

    private static Arbitrary<ClientMessage> pickUp() {
        // loot and players get small ids: mostly something that exists
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 40), FuzzValues.ints())
                .map(e -> ClientMessage.newBuilder().setPickUp(PickUp.newBuilder().setEntity(e)).build());
    }

    private static Arbitrary<ClientMessage> trade() {
        Arbitrary<TradeAction> invite = Arbitraries.oneOf(Arbitraries.integers().between(0, 8), FuzzValues.ints())
                .map(t -> TradeAction.newBuilder().setInvite(t).build());
        Arbitrary<TradeAction> offer = Combinators.combine(slots().list().ofMaxSize(12), Arbitraries.oneOf(
                        Arbitraries.longs().between(0, 60), FuzzValues.longs()))
                .as((s, g) -> TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().addAllBagSlots(s).setGold(g)).build());
        Arbitrary<TradeAction> flag = Arbitraries.of(
                TradeAction.newBuilder().setAccept(true).build(), TradeAction.newBuilder().setAccept(false).build(),
                TradeAction.newBuilder().setConfirm(true).build(), TradeAction.newBuilder().setConfirm(false).build(),
                TradeAction.newBuilder().setCancel(true).build(), TradeAction.getDefaultInstance());
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(2, invite), net.jqwik.api.Tuple.of(3, offer), net.jqwik.api.Tuple.of(4, flag))
                .map(a -> ClientMessage.newBuilder().setTrade(a).build());
    }
}

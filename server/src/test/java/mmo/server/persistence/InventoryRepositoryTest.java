package mmo.server.persistence;

import mmo.server.persistence.Ledger.ItemMove;
import mmo.server.persistence.Ledger.NewItem;
import mmo.server.persistence.Ledger.TradeSide;
import mmo.server.persistence.TestDatabases.Backend;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static mmo.server.persistence.ItemPlace.BAG;
import static mmo.server.persistence.ItemPlace.GROUND;
import static mmo.server.persistence.ItemPlace.WORN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Items, gold and experience on SQLite and PostgreSQL: each change whole or not at all, fenced, race-free. */
class InventoryRepositoryTest {
    private static final byte[] LOOK = {8, 1};
    private static final int MAIN_HAND = 4; // Content.Slot.MAIN_HAND.ordinal()

    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);

    private Database db;
    private AccountRepository accounts;
    private CharacterRepository characters;
    private InventoryRepository inventory;

    /** A character claimed under {@code epoch}, as a world holds it. */
    record Hero(long id, long epoch) {
    }

    private void open(Backend backend) {
        db = dbs.open(backend);
        accounts = new AccountRepository(db);
        characters = new CharacterRepository(db);
        inventory = new InventoryRepository(db);
    }

    private Hero hero(String name) {
        long account = accounts.create(name, "hash").id();
        long id = characters.create(account, name, 0, LOOK, "Testland", 1, 1).id();
        return new Hero(id, characters.claim(id).orElseThrow().epoch());
    }

    private long item(Hero h, String kind, ItemPlace place, int slot) {
        return inventory.create(h.id(), h.epoch(), List.of(new NewItem(kind, place, slot)), 0)[0];
    }

    private long bagItem(Hero h, String kind, int slot) {
        return item(h, kind, BAG, slot);
    }

    private long gold(Hero h) {
        return inventory.load(h.id()).gold();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void createdItemsGoldAndProgressLoadBack(Backend backend) throws SQLException {
        open(backend);
        Hero hero = hero("Hero");
        Hero other = hero("Other");
        assertThat(inventory.load(hero.id())).isEqualTo(Progress.fresh()); // the new columns' defaults

        long[] ids = inventory.create(hero.id(), hero.epoch(), List.of(
                new NewItem("rusty-sword", BAG, 0), new NewItem("cap", BAG, 5), new NewItem("boots", WORN, 3)), 25);
        long[] more = inventory.create(hero.id(), hero.epoch(), List.of(new NewItem("apple", BAG, 1)), 0);
        inventory.addGold(hero.id(), hero.epoch(), 17);
        inventory.progress(hero.id(), hero.epoch(), 7, 1234);

        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        assertThat(ids[0]).isLessThan(ids[1]);
        assertThat(ids[1]).isLessThan(ids[2]);
        assertThat(more[0]).isGreaterThan(ids[2]);
        assertThat(inventory.load(hero.id())).isEqualTo(new Progress(7, 1234, 42, List.of(
                ItemRow.owned(ids[0], "rusty-sword", hero.id(), BAG, 0),
                ItemRow.owned(ids[1], "cap", hero.id(), BAG, 5),
                ItemRow.owned(ids[2], "boots", hero.id(), WORN, 3),
                ItemRow.owned(more[0], "apple", hero.id(), BAG, 1))));
        assertThat(inventory.load(other.id())).isEqualTo(Progress.fresh());
        assertThat(count("SELECT count(*) FROM items")).isEqualTo(4);
        assertThatThrownBy(() -> inventory.load(other.id() + 1000)).isInstanceOf(PersistenceException.class);

        // A taken slot refuses the whole loot, its gold too.
        List<String> before = dump();
        assertThatThrownBy(() -> inventory.create(hero.id(), hero.epoch(),
                List.of(new NewItem("gem", BAG, 9), new NewItem("ring", BAG, 5)), 100))
                .isInstanceOf(ItemConflictException.class).hasMessageContaining("slot 5");
        assertThat(dump()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void equipSwapsABagItemWithTheWornOne(Backend backend) throws SQLException {
        open(backend);
        Hero hero = hero("Hero");
        long worn = item(hero, "rusty-sword", WORN, MAIN_HAND);
        long better = bagItem(hero, "fine-sword", 3);
        long other = bagItem(hero, "apple", 4);

        // Each goes to the other's place: both slots are taken before and after the change.
        inventory.move(hero.id(), hero.epoch(), List.of(new ItemMove(better, WORN, MAIN_HAND), new ItemMove(worn, BAG, 3)));
        assertThat(inventory.load(hero.id()).items()).containsExactly(
                ItemRow.owned(worn, "rusty-sword", hero.id(), BAG, 3),
                ItemRow.owned(better, "fine-sword", hero.id(), WORN, MAIN_HAND),
                ItemRow.owned(other, "apple", hero.id(), BAG, 4));
        // And back, listed the other way round.
        inventory.move(hero.id(), hero.epoch(), List.of(new ItemMove(worn, WORN, MAIN_HAND), new ItemMove(better, BAG, 3)));
        assertThat(inventory.load(hero.id()).items()).containsExactly(
                ItemRow.owned(worn, "rusty-sword", hero.id(), WORN, MAIN_HAND),
                ItemRow.owned(better, "fine-sword", hero.id(), BAG, 3),
                ItemRow.owned(other, "apple", hero.id(), BAG, 4));
        assertThat(count("SELECT count(*) FROM items")).isEqualTo(3);

        // Into a slot that stays taken, or with someone else's item: nothing moves.
        Hero thief = hero("Thief");
        List<String> before = dump();
        assertThatThrownBy(() -> inventory.move(hero.id(), hero.epoch(),
                List.of(new ItemMove(better, BAG, 9), new ItemMove(worn, BAG, 4))))
                .isInstanceOf(ItemConflictException.class).hasMessageContaining("slot 4 is taken");
        assertThatThrownBy(() -> inventory.move(thief.id(), thief.epoch(), List.of(new ItemMove(better, BAG, 0))))
                .isInstanceOf(ItemConflictException.class).hasMessageContaining("item " + better);
        assertThat(dump()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aDroppedItemIsOnTheGroundUntilOnePicksItUp(Backend backend) throws SQLException {
        open(backend);
        Hero dropper = hero("Dropper");
        Hero first = hero("First");
        Hero late = hero("Late");
        long sword = item(dropper, "rusty-sword", WORN, MAIN_HAND);
        long apple = bagItem(dropper, "apple", 0);
        bagItem(late, "cap", 2);

        inventory.drop(dropper.id(), dropper.epoch(), sword, "Testland", 10.5f, 20.25f);
        assertThat(inventory.ground("Testland")).containsExactly(
                new ItemRow(sword, "rusty-sword", 0, GROUND, -1, "Testland", 10.5f, 20.25f));
        assertThat(inventory.ground("Elsewhere")).isEmpty();
        assertThat(inventory.load(dropper.id()).items()).extracting(ItemRow::id).containsExactly(apple);
        // Dropped once: it is not the dropper's any more.
        assertThatThrownBy(() -> inventory.drop(dropper.id(), dropper.epoch(), sword, "Testland", 1, 1))
                .isInstanceOf(ItemConflictException.class);

        inventory.pickUp(first.id(), first.epoch(), sword, 7);
        assertThat(inventory.ground("Testland")).isEmpty();
        assertThat(inventory.load(first.id()).items()).containsExactly(ItemRow.owned(sword, "rusty-sword", first.id(), BAG, 7));

        // Picked up already: the late one gets nothing, the first keeps it.
        List<String> before = dump();
        assertThatThrownBy(() -> inventory.pickUp(late.id(), late.epoch(), sword, 0))
                .isInstanceOf(ItemConflictException.class).hasMessageContaining("not on the ground");
        assertThat(dump()).isEqualTo(before);
        assertThat(count("SELECT count(*) FROM items WHERE id = " + sword)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM items WHERE character_id = " + first.id())).isEqualTo(1);

        // A ground item into a taken slot stays on the ground.
        inventory.drop(first.id(), first.epoch(), sword, "Testland", 3, 4);
        List<String> onGround = dump();
        assertThatThrownBy(() -> inventory.pickUp(late.id(), late.epoch(), sword, 2))
                .isInstanceOf(ItemConflictException.class).hasMessageContaining("slot 2 is taken");
        assertThat(dump()).isEqualTo(onGround);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aTradeMovesItemsAndGoldBothWays(Backend backend) throws SQLException {
        open(backend);
        Hero a = hero("Alice");
        Hero b = hero("Bob");
        inventory.addGold(a.id(), a.epoch(), 500);
        inventory.addGold(b.id(), b.epoch(), 80);
        long a1 = bagItem(a, "sword", 0);
        long a2 = bagItem(a, "shield", 1);
        long keep = bagItem(a, "apple", 2);
        long b1 = bagItem(b, "ring", 0);
        long b2 = bagItem(b, "gem", 1);

        // Bob's slot 0 is where the ring he gives was: every item leaves before any arrives.
        inventory.trade(new TradeSide(a.id(), a.epoch(), List.of(a1, a2), List.of(0, 5), 120),
                new TradeSide(b.id(), b.epoch(), List.of(b1), List.of(0), 30));

        assertThat(inventory.load(a.id())).isEqualTo(new Progress(1, 0, 410, List.of(
                ItemRow.owned(keep, "apple", a.id(), BAG, 2),
                ItemRow.owned(b1, "ring", a.id(), BAG, 0))));
        assertThat(inventory.load(b.id())).isEqualTo(new Progress(1, 0, 170, List.of(
                ItemRow.owned(a1, "sword", b.id(), BAG, 0),
                ItemRow.owned(a2, "shield", b.id(), BAG, 5),
                ItemRow.owned(b2, "gem", b.id(), BAG, 1))));
        assertThat(count("SELECT count(*) FROM items")).isEqualTo(5);
        assertThat(count("SELECT sum(gold) FROM characters")).isEqualTo(580);

        // Gold only, one way.
        inventory.trade(new TradeSide(a.id(), a.epoch(), List.of(), List.of(), 410),
                new TradeSide(b.id(), b.epoch(), List.of(), List.of(), 0));
        assertThat(gold(a)).isZero();
        assertThat(gold(b)).isEqualTo(580);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aTradeWithAnItemNoLongerOwnedChangesNothing(Backend backend) throws SQLException {
        open(backend);
        Hero a = hero("Alice");
        Hero b = hero("Bob");
        inventory.addGold(a.id(), a.epoch(), 300);
        inventory.addGold(b.id(), b.epoch(), 200);
        long a1 = bagItem(a, "sword", 0);
        long gone = bagItem(a, "shield", 1);
        long worn = item(a, "helmet", WORN, 0);
        long b1 = bagItem(b, "ring", 0);
        inventory.drop(a.id(), a.epoch(), gone, "Testland", 1, 1);
        List<String> before = dump();

        // The missing item comes after the gold and another item were moved: all of it rolls back.
        assertThatThrownBy(() -> inventory.trade(
                new TradeSide(a.id(), a.epoch(), List.of(a1, gone), List.of(3, 4), 100),
                new TradeSide(b.id(), b.epoch(), List.of(b1), List.of(6), 50)))
                .isInstanceOf(ItemConflictException.class).hasMessageContaining("item " + gone);
        // A worn item is not in the bag, so it cannot be traded either.
        assertThatThrownBy(() -> inventory.trade(
                new TradeSide(a.id(), a.epoch(), List.of(a1), List.of(3), 0),
                new TradeSide(b.id(), b.epoch(), List.of(b1, worn), List.of(6, 7), 0)))
                .isInstanceOf(ItemConflictException.class).hasMessageContaining("item " + worn);
        // Nor Bob's own item given as if Alice's.
        assertThatThrownBy(() -> inventory.trade(
                new TradeSide(a.id(), a.epoch(), List.of(b1), List.of(3), 0),
                new TradeSide(b.id(), b.epoch(), List.of(), List.of(), 0)))
                .isInstanceOf(ItemConflictException.class);
        assertThat(dump()).isEqualTo(before);

        // A destination slot that stays taken.
        inventory.trade(new TradeSide(a.id(), a.epoch(), List.of(a1), List.of(3), 10),
                new TradeSide(b.id(), b.epoch(), List.of(), List.of(), 0));
        long a3 = bagItem(a, "bow", 8);
        List<String> withBow = dump();
        assertThatThrownBy(() -> inventory.trade(
                new TradeSide(a.id(), a.epoch(), List.of(a3), List.of(3), 10),
                new TradeSide(b.id(), b.epoch(), List.of(), List.of(), 0)))
                .isInstanceOf(ItemConflictException.class).hasMessageContaining("slot 3 is taken");
        assertThat(dump()).isEqualTo(withBow);
        assertThat(gold(a)).isEqualTo(290);
        assertThat(gold(b)).isEqualTo(210);
        assertThat(count("SELECT count(*) FROM items")).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aTradeWithoutTheGoldChangesNothing(Backend backend) throws SQLException {
        open(backend);
        Hero a = hero("Alice");
        Hero b = hero("Bob");
        inventory.addGold(a.id(), a.epoch(), 99);
        inventory.addGold(b.id(), b.epoch(), 1000);
        long a1 = bagItem(a, "sword", 0);
        long b1 = bagItem(b, "ring", 0);
        List<String> before = dump();

        // Bob (checked first or second, depending on ids) has enough; Alice does not.
        assertThatThrownBy(() -> inventory.trade(
                new TradeSide(b.id(), b.epoch(), List.of(b1), List.of(1), 1000),
                new TradeSide(a.id(), a.epoch(), List.of(a1), List.of(1), 100)))
                .isInstanceOf(ItemConflictException.class).hasMessageContaining("character " + a.id());
        assertThatThrownBy(() -> inventory.trade(
                new TradeSide(a.id(), a.epoch(), List.of(a1), List.of(1), 100),
                new TradeSide(b.id(), b.epoch(), List.of(b1), List.of(1), 1)))
                .isInstanceOf(ItemConflictException.class);

        assertThat(dump()).isEqualTo(before);
        assertThat(count("SELECT sum(gold) FROM characters")).isEqualTo(1099);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aChangeUnderAnOldEpochIsFencedAndChangesNothing(Backend backend) throws SQLException {
        open(backend);
        Hero a = hero("Alice");
        Hero b = hero("Bob");
        inventory.addGold(a.id(), a.epoch(), 50);
        inventory.addGold(b.id(), b.epoch(), 50);
        long sword = bagItem(a, "sword", 0);
        long ring = bagItem(b, "ring", 0);
        long onGround = bagItem(b, "gem", 1);
        inventory.drop(b.id(), b.epoch(), onGround, "Testland", 1, 1);
        long newer = characters.claim(a.id()).orElseThrow().epoch(); // another node took Alice
        List<String> before = dump();

        List<Runnable> stale = List.of(
                () -> inventory.create(a.id(), a.epoch(), List.of(new NewItem("gem", BAG, 9)), 0),
                () -> inventory.create(a.id(), a.epoch(), List.of(new NewItem("gem", BAG, 9)), 10),
                () -> inventory.addGold(a.id(), a.epoch(), 10),
                () -> inventory.move(a.id(), a.epoch(), List.of(new ItemMove(sword, WORN, MAIN_HAND))),
                () -> inventory.drop(a.id(), a.epoch(), sword, "Testland", 2, 2),
                () -> inventory.pickUp(a.id(), a.epoch(), onGround, 3),
                () -> inventory.progress(a.id(), a.epoch(), 9, 900),
                () -> inventory.trade(new TradeSide(a.id(), a.epoch(), List.of(sword), List.of(5), 10),
                        new TradeSide(b.id(), b.epoch(), List.of(ring), List.of(5), 10)),
                () -> inventory.trade(new TradeSide(b.id(), b.epoch(), List.of(ring), List.of(5), 10),
                        new TradeSide(a.id(), a.epoch(), List.of(sword), List.of(5), 10)));
        for (Runnable change : stale) {
            assertThatThrownBy(change::run).isInstanceOfSatisfying(FencedException.class, e -> {
                assertThat(e.characterIds()).containsExactly(a.id());
                assertThat(e.rejected().get(0).state().epoch()).isEqualTo(a.epoch());
                assertThat(e.rejected().get(0).currentEpoch()).isEqualTo(newer);
            });
        }
        assertThat(dump()).isEqualTo(before);

        // Both sides fenced: both are named. A character that does not exist is fenced too.
        long newerB = characters.claim(b.id()).orElseThrow().epoch();
        assertThatThrownBy(() -> inventory.trade(new TradeSide(a.id(), a.epoch(), List.of(), List.of(), 0),
                new TradeSide(b.id(), b.epoch(), List.of(), List.of(), 0)))
                .isInstanceOfSatisfying(FencedException.class, e -> assertThat(e.characterIds())
                        .containsExactlyInAnyOrder(a.id(), b.id()));
        assertThatThrownBy(() -> inventory.addGold(b.id() + 1000, 1, 10))
                .isInstanceOfSatisfying(FencedException.class, e -> assertThat(e.rejected().get(0).currentEpoch()).isEqualTo(-1));

        // Under the new claims the same changes apply.
        inventory.trade(new TradeSide(a.id(), newer, List.of(sword), List.of(5), 10),
                new TradeSide(b.id(), newerB, List.of(ring), List.of(5), 0));
        assertThat(inventory.load(b.id())).isEqualTo(new Progress(1, 0, 60, List.of(ItemRow.owned(sword, "sword", b.id(), BAG, 5))));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void twoTradesRacingForOneItemLetExactlyOneHaveIt(Backend backend) throws Exception {
        open(backend);
        Hero seller = hero("Seller");
        Hero[] buyers = {hero("Buyer0"), hero("Buyer1")};
        for (Hero buyer : buyers) inventory.addGold(buyer.id(), buyer.epoch(), 1_000);
        for (int round = 0; round < 25; round++) {
            long item = bagItem(seller, "sword", round);
            long[] goldBefore = {gold(seller), gold(buyers[0]), gold(buyers[1])};
            int price0 = 10 + round;
            int price1 = 20 + round;
            int toSlot = 100 + round;

            Concurrently.Outcome<Integer> out = Concurrently.run(2, i -> {
                Hero buyer = buyers[i];
                inventory.trade(new TradeSide(seller.id(), seller.epoch(), List.of(item), List.of(toSlot), 0),
                        new TradeSide(buyer.id(), buyer.epoch(), List.of(), List.of(), i == 0 ? price0 : price1));
                return i;
            }, Duration.ofSeconds(30));

            assertThat(out.successes()).as("round %d", round).hasSize(1);
            assertThat(out.failures()).hasSize(1).allMatch(e -> e instanceof ItemConflictException);
            int winner = out.successes().get(0);
            Hero buyer = buyers[winner];
            int price = winner == 0 ? price0 : price1;
            assertThat(count("SELECT count(*) FROM items WHERE id = " + item)).isEqualTo(1);
            assertThat(count("SELECT character_id FROM items WHERE id = " + item)).isEqualTo(buyer.id());
            assertThat(gold(seller)).isEqualTo(goldBefore[0] + price);
            assertThat(gold(buyer)).isEqualTo(goldBefore[1 + winner] - price);
            assertThat(gold(buyers[1 - winner])).isEqualTo(goldBefore[2 - winner]);
            assertThat(count("SELECT sum(gold) FROM characters")).isEqualTo(2_000);
            assertThat(count("SELECT count(*) FROM items")).isEqualTo(round + 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void twoPickUpsRacingForOneItemLetExactlyOneHaveIt(Backend backend) throws Exception {
        open(backend);
        Hero dropper = hero("Dropper");
        Hero[] pickers = {hero("Picker0"), hero("Picker1")};
        for (int round = 0; round < 25; round++) {
            long item = bagItem(dropper, "apple", 0);
            inventory.drop(dropper.id(), dropper.epoch(), item, "Testland", round, round);
            int slot = round;

            Concurrently.Outcome<Integer> out = Concurrently.run(2, i -> {
                inventory.pickUp(pickers[i].id(), pickers[i].epoch(), item, slot);
                return i;
            }, Duration.ofSeconds(30));

            assertThat(out.successes()).as("round %d", round).hasSize(1);
            assertThat(out.failures()).hasSize(1).allMatch(e -> e instanceof ItemConflictException);
            Hero winner = pickers[out.successes().get(0)];
            assertThat(count("SELECT count(*) FROM items WHERE id = " + item)).isEqualTo(1);
            assertThat(count("SELECT character_id FROM items WHERE id = " + item)).isEqualTo(winner.id());
            assertThat(inventory.ground("Testland")).isEmpty();
        }
        assertThat(count("SELECT count(*) FROM items")).isEqualTo(25);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void tradesBothWaysBetweenTwoCharactersAtOnceBothApply(Backend backend) throws Exception {
        open(backend);
        Hero a = hero("Alice");
        Hero b = hero("Bob");
        inventory.addGold(a.id(), a.epoch(), 1_000);
        inventory.addGold(b.id(), b.epoch(), 1_000);
        for (int round = 0; round < 10; round++) {
            long fromA = bagItem(a, "sword", 2 * round);
            long fromB = bagItem(b, "ring", 2 * round + 1);
            int r = round;
            // Listed a-first by one thread and b-first by the other: the rows are locked in id
            // order, so neither waits for the other forever (PostgreSQL would abort one).
            Concurrently.Outcome<Integer> out = Concurrently.run(2, i -> {
                TradeSide giveA = new TradeSide(a.id(), a.epoch(), List.of(fromA), List.of(2 * r), 7);
                TradeSide giveB = new TradeSide(b.id(), b.epoch(), List.of(fromB), List.of(2 * r + 1), 3);
                TradeSide none = new TradeSide(i == 0 ? b.id() : a.id(), i == 0 ? b.epoch() : a.epoch(), List.of(), List.of(), 0);
                if (i == 0) inventory.trade(giveA, none); else inventory.trade(giveB, none);
                return i;
            }, Duration.ofSeconds(30));

            assertThat(out.failures()).as("round %d", round).isEmpty();
            assertThat(count("SELECT character_id FROM items WHERE id = " + fromA)).isEqualTo(b.id());
            assertThat(count("SELECT character_id FROM items WHERE id = " + fromB)).isEqualTo(a.id());
        }
        assertThat(gold(a)).isEqualTo(1_000 - 10 * 7 + 10 * 3);
        assertThat(gold(b)).isEqualTo(1_000 + 10 * 7 - 10 * 3);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void goldAndExperienceAre64Bit(Backend backend) throws SQLException {
        open(backend);
        Hero a = hero("Alice");
        Hero b = hero("Bob");
        long lots = 5_000_000_000_000L;
        inventory.create(a.id(), a.epoch(), List.of(), lots);
        inventory.progress(a.id(), a.epoch(), 80, 3_000_000_000L);
        inventory.trade(new TradeSide(a.id(), a.epoch(), List.of(), List.of(), 4_000_000_000_000L),
                new TradeSide(b.id(), b.epoch(), List.of(), List.of(), 0));
        assertThat(inventory.load(a.id())).isEqualTo(new Progress(80, 3_000_000_000L, 1_000_000_000_000L, List.of()));
        assertThat(gold(b)).isEqualTo(4_000_000_000_000L);

        inventory.addGold(b.id(), b.epoch(), Long.MAX_VALUE - 4_000_000_000_000L);
        assertThat(gold(b)).isEqualTo(Long.MAX_VALUE);
        // One more coin would pass a long: refused, not wrapped or turned into a float.
        List<String> before = dump();
        assertThatThrownBy(() -> inventory.addGold(b.id(), b.epoch(), 1)).isInstanceOf(ItemConflictException.class);
        assertThatThrownBy(() -> inventory.create(b.id(), b.epoch(), List.of(new NewItem("gem", BAG, 0)), 1))
                .isInstanceOf(ItemConflictException.class);
        assertThatThrownBy(() -> inventory.trade(new TradeSide(a.id(), a.epoch(), List.of(), List.of(), 1),
                new TradeSide(b.id(), b.epoch(), List.of(), List.of(), 0))).isInstanceOf(ItemConflictException.class);
        assertThat(dump()).isEqualTo(before);
        assertThat(gold(b)).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theSchemaItselfRefusesSharedSlotsOwnedGroundItemsAndNegativeGold(Backend backend) throws SQLException {
        open(backend);
        Hero a = hero("Alice");
        bagItem(a, "sword", 0);
        String insert = "INSERT INTO items (kind, character_id, place, slot, world, created_at) VALUES ";
        for (String sql : List.of(
                insert + "('copy', " + a.id() + ", 'B', 0, NULL, 0)",          // slot taken
                insert + "('odd', " + a.id() + ", 'G', -1, 'Testland', 0)",    // on the ground with an owner
                insert + "('odd', NULL, 'B', 1, NULL, 0)",                     // owned by no one
                insert + "('odd', NULL, 'G', -1, NULL, 0)",                    // on the ground nowhere
                insert + "('odd', " + a.id() + ", 'X', 1, NULL, 0)",           // no such place
                "UPDATE characters SET gold = -1 WHERE id = " + a.id())) {
            assertThatThrownBy(() -> execute(sql)).as(sql).isInstanceOf(SQLException.class);
        }
        // Two items on the ground may share everything but their id.
        execute(insert + "('coin', NULL, 'G', -1, 'Testland', 0)");
        execute(insert + "('coin', NULL, 'G', -1, 'Testland', 0)");
        assertThat(inventory.ground("Testland")).hasSize(2);
        // A character's items go with it.
        execute("DELETE FROM characters WHERE id = " + a.id());
        assertThat(count("SELECT count(*) FROM items")).isEqualTo(2);
    }

    // ------------------------------------------------------------------ helpers

    private void execute(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    /** Every item and every character's epoch and progress, as text: equal dumps mean nothing changed. */
    private List<String> dump() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id, kind, character_id, place, slot, world, x, y FROM items ORDER BY id")) {
                while (rs.next()) {
                    out.add("item " + rs.getLong(1) + " " + rs.getString(2) + " " + rs.getObject(3) + " " + rs.getString(4)
                            + " " + rs.getInt(5) + " " + rs.getString(6) + " " + rs.getObject(7) + " " + rs.getObject(8));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT id, epoch, level, xp, gold FROM characters ORDER BY id")) {
                while (rs.next()) {
                    out.add("character " + rs.getLong(1) + " epoch " + rs.getLong(2) + " level " + rs.getInt(3)
                            + " xp " + rs.getLong(4) + " gold " + rs.getLong(5));
                }
            }
        }
        return out;
    }
}

package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ClientMessage;
import mmo.protocol.DropItem;
import mmo.protocol.EntityEvent;
import mmo.protocol.EntityKind;
import mmo.protocol.EquipSlot;
import mmo.protocol.Equip;
import mmo.protocol.ErrorCode;
import mmo.protocol.PickUp;
import mmo.protocol.ServerMessage;
import mmo.protocol.Unequip;
import mmo.protocol.UseAbility;
import mmo.server.game.content.Content;
import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.ItemRow;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tick-stepped tests of the game: creatures' AI, abilities (range, cooldown, line of sight),
 * damage, death, experience and levels, loot, equipment seen by viewers, death and revival at
 * home. On the 64 x 64 test map (a wall at x = 20 for y < 40; homes in the corners).
 */
class GameTest {
    static final Content BASE = Content.loadDefault();

    static Content withSpawns(Content.SpawnDef... spawns) {
        return new Content(BASE.classes(), BASE.items(), BASE.creatures(), java.util.Map.of("test", List.of(spawns)));
    }

    static World gameWorld(MemoryLedger ledger, Content.SpawnDef... spawns) {
        World w = TestWorlds.world(new TestWorlds.RecordingSaver());
        w.setGame(withSpawns(spawns), ledger, 7);
        return w;
    }

    private static long nextCharacter = 500;

    static Player join(World w, MemoryLedger ledger, String name, CharacterClass cls, float x, float y, FakeLink link) {
        long id = nextCharacter++;
        return joinAs(w, ledger, id, name, cls, x, y, link);
    }

    static Player joinAs(World w, MemoryLedger ledger, long id, String name, CharacterClass cls, float x, float y, FakeLink link) {
        var progress = ledger.load(id).join();
        return w.join(new World.JoinRequest(id, 0, id, name, cls, Appearance.getDefaultInstance(), x, y, link,
                new Inbox(128), 0, CharacterSummary.newBuilder().setId(id).setName(name).build(), 0, progress));
    }

    static void send(Player p, ClientMessage.Builder m) {
        if (!p.inbox().offer(m.build())) throw new AssertionError("inbox full");
    }

    static void use(Player p, int target, int rid) {
        send(p, ClientMessage.newBuilder().setRid(rid).setUseAbility(UseAbility.newBuilder().setTarget(target)));
    }

    static List<EntityEvent> events(FakeLink link) {
        return link.updates().stream().flatMap(u -> u.getEventsList().stream()).toList();
    }

    static List<mmo.protocol.Error> errors(FakeLink link) {
        return link.delivered.stream().filter(ServerMessage::hasError).map(ServerMessage::getError).toList();
    }

    static void ticks(World w, int n) {
        for (int i = 0; i < n; i++) w.tick();
    }

    static final Content.SpawnDef WOLF = new Content.SpawnDef("wolf", 27, 20, 1, 1, "test");

    @Test
    void aCreatureNoticesAPlayerChasesItAndBites() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger, WOLF);
        Creature wolf = w.creatures().get(0);
        assertThat(wolf.id()).isEqualTo(1);
        FakeLink link = new FakeLink();
        Player p = join(w, ledger, "Bait", CharacterClass.WARRIOR, wolf.x() + 5, wolf.y(), link);
        int full = p.health();
        ticks(w, 60);
        assertThat(wolf.state()).isEqualTo(Creature.State.CHASE);
        float d = (float) Math.hypot(wolf.x() - p.x(), wolf.y() - p.y());
        assertThat(d).as("it came to bite").isLessThanOrEqualTo(wolf.def().attackRange());
        assertThat(p.health()).isLessThan(full);
        assertThat(events(link)).anySatisfy(e -> {
            assertThat(e.getId()).isEqualTo(p.id());
            assertThat(e.getHit().getSource()).isEqualTo(wolf.id());
            assertThat(e.getHit().getAmount()).isPositive();
        });
        // the client saw the wolf enter as a creature with its health
        assertThat(link.updates().stream().flatMap(u -> u.getEntersList().stream()))
                .anySatisfy(e -> {
                    assertThat(e.getKind()).isEqualTo(EntityKind.ENTITY_CREATURE);
                    assertThat(e.getCreature()).isEqualTo("wolf");
                    assertThat(e.getMaxHealth()).isEqualTo(wolf.def().health());
                });
    }

    @Test
    void aCreatureLedPastItsLeashGoesHomeAndHeals() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger, WOLF);
        Creature wolf = w.creatures().get(0);
        float homeX = wolf.x(), homeY = wolf.y();
        FakeLink link = new FakeLink();
        Player p = join(w, ledger, "Runner", CharacterClass.RANGER, wolf.x() + 6, wolf.y(), link);
        ticks(w, 8);
        assertThat(wolf.state()).isEqualTo(Creature.State.CHASE);
        wolf.health = 10; // hurt
        // run south, faster than the leash allows it to follow
        for (int i = 0; i < 400 && wolf.state() != Creature.State.RETURN; i++) {
            p.x = Math.min(60, p.x + 0.5f);
            p.y = Math.min(60, p.y + 0.5f);
            w.tick();
        }
        assertThat(wolf.state()).isEqualTo(Creature.State.RETURN);
        ticks(w, 400);
        assertThat(wolf.state()).isIn(Creature.State.IDLE, Creature.State.WANDER);
        assertThat(Math.hypot(wolf.x() - homeX, wolf.y() - homeY)).isLessThan(wolf.def().leash());
        assertThat(wolf.health()).isEqualTo(wolf.def().health());
    }

    @Test
    void abilitiesCheckRangeCooldownAndLineOfSight() {
        MemoryLedger ledger = new MemoryLedger();
        // the wolf sits at (27, 20); a mage west of the wall at x = 20 has it in range but not in sight
        World w = gameWorld(ledger, WOLF);
        Creature wolf = w.creatures().get(0);
        FakeLink link = new FakeLink();
        Player mage = join(w, ledger, "Mage", CharacterClass.MAGE, 18.5f, wolf.y(), link);
        w.tick();
        use(mage, wolf.id(), 1);
        w.tick();
        assertThat(errors(link)).extracting(mmo.protocol.Error::getMessage).contains("No line of sight");
        // out of range (9 for a firebolt), in the open south of the wall
        mage.x = wolf.x();
        mage.y = wolf.y() + 15;
        use(mage, wolf.id(), 2);
        w.tick();
        assertThat(errors(link)).extracting(mmo.protocol.Error::getMessage).contains("Out of range");
        mage.y = wolf.y() + 6;
        use(mage, wolf.id(), 3);
        use(mage, wolf.id(), 4); // same tick: still cooling down
        w.tick();
        assertThat(errors(link)).filteredOn(e -> e.getCode() == ErrorCode.ABILITY_REFUSED)
                .extracting(mmo.protocol.Error::getMessage).contains("Firebolt is not ready");
        assertThat(wolf.health()).isLessThan(wolf.def().health());
        assertThat(events(link)).anySatisfy(e -> assertThat(e.getAttack().getAbility()).isEqualTo("Firebolt"));
        // cooldown of 2.5 s = 50 ticks: allowed again after it
        int before = wolf.health();
        ticks(w, 50);
        use(mage, wolf.id(), 5);
        w.tick();
        assertThat(wolf.health() < before || wolf.dead()).isTrue();
    }

    @Test
    void killingACreatureGivesExperienceLootAndItComesBack() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger, WOLF);
        Creature wolf = w.creatures().get(0);
        FakeLink link = new FakeLink(), watcherLink = new FakeLink();
        Player warrior = join(w, ledger, "Killer", CharacterClass.WARRIOR, wolf.x() + 1, wolf.y(), link);
        join(w, ledger, "Watcher", CharacterClass.HEALER, wolf.x() + 4, wolf.y() + 4, watcherLink);
        for (int i = 0; i < 400 && !wolf.dead(); i++) {
            if (i % 31 == 0) use(warrior, wolf.id(), 0);
            warrior.x = wolf.x() + 1; // stay in reach while it moves
            warrior.y = wolf.y();
            w.tick();
        }
        assertThat(wolf.dead()).isTrue();
        w.tick(); // the experience is the warrior's once written
        assertThat(warrior.xp()).isEqualTo(wolf.def().xp());
        assertThat(ledger.progress.get(warrior.characterId())).containsExactly(1, wolf.def().xp());
        // the watcher saw the hits and the death
        assertThat(events(watcherLink)).anySatisfy(e -> assertThat(e.getId()).isEqualTo(wolf.id()))
                .anySatisfy(e -> assertThat(e.hasDeath()).isTrue());
        // a gold pile at least (wolves drop 1..5 gold), owned by the killer
        assertThat(w.loot()).anySatisfy(l -> {
            assertThat(l.gold).isBetween(1L, 5L);
            assertThat(l.owner).isEqualTo(warrior.characterId());
        });
        // back after its respawn time (30 s), alive at full health
        ticks(w, 30 * 20 + 1);
        assertThat(wolf.dead()).isFalse();
        assertThat(wolf.health()).isEqualTo(wolf.def().health());
    }

    @Test
    void experienceRaisesLevelsHealthAndTellsViewers() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        FakeLink link = new FakeLink(), viewer = new FakeLink();
        Player p = join(w, ledger, "Learner", CharacterClass.WARRIOR, 30, 50, link);
        join(w, ledger, "Viewer", CharacterClass.MAGE, 32, 50, viewer);
        w.tick();
        int health1 = p.maxHealth();
        w.execute(() -> w.gameForTests().grantXp(p, 160)); // past level 2 (50) and 3 (150)
        w.tick();
        assertThat(p.level()).isEqualTo(3);
        assertThat(p.maxHealth()).isEqualTo(health1 + 2 * BASE.classes().get(CharacterClass.WARRIOR).healthPerLevel());
        assertThat(events(viewer)).anySatisfy(e -> {
            assertThat(e.getId()).isEqualTo(p.id());
            assertThat(e.getLevelUp().getLevel()).isEqualTo(3);
        });
        assertThat(link.delivered.stream().filter(ServerMessage::hasStats).reduce((a, b) -> b).orElseThrow().getStats())
                .satisfies(s -> {
                    assertThat(s.getLevel()).isEqualTo(3);
                    assertThat(s.getXp()).isEqualTo(160);
                    assertThat(s.getXpNext()).isEqualTo(Game.xpForLevel(4));
                });
        assertThat(ledger.progress.get(p.characterId())).containsExactly(3, 160);
    }

    @Test
    void experienceIsHadAndToldOnlyOnceWritten() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        FakeLink link = new FakeLink(), viewer = new FakeLink();
        Player p = join(w, ledger, "Patient", CharacterClass.WARRIOR, 30, 50, link);
        join(w, ledger, "Viewer", CharacterClass.MAGE, 32, 50, viewer);
        w.tick();
        ledger.immediate = false; // the database is slow
        w.execute(() -> w.gameForTests().grantXp(p, 40));
        w.execute(() -> w.gameForTests().grantXp(p, 20)); // past level 2 (50), the first still being written
        ticks(w, 3);
        // a crash now loses nothing the player was told: it has not got it yet
        assertThat(p.xp()).isZero();
        assertThat(p.level()).isEqualTo(1);
        assertThat(link.delivered.stream().filter(ServerMessage::hasStats)).allSatisfy(m -> assertThat(m.getStats().getXp()).isZero());
        assertThat(events(viewer)).noneSatisfy(e -> assertThat(e.hasLevelUp()).isTrue());
        assertThat(ledger.pendingCount()).isEqualTo(2);

        ledger.complete();
        w.tick();
        // each write held everything granted before it
        assertThat(ledger.progress.get(p.characterId())).containsExactly(2, 60);
        assertThat(p.xp()).isEqualTo(60);
        assertThat(p.level()).isEqualTo(2);
        assertThat(link.delivered.stream().filter(ServerMessage::hasStats).reduce((a, b) -> b).orElseThrow().getStats().getXp())
                .isEqualTo(60);
        assertThat(events(viewer)).anySatisfy(e -> assertThat(e.getLevelUp().getLevel()).isEqualTo(2));
    }

    @Test
    void equippingIsSeenByViewersAndLiveChangesReachThem() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        long id = 9001;
        long cap = ledger.give(id, "leather-cap", ItemPlace.BAG, 0);
        FakeLink link = new FakeLink(), viewer = new FakeLink();
        Player p = joinAs(w, ledger, id, "Dresser", CharacterClass.WARRIOR, 30, 50, link);
        join(w, ledger, "Onlooker", CharacterClass.MAGE, 33, 50, viewer);
        w.tick();
        send(p, ClientMessage.newBuilder().setEquip(Equip.newBuilder().setBagSlot(0)));
        w.tick();
        assertThat(events(viewer)).anySatisfy(e -> {
            assertThat(e.getId()).isEqualTo(p.id());
            assertThat(e.getEquipment().getHead()).isEqualTo("leather-cap");
        });
        assertThat(ledger.items.get(cap)).isEqualTo(ItemRow.owned(cap, "leather-cap", id, ItemPlace.WORN, Content.Slot.HEAD.ordinal()));
        // a newcomer sees it on entering
        FakeLink late = new FakeLink();
        join(w, ledger, "Latecomer", CharacterClass.RANGER, 28, 50, late);
        w.tick();
        assertThat(late.lastUpdate().getEntersList()).anySatisfy(e -> {
            assertThat(e.getId()).isEqualTo(p.id());
            assertThat(e.getEquipment().getHead()).isEqualTo("leather-cap");
        });
        send(p, ClientMessage.newBuilder().setUnequip(Unequip.newBuilder().setSlot(EquipSlot.HEAD)));
        w.tick();
        assertThat(viewer.lastUpdate().getEventsList()).anySatisfy(e -> assertThat(e.getEquipment().getHead()).isEmpty());
        assertThat(ledger.items.get(cap).place()).isEqualTo(ItemPlace.BAG);
    }

    @Test
    void anEquipNotWrittenWhileTheDatabaseIsDownIsUndoneOnceItCanBeReadAgain() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        long id = 9010;
        long cap = ledger.give(id, "leather-cap", ItemPlace.BAG, 0);
        FakeLink link = new FakeLink();
        Player p = joinAs(w, ledger, id, "Dresser", CharacterClass.WARRIOR, 30, 50, link);
        w.tick();
        ledger.down = true;
        send(p, ClientMessage.newBuilder().setEquip(Equip.newBuilder().setBagSlot(0)));
        w.tick();
        // shown worn at once (written behind); the write failed, and so did reading the inventory again
        assertThat(lastInventory(link).getWornList()).extracting(worn -> worn.getItem().getId()).containsExactly(cap);
        for (int i = 0; i < 3 * Game.RELOAD_RETRY_SECONDS * 20; i++) w.tick();
        assertThat(lastInventory(link).getWornList()).as("nothing read while the database is down").isNotEmpty();

        ledger.down = false;
        for (int i = 0; i < Game.RELOAD_RETRY_SECONDS * 20 + 2; i++) w.tick();
        assertThat(ledger.items.get(cap).place()).isEqualTo(ItemPlace.BAG);
        mmo.protocol.Inventory shown = lastInventory(link);
        assertThat(shown.getWornList()).as("what is stored, shown again").isEmpty();
        assertThat(shown.getBagList()).extracting(s -> s.getItem().getId()).containsExactly(cap);
    }

    private static mmo.protocol.Inventory lastInventory(FakeLink link) {
        return link.delivered.stream().filter(ServerMessage::hasInventory).reduce((a, b) -> b).orElseThrow().getInventory();
    }

    @Test
    void theInventoryOfAJoiningPlayerComesAfterWorldEntered() {
        // the browser starts listening for in-world messages when WorldEntered arrives
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        long id = 9002;
        ledger.give(id, "leather-cap", ItemPlace.BAG, 0);
        FakeLink link = new FakeLink();
        joinAs(w, ledger, id, "Newcomer", CharacterClass.WARRIOR, 30, 50, link);
        w.tick();
        List<ServerMessage.MsgCase> order = link.delivered.stream().map(ServerMessage::getMsgCase)
                .filter(c -> c == ServerMessage.MsgCase.WORLD_ENTERED || c == ServerMessage.MsgCase.INVENTORY).toList();
        assertThat(order).containsExactly(ServerMessage.MsgCase.WORLD_ENTERED, ServerMessage.MsgCase.INVENTORY);
        assertThat(link.delivered.stream().filter(ServerMessage::hasInventory).findFirst().orElseThrow()
                .getInventory().getBag(0).getItem().getKind()).isEqualTo("leather-cap");
    }

    @Test
    void lootIsOnlyAddedOnceWrittenAndTwoPlayersCannotBothTakeIt() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        FakeLink la = new FakeLink(), lb = new FakeLink();
        Player a = join(w, ledger, "Quick", CharacterClass.WARRIOR, 30, 50, la);
        Player b = join(w, ledger, "Slow", CharacterClass.MAGE, 31, 50, lb);
        w.tick();
        w.execute(() -> w.gameForTests().spawnLoot(30.5f, 50.5f, BASE.item("rusty-sword"), 0, 0, 0, 0, Integer.MAX_VALUE));
        w.tick();
        Loot sword = w.loot().get(0);
        ledger.immediate = false; // the database answers when the test says so
        send(a, ClientMessage.newBuilder().setPickUp(PickUp.newBuilder().setEntity(sword.id())));
        send(b, ClientMessage.newBuilder().setPickUp(PickUp.newBuilder().setEntity(sword.id())).setRid(7));
        w.tick();
        assertThat(a.inventory().count()).as("not before it is written").isZero();
        assertThat(errors(lb)).extracting(mmo.protocol.Error::getMessage).contains("Someone is picking that up");
        ledger.complete();
        w.tick();
        assertThat(a.inventory().bag(0).def().id()).isEqualTo("rusty-sword");
        assertThat(ledger.itemsOf(a.characterId())).singleElement().satisfies(r -> assertThat(r.kind()).isEqualTo("rusty-sword"));
        assertThat(w.loot()).isEmpty();
        assertThat(events(lb)).anySatisfy(e -> assertThat(e.getPickedUp().getWhat()).isEqualTo("Rusty sword"));
        // dropped: it lies there under its own id; the other player takes it
        ledger.immediate = true;
        send(a, ClientMessage.newBuilder().setDropItem(DropItem.newBuilder().setBagSlot(0)));
        w.tick();
        w.tick();
        assertThat(a.inventory().count()).isZero();
        Loot dropped = w.loot().get(0);
        long itemId = ledger.items.keySet().iterator().next();
        assertThat(dropped.itemId).isEqualTo(itemId);
        send(b, ClientMessage.newBuilder().setPickUp(PickUp.newBuilder().setEntity(dropped.id())));
        w.tick();
        w.tick();
        assertThat(b.inventory().count()).isEqualTo(1);
        assertThat(ledger.items).hasSize(1);
        assertThat(ledger.items.get(itemId).characterId()).isEqualTo(b.characterId());
    }

    @Test
    void aKilledPlayerIsRevivedInItsClassHome() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger, WOLF);
        Creature wolf = w.creatures().get(0);
        FakeLink link = new FakeLink();
        Player p = join(w, ledger, "Victim", CharacterClass.MAGE, wolf.x() + 1, wolf.y(), link);
        for (int i = 0; i < 4000 && !p.dead(); i++) w.tick();
        assertThat(p.dead()).isTrue();
        assertThat(events(link)).anySatisfy(e -> assertThat(e.getDeath().getKiller()).isEqualTo(wolf.id()));
        ticks(w, 5 * 20 + 1);
        assertThat(p.dead()).isFalse();
        assertThat(p.health()).isEqualTo(p.maxHealth());
        // the mages' home on the test map: (40..48, 5..13)
        assertThat(p.x()).isBetween(40f, 48f);
        assertThat(p.y()).isBetween(5f, 13f);
        assertThat(events(link)).anySatisfy(e -> assertThat(e.hasRevive()).isTrue());
    }

    @Test
    void aJoinReadsTheItemsFirstAndIsDroppedIfTheClientLeftMeanwhile() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        ledger.give(9100, "boots", ItemPlace.WORN, Content.Slot.FEET.ordinal());
        ledger.gold.put(9100L, 12L);
        ledger.immediate = false;
        FakeLink link = new FakeLink();
        World.JoinRequest req = new World.JoinRequest(9100, 0, 9100, "Reader", CharacterClass.RANGER,
                Appearance.getDefaultInstance(), 30, 50, link, new Inbox(16), 0, CharacterSummary.getDefaultInstance(), 0);
        assertThat(w.join(req)).as("not before its items are read").isNull();
        ledger.complete();
        w.tick();
        Player p = w.playerByCharacter(9100);
        assertThat(p).isNotNull();
        assertThat(p.inventory().worn(Content.Slot.FEET).def().id()).isEqualTo("boots");
        assertThat(p.inventory().gold()).isEqualTo(12);
        assertThat(link.delivered).anySatisfy(m -> assertThat(m.getInventory().getGold()).isEqualTo(12));

        FakeLink gone = new FakeLink();
        w.join(new World.JoinRequest(9101, 0, 9101, "Quitter", CharacterClass.RANGER,
                Appearance.getDefaultInstance(), 30, 50, gone, new Inbox(16), 0, CharacterSummary.getDefaultInstance(), 0));
        gone.closed = true; // the client went while the database was read
        ledger.complete();
        w.tick();
        assertThat(w.playerByCharacter(9101)).isNull();
    }

    @Test
    void itemsLeftOnTheGroundAreBackWhenTheWorldStartsAgain() {
        MemoryLedger ledger = new MemoryLedger();
        long id = ledger.give(9200, "oak-staff", ItemPlace.BAG, 0);
        ledger.drop(9200, 0, id, "Testland", 31.5f, 50.5f).join(); // dropped before a restart
        World w = gameWorld(ledger);
        FakeLink link = new FakeLink();
        Player p = join(w, ledger, "Finder", CharacterClass.MAGE, 30, 50, link);
        w.tick();
        w.tick();
        assertThat(w.loot()).singleElement().satisfies(l -> assertThat(l.itemId).isEqualTo(id));
        send(p, ClientMessage.newBuilder().setPickUp(PickUp.newBuilder().setEntity(w.loot().get(0).id())));
        w.tick();
        w.tick();
        assertThat(ledger.items.get(id).characterId()).isEqualTo(p.characterId());
        assertThat(p.inventory().count()).isEqualTo(1);
    }

    @Test
    void aPackSurroundsItsPreyInsteadOfStacking() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger, new Content.SpawnDef("wolf", 27, 20, 1, 3, "test"));
        FakeLink link = new FakeLink();
        Player p = join(w, ledger, "Prey", CharacterClass.WARRIOR, 27.5f, 25.5f, link);
        p.maxHealth = 100_000;
        p.health = 100_000;
        ticks(w, 200);
        List<Creature> pack = w.creatures();
        assertThat(pack).allSatisfy(c -> assertThat(c.state()).isEqualTo(Creature.State.CHASE));
        for (int i = 0; i < pack.size(); i++) {
            for (int j = i + 1; j < pack.size(); j++) {
                float d = (float) Math.hypot(pack.get(i).x() - pack.get(j).x(), pack.get(i).y() - pack.get(j).y());
                assertThat(d).as("wolves %d and %d apart", i, j).isGreaterThan(0.4f);
            }
        }
    }

    @Test
    void aFreshDropStaysOnTheGroundWhenTheDatabaseRefusesItsSlot() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        FakeLink link = new FakeLink();
        Player p = join(w, ledger, "Unlucky", CharacterClass.WARRIOR, 30, 50, link);
        w.tick();
        // the database holds an item in bag slot 0 that the world does not know of (written elsewhere)
        long stray = ledger.give(p.characterId(), "wolf-pelt", ItemPlace.BAG, 0);
        w.execute(() -> w.gameForTests().spawnLoot(30.5f, 50.5f, BASE.item("boots"), 0, 0, 0, 0, Integer.MAX_VALUE));
        w.tick();
        send(p, ClientMessage.newBuilder().setPickUp(PickUp.newBuilder().setEntity(w.loot().get(0).id())));
        w.tick();
        w.tick();
        w.tick();
        assertThat(w.loot()).as("the boots are still there").hasSize(1);
        assertThat(p.inventory().bag(0).id()).as("the inventory was read again").isEqualTo(stray);
        send(p, ClientMessage.newBuilder().setPickUp(PickUp.newBuilder().setEntity(w.loot().get(0).id())));
        w.tick();
        w.tick();
        assertThat(w.loot()).isEmpty();
        assertThat(ledger.itemsOf(p.characterId())).extracting(ItemRow::kind).containsExactlyInAnyOrder("wolf-pelt", "boots");
    }
}

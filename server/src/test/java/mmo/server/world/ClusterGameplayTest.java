package mmo.server.world;

import mmo.protocol.CharacterClass;
import mmo.protocol.ClientMessage;
import mmo.protocol.EntityEvent;
import mmo.protocol.UseAbility;
import mmo.server.game.content.Content;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Combat across a region border, between two worlds that split one map as cluster nodes do
 * (A owns x < 32, B the rest; wired by {@link PartialWorldTest.Bus}): a player on A shoots a
 * creature simulated by B, the creature bites back across the border, the kill's experience
 * reaches A and the loot on B belongs to the player; viewers on A see the hits.
 */
class ClusterGameplayTest {
    @Test
    void aPlayerFightsACreatureSimulatedByAnotherNode() {
        MemoryLedger ledger = new MemoryLedger(); // one shared database, as PostgreSQL is for a cluster
        Content content = GameTest.withSpawns(new Content.SpawnDef("wolf", 34, 50, 1, 1, "test"));
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        World b = TestWorlds.world(new TestWorlds.RecordingSaver());
        PartialWorldTest.Bus bus = new PartialWorldTest.Bus(a, b);
        a.setGame(content, ledger, 1);
        b.setGame(content, ledger, 1);
        assertThat(a.creatures().get(0).active).as("its home region is B's").isFalse();
        Creature wolf = b.creatures().get(0);
        assertThat(wolf.active).isTrue();

        FakeLink rangerLink = new FakeLink(), watcherLink = new FakeLink();
        int ranger = bus.join(a, "Ranger", 70_001, 31.5f, 50.5f, rangerLink, CharacterClass.RANGER);
        bus.join(a, "Watcher", 70_002, 27.5f, 50.5f, watcherLink);
        Player rp = a.player(ranger);
        rp.maxHealth = 10_000; // a long fight: it must not die of the bites
        rp.health = 10_000;
        bus.rounds(3);
        assertThat(a.isGhost(wolf.id())).as("B reports its wolf to A").isTrue();

        int full = wolf.def().health();
        for (int round = 0; round < 400 && !wolf.dead(); round++) {
            if (round % 25 == 0) {
                bus.inbox(ranger).offer(ClientMessage.newBuilder().setUseAbility(UseAbility.newBuilder().setTarget(wolf.id())).build());
            }
            bus.round();
        }
        assertThat(wolf.dead()).as("killed from the other node; ranger errors %s, wolf health %d at (%s, %s)",
                GameTest.errors(rangerLink), wolf.health(), wolf.x(), wolf.y()).isTrue();
        // it came to the border and bit back: the ranger, simulated by A, was hurt by it
        List<EntityEvent> seen = rangerLink.updates().stream().flatMap(u -> u.getEventsList().stream()).toList();
        assertThat(seen).anySatisfy(e -> {
            assertThat(e.getId()).isEqualTo(ranger);
            assertThat(e.getHit().getSource()).isEqualTo(wolf.id());
        });
        assertThat(rp.health()).isLessThan(10_000);
        bus.rounds(2); // B's last batch, with the death, reaches A
        // hits on the wolf and its death, seen on A by a bystander though simulated on B
        List<EntityEvent> watched = watcherLink.updates().stream().flatMap(u -> u.getEventsList().stream()).toList();
        assertThat(watched).anySatisfy(e -> {
            assertThat(e.getId()).isEqualTo(wolf.id());
            assertThat(e.getHit().getAmount()).isPositive();
        });
        assertThat(watched).anySatisfy(e -> assertThat(e.hasDeath()).isTrue());
        // the experience went to A, where the ranger is
        assertThat(rp.xp()).isEqualTo(wolf.def().xp());
        assertThat(ledger.progress.get(70_001L)).containsExactly(1, wolf.def().xp());
        // the loot lies on B, the ranger's first
        assertThat(b.loot()).isNotEmpty().allSatisfy(l -> assertThat(l.owner).isEqualTo(70_001L));
        assertThat(full).isPositive();
        // seen on A as a ghost, it is picked up on B: the ranger is told to step over to it
        Loot drop = b.loot().get(0);
        assertThat(a.isGhost(drop.id())).isTrue();
        bus.inbox(ranger).offer(ClientMessage.newBuilder().setPickUp(mmo.protocol.PickUp.newBuilder().setEntity(drop.id())).build());
        bus.round();
        assertThat(GameTest.errors(rangerLink)).extracting(mmo.protocol.Error::getMessage).contains("Too far to pick up: step closer");
        assertThat(b.loot()).contains(drop);
    }

    /**
     * A node's join reads the character's items first, so the player appears ticks later: the
     * border hears of it then (the cluster tells the client which node simulates it), after
     * its WorldEntered.
     */
    @Test
    void theBorderHearsOfAJoinOnceTheItemsAreRead() {
        MemoryLedger ledger = new MemoryLedger();
        ledger.give(70_031, "rusty-sword", mmo.server.persistence.ItemPlace.BAG, 0);
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        World b = TestWorlds.world(new TestWorlds.RecordingSaver());
        PartialWorldTest.Bus bus = new PartialWorldTest.Bus(a, b);
        a.setGame(GameTest.withSpawns(), ledger, 1);
        b.setGame(GameTest.withSpawns(), ledger, 1);
        FakeLink link = new FakeLink();
        Player now = a.join(new World.JoinRequest(70_031, 1, 70_031, "Late", CharacterClass.WARRIOR,
                mmo.protocol.Appearance.getDefaultInstance(), 30.5f, 50.5f, link, bus.inboxFor(70_031), 7,
                mmo.protocol.CharacterSummary.getDefaultInstance(), 70_031));
        assertThat(now).as("not in yet: its items are being read").isNull();
        assertThat(bus.nodes.get(0).joined).isEmpty();
        bus.rounds(2);
        assertThat(bus.nodes.get(0).joined).containsExactly(70_031);
        assertThat(bus.nodes.get(1).joined).isEmpty();
        assertThat(link.delivered).anySatisfy(m -> assertThat(m.hasWorldEntered()).isTrue());
        assertThat(a.player(70_031).inventory().bag(0).def().id()).isEqualTo("rusty-sword");
    }

    static ClientMessage trade(mmo.protocol.TradeAction.Builder a) {
        return ClientMessage.newBuilder().setTrade(a).build();
    }

    static mmo.protocol.TradeState lastTrade(FakeLink link) {
        return link.delivered.stream().filter(mmo.protocol.ServerMessage::hasTrade)
                .map(mmo.protocol.ServerMessage::getTrade).reduce((x, y) -> y).orElseThrow();
    }

    @Test
    void playersOnTwoNodesTradeInOneTransaction() {
        MemoryLedger ledger = new MemoryLedger();
        long sword = ledger.give(70_011, "rusty-sword", mmo.server.persistence.ItemPlace.BAG, 0);
        long cap = ledger.give(70_012, "leather-cap", mmo.server.persistence.ItemPlace.BAG, 2);
        ledger.gold.put(70_011L, 40L);
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        World b = TestWorlds.world(new TestWorlds.RecordingSaver());
        PartialWorldTest.Bus bus = new PartialWorldTest.Bus(a, b);
        a.setGame(GameTest.withSpawns(), ledger, 1);
        b.setGame(GameTest.withSpawns(), ledger, 1);
        FakeLink sellerLink = new FakeLink(), buyerLink = new FakeLink();
        // joined with what the database holds, as a real join reads it
        int seller = a.join(new World.JoinRequest(70_011, 1, 70_011, "Seller", CharacterClass.WARRIOR,
                mmo.protocol.Appearance.getDefaultInstance(), 30.5f, 50.5f, sellerLink, bus.inboxFor(70_011), 0,
                mmo.protocol.CharacterSummary.getDefaultInstance(), 70_011, ledger.load(70_011).join())).id();
        int buyer = b.join(new World.JoinRequest(70_012, 1, 70_012, "Buyer", CharacterClass.MAGE,
                mmo.protocol.Appearance.getDefaultInstance(), 34.5f, 50.5f, buyerLink, bus.inboxFor(70_012), 0,
                mmo.protocol.CharacterSummary.getDefaultInstance(), 70_012, ledger.load(70_012).join())).id();
        bus.rounds(3);
        assertThat(a.isGhost(buyer)).isTrue();

        bus.inbox(seller).offer(trade(mmo.protocol.TradeAction.newBuilder().setInvite(buyer)));
        bus.rounds(3);
        assertThat(lastTrade(buyerLink).getStatus()).isEqualTo(mmo.protocol.TradeStatus.INVITED);
        assertThat(lastTrade(buyerLink).getPartner()).isEqualTo("Seller");
        bus.inbox(buyer).offer(trade(mmo.protocol.TradeAction.newBuilder().setAccept(true)));
        bus.rounds(3);
        assertThat(lastTrade(sellerLink).getStatus()).isEqualTo(mmo.protocol.TradeStatus.OPEN);
        assertThat(lastTrade(sellerLink).getPartner()).isEqualTo("Buyer");
        bus.inbox(seller).offer(trade(mmo.protocol.TradeAction.newBuilder().setOffer(
                mmo.protocol.TradeOffer.newBuilder().addBagSlots(0).setGold(15))));
        bus.inbox(buyer).offer(trade(mmo.protocol.TradeAction.newBuilder().setOffer(
                mmo.protocol.TradeOffer.newBuilder().addBagSlots(2))));
        bus.rounds(3);
        assertThat(lastTrade(buyerLink).getTheirsList()).extracting(mmo.protocol.Item::getKind).containsExactly("rusty-sword");
        assertThat(lastTrade(sellerLink).getTheirsList()).extracting(mmo.protocol.Item::getKind).containsExactly("leather-cap");
        // the buyer's cap is held on its node: it cannot be dropped meanwhile
        bus.inbox(buyer).offer(ClientMessage.newBuilder().setDropItem(mmo.protocol.DropItem.newBuilder().setBagSlot(2)).build());
        bus.round();
        assertThat(GameTest.errors(buyerLink)).extracting(mmo.protocol.Error::getMessage).contains("Leather cap is busy");
        bus.inbox(seller).offer(trade(mmo.protocol.TradeAction.newBuilder().setConfirm(true)));
        bus.inbox(buyer).offer(trade(mmo.protocol.TradeAction.newBuilder().setConfirm(true)));
        bus.rounds(4);
        assertThat(lastTrade(sellerLink).getStatus()).isEqualTo(mmo.protocol.TradeStatus.DONE);
        assertThat(lastTrade(buyerLink).getStatus()).isEqualTo(mmo.protocol.TradeStatus.DONE);
        // one transaction in the shared database
        assertThat(ledger.items.get(sword).characterId()).isEqualTo(70_012);
        assertThat(ledger.items.get(cap).characterId()).isEqualTo(70_011);
        assertThat(ledger.gold).containsEntry(70_011L, 25L).containsEntry(70_012L, 15L);
        // and both nodes' players hold what it says
        Player s = a.player(seller), q = b.player(buyer);
        assertThat(s.inventory().count()).isEqualTo(1);
        assertThat(java.util.stream.IntStream.range(0, Inventory.BAG_SIZE).mapToObj(i -> s.inventory().bag(i))
                .filter(java.util.Objects::nonNull).map(i -> i.def().id())).containsExactly("leather-cap");
        assertThat(s.inventory().gold()).isEqualTo(25);
        assertThat(java.util.stream.IntStream.range(0, Inventory.BAG_SIZE).mapToObj(i -> q.inventory().bag(i))
                .filter(java.util.Objects::nonNull).map(i -> i.def().id())).containsExactly("rusty-sword");
        assertThat(q.inventory().gold()).isEqualTo(15);
        // in the same slots as the database says
        assertThat(s.inventory().bag(ledger.items.get(cap).slot()).id()).isEqualTo(cap);
        assertThat(q.inventory().bag(ledger.items.get(sword).slot()).id()).isEqualTo(sword);
        assertThat(q.tradeLink).isNull();
        assertThat(s.trade).isNull();
    }

    @Test
    void aPlayerLeavingOnTheOtherNodeCancelsTheTrade() {
        MemoryLedger ledger = new MemoryLedger();
        long sword = ledger.give(70_021, "rusty-sword", mmo.server.persistence.ItemPlace.BAG, 0);
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        World b = TestWorlds.world(new TestWorlds.RecordingSaver());
        PartialWorldTest.Bus bus = new PartialWorldTest.Bus(a, b);
        a.setGame(GameTest.withSpawns(), ledger, 1);
        b.setGame(GameTest.withSpawns(), ledger, 1);
        FakeLink sellerLink = new FakeLink(), buyerLink = new FakeLink();
        int seller = a.join(new World.JoinRequest(70_021, 1, 70_021, "Seller", CharacterClass.WARRIOR,
                mmo.protocol.Appearance.getDefaultInstance(), 30.5f, 50.5f, sellerLink, bus.inboxFor(70_021), 0,
                mmo.protocol.CharacterSummary.getDefaultInstance(), 70_021, ledger.load(70_021).join())).id();
        int buyer = bus.join(b, "Buyer", 70_022, 34.5f, 50.5f, buyerLink);
        bus.rounds(3);
        bus.inbox(seller).offer(trade(mmo.protocol.TradeAction.newBuilder().setInvite(buyer)));
        bus.rounds(3);
        bus.inbox(buyer).offer(trade(mmo.protocol.TradeAction.newBuilder().setAccept(true)));
        bus.rounds(3);
        bus.inbox(seller).offer(trade(mmo.protocol.TradeAction.newBuilder().setOffer(
                mmo.protocol.TradeOffer.newBuilder().addBagSlots(0))));
        bus.inbox(seller).offer(trade(mmo.protocol.TradeAction.newBuilder().setConfirm(true)));
        bus.rounds(3);
        b.execute(() -> b.leave(buyerLink));
        bus.rounds(3);
        assertThat(lastTrade(sellerLink).getStatus()).isEqualTo(mmo.protocol.TradeStatus.CANCELLED);
        assertThat(lastTrade(sellerLink).getReason()).isEqualTo("Buyer left");
        assertThat(ledger.items.get(sword).characterId()).isEqualTo(70_021);
        // the sword is free again on its node
        bus.inbox(seller).offer(ClientMessage.newBuilder().setEquip(mmo.protocol.Equip.newBuilder().setBagSlot(0)).build());
        bus.rounds(2);
        assertThat(a.player(seller).inventory().worn(Content.Slot.MAIN_HAND).id()).isEqualTo(sword);
    }

    @Test
    void aTradeWhoseHostNodeVanishedIsEndedAndItsItemsFreed() {
        MemoryLedger ledger = new MemoryLedger();
        ledger.give(70_032, "boots", mmo.server.persistence.ItemPlace.BAG, 1);
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        World b = TestWorlds.world(new TestWorlds.RecordingSaver());
        PartialWorldTest.Bus bus = new PartialWorldTest.Bus(a, b);
        a.setGame(GameTest.withSpawns(), ledger, 1);
        b.setGame(GameTest.withSpawns(), ledger, 1);
        FakeLink hostLink = new FakeLink(), buyerLink = new FakeLink();
        int host = bus.join(a, "Host", 70_031, 30.5f, 50.5f, hostLink);
        int buyer = b.join(new World.JoinRequest(70_032, 1, 70_032, "Buyer", CharacterClass.MAGE,
                mmo.protocol.Appearance.getDefaultInstance(), 34.5f, 50.5f, buyerLink, bus.inboxFor(70_032), 0,
                mmo.protocol.CharacterSummary.getDefaultInstance(), 70_032, ledger.load(70_032).join())).id();
        bus.rounds(3);
        bus.inbox(host).offer(trade(mmo.protocol.TradeAction.newBuilder().setInvite(buyer)));
        bus.rounds(3);
        bus.inbox(buyer).offer(trade(mmo.protocol.TradeAction.newBuilder().setAccept(true)));
        bus.inbox(buyer).offer(trade(mmo.protocol.TradeAction.newBuilder().setOffer(
                mmo.protocol.TradeOffer.newBuilder().addBagSlots(1))));
        bus.rounds(3);
        Player q = b.player(buyer);
        assertThat(q.inventory().bag(1).busy).isTrue();
        // the host's node stops: only B ticks from now on; A's ghosts there time out, then the trade
        for (int i = 0; i < 13 * 20; i++) b.tick();
        assertThat(q.tradeLink).isNull();
        assertThat(lastTrade(buyerLink).getStatus()).isEqualTo(mmo.protocol.TradeStatus.CANCELLED);
        assertThat(q.inventory().bag(1).busy).as("read again from the database, free").isFalse();
    }

    @Test
    void eventsOfABatchReplacedBeforeItWasAppliedAreStillShown() {
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        PartialWorldTest.Bus bus = new PartialWorldTest.Bus(a, TestWorlds.world(new TestWorlds.RecordingSaver()));
        FakeLink link = new FakeLink();
        bus.join(a, "Viewer", 70_041, 30.5f, 50.5f, link);
        a.tick();
        byte[] fields = mmo.protocol.EntityEnter.newBuilder().setId(5).setKind(mmo.protocol.EntityKind.ENTITY_CREATURE)
                .setName("Wolf").build().toByteArray();
        byte[] death = EntityEvent.newBuilder().setId(5).setDeath(mmo.protocol.Death.newBuilder().setKiller(70_041)).build().toByteArray();
        int t = a.currentTick();
        a.acceptGhosts("B", new GhostBatch.Builder(t).add(5, 34f, 50f, fields).build());
        a.tick();
        // two batches from B before A's next tick: the first carries the death, the second only positions
        a.acceptGhosts("B", new GhostBatch.Builder(t + 1).add(5, 34f, 50f, fields).addEvent(5, death).build());
        a.acceptGhosts("B", new GhostBatch.Builder(t + 2).add(5, 34.2f, 50f, fields).build());
        a.tick();
        assertThat(link.lastUpdate().getEventsList()).anySatisfy(e -> assertThat(e.getDeath().getKiller()).isEqualTo(70_041));
        assertThat(link.lastUpdate().getMovesList()).as("the newest position applied").isNotEmpty();
    }
}

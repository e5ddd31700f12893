package mmo.server.world;

import mmo.protocol.CharacterClass;
import mmo.protocol.ClientMessage;
import mmo.protocol.DropItem;
import mmo.protocol.ServerMessage;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeOffer;
import mmo.protocol.TradeState;
import mmo.protocol.TradeStatus;
import mmo.server.persistence.ItemPlace;
import org.junit.jupiter.api.Test;


import static mmo.server.world.GameTest.errors;
import static mmo.server.world.GameTest.gameWorld;
import static mmo.server.world.GameTest.joinAs;
import static mmo.server.world.GameTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/** Tick-stepped trades: the whole flow, offers held, cancellation, and an exchange applied only once written. */
class TradeTest {
    static ClientMessage.Builder trade(TradeAction.Builder a) {
        return ClientMessage.newBuilder().setTrade(a);
    }

    static TradeState last(FakeLink link) {
        return link.delivered.stream().filter(ServerMessage::hasTrade).map(ServerMessage::getTrade).reduce((a, b) -> b).orElseThrow();
    }

    record Pair(World w, MemoryLedger ledger, Player a, Player b, FakeLink la, FakeLink lb, long sword, long cap) {}

    static Pair open() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        long sword = ledger.give(7001, "rusty-sword", ItemPlace.BAG, 0);
        long cap = ledger.give(7002, "leather-cap", ItemPlace.BAG, 3);
        ledger.gold.put(7001L, 100L);
        ledger.gold.put(7002L, 5L);
        FakeLink la = new FakeLink(), lb = new FakeLink();
        Player a = joinAs(w, ledger, 7001, "Seller", CharacterClass.WARRIOR, 30, 50, la);
        Player b = joinAs(w, ledger, 7002, "Buyer", CharacterClass.MAGE, 32, 50, lb);
        w.tick();
        send(a, trade(TradeAction.newBuilder().setInvite(b.id())));
        w.tick();
        assertThat(last(lb).getStatus()).isEqualTo(TradeStatus.INVITED);
        assertThat(last(la).getStatus()).isEqualTo(TradeStatus.INVITING);
        send(b, trade(TradeAction.newBuilder().setAccept(true)));
        w.tick();
        assertThat(last(la).getStatus()).isEqualTo(TradeStatus.OPEN);
        return new Pair(w, ledger, a, b, la, lb, sword, cap);
    }

    @Test
    void bothOfferBothConfirmAndTheExchangeIsWrittenBeforeItShows() {
        Pair t = open();
        send(t.a(), trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().addBagSlots(0).setGold(40))));
        send(t.b(), trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().addBagSlots(3).setGold(5))));
        t.w().tick();
        assertThat(last(t.lb()).getTheirsList()).extracting(i -> i.getKind()).containsExactly("rusty-sword");
        assertThat(last(t.lb()).getTheirGold()).isEqualTo(40);
        t.ledger().immediate = false;
        send(t.a(), trade(TradeAction.newBuilder().setConfirm(true)));
        send(t.b(), trade(TradeAction.newBuilder().setConfirm(true)));
        t.w().tick();
        assertThat(last(t.la()).getStatus()).isEqualTo(TradeStatus.COMMITTING);
        assertThat(t.a().inventory().bag(0)).as("unchanged until written").isNotNull();
        t.ledger().complete();
        t.w().tick();
        assertThat(last(t.la()).getStatus()).isEqualTo(TradeStatus.DONE);
        assertThat(last(t.lb()).getStatus()).isEqualTo(TradeStatus.DONE);
        assertThat(t.a().inventory().gold()).isEqualTo(65);
        assertThat(t.b().inventory().gold()).isEqualTo(40);
        assertThat(t.a().inventory().count()).isEqualTo(1);
        assertThat(t.b().inventory().count()).isEqualTo(1);
        assertThat(t.ledger().items.get(t.sword()).characterId()).isEqualTo(7002);
        assertThat(t.ledger().items.get(t.cap()).characterId()).isEqualTo(7001);
        assertThat(t.ledger().gold).containsEntry(7001L, 65L).containsEntry(7002L, 40L);
    }

    @Test
    void anOfferedItemIsHeldAndANewOfferClearsConfirmations() {
        Pair t = open();
        send(t.a(), trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().addBagSlots(0))));
        t.w().tick();
        send(t.a(), ClientMessage.newBuilder().setRid(9).setDropItem(DropItem.newBuilder().setBagSlot(0)));
        t.w().tick();
        assertThat(errors(t.la())).extracting(mmo.protocol.Error::getMessage).contains("Rusty sword is busy");
        send(t.b(), trade(TradeAction.newBuilder().setConfirm(true)));
        t.w().tick();
        assertThat(last(t.la()).getTheirConfirm()).isTrue();
        send(t.a(), trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().addBagSlots(0).setGold(1))));
        t.w().tick();
        assertThat(last(t.la()).getTheirConfirm()).isFalse();
        // more gold than owned is refused
        send(t.b(), trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().setGold(6))));
        t.w().tick();
        assertThat(errors(t.lb())).extracting(mmo.protocol.Error::getMessage).contains("You do not have 6 gold");
    }

    @Test
    void aDisconnectMidTradeCancelsItAndNothingMoves() {
        Pair t = open();
        send(t.a(), trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().addBagSlots(0).setGold(50))));
        send(t.a(), trade(TradeAction.newBuilder().setConfirm(true)));
        t.w().tick();
        t.w().leave(t.lb());
        t.w().tick();
        assertThat(last(t.la()).getStatus()).isEqualTo(TradeStatus.CANCELLED);
        assertThat(last(t.la()).getReason()).isEqualTo("Buyer left");
        assertThat(t.ledger().items.get(t.sword()).characterId()).isEqualTo(7001);
        assertThat(t.ledger().gold).containsEntry(7001L, 100L);
        // the sword is free again
        send(t.a(), ClientMessage.newBuilder().setDropItem(DropItem.newBuilder().setBagSlot(0)));
        t.w().tick();
        t.w().tick();
        assertThat(t.a().inventory().count()).isZero();
    }

    @Test
    void anExchangeTheDatabaseRefusesChangesNothing() {
        Pair t = open();
        send(t.a(), trade(TradeAction.newBuilder().setOffer(TradeOffer.newBuilder().addBagSlots(0))));
        t.w().tick();
        // the sword left the seller behind the world's back (another node, an operator): the write must fail
        t.ledger().items.put(t.sword(), mmo.server.persistence.ItemRow.owned(t.sword(), "rusty-sword", 4242, ItemPlace.BAG, 0));
        send(t.a(), trade(TradeAction.newBuilder().setConfirm(true)));
        send(t.b(), trade(TradeAction.newBuilder().setConfirm(true)));
        t.w().tick();
        t.w().tick();
        t.w().tick();
        assertThat(last(t.lb()).getStatus()).isEqualTo(TradeStatus.CANCELLED);
        assertThat(last(t.lb()).getReason()).isEqualTo("Item no longer available");
        assertThat(t.b().inventory().count()).as("the buyer keeps only its cap").isEqualTo(1);
        assertThat(t.ledger().items.get(t.cap()).characterId()).isEqualTo(7002);
        // the seller's inventory is reloaded from the database: the sword is gone from it
        assertThat(t.a().inventory().count()).isZero();
    }

    @Test
    void playersTooFarApartCannotTradeAndWalkingApartCancels() {
        Pair t = open();
        t.b().x = 60;
        t.w().tick();
        assertThat(last(t.la()).getStatus()).isEqualTo(TradeStatus.CANCELLED);
        send(t.a(), trade(TradeAction.newBuilder().setInvite(t.b().id())).setRid(3));
        t.w().tick();
        assertThat(errors(t.la())).extracting(mmo.protocol.Error::getMessage).contains("Buyer is too far away");
        assertThat(t.a().trade).isNull();
        assertThat(t.b().trade).isNull();
    }
}

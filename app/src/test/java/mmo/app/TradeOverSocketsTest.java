package mmo.app;

import mmo.client.MmoClient;
import mmo.client.WorldView;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ServerMessage;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeOffer;
import mmo.protocol.TradeStatus;
import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.ItemRow;
import mmo.server.persistence.Ledger;
import mmo.server.persistence.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trades between players over real WebSockets with the Java client, against a real server on a
 * real SQLite file, the tick stepped by the test: the exchange is one transaction, and neither
 * a disconnect mid-trade nor a race for the traded item loses or duplicates anything. The
 * database is read back through the server's ledger after each.
 */
class TradeOverSocketsTest {
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("jdbc:sqlite:" + dir.resolve("mmo.db"), Map.of("mmo.world.creatures", false));
    }

    @AfterEach
    void stop() {
        server.close(); // and the clients it connected
    }

    MmoClient client() throws Exception {
        return server.connect();
    }

    /** Registers and creates a warrior holding {@code items} (bag slots 0..) and {@code gold}, then enters the world. */
    CharacterSummary player(MmoClient c, String user, String name, long gold, String... items) throws Exception {
        c.register(user, "password-" + user).get(TIMEOUT_S, TimeUnit.SECONDS);
        CharacterSummary s = c.createCharacter(TestServer.character(name, CharacterClass.WARRIOR, 0x118811))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        List<Ledger.NewItem> list = new ArrayList<>();
        for (int i = 0; i < items.length; i++) list.add(new Ledger.NewItem(items[i], ItemPlace.BAG, i));
        server.server.ledger().create(s.getId(), 0, list, gold).get(TIMEOUT_S, TimeUnit.SECONDS);
        server.tickUntilDone(c.enterWorld(s.getId()));
        server.tickUntil(() -> c.inventory().getBagSize() > 0, 100, c);
        return s;
    }

    Progress stored(CharacterSummary c) throws Exception {
        return server.server.ledger().load(c.getId()).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Walks {@code walker} at {@code target} until they stand within 6 units. */
    void meet(MmoClient walker, MmoClient target) throws Exception {
        server.tickUntil(() -> {
            WorldView.Snapshot w = walker.snapshot(), t = target.snapshot();
            float dx = t.x() - w.x(), dy = t.y() - w.y();
            if (dx * dx + dy * dy < 36) {
                walker.sendInput(0, 0);
                return true;
            }
            walker.sendInput(dx, dy);
            return false;
        }, 2000, walker, target);
        server.tick(walker, target);
    }

    /** Ticks until {@code c}'s newest trade state has {@code status}. */
    void awaitTrade(MmoClient c, TradeStatus status) throws Exception {
        server.tickUntil(() -> c.tradeState().getStatus() == status, 200, c);
    }

    static TradeAction offer(long gold, int... slots) {
        TradeOffer.Builder o = TradeOffer.newBuilder().setGold(gold);
        for (int s : slots) o.addBagSlots(s);
        return TradeAction.newBuilder().setOffer(o).build();
    }

    void open(MmoClient a, MmoClient b) throws Exception {
        a.trade(TradeAction.newBuilder().setInvite(b.snapshot().ownEntityId()).build());
        awaitTrade(b, TradeStatus.INVITED);
        b.trade(TradeAction.newBuilder().setAccept(true).build());
        awaitTrade(a, TradeStatus.OPEN);
    }

    static List<String> kinds(Progress p) {
        return p.items().stream().map(ItemRow::kind).sorted().toList();
    }

    @Test
    void bothSidesExchangeItemsAndGoldInOneTransaction() throws Exception {
        MmoClient a = client(), b = client();
        CharacterSummary ca = player(a, "trader1", "Trader", 100, "rusty-sword", "wolf-pelt");
        CharacterSummary cb = player(b, "trader2", "Buyer", 10, "leather-cap");
        meet(b, a);
        open(a, b);
        a.trade(offer(30, 0));
        b.trade(offer(10, 0));
        server.tickUntil(() -> b.tradeState().getTheirsCount() == 1 && a.tradeState().getTheirsCount() == 1, 100, a, b);
        assertThat(b.tradeState().getTheirs(0).getKind()).isEqualTo("rusty-sword");
        a.trade(TradeAction.newBuilder().setConfirm(true).build());
        b.trade(TradeAction.newBuilder().setConfirm(true).build());
        awaitTrade(a, TradeStatus.DONE);
        awaitTrade(b, TradeStatus.DONE);
        server.tickUntil(() -> a.inventory().getGold() == 80 && b.inventory().getGold() == 30, 100, a, b);

        assertThat(kinds(stored(ca))).containsExactly("leather-cap", "wolf-pelt");
        assertThat(kinds(stored(cb))).containsExactly("rusty-sword");
        assertThat(stored(ca).gold()).isEqualTo(80);
        assertThat(stored(cb).gold()).isEqualTo(30);
        assertThat(a.inventory().getBagList()).extracting(s -> s.getItem().getKind()).containsExactlyInAnyOrder("leather-cap", "wolf-pelt");
        assertThat(b.inventory().getBagList()).extracting(s -> s.getItem().getKind()).containsExactly("rusty-sword");
    }

    @Test
    void aDisconnectMidTradeCancelsItAndNothingIsLostOrDuplicated() throws Exception {
        MmoClient a = client(), b = client();
        CharacterSummary ca = player(a, "leaver1", "Stayer", 50, "hunting-bow");
        CharacterSummary cb = player(b, "leaver2", "Leaver", 0, "boots");
        meet(b, a);
        open(a, b);
        a.trade(offer(50, 0));
        b.trade(offer(0, 0));
        server.tickUntil(() -> a.tradeState().getTheirsCount() == 1 && b.tradeState().getTheirsCount() == 1, 100, a, b);
        a.trade(TradeAction.newBuilder().setConfirm(true).build());
        server.tickUntil(() -> b.tradeState().getTheirConfirm(), 100, a, b);
        // the connection drops before the second confirmation
        b.close();
        b.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
        awaitTrade(a, TradeStatus.CANCELLED);
        assertThat(a.tradeState().getReason()).isEqualTo("Leaver left");
        // the leaver's last save completes; everything is where it was
        server.tickUntil(() -> true, 5, a);
        assertThat(kinds(stored(ca))).containsExactly("hunting-bow");
        assertThat(kinds(stored(cb))).containsExactly("boots");
        assertThat(stored(ca).gold()).isEqualTo(50);
        // the bow is free again: it can be worn
        a.equip(0);
        server.tickUntil(() -> a.inventory().getWornCount() == 1, 100, a);
        server.tickUntil(() -> {
            try {
                return stored(ca).items().get(0).place() == ItemPlace.WORN;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, 100, a);
    }

    @Test
    void theTradedItemRacingADropAndAnotherTradeExistsExactlyOnce() throws Exception {
        MmoClient a = client(), b = client(), c = client();
        CharacterSummary ca = player(a, "racer1", "Owner", 0, "amber-charm");
        CharacterSummary cb = player(b, "racer2", "Taker", 0);
        CharacterSummary cc = player(c, "racer3", "Other", 0);
        meet(b, a);
        meet(c, a);
        open(a, b);
        a.trade(offer(0, 0));
        server.tickUntil(() -> b.tradeState().getTheirsCount() == 1, 100, a, b);
        // in one burst: both confirm, the owner also drops the charm and the third player tries
        // to open a trade with the owner; everything reaches the server in the same tick
        CompletableFuture<ServerMessage> refused = c.nextMessage(ServerMessage::hasError);
        CompletableFuture<ServerMessage> dropRefused = a.nextMessage(ServerMessage::hasError);
        b.trade(TradeAction.newBuilder().setConfirm(true).build());
        a.trade(TradeAction.newBuilder().setConfirm(true).build());
        a.drop(0);
        c.trade(TradeAction.newBuilder().setInvite(a.snapshot().ownEntityId()).build());
        // a ping is answered by the network thread after what came before it on the connection was
        // queued: once all three answer, the burst waits for one tick (CI once ticked before the
        // invite arrived, and the owner was no longer busy)
        for (MmoClient x : List.of(a, b, c)) x.ping().get(TIMEOUT_S, TimeUnit.SECONDS);
        awaitTrade(b, TradeStatus.DONE);
        assertThat(server.tickUntilDone(refused).getError().getMessage()).isEqualTo("Owner is busy");
        assertThat(server.tickUntilDone(dropRefused).getError().getMessage()).isEqualTo("Amber charm is busy");
        assertThat(kinds(stored(ca))).isEmpty();
        assertThat(kinds(stored(cb))).containsExactly("amber-charm");
        assertThat(kinds(stored(cc))).isEmpty();
        assertThat(server.server.ledger().ground(server.server.world().name()).get(TIMEOUT_S, TimeUnit.SECONDS)).isEmpty();
    }
}

package mmo.server.world;

import mmo.protocol.ErrorCode;
import mmo.protocol.ServerMessage;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeState;
import mmo.protocol.TradeStatus;
import mmo.server.persistence.Ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * A trade between two players of one world: invite, accept, offers (items from the bag and
 * gold) on both sides, both confirm, then the exchange is written by the {@link Ledger} in one
 * transaction and applied to both inventories only once written. Offered items are held
 * ({@link Item#busy}) so they cannot be dropped, worn or offered elsewhere meanwhile; a new
 * offer clears both confirmations. Leaving, dying or walking apart cancels an open trade; once
 * committing, the database decides and both inventories follow it. Tick thread only.
 */
final class Trade {
    private final Game game;
    final Player a, b;         // a invited b
    private boolean open;      // b accepted
    private boolean committing;
    private final List<Item> offerA = new ArrayList<>(), offerB = new ArrayList<>();
    private long goldA, goldB;
    private boolean confirmA, confirmB;

    private Trade(Game game, Player a, Player b) {
        this.game = game;
        this.a = a;
        this.b = b;
    }

    static void handle(Game g, Player p, TradeAction action, int rid) {
        World w = g.world;
        switch (action.getActionCase()) {
            case INVITE -> {
                Player other = w.player(action.getInvite());
                if (other == null || other == p) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "No such player here");
                } else if (p.trade != null || other.trade != null) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, p.trade != null ? "You are already trading" : other.name + " is busy");
                } else if (p.dead || other.dead) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "The dead do not trade");
                } else if (!inRange(p, other)) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, other.name + " is too far away");
                } else {
                    Trade t = new Trade(g, p, other);
                    p.trade = t;
                    other.trade = t;
                    g.tradeStarted(t);
                    t.sendState();
                }
            }
            case ACCEPT -> {
                Trade t = p.trade;
                if (t == null || t.b != p || t.open) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "No trade invitation to accept");
                    return;
                }
                t.open = true;
                t.sendState();
            }
            case OFFER -> {
                Trade t = p.trade;
                if (t == null || !t.open || t.committing) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "No open trade");
                    return;
                }
                t.offer(p, action.getOffer().getBagSlotsList(), action.getOffer().getGold(), rid);
            }
            case CONFIRM -> {
                Trade t = p.trade;
                if (t == null || !t.open || t.committing) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "No open trade");
                    return;
                }
                if (p == t.a) t.confirmA = true;
                else t.confirmB = true;
                if (t.confirmA && t.confirmB) t.commit();
                else t.sendState();
            }
            case CANCEL -> {
                Trade t = p.trade;
                if (t == null) return;
                if (t.committing) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "The trade is being completed");
                    return;
                }
                t.cancel(p.name + " cancelled");
            }
            default -> w.sendError(p, rid, ErrorCode.BAD_REQUEST, "Empty trade action");
        }
    }

    private static boolean inRange(Player p, Player q) {
        float dx = p.x - q.x, dy = p.y - q.y, r = mmo.protocol.Constants.TRADE_RANGE_VALUE;
        return dx * dx + dy * dy <= r * r;
    }

    private void offer(Player p, List<Integer> slots, long gold, int rid) {
        World w = game.world;
        Inventory inv = p.inventory;
        List<Item> mine = p == a ? offerA : offerB;
        if (slots.size() > mmo.protocol.Constants.TRADE_SLOTS_VALUE) {
            w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "At most " + mmo.protocol.Constants.TRADE_SLOTS_VALUE + " items");
            return;
        }
        if (gold > inv.gold) {
            w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "You do not have " + gold + " gold");
            return;
        }
        List<Item> items = new ArrayList<>();
        for (int s : slots) {
            Item item = s >= 0 && s < Inventory.BAG_SIZE ? inv.bag[s] : null;
            if (item == null || items.contains(item)) {
                w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "Bag slot " + s + " holds nothing to offer");
                return;
            }
            if (item.busy && !mine.contains(item)) {
                w.sendError(p, rid, ErrorCode.TRADE_REFUSED, item.def.name() + " is busy");
                return;
            }
            items.add(item);
        }
        for (Item i : mine) i.busy = false;
        mine.clear();
        mine.addAll(items);
        for (Item i : mine) i.busy = true;
        if (p == a) goldA = gold;
        else goldB = gold;
        confirmA = false;
        confirmB = false;
        sendState();
    }

    /** Both confirmed: check again, then write the exchange; inventories change when it is written. */
    private void commit() {
        World w = game.world;
        if (!inRange(a, b)) {
            cancel("Too far apart");
            return;
        }
        if (goldA > a.inventory.gold || goldB > b.inventory.gold) {
            cancel("Not enough gold");
            return;
        }
        // destination slots: free ones, and those the receiver's own offered items leave
        List<Integer> toB = destinations(b, offerB, offerA.size());
        List<Integer> toA = destinations(a, offerA, offerB.size());
        if (toB == null || toA == null) {
            cancel((toB == null ? b.name : a.name) + "'s bag is full");
            return;
        }
        committing = true;
        reserve(a, toA, true);
        reserve(b, toB, true);
        reservedA = toA;
        reservedB = toB;
        sendState();
        Ledger ledger = game.ledger;
        if (ledger == null) {
            exchange(toA, toB, new long[0]);
            return;
        }
        Ledger.TradeSide sideA = new Ledger.TradeSide(a.characterId, a.epoch, ids(offerA), toB, goldA);
        Ledger.TradeSide sideB = new Ledger.TradeSide(b.characterId, b.epoch, ids(offerB), toA, goldB);
        ledger.trade(sideA, sideB).whenComplete((ok, err) -> w.execute(() -> {
            if (err == null) {
                exchange(toA, toB, null);
            } else {
                Throwable cause = Game.unwrap(err);
                org.slf4j.LoggerFactory.getLogger(Trade.class).warn("trade of {} and {} not written: {}", a.name, b.name, cause.toString());
                committing = false;
                end(TradeStatus.CANCELLED, cause instanceof mmo.server.persistence.ItemConflictException
                        ? "Item no longer available" : "The trade could not be saved; nothing changed");
                game.reload(a);
                game.reload(b);
            }
        }));
    }

    private List<Integer> reservedA = List.of(), reservedB = List.of();

    /** Holds (or frees) the empty destination slots while the exchange is written. */
    private static void reserve(Player p, List<Integer> slots, boolean hold) {
        Inventory inv = p.inventory;
        for (int s : slots) {
            if (hold ? inv.bag[s] == null : true) inv.reserved[s] = hold;
        }
    }

    private static List<Long> ids(List<Item> items) {
        List<Long> ids = new ArrayList<>(items.size());
        for (Item i : items) ids.add(i.id);
        return ids;
    }

    private static List<Integer> destinations(Player receiver, List<Item> gives, int needed) {
        Inventory inv = receiver.inventory;
        List<Integer> out = new ArrayList<>(needed);
        for (int s = 0; s < Inventory.BAG_SIZE && out.size() < needed; s++) {
            Item i = inv.bag[s];
            if (inv.reserved[s]) continue;
            if (i == null || gives.contains(i)) out.add(s);
        }
        return out.size() < needed ? null : out;
    }

    /** Written: both inventories take it (a player that left has it in the database). */
    private void exchange(List<Integer> toA, List<Integer> toB, long[] unused) {
        reserve(a, reservedA, false);
        reserve(b, reservedB, false);
        apply(a, offerA, toA, offerB, goldA, goldB);
        apply(b, offerB, toB, offerA, goldB, goldA);
        end(TradeStatus.DONE, "");
    }

    private static void apply(Player p, List<Item> gives, List<Integer> slots, List<Item> gets, long goldOut, long goldIn) {
        if (p.removed) return;
        Inventory inv = p.inventory;
        for (Item i : gives) {
            int s = inv.bagSlotOf(i.id);
            if (s >= 0) inv.bag[s] = null;
        }
        for (int k = 0; k < gets.size(); k++) {
            Item i = new Item(gets.get(k).id, gets.get(k).def);
            inv.bag[slots.get(k)] = i;
        }
        inv.gold += goldIn - goldOut;
    }

    /** Cancels an open trade: nothing changes hands. */
    void cancel(String reason) {
        if (committing) return;
        end(TradeStatus.CANCELLED, reason);
    }

    void playerLeft(Player p) {
        if (committing) {
            // the database decides; the one staying gets the result, the one leaving has it stored
            return;
        }
        end(TradeStatus.CANCELLED, p.name + " left");
    }

    /** Each tick: an open trade between players walked apart is cancelled. */
    void check() {
        if (!committing && (a.removed || b.removed || !inRange(a, b))) cancel("Too far apart");
    }

    private void end(TradeStatus status, String reason) {
        reserve(a, reservedA, false);
        reserve(b, reservedB, false);
        reservedA = List.of();
        reservedB = List.of();
        for (Item i : offerA) i.busy = false;
        for (Item i : offerB) i.busy = false;
        if (a.trade == this) a.trade = null;
        if (b.trade == this) b.trade = null;
        game.tradeEnded(this);
        send(a, status, reason);
        send(b, status, reason);
        if (status == TradeStatus.DONE) {
            if (!a.removed) game.sendInventory(a);
            if (!b.removed) game.sendInventory(b);
        }
    }

    private void sendState() {
        TradeStatus sa, sb;
        if (committing) {
            sa = sb = TradeStatus.COMMITTING;
        } else if (open) {
            sa = sb = TradeStatus.OPEN;
        } else {
            sa = TradeStatus.INVITING;
            sb = TradeStatus.INVITED;
        }
        send(a, sa, "");
        send(b, sb, "");
    }

    private void send(Player p, TradeStatus status, String reason) {
        if (p.removed) return;
        boolean isA = p == a;
        Player other = isA ? b : a;
        TradeState.Builder s = TradeState.newBuilder()
                .setStatus(status)
                .setPartner(other.name)
                .setPartnerEntity(other.id)
                .setMyGold(isA ? goldA : goldB)
                .setTheirGold(isA ? goldB : goldA)
                .setMyConfirm(isA ? confirmA : confirmB)
                .setTheirConfirm(isA ? confirmB : confirmA)
                .setReason(reason);
        for (Item i : isA ? offerA : offerB) s.addMine(Game.itemProto(i));
        for (Item i : isA ? offerB : offerA) s.addTheirs(Game.itemProto(i));
        p.link.send(ServerMessage.newBuilder().setTrade(s).build());
    }

    boolean committing() {
        return committing;
    }
}

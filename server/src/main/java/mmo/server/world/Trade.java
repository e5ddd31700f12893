package mmo.server.world;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import mmo.protocol.ErrorCode;
import mmo.protocol.ServerMessage;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeState;
import mmo.protocol.TradeStatus;
import mmo.server.game.content.Content;
import mmo.server.persistence.ItemConflictException;
import mmo.server.persistence.Ledger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A trade between two players: invite, accept, offers (items from the bag and gold) on both
 * sides, both confirm, then the exchange is written by the {@link Ledger} in one transaction
 * and applied to both inventories only once written. Offered items are held
 * ({@link Item#busy}) so they cannot be dropped, worn or offered elsewhere meanwhile; a new
 * offer clears both confirmations. Leaving, dying or walking apart cancels an open trade; once
 * committing, the database decides and both inventories follow it.
 *
 * <p>The trade lives in the world of the player who invited (the host). The other player is a
 * {@link Party} there: local when simulated by the same world, remote when another world (a
 * cluster node across a region border) simulates it; then that world keeps a {@link Link} on
 * the player, checks its offers against its inventory, and the two talk in {@link RemoteAction}
 * TRADE messages. Tick thread only.
 */
final class Trade {
    private static final Logger log = LoggerFactory.getLogger(Trade.class);

    private final Game game;
    final Party a, b;          // a invited b; a is always a player of this world
    private boolean open;      // b accepted
    private boolean committing;

    private Trade(Game game, Party a, Party b) {
        this.game = game;
        this.a = a;
        this.b = b;
    }

    // ------------------------------------------------------------------ parties

    /** One side of a trade as the host world sees it. */
    abstract static class Party {
        final List<Item> offer = new ArrayList<>();
        long gold;
        boolean confirm;
        List<Integer> held = List.of(); // destination slots held while committing

        abstract String name();
        abstract int entityId();
        abstract long characterId();
        abstract long epoch();
        /** Where it stands, as seen here; null when out of sight. */
        abstract float[] position();
        abstract boolean gone();
        abstract void send(TradeState state);
        /** Bag slots for {@code needed} received items (free ones and those its own offer leaves); null if too few. */
        abstract List<Integer> destinations(int needed);
        abstract long goldOwned();
        abstract void hold(List<Integer> slots, boolean on);
        /** Written: it gives its offer and gets {@code gets} into {@code slots}, and the gold. */
        abstract void exchanged(List<Item> gets, List<Integer> slots, long goldIn);
        /** The trade ended ({@code ok}: as written; else nothing changed, or a failed write: resync). */
        abstract void ended(boolean writeFailed);
    }

    /** A player of this world. */
    static final class Local extends Party {
        final Player p;

        Local(Player p) {
            this.p = p;
        }

        String name() { return p.name; }
        int entityId() { return p.id; }
        long characterId() { return p.characterId; }
        long epoch() { return p.epoch; }
        float[] position() { return new float[]{p.x, p.y}; }
        boolean gone() { return p.removed; }
        long goldOwned() { return p.inventory.gold; }

        void send(TradeState state) {
            if (!p.removed) p.link.send(ServerMessage.newBuilder().setTrade(state).build());
        }

        List<Integer> destinations(int needed) {
            return freeSlots(p.inventory, offer, needed);
        }

        void hold(List<Integer> slots, boolean on) {
            reserve(p.inventory, slots, on);
        }

        void exchanged(List<Item> gets, List<Integer> slots, long goldIn) {
            applyExchange(p, offer, gets, slots, gold, goldIn);
        }

        void ended(boolean writeFailed) {
            for (Item i : offer) i.busy = false;
        }
    }

    /** A player another world simulates; its offers were checked there. */
    static final class Remote extends Party {
        final Game game;
        final String world;      // the world simulating it
        final int entityId;
        long characterId, epoch;
        String name = "?";
        List<Integer> freeSlots = List.of(); // sent with its confirmation, held there
        final long hostCharacter;

        Remote(Game game, String world, int entityId, long hostCharacter) {
            this.game = game;
            this.world = world;
            this.entityId = entityId;
            this.hostCharacter = hostCharacter;
        }

        String name() { return name; }
        int entityId() { return entityId; }
        long characterId() { return characterId; }
        long epoch() { return epoch; }
        boolean gone() { return false; }
        long goldOwned() { return Long.MAX_VALUE; } // checked there, and by the database

        float[] position() {
            Entity e = game.world.entityAt(entityId);
            return e == null ? null : new float[]{e.x, e.y};
        }

        void send(TradeState state) {
            game.world.border().gameActionTo(world, RemoteAction.trade(RemoteAction.TRADE_STATE, entityId, hostCharacter, state.toByteArray()));
        }

        List<Integer> destinations(int needed) {
            return freeSlots.size() < needed ? null : List.copyOf(freeSlots.subList(0, needed));
        }

        void hold(List<Integer> slots, boolean on) {
            // held there since its confirmation
        }

        void exchanged(List<Item> gets, List<Integer> slots, long goldIn) {
            game.world.border().gameActionTo(world, RemoteAction.trade(RemoteAction.TRADE_RESULT, entityId, hostCharacter,
                    encodeResult(true, offer, gets, slots, goldIn - gold)));
        }

        void ended(boolean writeFailed) {
            if (writeFailed) {
                game.world.border().gameActionTo(world, RemoteAction.trade(RemoteAction.TRADE_RESULT, entityId, hostCharacter,
                        encodeResult(false, List.of(), List.of(), List.of(), 0)));
            }
        }
    }

    // ------------------------------------------------------------------ requests

    static void handle(Game g, Player p, TradeAction action, int rid) {
        World w = g.world;
        if (p.tradeLink != null) {
            p.tradeLink.handle(g, p, action, rid); // the trade lives in another world
            return;
        }
        switch (action.getActionCase()) {
            case INVITE -> {
                Entity other = w.entityAt(action.getInvite());
                if (other == null || other == p || !(other instanceof Player || other instanceof Ghost && w.border() != null)) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "No such player here");
                } else if (p.trade != null) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "You are already trading");
                } else if (other instanceof Player q && (q.trade != null || q.tradeLink != null)) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, q.name + " is busy");
                } else if (p.dead || other instanceof Player q && q.dead) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "The dead do not trade");
                } else if (!inRange(p.x, p.y, other.x, other.y)) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, (other instanceof Player q ? q.name : "They") + " is too far away");
                } else {
                    Party them;
                    if (other instanceof Player q) {
                        them = new Local(q);
                    } else {
                        String world = World.sourceOf((Ghost) other);
                        if (world == null) {
                            w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "That player is crossing over; try again");
                            return;
                        }
                        them = new Remote(g, world, other.id, p.characterId);
                    }
                    Trade t = new Trade(g, new Local(p), them);
                    p.trade = t;
                    if (them instanceof Local l) l.p.trade = t;
                    else w.border().gameActionTo(((Remote) them).world, RemoteAction.trade(RemoteAction.TRADE_INVITE,
                            other.id, p.characterId, encodeInvite(w.border().self(), p.id, p.name)));
                    g.tradeStarted(t);
                    t.sendState();
                }
            }
            case ACCEPT -> {
                Trade t = p.trade;
                if (t == null || !(t.b instanceof Local l && l.p == p) || t.open) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "No trade invitation to accept");
                    return;
                }
                t.accept();
            }
            case OFFER -> {
                Trade t = p.trade;
                if (t == null || !t.open || t.committing) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "No open trade");
                    return;
                }
                List<Item> items = checkOffer(w, p, action.getOffer().getBagSlotsList(), action.getOffer().getGold(), rid,
                        t.partyOf(p).offer);
                if (items != null) t.offer(t.partyOf(p), items, action.getOffer().getGold());
            }
            case CONFIRM -> {
                Trade t = p.trade;
                if (t == null || !t.open || t.committing) {
                    w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "No open trade");
                    return;
                }
                t.confirm(t.partyOf(p));
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

    private Party partyOf(Player p) {
        return a instanceof Local l && l.p == p ? a : b;
    }

    private static boolean inRange(float x0, float y0, float x1, float y1) {
        float dx = x0 - x1, dy = y0 - y1, r = mmo.protocol.Constants.TRADE_RANGE_VALUE;
        return dx * dx + dy * dy <= r * r;
    }

    /** The items of an offer from {@code p}'s bag slots, or null (the error sent). */
    static List<Item> checkOffer(World w, Player p, List<Integer> slots, long gold, int rid, List<Item> alreadyOffered) {
        Inventory inv = p.inventory;
        if (slots.size() > mmo.protocol.Constants.TRADE_SLOTS_VALUE) {
            w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "At most " + mmo.protocol.Constants.TRADE_SLOTS_VALUE + " items");
            return null;
        }
        if (gold > inv.gold) {
            w.refuse(p, rid, ErrorCode.TRADE_REFUSED, Refusals.Kind.NOT_OWNED, "You do not have " + gold + " gold");
            return null;
        }
        List<Item> items = new ArrayList<>();
        for (int s : slots) {
            Item item = s >= 0 && s < Inventory.BAG_SIZE ? inv.bag[s] : null;
            if (item == null || items.contains(item)) {
                w.refuse(p, rid, ErrorCode.TRADE_REFUSED, Refusals.Kind.NOT_OWNED, "Bag slot " + s + " holds nothing to offer");
                return null;
            }
            if (item.busy && !alreadyOffered.contains(item)) {
                w.sendError(p, rid, ErrorCode.TRADE_REFUSED, item.def.name() + " is busy");
                return null;
            }
            items.add(item);
        }
        return items;
    }

    private void accept() {
        open = true;
        sendState();
    }

    private void offer(Party side, List<Item> items, long gold) {
        if (side instanceof Local) {
            for (Item i : side.offer) i.busy = false;
            for (Item i : items) i.busy = true;
        }
        side.offer.clear();
        side.offer.addAll(items);
        side.gold = gold;
        a.confirm = false;
        b.confirm = false;
        sendState();
    }

    private void confirm(Party side) {
        side.confirm = true;
        if (a.confirm && b.confirm) commit();
        else sendState();
    }

    /** Both confirmed: check again, then write the exchange; inventories change when it is written. */
    private void commit() {
        float[] pa = a.position(), pb = b.position();
        if (pa == null || pb == null || !inRange(pa[0], pa[1], pb[0], pb[1])) {
            cancel("Too far apart");
            return;
        }
        if (a.gold > a.goldOwned() || b.gold > b.goldOwned()) {
            cancel("Not enough gold");
            return;
        }
        List<Integer> toB = b.destinations(a.offer.size());
        List<Integer> toA = a.destinations(b.offer.size());
        if (toB == null || toA == null) {
            cancel((toB == null ? b.name() : a.name()) + "'s bag is full");
            return;
        }
        committing = true;
        a.held = toA;
        b.held = toB;
        a.hold(toA, true);
        b.hold(toB, true);
        sendState();
        Ledger ledger = game.ledger;
        if (ledger == null) {
            exchange(toA, toB);
            return;
        }
        Ledger.TradeSide sideA = new Ledger.TradeSide(a.characterId(), a.epoch(), ids(a.offer), toB, a.gold);
        Ledger.TradeSide sideB = new Ledger.TradeSide(b.characterId(), b.epoch(), ids(b.offer), toA, b.gold);
        ledger.trade(sideA, sideB).whenComplete((ok, err) -> game.world.execute(() -> {
            if (err == null) {
                exchange(toA, toB);
                return;
            }
            Throwable cause = Game.unwrap(err);
            log.warn("trade of {} and {} not written: {}", a.name(), b.name(), cause.toString());
            committing = false;
            end(TradeStatus.CANCELLED, cause instanceof ItemConflictException
                    ? "Item no longer available" : "The trade could not be saved; nothing changed", true);
        }));
    }

    private static List<Long> ids(List<Item> items) {
        List<Long> ids = new ArrayList<>(items.size());
        for (Item i : items) ids.add(i.id);
        return ids;
    }

    static List<Integer> freeSlots(Inventory inv, List<Item> gives, int needed) {
        List<Integer> out = new ArrayList<>(needed);
        for (int s = 0; s < Inventory.BAG_SIZE && out.size() < needed; s++) {
            Item i = inv.bag[s];
            if (inv.reserved[s]) continue;
            if (i == null || gives.contains(i)) out.add(s);
        }
        return out.size() < needed ? null : out;
    }

    /** Holds (or frees) the empty slots of {@code slots} while the exchange is written. */
    static void reserve(Inventory inv, List<Integer> slots, boolean hold) {
        for (int s : slots) {
            if (!hold || inv.bag[s] == null) inv.reserved[s] = hold;
        }
    }

    /** Written: both take it (a player that left meanwhile has it in the database). */
    private void exchange(List<Integer> toA, List<Integer> toB) {
        a.hold(a.held, false);
        b.hold(b.held, false);
        a.exchanged(b.offer, toA, b.gold);
        b.exchanged(a.offer, toB, a.gold);
        end(TradeStatus.DONE, "", false);
    }

    static void applyExchange(Player p, List<Item> gives, List<Item> gets, List<Integer> slots, long goldOut, long goldIn) {
        if (p.removed) return;
        Inventory inv = p.inventory;
        for (Item i : gives) {
            int s = inv.bagSlotOf(i.id);
            if (s >= 0) inv.bag[s] = null;
        }
        for (int k = 0; k < gets.size(); k++) inv.bag[slots.get(k)] = new Item(gets.get(k).id, gets.get(k).def);
        inv.gold += goldIn - goldOut;
    }

    /** Cancels an open trade: nothing changes hands. */
    void cancel(String reason) {
        if (committing) return;
        end(TradeStatus.CANCELLED, reason, false);
    }

    void playerLeft(Player p) {
        if (committing) return; // the database decides; the one leaving has the result stored
        end(TradeStatus.CANCELLED, p.name + " left");
    }

    private void end(TradeStatus status, String reason) {
        end(status, reason, false);
    }

    /** Each tick: an open trade between players walked apart (or gone) is cancelled. */
    void check() {
        if (committing) return;
        float[] pa = a.position(), pb = b.position();
        if (a.gone() || b.gone() || pa == null || pb == null || !inRange(pa[0], pa[1], pb[0], pb[1])) cancel("Too far apart");
    }

    private void end(TradeStatus status, String reason, boolean writeFailed) {
        a.hold(a.held, false);
        b.hold(b.held, false);
        a.held = List.of();
        b.held = List.of();
        if (a instanceof Local l && l.p.trade == this) l.p.trade = null;
        if (b instanceof Local l && l.p.trade == this) l.p.trade = null;
        game.tradeEnded(this);
        a.ended(writeFailed);
        b.ended(writeFailed);
        a.send(state(a, b, status, reason));
        b.send(state(b, a, status, reason));
        for (Party side : List.of(a, b)) {
            if (!(side instanceof Local l) || l.p.removed) continue;
            if (status == TradeStatus.DONE) game.sendInventory(l.p);
            if (writeFailed) game.reload(l.p);
            game.afterWrite(l.p);
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
        a.send(state(a, b, sa, ""));
        b.send(state(b, a, sb, ""));
    }

    private static TradeState state(Party me, Party other, TradeStatus status, String reason) {
        TradeState.Builder s = TradeState.newBuilder()
                .setStatus(status)
                .setPartner(other.name())
                .setPartnerEntity(other.entityId())
                .setMyGold(me.gold)
                .setTheirGold(other.gold)
                .setMyConfirm(me.confirm)
                .setTheirConfirm(other.confirm)
                .setReason(reason);
        for (Item i : me.offer) s.addMine(Game.itemProto(i));
        for (Item i : other.offer) s.addTheirs(Game.itemProto(i));
        return s.build();
    }

    boolean committing() {
        return committing;
    }

    // ------------------------------------------------------------------ across worlds

    /** A trade message from another world (see {@link RemoteAction#trade}). */
    static void remote(Game g, RemoteAction m) {
        World w = g.world;
        try {
            switch (m.amount()) {
                case RemoteAction.TRADE_INVITE -> {
                    // the host invites a player of ours
                    Player p = w.player((int) m.target());
                    CodedInputStream in = CodedInputStream.newInstance(m.body());
                    String host = in.readString();
                    int hostEntity = in.readUInt32();
                    String hostName = in.readString();
                    Link link = new Link(host, m.sourceCharacter(), hostEntity, hostName);
                    if (p == null || p.trade != null || p.tradeLink != null || p.dead) {
                        link.act(g, p, (int) m.target(), TradeActCode.REFUSE, p == null ? "?" : p.name, 0, null);
                        return;
                    }
                    p.tradeLink = link;
                    link.player = p;
                    p.link.send(ServerMessage.newBuilder().setTrade(TradeState.newBuilder()
                            .setStatus(TradeStatus.INVITED).setPartner(hostName).setPartnerEntity(hostEntity)).build());
                }
                case RemoteAction.TRADE_ACT -> {
                    // the other player (ours is the host) acted
                    Player host = w.playerByCharacter(m.target());
                    Trade t = host == null ? null : host.trade;
                    if (t == null || !(t.b instanceof Remote r) || r.entityId != m.sourceCharacter()) return;
                    t.remoteAct(r, m.body());
                }
                case RemoteAction.TRADE_STATE -> {
                    Player p = w.player((int) m.target());
                    if (p == null || p.tradeLink == null || p.tradeLink.hostCharacter != m.sourceCharacter()) return;
                    p.tradeLink.state(g, p, TradeState.parseFrom(m.body()));
                }
                case RemoteAction.TRADE_RESULT -> {
                    Player p = w.player((int) m.target());
                    Link link = p == null ? null : p.tradeLink;
                    if (link == null || link.hostCharacter != m.sourceCharacter()) {
                        // it walked on while the host wrote: its new world reads the result from the database
                        if (!g.announceToHandedOff((int) m.target())) {
                            log.info("a trade result for entity {} found it gone from here", m.target());
                        }
                        return;
                    }
                    link.result(g, p, m.body());
                }
                default -> log.warn("unknown trade message {}", m.amount());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("bad trade message {}: {}", m.amount(), e.toString());
        }
    }

    enum TradeActCode { REFUSE, ACCEPT, OFFER, CONFIRM, CANCEL }

    /** Host side: the remote party's action, already checked against its inventory there. */
    private void remoteAct(Remote r, byte[] body) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        TradeActCode code = TradeActCode.values()[in.readUInt32()];
        r.name = in.readString();
        r.characterId = in.readInt64();
        r.epoch = in.readInt64();
        long gold = in.readInt64();
        switch (code) {
            case REFUSE -> end(TradeStatus.CANCELLED, r.name + " is busy");
            case ACCEPT -> {
                if (!open) accept();
            }
            case OFFER -> {
                if (!open || committing) return;
                int n = in.readUInt32();
                List<Item> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    long id = in.readInt64();
                    Content.ItemDef def = game.content.item(in.readString());
                    if (def == null) {
                        cancel("Unknown item offered");
                        return;
                    }
                    items.add(new Item(id, def));
                }
                offer(r, items, gold);
            }
            case CONFIRM -> {
                if (!open || committing) return;
                int n = in.readUInt32();
                List<Integer> slots = new ArrayList<>(n);
                for (int i = 0; i < n; i++) slots.add(in.readUInt32());
                r.freeSlots = slots;
                confirm(r);
            }
            case CANCEL -> cancel(r.name + (gold < 0 ? " left" : " cancelled"));
        }
    }

    private static byte[] encodeInvite(String host, int hostEntity, String hostName) {
        return write(out -> {
            out.writeStringNoTag(host);
            out.writeUInt32NoTag(hostEntity);
            out.writeStringNoTag(hostName);
        });
    }

    private static byte[] encodeResult(boolean ok, List<Item> gives, List<Item> gets, List<Integer> slots, long goldDelta) {
        return write(out -> {
            out.writeBoolNoTag(ok);
            out.writeUInt32NoTag(gives.size());
            for (Item i : gives) out.writeInt64NoTag(i.id);
            out.writeUInt32NoTag(gets.size());
            for (int k = 0; k < gets.size(); k++) {
                out.writeInt64NoTag(gets.get(k).id);
                out.writeStringNoTag(gets.get(k).def.id());
                out.writeUInt32NoTag(slots.get(k));
            }
            out.writeInt64NoTag(goldDelta);
        });
    }

    interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes, 128);
        try {
            body.write(out);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The other side of a trade hosted by another world: kept on the player here. Its offers
     * are checked and held here; the host is told; the host's states are relayed to the client;
     * the written result is applied here.
     */
    static final class Link {
        final String host;
        final long hostCharacter;
        final int hostEntity;
        final String hostName;
        Player player;
        final List<Item> offered = new ArrayList<>();
        List<Integer> held = List.of();

        Link(String host, long hostCharacter, int hostEntity, String hostName) {
            this.host = host;
            this.hostCharacter = hostCharacter;
            this.hostEntity = hostEntity;
            this.hostName = hostName;
        }

        void handle(Game g, Player p, TradeAction action, int rid) {
            World w = g.world;
            switch (action.getActionCase()) {
                case INVITE -> w.sendError(p, rid, ErrorCode.TRADE_REFUSED, "You are already trading");
                case ACCEPT -> act(g, p, p.id, TradeActCode.ACCEPT, p.name, 0, null);
                case OFFER -> {
                    List<Item> items = checkOffer(w, p, action.getOffer().getBagSlotsList(), action.getOffer().getGold(), rid, offered);
                    if (items == null) return;
                    for (Item i : offered) i.busy = false;
                    offered.clear();
                    offered.addAll(items);
                    for (Item i : offered) i.busy = true;
                    release(p);
                    act(g, p, p.id, TradeActCode.OFFER, p.name, action.getOffer().getGold(), out -> {
                        out.writeUInt32NoTag(items.size());
                        for (Item i : items) {
                            out.writeInt64NoTag(i.id);
                            out.writeStringNoTag(i.def.id());
                        }
                    });
                }
                case CONFIRM -> {
                    // hold the slots what comes in may take: free ones and those the offer leaves
                    List<Integer> all = new ArrayList<>();
                    for (int s = 0; s < Inventory.BAG_SIZE; s++) {
                        Item i = p.inventory.bag[s];
                        if (!p.inventory.reserved[s] && (i == null || offered.contains(i))) all.add(s);
                    }
                    release(p);
                    held = all.subList(0, Math.min(all.size(), mmo.protocol.Constants.TRADE_SLOTS_VALUE));
                    held = List.copyOf(held);
                    reserve(p.inventory, held, true);
                    List<Integer> send = held;
                    act(g, p, p.id, TradeActCode.CONFIRM, p.name, 0, out -> {
                        out.writeUInt32NoTag(send.size());
                        for (int s : send) out.writeUInt32NoTag(s);
                    });
                }
                case CANCEL -> act(g, p, p.id, TradeActCode.CANCEL, p.name, 0, null);
                default -> w.sendError(p, rid, ErrorCode.BAD_REQUEST, "Empty trade action");
            }
        }

        private void release(Player p) {
            reserve(p.inventory, held, false);
            held = List.of();
        }

        /** Tells the host; {@code gold} < 0 on CANCEL means the player left. */
        void act(Game g, Player p, int entity, TradeActCode code, String name, long gold, Body extra) {
            long character = p == null ? 0 : p.characterId, epoch = p == null ? 0 : p.epoch;
            byte[] body = write(out -> {
                out.writeUInt32NoTag(code.ordinal());
                out.writeStringNoTag(name);
                out.writeInt64NoTag(character);
                out.writeInt64NoTag(epoch);
                out.writeInt64NoTag(gold);
                if (extra != null) extra.write(out);
            });
            g.world.border().gameActionTo(host, RemoteAction.trade(RemoteAction.TRADE_ACT, hostCharacter, entity, body));
        }

        /** The host's state of the trade, for our player's client. */
        void state(Game g, Player p, TradeState s) {
            if (!s.getMyConfirm()) release(p); // confirmations cleared: the slots are free again
            p.link.send(ServerMessage.newBuilder().setTrade(s).build());
            if (s.getStatus() == TradeStatus.CANCELLED || s.getStatus() == TradeStatus.DONE) end(p);
        }

        /** The host wrote the exchange (or failed to): apply it here. */
        void result(Game g, Player p, byte[] body) throws IOException {
            CodedInputStream in = CodedInputStream.newInstance(body);
            boolean ok = in.readBool();
            Inventory inv = p.inventory;
            List<Long> gives = new ArrayList<>();
            for (int i = 0, n = in.readUInt32(); i < n; i++) gives.add(in.readInt64());
            List<Item> gets = new ArrayList<>();
            List<Integer> slots = new ArrayList<>();
            for (int i = 0, n = in.readUInt32(); i < n; i++) {
                long id = in.readInt64();
                Content.ItemDef def = g.content.item(in.readString());
                int slot = in.readUInt32();
                if (def != null) {
                    gets.add(new Item(id, def));
                    slots.add(slot);
                }
            }
            long goldDelta = in.readInt64();
            release(p);
            // the link ends with the host's final state, which follows
            if (!ok) {
                g.reload(p);
                return;
            }
            for (long id : gives) {
                int s = inv.bagSlotOf(id);
                if (s >= 0) inv.bag[s] = null;
            }
            for (int k = 0; k < gets.size(); k++) inv.bag[slots.get(k)] = gets.get(k);
            inv.gold += goldDelta;
            g.sendInventory(p);
            g.afterWrite(p);
        }

        /** The trade is over here: offered items free again. */
        void end(Player p) {
            for (Item i : offered) i.busy = false;
            offered.clear();
            release(p);
            if (p.tradeLink == this) p.tradeLink = null;
        }

        private int lostSince = -1;

        /**
         * Once a second: a host out of sight for 10 s (its node went away, or the players
         * parted without a word reaching us) ends the trade here; the database has the truth,
         * so the inventory is read again.
         */
        void check(Game g, Player p, int t) {
            if (g.world.entityAt(hostEntity) != null) {
                lostSince = -1;
                return;
            }
            if (lostSince < 0) lostSince = t;
            if (t - lostSince < 10 * g.world.settings().tickRate()) return;
            act(g, p, p.id, TradeActCode.CANCEL, p.name, 0, null);
            end(p);
            p.link.send(ServerMessage.newBuilder().setTrade(TradeState.newBuilder()
                    .setStatus(TradeStatus.CANCELLED).setPartner(hostName).setReason(hostName + " is gone")).build());
            g.reload(p);
        }

        /** Our player leaves or dies: the host cancels (unless it is already writing). */
        void playerGone(Game g, Player p) {
            act(g, p, p.id, TradeActCode.CANCEL, p.name, -1, null);
            end(p);
        }
    }
}

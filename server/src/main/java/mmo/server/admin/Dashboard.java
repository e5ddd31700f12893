package mmo.server.admin;

import mmo.protocol.AdminChatLine;
import mmo.protocol.AdminFeed;
import mmo.protocol.AdminPlayer;
import mmo.protocol.AdminRegion;
import mmo.protocol.AdminWorld;
import mmo.protocol.ChatChannel;
import mmo.protocol.OnlineSample;
import mmo.protocol.ServerMessage;
import mmo.server.game.Chat;
import mmo.server.world.Player;
import mmo.server.world.Region;
import mmo.server.world.TickStats;
import mmo.server.world.World;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The admin dashboard's feed: what the server's worlds look like now (players, regions and
 * their simulate times, tick percentiles, time dilation), players online over time, and the
 * chat said, sent as {@link AdminFeed} every {@link #FEED_EVERY_TICKS} ticks to the connections
 * watching. Built on the tick thread after the last world's tick ({@link #afterTick}), where
 * every world of the process may be read; the feed is encoded once and the same bytes go to
 * every watcher, except a new watcher's first feed, which also carries the whole history and
 * the recent chat. Watchers come and go from any thread ({@link #watch}, {@link #unwatch}).
 *
 * <p>In a cluster every node has one: at each feed a node with watchers asks the other nodes
 * ({@link Peers}) for their part (the players they simulate, {@link #part}, in chunks that each
 * fit one cluster message), and its feed carries the parts that came back whole within the last
 * {@link #PART_TTL_NANOS} (a node that stopped answering drops out of the map). Regions are named by the node the cluster says owns them.
 * The chat lines and players-online samples are the whole cluster's: each node logs what was
 * said by players it simulates and sends each asking node the lines it has not sent it yet, and
 * a sample counts every node's players (a cluster's dashboard asks for it shortly before each
 * sample, watched or not).
 */
public final class Dashboard implements Chat.Log {
    /** A feed every 10 ticks: 2 Hz at the default 20 Hz. */
    public static final int FEED_EVERY_TICKS = 10;
    /** Players-online samples kept: an hour of one per 10 s. */
    public static final int HISTORY = 360;
    /** Chat lines kept for a new watcher's first feed. */
    public static final int RECENT_CHAT = 50;

    /** How long another node's part stays on the map without a fresher one: 2 s, four feeds. */
    static final long PART_TTL_NANOS = 2_000_000_000L;
    /**
     * Most bytes of one chunk of a part: each is one cluster message, and a quarter of Pekko's
     * 256 KiB maximum frame leaves room for the envelope (about 900 players of ~70 bytes a chunk).
     */
    public static final int PART_CHUNK_BYTES = 64 * 1024;
    /** A part's chunk starts with its answer's number, its index and the count of chunks in that answer. */
    private static final int CHUNK_HEADER = 4 + 2 + 2;
    /** Most chunks of one answer accepted: 2 MiB of players, far more than a node simulates. */
    static final int MAX_CHUNKS = 32;

    /** The other cluster nodes. */
    public interface Peers {
        /** Asks every other node for its {@link #part}; answers come to {@link #acceptPart}. Tick thread; must not block. */
        void ask();
    }

    private record Part(List<AdminPlayer> players, long receivedNanos) {}

    /** The chunks of one node's answer received so far; shown once all are in. Guarded by {@link #assembling}. */
    private static final class Assembly {
        final int answer;
        final AdminFeed[] chunks;
        int received;

        Assembly(int answer, int count) {
            this.answer = answer;
            this.chunks = new AdminFeed[count];
        }
    }

    /** Where a watcher's feeds go: an encoded {@code ServerMessage}, sent at once. Any thread. */
    public interface Watcher {
        void deliver(byte[] bytes, int offset, int length);
    }

    /** Per watcher; {@code fresh} until it got its first feed (tick thread), which answers request {@code rid}. */
    private static final class Watch {
        final int rid;
        boolean fresh = true;

        Watch(int rid) {
            this.rid = rid;
        }
    }

    private final List<World> worlds;
    private final java.util.function.Supplier<String> node;
    private volatile Peers peers;
    private final Map<String, Part> parts = new ConcurrentHashMap<>();
    /** Per node, its latest answer still missing chunks (a newer answer replaces it). */
    private final Map<String, Assembly> assembling = new java.util.HashMap<>();
    private int answers; // tick thread: numbers this node's answers, so chunks of two are never mixed
    private final IntFunction<String> regionOwner;
    private final Clock clock;
    private final int sampleEveryTicks;
    private final int sampleIntervalS;
    private final Map<Watcher, Watch> watchers = new ConcurrentHashMap<>();

    // tick thread
    private final ArrayDeque<OnlineSample> history = new ArrayDeque<>();
    private final ArrayList<OnlineSample> newSamples = new ArrayList<>();
    private final ArrayDeque<AdminChatLine> recentChat = new ArrayDeque<>();
    private final ArrayList<AdminChatLine> newChat = new ArrayList<>();
    /** The last {@link #RECENT_CHAT} lines said by players simulated here, for the other nodes' feeds. */
    private final ArrayDeque<AdminChatLine> ownChat = new ArrayDeque<>();
    private long ownChatCount; // lines ever said here: the next one's number
    /** Per asking node, the number of the first own line it has not been sent. */
    private final Map<String, Long> chatSentTo = new java.util.HashMap<>();
    /** Lines said on other nodes, from their parts (any thread), taken into the feed on the tick thread. */
    private final java.util.Queue<AdminChatLine> peerChat = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private int sampleAt = 1; // the tick count at which the next players-online sample is taken
    private int ticks;
    private int lastFeedTick;

    /**
     * @param node        this node's name ("" when not a cluster; asked at each feed: a cluster node learns it late)
     * @param regionOwner the node owning a region index (of the first world), for a cluster; null: {@code node}
     */
    public Dashboard(List<World> worlds, java.util.function.Supplier<String> node, IntFunction<String> regionOwner, Clock clock) {
        this.worlds = List.copyOf(worlds);
        this.node = node;
        this.regionOwner = regionOwner != null ? regionOwner : r -> node.get();
        this.clock = clock;
        int rate = Math.max(1, worlds.get(0).settings().tickRate());
        this.sampleIntervalS = 10;
        this.sampleEveryTicks = sampleIntervalS * rate;
    }

    /**
     * Starts sending feeds to {@code w}; the first, with the whole history and carrying request id
     * {@code rid}, within {@link #FEED_EVERY_TICKS} ticks. A watcher that asks again is answered
     * the same way (its request would otherwise never be). Any thread.
     */
    public void watch(Watcher w, int rid) {
        watchers.put(w, new Watch(rid));
    }

    /** Stops sending to {@code w} (also when its connection closed); whether it was watching. Any thread. */
    public boolean unwatch(Watcher w) {
        return watchers.remove(w) != null;
    }

    /** Makes this a cluster node's dashboard: its feeds ask {@code peers} for their players. */
    public void setPeers(Peers peers) {
        this.peers = peers;
    }

    /**
     * This node's part of a cluster's feed, for the node {@code asker}: the players simulated
     * here and the chat lines said here that it has not been sent yet (at most the last
     * {@link #RECENT_CHAT}), as encoded {@link AdminFeed}s of at most {@code maxBytes} each (one
     * cluster message each: a node simulating thousands of players would not fit one frame),
     * each headed by the answer's number, its index and the count of chunks. At least one
     * chunk, even with nothing in it. Tick thread.
     */
    public List<byte[]> part(String asker, int maxBytes) {
        int answer = ++answers;
        AdminFeed.Builder all = AdminFeed.newBuilder();
        addPlayers(all);
        AdminFeed head = AdminFeed.newBuilder().setTick(worlds.get(0).currentTick()).setNode(node.get()).build();
        int budget = maxBytes - CHUNK_HEADER - head.getSerializedSize();
        List<AdminFeed.Builder> chunks = new ArrayList<>();
        AdminFeed.Builder chunk = head.toBuilder();
        int size = 0;
        long first = ownChatCount - ownChat.size(), from = Math.max(first, chatSentTo.getOrDefault(asker, first));
        long n = first;
        for (AdminChatLine line : ownChat) { // a line is at most ~1 KiB: they all fit the first chunk's budget
            if (n++ < from) continue;
            chunk.addChat(line);
            size += com.google.protobuf.CodedOutputStream.computeMessageSize(AdminFeed.CHAT_FIELD_NUMBER, line);
        }
        chatSentTo.put(asker, ownChatCount);
        for (AdminPlayer p : all.getPlayersList()) {
            int bytes = com.google.protobuf.CodedOutputStream.computeMessageSize(AdminFeed.PLAYERS_FIELD_NUMBER, p);
            if (size + bytes > budget && (chunk.getPlayersCount() > 0 || chunk.getChatCount() > 0)) {
                chunks.add(chunk);
                chunk = head.toBuilder();
                size = 0;
            }
            chunk.addPlayers(p);
            size += bytes;
        }
        chunks.add(chunk);
        List<byte[]> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            byte[] feed = chunks.get(i).build().toByteArray();
            out.add(java.nio.ByteBuffer.allocate(CHUNK_HEADER + feed.length).putInt(answer).putShort((short) i)
                    .putShort((short) chunks.size()).put(feed).array());
        }
        return out;
    }

    /**
     * A chunk of another node's answer to {@link Peers#ask}: the node's players show once every
     * chunk of one answer is in (in any order), replacing its earlier ones. A malformed chunk is
     * dropped. Any thread.
     */
    public void acceptPart(String fromNode, byte[] chunk) {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Dashboard.class);
        if (chunk.length < CHUNK_HEADER) {
            log.warn("bad dashboard part from {}: {} bytes", fromNode, chunk.length);
            return;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(chunk);
        int answer = b.getInt(), index = Short.toUnsignedInt(b.getShort()), count = Short.toUnsignedInt(b.getShort());
        if (count < 1 || count > MAX_CHUNKS || index >= count) {
            log.warn("bad dashboard part from {}: chunk {} of {}", fromNode, index, count);
            return;
        }
        AdminFeed feed;
        try {
            feed = AdminFeed.parseFrom(b);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            log.warn("bad dashboard part from {}: {}", fromNode, e.toString());
            return;
        }
        synchronized (assembling) {
            Assembly a = assembling.get(fromNode);
            if (a == null || a.answer != answer || a.chunks.length != count) {
                a = new Assembly(answer, count);
                assembling.put(fromNode, a);
            }
            if (a.chunks[index] == null) a.received++;
            a.chunks[index] = feed;
            if (a.received < count) return;
            assembling.remove(fromNode);
            List<AdminPlayer> whole = new ArrayList<>();
            for (AdminFeed c : a.chunks) {
                whole.addAll(c.getPlayersList());
                peerChat.addAll(c.getChatList());
            }
            parts.put(fromNode, new Part(whole, System.nanoTime()));
        }
    }

    /** How many connections are watching. Any thread. */
    public int watchers() {
        return watchers.size();
    }

    @Override
    public void said(World world, Player speaker, ChatChannel channel, String text, String to) {
        AdminChatLine line = AdminChatLine.newBuilder().setChannel(channel).setFrom(speaker.name())
                .setAccount(speaker.link().accountName()).setText(text).setTick(world.currentTick() + 1)
                .setWorld(world.name()).setTo(to).setTimeMs(clock.millis()).build();
        if (ownChat.size() == RECENT_CHAT) ownChat.removeFirst();
        ownChat.addLast(line);
        ownChatCount++;
        chat(line);
    }

    /** A line for this node's feed, said here or on another node. Tick thread. */
    private void chat(AdminChatLine line) {
        if (recentChat.size() == RECENT_CHAT) recentChat.removeFirst();
        recentChat.addLast(line);
        if (!watchers.isEmpty()) newChat.add(line);
    }

    /** After each tick of the last world: samples players online, and sends the feed when due. Tick thread. */
    public void afterTick() {
        ticks++;
        for (AdminChatLine line; (line = peerChat.poll()) != null; ) chat(line);
        Peers p = peers;
        if (ticks == sampleAt) {
            sample();
            sampleAt = ticks + sampleEveryTicks;
        } else if (p != null && ticks == sampleAt - FEED_EVERY_TICKS) {
            p.ask(); // a cluster's sample counts every node's players: their parts come back by then
        }
        if (ticks % FEED_EVERY_TICKS != 0) return;
        if (watchers.isEmpty()) {
            newSamples.clear();
            newChat.clear();
            for (World w : worlds) {
                for (int r = 0, n = w.regionCols() * w.regionRows(); r < n; r++) w.region(r).takeMeanStepNanos();
            }
            lastFeedTick = worlds.get(0).currentTick();
            return;
        }
        if (p != null) p.ask(); // the answers show in the next feed
        AdminFeed.Builder feed = build();
        byte[] common = null;
        AdminFeed full = null;
        for (Map.Entry<Watcher, Watch> e : watchers.entrySet()) {
            byte[] bytes;
            Watch watch = e.getValue();
            if (watch.fresh) { // rare: its own message, answering its request
                if (full == null) {
                    full = feed.clone().clearOnline().addAllOnline(history).setFullHistory(true)
                            .clearChat().addAllChat(recentChat).build();
                }
                bytes = ServerMessage.newBuilder().setRid(watch.rid).setAdminFeed(full).build().toByteArray();
                watch.fresh = false;
            } else {
                if (common == null) common = ServerMessage.newBuilder().setAdminFeed(feed).build().toByteArray();
                bytes = common;
            }
            e.getKey().deliver(bytes, 0, bytes.length);
        }
        newSamples.clear();
        newChat.clear();
    }

    /** Takes a players-online sample: in a cluster, of every node whose part is fresh (each player once). */
    private void sample() {
        int players = 0;
        java.util.Set<Integer> counted = new java.util.HashSet<>();
        for (World w : worlds) {
            players += w.players().size();
            if (!parts.isEmpty()) for (Player p : w.players()) counted.add(p.id());
        }
        long now = System.nanoTime();
        for (Part part : parts.values()) {
            if (now - part.receivedNanos() > PART_TTL_NANOS) continue;
            for (AdminPlayer p : part.players()) if (counted.add(p.getEntityId())) players++;
        }
        OnlineSample s = OnlineSample.newBuilder().setTimeMs(clock.millis()).setPlayers(players).build();
        if (history.size() == HISTORY) history.removeFirst();
        history.addLast(s);
        newSamples.add(s);
    }

    /** The feed as of now, with what is new since the last one. Tick thread. */
    AdminFeed.Builder build() {
        AdminFeed.Builder f = AdminFeed.newBuilder()
                .setTick(worlds.get(0).currentTick())
                .setServerTime(clock.millis())
                .setNode(node.get())
                .setSampleIntervalS(sampleIntervalS)
                .addAllOnline(newSamples)
                .addAllChat(newChat);
        int from = lastFeedTick + 1;
        lastFeedTick = worlds.get(0).currentTick();
        for (int wi = 0; wi < worlds.size(); wi++) {
            World w = worlds.get(wi);
            TickStats.Summary s = w.tickStats().since(from);
            List<Player> players = w.players();
            f.addWorlds(AdminWorld.newBuilder().setName(w.name()).setMap("/" + w.map().resourcePath())
                    .setPlayers(players.size()).setTickP50Ms((float) s.p50Ms()).setTickP99Ms((float) s.p99Ms())
                    .setTimeDilation(w.timeDilation()).setRegionSize(w.regionSize())
                    .setRegionCols(w.regionCols()).setRegionRows(w.regionRows()));
            for (int r = 0, n = w.regionCols() * w.regionRows(); r < n; r++) {
                Region region = w.region(r);
                f.addRegions(AdminRegion.newBuilder().setWorld(w.name()).setIndex(r)
                        .setNode(wi == 0 ? regionOwner.apply(r) : node.get()).setPlayers(region.players().size())
                        .setLastUs(micros(region.lastStepNanos())).setMeanUs(micros(region.takeMeanStepNanos())));
            }
        }
        addPlayers(f);
        long now = System.nanoTime();
        java.util.Set<Integer> here = new java.util.HashSet<>();
        for (AdminPlayer p : f.getPlayersList()) here.add(p.getEntityId());
        for (Map.Entry<String, Part> e : parts.entrySet()) {
            if (now - e.getValue().receivedNanos() > PART_TTL_NANOS) {
                parts.remove(e.getKey(), e.getValue());
                continue;
            }
            // one in a handoff may be on two nodes' lists for a moment: shown once
            for (AdminPlayer p : e.getValue().players()) {
                if (!here.add(p.getEntityId())) continue;
                f.addPlayers(p);
                // regions of the first world come first, by index; a peer's index is not trusted
                // (uint32 on the wire: one past 2^31 reads as negative)
                int region = p.getRegion();
                World first = worlds.get(0);
                if (region >= 0 && region < first.regionCols() * first.regionRows() && p.getWorld().equals(first.name())) {
                    AdminRegion.Builder r = f.getRegionsBuilder(region);
                    r.setPlayers(r.getPlayers() + 1);
                }
            }
        }
        if (worlds.size() == 1) f.getWorldsBuilder(0).setPlayers(f.getPlayersCount()); // with the other nodes'
        return f;
    }

    /** Adds the players simulated here. Tick thread. */
    private void addPlayers(AdminFeed.Builder f) {
        String self = node.get();
        for (World w : worlds) {
            List<Player> players = w.players();
            for (int i = 0; i < players.size(); i++) {
                Player p = players.get(i);
                f.addPlayers(AdminPlayer.newBuilder().setEntityId(p.id()).setName(p.name())
                        .setAccount(p.link().accountName()).setWorld(w.name())
                        .setX(World.quantize(p.x())).setY(World.quantize(p.y()))
                        .setRegion(w.regionIndex(p.x(), p.y())).setNode(self));
            }
        }
    }

    private static int micros(long nanos) {
        return (int) Math.min(Integer.MAX_VALUE, (nanos + 999) / 1000);
    }
}

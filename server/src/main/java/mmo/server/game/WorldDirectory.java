package mmo.server.game;

import mmo.protocol.WorldInfo;
import mmo.protocol.WorldList;
import mmo.server.account.StartPointPicker;
import mmo.server.account.WorldChoice;
import mmo.server.world.World;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The deployment's worlds as players choose them: name, map, capacity and live population.
 *
 * <p>The population is counted here, by the connections, not by the worlds: a connection
 * takes a seat before its character enters a world and frees it when the character leaves or
 * the connection is told to go. Seats are taken atomically against the capacity, so two
 * players racing for a world's last place cannot both get it, and the count is right on any
 * thread without waiting for a tick. In a cluster it counts the players connected through this
 * node. Thread-safe.
 */
public final class WorldDirectory implements WorldChoice {

    /** One world and its seats. Thread-safe. */
    public static final class Entry {
        private final World world;
        private final String map;
        private final int capacity;
        private final StartPointPicker startPoints;
        private final AtomicInteger population = new AtomicInteger();

        public Entry(World world, int capacity) {
            if (capacity < 1) throw new IllegalArgumentException("capacity must be > 0: " + capacity);
            this.world = world;
            this.map = "/" + world.map().resourcePath();
            this.capacity = capacity;
            this.startPoints = new MapStartPoints(world.map());
        }

        public String name() { return world.name(); }
        public World world() { return world; }
        /** The map's path as clients load it, e.g. {@code /maps/world.tmj}. */
        public String map() { return map; }
        public int capacity() { return capacity; }
        public int population() { return population.get(); }

        /** Takes a seat if the world has one free: false when it is full. */
        public boolean takeSeat() {
            while (true) {
                int n = population.get();
                if (n >= capacity) return false;
                if (population.compareAndSet(n, n + 1)) return true;
            }
        }

        /** Frees a seat taken with {@link #takeSeat}; once per seat. */
        public void freeSeat() {
            population.decrementAndGet();
        }

        public WorldInfo info() {
            return WorldInfo.newBuilder().setName(name()).setMap(map).setPopulation(population()).setCapacity(capacity).build();
        }
    }

    private final List<Entry> entries;
    private final Map<String, Entry> byKey = new HashMap<>();

    /** @param entries the worlds, the first being where characters created without a choice go */
    public WorldDirectory(List<Entry> entries) {
        if (entries.isEmpty()) throw new IllegalArgumentException("no worlds");
        this.entries = List.copyOf(entries);
        for (Entry e : this.entries) {
            if (byKey.putIfAbsent(WorldChoice.key(e.name()), e) != null) {
                throw new IllegalArgumentException("two worlds named '" + e.name() + "'");
            }
        }
    }

    public List<Entry> all() { return entries; }
    public Entry first() { return entries.get(0); }

    /** The world of that name (ignoring case), or null. */
    public Entry find(String name) {
        return name == null ? null : byKey.get(WorldChoice.key(name));
    }

    /**
     * The world a stored character plays in, or null if its world is not configured here. With
     * one world configured that is always the one: a server of one world has always put every
     * character there, whatever name its world had when it was saved (the next save writes the
     * current name).
     */
    public Entry forCharacter(String world) {
        return entries.size() == 1 ? first() : find(world);
    }

    /** Every world with its population now. */
    public List<WorldInfo> infos() {
        List<WorldInfo> list = new ArrayList<>(entries.size());
        for (Entry e : entries) list.add(e.info());
        return list;
    }

    public WorldList list() {
        return WorldList.newBuilder().addAllWorlds(infos()).build();
    }

    @Override
    public Choice choose(String requested) {
        Entry e = requested == null || requested.isEmpty() ? first() : find(requested);
        if (e == null) throw WorldChoice.noSuchWorld(requested);
        return new Choice(e.name(), e.startPoints);
    }
}

package mmo.client;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.Constants;
import mmo.protocol.Emote;
import mmo.protocol.EntityEnter;
import mmo.protocol.EntityEvent;
import mmo.protocol.EntityKind;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldUpdate;

/**
 * The client's picture of the world: its own entity and everything it currently sees, kept up
 * to date from {@code WorldEntered} and {@code WorldUpdate} messages.
 *
 * <p>Owned by the client's event-loop thread: read it directly only there (inside
 * {@link ClientListener} callbacks). Other threads use {@link MmoClient#snapshot()}, which
 * returns an immutable {@link Snapshot}.
 *
 * <p>Inconsistent updates (a move or leave for an entity the client does not know, a
 * {@code moves} list whose length is not a multiple of 3) are protocol errors: they are
 * counted in {@link #protocolErrors()} and reported to the listener, and the rest of the
 * update is still applied.
 */
public final class WorldView {
    private static final float SCALE = Constants.POSITION_SCALE_VALUE;

    private final Consumer<String> protocolErrorSink;
    private final IntObjectMap<Entity> entities = new IntObjectHashMap<>();

    private boolean inWorld;
    private int ownEntityId;
    private String world = "";
    private String map = "";
    private CharacterSummary character = CharacterSummary.getDefaultInstance();
    private int tickRate;
    private float speed;
    private float viewRadius;
    private int x;
    private int y;
    private int ackSeq;
    private int ticksSinceAck;
    private int tick;
    private float timeDilation = 1f;
    private long protocolErrors;

    private long version;
    private Snapshot cached;

    WorldView(Consumer<String> protocolErrorSink) {
        this.protocolErrorSink = protocolErrorSink;
    }

    /** Resets the view to the state just after entering a world. */
    void enter(WorldEntered entered) {
        entities.clear();
        inWorld = true;
        ownEntityId = entered.getEntityId();
        world = entered.getWorld();
        map = entered.getMap();
        character = entered.getCharacter();
        tickRate = entered.getTickRate();
        speed = entered.getSpeed();
        viewRadius = entered.getViewRadius();
        x = entered.getX();
        y = entered.getY();
        tick = entered.getTick();
        ackSeq = 0;
        ticksSinceAck = 0;
        timeDilation = 1f;
        version++;
    }

    /** Forgets the world (after leaving it); own identity and entities are cleared. */
    void leave() {
        entities.clear();
        inWorld = false;
        ownEntityId = 0;
        world = "";
        map = "";
        character = CharacterSummary.getDefaultInstance();
        version++;
    }

    /** Applies one tick's update in the order the protocol prescribes: leaves, enters, moves. */
    void apply(WorldUpdate update) {
        tick = update.getTick();
        ackSeq = update.getAckSeq();
        ticksSinceAck = update.getTicksSinceAck();
        x = update.getX();
        y = update.getY();
        // proto3 cannot tell an unset float from 0; a dilation of 0 would mean a frozen world,
        // which the server never sends, so 0 is read as "not sent" = normal speed.
        float dilation = update.getTimeDilation();
        timeDilation = dilation == 0f ? 1f : dilation;

        for (int i = 0, n = update.getLeavesCount(); i < n; i++) {
            int id = update.getLeaves(i);
            if (entities.remove(id) == null) {
                protocolError("leave of unknown entity " + id + " at tick " + tick);
            }
        }
        for (int i = 0, n = update.getEntersCount(); i < n; i++) {
            EntityEnter e = update.getEnters(i);
            entities.put(e.getId(), new Entity(e, tick));
        }
        applyMoves(update);
        for (int i = 0, n = update.getEventsCount(); i < n; i++) {
            applyEvent(update.getEvents(i));
        }
        version++;
    }

    /** Lean mode: only the own state of an update; entities are not tracked. */
    void applyOwn(int tick, int ackSeq, int ticksSinceAck, int x, int y, float dilation) {
        this.tick = tick;
        this.ackSeq = ackSeq;
        this.ticksSinceAck = ticksSinceAck;
        this.x = x;
        this.y = y;
        this.timeDilation = dilation;
        version++;
    }

    private void applyMoves(WorldUpdate update) {
        int n = update.getMovesCount();
        if (n % 3 != 0) {
            // Without a multiple of 3 there is no telling which number is which: trusting any
            // of them could teleport the wrong entity, so the whole list is dropped.
            protocolError("moves length " + n + " is not a multiple of 3 at tick " + tick);
            return;
        }
        int id = 0;
        for (int i = 0; i < n; i += 3) {
            id += update.getMoves(i);
            int dx = update.getMoves(i + 1);
            int dy = update.getMoves(i + 2);
            Entity e = entities.get(id);
            if (e == null) {
                protocolError("move of unknown entity " + id + " at tick " + tick);
                continue;
            }
            if (dx != 0 || dy != 0) {
                e.x += dx;
                e.y += dy;
                e.emote = Emote.EMOTE_NONE;
                e.emoteTick = 0;
            }
        }
    }

    private void applyEvent(EntityEvent event) {
        Entity e = entities.get(event.getId());
        if (e == null) {
            // Our own entity is not necessarily among the entities we are sent.
            if (event.getId() != ownEntityId) {
                protocolError("event for unknown entity " + event.getId() + " at tick " + tick);
            }
            return;
        }
        switch (event.getEventCase()) {
            case EMOTE -> {
                e.emote = event.getEmote();
                e.emoteTick = tick;
            }
            case APPEARANCE -> e.appearance = event.getAppearance();
            case EQUIPMENT -> e.equipment = event.getEquipment();
            case HIT -> {
                e.health = event.getHit().getHealth();
                e.maxHealth = event.getHit().getMaxHealth();
            }
            case DEATH -> {
                e.dead = true;
                e.health = 0;
            }
            case REVIVE -> {
                e.dead = false;
                e.health = event.getRevive().getHealth();
                e.maxHealth = event.getRevive().getMaxHealth();
            }
            case LEVEL_UP -> e.level = event.getLevelUp().getLevel();
            case ATTACK, PICKED_UP -> {
                // shown by clients that animate them; nothing to keep
            }
            case EVENT_NOT_SET -> protocolError("empty event for entity " + e.id + " at tick " + tick);
        }
    }

    private void protocolError(String problem) {
        protocolErrors++;
        protocolErrorSink.accept(problem);
    }

    /** @return whether the client is in a world (between WorldEntered and leaving) */
    public boolean inWorld() {
        return inWorld;
    }

    /** @return the client's own entity id in the current world, 0 when not in a world */
    public int ownEntityId() {
        return ownEntityId;
    }

    /** @return the current world's name, "" when not in a world */
    public String world() {
        return world;
    }

    /** @return the map resource path of the current world, "" when not in a world */
    public String map() {
        return map;
    }

    /** @return the character the client plays in the current world */
    public CharacterSummary character() {
        return character;
    }

    /** @return server ticks per second, as announced on entering the world */
    public int tickRate() {
        return tickRate;
    }

    /** @return own movement speed in units per second */
    public float speed() {
        return speed;
    }

    /** @return the distance in units within which entities are visible */
    public float viewRadius() {
        return viewRadius;
    }

    /** @return own authoritative x position in world units */
    public float x() {
        return x / SCALE;
    }

    /** @return own authoritative y position in world units */
    public float y() {
        return y / SCALE;
    }

    /** @return the last Input seq the server applied */
    public int ackSeq() {
        return ackSeq;
    }

    /** @return ticks the server simulated since applying {@link #ackSeq()} */
    public int ticksSinceAck() {
        return ticksSinceAck;
    }

    /** @return the server tick of the last update (or of WorldEntered) */
    public int tick() {
        return tick;
    }

    /** @return simulation speed of the own region: 1.0 normal, below 1.0 when the server is slowed */
    public float timeDilation() {
        return timeDilation;
    }

    /** @return how many protocol errors the updates applied so far contained */
    public long protocolErrors() {
        return protocolErrors;
    }

    /** @return how many entities the client currently sees */
    public int entityCount() {
        return entities.size();
    }

    /**
     * @param id an entity id
     * @return the entity's current state, or {@code null} if the client does not see it
     */
    public RemoteEntity entity(int id) {
        Entity e = entities.get(id);
        return e == null ? null : e.toRecord();
    }

    /** @return the current state of every entity the client sees, in no particular order */
    public List<RemoteEntity> entities() {
        List<RemoteEntity> list = new ArrayList<>(entities.size());
        for (Entity e : entities.values()) {
            list.add(e.toRecord());
        }
        return list;
    }

    /**
     * Returns an immutable copy of the view. Repeated calls without an update in between return
     * the same instance, so calling it once per tick per bot costs one copy per tick at most.
     *
     * @return the view as of now
     */
    public Snapshot snapshot() {
        Snapshot s = cached;
        if (s == null || s.version != version) {
            Map<Integer, RemoteEntity> copy = new HashMap<>(entities.size() * 2);
            for (Entity e : entities.values()) {
                copy.put(e.id, e.toRecord());
            }
            s = new Snapshot(version, inWorld, ownEntityId, world, x / SCALE, y / SCALE, ackSeq,
                    ticksSinceAck, tick, timeDilation, protocolErrors, Collections.unmodifiableMap(copy));
            cached = s;
        }
        return s;
    }

    /**
     * An immutable copy of a {@link WorldView} at one moment; safe to read on any thread.
     */
    public static final class Snapshot {
        private final long version;
        private final boolean inWorld;
        private final int ownEntityId;
        private final String world;
        private final float x;
        private final float y;
        private final int ackSeq;
        private final int ticksSinceAck;
        private final int tick;
        private final float timeDilation;
        private final long protocolErrors;
        private final Map<Integer, RemoteEntity> entities;

        private Snapshot(long version, boolean inWorld, int ownEntityId, String world, float x, float y,
                         int ackSeq, int ticksSinceAck, int tick, float timeDilation, long protocolErrors,
                         Map<Integer, RemoteEntity> entities) {
            this.version = version;
            this.inWorld = inWorld;
            this.ownEntityId = ownEntityId;
            this.world = world;
            this.x = x;
            this.y = y;
            this.ackSeq = ackSeq;
            this.ticksSinceAck = ticksSinceAck;
            this.tick = tick;
            this.timeDilation = timeDilation;
            this.protocolErrors = protocolErrors;
            this.entities = entities;
        }

        /** @return see {@link WorldView#inWorld()} */
        public boolean inWorld() {
            return inWorld;
        }

        /** @return see {@link WorldView#ownEntityId()} */
        public int ownEntityId() {
            return ownEntityId;
        }

        /** @return see {@link WorldView#world()} */
        public String world() {
            return world;
        }

        /** @return see {@link WorldView#x()} */
        public float x() {
            return x;
        }

        /** @return see {@link WorldView#y()} */
        public float y() {
            return y;
        }

        /** @return see {@link WorldView#ackSeq()} */
        public int ackSeq() {
            return ackSeq;
        }

        /** @return see {@link WorldView#ticksSinceAck()} */
        public int ticksSinceAck() {
            return ticksSinceAck;
        }

        /** @return see {@link WorldView#tick()} */
        public int tick() {
            return tick;
        }

        /** @return see {@link WorldView#timeDilation()} */
        public float timeDilation() {
            return timeDilation;
        }

        /** @return see {@link WorldView#protocolErrors()} */
        public long protocolErrors() {
            return protocolErrors;
        }

        /** @return every visible entity by id; unmodifiable */
        public Map<Integer, RemoteEntity> entities() {
            return entities;
        }

        /**
         * @param id an entity id
         * @return that entity, or {@code null} if it was not visible
         */
        public RemoteEntity entity(int id) {
            return entities.get(id);
        }

        @Override
        public String toString() {
            return "Snapshot[tick=" + tick + ", inWorld=" + inWorld + ", own=" + ownEntityId + " at (" + x + ", "
                    + y + "), ackSeq=" + ackSeq + ", entities=" + entities.keySet() + "]";
        }
    }

    /** Mutable per-entity state; positions stay in wire units so deltas add up exactly. */
    private static final class Entity {
        final int id;
        final EntityKind kind;
        final String name;
        final CharacterClass characterClass;
        Appearance appearance;
        int x;
        int y;
        Emote emote;
        int emoteTick;
        final EntityEnter enter;
        int level, health, maxHealth;
        boolean dead;
        mmo.protocol.Equipment equipment;

        Entity(EntityEnter enter, int tick) {
            this.enter = enter;
            level = enter.getLevel();
            health = enter.getHealth();
            maxHealth = enter.getMaxHealth();
            dead = enter.getDead();
            equipment = enter.getEquipment();
            id = enter.getId();
            kind = enter.getKind();
            name = enter.getName();
            characterClass = enter.getCharacterClass();
            appearance = enter.getAppearance();
            x = enter.getX();
            y = enter.getY();
            emote = enter.getEmote();
            emoteTick = emote == Emote.EMOTE_NONE ? 0 : tick;
        }

        RemoteEntity toRecord() {
            boolean game = enter.getMaxHealth() != 0 || kind != EntityKind.ENTITY_PLAYER;
            return new RemoteEntity(id, kind, name, characterClass, appearance, x / SCALE, y / SCALE, emote,
                    emoteTick, !game ? RemoteEntity.GameState.NONE : new RemoteEntity.GameState(level, health, maxHealth, dead,
                    equipment, enter.getCreature(), enter.hasItem() ? enter.getItem() : null, enter.getGold()));
        }
    }
}

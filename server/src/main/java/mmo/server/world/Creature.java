package mmo.server.world;

import mmo.protocol.EntityEnter;
import mmo.protocol.EntityKind;
import mmo.server.game.content.Content;

/**
 * A monster of the wild: it wanders its spawn area, notices a living player that comes near,
 * chases and fights it, gives up and goes home when led past its leash, dies, and comes back
 * after its respawn time. Its id is fixed by its spawn (the same on every node). Simulated by
 * {@link Game} in the world owning its home region. Tick thread only.
 */
public final class Creature extends Entity {
    public enum State { IDLE, WANDER, CHASE, RETURN }

    final Content.CreatureDef def;
    final Content.SpawnDef spawn;
    /** Its home region (by World.regionIndex): it is simulated where that region is owned. */
    final int homeRegion;
    float homeX, homeY;     // where it (re)spawned: the leash is measured from here

    boolean active;         // its home region is owned here
    boolean visible;        // in the grid: alive, or a corpse not yet gone
    int health;
    boolean dead;
    int corpseUntil, respawnAt;
    State state = State.IDLE;
    int targetId;           // the player it chases
    float goalX, goalY;     // where it wanders to
    int nextWanderAt;
    int attackReadyAt;
    int stuckTicks;
    // The player that hit it first: it gets the experience and first claim on the loot.
    int taggedBy;
    long taggedCharacter;
    String taggedWorld;     // the other world simulating that player, or null (here)

    Creature(int id, Content.CreatureDef def, Content.SpawnDef spawn, int homeRegion, float x, float y) {
        super(id, x, y);
        this.def = def;
        this.spawn = spawn;
        this.homeRegion = homeRegion;
        this.homeX = x;
        this.homeY = y;
        this.health = def.health();
    }

    @Override
    byte[] encodeEnterFields() {
        return EntityEnter.newBuilder()
                .setId(id)
                .setKind(EntityKind.ENTITY_CREATURE)
                .setName(def.name())
                .setCreature(def.id())
                .setLevel(def.level())
                .setHealth(health)
                .setMaxHealth(def.health())
                .setDead(dead)
                .build().toByteArray();
    }

    public int health() { return health; }
    public boolean dead() { return dead; }
    public State state() { return state; }
    public Content.CreatureDef def() { return def; }
}

package mmo.server.world;

import mmo.protocol.Attack;
import mmo.protocol.EntityEvent;
import mmo.server.world.map.TileMap;

/**
 * A creature's behaviour, one step per tick: idle and wander inside its spawn area; notice the
 * nearest living player within its notice range; chase it and attack whenever in range and
 * off cooldown; give up and walk home (healing to full, ignoring players) when the target is
 * gone or dead or when it has been led past its leash; come back after its respawn time when
 * killed. It never steps into a region its world does not own. Stateless.
 */
final class Brain {
    private Brain() {}

    /** Ticks a creature may fail to make progress before it gives up a walk. */
    private static final int STUCK_TICKS = 40;

    static void think(Game g, Creature c, int t) {
        if (c.dead) {
            if (c.visible && t >= c.corpseUntil) c.visible = false;
            if (t >= c.respawnAt) g.respawn(c, t);
            return;
        }
        var def = c.def;
        switch (c.state) {
            case IDLE, WANDER -> {
                // look around every few ticks (staggered by id): enough to notice a walker in time
                if ((t + c.id) % 4 == 0) {
                    Player p = g.nearestPlayer(c, def.notice());
                    if (p != null) {
                        c.state = Creature.State.CHASE;
                        c.targetId = p.id;
                        c.stuckTicks = 0;
                        return;
                    }
                }
                if (c.state == Creature.State.IDLE) {
                    if (t >= c.nextWanderAt) {
                        TileMap.Point to = g.wanderPoint(c);
                        c.goalX = to.x();
                        c.goalY = to.y();
                        c.state = Creature.State.WANDER;
                        c.stuckTicks = 0;
                    }
                } else if (walk(g, c, c.goalX, c.goalY, def.speed() * 0.4f, 0.3f)) {
                    c.state = Creature.State.IDLE;
                    c.nextWanderAt = t + g.ticks(java.time.Duration.ofSeconds(3)) + g.random(g.ticks(java.time.Duration.ofSeconds(5)));
                } else if (c.stuckTicks > STUCK_TICKS) {
                    c.state = Creature.State.IDLE;
                    c.nextWanderAt = t + g.random(40) + 20;
                }
            }
            case CHASE -> {
                // its target: a player simulated here, or one simulated by another node seen
                // here as a ghost (across a region border), bitten through that node
                Entity p = g.world.entityAt(c.targetId);
                boolean alive = p instanceof Player q ? !q.dead : p instanceof Ghost;
                float hx = c.x - c.homeX, hy = c.y - c.homeY;
                if (!alive || hx * hx + hy * hy > def.leash() * def.leash()) {
                    goHome(c);
                    return;
                }
                float dx = p.x - c.x, dy = p.y - c.y;
                float reach = def.attackRange();
                // each creature closes in on its own side of the prey (by its id), so a pack
                // surrounds it instead of stacking on one spot
                double angle = c.id * 2.399963; // the golden angle: neighbouring ids spread apart
                float gx = p.x + (float) Math.cos(angle) * reach * 0.6f, gy = p.y + (float) Math.sin(angle) * reach * 0.6f;
                if (dx * dx + dy * dy <= reach * reach) {
                    if (t >= c.attackReadyAt) {
                        c.attackReadyAt = t + g.ticks(def.attackCooldown());
                        g.event(EntityEvent.newBuilder().setId(c.id)
                                .setAttack(Attack.newBuilder().setTarget(p.id).setAbility("Attack")).build());
                        if (p instanceof Player q) {
                            g.damagePlayer(q, c.id, def.damage(), t);
                        } else {
                            String owner = World.sourceOf((Ghost) p);
                            if (owner != null && g.world.border() != null) {
                                g.world.border().gameActionTo(owner, RemoteAction.bite(p.id, c.id, def.damage()));
                            }
                        }
                    }
                    walk(g, c, gx, gy, def.speed() * 0.5f, 0.2f); // edging round to its side
                    c.stuckTicks = 0;
                } else {
                    walk(g, c, gx, gy, def.speed(), 0.2f);
                    if (c.stuckTicks > STUCK_TICKS) goHome(c);
                }
            }
            case RETURN -> {
                boolean home = walk(g, c, c.homeX, c.homeY, def.speed() * 1.2f, 0.3f);
                if (home || c.stuckTicks > STUCK_TICKS) {
                    if (!home) { // cannot find its way: back home at once
                        c.x = c.homeX;
                        c.y = c.homeY;
                    }
                    c.state = Creature.State.IDLE;
                    c.nextWanderAt = t + g.ticks(java.time.Duration.ofSeconds(2));
                    if (c.health != c.def.health()) {
                        c.health = c.def.health();
                        c.changed();
                    }
                    c.taggedBy = 0;
                    c.taggedCharacter = 0;
                }
            }
        }
    }

    private static void goHome(Creature c) {
        c.state = Creature.State.RETURN;
        c.targetId = 0;
        c.stuckTicks = 0;
    }

    /**
     * One tick's walk towards (x, y) at {@code speed} units per second, sliding along walls;
     * true once within {@code arrive} of it. Counts ticks without progress in {@code stuckTicks}.
     */
    static boolean walk(Game g, Creature c, float x, float y, float speed, float arrive) {
        float dx = x - c.x, dy = y - c.y;
        float d = (float) Math.sqrt(dx * dx + dy * dy);
        if (d <= arrive) return true;
        float step = Math.min(d, speed / g.world.settings().tickRate());
        float nx = Movement.axisMove(g.map, c.x, dx / d * step, c.y, true);
        float ny = Movement.axisMove(g.map, c.y, dy / d * step, nx, false);
        if (!g.world.ownsAt(nx, ny)) { // not into another node's regions
            c.stuckTicks++;
            return false;
        }
        if (nx == c.x && ny == c.y) {
            c.stuckTicks++;
        } else {
            c.stuckTicks = 0;
        }
        c.x = nx;
        c.y = ny;
        return false;
    }
}

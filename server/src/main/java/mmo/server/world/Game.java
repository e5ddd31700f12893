package mmo.server.world;

import mmo.protocol.Attack;
import mmo.protocol.BagSlot;
import mmo.protocol.CharacterStats;
import mmo.protocol.ClientMessage;
import mmo.protocol.Death;
import mmo.protocol.EntityEvent;
import mmo.protocol.EquipSlot;
import mmo.protocol.Equipment;
import mmo.protocol.ErrorCode;
import mmo.protocol.Hit;
import mmo.protocol.ItemType;
import mmo.protocol.LevelUp;
import mmo.protocol.PickedUp;
import mmo.protocol.Rarity;
import mmo.protocol.Revive;
import mmo.protocol.ServerMessage;
import mmo.protocol.Worn;
import mmo.server.game.content.Content;
import mmo.server.persistence.FencedException;
import mmo.server.persistence.ItemConflictException;
import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.ItemRow;
import mmo.server.persistence.Ledger;
import mmo.server.persistence.Progress;
import mmo.server.world.map.TileMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The game on top of the world engine: creatures and their AI, class abilities and combat
 * (range, cooldown, line of sight), death and respawn, experience and levels, loot, the
 * inventory (equip, unequip, drop, pick up) and trade. Server-authoritative throughout: a
 * client only asks; every check is made here.
 *
 * <p>Item, gold and experience changes go to the {@link Ledger} as they happen. Changes that
 * create value or move it between characters (pickups, experience, trades) are applied here
 * only when the ledger has written them, so nothing a player was told it has can be lost by a
 * crash, and no item can be in two places. Moves inside one inventory (equip, unequip) are
 * applied at once and written behind, in order. Tick thread only; ledger results come back through
 * {@link World#execute}.
 */
final class Game {
    private static final Logger log = LoggerFactory.getLogger(Game.class);

    /** Highest level. */
    static final int MAX_LEVEL = 30;

    final World world;
    final Content content;
    final Ledger ledger;
    final TileMap map;
    private final int tickRate;
    private final SplittableRandom rnd;

    final Creature[] creatures;
    final ArrayList<Loot> loot = new ArrayList<>();
    private final Loot[] lootBySlot;
    private final int lootPerRegion;
    private final ArrayList<Player> deadPlayers = new ArrayList<>();
    private final ArrayList<Trade> trades = new ArrayList<>();
    /**
     * Players whose inventory the world may show wrongly: a write of theirs failed and reading it
     * again failed too (the database is down). Read again every {@link #RELOAD_RETRY_SECONDS}
     * until a read succeeds, so what they are shown comes back to what is stored.
     */
    private final ArrayList<Player> staleInventories = new ArrayList<>();
    static final int RELOAD_RETRY_SECONDS = 2;

    // timings in ticks
    final int reviveTicks, corpseTicks, lootFreeTicks, lootExpireTicks, regenDelayTicks;

    /** First loot id: loot ids are {@code LOOT_IDS + region * lootPerRegion + slot}, unique across nodes. */
    static final int LOOT_IDS = Content.MAX_CREATURES + 1;
    /** First id of a player in a cluster (character id + this): creatures and loot come below. */
    public static final int PLAYER_IDS = 65_536;

    Game(World world, Content content, Ledger ledger, long seed) {
        this.world = world;
        this.content = content;
        this.ledger = ledger;
        this.map = world.map();
        this.tickRate = world.settings().tickRate();
        this.rnd = new SplittableRandom(seed);
        this.reviveTicks = 5 * tickRate;
        this.corpseTicks = 3 * tickRate;
        this.lootFreeTicks = 30 * tickRate;
        this.lootExpireTicks = 120 * tickRate;
        this.regenDelayTicks = 5 * tickRate;
        int regions = world.regionCols() * world.regionRows();
        this.lootPerRegion = Math.max(1, (PLAYER_IDS - LOOT_IDS) / regions);
        this.lootBySlot = new Loot[regions * lootPerRegion];
        List<Creature> list = new ArrayList<>();
        int id = 1;
        for (Content.SpawnDef s : content.spawnsFor(Content.mapName(map.resourcePath()))) {
            checkSpawn(s);
            Content.CreatureDef def = content.creatures().get(s.creature());
            for (int i = 0; i < s.count(); i++) {
                TileMap.Point at = spawnPoint(s);
                list.add(new Creature(id++, def, s, world.regionIndex(s.x(), s.y()), at.x(), at.y()));
            }
        }
        this.creatures = list.toArray(new Creature[0]);
    }

    private void checkSpawn(Content.SpawnDef s) {
        if (s.x() >= map.width() || s.y() >= map.height()) {
            throw new IllegalArgumentException(s.origin() + ": spawn area (" + s.x() + ", " + s.y() + ") is outside the map ("
                    + map.width() + " x " + map.height() + ")");
        }
        TileMap.SpawnArea area = areaOf(s);
        try {
            map.randomPointIn(area, rnd);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(s.origin() + ": spawn area around (" + s.x() + ", " + s.y() + ") has no walkable tile");
        }
    }

    private TileMap.SpawnArea areaOf(Content.SpawnDef s) {
        int x0 = Math.max(0, s.x() - s.radius()), y0 = Math.max(0, s.y() - s.radius());
        int x1 = Math.min(map.width(), s.x() + s.radius() + 1), y1 = Math.min(map.height(), s.y() + s.radius() + 1);
        return new TileMap.SpawnArea(s.creature(), "creature", null, x0, y0, x1 - x0, y1 - y0);
    }

    private TileMap.Point spawnPoint(Content.SpawnDef s) {
        return map.randomPointIn(areaOf(s), rnd);
    }

    // ------------------------------------------------------------------ regions

    /** The world now owns (or no longer owns) {@code region}: its creatures and loot start or stop here. */
    void regionOwned(int region, boolean owned) {
        regionOwned(region, owned, true);
    }

    /** As {@link #regionOwned(int, boolean)}; {@code loadGround}: also put back the items lying there. */
    void regionOwned(int region, boolean owned, boolean loadGround) {
        for (Creature c : creatures) {
            if (c.homeRegion != region || c.active == owned) continue;
            c.active = owned;
            if (owned) {
                world.place(c);
                respawn(c, world.currentTick());
            } else {
                c.visible = false;
                world.unplace(c);
            }
        }
        if (!owned) {
            for (int i = loot.size() - 1; i >= 0; i--) {
                Loot l = loot.get(i);
                if (world.regionIndex(l.x, l.y) == region && l.claimedBy == null) removeLoot(l);
            }
        } else if (loadGround) {
            loadGround(r -> r == region);
        }
    }

    /** Puts back the items players dropped in the regions {@code regions} accepts (kept in the database). */
    void loadGround(java.util.function.IntPredicate regions) {
        if (ledger == null) return;
        ledger.ground(world.name()).whenComplete((rows, err) -> {
            if (err != null) {
                log.error("loading the items on the ground failed", err);
                return;
            }
            world.execute(() -> {
                for (ItemRow row : rows) {
                    int region = world.regionIndex(row.x(), row.y());
                    if (!regions.test(region) || !world.owns(region) || lootWithItem(row.id()) != null) continue;
                    Content.ItemDef def = content.item(row.kind());
                    if (def == null) {
                        log.warn("item {} on the ground is of unknown kind '{}'; left in the database", row.id(), row.kind());
                        continue;
                    }
                    spawnLoot(row.x(), row.y(), def, row.id(), 0, 0, 0, Integer.MAX_VALUE);
                }
            });
        });
    }

    private Loot lootWithItem(long itemId) {
        for (Loot l : loot) if (l.itemId == itemId) return l;
        return null;
    }

    /** Adds the visible creatures and the loot to what the grid indexes this tick. */
    void collectEntities(List<Entity> out) {
        for (Creature c : creatures) if (c.active && c.visible) out.add(c);
        out.addAll(loot);
    }

    Entity entity(int id) {
        if (id >= 1 && id <= creatures.length) return creatures[id - 1].active ? creatures[id - 1] : null;
        if (id >= LOOT_IDS && id < PLAYER_IDS) {
            int slot = id - LOOT_IDS;
            return slot < lootBySlot.length ? lootBySlot[slot] : null;
        }
        return null;
    }

    // ------------------------------------------------------------------ players

    static long xpForLevel(int level) {
        return 25L * level * (level - 1);
    }

    Content.ClassDef classOf(Player p) {
        return content.classes().get(p.characterClass);
    }

    int maxHealthOf(Player p) {
        Content.ClassDef c = classOf(p);
        return c.health() + (p.level - 1) * c.healthPerLevel();
    }

    int powerOf(Player p) {
        return classOf(p).power() + (p.level - 1) + p.inventory.weaponDamage();
    }

    int armorOf(Player p) {
        return classOf(p).armor() + p.inventory.armor();
    }

    /** A joining player's progress and items, as loaded: it enters at full health. */
    void onJoin(Player p, Progress progress) {
        p.level = Math.max(1, Math.min(MAX_LEVEL, progress.level()));
        p.xp = progress.xp();
        p.grantedLevel = p.level;
        p.grantedXp = p.xp;
        p.inventory.clear();
        p.inventory.gold = progress.gold();
        for (ItemRow row : progress.items()) {
            Content.ItemDef def = content.item(row.kind());
            if (def == null) {
                log.warn("{} holds item {} of unknown kind '{}': not shown", p.name, row.id(), row.kind());
                continue;
            }
            Item item = new Item(row.id(), def);
            if (row.place() == ItemPlace.BAG && row.slot() >= 0 && row.slot() < Inventory.BAG_SIZE && p.inventory.bag[row.slot()] == null) {
                p.inventory.bag[row.slot()] = item;
            } else if (row.place() == ItemPlace.WORN && row.slot() >= 0 && row.slot() < Inventory.WORN_SLOTS && p.inventory.worn[row.slot()] == null) {
                p.inventory.worn[row.slot()] = item;
            } else {
                log.warn("{} holds item {} at an impossible place {} {}: not shown", p.name, row.id(), row.place(), row.slot());
            }
        }
        p.maxHealth = maxHealthOf(p);
        p.health = p.maxHealth;
        p.changed();
        sendInventory(p);
        p.statsDirty = true;
    }

    /**
     * What a handoff carries of a player's progress (with the grants still being written: the
     * next grant writes on top of them) and items.
     */
    Progress progressOf(Player p) {
        List<ItemRow> items = new ArrayList<>();
        Inventory inv = p.inventory;
        for (int i = 0; i < Inventory.BAG_SIZE; i++) {
            if (inv.bag[i] != null) items.add(ItemRow.owned(inv.bag[i].id, inv.bag[i].def.id(), p.characterId, ItemPlace.BAG, i));
        }
        for (int i = 0; i < Inventory.WORN_SLOTS; i++) {
            if (inv.worn[i] != null) items.add(ItemRow.owned(inv.worn[i].id, inv.worn[i].def.id(), p.characterId, ItemPlace.WORN, i));
        }
        return new Progress(p.grantedLevel, p.grantedXp, inv.gold, items);
    }

    /** A player arrived dead (handed over): it is revived here. */
    void diedNow(Player p, int t) {
        p.diedAt = t;
        if (!deadPlayers.contains(p)) deadPlayers.add(p);
        p.changed();
    }

    /** Players handed to other worlds lately: entity id -> {the region they went to, character id}. */
    private final java.util.LinkedHashMap<Integer, long[]> handedOff = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, long[]> eldest) {
            return size() > 4096;
        }
    };

    /**
     * A player walked into a region another world owns and was handed over: an open trade is
     * cancelled (one being written completes, and the new world reads the result); writes
     * still in flight for it are announced to the new world when they complete.
     */
    void onHandOff(Player p, int toRegion) {
        p.handedTo = toRegion;
        handedOff.put(p.id, new long[]{toRegion, p.characterId});
        if (p.trade != null && !p.trade.committing()) p.trade.cancel(p.name + " moved away");
        if (p.tradeLink != null) p.tradeLink.playerGone(this, p);
        deadPlayers.remove(p);
    }

    /**
     * A write for a player handed off lately completed here: the world it went to reads its
     * items again. False if it is not known here.
     */
    boolean announceToHandedOff(int entityId) {
        long[] h = handedOff.get(entityId);
        if (h == null || world.border() == null) return false;
        world.border().gameAction((int) h[0], RemoteAction.reload(h[1]));
        return true;
    }

    /** A player leaves the world: its trade ends, creatures forget it. */
    void onLeave(Player p) {
        if (p.trade != null) p.trade.playerLeft(p);
        if (p.tradeLink != null) p.tradeLink.playerGone(this, p);
        deadPlayers.remove(p);
        for (Loot l : loot) if (l.claimedBy == p) l.claimedBy = null;
    }

    void sendInventory(Player p) {
        Inventory inv = p.inventory;
        mmo.protocol.Inventory.Builder b = mmo.protocol.Inventory.newBuilder()
                .setBagSize(Inventory.BAG_SIZE).setGold(inv.gold);
        for (int i = 0; i < Inventory.BAG_SIZE; i++) {
            if (inv.bag[i] != null) b.addBag(BagSlot.newBuilder().setSlot(i).setItem(itemProto(inv.bag[i])));
        }
        for (int i = 0; i < Inventory.WORN_SLOTS; i++) {
            if (inv.worn[i] != null) {
                b.addWorn(Worn.newBuilder().setSlot(equipSlot(Content.Slot.values()[i])).setItem(itemProto(inv.worn[i])));
            }
        }
        p.link.send(ServerMessage.newBuilder().setInventory(b).build());
    }

    private void sendStats(Player p) {
        Content.ClassDef c = classOf(p);
        p.link.send(ServerMessage.newBuilder().setStats(CharacterStats.newBuilder()
                .setLevel(p.level)
                .setXp(p.xp)
                .setXpNext(p.level >= MAX_LEVEL ? p.xp : xpForLevel(p.level + 1))
                .setHealth(p.health)
                .setMaxHealth(p.maxHealth)
                .setPower(powerOf(p))
                .setArmor(armorOf(p))
                .setAbility(c.ability().name())
                .setAbilityRange(c.ability().range())
                .setAbilityCooldownMs((int) c.ability().cooldown().toMillis()))
                .build());
    }

    static mmo.protocol.Item itemProto(Item i) {
        return itemProto(i.id, i.def);
    }

    static mmo.protocol.Item itemProto(long id, Content.ItemDef d) {
        return mmo.protocol.Item.newBuilder()
                .setId(id)
                .setKind(d.id())
                .setName(d.name())
                .setSlot(equipSlot(d.slot()))
                .setType(ItemType.forNumber(d.type().ordinal() + 1))
                .setRarity(Rarity.forNumber(d.rarity().ordinal()))
                .setDamage(d.damage())
                .setArmor(d.armor())
                .setValue(d.value())
                .build();
    }

    static EquipSlot equipSlot(Content.Slot s) {
        return s == Content.Slot.NONE ? EquipSlot.SLOT_NONE : EquipSlot.forNumber(s.ordinal() + 1);
    }

    static Content.Slot contentSlot(EquipSlot s) {
        if (s == null || s == EquipSlot.SLOT_NONE || s == EquipSlot.UNRECOGNIZED) return null;
        return Content.Slot.values()[s.getNumber() - 1];
    }

    /** What everyone sees a player wear. */
    static Equipment equipmentOf(Player p) {
        Item[] w = p.inventory.worn;
        Equipment.Builder b = Equipment.newBuilder();
        if (w[0] != null) b.setHead(w[0].def.id());
        if (w[1] != null) b.setChest(w[1].def.id());
        if (w[2] != null) b.setLegs(w[2].def.id());
        if (w[3] != null) b.setFeet(w[3].def.id());
        if (w[4] != null) b.setMainHand(w[4].def.id());
        if (w[5] != null) b.setOffHand(w[5].def.id());
        return b.build();
    }

    // ------------------------------------------------------------------ requests

    /** A game request from a player's client (inputs phase). */
    void apply(Player p, ClientMessage m, int t) {
        int rid = m.getRid();
        switch (m.getMsgCase()) {
            case USE_ABILITY -> useAbility(p, m.getUseAbility().getTarget(), rid, t);
            case EQUIP -> equip(p, m.getEquip().getBagSlot(), rid);
            case UNEQUIP -> unequip(p, m.getUnequip().getSlot(), rid);
            case DROP_ITEM -> drop(p, m.getDropItem().getBagSlot(), rid, t);
            case PICK_UP -> pickUp(p, m.getPickUp().getEntity(), rid, t);
            case TRADE -> Trade.handle(this, p, m.getTrade(), rid);
            default -> world.sendError(p, rid, ErrorCode.BAD_REQUEST, "Not allowed in the world: " + m.getMsgCase());
        }
    }

    void event(EntityEvent e) {
        world.addEvent(e);
    }

    // ------------------------------------------------------------------ combat

    private void useAbility(Player p, int targetId, int rid, int t) {
        Content.Ability a = classOf(p).ability();
        if (p.dead) {
            world.sendError(p, rid, ErrorCode.ABILITY_REFUSED, "You are dead");
            return;
        }
        if (t < p.abilityReadyAt) {
            world.refuse(p, rid, ErrorCode.ABILITY_REFUSED, Refusals.Kind.COOLDOWN, a.name() + " is not ready");
            return;
        }
        Entity target = targetId == p.id ? p : world.entityAt(targetId);
        boolean heal = a.kind() == Content.AbilityKind.HEAL;
        if (target == null || target.isGhost() && (heal || world.border() == null)) {
            world.refuse(p, rid, ErrorCode.ABILITY_REFUSED, Refusals.Kind.BAD_TARGET, target == null ? "No such target" : "That target is beyond your reach");
            return;
        }
        if (target instanceof Ghost g) {
            // simulated by another node (across a region border): checked here, applied there
            if (!inReach(p, g, a, rid)) return;
            startCooldown(p, a, t);
            event(EntityEvent.newBuilder().setId(p.id).setAttack(Attack.newBuilder().setTarget(g.id).setAbility(a.name())).build());
            world.border().gameAction(world.regionIndex(g.x, g.y),
                    RemoteAction.hit(g.id, p.id, p.characterId, a.amount() + powerOf(p) / 2, world.border().self()));
            return;
        }
        if (heal ? !(target instanceof Player) : !(target instanceof Creature)) {
            world.refuse(p, rid, ErrorCode.ABILITY_REFUSED, Refusals.Kind.BAD_TARGET, heal ? a.name() + " heals players only" : a.name() + " hits creatures only");
            return;
        }
        if (target instanceof Creature c && (c.dead || !c.active) || target instanceof Player q && q.dead) {
            world.sendError(p, rid, ErrorCode.ABILITY_REFUSED, "The target is dead");
            return;
        }
        if (target != p && !inReach(p, target, a, rid)) return;
        startCooldown(p, a, t);
        event(EntityEvent.newBuilder().setId(p.id).setAttack(Attack.newBuilder().setTarget(target.id).setAbility(a.name())).build());
        int amount = a.amount() + powerOf(p) / 2;
        if (heal) {
            Player q = (Player) target;
            int healed = Math.min(amount, q.maxHealth - q.health);
            q.health += healed;
            q.changed();
            q.statsDirty = true;
            event(hit(q.id, p.id, -healed, q.health, q.maxHealth));
        } else {
            damageCreature((Creature) target, p.id, p.characterId, null, amount, t);
        }
    }

    private boolean inReach(Player p, Entity target, Content.Ability a, int rid) {
        float dx = target.x - p.x, dy = target.y - p.y;
        if (dx * dx + dy * dy > a.range() * a.range()) {
            world.refuse(p, rid, ErrorCode.ABILITY_REFUSED, Refusals.Kind.OUT_OF_RANGE, "Out of range");
            return false;
        }
        if (!LineOfSight.clear(map, p.x, p.y, target.x, target.y)) {
            world.refuse(p, rid, ErrorCode.ABILITY_REFUSED, Refusals.Kind.NO_LINE_OF_SIGHT, "No line of sight");
            return false;
        }
        return true;
    }

    private void startCooldown(Player p, Content.Ability a, int t) {
        p.abilityReadyAt = t + Math.max(1, (int) Math.ceil(a.cooldown().toMillis() * tickRate / 1000.0));
        if (p.lastingEmote != mmo.protocol.Emote.EMOTE_NONE) p.lastingEmote = mmo.protocol.Emote.EMOTE_NONE;
    }

    // ------------------------------------------------------------------ across worlds (cluster nodes)

    /** A game action another world sent (see {@link RemoteAction}). */
    void remoteAction(byte[] bytes) {
        RemoteAction a;
        try {
            a = RemoteAction.decode(bytes);
        } catch (IllegalArgumentException e) {
            log.warn("bad game action from another node: {}", e.getMessage());
            return;
        }
        int t = world.currentTick() + 1;
        switch (a.kind()) {
            case RemoteAction.HIT -> {
                // a player there hit a creature simulated here
                if (!(entity((int) a.target()) instanceof Creature c) || !c.active || c.dead) return;
                damageCreature(c, a.source(), a.sourceCharacter(), a.replyTo(), a.amount(), t);
            }
            case RemoteAction.BITE -> {
                // a creature there bit a player simulated here
                Player p = world.player((int) a.target());
                if (p != null) damagePlayer(p, a.source(), a.amount(), t);
            }
            case RemoteAction.TRADE -> Trade.remote(this, a);
            case RemoteAction.RELOAD -> {
                Player p = world.playerByCharacter(a.target());
                if (p != null) reload(p);
            }
            case RemoteAction.REWARD -> {
                Player p = world.playerByCharacter(a.target());
                if (p != null) grantXp(p, a.amount());
                else log.info("experience {} for character {} found it gone from here; not granted", a.amount(), a.target());
            }
            default -> log.warn("unknown game action {}", a.kind());
        }
    }

    private static EntityEvent hit(int id, int source, int amount, int health, int max) {
        return EntityEvent.newBuilder().setId(id)
                .setHit(Hit.newBuilder().setSource(source).setAmount(amount).setHealth(health).setMaxHealth(max)).build();
    }

    /**
     * Damage to a creature by the player {@code byId} (character {@code byCharacter}), simulated
     * here or, when {@code byWorld} is set, by that other world (which gets the experience).
     */
    private void damageCreature(Creature c, int byId, long byCharacter, String byWorld, int amount, int t) {
        int dealt = Math.min(amount, c.health);
        c.health -= dealt;
        c.changed();
        if (c.taggedBy == 0) {
            c.taggedBy = byId;
            c.taggedCharacter = byCharacter;
            c.taggedWorld = byWorld;
        }
        event(hit(c.id, byId, dealt, c.health, c.def.health()));
        if (c.health <= 0) {
            killCreature(c, byId, t);
        } else if (c.state != Creature.State.CHASE && c.state != Creature.State.RETURN) {
            c.state = Creature.State.CHASE; // it fights back
            c.targetId = byId;
        }
    }

    private void killCreature(Creature c, int killerId, int t) {
        c.dead = true;
        c.changed();
        c.corpseUntil = t + corpseTicks;
        c.respawnAt = t + Math.max(1, (int) (c.def.respawn().toMillis() * tickRate / 1000));
        c.state = Creature.State.IDLE;
        c.targetId = 0;
        event(EntityEvent.newBuilder().setId(c.id).setDeath(Death.newBuilder().setKiller(killerId)).build());
        // the experience to who hit it first (its tag), wherever that player is simulated
        Player rewarded = world.playerByCharacter(c.taggedCharacter);
        if (rewarded != null) {
            grantXp(rewarded, c.def.xp());
        } else if (c.taggedWorld != null && world.border() != null) {
            world.border().gameActionTo(c.taggedWorld, RemoteAction.reward(c.taggedCharacter, c.def.xp()));
        }
        long owner = c.taggedCharacter;
        int gold = c.def.goldMin() + (c.def.goldMax() > c.def.goldMin() ? rnd.nextInt(c.def.goldMax() - c.def.goldMin() + 1) : 0);
        if (gold > 0) dropNear(c.x, c.y, null, gold, owner, t);
        for (Content.Drop d : c.def.drops()) {
            if (rnd.nextDouble() < d.chance()) dropNear(c.x, c.y, content.item(d.item()), 0, owner, t);
        }
    }

    private void dropNear(float x, float y, Content.ItemDef item, long gold, long owner, int t) {
        float lx = x, ly = y;
        for (int i = 0; i < 8; i++) {
            float tx = x + (float) (rnd.nextDouble() * 2 - 1), ty = y + (float) (rnd.nextDouble() * 2 - 1);
            if (Movement.boxFree(map, tx, ty) && world.regionIndex(tx, ty) == world.regionIndex(x, y)) {
                lx = tx;
                ly = ty;
                break;
            }
        }
        spawnLoot(lx, ly, item, 0, gold, owner, t + lootFreeTicks, t + lootExpireTicks);
    }

    /** Puts loot on the ground; null when its region has no free loot id left. */
    Loot spawnLoot(float x, float y, Content.ItemDef item, long itemId, long gold, long owner, int freeAt, int expiresAt) {
        int region = world.regionIndex(x, y);
        int base = region * lootPerRegion;
        for (int k = 0; k < lootPerRegion; k++) {
            if (lootBySlot[base + k] == null) {
                Loot l = new Loot(LOOT_IDS + base + k, base + k, x, y, item, itemId, gold, owner, freeAt, expiresAt);
                lootBySlot[base + k] = l;
                loot.add(l);
                world.place(l);
                return l;
            }
        }
        log.warn("region {} holds {} loot already; a drop of {} vanished", region, lootPerRegion, item != null ? item.id() : gold + " gold");
        return null;
    }

    private void removeLoot(Loot l) {
        loot.remove(l);
        if (lootBySlot[l.slot] == l) lootBySlot[l.slot] = null;
        world.unplace(l);
    }

    /**
     * Experience for a player, like loot: written first, then the player has it (levels,
     * health, the LevelUp everyone sees, its CharacterStats), so what it was told survives a
     * crash. Each write holds the whole progress granted so far: grants still being written add
     * up, and a write that failed is caught up by the next.
     */
    void grantXp(Player p, int xp) {
        if (xp <= 0 || p.grantedLevel >= MAX_LEVEL) return;
        long total = p.grantedXp + xp;
        int level = p.grantedLevel;
        while (level < MAX_LEVEL && total >= xpForLevel(level + 1)) level++;
        p.grantedXp = total;
        p.grantedLevel = level;
        if (ledger == null) {
            progressed(p, level, total);
            return;
        }
        int written = level;
        ledger.progress(p.characterId, p.epoch, level, total).whenComplete((ok, err) -> {
            if (err != null) {
                log.error("writing the progress of {} failed; it has not got it yet", p.name, unwrap(err));
                return;
            }
            world.execute(() -> progressed(p, written, total));
        });
    }

    /** Progress written: the player has it now. */
    private void progressed(Player p, int level, long xp) {
        if (p.removed || xp <= p.xp) return;
        p.xp = xp;
        if (level != p.level) {
            p.level = level;
            p.maxHealth = maxHealthOf(p);
            p.health = p.maxHealth;
            p.changed();
            event(EntityEvent.newBuilder().setId(p.id).setLevelUp(LevelUp.newBuilder().setLevel(p.level)).build());
        }
        p.statsDirty = true;
    }

    void damagePlayer(Player p, int byId, int amount, int t) {
        if (p.dead) return;
        int dealt = Math.min(p.health, Math.max(1, amount - armorOf(p) / 2));
        p.health -= dealt;
        p.lastHurtAt = t;
        p.changed();
        p.statsDirty = true;
        event(hit(p.id, byId, dealt, p.health, p.maxHealth));
        if (p.health <= 0) {
            p.dead = true;
            p.diedAt = t;
            p.dirX = 0;
            p.dirY = 0;
            p.changed();
            event(EntityEvent.newBuilder().setId(p.id).setDeath(Death.newBuilder().setKiller(byId)).build());
            deadPlayers.add(p);
            if (p.trade != null) p.trade.cancel("Partner died");
            if (p.tradeLink != null) p.tradeLink.playerGone(this, p);
        }
    }

    // ------------------------------------------------------------------ the game's tick phase

    /** Runs after movement: creatures, revivals, regeneration, corpses, loot expiry. */
    void tick(int t) {
        for (Creature c : creatures) {
            if (c.active) Brain.think(this, c, t);
        }
        for (int i = deadPlayers.size() - 1; i >= 0; i--) {
            Player p = deadPlayers.get(i);
            if (p.removed) {
                deadPlayers.remove(i);
            } else if (t - p.diedAt >= reviveTicks) {
                deadPlayers.remove(i);
                revive(p);
            }
        }
        if (!staleInventories.isEmpty() && t % (RELOAD_RETRY_SECONDS * tickRate) == 0) {
            List<Player> stale = List.copyOf(staleInventories);
            staleInventories.clear();
            for (Player p : stale) reload(p);
        }
        if (t % tickRate == 0) {
            for (Player p : world.players()) {
                if (p.tradeLink != null) p.tradeLink.check(this, p, t);
                if (!p.dead && p.health < p.maxHealth && t - p.lastHurtAt >= regenDelayTicks) {
                    p.health = Math.min(p.maxHealth, p.health + Math.max(1, p.maxHealth / 20));
                    p.changed();
                    p.statsDirty = true;
                }
            }
        }
        for (int i = loot.size() - 1; i >= 0; i--) {
            Loot l = loot.get(i);
            if (l.claimedBy == null && t >= l.expiresAt) removeLoot(l);
        }
        for (int i = trades.size() - 1; i >= 0; i--) trades.get(i).check();
    }

    /** Sends the stats that changed this tick. */
    void endOfTick() {
        for (Player p : world.players()) {
            if (p.statsDirty) {
                p.statsDirty = false;
                sendStats(p);
            }
        }
    }

    /** A dead player comes back in its home area at full health. */
    private void revive(Player p) {
        TileMap.Point home = map.randomPointIn(map.home(p.characterClass), rnd);
        p.dead = false;
        p.health = p.maxHealth;
        p.changed();
        p.statsDirty = true;
        world.teleport(p, home.x(), home.y());
        event(EntityEvent.newBuilder().setId(p.id).setRevive(Revive.newBuilder().setHealth(p.health).setMaxHealth(p.maxHealth)).build());
    }

    void respawn(Creature c, int t) {
        TileMap.Point at = spawnPoint(c.spawn);
        c.x = at.x();
        c.y = at.y();
        c.homeX = at.x();
        c.homeY = at.y();
        c.health = c.def.health();
        c.dead = false;
        c.visible = true;
        c.state = Creature.State.IDLE;
        c.targetId = 0;
        c.taggedBy = 0;
        c.taggedCharacter = 0;
        c.taggedWorld = null;
        c.nextWanderAt = t + 1 + rnd.nextInt(5 * tickRate);
        c.changed();
    }

    int random(int bound) {
        return rnd.nextInt(bound);
    }

    TileMap.Point wanderPoint(Creature c) {
        return spawnPoint(c.spawn);
    }

    int ticks(java.time.Duration d) {
        return Math.max(1, (int) Math.ceil(d.toMillis() * tickRate / 1000.0));
    }

    /** The nearest living player simulated here within {@code r} of the creature, or null. */
    Player nearestPlayer(Creature c, float r) {
        Player[] best = {null};
        float[] bestD = {r * r};
        world.forEachWithin(c.x, c.y, r, p -> {
            if (p.dead) return;
            float dx = p.x - c.x, dy = p.y - c.y, d = dx * dx + dy * dy;
            if (d <= bestD[0]) {
                bestD[0] = d;
                best[0] = p;
            }
        });
        return best[0];
    }

    // ------------------------------------------------------------------ inventory

    private void equip(Player p, int bagSlot, int rid) {
        Inventory inv = p.inventory;
        Item item = bagSlot >= 0 && bagSlot < Inventory.BAG_SIZE ? inv.bag[bagSlot] : null; // a uint32 past 2^31 is negative here
        if (item == null) {
            world.refuse(p, rid, ErrorCode.ITEM_REFUSED, Refusals.Kind.NOT_OWNED, "That bag slot is empty");
            return;
        }
        if (item.def.slot() == Content.Slot.NONE) {
            world.refuse(p, rid, ErrorCode.ITEM_REFUSED, Refusals.Kind.NOT_OWNED, item.def.name() + " cannot be worn");
            return;
        }
        if (item.busy) {
            world.sendError(p, rid, ErrorCode.ITEM_REFUSED, item.def.name() + " is offered in a trade");
            return;
        }
        int ws = item.def.slot().ordinal();
        Item old = inv.worn[ws];
        if (old != null && old.busy) {
            world.sendError(p, rid, ErrorCode.ITEM_REFUSED, old.def.name() + " is busy");
            return;
        }
        inv.worn[ws] = item;
        inv.bag[bagSlot] = old;
        List<Ledger.ItemMove> moves = new ArrayList<>(2);
        moves.add(new Ledger.ItemMove(item.id, ItemPlace.WORN, ws));
        if (old != null) moves.add(new Ledger.ItemMove(old.id, ItemPlace.BAG, bagSlot));
        worn(p, moves);
    }

    private void unequip(Player p, EquipSlot slot, int rid) {
        Content.Slot s = contentSlot(slot);
        Inventory inv = p.inventory;
        Item item = s == null ? null : inv.worn[s.ordinal()];
        if (item == null) {
            world.refuse(p, rid, ErrorCode.ITEM_REFUSED, Refusals.Kind.NOT_OWNED, "Nothing is worn there");
            return;
        }
        int free = inv.freeSlot();
        if (free < 0) {
            world.sendError(p, rid, ErrorCode.ITEM_REFUSED, "Your bag is full");
            return;
        }
        inv.worn[s.ordinal()] = null;
        inv.bag[free] = item;
        worn(p, List.of(new Ledger.ItemMove(item.id, ItemPlace.BAG, free)));
    }

    /** After an equip or unequip: viewers see the new look, the client its inventory, the ledger the moves. */
    private void worn(Player p, List<Ledger.ItemMove> moves) {
        p.changed();
        event(EntityEvent.newBuilder().setId(p.id).setEquipment(equipmentOf(p)).build());
        int max = maxHealthOf(p);
        if (max != p.maxHealth) {
            p.maxHealth = max;
            p.health = Math.min(p.health, max);
        }
        p.statsDirty = true;
        sendInventory(p);
        if (ledger == null) return;
        ledger.move(p.characterId, p.epoch, moves).whenComplete((ok, err) -> {
            if (err != null) {
                log.error("writing an equipment change of {} failed; reloading its inventory", p.name, unwrap(err));
                world.execute(() -> reload(p));
            }
        });
    }

    /**
     * After a write for {@code p} completed: if it was handed to another world meanwhile (the
     * snapshot it took there predates the write), that world reads its items again.
     */
    void afterWrite(Player p) {
        if (p.removed && p.handedTo >= 0 && world.border() != null) {
            world.border().gameAction(p.handedTo, RemoteAction.reload(p.characterId));
        }
    }

    /** Replaces a player's inventory with the database's (after a write it did not take). */
    void reload(Player p) {
        if (p.removed || ledger == null) return;
        ledger.load(p.characterId).whenComplete((progress, err) -> world.execute(() -> {
            if (p.removed) return;
            if (err != null) {
                log.error("reloading the inventory of {} failed; trying again in {} s", p.name, RELOAD_RETRY_SECONDS,
                        unwrap(err));
                if (!staleInventories.contains(p)) staleInventories.add(p);
                return;
            }
            if (p.trade != null) p.trade.cancel("Inventory changed");
            int level = p.level, grantedLevel = p.grantedLevel, health = p.health;
            long xp = p.xp, grantedXp = p.grantedXp;
            onJoin(p, progress);
            p.level = level; // the world's progress is the newer one
            p.xp = xp;
            p.grantedLevel = grantedLevel;
            p.grantedXp = grantedXp;
            p.maxHealth = maxHealthOf(p);
            p.health = Math.min(health, p.maxHealth);
            event(EntityEvent.newBuilder().setId(p.id).setEquipment(equipmentOf(p)).build());
        }));
    }

    private void drop(Player p, int bagSlot, int rid, int t) {
        Inventory inv = p.inventory;
        Item item = bagSlot >= 0 && bagSlot < Inventory.BAG_SIZE ? inv.bag[bagSlot] : null; // a uint32 past 2^31 is negative here
        if (item == null) {
            world.refuse(p, rid, ErrorCode.ITEM_REFUSED, Refusals.Kind.NOT_OWNED, "That bag slot is empty");
            return;
        }
        if (item.busy) {
            world.sendError(p, rid, ErrorCode.ITEM_REFUSED, item.def.name() + " is busy");
            return;
        }
        if (p.dead) {
            world.sendError(p, rid, ErrorCode.ITEM_REFUSED, "You are dead");
            return;
        }
        if (ledger == null) {
            inv.bag[bagSlot] = null;
            spawnLoot(p.x, p.y, item.def, item.id, 0, 0, 0, Integer.MAX_VALUE);
            sendInventory(p);
            return;
        }
        item.busy = true;
        float x = p.x, y = p.y;
        ledger.drop(p.characterId, p.epoch, item.id, world.name(), x, y).whenComplete((ok, err) -> world.execute(() -> {
            item.busy = false;
            if (err != null) {
                log.warn("{} could not drop item {}: {}", p.name, item.id, unwrap(err).toString());
                if (!p.removed) {
                    world.sendError(p, rid, ErrorCode.SERVER_ERROR, "Could not drop " + item.def.name() + " now");
                    reload(p);
                }
                return;
            }
            if (!p.removed) {
                int at = inv.bagSlotOf(item.id);
                if (at >= 0) inv.bag[at] = null;
                sendInventory(p);
            }
            afterWrite(p);
            spawnLoot(x, y, item.def, item.id, 0, 0, 0, Integer.MAX_VALUE);
        }));
    }

    private void pickUp(Player p, int entityId, int rid, int t) {
        Entity e = world.entityAt(entityId);
        if (e instanceof Ghost && entityId >= LOOT_IDS && entityId < PLAYER_IDS) {
            // loot in a region another node simulates (across a region border): it is taken
            // there, and walking onto it takes the player there
            world.sendError(p, rid, ErrorCode.ITEM_REFUSED, "Too far to pick up: step closer");
            return;
        }
        if (!(e instanceof Loot l) || !loot.contains(l)) {
            world.refuse(p, rid, ErrorCode.ITEM_REFUSED, Refusals.Kind.OUT_OF_REACH, "Nothing to pick up there");
            return;
        }
        if (p.dead) {
            world.sendError(p, rid, ErrorCode.ITEM_REFUSED, "You are dead");
            return;
        }
        float dx = l.x - p.x, dy = l.y - p.y;
        float range = mmo.protocol.Constants.PICKUP_RANGE_VALUE;
        if (dx * dx + dy * dy > range * range) {
            world.refuse(p, rid, ErrorCode.ITEM_REFUSED, Refusals.Kind.OUT_OF_REACH, "Too far to pick up");
            return;
        }
        if (l.claimedBy != null) {
            world.sendError(p, rid, ErrorCode.ITEM_REFUSED, "Someone is picking that up");
            return;
        }
        if (l.owner != 0 && l.owner != p.characterId && t < l.freeAt) {
            world.refuse(p, rid, ErrorCode.ITEM_REFUSED, Refusals.Kind.NOT_YOURS, "That loot is not yours (yet)");
            return;
        }
        Inventory inv = p.inventory;
        int slot = -1;
        if (l.item != null) {
            slot = inv.freeSlot();
            if (slot < 0) {
                world.sendError(p, rid, ErrorCode.ITEM_REFUSED, "Your bag is full");
                return;
            }
        }
        if (ledger == null) {
            removeLoot(l);
            tookLoot(p, l, slot, l.itemId != 0 ? l.itemId : -l.id);
            return;
        }
        l.claimedBy = p;
        if (slot >= 0) inv.reserved[slot] = true;
        int bagSlot = slot;
        CompletableFuture<Long> write;
        if (l.item == null) {
            write = ledger.addGold(p.characterId, p.epoch, l.gold).thenApply(v -> 0L);
        } else if (l.itemId != 0) {
            write = ledger.pickUp(p.characterId, p.epoch, l.itemId, slot).thenApply(v -> l.itemId);
        } else {
            write = ledger.create(p.characterId, p.epoch, List.of(new Ledger.NewItem(l.item.id(), ItemPlace.BAG, slot)), 0)
                    .thenApply(ids -> ids[0]);
        }
        write.whenComplete((itemId, err) -> world.execute(() -> {
            if (bagSlot >= 0) inv.reserved[bagSlot] = false;
            l.claimedBy = null;
            if (err != null) {
                Throwable cause = unwrap(err);
                if (cause instanceof ItemConflictException && l.itemId != 0) {
                    removeLoot(l); // a dropped item no longer on the ground: someone else has it
                    if (!p.removed) world.sendError(p, rid, ErrorCode.ITEM_REFUSED, "That is gone");
                } else if (cause instanceof ItemConflictException) {
                    // a fresh drop or gold only conflicts with the player's own state (a bag slot
                    // the database holds taken): the loot stays, the inventory is read again
                    log.warn("{} could not take loot {}: {}; reading its inventory again", p.name, l.id, cause.getMessage());
                    if (!p.removed) {
                        world.sendError(p, rid, ErrorCode.ITEM_REFUSED, "Your bag changed; try again");
                        reload(p);
                    }
                } else {
                    log.warn("{} could not pick up loot {}: {}", p.name, l.id, cause.toString());
                    if (!p.removed) world.sendError(p, rid, ErrorCode.SERVER_ERROR, "Could not pick that up now; try again");
                }
                return;
            }
            removeLoot(l);
            // written: it is the character's now, in the world or (if it left meanwhile) in the database
            if (!p.removed) tookLoot(p, l, bagSlot, itemId);
            afterWrite(p);
        }));
    }

    private void tookLoot(Player p, Loot l, int slot, long itemId) {
        String what;
        if (l.item == null) {
            p.inventory.gold += l.gold;
            what = l.gold + " gold";
        } else {
            p.inventory.bag[slot] = new Item(itemId, l.item);
            what = l.item.name();
        }
        event(EntityEvent.newBuilder().setId(p.id).setPickedUp(PickedUp.newBuilder().setWhat(what)).build());
        sendInventory(p);
    }

    // ------------------------------------------------------------------ trade bookkeeping

    void tradeStarted(Trade t) {
        trades.add(t);
    }

    void tradeEnded(Trade t) {
        trades.remove(t);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static boolean fenced(Throwable t) {
        return FencedException.in(t) != null;
    }

    /** For tests: every creature. */
    List<Creature> creatureList() {
        return List.of(creatures);
    }

    void forEachLoot(Consumer<Loot> action) {
        loot.forEach(action);
    }
}

import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  Emote, EntityEnterSchema, EntityEventSchema, EntityKind, EquipSlot, ItemType, Rarity, WorldUpdateSchema, type WorldUpdate,
} from "../src/protocol";
import { WorldState, activeEmote, decodeMoves } from "../src/world";

const TICK_MS = 50;

function enter(id: number, name: string, x: number, y: number, emote = Emote.EMOTE_NONE) {
  return create(EntityEnterSchema, { id, name, x, y, emote });
}

function update(init: Partial<Omit<WorldUpdate, "$typeName">>): WorldUpdate {
  return create(WorldUpdateSchema, { timeDilation: 1, ...init } as never);
}

describe("decodeMoves", () => {
  it("turns id deltas into ids", () => {
    expect(decodeMoves([3, 16, -8, 2, 0, 4, 10, -1, 1])).toEqual([
      { id: 3, dx: 16, dy: -8 },
      { id: 5, dx: 0, dy: 4 },
      { id: 15, dx: -1, dy: 1 },
    ]);
    expect(decodeMoves([])).toEqual([]);
  });

  it("rejects a list that is not triples", () => {
    expect(() => decodeMoves([1, 2])).toThrow();
  });
});

describe("WorldState.apply", () => {
  it("adds entering entities with their state in units", () => {
    const w = new WorldState(1, TICK_MS);
    const r = w.apply(update({ tick: 10, enters: [enter(4, "Ann", 160, 320), enter(9, "Bob", 8, 24, Emote.SIT)] }), 0);
    expect(r.entered.map((e) => e.id)).toEqual([4, 9]);
    expect(w.entities.get(4)).toMatchObject({ name: "Ann", x: 10, y: 20 });
    expect(w.entities.get(9)).toMatchObject({ name: "Bob", x: 0.5, y: 1.5, emote: "sit" });
    expect(w.tick).toBe(10);
  });

  it("applies moves as deltas from the last position sent, ids as running sums", () => {
    const w = new WorldState(1, TICK_MS);
    w.apply(update({ tick: 1, enters: [enter(2, "A", 0, 0), enter(5, "B", 100, 100), enter(7, "C", 50, 50)] }), 0);
    // A moves +4,+0; C moves -2,+3 (id delta 5 from A); B does not move.
    const r = w.apply(update({ tick: 2, moves: [2, 4, 0, 5, -2, 3] }), 50);
    expect(r.moved.map((e) => e.id)).toEqual([2, 7]);
    expect(w.entities.get(2)).toMatchObject({ qx: 4, qy: 0, x: 0.25, y: 0 });
    expect(w.entities.get(5)).toMatchObject({ qx: 100, qy: 100 });
    expect(w.entities.get(7)).toMatchObject({ qx: 48, qy: 53 });
    // Deltas accumulate over updates.
    w.apply(update({ tick: 3, moves: [7, 16, 16] }), 100);
    expect(w.entities.get(7)).toMatchObject({ qx: 64, qy: 69, x: 4, y: 69 / 16 });
  });

  it("applies leaves, then enters, then moves", () => {
    const w = new WorldState(1, TICK_MS);
    w.apply(update({ tick: 1, enters: [enter(3, "Old", 0, 0), enter(6, "Stay", 16, 16)] }), 0);
    // Id 3 leaves and a new entity with id 3 enters in the same update; a move for 3 then
    // applies to the new one.
    const r = w.apply(update({ tick: 2, leaves: [3], enters: [enter(3, "New", 160, 160)], moves: [3, 16, 0] }), 50);
    expect(r.left.map((e) => e.name)).toEqual(["Old"]);
    expect(r.entered.map((e) => e.name)).toEqual(["New"]);
    expect(w.entities.get(3)).toMatchObject({ name: "New", qx: 176, qy: 160 });
    w.apply(update({ tick: 3, leaves: [6] }), 100);
    expect([...w.entities.keys()]).toEqual([3]);
  });

  it("ignores moves and leaves of unknown ids", () => {
    const w = new WorldState(1, TICK_MS);
    const r = w.apply(update({ tick: 1, moves: [42, 1, 1], leaves: [43] }), 0);
    expect(r.unknown).toEqual([42]);
    expect(r.left).toEqual([]);
  });

  it("records a snapshot when an entity enters and when it moves", () => {
    const w = new WorldState(1, TICK_MS);
    w.apply(update({ tick: 10, enters: [enter(2, "A", 0, 0)] }), 0);
    w.apply(update({ tick: 11 }), 50);
    w.apply(update({ tick: 12, moves: [2, 16, 0] }), 100);
    w.apply(update({ tick: 13, moves: [2, 16, 0] }), 150);
    expect(w.entities.get(2)!.buffer.snapshots).toEqual([
      { t: 500, x: 0, y: 0 }, { t: 600, x: 1, y: 0 }, { t: 650, x: 2, y: 0 },
    ]);
    // After standing still for a second it moves again: it is held where it stood until
    // about one update interval before the new position.
    w.apply(update({ tick: 40, moves: [2, 16, 0] }), 1500);
    const s = w.entities.get(2)!.buffer.snapshots;
    expect(s[s.length - 1]).toEqual({ t: 2000, x: 3, y: 0 });
    expect(s[s.length - 2]!.x).toBe(2);
    expect(s[s.length - 2]!.t).toBeGreaterThan(1900);
  });

  it("shows emote events on others and on the own character; moving ends sitting", () => {
    const w = new WorldState(1, TICK_MS);
    w.apply(update({ tick: 1, enters: [enter(2, "A", 0, 0)] }), 0);
    const r = w.apply(update({
      tick: 2,
      events: [
        create(EntityEventSchema, { id: 2, event: { case: "emote", value: Emote.SIT } }),
        create(EntityEventSchema, { id: 1, event: { case: "emote", value: Emote.WAVE } }),
      ],
    }), 1000);
    expect(r.emotes).toEqual([{ id: 2, emote: "sit" }, { id: 1, emote: "wave" }]);
    const a = w.entities.get(2)!;
    expect(activeEmote(a, 99999)).toBe("sit");
    expect(activeEmote(w.self, 2000)).toBe("wave");
    expect(activeEmote(w.self, 4000)).toBe("none");
    w.apply(update({ tick: 3, moves: [2, 1, 0] }), 1050);
    expect(activeEmote(a, 1100)).toBe("none");
  });

  it("records the time dilation", () => {
    const w = new WorldState(1, TICK_MS);
    w.apply(update({ tick: 1, timeDilation: 0.5 }), 0);
    expect(w.timeDilation).toBe(0.5);
  });
});

describe("WorldState: creatures, loot and combat (protocol 2)", () => {
  const ev = (id: number, event: object) => create(EntityEventSchema, { id, event } as never);

  it("keeps kind, level, health, equipment and death from enters", () => {
    const w = new WorldState(1, TICK_MS);
    w.apply(update({
      tick: 1,
      enters: [
        create(EntityEnterSchema, {
          id: 2, kind: EntityKind.ENTITY_PLAYER, name: "Ann", level: 4, health: 80, maxHealth: 120,
          equipment: { head: "leather-cap", mainHand: "rusty-sword" },
        }),
        create(EntityEnterSchema, { id: 3, kind: EntityKind.ENTITY_CREATURE, name: "Wolf", creature: "wolf", level: 2, health: 40, maxHealth: 40 }),
        create(EntityEnterSchema, { id: 4, kind: EntityKind.ENTITY_CREATURE, name: "Boar", creature: "boar", dead: true }),
        create(EntityEnterSchema, {
          id: 5, kind: EntityKind.ENTITY_LOOT, name: "Hunting bow",
          item: { id: 77n, kind: "hunting-bow", name: "Hunting bow", slot: EquipSlot.MAIN_HAND, type: ItemType.WEAPON, rarity: Rarity.UNCOMMON, damage: 5 },
        }),
        create(EntityEnterSchema, { id: 6, kind: EntityKind.ENTITY_LOOT, gold: 12n }),
      ],
    }), 0);
    expect(w.entities.get(2)).toMatchObject({
      kind: "player", level: 4, health: 80, maxHealth: 120, dead: false,
      equipment: { head: "leather-cap", chest: "", legs: "", feet: "", main_hand: "rusty-sword", off_hand: "" },
    });
    expect(w.entities.get(3)).toMatchObject({ kind: "creature", creature: "wolf", name: "Wolf", level: 2, health: 40 });
    expect(w.entities.get(4)).toMatchObject({ kind: "creature", dead: true });
    expect(w.entities.get(5)).toMatchObject({
      kind: "loot", gold: 0,
      item: { id: "77", kind: "hunting-bow", slot: "main_hand", rarity: "uncommon", damage: 5, type: "weapon" },
    });
    expect(w.entities.get(6)).toMatchObject({ kind: "loot", item: null, gold: 12 });
  });

  it("applies hits, deaths, revivals and level-ups to health and reports them in order", () => {
    const w = new WorldState(1, TICK_MS);
    w.apply(update({ tick: 1, enters: [create(EntityEnterSchema, { id: 3, kind: EntityKind.ENTITY_CREATURE, health: 40, maxHealth: 40 })] }), 0);
    const r = w.apply(update({
      tick: 2,
      events: [
        ev(1, { case: "attack", value: { target: 3, ability: "Firebolt" } }),
        ev(3, { case: "hit", value: { source: 1, amount: 24, health: 16, maxHealth: 40 } }),
        ev(3, { case: "attack", value: { target: 1, ability: "Bite" } }),
        ev(1, { case: "hit", value: { source: 3, amount: 6, health: 74, maxHealth: 80 } }),
      ],
    }), 50);
    expect(w.entities.get(3)).toMatchObject({ health: 16, maxHealth: 40, dead: false });
    expect(w.self).toMatchObject({ health: 74, maxHealth: 80 });
    expect(r.actions).toEqual([
      { type: "attack", id: 1, target: 3, ability: "Firebolt" },
      { type: "hit", id: 3, source: 1, amount: 24, health: 16, maxHealth: 40 },
      { type: "attack", id: 3, target: 1, ability: "Bite" },
      { type: "hit", id: 1, source: 3, amount: 6, health: 74, maxHealth: 80 },
    ]);
    expect(r.vitals).toEqual([3, 1]);

    const r2 = w.apply(update({
      tick: 3,
      events: [
        ev(3, { case: "hit", value: { source: 1, amount: 24, health: 0, maxHealth: 40 } }),
        ev(3, { case: "death", value: { killer: 1 } }),
        ev(1, { case: "levelUp", value: { level: 3 } }),
        ev(1, { case: "hit", value: { source: 9, amount: -20, health: 80, maxHealth: 80 } }),
      ],
    }), 100);
    expect(w.entities.get(3)).toMatchObject({ health: 0, dead: true });
    expect(w.self).toMatchObject({ level: 3, health: 80 });
    expect(r2.actions.map((a) => a.type)).toEqual(["hit", "death", "levelUp", "hit"]);

    // a dead player comes back at home with full health
    w.apply(update({ tick: 4, events: [ev(1, { case: "death", value: { killer: 3 } })] }), 150);
    expect(w.self.dead).toBe(true);
    expect(w.self.health).toBe(0);
    const r3 = w.apply(update({ tick: 5, events: [ev(1, { case: "revive", value: { health: 90, maxHealth: 90 } })] }), 200);
    expect(w.self).toMatchObject({ dead: false, health: 90, maxHealth: 90 });
    expect(r3.actions).toEqual([{ type: "revive", id: 1, health: 90, maxHealth: 90 }]);
  });

  it("changes what players wear live, the own character's too", () => {
    const w = new WorldState(1, TICK_MS);
    w.apply(update({ tick: 1, enters: [create(EntityEnterSchema, { id: 2, name: "Ann", equipment: { chest: "linen-robe" } })] }), 0);
    const r = w.apply(update({
      tick: 2,
      events: [
        ev(2, { case: "equipment", value: { chest: "leather-vest", offHand: "wooden-shield" } }),
        ev(1, { case: "equipment", value: { head: "wool-hood" } }),
        ev(2, { case: "pickedUp", value: { what: "12 gold" } }),
      ],
    }), 50);
    expect(r.equipment).toEqual([2, 1]);
    expect(w.entities.get(2)!.equipment).toEqual({ head: "", chest: "leather-vest", legs: "", feet: "", main_hand: "", off_hand: "wooden-shield" });
    expect(w.self.equipment.head).toBe("wool-hood");
    expect(r.actions).toEqual([{ type: "pickedUp", id: 2, what: "12 gold" }]);
  });

  it("ignores events about entities it does not know", () => {
    const w = new WorldState(1, TICK_MS);
    const r = w.apply(update({ tick: 1, events: [ev(42, { case: "death", value: { killer: 1 } })] }), 0);
    expect(r.actions).toEqual([]);
    expect(r.vitals).toEqual([]);
  });

  it("takes the own level and health from CharacterStats; 0 health is dead", () => {
    const w = new WorldState(1, TICK_MS);
    w.setSelfStats(5, 0, 140);
    expect(w.self).toMatchObject({ level: 5, health: 0, maxHealth: 140, dead: true });
    w.setSelfStats(5, 140, 140);
    expect(w.self.dead).toBe(false);
  });

  it("finds players by name, not creatures", () => {
    const w = new WorldState(1, TICK_MS);
    w.apply(update({
      tick: 1,
      enters: [
        create(EntityEnterSchema, { id: 3, kind: EntityKind.ENTITY_CREATURE, name: "Bob" }),
        create(EntityEnterSchema, { id: 4, kind: EntityKind.ENTITY_PLAYER, name: "Bob" }),
      ],
    }), 0);
    expect(w.playerByName("bob")?.id).toBe(4);
    expect(w.playerByName("nobody")).toBeUndefined();
  });
});

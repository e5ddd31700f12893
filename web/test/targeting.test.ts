import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EntityEnterSchema, EntityKind, WorldUpdateSchema } from "../src/protocol";
import { Targeting, nearestLoot, nextTabTarget, tabOrder } from "../src/targeting";
import { WorldState } from "../src/world";

/** A world around the player at (10, 10): creatures, a corpse, a player, loot. */
function world(): WorldState {
  const w = new WorldState(1, 50);
  const at = (id: number, kind: EntityKind, x: number, y: number, dead = false) =>
    create(EntityEnterSchema, { id, kind, name: `e${id}`, x: x * 16, y: y * 16, dead });
  w.apply(create(WorldUpdateSchema, {
    tick: 1,
    enters: [
      at(2, EntityKind.ENTITY_CREATURE, 15, 10), // 5 away
      at(3, EntityKind.ENTITY_CREATURE, 12, 10), // 2 away
      at(4, EntityKind.ENTITY_CREATURE, 10, 11, true), // a corpse, 1 away
      at(5, EntityKind.ENTITY_PLAYER, 10, 10.5),
      at(6, EntityKind.ENTITY_CREATURE, 10, 18), // 8 away
      at(7, EntityKind.ENTITY_LOOT, 11, 10), // 1 away
      at(8, EntityKind.ENTITY_LOOT, 12.5, 10), // 2.5 away
      at(9, EntityKind.ENTITY_LOOT, 14, 10), // 4 away
    ],
  }), 0);
  return w;
}

describe("tab targeting", () => {
  it("orders the living creatures nearest first, skipping the dead, players and loot", () => {
    expect(tabOrder(world().entities.values(), 10, 10)).toEqual([3, 2, 6]);
    expect(tabOrder(world().entities.values(), 10, 10, 6)).toEqual([3, 2]);
  });

  it("goes to the nearest first, then on round the list", () => {
    expect(nextTabTarget(0, [3, 2, 6])).toBe(3);
    expect(nextTabTarget(3, [3, 2, 6])).toBe(2);
    expect(nextTabTarget(6, [3, 2, 6])).toBe(3);
    expect(nextTabTarget(5, [3, 2, 6])).toBe(3); // a player targeted: back to the nearest creature
    expect(nextTabTarget(3, [])).toBe(0);
  });

  it("cycles the target and counts changes", () => {
    const w = world();
    const t = new Targeting();
    const v = t.version;
    expect(t.cycle(w.entities.values(), 10, 10)).toBe(3);
    expect(t.cycle(w.entities.values(), 10, 10)).toBe(2);
    expect(t.id).toBe(2);
    expect(t.version).toBe(v + 2);
    t.set(2);
    expect(t.version).toBe(v + 2); // no change
  });

  it("keeps the target while nothing is around, forgets one that left", () => {
    const t = new Targeting();
    t.set(5);
    expect(t.cycle([], 0, 0)).toBe(0);
    expect(t.id).toBe(5);
    t.forgetIfGone((id) => id === 5);
    expect(t.id).toBe(5);
    t.forgetIfGone(() => false);
    expect(t.id).toBe(0);
  });
});

describe("nearestLoot", () => {
  it("finds the nearest loot within range, else 0", () => {
    const w = world();
    expect(nearestLoot(w.entities.values(), 10, 10, 3)).toBe(7);
    expect(nearestLoot(w.entities.values(), 13, 10, 3)).toBe(8);
    expect(nearestLoot(w.entities.values(), 10, 14, 3)).toBe(0);
  });
});

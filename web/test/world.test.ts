import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Emote, EntityEnterSchema, EntityEventSchema, WorldUpdateSchema, type WorldUpdate } from "../src/protocol";
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

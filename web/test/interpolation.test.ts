import { describe, expect, it } from "vitest";
import { SnapshotBuffer, TickClock } from "../src/interpolation";

describe("SnapshotBuffer", () => {
  it("interpolates between the snapshots around a time", () => {
    const b = new SnapshotBuffer();
    b.push(0, 0, 0);
    b.push(50, 1, 2);
    b.push(100, 3, 2);
    expect(b.sample(25)).toEqual({ x: 0.5, y: 1 });
    expect(b.sample(50)).toEqual({ x: 1, y: 2 });
    expect(b.sample(75)).toEqual({ x: 2, y: 2 });
  });

  it("holds the ends instead of extrapolating", () => {
    const b = new SnapshotBuffer();
    expect(b.sample(10)).toBeUndefined();
    b.push(100, 5, 5);
    b.push(150, 6, 5);
    expect(b.sample(0)).toEqual({ x: 5, y: 5 });
    expect(b.sample(1000)).toEqual({ x: 6, y: 5 });
  });

  it("does not glide across a teleport", () => {
    const b = new SnapshotBuffer();
    b.push(0, 0, 0);
    b.push(50, 40, 0);
    expect(b.sample(25)).toEqual({ x: 0, y: 0 });
    expect(b.sample(50)).toEqual({ x: 40, y: 0 });
  });

  it("forgets old snapshots but keeps two", () => {
    const b = new SnapshotBuffer(50, 200);
    for (let t = 0; t <= 1000; t += 50) b.push(t, t / 50, 0);
    expect(b.snapshots[0]!.t).toBeGreaterThanOrEqual(750);
    expect(b.sample(900)).toEqual({ x: 18, y: 0 });
  });

  it("holds a standing entity until it starts to move, instead of gliding from long ago", () => {
    const b = new SnapshotBuffer(50);
    b.push(0, 0, 0);
    b.push(2000, 0.25, 0); // the next update after two seconds of standing
    expect(b.sample(1000)).toEqual({ x: 0, y: 0 });
    expect(b.sample(1950)).toEqual({ x: 0, y: 0 });
    expect(b.sample(1975)!.x).toBeCloseTo(0.125, 6);
  });

  it("draws entities with sparse updates (far away: every 4th tick) further behind, so they do not stutter", () => {
    const near = new SnapshotBuffer(50);
    const far = new SnapshotBuffer(50);
    for (let t = 0; t <= 2000; t += 50) near.push(t, t / 200, 0);
    for (let t = 0; t <= 2000; t += 200) far.push(t, t / 200, 0);
    expect(near.delay).toBe(100);
    expect(far.delay).toBeGreaterThanOrEqual(240);
    // Just before the next far update arrives (at 2200), the far entity is still moving.
    const now = 2190;
    const a = far.sample(now - far.delay)!.x, b2 = far.sample(now - 20 - far.delay)!.x;
    expect(a).toBeGreaterThan(b2);
  });

  it("ignores out-of-order snapshots and replaces a same-time one", () => {
    const b = new SnapshotBuffer();
    b.push(100, 1, 1);
    b.push(50, 9, 9);
    b.push(100, 2, 2);
    expect(b.snapshots).toEqual([{ t: 100, x: 2, y: 2 }]);
  });
});

describe("TickClock", () => {
  it("tracks the least delayed arrival and renders 100 ms behind it", () => {
    const c = new TickClock(50);
    c.observe(100, 10_000); // tick 100 = 5000 ms server time, arrived at local 10000
    expect(c.now(10_000)).toBe(5000);
    expect(c.renderTime(10_020)).toBe(4920);
    // A late packet barely moves the estimate...
    c.observe(101, 10_090); // 40 ms late
    expect(c.now(10_090)).toBeGreaterThan(5090 - 1);
    expect(c.now(10_090)).toBeLessThan(5090);
    // ...an early one moves it at once.
    c.observe(102, 10_095);
    expect(c.now(10_095)).toBe(5100);
  });

  it("moves an entity smoothly at constant speed when rendered through the clock", () => {
    const c = new TickClock(50);
    const b = new SnapshotBuffer();
    const xs: number[] = [];
    // The server moves the entity 0.25 units per tick; updates arrive with jitter.
    const jitter = [0, 12, 3, 20, 7, 0, 15, 4, 9, 0];
    let next = 0;
    for (let local = 0; local < 500; local += 10) {
      while (next < jitter.length && next * 50 + jitter[next]! <= local) {
        c.observe(next, next * 50 + jitter[next]!);
        b.push(next * 50, next * 0.25, 0);
        next++;
      }
      if (local >= 150) xs.push(b.sample(c.renderTime(local))!.x);
    }
    for (let i = 1; i < xs.length; i++) {
      expect(xs[i]! - xs[i - 1]!).toBeGreaterThanOrEqual(0);
      expect(xs[i]! - xs[i - 1]!).toBeLessThanOrEqual(0.06);
    }
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { boxFree, normalise, step, stepDistance, type Collision, type Direction } from "../src/movement";
import { Predictor, type InputToSend } from "../src/prediction";
import { gridMap, openMap } from "./helpers";

const SPEED = 4; // units per second
const RATE = 20; // ticks per second
const D = stepDistance(SPEED, RATE); // 0.2 (as a float)

/**
 * The server's side, as World.java does it: each tick it takes at most `perTick` queued
 * Inputs (the last one taken sets the direction, ack_seq and the ack tick), moves the player
 * one step, and reports ack_seq, ticks_since_ack = tick - ackTick + 1 and the position
 * quantised to 1/16.
 */
class FakeServer {
  x: number;
  y: number;
  dir: Direction = { x: 0, y: 0 };
  ackSeq = 0;
  ackTick = -1;
  tick = 0;
  readonly inbox: InputToSend[] = [];
  constructor(private readonly map: Collision, x: number, y: number, private readonly perTick = 4) {
    this.x = Math.fround(x);
    this.y = Math.fround(y);
  }
  step() {
    const t = this.tick + 1;
    for (let k = 0; k < this.perTick && this.inbox.length > 0; k++) {
      const input = this.inbox.shift()!;
      this.dir = normalise(input.dx, input.dy);
      this.ackSeq = input.seq;
      this.ackTick = t;
    }
    const pos = { x: this.x, y: this.y };
    step(this.map, pos, this.dir, D);
    this.x = pos.x;
    this.y = pos.y;
    this.tick = t;
    return {
      ackSeq: this.ackSeq,
      ticksSinceAck: this.ackTick < 0 ? 0 : t - this.ackTick + 1,
      x: Math.round(this.x * 16) / 16,
      y: Math.round(this.y * 16) / 16,
    };
  }
}

/**
 * Runs client and server in lock step with `upTicks` of latency client->server and
 * `downTicks` server->client, the client holding `keys(tick)`.
 */
function simulate(map: Collision, start: [number, number], ticks: number, keys: (t: number) => [number, number],
                  upTicks = 2, downTicks = 2) {
  const client = new Predictor(map, start[0], start[1], SPEED, RATE);
  const server = new FakeServer(map, start[0], start[1]);
  const up: { at: number; input: InputToSend }[] = [];
  const down: { at: number; u: ReturnType<FakeServer["step"]> }[] = [];
  const corrections: number[] = [];
  for (let t = 0; t < ticks; t++) {
    const [dx, dy] = keys(t);
    const send = client.tick(dx, dy, t * 50);
    if (send) up.push({ at: t + upTicks, input: send });
    while (up.length && up[0]!.at <= t) server.inbox.push(up.shift()!.input);
    down.push({ at: t + downTicks, u: server.step() });
    while (down.length && down[0]!.at <= t) {
      const u = down.shift()!.u;
      client.reconcile(u.ackSeq, u.ticksSinceAck, u.x, u.y);
      corrections.push(client.lastCorrection);
    }
  }
  return { client, server, corrections };
}

describe("movement (the server's rule)", () => {
  it("normalises diagonals and stops on (0, 0)", () => {
    const d = normalise(1, 1);
    expect(d.x).toBeCloseTo(Math.SQRT1_2, 6);
    expect(d.y).toBeCloseTo(Math.SQRT1_2, 6);
    expect(normalise(0, 0)).toEqual({ x: 0, y: 0 });
    expect(normalise(-3, 0)).toEqual({ x: -1, y: 0 });
  });

  it("stops at a blocked tile: the 0.3 box touches the wall and no further", () => {
    const map = gridMap(["....#...", "....#...", "....#..."]);
    const pos = { x: 2.5, y: 1.5 };
    for (let i = 0; i < 20; i++) step(map, pos, { x: 1, y: 0 }, D);
    // The box's right edge (x + 0.3) must stay left of the wall at x = 4.
    expect(pos.x + 0.3).toBeLessThanOrEqual(4 + 1e-4);
    expect(pos.x).toBeGreaterThan(3.5);
    expect(boxFree(map, pos.x, pos.y)).toBe(true);
    expect(boxFree(map, pos.x + D, pos.y)).toBe(false);
  });

  it("stops flush against the wall, even when the last step would have gone past it", () => {
    const map = gridMap(["....#...", "....#...", "....#..."]);
    const pos = { x: Math.fround(3.6), y: 1.5 };
    expect(step(map, pos, { x: 1, y: 0 }, D)).toBe(true); // 3.8 would overlap: stops at 4 - 0.3
    expect(pos.x).toBe(Math.fround(3.7));
    expect(step(map, pos, { x: 1, y: 0 }, D)).toBe(false);
    // Leftwards against the map edge: flush at 0.3.
    const left = { x: Math.fround(0.4), y: 1.5 };
    step(map, left, { x: -1, y: 0 }, D);
    expect(left.x).toBe(Math.fround(0.3));
  });

  it("matches the server's Java float arithmetic bit for bit (golden cases from MovementCases.java)", () => {
    const lines = readFileSync(new URL("./fixtures/movement-cases.txt", import.meta.url), "utf8").trim().split("\n");
    const map = gridMap(lines[0]!.split(","));
    const d = stepDistance(4.5, 20);
    const bits = (i: number) => {
      const b = new DataView(new ArrayBuffer(4));
      b.setInt32(0, i);
      return b.getFloat32(0);
    };
    const cases = lines.slice(1);
    expect(cases.length).toBeGreaterThan(100);
    for (const line of cases) {
      const [x, y, dx, dy, ex, ey] = line.split(" ").map(Number) as [number, number, number, number, number, number];
      const pos = { x: bits(x), y: bits(y) };
      const dir = normalise(dx, dy);
      for (let k = 0; k < 30; k++) step(map, pos, dir, d);
      expect([pos.x, pos.y], line).toEqual([bits(ex), bits(ey)]);
    }
  });

  it("slides along a wall when moving diagonally into it", () => {
    const map = gridMap(["........", "........", "........", "########"]);
    const pos = { x: 2.5, y: 2.5 };
    const dir = normalise(1, 1);
    for (let i = 0; i < 10; i++) step(map, pos, dir, D);
    expect(pos.y + 0.3).toBeLessThanOrEqual(3 + 1e-4);
    expect(pos.x).toBeCloseTo(2.5 + 10 * D * Math.SQRT1_2, 4);
  });

  it("keeps the box on the map", () => {
    const map = openMap(4, 4);
    const pos = { x: 0.5, y: 0.5 };
    for (let i = 0; i < 10; i++) step(map, pos, { x: -1, y: -1 }, D);
    expect(pos.x).toBeGreaterThanOrEqual(0.3);
    expect(pos.y).toBeGreaterThanOrEqual(0.3);
  });
});

describe("Predictor", () => {
  it("moves at once, before the server answers, and sends an Input when the direction changes", () => {
    const p = new Predictor(openMap(20, 20), 5, 5, SPEED, RATE);
    const first = p.tick(1, 0, 0);
    expect(first).toEqual({ seq: 1, dx: 1, dy: 0 });
    expect(p.x).toBeCloseTo(5 + D, 6);
    expect(p.tick(1, 0, 50)).toBeNull();
    expect(p.tick(0, 1, 100)).toEqual({ seq: 2, dx: 0, dy: 1 });
    expect(p.y).toBeCloseTo(5 + D, 6);
  });

  it("resends the direction every 100 ms even when it does not change", () => {
    const p = new Predictor(openMap(20, 20), 5, 5, SPEED, RATE);
    const sent = [0, 50, 100, 150, 200].map((t) => p.tick(0, 0, t));
    expect(sent.map((s) => s?.seq ?? null)).toEqual([1, null, 2, null, 3]);
  });

  it("stops resending while the server acknowledges nothing, but still sends changes", () => {
    const p = new Predictor(openMap(20, 20), 5, 5, SPEED, RATE);
    let sent = 0;
    for (let t = 0; t < 100; t++) if (p.tick(1, 0, t * 50)) sent++;
    expect(sent).toBe(10); // not 50: the server has not acked any
    expect(p.tick(0, 1, 5000)).not.toBeNull();
    p.reconcile(11, 1, p.x, p.y);
    const resent = [5050, 5100, 5150].map((t) => p.tick(0, 1, t));
    expect(resent.filter((s) => s !== null)).toHaveLength(1);
  });

  it("agrees with the server exactly when nothing disturbs it (no corrections)", () => {
    const map = gridMap([
      "..........",
      "..........",
      "....##....",
      "..........",
      "..........",
    ]);
    const keys = (t: number): [number, number] =>
      t < 10 ? [1, 0] : t < 17 ? [1, 1] : t < 25 ? [0, -1] : t < 40 ? [-1, 0] : [0, 0];
    const { client, server, corrections } = simulate(map, [1.5, 1.5], 60, keys, 2, 3);
    for (const c of corrections) expect(c).toBeLessThan(1 / 16);
    expect(client.x).toBeCloseTo(server.x, 1);
    expect(Math.abs(client.x - server.x)).toBeLessThanOrEqual(1 / 32);
    expect(Math.abs(client.y - server.y)).toBeLessThanOrEqual(1 / 32);
  });

  it("takes the server's position at ack_seq and replays the unacknowledged inputs", () => {
    const p = new Predictor(openMap(30, 30), 10, 10, SPEED, RATE);
    p.tick(1, 0, 0); // seq 1, 1 tick
    p.tick(1, 0, 50); // seq 1, 2 ticks
    p.tick(0, 1, 100); // seq 2, 1 tick
    p.tick(0, 1, 150); // seq 2, 2 ticks
    expect(p.inputs.map((i) => [i.seq, i.ticks])).toEqual([[1, 2], [2, 2]]);
    // The server applied seq 1 one tick ago (1 tick simulated with it) but says we are
    // somewhere else (say, pushed back): (8, 10).
    p.reconcile(1, 1, 8, 10);
    // From (8, 10): one more tick of seq 1 (+x), then two of seq 2 (+y).
    expect(p.x).toBeCloseTo(8 + D, 5);
    expect(p.y).toBeCloseTo(10 + 2 * D, 5);
    expect(p.inputs.map((i) => i.seq)).toEqual([1, 2]);
    // Once seq 2 is acked, seq 1 is dropped.
    p.reconcile(2, 2, 8 + D, 10 + 2 * D);
    expect(p.inputs.map((i) => i.seq)).toEqual([2]);
    expect(p.x).toBeCloseTo(8 + D, 5);
    expect(p.y).toBeCloseTo(10 + 2 * D, 5);
  });

  it("does not replay ticks the server has already simulated beyond the client's", () => {
    const p = new Predictor(openMap(30, 30), 10, 10, SPEED, RATE);
    p.tick(1, 0, 0);
    // The server has run seq 1 for 3 ticks (the client only 1 so far).
    p.reconcile(1, 3, 10 + 3 * D, 10);
    expect(p.x).toBeCloseTo(10 + 3 * D, 5);
  });

  it("replays pending inputs against walls as the server would: stopped, then sliding", () => {
    const map = gridMap([
      "........",
      "........",
      "....#...",
      "........",
    ]);
    const p = new Predictor(map, 2.5, 2.5, SPEED, RATE);
    for (let t = 0; t < 15; t++) p.tick(1, 0, t * 50);
    // Stopped against the wall tile at x = 4.
    expect(p.x + 0.3).toBeLessThanOrEqual(4 + 1e-4);
    const stopX = p.x;
    // The server has not applied anything yet: everything replays from the start, and lands
    // at the same place.
    p.reconcile(0, 0, 2.5, 2.5);
    expect(p.x).toBe(stopX);
    // A server correction (further right) replays the same inputs into the same wall, in
    // the same discrete steps the server takes from there.
    p.reconcile(0, 0, 3, 2.5);
    const expected = { x: Math.fround(3), y: Math.fround(2.5) };
    for (let i = 0; i < 15; i++) step(map, expected, { x: 1, y: 0 }, D);
    expect(p.x).toBe(expected.x);
    expect(p.x + 0.3).toBeLessThanOrEqual(4 + 1e-4);
    expect(p.x).toBeGreaterThan(3.5);
  });

  it("converges on the server when the server disagrees (it moved the player)", () => {
    const map = openMap(40, 40);
    const client = new Predictor(map, 5, 5, SPEED, RATE);
    const server = new FakeServer(map, 5, 5);
    // The server teleports the player to (20, 20) before taking any input.
    server.x = 20;
    server.y = 20;
    for (let t = 0; t < 20; t++) {
      const send = client.tick(t < 10 ? 1 : 0, 0, t * 50);
      if (send) server.inbox.push(send);
      const u = server.step();
      client.reconcile(u.ackSeq, u.ticksSinceAck, u.x, u.y);
    }
    expect(client.x).toBeCloseTo(server.x, 1);
    expect(client.y).toBeCloseTo(20, 5);
  });

  it("stays within rounding of the server with jittery delivery (inputs bunched in one tick)", () => {
    const map = gridMap([
      "................",
      "....#...........",
      "....#.....##....",
      "................",
      "................",
    ]);
    const client = new Predictor(map, 1.5, 3.5, SPEED, RATE);
    const server = new FakeServer(map, 1.5, 3.5);
    const keys = (t: number): [number, number] =>
      [[1, 0], [1, -1], [0, -1], [1, 0], [-1, 1], [0, 0]][Math.floor(t / 7) % 6] as [number, number];
    const inFlight: { at: number; input: InputToSend }[] = [];
    for (let t = 0; t < 120; t++) {
      const send = client.tick(...keys(t), t * 50);
      // Variable latency: some inputs wait an extra tick and arrive with the next one.
      if (send) inFlight.push({ at: t + 1 + (send.seq % 3 === 0 ? 1 : 0), input: send });
      inFlight.sort((a, b) => a.at - b.at || a.input.seq - b.input.seq);
      while (inFlight.length && inFlight[0]!.at <= t) server.inbox.push(inFlight.shift()!.input);
      const u = server.step();
      client.reconcile(u.ackSeq, u.ticksSinceAck, u.x, u.y);
    }
    // Keys are released at the end: both stand still at the same place.
    for (let t = 120; t < 130; t++) {
      const send = client.tick(0, 0, t * 50);
      if (send) server.inbox.push(send);
      const u = server.step();
      client.reconcile(u.ackSeq, u.ticksSinceAck, u.x, u.y);
    }
    expect(Math.abs(client.x - server.x)).toBeLessThanOrEqual(1 / 32);
    expect(Math.abs(client.y - server.y)).toBeLessThanOrEqual(1 / 32);
  });
});

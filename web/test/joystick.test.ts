import { describe, expect, it } from "vitest";
import { DIRECTIONS, Joystick, stickInput } from "../src/joystick";
import { normalise } from "../src/movement";
import { Predictor } from "../src/prediction";
import { openMap } from "./helpers";

describe("stick input", () => {
  it("is no input inside the dead zone (and on its edge)", () => {
    expect(stickInput(0, 0, 10)).toEqual([0, 0]);
    expect(stickInput(6, -8, 10)).toEqual([0, 0]);
    expect(stickInput(10, 0, 10)).toEqual([0, 0]);
  });

  it("gives the key directions exactly along the axes", () => {
    expect(stickInput(40, 0, 10)).toEqual([1, 0]);
    expect(stickInput(-40, 0, 10)).toEqual([-1, 0]);
    expect(stickInput(0, 40, 10)).toEqual([0, 1]); // screen y down is world y down (south)
    expect(stickInput(0, -40, 10)).toEqual([0, -1]);
  });

  it("snaps to the nearest of 16 directions, a unit vector the server normalises to itself", () => {
    const [dx, dy] = stickInput(30, 30.5, 10); // 45.5 degrees: the diagonal
    expect(dx).toBeCloseTo(Math.SQRT1_2, 6);
    expect(dy).toBeCloseTo(Math.SQRT1_2, 6);
    const [sx, sy] = stickInput(40, 14, 10); // 19.3 degrees: 22.5
    expect(Math.atan2(sy, sx)).toBeCloseTo(Math.PI / 8, 5);
    const seen = new Set<string>();
    for (let deg = 0; deg < 360; deg += 1) {
      const r = (deg * Math.PI) / 180;
      const [x, y] = stickInput(50 * Math.cos(r), 50 * Math.sin(r), 10);
      expect(Math.hypot(x, y)).toBeCloseTo(1, 6);
      expect(x).toBe(Math.fround(x));
      const n = normalise(x, y);
      expect(n.x).toBeCloseTo(x, 6);
      expect(n.y).toBeCloseTo(y, 6);
      seen.add(`${x},${y}`);
    }
    expect(seen.size).toBe(DIRECTIONS);
  });

  it("is no input for a non-finite offset", () => {
    expect(stickInput(NaN, 5, 10)).toEqual([0, 0]);
    expect(stickInput(Infinity, 0, 10)).toEqual([0, 0]);
  });
});

describe("joystick", () => {
  it("clamps the knob to the radius and gives the magnitude past the dead zone", () => {
    const j = new Joystick(50, 10);
    expect(j.press(7, 100, 100, 100, 100)).toBe(true);
    expect(j.state).toMatchObject({ active: true, magnitude: 0, dx: 0, dy: 0 });
    j.move(7, 130, 100); // 30 px: halfway from the dead zone to the rim
    expect(j.state.magnitude).toBeCloseTo(0.5, 6);
    expect([j.state.dx, j.state.dy]).toEqual([1, 0]);
    j.move(7, 100, 300); // far below: clamped
    expect(j.state.knobX).toBeCloseTo(0, 6);
    expect(j.state.knobY).toBeCloseTo(50, 6);
    expect(j.state.magnitude).toBe(1);
    expect([j.state.dx, j.state.dy]).toEqual([0, 1]);
  });

  it("stops on release", () => {
    const j = new Joystick(50, 10);
    j.press(1, 140, 100, 100, 100);
    expect(j.state.dx).toBe(1);
    expect(j.release(1)).toBe(true);
    expect(j.state).toMatchObject({ active: false, dx: 0, dy: 0, magnitude: 0, knobX: 0, knobY: 0 });
    expect(j.owner).toBeNull();
  });

  it("belongs to the first touch: a second finger (a button) neither takes nor moves nor releases it", () => {
    const j = new Joystick(50, 10);
    expect(j.press(1, 100, 60, 100, 100)).toBe(true); // up
    expect(j.press(2, 300, 300, 100, 100)).toBe(false);
    expect(j.move(2, 300, 100)).toBe(false);
    expect([j.state.dx, j.state.dy]).toEqual([0, -1]);
    expect(j.release(2)).toBe(false);
    expect(j.state.active).toBe(true);
    expect(j.move(1, 60, 100)).toBe(true); // left
    expect([j.state.dx, j.state.dy]).toEqual([-1, 0]);
    expect(j.release(1)).toBe(true);
    expect(j.press(2, 100, 140, 100, 100)).toBe(true); // now the other finger may take it
    expect([j.state.dx, j.state.dy]).toEqual([0, 1]);
  });

  it("reports a move only when the knob moved", () => {
    const j = new Joystick(50, 10);
    j.press(1, 100, 100, 100, 100);
    expect(j.move(1, 100, 100)).toBe(false);
    expect(j.move(1, 100, 200)).toBe(true);
    expect(j.move(1, 100, 260)).toBe(false); // still clamped to the same rim point
  });

  it("refuses a dead zone as large as the radius", () => {
    expect(() => new Joystick(20, 20)).toThrow(/deadZone/);
    expect(() => new Joystick(0, 0)).toThrow(/deadZone/);
  });

  it("drives the predictor like the keys: the stick's input moves it at the one speed, release stops it", () => {
    const map = openMap(40, 40);
    const keys = new Predictor(map, 20, 20, 4, 20);
    const stick = new Predictor(map, 20, 20, 4, 20);
    const j = new Joystick(50, 10);
    j.press(1, 100, 100, 100, 100);
    j.move(1, 135, 135); // down-right, not pushed all the way
    for (let t = 0; t < 10; t++) {
      keys.tick(1, 1, t * 50);
      stick.tick(j.state.dx, j.state.dy, t * 50);
    }
    expect(stick.x).toBeCloseTo(keys.x, 4);
    expect(stick.y).toBeCloseTo(keys.y, 4);
    expect(stick.x).toBeGreaterThan(21);
    j.release(1);
    const x = stick.x;
    const sent = stick.tick(j.state.dx, j.state.dy, 500);
    expect(sent).toMatchObject({ dx: 0, dy: 0 });
    expect(stick.x).toBe(x);
  });
});

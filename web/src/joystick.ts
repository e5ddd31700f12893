// The virtual joystick's arithmetic, apart from the DOM so it can be tested: one touch (by
// its pointer id) owns the stick from press to release; its offset from the centre, clamped
// to the radius, gives a direction and a magnitude (0..1); inside the dead zone it is no
// input at all. The movement input is the direction snapped to one of DIRECTIONS angles
// (unit length, float32 as the server reads it): the server moves at one speed whatever the
// length, and snapping keeps a wandering thumb from sending a new Input every few pixels.

/** How many directions the stick snaps to (16: every 22.5 degrees, the 8 key directions among them). */
export const DIRECTIONS = 16;

export interface StickState {
  /** Whether a touch holds the stick. */
  readonly active: boolean;
  /** The knob's offset from the centre, clamped to the radius (px). */
  readonly knobX: number;
  readonly knobY: number;
  /** How far the knob is pushed, 0..1 (0 inside the dead zone). */
  readonly magnitude: number;
  /** The movement input this gives: a unit vector, or (0, 0) to stand. */
  readonly dx: number;
  readonly dy: number;
}

const IDLE: StickState = { active: false, knobX: 0, knobY: 0, magnitude: 0, dx: 0, dy: 0 };

/**
 * The movement input for a stick offset (dx, dy) in px from the centre: (0, 0) within
 * `deadZone` px, else the unit vector of the nearest of DIRECTIONS angles (screen y down,
 * as the world's y).
 */
export function stickInput(dx: number, dy: number, deadZone: number): [number, number] {
  if (!Number.isFinite(dx) || !Number.isFinite(dy) || Math.hypot(dx, dy) <= deadZone) return [0, 0];
  const step = (2 * Math.PI) / DIRECTIONS;
  const a = Math.round(Math.atan2(dy, dx) / step) * step;
  // exact zeros and ones on the axes and diagonals' components as the keys give them
  const clean = (v: number) => (Math.abs(v) < 1e-9 ? 0 : Math.fround(v));
  return [clean(Math.cos(a)), clean(Math.sin(a))];
}

export class Joystick {
  private pointer: number | null = null;
  private cx = 0;
  private cy = 0;
  private current: StickState = IDLE;

  /**
   * @param radius how far the knob goes from the centre (px)
   * @param deadZone how far it must go before the player moves (px)
   */
  constructor(readonly radius: number, readonly deadZone: number) {
    if (!(radius > 0) || !(deadZone >= 0) || deadZone >= radius) {
      throw new Error(`joystick: need 0 <= deadZone < radius, got ${deadZone} and ${radius}`);
    }
  }

  get state(): StickState {
    return this.current;
  }

  /** The pointer (touch) holding the stick, or null. */
  get owner(): number | null {
    return this.pointer;
  }

  /**
   * A touch comes down at (x, y) with the stick's centre at (centreX, centreY). Taken only when
   * no other touch holds the stick; returns whether it was.
   */
  press(pointerId: number, x: number, y: number, centreX: number, centreY: number): boolean {
    if (this.pointer !== null) return false;
    this.pointer = pointerId;
    this.cx = centreX;
    this.cy = centreY;
    this.update(x, y);
    return true;
  }

  /** A touch moved; only the one holding the stick counts. Returns whether the state changed. */
  move(pointerId: number, x: number, y: number): boolean {
    if (pointerId !== this.pointer) return false;
    const before = this.current;
    this.update(x, y);
    return before.knobX !== this.current.knobX || before.knobY !== this.current.knobY;
  }

  /** A touch lifted (or was cancelled); the stick centres and the player stops if it was the holder. */
  release(pointerId: number): boolean {
    if (pointerId !== this.pointer) return false;
    this.reset();
    return true;
  }

  /** Lets go whatever holds it (the page lost focus, the session ended). */
  reset(): void {
    this.pointer = null;
    this.current = IDLE;
  }

  private update(x: number, y: number): void {
    let ox = x - this.cx, oy = y - this.cy;
    if (!Number.isFinite(ox) || !Number.isFinite(oy)) ox = oy = 0;
    const d = Math.hypot(ox, oy);
    if (d > this.radius) {
      ox = (ox / d) * this.radius;
      oy = (oy / d) * this.radius;
    }
    const [dx, dy] = stickInput(ox, oy, this.deadZone);
    const magnitude = d <= this.deadZone ? 0 : Math.min(1, (d - this.deadZone) / (this.radius - this.deadZone));
    this.current = { active: true, knobX: ox, knobY: oy, magnitude, dx, dy };
  }
}

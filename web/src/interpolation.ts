// Smooth movement of other entities. The server sends an entity's position when it moved:
// every tick for those near the viewer, every 2nd or 4th tick for those far away. The client
// draws each entity where it was a little while ago in server time, between the two
// snapshots around that moment: INTERPOLATION_DELAY_MS behind, or more for an entity whose
// updates come further apart, so there is always a next snapshot to move towards.

export const INTERPOLATION_DELAY_MS = 100;
/** Updates further apart than this mean the entity stood still in between. */
export const STANDING_GAP_MS = 300;
/** A jump longer than this between two snapshots is a teleport: no gliding across the map. */
export const TELEPORT_DISTANCE = 4;

export interface Snapshot {
  /** Server time, ms (tick * tick length). */
  t: number;
  x: number;
  y: number;
}

export class SnapshotBuffer {
  readonly snapshots: Snapshot[] = [];
  /** Typical time between this entity's updates while it moves (ms), smoothed. */
  interval: number;

  constructor(tickMs = 50, private readonly keepMs = 1000) {
    this.interval = tickMs;
  }

  /** How far behind the server's clock to draw this entity. */
  get delay(): number {
    return Math.max(INTERPOLATION_DELAY_MS, this.interval + 50);
  }

  /**
   * Adds a snapshot (a position the server sent); snapshots come in increasing time (a
   * same-time one replaces the last). After a long gap the entity was standing: it started
   * to move about one update interval ago, so it holds still until then.
   */
  push(t: number, x: number, y: number): void {
    const last = this.snapshots[this.snapshots.length - 1];
    if (last && t <= last.t) {
      if (t === last.t) {
        last.x = x;
        last.y = y;
      }
      return;
    }
    if (last) {
      const gap = t - last.t;
      if (gap > STANDING_GAP_MS) {
        this.snapshots.push({ t: t - this.interval, x: last.x, y: last.y });
      } else {
        this.interval += (gap - this.interval) * 0.3;
      }
    }
    this.snapshots.push({ t, x, y });
    // Forget what is too old to be drawn, keeping two to interpolate from.
    while (this.snapshots.length > 2 && this.snapshots[1]!.t < t - this.keepMs) this.snapshots.shift();
  }

  get latest(): Snapshot | undefined {
    return this.snapshots[this.snapshots.length - 1];
  }

  /** Position at server time t: interpolated, or the nearest end held. */
  sample(t: number): { x: number; y: number } | undefined {
    const out = { x: 0, y: 0 };
    return this.sampleInto(t, out) ? out : undefined;
  }

  /** Like sample, into `out` (no allocation, for every frame); false when there is no snapshot. */
  sampleInto(t: number, out: { x: number; y: number }): boolean {
    const s = this.snapshots;
    if (s.length === 0) return false;
    const first = s[0]!;
    if (t <= first.t) {
      out.x = first.x;
      out.y = first.y;
      return true;
    }
    for (let i = s.length - 1; i >= 0; i--) {
      const a = s[i]!;
      if (a.t <= t) {
        const b = s[i + 1];
        if (!b || Math.hypot(b.x - a.x, b.y - a.y) > TELEPORT_DISTANCE) {
          out.x = a.x;
          out.y = a.y;
          return true;
        }
        const k = (t - a.t) / (b.t - a.t);
        out.x = a.x + (b.x - a.x) * k;
        out.y = a.y + (b.y - a.y) * k;
        return true;
      }
    }
    out.x = first.x;
    out.y = first.y;
    return true;
  }
}

/**
 * Estimates the server's clock from tick arrivals: serverTime ~ localTime + offset. An
 * update that arrives earlier than expected (less delayed) moves the estimate up at once;
 * late ones pull it down slowly, so jitter does not shake the render time.
 */
export class TickClock {
  private offset: number | null = null;

  constructor(readonly tickMs: number) {}

  observe(tick: number, localNowMs: number): void {
    const sample = tick * this.tickMs - localNowMs;
    if (this.offset === null || Math.abs(sample - this.offset) > 1000) {
      this.offset = sample;
    } else if (sample > this.offset) {
      this.offset = sample;
    } else {
      this.offset += (sample - this.offset) * 0.02;
    }
  }

  /** Estimated current server time, ms. */
  now(localNowMs: number): number {
    return localNowMs + (this.offset ?? 0);
  }

  /** The server time to draw other entities at. */
  renderTime(localNowMs: number, delayMs = INTERPOLATION_DELAY_MS): number {
    return this.now(localNowMs) - delayMs;
  }
}

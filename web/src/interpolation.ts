// Smooth movement of other entities: positions arrive once per server tick; the client
// draws each entity where it was about INTERPOLATION_DELAY_MS ago in server time, between
// the two snapshots around that moment.

export const INTERPOLATION_DELAY_MS = 100;
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

  constructor(private readonly keepMs = 1000) {}

  /** Adds a snapshot; snapshots come in increasing time (a same-time one replaces the last). */
  push(t: number, x: number, y: number): void {
    const last = this.snapshots[this.snapshots.length - 1];
    if (last && t <= last.t) {
      if (t === last.t) {
        last.x = x;
        last.y = y;
      }
      return;
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
    const s = this.snapshots;
    if (s.length === 0) return undefined;
    const first = s[0]!;
    if (t <= first.t) return { x: first.x, y: first.y };
    for (let i = s.length - 1; i >= 0; i--) {
      const a = s[i]!;
      if (a.t <= t) {
        const b = s[i + 1];
        if (!b) return { x: a.x, y: a.y };
        if (Math.hypot(b.x - a.x, b.y - a.y) > TELEPORT_DISTANCE) return { x: a.x, y: a.y };
        const k = (t - a.t) / (b.t - a.t);
        return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
      }
    }
    return { x: first.x, y: first.y };
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

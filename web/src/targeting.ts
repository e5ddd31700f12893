// Choosing what to act on: a click picks an entity, Tab cycles the living creatures nearest
// first, and the target is forgotten when it leaves the view. Pure: the session feeds it
// positions, the scene draws the marker.
import type { RemoteEntity } from "./world";

/** Living creatures in view, nearest to (x, y) first (ties by id, so the order is stable). */
export function tabOrder(entities: Iterable<RemoteEntity>, x: number, y: number, maxDistance = Infinity): number[] {
  const found: { id: number; d: number }[] = [];
  for (const e of entities) {
    if (e.kind !== "creature" || e.dead) continue;
    const d = Math.hypot(e.x - x, e.y - y);
    if (d <= maxDistance) found.push({ id: e.id, d });
  }
  found.sort((a, b) => a.d - b.d || a.id - b.id);
  return found.map((f) => f.id);
}

/**
 * The next target for Tab: the nearest living creature when nothing (or something else) is
 * targeted, else the one after the current target in nearest-first order, wrapping round.
 * 0 when there is none.
 */
export function nextTabTarget(current: number, order: readonly number[]): number {
  if (order.length === 0) return 0;
  const i = order.indexOf(current);
  return i < 0 ? order[0]! : order[(i + 1) % order.length]!;
}

export class Targeting {
  /** The targeted entity's id (may be the own one), or 0. */
  id = 0;
  /** Bumped on every change, for views that redraw on change. */
  version = 0;

  set(id: number): void {
    if (id === this.id) return;
    this.id = id;
    this.version++;
  }

  clear(): void {
    this.set(0);
  }

  /** Tab: moves to the next creature around (x, y); returns the new target (0 if none). */
  cycle(entities: Iterable<RemoteEntity>, x: number, y: number, maxDistance = Infinity): number {
    const next = nextTabTarget(this.id, tabOrder(entities, x, y, maxDistance));
    if (next !== 0) this.set(next);
    return next;
  }

  /** Forgets the target when it left the view (the own entity always stays valid). */
  forgetIfGone(exists: (id: number) => boolean): void {
    if (this.id !== 0 && !exists(this.id)) this.clear();
  }
}

/** The nearest loot within `range` units of (x, y), or 0. */
export function nearestLoot(entities: Iterable<RemoteEntity>, x: number, y: number, range: number): number {
  let best = 0, bestD = Infinity;
  for (const e of entities) {
    if (e.kind !== "loot") continue;
    const d = Math.hypot(e.x - x, e.y - y);
    if (d <= range && d < bestD) {
      best = e.id;
      bestD = d;
    }
  }
  return best;
}

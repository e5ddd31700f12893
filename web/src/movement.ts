// The server's movement rule (server/.../world/Movement.java), in the same float32
// arithmetic, so client prediction lands where the server does: the player is an
// axis-aligned box of half-size 0.3 around its position; each tick it moves along x, then
// along y; an axis move that would overlap a blocked tile (or leave the map) stops flush
// against it instead (if that is still a step forward), which slides players along walls.

const f = Math.fround;

export const HALF_SIZE = f(0.3);
const EPS = f(1e-4);

export interface Collision {
  readonly width: number;
  readonly height: number;
  isBlocked(tx: number, ty: number): boolean;
}

/** Whether a player box centred at (x, y) overlaps no blocked tile and stays on the map. */
export function boxFree(map: Collision, x: number, y: number): boolean {
  const minX = f(f(x - HALF_SIZE) + EPS), maxX = f(f(x + HALF_SIZE) - EPS);
  const minY = f(f(y - HALF_SIZE) + EPS), maxY = f(f(y + HALF_SIZE) - EPS);
  if (minX < 0 || minY < 0 || maxX >= map.width || maxY >= map.height) return false;
  const tx0 = Math.trunc(minX), tx1 = Math.trunc(maxX), ty0 = Math.trunc(minY), ty1 = Math.trunc(maxY);
  for (let ty = ty0; ty <= ty1; ty++) {
    for (let tx = tx0; tx <= tx1; tx++) {
      if (map.isBlocked(tx, ty)) return false;
    }
  }
  return true;
}

export interface Direction {
  x: number;
  y: number;
}

/** The server's normalisation of an Input's (dx, dy): unit length, or (0, 0). */
export function normalise(dx: number, dy: number): Direction {
  dx = f(dx);
  dy = f(dy);
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) return { x: 0, y: 0 };
  const len = f(Math.sqrt(f(f(dx * dx) + f(dy * dy))));
  if (len < f(1e-6)) return { x: 0, y: 0 };
  return { x: f(dx / len), y: f(dy / len) };
}

/** Distance moved per tick: speed (units/s) / tick rate, as a float. */
export function stepDistance(speed: number, tickRate: number): number {
  return f(f(speed) / tickRate);
}

export interface Position {
  x: number;
  y: number;
}

/**
 * Where a move of `delta` along one axis ends: the full move if the box is free there, else
 * flush against the tile (or map edge) it would enter, if that is still a step forward; else
 * no move.
 */
export function axisMove(map: Collision, from: number, delta: number, other: number, alongX: boolean): number {
  if (delta === 0) return from;
  const free = (v: number) => (alongX ? boxFree(map, v, other) : boxFree(map, other, v));
  const to = f(from + delta);
  if (free(to)) return to;
  const contact = delta > 0
    ? f(f(Math.floor(f(f(to + HALF_SIZE) - EPS))) - HALF_SIZE)
    : f(f(f(Math.floor(f(to - HALF_SIZE))) + 1) + HALF_SIZE);
  const forward = delta > 0 ? contact > from : contact < from;
  if (forward && free(contact)) return contact;
  return from;
}

/** Moves one tick along a normalised direction: x first, then y. Returns whether it moved. */
export function step(map: Collision, pos: Position, dir: Direction, distance: number): boolean {
  if (dir.x === 0 && dir.y === 0) return false;
  let moved = false;
  const nx = axisMove(map, pos.x, f(dir.x * distance), pos.y, true);
  if (nx !== pos.x) {
    pos.x = nx;
    moved = true;
  }
  const ny = axisMove(map, pos.y, f(dir.y * distance), pos.x, false);
  if (ny !== pos.y) {
    pos.y = ny;
    moved = true;
  }
  return moved;
}

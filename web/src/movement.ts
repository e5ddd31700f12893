// The server's movement rule (server/.../world/Movement.java), in the same float32
// arithmetic, so client prediction lands where the server does: the player is an
// axis-aligned box of half-size 0.3 around its position; each tick it moves along x, then
// along y, and an axis move that would overlap a blocked tile (or leave the map) is dropped,
// which slides players along walls.

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
  const minX = f(x - HALF_SIZE), maxX = f(f(x + HALF_SIZE) - EPS);
  const minY = f(y - HALF_SIZE), maxY = f(f(y + HALF_SIZE) - EPS);
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

/** Moves one tick along a normalised direction; x first, then y, each axis dropped if blocked. */
export function step(map: Collision, pos: Position, dir: Direction, distance: number): boolean {
  if (dir.x === 0 && dir.y === 0) return false;
  let moved = false;
  const nx = f(pos.x + f(dir.x * distance));
  if (nx !== pos.x && boxFree(map, nx, pos.y)) {
    pos.x = nx;
    moved = true;
  }
  const ny = f(pos.y + f(dir.y * distance));
  if (ny !== pos.y && boxFree(map, pos.x, ny)) {
    pos.y = ny;
    moved = true;
  }
  return moved;
}

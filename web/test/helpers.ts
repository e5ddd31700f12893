import type { Collision } from "../src/movement";

/** A collision grid from rows of text: '#' blocks, anything else is free. */
export function gridMap(rows: string[]): Collision {
  const height = rows.length;
  const width = rows[0]!.length;
  return {
    width,
    height,
    isBlocked(tx: number, ty: number) {
      if (tx < 0 || ty < 0 || tx >= width || ty >= height) return true;
      return rows[ty]![tx] === "#";
    },
  };
}

export function openMap(width: number, height: number): Collision {
  return gridMap(Array.from({ length: height }, () => ".".repeat(width)));
}

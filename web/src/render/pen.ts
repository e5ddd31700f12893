// The drawing calls the shapes use (Pixi's Graphics has them, and so does the 2D canvas
// CanvasPen), and colour shading: no renderer here, so shapes can be tested and previewed.

/** Shade a 0xRRGGBB colour: k < 1 darkens, k > 1 lightens. */
export function shade(color: number, k: number): number {
  const r = Math.min(255, Math.round(((color >> 16) & 0xff) * k));
  const g = Math.min(255, Math.round(((color >> 8) & 0xff) * k));
  const b = Math.min(255, Math.round((color & 0xff) * k));
  return (r << 16) | (g << 8) | b;
}

/** The drawing calls the character shapes use: Pixi's Graphics has them, and so does CanvasPen. */
export interface Pen {
  rect(x: number, y: number, w: number, h: number): Pen;
  roundRect(x: number, y: number, w: number, h: number, r: number): Pen;
  circle(x: number, y: number, r: number): Pen;
  ellipse(x: number, y: number, rx: number, ry: number): Pen;
  poly(points: number[]): Pen;
  fill(style: number | { color: number; alpha: number }): Pen;
}

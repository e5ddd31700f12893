// Character previews on a plain 2D canvas (the character list and the creation form), using
// the same shapes as the world renderer.
import type { Appearance } from "../protocol";
import { drawFigure, type Pen } from "./character";

function css(color: number, alpha = 1): string {
  const r = (color >> 16) & 0xff, g = (color >> 8) & 0xff, b = color & 0xff;
  return `rgba(${r},${g},${b},${alpha})`;
}

/** A Pen over a CanvasRenderingContext2D: shapes accumulate into a path until fill(). */
export class CanvasPen implements Pen {
  private path = new Path2D();
  constructor(private readonly ctx: CanvasRenderingContext2D) {}
  rect(x: number, y: number, w: number, h: number): Pen {
    this.path.rect(x, y, w, h);
    return this;
  }
  roundRect(x: number, y: number, w: number, h: number, r: number): Pen {
    this.path.roundRect(x, y, w, h, r);
    return this;
  }
  circle(x: number, y: number, r: number): Pen {
    this.path.moveTo(x + r, y);
    this.path.arc(x, y, r, 0, Math.PI * 2);
    return this;
  }
  ellipse(x: number, y: number, rx: number, ry: number): Pen {
    this.path.moveTo(x + rx, y);
    this.path.ellipse(x, y, rx, ry, 0, 0, Math.PI * 2);
    return this;
  }
  poly(points: number[]): Pen {
    this.path.moveTo(points[0]!, points[1]!);
    for (let i = 2; i < points.length; i += 2) this.path.lineTo(points[i]!, points[i + 1]!);
    this.path.closePath();
    return this;
  }
  fill(style: number | { color: number; alpha: number }): Pen {
    this.ctx.fillStyle = typeof style === "number" ? css(style) : css(style.color, style.alpha);
    this.ctx.fill(this.path);
    this.path = new Path2D();
    return this;
  }
}

/** Draws a character centred in the canvas, scaled to fill its height. */
export function drawPreview(canvas: HTMLCanvasElement, a: Appearance): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
  if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const scale = (canvas.height / 30);
  ctx.setTransform(scale, 0, 0, scale, canvas.width / 2, canvas.height - 2.5 * scale);
  const pen = new CanvasPen(ctx);
  pen.ellipse(0, 0, 6, 2.2).fill({ color: 0x000000, alpha: 0.35 });
  drawFigure(pen, a);
}

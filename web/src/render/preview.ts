// Character previews on a plain 2D canvas (the character list, the creation form and the
// inventory's paper doll) and item icons, using the same shapes as the world renderer.
import { create } from "@bufbuild/protobuf";
import type { EquipmentView, ItemView } from "../items";
import { AppearanceSchema, OutfitSchema, type Appearance } from "../protocol";
import { drawArm, drawBody, drawFigure, drawHead, type Pen } from "./character";
import {
  drawBodyGear, drawHeadGear, drawMainHand, drawOffHand, equipmentLooks, sleeveColor, wornAppearance,
} from "./equipment";

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

/**
 * A character with what it wears, on a plain canvas (the inventory's paper doll): the same
 * layers as the world sprite, the arms drawn where the sprite's arm containers put them.
 */
export function drawDressedPreview(canvas: HTMLCanvasElement, a: Appearance, equipment: EquipmentView): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
  if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const scale = canvas.height / 36;
  const base = new DOMMatrix([scale, 0, 0, scale, canvas.width / 2, canvas.height - 5 * scale]);
  ctx.setTransform(base);
  const pen = new CanvasPen(ctx);
  const looks = equipmentLooks(equipment);
  const worn = wornAppearance(a, looks);
  const sleeve = sleeveColor(a, looks);
  pen.ellipse(0, 0, 6, 2.2).fill({ color: 0x000000, alpha: 0.35 });
  ctx.setTransform(base.translate(-5.5, -14.5));
  drawArm(pen, worn, 0, 0, sleeve);
  if (looks.off_hand) drawOffHand(pen, looks.off_hand);
  ctx.setTransform(base);
  drawBody(pen, worn, false);
  drawBodyGear(pen, looks, false, worn.body === 1);
  drawHead(pen, worn);
  drawHeadGear(pen, looks);
  ctx.setTransform(base.translate(5.5, -14.5));
  drawArm(pen, worn, 0, 0, sleeve);
  if (looks.main_hand) drawMainHand(pen, looks.main_hand);
}

const MANNEQUIN = create(AppearanceSchema, {
  body: 0, skinColor: 0xcfb89a, hairColor: 0xcfb89a, hairStyle: 0,
  outfit: create(OutfitSchema, { top: 0, topColor: 0x6a6058, bottom: 0, bottomColor: 0x4a443e, shoesColor: 0x3a342e, hat: 0, hatColor: 0 }),
});

const icons = new Map<string, string>();

/**
 * A small picture of an item (a data: URL, cached per kind): the worn piece on a mannequin's
 * head, torso, legs or feet, the weapon or shield itself, a gem for trinkets, a bundle for
 * junk. "" where there is no 2D canvas (tests).
 */
export function itemIcon(item: ItemView): string {
  const key = `${item.kind}|${item.slot ?? ""}|${item.type}|${item.rarity}`;
  const cached = icons.get(key);
  if (cached !== undefined) return cached;
  let url = "";
  try {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext("2d");
    if (ctx) {
      drawIcon(ctx, item);
      url = canvas.toDataURL();
    }
  } catch {
    url = "";
  }
  icons.set(key, url);
  return url;
}

function drawIcon(ctx: CanvasRenderingContext2D, item: ItemView): void {
  const pen = new CanvasPen(ctx);
  // [scale, centre x, centre y] of the part of the figure to show
  const view = (s: number, cx: number, cy: number) => ctx.setTransform(s, 0, 0, s, 32 - cx * s, 32 - cy * s);
  const slot = item.slot;
  if (slot) {
    const eq = { head: "", chest: "", legs: "", feet: "", main_hand: "", off_hand: "" };
    eq[slot] = item.kind;
    const looks = equipmentLooks(eq);
    const worn = wornAppearance(MANNEQUIN, looks);
    const look = looks[slot]!;
    switch (slot) {
      case "head":
        view(4.2, 0, -21);
        drawHead(pen, worn);
        drawHeadGear(pen, looks);
        return;
      case "chest":
        view(3.2, 0, -10);
        drawBody(pen, worn, false);
        drawBodyGear(pen, looks, false, false);
        return;
      case "legs": {
        view(4.4, 0, -4);
        const skin = MANNEQUIN.skinColor;
        const legColor = look.shape === "shorts" || look.shape === "skirt" ? skin : look.color;
        pen.rect(-4, -7, 3, 6).fill(legColor);
        pen.rect(1, -7, 3, 6).fill(legColor);
        if (look.shape === "skirt") pen.poly([-4, -8, 4, -8, 6, -3, -6, -3]).fill(look.color);
        else pen.rect(-4.5, -8, 9, look.shape === "shorts" ? 3.5 : 2).fill(look.color);
        drawBodyGear(pen, { legs: look }, false, false);
        return;
      }
      case "feet":
        view(5.5, 0, -2);
        drawBodyGear(pen, { feet: look }, false, false);
        pen.rect(-4.5, -2, 3.5, 2).fill(look.color);
        pen.rect(1, -2, 3.5, 2).fill(look.color);
        return;
      case "main_hand":
        if (look.shape === "staff" || look.shape === "spear") view(2.3, 1, 0);
        else if (look.shape === "bow") view(2.8, 2, 5.5);
        else view(3.6, 2, 2);
        drawMainHand(pen, look);
        return;
      case "off_hand":
        view(5.2, -0.5, 6);
        drawOffHand(pen, look);
        return;
    }
  }
  const c = { common: 0xd8d8d8, uncommon: 0x3ddc4a, rare: 0x4a9cff, epic: 0xb65cff }[item.rarity];
  ctx.setTransform(1, 0, 0, 1, 32, 34);
  if (item.type === "trinket") {
    pen.rect(-1, -22, 2, 10).fill(0xc8a040);
    pen.circle(0, 0, 12).fill(0xc8a040);
    pen.circle(0, 0, 9).fill(c);
    pen.circle(-3, -3, 3).fill({ color: 0xffffff, alpha: 0.6 });
  } else {
    // a bundle (pelts and other junk)
    pen.ellipse(0, 4, 20, 12).fill(0x6a5040);
    pen.ellipse(-2, 0, 16, 10).fill(0x8a7060);
    pen.poly([-16, 2, -24, 10, -12, 8]).fill(0x8a7060);
    pen.ellipse(-6, -3, 6, 3).fill({ color: 0xffffff, alpha: 0.2 });
  }
}

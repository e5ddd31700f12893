// Loot on the ground: a small sack in the colour of the item's rarity (common linen white,
// uncommon green, rare blue, epic purple) on a soft glow that pulses for rare and epic items,
// or a pile of coins; its name in the rarity colour (or "12 gold") floats above it.
import { Graphics, Text } from "pixi.js";
import { RARITY_COLORS, type RarityName } from "../items";
import type { EmoteName } from "../protocol";
import { shade, type Pen } from "./pen";
import { EntitySprite } from "./entity";

const SACK_COLORS: Record<RarityName, number> = {
  common: 0xe2d8c0,
  uncommon: 0x46b04a,
  rare: 0x3a78dc,
  epic: 0x9a48dc,
};

export function drawSack(g: Pen, rarity: RarityName): void {
  const c = SACK_COLORS[rarity];
  g.ellipse(0, -3.6, 4.7, 4.2).fill(shade(c, 0.5));
  g.ellipse(0, -3.7, 4.2, 3.8).fill(c);
  g.poly([-2.6, -7.2, -3.2, -9.6, -1, -8.4, 0, -10.2, 1, -8.4, 3.2, -9.6, 2.6, -7.2]).fill(shade(c, 0.85));
  g.rect(-2.2, -7.6, 4.4, 1).fill(0xc89a3a); // the tie
  g.ellipse(-1.6, -4.8, 1.1, 1.5).fill({ color: 0xffffff, alpha: 0.35 });
  g.ellipse(1.6, -2, 1.6, 0.9).fill({ color: 0x000000, alpha: 0.15 });
}

export function drawCoins(g: Pen, amount: number): void {
  const dark = 0xa87818, gold = 0xf0c850, shine = 0xfff0a0;
  const coins = amount >= 20 ? [[-3, -0.9], [0.2, -1.1], [3.2, -0.7], [-1.4, -2.3], [1.7, -2.4], [0.1, -3.7]]
    : amount >= 5 ? [[-2.2, -0.9], [1.8, -0.9], [-0.2, -2.3]]
      : [[0, -1]];
  for (const [x, y] of coins) {
    g.ellipse(x!, y! + 0.5, 2.5, 1.2).fill(dark);
    g.ellipse(x!, y!, 2.5, 1.2).fill(gold);
    g.ellipse(x! - 0.6, y! - 0.2, 0.9, 0.4).fill(shine);
  }
}

export class LootSprite extends EntitySprite {
  readonly kind = "loot" as const;
  private readonly glow = new Graphics();
  private readonly shape = new Graphics();
  private readonly label: Text;
  private readonly pulse: boolean;

  constructor(id: number, name: string, rarity: RarityName | null, gold: number, resolution: number) {
    super(id, name);
    const color = rarity ? RARITY_COLORS[rarity] : 0xf0c850;
    this.glow.ellipse(0, 0, 7, 2.6).fill({ color, alpha: 0.35 });
    if (rarity) drawSack(this.shape, rarity);
    else drawCoins(this.shape, gold);
    this.pulse = rarity === "rare" || rarity === "epic";
    this.body.addChild(this.glow, this.shape);
    this.hitHalfWidth = 7;
    this.hitTop = -12;
    this.hitBottom = 3;
    this.label = new Text({
      text: rarity ? name : `${gold} gold`,
      resolution,
      style: {
        fontFamily: "'Segoe UI', system-ui, sans-serif",
        fontSize: 12,
        fontWeight: "600",
        fill: color,
        stroke: { color: 0x0a0a0f, width: 3, join: "round" },
      },
    });
    this.label.anchor.set(0.5, 1);
    this.overlay.addChild(this.label);
  }

  protected deadChanged(): void {}

  update(px: number, py: number, sx: number, sy: number, zoom: number, _emote: EmoteName, nowMs: number): void {
    this.px = px;
    this.py = py;
    this.sx = sx;
    this.sy = sy;
    this.body.position.set(px, py);
    // under the living, who walk over it
    this.body.zIndex = py - 8;
    if (this.pulse) {
      const k = 0.75 + Math.sin(nowMs * 0.005) * 0.25;
      this.glow.alpha = k;
      this.glow.scale.set(0.9 + k * 0.2);
    }
    this.headY = sy - 12 * zoom;
    this.label.position.set(Math.round(sx), Math.round(this.headY - 2));
    this.textTop = this.headY - 16;
  }
}

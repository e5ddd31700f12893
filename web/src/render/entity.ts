// What every drawn entity shares: a body in the world layer (map pixels, feet at 0, 0), an
// overlay in screen space (name, level, health bar: crisp at any zoom), a hit box for clicks,
// the dead look (lying, greyed), and a short red flash when hit. Subclasses draw the body.
import { Container, Graphics, Text } from "pixi.js";
import type { EquipmentView } from "../items";
import type { Appearance, EmoteName } from "../protocol";
import type { Looks } from "./equipment";

export type SpriteKind = "player" | "creature" | "loot";

const BAR_BG = 0x0c0a08;

/** Name, level badge and health bar above an entity's head, in screen pixels. */
export class Nameplate {
  readonly container = new Container();
  readonly name: Text;
  private readonly level: Text | null;
  private readonly bar = new Graphics();
  private health = -1;
  private max = -1;
  private barShown = true;
  private nameColor: number;

  constructor(name: string, resolution: number, color: number, private readonly barColor: number,
              private readonly barWidth: number, showLevel: boolean, fontSize = 15) {
    this.nameColor = color;
    this.name = new Text({
      text: name,
      resolution,
      style: {
        fontFamily: "Cinzel, Georgia, 'Times New Roman', serif",
        fontSize,
        fontWeight: "700",
        fill: color,
        stroke: { color: 0x0a0a0f, width: 3, join: "round" },
        letterSpacing: 0.5,
      },
    });
    this.name.anchor.set(0.5, 1);
    this.level = showLevel ? new Text({
      text: "",
      resolution,
      style: {
        fontFamily: "'Segoe UI', system-ui, sans-serif",
        fontSize: 10,
        fontWeight: "700",
        fill: 0xf4ead0,
        stroke: { color: 0x0a0a0f, width: 3, join: "round" },
      },
    }) : null;
    this.level?.anchor.set(1, 0.5);
    this.container.addChild(this.bar, this.name);
    if (this.level) this.container.addChild(this.level);
  }

  setHealth(health: number, max: number): void {
    if (health === this.health && max === this.max) return;
    this.health = health;
    this.max = max;
    this.redrawBar();
  }

  setLevel(level: number): void {
    if (!this.level) return;
    const t = level > 0 ? String(level) : "";
    if (this.level.text !== t) this.level.text = t;
  }

  setNameColor(color: number): void {
    if (color === this.nameColor) return;
    this.nameColor = color;
    this.name.style.fill = color;
  }

  /** Hides the bar (the dead, or entities without health). */
  showBar(show: boolean): void {
    this.barShown = show;
    this.bar.visible = show && this.max > 0;
    if (this.level) this.level.visible = show;
  }

  private redrawBar(): void {
    const w = this.barWidth, h = 4;
    const g = this.bar;
    g.clear();
    this.bar.visible = this.barShown && this.max > 0;
    if (this.max <= 0) return;
    const f = Math.max(0, Math.min(1, this.health / this.max));
    g.rect(-w / 2 - 1, -h - 1, w + 2, h + 2).fill({ color: BAR_BG, alpha: 0.85 });
    g.rect(-w / 2, -h, w, h).fill({ color: 0x3a1410, alpha: 0.9 });
    if (f > 0) {
      g.rect(-w / 2, -h, Math.max(1, Math.round(w * f)), h).fill(this.barColor);
      g.rect(-w / 2, -h, Math.max(1, Math.round(w * f)), 1).fill({ color: 0xffffff, alpha: 0.3 });
    }
  }

  /** Places the plate with its bottom at screen y `bottom`, centred on x. Returns its top. */
  place(x: number, bottom: number): number {
    const barVisible = this.bar.visible;
    const barBottom = Math.round(bottom);
    this.bar.position.set(x, barBottom);
    if (this.level) this.level.position.set(x - this.barWidth / 2 - 3, barBottom - 2);
    const nameBottom = barVisible ? barBottom - 6 : barBottom;
    this.name.position.set(x, nameBottom);
    return nameBottom - 16;
  }
}

export abstract class EntitySprite {
  /** Lives in the world layer (map pixels). */
  readonly body = new Container();
  /** Lives in the screen-space overlay. */
  readonly overlay = new Container();
  abstract readonly kind: SpriteKind;
  /** Where it was last drawn: feet in map pixels, and on screen. */
  px = NaN;
  py = NaN;
  sx = NaN;
  sy = NaN;
  /** Screen y of the top of its head as last drawn. */
  headY = NaN;
  /**
   * Screen y of the top of what is drawn over its head (the name plate) as last drawn:
   * floating numbers start there, so they never cover its name or health bar.
   */
  textTop = NaN;
  /** Hit box around the feet, map pixels. */
  hitHalfWidth = 7;
  hitTop = -28;
  hitBottom = 3;
  dead = false;
  private flashFrom = 0;
  private flashUntil = 0;
  private tintNow = 0xffffff;

  constructor(readonly id: number, readonly name: string) {}

  setHealth(_health: number, _max: number): void {}
  setLevel(_level: number): void {}
  /** The viewer's level, for the colour of creature names. */
  setOwnLevel(_level: number): void {}
  setAppearance(_a: Appearance): void {}
  setEquipment(_eq: EquipmentView): void {}
  say(_text: string, _nowMs: number): void {}

  /** What is drawn as worn equipment now (characters only). */
  drawnEquipment(): { kinds: EquipmentView; looks: Looks } | null {
    return null;
  }

  setDead(dead: boolean): void {
    if (dead === this.dead) return;
    this.dead = dead;
    this.deadChanged();
  }

  protected abstract deadChanged(): void;

  /** A short red flash (being hit) from `atMs` on (when the blow lands). */
  flash(atMs: number): void {
    this.flashFrom = atMs;
    this.flashUntil = atMs + 140;
  }

  /** Tint for the current moment: red while flashing, grey when dead. */
  protected applyTint(target: Container, nowMs: number): void {
    const t = nowMs >= this.flashFrom && nowMs < this.flashUntil ? 0xff7a6a : this.dead ? 0x8a8a94 : 0xffffff;
    if (t !== this.tintNow) {
      this.tintNow = t;
      target.tint = t;
    }
  }

  /**
   * Places and animates it: (px, py) its feet in map pixels; (sx, sy) the same point on
   * screen; zoom the map's scale.
   */
  abstract update(px: number, py: number, sx: number, sy: number, zoom: number, emote: EmoteName, nowMs: number, dtMs: number): void;

  destroy(): void {
    this.body.destroy({ children: true });
    this.overlay.destroy({ children: true });
  }
}

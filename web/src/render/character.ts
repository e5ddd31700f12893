// A character drawn as layered vector shapes: shadow, shoes, legs/bottom, torso/top, arms,
// head with skin colour, hair by style and colour, hat; tinted by the outfit's colours so
// clothing is visible. Worn equipment (equipment.ts) replaces the outfit's parts and adds its
// own layers: boots, armour, helms, the weapon in the hand and the shield on the other arm.
// Emotes animate it: wave (arm), dance (bob and sway), sit (lowered); the dead lie greyed.
// Drawn in map pixels (16 per unit) with the feet at (0, 0); the name plate and the chat
// bubble live in a separate screen-space layer so their text stays crisp.
import { Container, Graphics, Text } from "pixi.js";
import { emptyEquipment, sameEquipment, type EquipmentView } from "../items";
import type { Appearance, EmoteName } from "../protocol";
import { defaultAppearance } from "../protocol";
import { shade, type Pen } from "./pen";
import { levelColor } from "../combat";
import {
  drawBodyGear, drawHeadGear, drawMainHand, drawOffHand, equipmentLooks, sleeveColor, wornAppearance, type Looks,
} from "./equipment";
import { EntitySprite, Nameplate } from "./entity";

export { shade, type Pen } from "./pen";

/** Draws the static parts of a character into graphics (no arms: they animate). */
export function drawBody(g: Pen, a: Appearance, sitting: boolean): void {
  const o = a.outfit;
  const skin = a.skinColor;
  const slim = a.body === 1;
  const tw = slim ? 8 : 10; // torso width
  const top = o?.top ?? 0, topColor = o?.topColor ?? 0x3060a0;
  const bottom = o?.bottom ?? 0, bottomColor = o?.bottomColor ?? 0x3a3a48;
  const shoes = o?.shoesColor ?? 0x2a1e14;
  const legTop = -7, legLen = sitting ? 3 : 6;

  // legs and bottom
  if (!(top === 1 && !sitting)) {
    const legColor = bottom === 0 ? bottomColor : skin;
    g.rect(-4, legTop, 3, legLen).fill(legColor);
    g.rect(1, legTop, 3, legLen).fill(legColor);
    if (bottom === 1) {
      // skirt: a flared trapezoid over the thighs
      g.poly([-tw / 2, legTop - 1, tw / 2, legTop - 1, tw / 2 + 2, legTop + 4, -tw / 2 - 2, legTop + 4]).fill(bottomColor);
    } else if (bottom === 2) {
      g.rect(-4.5, legTop - 1, 9, 3).fill(bottomColor);
    } else {
      g.rect(-4.5, legTop - 1, 9, 2).fill(bottomColor);
    }
  }
  // shoes
  const shoeY = legTop + legLen - 1;
  g.rect(-4.5, shoeY, 3.5, 2).fill(shoes);
  g.rect(1, shoeY, 3.5, 2).fill(shoes);

  // torso and top
  const torsoTop = -15, torsoBottom = -6;
  if (top === 1) {
    // robe: long, flared, down to the ankles
    const hem = sitting ? -3 : -1;
    g.poly([-tw / 2, torsoTop, tw / 2, torsoTop, tw / 2 + 2.5, hem, -tw / 2 - 2.5, hem]).fill(topColor);
    g.rect(-0.5, torsoTop + 1, 1, hem - torsoTop - 1).fill(shade(topColor, 0.75));
    g.rect(-tw / 2 - 0.5, torsoBottom - 1, tw + 1, 1.2).fill(shade(topColor, 1.35));
  } else if (top === 2) {
    // vest: bare arms, open front showing a shirt of lighter skin-ish cloth
    g.rect(-tw / 2, torsoTop, tw, torsoBottom - torsoTop).fill(0xe8e0d0);
    g.rect(-tw / 2, torsoTop, tw / 2 - 1, torsoBottom - torsoTop).fill(topColor);
    g.rect(1, torsoTop, tw / 2 - 1, torsoBottom - torsoTop).fill(topColor);
  } else {
    // tunic with a belt
    g.rect(-tw / 2, torsoTop, tw, torsoBottom - torsoTop + 1).fill(topColor);
    g.rect(-tw / 2, torsoBottom - 2, tw, 1.5).fill(shade(topColor, 0.55));
    g.rect(-0.75, torsoBottom - 2, 1.5, 1.5).fill(0xd8b048);
  }
  // shading on the torso's right side
  g.rect(tw / 2 - 1.5, torsoTop, 1.5, torsoBottom - torsoTop).fill({ color: 0x000000, alpha: 0.15 });
}

export function drawHead(g: Pen, a: Appearance): void {
  const skin = a.skinColor;
  const hair = a.hairColor;
  const o = a.outfit;
  const hat = o?.hat ?? 0, hatColor = o?.hatColor ?? 0x7a2020;
  const cy = -19.5;

  // long hair falls behind the head
  if (a.hairStyle === 1 && hat !== 1) g.roundRect(-5.5, cy - 3, 11, 10, 3).fill(shade(hair, 0.85));
  if (a.hairStyle === 3 && hat !== 1) g.circle(0, cy - 6, 2.5).fill(hair); // bun
  if (hat === 1) g.roundRect(-6.5, cy - 6, 13, 13, 5).fill(shade(hatColor, 0.8)); // hood back

  g.rect(-1.5, cy + 3.5, 3, 2).fill(shade(skin, 0.85)); // neck
  g.circle(0, cy, 5).fill(skin);
  // eyes
  g.rect(-2.5, cy + 0.5, 1.2, 1.6).fill(0x1a1418);
  g.rect(1.3, cy + 0.5, 1.2, 1.6).fill(0x1a1418);

  if (hat !== 1) {
    if (a.hairStyle === 2) {
      // spiky
      g.poly([-5.2, cy - 1, -4.5, cy - 7, -2.5, cy - 4, -1, cy - 8, 1, cy - 4.5, 2.5, cy - 7.5, 3.5, cy - 4, 5.2, cy - 6, 5.2, cy - 1]).fill(hair);
    } else {
      // a cap of hair over the top of the head (short, long, bun)
      g.ellipse(0, cy - 2.2, 5.4, 3.6).fill(hair);
      g.rect(-5.4, cy - 2.2, 2, 3).fill(hair);
      g.rect(3.4, cy - 2.2, 2, 3).fill(hair);
    }
    if (a.hairStyle === 1) {
      g.rect(-5.5, cy - 1, 1.8, 7).fill(hair);
      g.rect(3.7, cy - 1, 1.8, 7).fill(hair);
    }
  }
  if (hat === 1) {
    // hood framing the face
    g.poly([-6, cy + 4, -6, cy - 3, -3, cy - 7, 3, cy - 7, 6, cy - 3, 6, cy + 4, 4.5, cy + 4, 4.5, cy - 2, 2, cy - 4.5, -2, cy - 4.5, -4.5, cy - 2, -4.5, cy + 4]).fill(hatColor);
  } else if (hat === 2) {
    // cap with a brim
    g.ellipse(0, cy - 3, 5.6, 3.4).fill(hatColor);
    g.rect(-5.6, cy - 3, 11.2, 1.6).fill(hatColor);
    g.roundRect(-1, cy - 2.2, 8, 1.6, 0.8).fill(shade(hatColor, 0.7));
  }
}

/** An arm hanging down from the shoulder at (ox, oy); `sleeveColor` overrides the outfit's. */
export function drawArm(g: Pen, a: Appearance, ox = 0, oy = 0, sleeveColor?: number): void {
  const o = a.outfit;
  const top = o?.top ?? 0;
  const sleeve = sleeveColor ?? (top === 2 ? a.skinColor : (o?.topColor ?? 0x3060a0));
  g.rect(ox - 1.25, oy, 2.5, 5).fill(shade(sleeve, 0.9));
  g.rect(ox - 1.25, oy + 5, 2.5, 2).fill(a.skinColor);
}

/** A whole standing character (for previews): arms, body, head, feet at (0, 0). */
export function drawFigure(g: Pen, a: Appearance): void {
  drawBody(g, a, false);
  drawArm(g, a, -5.5, -14.5);
  drawArm(g, a, 5.5, -14.5);
  drawHead(g, a);
}

export interface CharacterOptions {
  /** The viewer's own character (gold name). */
  own?: boolean;
  /** A humanoid creature (bandit, ...): name coloured by level, red health bar. */
  creature?: boolean;
  level?: number;
  ownLevel?: number;
}

export class CharacterSprite extends EntitySprite {
  readonly kind: "player" | "creature";
  private readonly figure = new Container();
  private readonly shadow = new Graphics();
  private readonly torso = new Graphics();
  private readonly head = new Graphics();
  private readonly leftArm = new Container();
  private readonly rightArm = new Container();
  private readonly leftArmG = new Graphics();
  private readonly rightArmG = new Graphics();
  private readonly offHand = new Graphics();
  private readonly mainHand = new Graphics();
  private readonly plate: Nameplate;
  private readonly emoteLabel: Text;
  private bubble: Container | null = null;
  private bubbleUntil = 0;
  private appearance: Appearance;
  private equipment: EquipmentView = emptyEquipment();
  private looks: Looks = {};
  private sitting = false;
  private facing = 1;
  private walkPhase = 0;
  private lastX = NaN;
  private lastY = NaN;
  private movingFor = 0;
  private level = 0;

  constructor(id: number, name: string, appearance: Appearance | undefined, private readonly resolution: number,
              private readonly opts: CharacterOptions = {}) {
    super(id, name);
    this.kind = opts.creature ? "creature" : "player";
    this.appearance = appearance ?? defaultAppearance();
    this.shadow.ellipse(0, 0, 6, 2.2).fill({ color: 0x000000, alpha: 0.35 });
    this.body.addChild(this.shadow, this.figure);
    this.leftArm.position.set(-5.5, -14.5);
    this.rightArm.position.set(5.5, -14.5);
    this.leftArm.addChild(this.leftArmG, this.offHand);
    this.rightArm.addChild(this.rightArmG, this.mainHand);
    this.figure.addChild(this.leftArm, this.torso, this.head, this.rightArm);
    this.redraw();

    const color = opts.creature ? levelColor(opts.level ?? 1, opts.ownLevel ?? 1) : opts.own ? 0xffe9a8 : 0xf2f2f2;
    this.plate = new Nameplate(name, resolution, color, opts.creature ? 0xd8402e : 0x46c04e, opts.creature ? 40 : 30, true,
      opts.creature ? 14 : 15);
    this.emoteLabel = new Text({
      text: "",
      resolution,
      style: {
        fontFamily: "Georgia, serif",
        fontStyle: "italic",
        fontSize: 13,
        fill: 0xffd27a,
        stroke: { color: 0x0a0a0f, width: 3, join: "round" },
      },
    });
    this.emoteLabel.anchor.set(0.5, 1);
    this.overlay.addChild(this.plate.container, this.emoteLabel);
    this.setLevel(opts.level ?? 0);
  }

  override setAppearance(a: Appearance): void {
    this.appearance = a;
    this.redraw();
  }

  override setEquipment(eq: EquipmentView): void {
    if (sameEquipment(eq, this.equipment)) return;
    this.equipment = { ...eq };
    this.looks = equipmentLooks(this.equipment);
    this.redraw();
  }

  override drawnEquipment(): { kinds: EquipmentView; looks: Looks } {
    return { kinds: { ...this.equipment }, looks: this.looks };
  }

  override setHealth(health: number, max: number): void {
    this.plate.setHealth(health, max);
  }

  override setLevel(level: number): void {
    this.level = level;
    this.plate.setLevel(level);
  }

  override setOwnLevel(level: number): void {
    if (this.opts.creature) this.plate.setNameColor(levelColor(this.level, level));
  }

  protected deadChanged(): void {
    this.plate.showBar(!this.dead);
    this.plate.name.alpha = this.dead ? 0.6 : 1;
    this.shadow.visible = !this.dead;
    this.hitHalfWidth = this.dead ? 14 : 7;
    this.hitTop = this.dead ? -9 : -28;
  }

  private redraw(): void {
    const worn = wornAppearance(this.appearance, this.looks);
    const sleeve = sleeveColor(this.appearance, this.looks);
    this.torso.clear();
    drawBody(this.torso, worn, this.sitting);
    drawBodyGear(this.torso, this.looks, this.sitting, worn.body === 1);
    this.head.clear();
    drawHead(this.head, worn);
    drawHeadGear(this.head, this.looks);
    this.leftArmG.clear();
    drawArm(this.leftArmG, worn, 0, 0, sleeve);
    this.rightArmG.clear();
    drawArm(this.rightArmG, worn, 0, 0, sleeve);
    this.mainHand.clear();
    if (this.looks.main_hand) drawMainHand(this.mainHand, this.looks.main_hand);
    this.offHand.clear();
    if (this.looks.off_hand) drawOffHand(this.offHand, this.looks.off_hand);
  }

  /** Shows a speech bubble above the head for durationMs. */
  override say(text: string, nowMs: number, durationMs = 5000): void {
    if (this.bubble) this.bubble.destroy({ children: true });
    const t = new Text({
      text,
      resolution: this.resolution,
      style: {
        fontFamily: "'Segoe UI', system-ui, sans-serif",
        fontSize: 13,
        fill: 0x1b1610,
        wordWrap: true,
        wordWrapWidth: 200,
        breakWords: true,
        lineHeight: 16,
      },
    });
    const padX = 8, padY = 5;
    const w = Math.ceil(t.width) + padX * 2, h = Math.ceil(t.height) + padY * 2;
    const bg = new Graphics();
    bg.roundRect(-w / 2, -h - 6, w, h, 7).fill({ color: 0xfbf3df, alpha: 0.96 }).stroke({ color: 0x5a4326, width: 1.5 });
    bg.poly([-5, -7, 5, -7, 0, 0]).fill({ color: 0xfbf3df, alpha: 0.96 });
    bg.moveTo(-5, -6).lineTo(0, 0).lineTo(5, -6).stroke({ color: 0x5a4326, width: 1.5 });
    t.position.set(-w / 2 + padX, -h - 6 + padY);
    const c = new Container();
    c.addChild(bg, t);
    this.bubble = c;
    this.bubbleUntil = nowMs + durationMs;
    this.overlay.addChild(c);
  }

  update(px: number, py: number, sx: number, sy: number, zoom: number, emote: EmoteName, nowMs: number, dtMs: number): void {
    this.px = px;
    this.py = py;
    this.sx = sx;
    this.sy = sy;
    // movement: facing and walk cycle
    const moved = Number.isFinite(this.lastX) ? Math.hypot(px - this.lastX, py - this.lastY) : 0;
    if (Number.isFinite(this.lastX) && Math.abs(px - this.lastX) > 0.01) this.facing = px < this.lastX ? -1 : 1;
    this.lastX = px;
    this.lastY = py;
    this.movingFor = moved > 0.01 ? 120 : Math.max(0, this.movingFor - dtMs);
    const walking = this.movingFor > 0 && !this.dead;
    if (walking) this.walkPhase += dtMs * 0.018;

    const sitting = emote === "sit" && !this.dead;
    if (sitting !== this.sitting) {
      this.sitting = sitting;
      this.redraw();
    }
    let bob = 0, sway = 0, armL = 0, armR = 0;
    if (walking) {
      bob = Math.abs(Math.sin(this.walkPhase)) * -1;
      armL = Math.sin(this.walkPhase) * 0.5;
      armR = -armL;
    }
    if (this.dead) {
      // lying on the ground, head towards where it faced
      emote = "none";
    } else if (emote === "dance") {
      const p = nowMs * 0.012;
      bob = -Math.abs(Math.sin(p)) * 3;
      sway = Math.sin(p * 0.5) * 0.18;
      armL = 2.4 + Math.sin(p) * 0.5;
      armR = -2.4 - Math.sin(p) * 0.5;
    } else if (emote === "wave") {
      armR = -2.6 + Math.sin(nowMs * 0.02) * 0.45;
    } else if (sitting) {
      bob = 4;
      armL = 0.5;
      armR = -0.5;
    }
    this.body.position.set(px, py);
    if (this.dead) {
      this.figure.position.set(-10 * this.facing, -2.5);
      this.figure.rotation = (Math.PI / 2) * this.facing;
    } else {
      this.figure.position.set(0, bob);
      this.figure.rotation = sway;
    }
    this.figure.scale.x = this.facing;
    this.leftArm.rotation = armL;
    this.rightArm.rotation = armR;
    this.body.zIndex = py;
    this.applyTint(this.figure, nowMs);

    // screen-space overlay: name plate, emote caption, bubble
    const headTop = sy + (this.dead ? -10 : -27 + bob) * zoom;
    this.headY = headTop;
    const x = Math.round(sx);
    const plateTop = this.plate.place(x, headTop - 2);
    this.textTop = plateTop;
    const caption = emote === "wave" ? "waves" : emote === "dance" ? "\u266A dances \u266A" : emote === "sit" ? "sits" : "";
    if (this.emoteLabel.text !== caption) this.emoteLabel.text = caption;
    this.emoteLabel.position.set(x, Math.round(plateTop - 1));
    if (this.bubble) {
      const left = this.bubbleUntil - nowMs;
      if (left <= 0) {
        this.bubble.destroy({ children: true });
        this.bubble = null;
      } else {
        this.bubble.alpha = Math.min(1, left / 400);
        this.bubble.position.set(x, Math.round(plateTop - (caption ? 18 : 2)));
      }
    }
  }
}

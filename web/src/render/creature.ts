// Creatures, drawn by kind: four-legged beasts (wolf-like, boar-like; bears and rats as
// bigger or smaller variants), people (bandits and the like, drawn as characters in their
// own clothes and weapons), and a generic slime for any kind the client does not know.
// Each gets a name coloured by its level against yours, a level badge and a red health bar;
// a dead one lies as a greyed corpse (a beast on its back) until it leaves the view.
import { Container, Graphics } from "pixi.js";
import { create } from "@bufbuild/protobuf";
import { levelColor } from "../combat";
import { emptyEquipment, type EquipmentView } from "../items";
import { AppearanceSchema, OutfitSchema, type Appearance, type EmoteName } from "../protocol";
import { CharacterSprite, shade, type Pen } from "./character";
import { EntitySprite, Nameplate } from "./entity";

export type CreatureShape = "wolf" | "boar" | "humanoid" | "slime";

interface BeastLook {
  shape: "wolf" | "boar";
  color: number;
  belly: number;
  scale: number;
}

/** How a creature kind (content id) is drawn. */
export function creatureShape(kind: string): CreatureShape {
  const k = kind.toLowerCase();
  if (/wolf|dog|hound|fox|jackal|coyote|rat|bear/.test(k)) return "wolf";
  if (/boar|pig|hog|swine/.test(k)) return "boar";
  if (/bandit|thief|brigand|outlaw|rogue|cultist|guard|soldier|knight|skeleton|zombie|goblin|orc|pirate|mage|witch/.test(k)) return "humanoid";
  return "slime";
}

function beastLook(kind: string): BeastLook {
  const k = kind.toLowerCase();
  if (/boar|pig|hog|swine/.test(k)) return { shape: "boar", color: 0x6b4a33, belly: 0x8a6a4e, scale: 1 };
  if (/bear/.test(k)) return { shape: "wolf", color: 0x5a3e2a, belly: 0x7a5a40, scale: 1.45 };
  if (/rat/.test(k)) return { shape: "wolf", color: 0x6a5e58, belly: 0x9a8e86, scale: 0.6 };
  if (/fox/.test(k)) return { shape: "wolf", color: 0xc0642a, belly: 0xf0e0d0, scale: 0.85 };
  return { shape: "wolf", color: 0x7c7f88, belly: 0xb8b8bc, scale: 1 };
}

/** Clothes and weapons of the people creatures, by kind. */
export function humanoidLook(kind: string): { appearance: Appearance; equipment: EquipmentView } {
  const k = kind.toLowerCase();
  const skin = /skeleton/.test(k) ? 0xe8e0cc : /zombie/.test(k) ? 0x8aa07a : /goblin|orc/.test(k) ? 0x6a9a4a : 0xc8966e;
  const equipment = emptyEquipment();
  let outfit = { top: 0, topColor: 0x3a3026, bottom: 0, bottomColor: 0x26242a, shoesColor: 0x1a140e, hat: 1, hatColor: 0x7a1e1e };
  if (/bandit|thief|brigand|outlaw|rogue|pirate/.test(k)) {
    equipment.main_hand = "rusty-sword";
    equipment.chest = "leather-vest";
  } else if (/guard|soldier|knight/.test(k)) {
    outfit = { ...outfit, hat: 0 };
    equipment.head = "iron-helm";
    equipment.chest = "iron-mail";
    equipment.main_hand = "iron-sword";
    equipment.off_hand = "iron-shield";
  } else if (/cultist|mage|witch/.test(k)) {
    outfit = { ...outfit, top: 1, topColor: 0x3a1e4a, hatColor: 0x2a1436 };
    equipment.main_hand = "dark-staff";
  } else {
    outfit = { ...outfit, hat: 0, topColor: 0x4a3a2a };
    equipment.main_hand = "club";
  }
  const appearance = create(AppearanceSchema, {
    body: 0, skinColor: skin, hairColor: 0x2a1a10, hairStyle: 0, outfit: create(OutfitSchema, outfit),
  });
  return { appearance, equipment };
}

/** A beast's body without its legs (they are drawn apart, to walk), facing right. */
export function drawBeastBody(g: Pen, look: BeastLook): void {
  const c = look.color, dark = shade(c, 0.7), light = shade(c, 1.25);
  if (look.shape === "wolf") {
    // tail, body, belly, neck ruff, head, snout, ears
    g.poly([-6.5, -8.5, -10, -11.5, -12.5, -10.5, -11, -8.5, -7, -6.5]).fill(dark);
    g.poly([-10, -11.5, -12.5, -10.5, -12, -9.6]).fill(look.belly);
    g.ellipse(0, -7.2, 7.6, 3.6).fill(c);
    g.ellipse(0.5, -5.8, 5.6, 1.7).fill(look.belly);
    g.ellipse(-1, -9.6, 5.5, 1.1).fill(dark);
    g.ellipse(5.8, -9, 2.9, 3.3).fill(light);
    g.circle(8.2, -10.6, 2.9).fill(c);
    g.poly([9.4, -11.6, 13.2, -10.2, 13.2, -9, 9.4, -8.6]).fill(c);
    g.poly([9.6, -9.4, 13, -9, 12.6, -8.4, 9.6, -8.2]).fill(look.belly);
    g.circle(13.1, -9.8, 0.8).fill(0x141014);
    g.poly([6.6, -12.4, 7.3, -15.6, 8.8, -12.9]).fill(dark);
    g.poly([8.6, -13, 9.9, -15.6, 10.6, -12.4]).fill(c);
    g.rect(9.3, -11.6, 1.1, 1).fill(0xffd040); // eye
    g.rect(9.8, -11.6, 0.5, 1).fill(0x141014);
  } else {
    // boar: bristled back, heavy body, big head with a pink snout and tusks
    g.poly([-7, -8, -8.8, -9.4, -8.4, -7.6]).fill(dark); // tail
    g.ellipse(0, -7, 8, 4.8).fill(c);
    g.ellipse(0.5, -4.6, 6, 1.6).fill(look.belly);
    g.poly([-6, -10.5, -4, -12.6, -2.5, -11.2, -0.5, -13.2, 1, -11.4, 3, -13, 4.5, -11, 6, -12, 6.5, -9.5, -6.5, -9.5]).fill(shade(c, 0.55));
    g.ellipse(7.6, -7.6, 3.8, 3.3).fill(c);
    g.roundRect(10.4, -8.8, 2.8, 3, 1).fill(0xc08a78);
    g.circle(11.5, -7.6, 0.35).fill(0x3a2020);
    g.circle(12.4, -7.6, 0.35).fill(0x3a2020);
    g.poly([10.6, -5.8, 11.6, -9.4, 12.2, -9.2, 11.5, -5.6]).fill(0xf4eee0); // tusk
    g.poly([6.2, -10.2, 6.8, -13, 8.4, -10.8]).fill(dark); // ear
    g.rect(8.6, -9.4, 1.1, 1).fill(0x141014); // eye
  }
}

/** Two of a beast's legs: front and back on one side (`pair` 0) or the other (1). */
export function drawBeastLegs(g: Pen, look: BeastLook, pair: 0 | 1): void {
  const c = pair === 0 ? shade(look.color, 0.85) : shade(look.color, 0.7);
  if (look.shape === "wolf") {
    const xs = pair === 0 ? [4.2, -4.8] : [2.6, -3.2];
    for (const x of xs) {
      g.rect(x - 0.8, -6, 1.6, 6).fill(c);
      g.rect(x - 0.9, -0.8, 2.2, 0.9).fill(shade(c, 0.7));
    }
  } else {
    const xs = pair === 0 ? [4.5, -5] : [2.8, -3.2];
    for (const x of xs) {
      g.rect(x - 1.1, -4.5, 2.2, 4.5).fill(c);
      g.rect(x - 1.1, -0.9, 2.2, 0.9).fill(0x2a1e16);
    }
  }
}

function slimeColor(kind: string): number {
  let h = 0;
  for (let i = 0; i < kind.length; i++) h = (h * 31 + kind.charCodeAt(i)) >>> 0;
  const palette = [0x5ac84a, 0x4a9ae0, 0xc04ac0, 0xe0a03a, 0x4ac8b8, 0xd0504a];
  return palette[h % palette.length]!;
}

/** A generic creature: a slime with eyes. */
export function drawSlime(g: Pen, color: number): void {
  g.ellipse(0, -4.5, 7, 5).fill(shade(color, 0.7));
  g.ellipse(0, -5, 6.4, 4.8).fill(color);
  g.ellipse(-2.2, -7.4, 2, 1.3).fill({ color: 0xffffff, alpha: 0.45 });
  g.circle(-1.8, -5.2, 1.3).fill(0xffffff);
  g.circle(2.2, -5.2, 1.3).fill(0xffffff);
  g.circle(-1.5, -5, 0.7).fill(0x141014);
  g.circle(2.5, -5, 0.7).fill(0x141014);
}

/** A four-legged beast or a slime. */
export class BeastSprite extends EntitySprite {
  readonly kind = "creature" as const;
  private readonly figure = new Container();
  private readonly shadow = new Graphics();
  private readonly torso = new Graphics();
  private readonly legsA = new Graphics();
  private readonly legsB = new Graphics();
  private readonly plate: Nameplate;
  private readonly beast: BeastLook | null;
  private facing = 1;
  private walkPhase = 0;
  private lastX = NaN;
  private lastY = NaN;
  private movingFor = 0;
  private level = 0;
  private readonly height: number;

  constructor(id: number, name: string, creature: string, level: number, ownLevel: number, resolution: number) {
    super(id, name);
    const shape = creatureShape(creature);
    this.beast = shape === "slime" ? null : beastLook(creature);
    const scale = this.beast?.scale ?? 1;
    this.shadow.ellipse(0, 0, this.beast ? 8 : 6.5, 2.4).fill({ color: 0x000000, alpha: 0.35 });
    this.body.addChild(this.shadow, this.figure);
    if (this.beast) {
      drawBeastLegs(this.legsB, this.beast, 1);
      drawBeastBody(this.torso, this.beast);
      drawBeastLegs(this.legsA, this.beast, 0);
      this.figure.addChild(this.legsB, this.torso, this.legsA);
    } else {
      drawSlime(this.torso, slimeColor(creature));
      this.figure.addChild(this.torso);
    }
    this.figure.scale.set(scale);
    this.height = (this.beast ? 16 : 10) * scale;
    this.hitHalfWidth = (this.beast ? 12 : 7.5) * scale;
    this.hitTop = -this.height - 2;
    this.level = level;
    this.plate = new Nameplate(name, resolution, levelColor(level, ownLevel), 0xd8402e, 40, true, 14);
    this.plate.setLevel(level);
    this.overlay.addChild(this.plate.container);
  }

  override setHealth(health: number, max: number): void {
    this.plate.setHealth(health, max);
  }

  override setLevel(level: number): void {
    this.level = level;
    this.plate.setLevel(level);
  }

  override setOwnLevel(level: number): void {
    this.plate.setNameColor(levelColor(this.level, level));
  }

  protected deadChanged(): void {
    this.plate.showBar(!this.dead);
    this.plate.name.alpha = this.dead ? 0.6 : 1;
    this.shadow.scale.set(this.dead ? 1.1 : 1);
  }

  update(px: number, py: number, sx: number, sy: number, zoom: number, _emote: EmoteName, nowMs: number, dtMs: number): void {
    this.px = px;
    this.py = py;
    this.sx = sx;
    this.sy = sy;
    const moved = Number.isFinite(this.lastX) ? Math.hypot(px - this.lastX, py - this.lastY) : 0;
    if (Number.isFinite(this.lastX) && Math.abs(px - this.lastX) > 0.01) this.facing = px < this.lastX ? -1 : 1;
    this.lastX = px;
    this.lastY = py;
    this.movingFor = moved > 0.01 ? 120 : Math.max(0, this.movingFor - dtMs);
    const walking = this.movingFor > 0 && !this.dead;
    if (walking) this.walkPhase += dtMs * 0.022;
    const scale = this.beast?.scale ?? 1;
    this.body.position.set(px, py);
    this.body.zIndex = py;
    if (this.dead) {
      // on its back, legs up; a slime flattens
      if (this.beast) {
        this.figure.scale.set(this.facing * scale, -scale);
        this.figure.position.set(0, -9 * scale);
      } else {
        this.figure.scale.set(scale * 1.3, scale * 0.45);
        this.figure.position.set(0, 0);
      }
      this.legsA.x = this.legsB.x = 0;
    } else if (this.beast) {
      const s = walking ? Math.sin(this.walkPhase) : 0;
      this.legsA.x = s * 1.3;
      this.legsB.x = -s * 1.3;
      this.figure.scale.set(this.facing * scale, scale);
      this.figure.position.set(0, walking ? -Math.abs(s) * 0.8 : 0);
    } else {
      // a slime squashes and stretches, faster when it moves
      const p = nowMs * (walking ? 0.014 : 0.005);
      const k = Math.sin(p) * (walking ? 0.12 : 0.05);
      this.figure.scale.set(this.facing * scale * (1 + k), scale * (1 - k));
      this.figure.position.set(0, 0);
    }
    this.applyTint(this.figure, nowMs);
    const headTop = sy + (this.dead ? -8 : -this.height - 3) * zoom;
    this.headY = headTop;
    this.textTop = this.plate.place(Math.round(sx), headTop);
  }
}

/** The sprite for a creature of this kind. */
export function creatureSprite(id: number, name: string, creature: string, level: number, ownLevel: number,
                               resolution: number): EntitySprite {
  if (creatureShape(creature) === "humanoid") {
    const look = humanoidLook(creature);
    const s = new CharacterSprite(id, name, look.appearance, resolution, { creature: true, level, ownLevel });
    s.setEquipment(look.equipment);
    return s;
  }
  return new BeastSprite(id, name, creature, level, ownLevel, resolution);
}

// What a worn item looks like on a character, from its kind (a content id such as
// "leather-cap" or "hunting-bow"): a shape by keyword per slot (cap or hood, robe or vest,
// sword, staff or bow, shield, ...) and a colour by material (leather, wool, oak, iron, ...).
// Unknown kinds get the slot's generic shape in a colour derived from the kind, so every
// item shows and looks the same for everyone. Drawn in the same map-pixel coordinates as
// character.ts, feet at (0, 0); hand-held items in the arm's own coordinates.
import { create } from "@bufbuild/protobuf";
import { SLOT_NAMES, type EquipmentView, type SlotName } from "../items";
import { AppearanceSchema, OutfitSchema, type Appearance } from "../protocol";
import { shade, type Pen } from "./pen";

export interface EquipLook {
  kind: string;
  /** The drawn shape, e.g. "cap", "robe", "sword", or "generic". */
  shape: string;
  color: number;
}

export type Looks = Partial<Record<SlotName, EquipLook>>;

const SHAPES: Record<SlotName, [RegExp, string][]> = {
  head: [[/hood|cowl/, "hood"], [/cap|hat|beret|bandana/, "cap"], [/helm|coif|casque/, "helm"], [/crown|circlet|tiara/, "crown"]],
  chest: [[/robe|gown|vestment|cassock/, "robe"], [/vest|jerkin/, "vest"],
    [/mail|plate|cuirass|breastplate|hauberk|armou?r/, "plate"], [/tunic|shirt|doublet/, "tunic"]],
  legs: [[/skirt|kilt/, "skirt"], [/shorts/, "shorts"], [/trousers|pants|leggings|breeches|greaves|chausses/, "trousers"]],
  feet: [[/boot/, "boots"], [/shoe|sandal|slipper/, "shoes"]],
  main_hand: [[/dagger|knife|dirk/, "dagger"], [/sword|blade|sabre|saber|cutlass/, "sword"], [/staff|stave|wand|rod|sceptre|scepter/, "staff"],
    [/bow/, "bow"], [/axe|hatchet/, "axe"], [/mace|club|hammer|cudgel/, "mace"], [/spear|lance|pike|trident/, "spear"]],
  off_hand: [[/shield|buckler/, "shield"], [/tome|book|grimoire/, "tome"], [/orb|lantern|torch/, "orb"]],
};

const MATERIALS: [RegExp, number][] = [
  [/rust/, 0x9c6244],
  [/gold/, 0xe0b84a],
  [/silver|mithril/, 0xd8dde6],
  [/iron|steel|chain|plate|mail|metal/, 0xa9b1ba],
  [/bronze|copper/, 0xb87a3a],
  [/oak|wood|ash|yew|elm/, 0x8a5a2c],
  [/hunting/, 0x7a5230],
  [/leather|hide/, 0x7b4a26],
  [/wool/, 0x8c7f6e],
  [/linen|cotton/, 0xdcd2b6],
  [/silk|velvet/, 0xb0405e],
  [/bone|ivory/, 0xe6dcc0],
  [/fur|pelt/, 0x8a7060],
  [/crimson|red|blood/, 0xa02a2a],
  [/azure|blue|sapphire/, 0x2f55b0],
  [/emerald|green|forest/, 0x3a7a34],
  [/shadow|dark|black|night/, 0x2c2834],
  [/white|snow|holy/, 0xeeeae0],
];

/** A stable colour for a kind no material keyword matches. */
function kindColor(kind: string): number {
  let h = 2166136261;
  for (let i = 0; i < kind.length; i++) h = Math.imul(h ^ kind.charCodeAt(i), 16777619);
  const palette = [0x7a4a8a, 0x3a6a8a, 0x8a6a3a, 0x4a7a5a, 0x8a3a3a, 0x5a5a7a, 0x6a7a3a, 0x8a5a6a];
  return palette[(h >>> 0) % palette.length]!;
}

/** The look of one worn item, or null when nothing is worn there (""). */
export function lookOf(slot: SlotName, kind: string): EquipLook | null {
  if (!kind) return null;
  const k = kind.toLowerCase();
  let shape = "generic";
  for (const [re, s] of SHAPES[slot]) {
    if (re.test(k)) {
      shape = s;
      break;
    }
  }
  let color = -1;
  for (const [re, c] of MATERIALS) {
    if (re.test(k)) {
      color = c;
      break;
    }
  }
  if (color < 0) color = kindColor(k);
  return { kind, shape, color };
}

export function equipmentLooks(eq: EquipmentView): Looks {
  const looks: Looks = {};
  for (const s of SLOT_NAMES) {
    const l = lookOf(s, eq[s]);
    if (l) looks[s] = l;
  }
  return looks;
}

/**
 * The appearance with worn clothing in place of the chosen outfit's parts: a worn hood or cap
 * is the hat, a worn robe or vest the top, worn trousers the bottom, boots the shoes. The
 * appearance's other parts (body, skin, hair) stay.
 */
export function wornAppearance(a: Appearance, looks: Looks): Appearance {
  const o = a.outfit;
  const outfit = create(OutfitSchema, {
    top: o?.top ?? 0,
    topColor: o?.topColor ?? 0x3060a0,
    bottom: o?.bottom ?? 0,
    bottomColor: o?.bottomColor ?? 0x3a3a48,
    shoesColor: o?.shoesColor ?? 0x2a1e14,
    hat: o?.hat ?? 0,
    hatColor: o?.hatColor ?? 0x7a2020,
  });
  const head = looks.head;
  if (head) {
    // helms and crowns are drawn over the head by drawHeadGear; the hat goes
    outfit.hat = head.shape === "hood" ? 1 : head.shape === "cap" ? 2 : 0;
    outfit.hatColor = head.color;
  }
  const chest = looks.chest;
  if (chest) {
    outfit.top = chest.shape === "robe" ? 1 : chest.shape === "vest" ? 2 : 0;
    outfit.topColor = chest.color;
  }
  const legs = looks.legs;
  if (legs) {
    outfit.bottom = legs.shape === "skirt" ? 1 : legs.shape === "shorts" ? 2 : 0;
    outfit.bottomColor = legs.color;
  }
  if (looks.feet) outfit.shoesColor = looks.feet.color;
  return create(AppearanceSchema, { body: a.body, skinColor: a.skinColor, hairColor: a.hairColor, hairStyle: a.hairStyle, outfit });
}

/**
 * Worn details over the body drawn by drawBody(wornAppearance): boot shafts, armour plates,
 * trouser seams and knee patches, the generic chest strap.
 */
export function drawBodyGear(g: Pen, looks: Looks, sitting: boolean, slim: boolean): void {
  const tw = slim ? 8 : 10;
  const legTop = -7, legLen = sitting ? 3 : 6;
  const robe = looks.chest?.shape === "robe";
  const legs = looks.legs;
  if (legs && !robe && !sitting) {
    // seams, and patches on generic legwear
    g.rect(-2.6, legTop + 1, 0.6, legLen - 2).fill(shade(legs.color, 0.7));
    g.rect(2.0, legTop + 1, 0.6, legLen - 2).fill(shade(legs.color, 0.7));
    if (legs.shape === "generic" || legs.shape === "trousers") {
      g.rect(-4, legTop + 2.5, 3, 1).fill(shade(legs.color, 1.25));
      g.rect(1, legTop + 2.5, 3, 1).fill(shade(legs.color, 1.25));
    }
  }
  const feet = looks.feet;
  if (feet) {
    const shoeY = legTop + legLen - 1;
    if (feet.shape === "boots" || feet.shape === "generic") {
      // shafts up the shins with a turned-over cuff
      const h = feet.shape === "boots" ? (sitting ? 2.5 : 3.5) : 2;
      g.rect(-4.4, shoeY - h, 3.4, h).fill(feet.color);
      g.rect(1, shoeY - h, 3.4, h).fill(feet.color);
      g.rect(-4.6, shoeY - h, 3.8, 1).fill(shade(feet.color, 1.3));
      g.rect(0.8, shoeY - h, 3.8, 1).fill(shade(feet.color, 1.3));
    }
    g.rect(-5, shoeY + 1.2, 4.2, 0.8).fill(shade(feet.color, 0.55)); // soles
    g.rect(0.8, shoeY + 1.2, 4.2, 0.8).fill(shade(feet.color, 0.55));
  }
  const chest = looks.chest;
  if (chest) {
    const torsoTop = -15, torsoBottom = -6;
    if (chest.shape === "plate") {
      // breastplate with a ridge, a fauld and pauldrons
      g.roundRect(-tw / 2 - 0.3, torsoTop, tw + 0.6, 6, 1.5).fill(shade(chest.color, 1.1));
      g.rect(-0.4, torsoTop + 0.5, 0.8, 5).fill(shade(chest.color, 1.4));
      g.rect(-tw / 2, torsoBottom - 3, tw, 2.5).fill(shade(chest.color, 0.8));
      g.ellipse(-tw / 2 - 0.5, torsoTop + 1, 2.4, 1.7).fill(shade(chest.color, 1.2));
      g.ellipse(tw / 2 + 0.5, torsoTop + 1, 2.4, 1.7).fill(shade(chest.color, 1.2));
    } else if (chest.shape === "vest") {
      // laces down the open front
      for (let y = torsoTop + 1.5; y < torsoBottom - 1; y += 2) g.rect(-1.2, y, 2.4, 0.5).fill(shade(chest.color, 0.6));
    } else if (chest.shape === "generic") {
      // a strap across the chest
      g.poly([-tw / 2, torsoTop + 1, -tw / 2 + 1.6, torsoTop, tw / 2, torsoBottom - 2, tw / 2 - 1.6, torsoBottom - 1]).fill(shade(chest.color, 0.6));
    } else if (chest.shape === "robe") {
      // a hem trim
      const hem = sitting ? -3 : -1;
      g.poly([-tw / 2 - 2.5, hem - 1, tw / 2 + 2.5, hem - 1, tw / 2 + 2.5, hem, -tw / 2 - 2.5, hem]).fill(shade(chest.color, 0.7));
    }
  }
}

/** Worn head gear drawn over drawHead(wornAppearance): helms, crowns, the generic skullcap. */
export function drawHeadGear(g: Pen, looks: Looks): void {
  const head = looks.head;
  if (!head) return;
  const cy = -19.5;
  const c = head.color;
  switch (head.shape) {
    case "helm":
      g.ellipse(0, cy - 1.8, 5.9, 4.6).fill(c);
      g.rect(-5.9, cy - 1.8, 11.8, 2.2).fill(c);
      g.rect(-6.2, cy + 0.2, 12.4, 1.2).fill(shade(c, 0.75)); // rim
      g.rect(-0.6, cy - 1, 1.2, 4.2).fill(shade(c, 0.85)); // nose guard
      g.ellipse(-2, cy - 4, 1.6, 0.9).fill(shade(c, 1.35)); // shine
      break;
    case "crown":
      g.poly([-4.6, cy - 3, -4.6, cy - 7, -2.8, cy - 5, -1.2, cy - 8, 0, cy - 5.4, 1.2, cy - 8, 2.8, cy - 5, 4.6, cy - 7, 4.6, cy - 3]).fill(c);
      g.circle(0, cy - 4.2, 0.9).fill(0xd03040);
      break;
    case "cap":
      g.rect(-5.2, cy - 2.3, 10.4, 0.6).fill(shade(c, 1.3)); // stitched band
      break;
    case "hood":
      g.poly([-1, cy - 7, 1, cy - 7, 0, cy - 9]).fill(c); // the hood's point
      break;
    default:
      // a skullcap with a band
      g.ellipse(0, cy - 2.5, 5.5, 3.6).fill(c);
      g.rect(-5.5, cy - 1.2, 11, 1.3).fill(shade(c, 0.7));
      break;
  }
}

/** Sleeves of worn chest gear (else the outfit's), for drawArm. */
export function sleeveColor(a: Appearance, looks: Looks): number {
  const chest = looks.chest;
  if (chest) return chest.shape === "vest" ? a.skinColor : chest.color;
  const o = a.outfit;
  return (o?.top ?? 0) === 2 ? a.skinColor : (o?.topColor ?? 0x3060a0);
}

/** A thick polyline as one polygon: one side of the line forwards, the other back. */
function band(g: Pen, pts: number[], width: number, color: number): void {
  const n = pts.length / 2;
  const side = (i: number, sign: number, out: number[]) => {
    const j = Math.min(n - 1, i + 1), k = Math.max(0, i - 1);
    let dx = pts[j * 2]! - pts[k * 2]!, dy = pts[j * 2 + 1]! - pts[k * 2 + 1]!;
    const len = Math.hypot(dx, dy) || 1;
    dx /= len;
    dy /= len;
    out.push(pts[i * 2]! - sign * dy * width / 2, pts[i * 2 + 1]! + sign * dx * width / 2);
  };
  const poly: number[] = [];
  for (let i = 0; i < n; i++) side(i, 1, poly);
  for (let i = n - 1; i >= 0; i--) side(i, -1, poly);
  g.poly(poly).fill(color);
}

/** The weapon in the main hand, in the arm's coordinates (shoulder at 0, 0; hand near 0, 6). */
export function drawMainHand(g: Pen, look: EquipLook): void {
  const c = look.color;
  const wood = 0x6a4424;
  switch (look.shape) {
    case "sword":
    case "dagger": {
      const len = look.shape === "dagger" ? 5 : 10;
      const metal = c === 0x8a5a2c || c === 0x7b4a26 ? 0xb8c0c8 : c;
      // blade pointing up and forward from the fist
      band(g, [1.2, 5.2, 1.2 + len * 0.45, 5.2 - len], 1.8, metal);
      band(g, [1.4, 5.2, 1.4 + len * 0.45, 5.2 - len], 0.5, shade(metal, 1.35));
      g.poly([-0.9, 5.6, 3.3, 4.4, 3.5, 5.2, -0.7, 6.4]).fill(0x8a6a2a); // crossguard
      g.rect(-0.4, 6, 1.4, 2.2).fill(wood); // grip
      g.circle(0.3, 8.6, 0.8).fill(0xc8a040); // pommel
      break;
    }
    case "staff": {
      g.rect(0.4, -10, 1.5, 21).fill(c === 0xa9b1ba ? wood : c);
      g.rect(0.4, -10, 0.5, 21).fill(shade(c === 0xa9b1ba ? wood : c, 1.3));
      g.circle(1.15, -11.5, 2.2).fill(0x5ab8ff);
      g.circle(0.6, -12.1, 0.8).fill(0xe0f6ff);
      break;
    }
    case "bow": {
      // a D-shaped bow held upright in front, with its string
      const pts: number[] = [];
      for (let i = 0; i <= 8; i++) {
        const a = -Math.PI / 2 + (Math.PI * i) / 8;
        pts.push(2 + Math.cos(a) * 3.2, 5.5 + Math.sin(a) * 9);
      }
      band(g, pts, 1.4, c);
      g.rect(1.8, -3.5, 0.4, 18).fill(0xeeeae0);
      break;
    }
    case "axe": {
      g.rect(0.2, -4, 1.3, 13).fill(wood);
      g.poly([1.4, -4, 5.5, -6, 5.5, 0.5, 1.4, -1.5]).fill(c === 0x8a5a2c ? 0xa9b1ba : c);
      break;
    }
    case "mace": {
      g.rect(0.2, -2, 1.3, 11).fill(wood);
      g.circle(0.85, -3, 2.4).fill(c === 0x8a5a2c ? 0x7a7f88 : c);
      g.rect(-1.9, -3.4, 5.5, 0.8).fill(shade(c, 0.7));
      break;
    }
    case "spear": {
      g.rect(0.3, -12, 1.1, 23).fill(wood);
      g.poly([0.85, -16, 2.3, -12, -0.6, -12]).fill(c === 0x8a5a2c ? 0xb8c0c8 : c);
      break;
    }
    default:
      // a plain cudgel
      band(g, [0.8, 6.5, 3, -2], 2, c);
      g.circle(3, -2, 1.6).fill(shade(c, 0.85));
      break;
  }
}

/** The thing in the off hand, in the arm's coordinates. */
export function drawOffHand(g: Pen, look: EquipLook): void {
  const c = look.color;
  switch (look.shape) {
    case "shield": {
      const wooden = c === 0x8a5a2c;
      g.circle(-0.5, 5, 4.6).fill(shade(c, 0.7));
      g.circle(-0.5, 5, 3.9).fill(c);
      if (wooden) {
        g.rect(-4.2, 3.6, 7.4, 0.5).fill(shade(c, 0.75)); // planks
        g.rect(-4.2, 6.2, 7.4, 0.5).fill(shade(c, 0.75));
      }
      g.circle(-0.5, 5, 1.3).fill(0xb8c0c8); // boss
      break;
    }
    case "tome":
      // a closed book held at the side: cover, page edges, a clasp
      g.roundRect(-3.2, 3.6, 5.2, 6.6, 0.6).fill(c);
      g.rect(1.3, 4.1, 0.7, 5.6).fill(0xeee6d0);
      g.rect(-3.2, 3.6, 1, 6.6).fill(shade(c, 0.65));
      g.rect(-1.6, 5.8, 2.2, 1.6).fill(0xd8b048);
      break;
    case "orb":
      g.circle(-0.5, 6.5, 2.6).fill(c);
      g.circle(-1.3, 5.7, 0.9).fill(shade(c, 1.6));
      break;
    default:
      // a small buckler-like guard
      g.roundRect(-3.2, 3, 5.4, 6.5, 1.5).fill(c);
      g.rect(-0.9, 4, 1, 4.5).fill(shade(c, 1.35));
      break;
  }
}

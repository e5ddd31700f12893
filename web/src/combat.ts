// What combat looks like, as data: the floating text for a hit, a level-up, a pickup; how an
// attack is drawn (a swing next to the attacker or a projectile to the target); the ability
// cooldown. Pure, so it is tested without a renderer; render/fx.ts draws it.
import type { Action } from "./world";

export type FloatStyle = "damage" | "damageTaken" | "heal" | "miss" | "levelUp" | "pickup" | "death";

export interface FloatingText {
  text: string;
  style: FloatStyle;
  /** 0xRRGGBB */
  color: number;
  /** Font size, screen px. */
  size: number;
  /** How long it shows, ms. */
  lifeMs: number;
  /** How far it rises over its life, screen px. */
  rise: number;
}

export const FLOAT_COLORS: Record<FloatStyle, number> = {
  damage: 0xff4a3a,
  damageTaken: 0xff2a2a,
  heal: 0x4ee05a,
  miss: 0xc8c8c8,
  levelUp: 0xffd34a,
  pickup: 0xffe08a,
  death: 0xd0d0d0,
};

function float(text: string, style: FloatStyle, size: number, lifeMs: number, rise: number): FloatingText {
  return { text, style, color: FLOAT_COLORS[style], size, lifeMs, rise };
}

/**
 * The number that floats up from a hit: red damage (brighter and larger when it is the own
 * character that was hit or that hit), green "+n" for healing, grey "0" for nothing.
 */
export function hitText(amount: number, onSelf: boolean, bySelf: boolean): FloatingText {
  if (amount > 0) {
    return float(String(amount), onSelf ? "damageTaken" : "damage", onSelf || bySelf ? 22 : 17, 1100, 46);
  }
  if (amount < 0) return float("+" + String(-amount), "heal", onSelf || bySelf ? 21 : 17, 1200, 42);
  return float("0", "miss", 15, 900, 34);
}

/** The floating text an action shows above its entity, or null for those drawn otherwise. */
export function actionText(a: Action, selfId: number): FloatingText | null {
  switch (a.type) {
    case "hit": {
      return hitText(a.amount, a.id === selfId, a.source === selfId && a.source !== 0);
    }
    case "levelUp":
      return float(`Level ${a.level}!`, "levelUp", 26, 2600, 60);
    case "pickedUp":
      return float(`+ ${a.what}`, "pickup", 15, 2200, 40);
    default:
      return null;
  }
}

export type AttackLook = "swing" | "bolt" | "arrow" | "heal";

/** Attacks over this distance (units) fly to the target; shorter ones are a swing. */
export const MELEE_DISTANCE = 2.2;

/**
 * How an attack is drawn, from the ability's name and the distance: heals are a green stream,
 * arrows a shaft, spells a glowing bolt, anything close a swing.
 */
export function attackLook(ability: string, distance: number): AttackLook {
  const a = ability.toLowerCase();
  if (/heal|mend|cure|restor|renew|bless/.test(a)) return "heal";
  if (distance <= MELEE_DISTANCE) return "swing";
  if (/arrow|shot|shoot|bow|volley/.test(a)) return "arrow";
  return "bolt";
}

/** The colour of a bolt or swing by the ability's name (fire orange, frost blue, ...). */
export function attackColor(ability: string): number {
  const a = ability.toLowerCase();
  if (/fire|flame|burn|ember/.test(a)) return 0xff8a2a;
  if (/frost|ice|cold/.test(a)) return 0x8ad8ff;
  if (/heal|mend|cure|restor|renew|bless/.test(a)) return 0x6aff7a;
  if (/shadow|curse|dark/.test(a)) return 0xa060ff;
  if (/bite|claw|gore|tusk/.test(a)) return 0xffd0c0;
  return 0xf4f0e0;
}

/**
 * The class ability's cooldown as the client shows it: started when the server shows the own
 * attack (it accepted the use), so the sweep never ends before the server's.
 */
export class Cooldown {
  private start = 0;
  private end = 0;

  begin(nowMs: number, durationMs: number): void {
    this.start = nowMs;
    this.end = nowMs + Math.max(0, durationMs);
  }

  reset(): void {
    this.start = this.end = 0;
  }

  remaining(nowMs: number): number {
    return Math.max(0, this.end - nowMs);
  }

  /** Share of the cooldown still to run: 1 just used, 0 ready. */
  fraction(nowMs: number): number {
    const total = this.end - this.start;
    if (total <= 0) return 0;
    return Math.min(1, Math.max(0, (this.end - nowMs) / total));
  }

  ready(nowMs: number): boolean {
    return nowMs >= this.end;
  }
}

/** Name colour of a creature by its level against yours: grey trivial ... red dangerous. */
export function levelColor(level: number, own: number): number {
  const d = level - own;
  if (d >= 3) return 0xff4a3a;
  if (d >= 1) return 0xff9a3a;
  if (d >= -1) return 0xffe14a;
  if (d >= -4) return 0x5ad45a;
  return 0x9a9a9a;
}

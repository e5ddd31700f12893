// Combat effects: floating numbers and captions (screen space, crisp) and attack effects in
// the world (a swing beside the attacker, a bolt, arrow or healing light flying to the
// target, a burst where it lands, a golden ring and beam for a level-up, a puff at a death).
// Everything comes from fixed pools made once: an effect only moves, turns and fades its
// objects each frame; shapes are drawn when an effect starts, never per frame.
import { Container, Graphics, Text } from "pixi.js";
import { attackColor, attackLook, type AttackLook, type FloatingText } from "../combat";
import type { EntitySprite } from "./entity";

const FLOATERS = 40;
const EFFECTS = 32;
/** Height of a body's middle above the feet, map pixels (where attacks fly from and to). */
const CHEST = 9;

interface Floater {
  text: Text;
  active: boolean;
  start: number;
  life: number;
  rise: number;
  /** Map pixels where it started. */
  wx: number;
  wy: number;
}

type EffectType = AttackLook | "burst" | "levelUp" | "puff";

interface Effect {
  g: Graphics;
  active: boolean;
  type: EffectType;
  start: number;
  life: number;
  from: number;
  to: number;
  fx: number;
  fy: number;
  tx: number;
  ty: number;
  color: number;
}

function easeOut(t: number): number {
  return 1 - (1 - t) * (1 - t);
}

export class Fx {
  /** Map pixels: goes into the zoomed world layer above the actors. */
  readonly world = new Container();
  /** Screen pixels: goes above the name plates. */
  readonly overlay = new Container();
  private readonly floaters: Floater[] = [];
  private readonly effects: Effect[] = [];
  private oy = 0;
  private zoom = 3;

  constructor(resolution: number, private readonly spriteOf: (id: number) => EntitySprite | undefined) {
    for (let i = 0; i < FLOATERS; i++) {
      const text = new Text({
        text: "",
        resolution,
        style: {
          fontFamily: "Georgia, 'Times New Roman', serif",
          fontSize: 17,
          fontWeight: "800",
          fill: 0xffffff,
          stroke: { color: 0x140a06, width: 4, join: "round" },
        },
      });
      text.anchor.set(0.5, 1);
      text.visible = false;
      this.overlay.addChild(text);
      this.floaters.push({ text, active: false, start: 0, life: 0, rise: 0, wx: 0, wy: 0 });
    }
    for (let i = 0; i < EFFECTS; i++) {
      const g = new Graphics();
      g.visible = false;
      this.world.addChild(g);
      this.effects.push({ g, active: false, type: "burst", start: 0, life: 0, from: 0, to: 0, fx: 0, fy: 0, tx: 0, ty: 0, color: 0 });
    }
  }

  /** How many effects and floating texts are showing (for tests and the curious). */
  get activeCount(): number {
    let n = 0;
    for (const f of this.floaters) if (f.active) n++;
    for (const e of this.effects) if (e.active) n++;
    return n;
  }

  private freeFloater(): Floater {
    let oldest = this.floaters[0]!;
    for (const f of this.floaters) {
      if (!f.active) return f;
      if (f.start < oldest.start) oldest = f;
    }
    return oldest;
  }

  private freeEffect(): Effect {
    let oldest = this.effects[0]!;
    for (const e of this.effects) {
      if (!e.active) return e;
      if (e.start < oldest.start) oldest = e;
    }
    return oldest;
  }

  /** Floating text above entity `id`, starting after delayMs. */
  float(id: number, spec: FloatingText, nowMs: number, delayMs = 0): void {
    const s = this.spriteOf(id);
    if (!s || !Number.isFinite(s.px)) return;
    const f = this.freeFloater();
    f.active = true;
    f.start = nowMs + delayMs;
    f.life = spec.lifeMs;
    f.rise = spec.rise;
    // a little sideways scatter so numbers in a row do not cover each other
    f.wx = s.px + ((nowMs * 7) % 9) - 4;
    const top = Number.isFinite(s.textTop) ? s.textTop : s.headY;
    f.wy = Number.isFinite(top) ? (top - this.oy) / this.zoom : s.py - 28;
    if (f.text.text !== spec.text) f.text.text = spec.text;
    const st = f.text.style;
    if (st.fill !== spec.color) st.fill = spec.color;
    if (st.fontSize !== spec.size) st.fontSize = spec.size;
    f.text.visible = false;
  }

  /**
   * An attack from `from` to `to`: returns how long (ms) until it reaches the target (0 for a
   * swing), so the hit's number can wait for it.
   */
  attack(from: number, to: number, ability: string, nowMs: number): number {
    const a = this.spriteOf(from), b = this.spriteOf(to);
    if (!a || !Number.isFinite(a.px)) return 0;
    const tx = b && Number.isFinite(b.px) ? b.px : a.px + 16, ty = b && Number.isFinite(b.py) ? b.py : a.py;
    const dist = Math.hypot(tx - a.px, ty - a.py) / 16;
    const look = from === to ? "heal" : attackLook(ability, dist);
    const e = this.freeEffect();
    e.active = true;
    e.type = look;
    e.start = nowMs;
    e.from = from;
    e.to = to;
    e.fx = a.px;
    e.fy = a.py - CHEST;
    e.tx = tx;
    e.ty = ty - CHEST;
    e.color = attackColor(ability);
    const g = e.g;
    g.clear();
    g.alpha = 1;
    g.scale.set(1);
    g.rotation = 0;
    switch (look) {
      case "swing": {
        e.life = 240;
        // a crescent: outer arc out, inner arc back
        const pts: number[] = [];
        for (let i = 0; i <= 10; i++) {
          const t = -1 + (2 * i) / 10;
          pts.push(Math.cos(t) * 13, Math.sin(t) * 13);
        }
        for (let i = 10; i >= 0; i--) {
          const t = -1 + (2 * i) / 10;
          const r = 13 - 4.5 * (1 - Math.abs(t)); // tapers to the tips
          pts.push(Math.cos(t) * r, Math.sin(t) * r);
        }
        g.poly(pts).fill({ color: e.color, alpha: 0.85 });
        break;
      }
      case "arrow":
        e.life = Math.min(450, Math.max(120, dist * 28));
        g.rect(-7, -0.35, 12, 0.7).fill(0x8a6034);
        g.poly([5, -1.4, 8, 0, 5, 1.4]).fill(0xd8dde2);
        g.poly([-7, 0, -9, -1.6, -6, -0.3]).fill(0xf4f0e0);
        g.poly([-7, 0, -9, 1.6, -6, 0.3]).fill(0xf4f0e0);
        break;
      case "heal":
        e.life = from === to ? 420 : Math.min(500, Math.max(160, dist * 40));
        g.circle(0, 0, 4.2).fill({ color: e.color, alpha: 0.3 });
        g.circle(0, 0, 2.2).fill(e.color);
        g.circle(0, 0, 1).fill(0xffffff);
        break;
      default:
        e.life = Math.min(500, Math.max(160, dist * 38));
        g.circle(0, 0, 4.5).fill({ color: e.color, alpha: 0.25 });
        g.circle(0, 0, 3).fill({ color: e.color, alpha: 0.6 });
        g.circle(0, 0, 1.7).fill(e.color);
        g.circle(-0.4, -0.4, 0.8).fill(0xffffff);
        break;
    }
    this.place(e, nowMs);
    return look === "swing" ? 0 : e.life;
  }

  /** How long until an attack from `from` flying at `to` lands (0 if none is flying). */
  inFlight(from: number, to: number, nowMs: number): number {
    let ms = 0;
    for (const e of this.effects) {
      if (e.active && e.from === from && e.to === to && e.type !== "swing" && e.type !== "burst") {
        ms = Math.max(ms, e.start + e.life - nowMs);
      }
    }
    return ms;
  }

  private burst(x: number, y: number, color: number, nowMs: number): void {
    const e = this.freeEffect();
    e.active = true;
    e.type = "burst";
    e.start = nowMs;
    e.life = 260;
    e.fx = e.tx = x;
    e.fy = e.ty = y;
    e.from = e.to = 0;
    e.color = color;
    const g = e.g;
    g.clear();
    g.rotation = 0;
    // a spark: short rays round a bright core
    for (let i = 0; i < 7; i++) {
      const a = (i / 7) * Math.PI * 2 + 0.3;
      const c = Math.cos(a), s = Math.sin(a);
      g.poly([c * 2 - s * 0.7, s * 2 + c * 0.7, c * 6.5, s * 6.5, c * 2 + s * 0.7, s * 2 - c * 0.7]).fill({ color, alpha: 0.85 });
    }
    g.circle(0, 0, 2.4).fill({ color, alpha: 0.6 });
    g.circle(0, 0, 1.2).fill({ color: 0xffffff, alpha: 0.9 });
    this.place(e, nowMs);
  }

  /** A golden ring and a beam of light around entity `id`. */
  levelUp(id: number, nowMs: number): void {
    const s = this.spriteOf(id);
    if (!s || !Number.isFinite(s.px)) return;
    const e = this.freeEffect();
    e.active = true;
    e.type = "levelUp";
    e.start = nowMs;
    e.life = 1400;
    e.from = e.to = id;
    e.fx = e.tx = s.px;
    e.fy = e.ty = s.py;
    e.color = 0xffd34a;
    const g = e.g;
    g.clear();
    g.rotation = 0;
    g.rect(-7, -44, 14, 44).fill({ color: 0xffe58a, alpha: 0.22 });
    g.rect(-3.5, -44, 7, 44).fill({ color: 0xfff4c0, alpha: 0.3 });
    g.ellipse(0, 0, 11, 4).stroke({ color: 0xffd34a, width: 1.8 });
    g.ellipse(0, 0, 7, 2.6).stroke({ color: 0xfff0a0, width: 1 });
    for (let i = 0; i < 6; i++) {
      const a = (i / 6) * Math.PI * 2;
      g.circle(Math.cos(a) * 9, -10 - i * 5, 0.9).fill(0xfff4c0);
    }
    this.place(e, nowMs);
  }

  /** A grey puff where entity `id` fell. */
  death(id: number, nowMs: number): void {
    const s = this.spriteOf(id);
    if (!s || !Number.isFinite(s.px)) return;
    const e = this.freeEffect();
    e.active = true;
    e.type = "puff";
    e.start = nowMs;
    e.life = 700;
    e.from = e.to = id;
    e.fx = e.tx = s.px;
    e.fy = e.ty = s.py - 4;
    e.color = 0xb0b0b8;
    const g = e.g;
    g.clear();
    g.rotation = 0;
    g.circle(-4, 0, 3.5).fill({ color: 0xc8c8d0, alpha: 0.55 });
    g.circle(3, -1.5, 4).fill({ color: 0xb8b8c0, alpha: 0.5 });
    g.circle(0, -4, 3).fill({ color: 0xd8d8e0, alpha: 0.45 });
    this.place(e, nowMs);
  }

  /** Moves everything for this frame; (ox, oy, zoom) is the camera of this frame. */
  update(nowMs: number, ox: number, oy: number, zoom: number): void {
    this.oy = oy;
    this.zoom = zoom;
    for (const f of this.floaters) {
      if (!f.active) continue;
      const t = nowMs - f.start;
      if (t < 0) {
        f.text.visible = false;
        continue;
      }
      if (t >= f.life) {
        f.active = false;
        f.text.visible = false;
        continue;
      }
      const k = t / f.life;
      f.text.visible = true;
      f.text.position.set(Math.round(ox + f.wx * zoom), Math.round(oy + f.wy * zoom - f.rise * easeOut(k)));
      f.text.alpha = k < 0.65 ? 1 : 1 - (k - 0.65) / 0.35;
      const pop = t < 120 ? 1.35 - 0.35 * (t / 120) : 1;
      f.text.scale.set(pop);
    }
    for (const e of this.effects) if (e.active) this.place(e, nowMs);
  }

  private place(e: Effect, nowMs: number): void {
    const t = nowMs - e.start;
    if (t >= e.life) {
      e.active = false;
      e.g.visible = false;
      if (e.type === "bolt" || e.type === "arrow" || (e.type === "heal" && e.from !== e.to)) {
        this.burst(e.tx, e.ty, e.color, nowMs);
      }
      return;
    }
    const k = Math.max(0, t / e.life);
    // follow the ends while they move
    const a = e.from ? this.spriteOf(e.from) : undefined;
    const b = e.to ? this.spriteOf(e.to) : undefined;
    if (a && Number.isFinite(a.px) && (e.type === "swing" || e.type === "levelUp" || e.type === "puff")) {
      e.fx = a.px;
      e.fy = e.type === "swing" ? a.py - CHEST : e.type === "puff" ? a.py - 4 : a.py;
    }
    if (b && Number.isFinite(b.px) && e.type !== "swing" && e.type !== "levelUp" && e.type !== "puff") {
      e.tx = b.px;
      e.ty = b.py - CHEST;
    }
    const g = e.g;
    g.visible = true;
    switch (e.type) {
      case "swing": {
        const dir = Math.atan2(e.ty - e.fy, e.tx - e.fx);
        g.position.set(e.fx, e.fy);
        g.rotation = dir - 0.9 + 1.8 * easeOut(k);
        g.alpha = 1 - k * k;
        g.scale.set(0.8 + 0.3 * k);
        break;
      }
      case "arrow":
      case "bolt":
      case "heal": {
        if (e.from === e.to) {
          // a heal on oneself: light rising around the body
          g.position.set(e.fx, e.fy + 6 - 20 * k);
          g.alpha = 1 - k;
          g.scale.set(1 + k);
          break;
        }
        const x = e.fx + (e.tx - e.fx) * k;
        // arrows and bolts fly in a slight arc
        const y = e.fy + (e.ty - e.fy) * k - Math.sin(k * Math.PI) * (e.type === "arrow" ? 5 : 2);
        g.position.set(x, y);
        if (e.type === "arrow") {
          const dy = (e.ty - e.fy) - Math.cos(k * Math.PI) * Math.PI * 5;
          g.rotation = Math.atan2(dy, e.tx - e.fx);
        } else {
          g.scale.set(1 + Math.sin(nowMs * 0.05) * 0.12);
        }
        g.alpha = 1;
        break;
      }
      case "burst":
        g.position.set(e.fx, e.fy);
        g.scale.set(0.6 + 1.2 * k);
        g.alpha = 1 - k;
        break;
      case "levelUp":
        g.position.set(e.fx, e.fy);
        g.scale.set(0.6 + 0.6 * easeOut(Math.min(1, k * 2)), 1);
        g.alpha = k < 0.7 ? 1 : 1 - (k - 0.7) / 0.3;
        break;
      case "puff":
        g.position.set(e.fx, e.fy - 6 * k);
        g.scale.set(0.8 + 0.9 * k);
        g.alpha = 1 - k;
        break;
    }
  }

  destroy(): void {
    this.world.destroy({ children: true });
    this.overlay.destroy({ children: true });
  }
}

// The unit frames and the action bar: your own frame (name, level, health, experience), the
// target's frame (name, level, health, dead), and the bar with the class ability (key 1, its
// cooldown sweeping round), pick up (E) and the bag (I). Each writes to the DOM only when
// what it shows changed.
import { $ } from "./dom";

export interface StatsView {
  level: number;
  xp: number;
  xpNext: number;
  health: number;
  maxHealth: number;
  power: number;
  armor: number;
  ability: string;
  abilityRange: number;
  abilityCooldownMs: number;
}

function setBar(bar: HTMLElement, value: number, max: number, text: string): void {
  const f = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  const fill = bar.querySelector<HTMLElement>(".fill");
  if (fill) fill.style.width = `${(f * 100).toFixed(1)}%`;
  const t = bar.querySelector<HTMLElement>(".bar-text");
  if (t) t.textContent = text;
  bar.dataset["low"] = String(f < 0.3);
}

export class PlayerFrame {
  private key = "";

  constructor(name: string, className: string) {
    $("player-name").textContent = name;
    $("player-class").textContent = className;
  }

  update(level: number, health: number, maxHealth: number, xp: number, xpNext: number, dead: boolean): void {
    const key = `${level}|${health}|${maxHealth}|${xp}|${xpNext}|${dead}`;
    if (key === this.key) return;
    this.key = key;
    $("player-level").textContent = String(level);
    setBar($("player-health"), health, maxHealth, maxHealth > 0 ? `${health} / ${maxHealth}` : "");
    setBar($("player-xp"), xp, xpNext, xpNext > 0 ? `${xp} / ${xpNext} XP` : `${xp} XP`);
    $("player-frame").classList.toggle("dead", dead);
  }
}

export interface TargetInfo {
  id: number;
  name: string;
  kind: "player" | "creature" | "loot" | "self";
  level: number;
  health: number;
  maxHealth: number;
  dead: boolean;
}

export class TargetFrame {
  private key = "";

  update(t: TargetInfo | null): void {
    const key = t ? `${t.id}|${t.name}|${t.kind}|${t.level}|${t.health}|${t.maxHealth}|${t.dead}` : "";
    if (key === this.key) return;
    this.key = key;
    const frame = $("target-frame");
    frame.hidden = !t;
    if (!t) return;
    frame.dataset["kind"] = t.kind;
    frame.dataset["id"] = String(t.id);
    $("target-name").textContent = t.name;
    $("target-level").textContent = t.level > 0 ? String(t.level) : "";
    $("target-tag").textContent = t.dead ? "Dead" : t.kind === "creature" ? "" : t.kind === "self" ? "You" : "";
    frame.classList.toggle("dead", t.dead);
    const bar = $("target-health");
    bar.hidden = t.kind === "loot" || t.maxHealth <= 0;
    setBar(bar, t.health, t.maxHealth, t.maxHealth > 0 ? `${t.health} / ${t.maxHealth}` : "");
  }
}

export class ActionBar {
  private name = "";
  private cdShown = -1;
  private textShown = "";

  setAbility(name: string, rangeUnits: number, cooldownMs: number): void {
    const label = name || "Attack";
    if (label !== this.name) {
      this.name = label;
      $("ability-name").textContent = label;
    }
    $("ability-btn").title = name
      ? `${label} — range ${rangeUnits.toFixed(rangeUnits % 1 ? 1 : 0)}, cooldown ${(cooldownMs / 1000).toFixed(1)} s (key 1)`
      : "Use your class ability on your target (key 1)";
  }

  /** The cooldown sweep: `fraction` of it left (1 just used, 0 ready), `remainingMs` for the number. */
  setCooldown(fraction: number, remainingMs: number): void {
    const f = Math.round(fraction * 200) / 200;
    if (f !== this.cdShown) {
      this.cdShown = f;
      const btn = $("ability-btn");
      btn.style.setProperty("--cd", String(f));
      btn.classList.toggle("cooling", f > 0);
    }
    const text = remainingMs > 0 ? (remainingMs / 1000).toFixed(1) : "";
    if (text !== this.textShown) {
      this.textShown = text;
      $("ability-cd").textContent = text;
    }
  }
}

// Short messages in the middle of the screen ("Out of range", "Your bag is full"): a few at a
// time, each fading after a few seconds; the newest replaces the same text instead of piling up.
import { el } from "./dom";

const MAX_TOASTS = 4;

export type ToastKind = "error" | "info" | "loot";

export class Toasts {
  private readonly timers = new Set<number>();

  constructor(private readonly host: HTMLElement) {}

  show(text: string, kind: ToastKind = "error", ms = 3000): void {
    for (const t of this.host.querySelectorAll<HTMLElement>(".toast")) {
      if (t.textContent === text) t.remove();
    }
    const t = el("div", "toast", text);
    t.dataset["kind"] = kind;
    this.host.append(t);
    while (this.host.childElementCount > MAX_TOASTS) this.host.firstElementChild!.remove();
    const fade = window.setTimeout(() => t.classList.add("fading"), ms - 400);
    const gone = window.setTimeout(() => {
      t.remove();
      this.timers.delete(fade);
      this.timers.delete(gone);
    }, ms);
    this.timers.add(fade);
    this.timers.add(gone);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.host.replaceChildren();
  }
}

// The item tooltip: name in its rarity colour, then type, slot, damage or armor, value. One
// element for every panel, shown next to the hovered item.
import { itemDetails, type ItemView } from "../items";
import { el } from "./dom";

export class ItemTooltip {
  constructor(private readonly box: HTMLElement) {}

  /** Shows and hides the tooltip for `item` when the pointer is over `target`. */
  attach(target: HTMLElement, item: () => ItemView | null, extra?: () => string): void {
    target.addEventListener("mouseenter", () => {
      const i = item();
      if (i) this.show(i, target, extra?.() ?? "");
    });
    target.addEventListener("mouseleave", () => this.hide());
  }

  show(item: ItemView, near: HTMLElement, extra = ""): void {
    const b = this.box;
    b.replaceChildren();
    const name = el("div", "tt-name", item.name);
    name.dataset["rarity"] = item.rarity;
    b.append(name);
    for (const line of itemDetails(item)) b.append(el("div", "tt-line", line));
    if (extra) b.append(el("div", "tt-hint", extra));
    b.hidden = false;
    const r = near.getBoundingClientRect();
    const w = b.offsetWidth || 200, h = b.offsetHeight || 100;
    let x = r.left - w - 10;
    if (x < 8) x = r.right + 10;
    const y = Math.max(8, Math.min(window.innerHeight - h - 8, r.top));
    b.style.left = `${Math.round(x)}px`;
    b.style.top = `${Math.round(y)}px`;
  }

  hide(): void {
    this.box.hidden = true;
  }
}

// The item tooltip: name in its rarity colour, then type, slot, damage or armor, value. One
// element for every panel, shown next to the hovered item; on a touch screen, which cannot
// hover, a long press on the item shows it until a touch elsewhere.
import { itemDetails, type ItemView } from "../items";
import { el } from "./dom";
import { bindLongPress } from "./touch";

export class ItemTooltip {
  /** Stops waiting for the touch elsewhere that hides a tooltip a long press showed. */
  private unpin: (() => void) | null = null;

  constructor(private readonly box: HTMLElement) {}

  /**
   * A long press on `target` shows the tooltip for `item()` (if any) until a finger or the mouse
   * comes down outside it; the hint's "Click" reads "Tap". Bind it before `target`'s click
   * listeners (see {@link bindLongPress}). Returns the cleanup.
   */
  pressToShow(target: HTMLElement, item: () => ItemView | null, extra: () => string): () => void {
    return bindLongPress(target, () => {
      const i = item();
      if (!i) return;
      this.show(i, target, extra().replace(/^Click\b/, "Tap"));
      const away = (e: PointerEvent) => {
        if (!(e.target instanceof Node && target.contains(e.target))) this.hide();
      };
      document.addEventListener("pointerdown", away, true);
      this.unpin = () => document.removeEventListener("pointerdown", away, true);
    });
  }

  show(item: ItemView, near: HTMLElement, extra = ""): void {
    this.hide();
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
    const vw = window.innerWidth, vh = window.innerHeight;
    // beside the item, left or right; where neither fits (a phone's narrow screen), below it,
    // or above it, kept on the screen
    let x = r.left - w - 10;
    let y = r.top;
    if (x < 8) x = r.right + 10;
    if (x + w > vw - 8) {
      x = Math.max(8, Math.min(vw - w - 8, r.left + r.width / 2 - w / 2));
      y = r.bottom + 8 + h <= vh - 8 ? r.bottom + 8 : r.top - h - 8;
    }
    y = Math.max(8, Math.min(vh - h - 8, y));
    b.style.left = `${Math.round(x)}px`;
    b.style.top = `${Math.round(y)}px`;
  }

  hide(): void {
    this.box.hidden = true;
    this.unpin?.();
    this.unpin = null;
  }
}

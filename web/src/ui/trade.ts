// Trading: the invite prompt (Accept / Decline) and the trade window with both offers (items
// and gold), your gold field, both confirmation ticks, Confirm / Cancel, and the outcome
// (exchanging, done, or cancelled and why). Items are offered by clicking them in the bag
// (the inventory opens with the window) and taken back by clicking them in the offer.
import type { ItemView } from "../items";
import type { InventoryModel } from "../items";
import type { TradeModel } from "../trade";
import { TRADE_SLOTS, statusText } from "../trade";
import { touchUi } from "./touch";
import { itemIcon } from "../render/preview";
import { $, el, input } from "./dom";
import type { ItemTooltip } from "./tooltip";

export interface TradeActions {
  accept(): void;
  decline(): void;
  confirm(): void;
  cancel(): void;
  /** Close the window after DONE or CANCELLED. */
  dismiss(): void;
  setGold(gold: number): void;
  /** Take the item in this bag slot out of the offer. */
  removeItem(bagSlot: number): void;
}

export class TradePanel {
  private shown = -1;
  private invShown = -1;

  /** Ends the listeners on the page's trade buttons (they outlive this stay in the world). */
  private readonly listening = new AbortController();

  constructor(private readonly actions: TradeActions, private readonly tooltip: ItemTooltip) {
    const on = { signal: this.listening.signal };
    $("trade-accept").addEventListener("click", () => actions.accept(), on);
    $("trade-decline").addEventListener("click", () => actions.decline(), on);
    $("trade-confirm").addEventListener("click", () => actions.confirm(), on);
    $("trade-cancel").addEventListener("click", () => {
      const s = $("trade").dataset["status"];
      if (s === "done" || s === "cancelled") actions.dismiss();
      else actions.cancel();
    }, on);
    const gold = input("trade-gold");
    const send = () => actions.setGold(Number(gold.value));
    gold.addEventListener("change", send, on);
    gold.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        send();
        gold.blur();
      }
    }, on);
  }

  /** The stay in the world ended: the buttons no longer act for it. */
  dispose(): void {
    this.listening.abort();
  }

  private items(host: HTMLElement, items: ItemView[], inv: InventoryModel | null, removable: boolean): void {
    const rows: HTMLElement[] = [];
    for (const item of items) {
      const row = el("div", "trade-item");
      row.dataset["rarity"] = item.rarity;
      row.dataset["kind"] = item.kind;
      const icon = el("span", "inv-icon");
      const url = itemIcon(item);
      if (url) icon.style.backgroundImage = `url(${url})`;
      row.append(icon, el("span", "inv-name", item.name));
      const hint = removable ? "Click to take it back" : "";
      this.tooltip.pressToShow(row, () => item, () => hint);
      if (removable && inv) {
        row.classList.add("removable");
        row.addEventListener("click", () => {
          const slot = inv.slotOf(item.id);
          if (slot >= 0) this.actions.removeItem(slot);
        });
      }
      row.addEventListener("mouseenter", () => this.tooltip.show(item, row, hint));
      row.addEventListener("mouseleave", () => this.tooltip.hide());
      rows.push(row);
    }
    for (let i = items.length; i < Math.min(TRADE_SLOTS, Math.max(4, items.length)); i++) rows.push(el("div", "trade-item empty"));
    host.replaceChildren(...rows);
  }

  render(model: TradeModel, inv: InventoryModel): void {
    if (model.version === this.shown && inv.version === this.invShown) return;
    this.shown = model.version;
    this.invShown = inv.version;
    const t = model.state;
    $("trade-invite").hidden = t.status !== "invited";
    $("trade-invite-text").textContent = t.status === "invited" ? statusText(t) : "";
    const win = $("trade");
    const showWindow = t.status === "inviting" || t.status === "open" || t.status === "committing"
      || t.status === "done" || t.status === "cancelled";
    win.hidden = !showWindow;
    win.dataset["status"] = t.status;
    if (!showWindow) {
      this.tooltip.hide();
      return;
    }
    $("trade-partner").textContent = t.partner;
    $("trade-partner-2").textContent = t.partner;
    this.items($("trade-mine"), t.mine, inv, t.status === "open");
    this.items($("trade-theirs"), t.theirs, null, false);
    const gold = input("trade-gold");
    if (document.activeElement !== gold) gold.value = String(t.myGold);
    gold.max = String(inv.gold);
    gold.disabled = t.status !== "open";
    $("trade-their-gold").textContent = String(t.theirGold);
    $("trade-my-tick").classList.toggle("on", t.myConfirm);
    $("trade-their-tick").classList.toggle("on", t.theirConfirm);
    const text = statusText(t);
    $("trade-status").textContent = touchUi() ? text.replace(/^Click /, "Tap ") : text;
    $("trade-status").dataset["status"] = t.status;
    const confirm = $("trade-confirm") as HTMLButtonElement;
    confirm.disabled = t.status !== "open" || t.myConfirm;
    confirm.textContent = t.myConfirm ? "Confirmed" : "Confirm";
    const cancel = $("trade-cancel") as HTMLButtonElement;
    cancel.textContent = t.status === "done" || t.status === "cancelled" ? "Close" : "Cancel";
    cancel.disabled = t.status === "committing";
  }
}

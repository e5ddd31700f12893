// The trade as this client sees it: the latest TradeState, and the offers it sends. The
// server sends both offers as items (what you give, what you get); the client offers bag
// slots, so changing an offer maps the offered items back to their bag slots by item id.
import { itemView, type InventoryModel, type ItemView } from "./items";
import { Constants, TradeStatus, type TradeState } from "./protocol";

export const TRADE_SLOTS: number = Constants.TRADE_SLOTS;
export const TRADE_RANGE: number = Constants.TRADE_RANGE;

export type TradeStatusName = "none" | "invited" | "inviting" | "open" | "committing" | "done" | "cancelled";

export function tradeStatusName(s: TradeStatus): TradeStatusName {
  switch (s) {
    case TradeStatus.INVITED: return "invited";
    case TradeStatus.INVITING: return "inviting";
    case TradeStatus.OPEN: return "open";
    case TradeStatus.COMMITTING: return "committing";
    case TradeStatus.DONE: return "done";
    case TradeStatus.CANCELLED: return "cancelled";
    default: return "none";
  }
}

export interface TradeView {
  status: TradeStatusName;
  partner: string;
  partnerEntity: number;
  mine: ItemView[];
  myGold: number;
  theirs: ItemView[];
  theirGold: number;
  myConfirm: boolean;
  theirConfirm: boolean;
  reason: string;
}

export interface OfferInit {
  bagSlots: number[];
  gold: bigint;
}

export function emptyTrade(): TradeView {
  return {
    status: "none", partner: "", partnerEntity: 0, mine: [], myGold: 0, theirs: [], theirGold: 0,
    myConfirm: false, theirConfirm: false, reason: "",
  };
}

export class TradeModel {
  state: TradeView = emptyTrade();
  /** Bumped on every change. */
  version = 0;

  apply(t: TradeState): void {
    this.state = {
      status: tradeStatusName(t.status),
      partner: t.partner,
      partnerEntity: t.partnerEntity,
      mine: t.mine.map(itemView),
      myGold: Number(t.myGold),
      theirs: t.theirs.map(itemView),
      theirGold: Number(t.theirGold),
      myConfirm: t.myConfirm,
      theirConfirm: t.theirConfirm,
      reason: t.reason,
    };
    this.version++;
  }

  /** The window is closed again (after DONE or CANCELLED was shown). */
  dismiss(): void {
    if (this.state.status === "none") return;
    this.state = emptyTrade();
    this.version++;
  }

  /** Whether a trade is going on: invited, inviting, open or being saved. */
  get active(): boolean {
    const s = this.state.status;
    return s === "invited" || s === "inviting" || s === "open" || s === "committing";
  }

  /** Whether the offers can still change (both sides offering). */
  get open(): boolean {
    return this.state.status === "open";
  }

  /** The bag slots of what is offered now (items no longer in the bag are left out). */
  offeredSlots(inv: InventoryModel): number[] {
    const slots: number[] = [];
    for (const i of this.state.mine) {
      const s = inv.slotOf(i.id);
      if (s >= 0 && !slots.includes(s)) slots.push(s);
    }
    return slots;
  }

  /** Whether the item in this bag slot is in the offer. */
  isOffered(inv: InventoryModel, slot: number): boolean {
    const item = inv.bag[slot];
    return !!item && this.state.mine.some((i) => i.id === item.id);
  }

  /**
   * The offer with the item in `slot` added, or removed when it is offered already; null when
   * nothing would change (an empty slot, or TRADE_SLOTS items offered already).
   */
  toggleItem(inv: InventoryModel, slot: number): OfferInit | null {
    if (!inv.bag[slot]) return null;
    const slots = this.offeredSlots(inv);
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    else if (slots.length >= TRADE_SLOTS) return null;
    else slots.push(slot);
    return { bagSlots: slots, gold: BigInt(this.state.myGold) };
  }

  /** The offer with the gold set to `gold` (clamped to 0 .. the purse). */
  withGold(inv: InventoryModel, gold: number): OfferInit {
    const g = Math.max(0, Math.min(Math.floor(Number.isFinite(gold) ? gold : 0), inv.gold));
    return { bagSlots: this.offeredSlots(inv), gold: BigInt(g) };
  }

  toJSON(): TradeView {
    return this.state;
  }
}

/** The line under the trade window (and the invite prompt's text). */
export function statusText(t: TradeView): string {
  switch (t.status) {
    case "invited": return `${t.partner} wants to trade with you.`;
    case "inviting": return `Waiting for ${t.partner} to accept…`;
    case "open":
      if (t.myConfirm && t.theirConfirm) return "Both confirmed.";
      if (t.myConfirm) return `You confirmed. Waiting for ${t.partner}…`;
      if (t.theirConfirm) return `${t.partner} confirmed. Check the offers and confirm.`;
      return "Click items in your bag to offer them, set your gold, then confirm.";
    case "committing": return "Exchanging…";
    case "done": return "Trade complete.";
    case "cancelled": return t.reason ? `Trade cancelled: ${t.reason}` : "Trade cancelled.";
    default: return "";
  }
}

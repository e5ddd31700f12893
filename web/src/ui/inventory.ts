// The inventory window (I or the Bag button): a paper doll of you in what you wear with the six
// equipment slots around it, the bag as a grid of bag_size slots, and your gold. Click a bag
// item to wear it (or, while trading, to offer it), click a worn item to take it off, the
// small x on a bag item to drop it. Hovering an item, or on a touch screen pressing it long,
// shows its tooltip. Rebuilt only when the inventory or the trade changed.
import type { InventoryModel, ItemView, SlotName } from "../items";
import { SLOT_LABELS, SLOT_NAMES, emptyEquipment } from "../items";
import type { Appearance } from "../protocol";
import { drawDressedPreview, itemIcon } from "../render/preview";
import { $, el } from "./dom";
import type { ItemTooltip } from "./tooltip";

export interface InventoryActions {
  /** A click on the bag item in `slot`: wear it, or offer it while trading. */
  bagClick(slot: number): void;
  drop(slot: number): void;
  unequip(slot: SlotName): void;
}

const DOLL_LEFT: SlotName[] = ["head", "chest", "legs", "feet"];
const DOLL_RIGHT: SlotName[] = ["main_hand", "off_hand"];

function itemBox(item: ItemView | null, label: string): HTMLElement[] {
  const icon = el("span", "inv-icon");
  const name = el("span", "inv-name", item ? item.name : label);
  if (item) {
    const url = itemIcon(item);
    if (url) icon.style.backgroundImage = `url(${url})`;
    else icon.classList.add("no-art");
    icon.dataset["type"] = item.type;
  }
  return [icon, name];
}

export class InventoryPanel {
  private shown = -1;
  private offeredKey = "";
  private readonly preview: HTMLCanvasElement;
  /** What each worn slot shows: its long press (bound once, with the slot) reads it. */
  private readonly worn: Partial<Record<SlotName, ItemView | null>> = {};

  constructor(private readonly actions: InventoryActions, private readonly tooltip: ItemTooltip,
              private readonly appearance: Appearance | undefined) {
    const doll = $("inv-doll");
    doll.replaceChildren();
    const left = el("div", "doll-col");
    const right = el("div", "doll-col");
    this.preview = el("canvas", "doll-preview");
    this.preview.width = 120;
    this.preview.height = 180;
    for (const s of DOLL_LEFT) left.append(this.wornSlot(s));
    for (const s of DOLL_RIGHT) right.append(this.wornSlot(s));
    doll.append(left, this.preview, right);
  }

  get open(): boolean {
    return !$("inventory").hidden;
  }

  setOpen(open: boolean): void {
    $("inventory").hidden = !open;
    $("inventory-btn").classList.toggle("active", open);
    if (!open) this.tooltip.hide();
  }

  toggle(): void {
    this.setOpen(!this.open);
  }

  private wornSlot(s: SlotName): HTMLElement {
    const cell = el("div", "inv-slot worn empty");
    cell.id = `inv-worn-${s}`;
    cell.dataset["slot"] = s;
    cell.append(...itemBox(null, SLOT_LABELS[s]));
    this.tooltip.pressToShow(cell, () => this.worn[s] ?? null, () => "Click to take it off");
    cell.addEventListener("click", () => {
      if (!cell.classList.contains("empty")) this.actions.unequip(s);
    });
    return cell;
  }

  /**
   * Shows the inventory; `offered(slot)` marks bag items in the trade offer. Redraws only
   * when the inventory's version or the offered set changed.
   */
  render(inv: InventoryModel, offered: (slot: number) => boolean, wearHint: string): void {
    let offeredKey = "";
    for (let s = 0; s < inv.bag.length; s++) if (offered(s)) offeredKey += s + ",";
    offeredKey += wearHint;
    if (inv.version === this.shown && offeredKey === this.offeredKey) return;
    this.shown = inv.version;
    this.offeredKey = offeredKey;
    this.tooltip.hide();

    for (const s of SLOT_NAMES) {
      const cell = $(`inv-worn-${s}`);
      const item = inv.worn[s];
      this.worn[s] = item;
      cell.replaceChildren(...itemBox(item, SLOT_LABELS[s]));
      cell.classList.toggle("empty", !item);
      if (item) cell.dataset["rarity"] = item.rarity;
      else delete cell.dataset["rarity"];
      cell.dataset["kind"] = item?.kind ?? "";
      cell.onmouseenter = item ? () => this.tooltip.show(item, cell, "Click to take it off") : null;
      cell.onmouseleave = () => this.tooltip.hide();
    }

    const bag = $("inv-bag");
    const cells: HTMLElement[] = [];
    for (let slot = 0; slot < Math.max(inv.bagSize, inv.bag.length); slot++) {
      const item = inv.bag[slot] ?? null;
      const cell = el("div", "inv-slot bag" + (item ? "" : " empty"));
      cell.id = `inv-bag-${slot}`;
      cell.dataset["slot"] = String(slot);
      if (item) {
        cell.dataset["rarity"] = item.rarity;
        cell.dataset["kind"] = item.kind;
        cell.append(...itemBox(item, ""));
        if (offered(slot)) cell.classList.add("offered");
        const drop = el("button", "inv-drop", "\u00d7");
        drop.type = "button";
        drop.id = `inv-drop-${slot}`;
        drop.title = `Drop ${item.name}`;
        drop.addEventListener("click", (e) => {
          e.stopPropagation();
          this.actions.drop(slot);
        });
        cell.append(drop);
        const hint = wearHint || (item.slot ? "Click to wear" : "Cannot be worn");
        this.tooltip.pressToShow(cell, () => item, () => hint);
        cell.addEventListener("click", () => this.actions.bagClick(slot));
        cell.addEventListener("mouseenter", () => this.tooltip.show(item, cell, hint));
        cell.addEventListener("mouseleave", () => this.tooltip.hide());
      }
      cells.push(cell);
    }
    bag.replaceChildren(...cells);
    $("gold").textContent = String(inv.gold);
    $("inv-free").textContent = `${inv.freeSlots()} / ${inv.bagSize} free`;

    if (this.appearance) {
      const eq = emptyEquipment();
      for (const s of SLOT_NAMES) eq[s] = inv.worn[s]?.kind ?? "";
      try {
        drawDressedPreview(this.preview, this.appearance, eq);
      } catch {
        // no 2D canvas here
      }
    }
  }
}

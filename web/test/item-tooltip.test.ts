// @vitest-environment happy-dom
//
// Item tooltips on a touch screen: a long press on an item in the bag (or worn) shows its
// tooltip instead of acting on the item, a touch elsewhere hides it, and a short tap still
// wears the item. The mouse's hover is as before. Timers are faked: the long press is stepped.
import { create } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InventoryModel } from "../src/items";
import { EquipSlot, InventorySchema, ItemSchema, ItemType, Rarity, TradeStateSchema, TradeStatus } from "../src/protocol";
import { TradeModel } from "../src/trade";
import { InventoryPanel } from "../src/ui/inventory";
import { TradePanel } from "../src/ui/trade";
import { ItemTooltip } from "../src/ui/tooltip";
import { LONG_PRESS_MS } from "../src/ui/touch";

const sword = create(ItemSchema, {
  id: 7n, kind: "rusty-sword", name: "Rusty sword", slot: EquipSlot.MAIN_HAND, type: ItemType.WEAPON,
  rarity: Rarity.COMMON, damage: 3, value: 4,
});
const cap = create(ItemSchema, { id: 8n, kind: "leather-cap", name: "Leather cap", slot: EquipSlot.HEAD, type: ItemType.ARMOR, armor: 1, value: 3 });

function pointer(target: Element, type: string, x = 10, y = 10, pointerType = "touch", pointerId = 1): void {
  target.dispatchEvent(new PointerEvent(type, { pointerId, pointerType, clientX: x, clientY: y, bubbles: true, cancelable: true }));
}

/** A finger down on `target`, held `ms`, lifted; then the click a browser makes of a tap (unless the touchend was cancelled). */
function press(target: HTMLElement, ms: number): void {
  pointer(target, "pointerdown");
  vi.advanceTimersByTime(ms);
  pointer(target, "pointerup");
  target.click();
}

const tooltip = () => document.getElementById("item-tooltip")!;
let clicks: string[];

beforeEach(() => {
  vi.useFakeTimers();
  document.body.innerHTML = `<div id="inventory"><div id="inv-doll"></div><div id="inv-bag"></div>
    <span id="gold"></span><span id="inv-free"></span></div><button id="inventory-btn"></button>
    <div id="item-tooltip" class="item-tooltip" hidden></div><div id="elsewhere"></div>`;
  clicks = [];
  const panel = new InventoryPanel({
    bagClick: (slot) => clicks.push(`wear ${slot}`),
    drop: (slot) => clicks.push(`drop ${slot}`),
    unequip: (slot) => clicks.push(`unequip ${slot}`),
  }, new ItemTooltip(tooltip()), undefined);
  const inv = new InventoryModel();
  inv.apply(create(InventorySchema, { bagSize: 4, bag: [{ slot: 0, item: sword }], worn: [{ slot: EquipSlot.HEAD, item: cap }], gold: 1n }));
  panel.render(inv, () => false, "");
  panel.setOpen(true);
});

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe("item tooltips by touch", () => {
  it("a long press on a bag item shows its stats without wearing it; a touch elsewhere hides them", () => {
    const cell = document.getElementById("inv-bag-0")!;
    pointer(cell, "pointerdown");
    vi.advanceTimersByTime(LONG_PRESS_MS - 1);
    expect(tooltip().hidden).toBe(true); // not yet: it may still be a tap
    vi.advanceTimersByTime(1);
    expect(tooltip().hidden).toBe(false);
    expect(tooltip().textContent).toBe("Rusty swordCommon weapon · Main hand3 damageWorth 4 goldTap to wear");
    pointer(cell, "pointerup");
    cell.click(); // had the browser made one of the lift
    expect(clicks).toEqual([]);
    expect(tooltip().hidden).toBe(false); // the finger lifted: still there to read

    pointer(cell, "pointerdown"); // a touch on the item itself keeps it
    pointer(cell, "pointerup");
    expect(tooltip().hidden).toBe(false);
    pointer(document.getElementById("elsewhere")!, "pointerdown");
    expect(tooltip().hidden).toBe(true);
  });

  it("a short tap still wears the item and shows nothing; a finger that slides away (a scroll) is no long press", () => {
    const cell = document.getElementById("inv-bag-0")!;
    press(cell, 150);
    expect(clicks).toEqual(["wear 0"]);
    expect(tooltip().hidden).toBe(true);

    pointer(cell, "pointerdown", 10, 10);
    pointer(cell, "pointermove", 10, 30);
    vi.advanceTimersByTime(2 * LONG_PRESS_MS);
    expect(tooltip().hidden).toBe(true);
    pointer(cell, "pointerdown", 10, 10, "touch", 2);
    pointer(cell, "pointercancel", 10, 10, "touch", 2);
    vi.advanceTimersByTime(2 * LONG_PRESS_MS);
    expect(tooltip().hidden).toBe(true);
  });

  it("a long press on the drop button shows the item rather than dropping it; on a worn item, its stats", () => {
    press(document.getElementById("inv-drop-0")!, LONG_PRESS_MS);
    expect(clicks).toEqual([]);
    expect(tooltip().textContent).toContain("Rusty sword");

    press(document.getElementById("inv-worn-head")!, LONG_PRESS_MS);
    expect(clicks).toEqual([]);
    expect(tooltip().textContent).toBe("Leather capCommon armor · Head1 armorWorth 3 goldTap to take it off");
    expect(tooltip().hidden).toBe(false);
  });

  it("the mouse: hover shows and hides as before, and holding the button down shows nothing", () => {
    const cell = document.getElementById("inv-bag-0")!;
    cell.dispatchEvent(new MouseEvent("mouseenter"));
    expect(tooltip().hidden).toBe(false);
    expect(tooltip().textContent).toContain("Click to wear");
    cell.dispatchEvent(new MouseEvent("mouseleave"));
    expect(tooltip().hidden).toBe(true);

    pointer(cell, "pointerdown", 10, 10, "mouse");
    vi.advanceTimersByTime(2 * LONG_PRESS_MS);
    expect(tooltip().hidden).toBe(true);
    pointer(cell, "pointerup", 10, 10, "mouse");
    cell.click();
    expect(clicks).toEqual(["wear 0"]);
  });
});

describe("item tooltips by touch in the trade window", () => {
  it("a long press on an offered item shows it without taking it back, on the partner's item too; a tap still takes it back", () => {
    document.body.insertAdjacentHTML("beforeend", `<div id="trade-invite" hidden><p id="trade-invite-text"></p>
      <button id="trade-accept"></button><button id="trade-decline"></button></div>
      <div id="trade" hidden><b id="trade-partner"></b><span id="trade-partner-2"></span>
      <span id="trade-my-tick"></span><span id="trade-their-tick"></span>
      <div id="trade-mine"></div><input id="trade-gold" type="number"><div id="trade-theirs"></div>
      <span id="trade-their-gold"></span><div id="trade-status"></div>
      <button id="trade-confirm"></button><button id="trade-cancel"></button></div>`);
    const removed: number[] = [];
    const noop = () => {};
    const panel = new TradePanel({ accept: noop, decline: noop, confirm: noop, cancel: noop, dismiss: noop, setGold: noop,
      removeItem: (slot) => removed.push(slot) }, new ItemTooltip(tooltip()));
    const inv = new InventoryModel();
    inv.apply(create(InventorySchema, { bagSize: 4, bag: [{ slot: 0, item: sword }], gold: 5n }));
    const trade = new TradeModel();
    trade.apply(create(TradeStateSchema, { status: TradeStatus.OPEN, partner: "Bob", mine: [sword], theirs: [cap] }));
    panel.render(trade, inv);

    const mine = document.querySelector<HTMLElement>("#trade-mine .trade-item")!;
    press(mine, LONG_PRESS_MS);
    expect(removed).toEqual([]);
    expect(tooltip().hidden).toBe(false);
    expect(tooltip().textContent).toBe("Rusty swordCommon weapon · Main hand3 damageWorth 4 goldTap to take it back");

    press(document.querySelector<HTMLElement>("#trade-theirs .trade-item")!, LONG_PRESS_MS);
    expect(tooltip().textContent).toBe("Leather capCommon armor · Head1 armorWorth 3 gold");
    pointer(document.getElementById("elsewhere")!, "pointerdown");
    expect(tooltip().hidden).toBe(true);

    press(mine, 150);
    expect(removed).toEqual([0]);
    panel.dispose();
  });
});

import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { InventoryModel } from "../src/items";
import { InventorySchema, ItemSchema, TradeStateSchema, TradeStatus } from "../src/protocol";
import { TRADE_SLOTS, TradeModel, statusText } from "../src/trade";

const item = (id: bigint, kind: string) => create(ItemSchema, { id, kind, name: kind });

function inventory(): InventoryModel {
  const inv = new InventoryModel();
  inv.apply(create(InventorySchema, {
    bagSize: 12,
    bag: Array.from({ length: 10 }, (_, i) => ({ slot: i, item: item(BigInt(100 + i), `thing-${i}`) })),
    gold: 50n,
  }));
  return inv;
}

function state(init: object) {
  return create(TradeStateSchema, init as never);
}

describe("TradeModel", () => {
  it("follows the trade's status from TradeState", () => {
    const t = new TradeModel();
    expect(t.state.status).toBe("none");
    expect(t.active).toBe(false);
    t.apply(state({ status: TradeStatus.INVITED, partner: "Bob", partnerEntity: 9 }));
    expect(t.state).toMatchObject({ status: "invited", partner: "Bob", partnerEntity: 9 });
    expect(t.active).toBe(true);
    expect(t.open).toBe(false);
    t.apply(state({
      status: TradeStatus.OPEN, partner: "Bob", mine: [item(101n, "thing-1")], myGold: 5n,
      theirs: [item(500n, "hunting-bow")], theirGold: 20n, theirConfirm: true,
    }));
    expect(t.open).toBe(true);
    expect(t.state).toMatchObject({ myGold: 5, theirGold: 20, myConfirm: false, theirConfirm: true });
    expect(t.state.theirs.map((i) => i.kind)).toEqual(["hunting-bow"]);
    t.apply(state({ status: TradeStatus.CANCELLED, partner: "Bob", reason: "Partner left" }));
    expect(t.active).toBe(false);
    expect(statusText(t.state)).toBe("Trade cancelled: Partner left");
    t.dismiss();
    expect(t.state.status).toBe("none");
  });

  it("offers bag slots: maps offered items back to their slots, adds and removes", () => {
    const inv = inventory();
    const t = new TradeModel();
    t.apply(state({ status: TradeStatus.OPEN, partner: "Bob", mine: [item(103n, "thing-3")], myGold: 7n }));
    expect(t.offeredSlots(inv)).toEqual([3]);
    expect(t.isOffered(inv, 3)).toBe(true);
    expect(t.isOffered(inv, 4)).toBe(false);
    expect(t.toggleItem(inv, 5)).toEqual({ bagSlots: [3, 5], gold: 7n });
    expect(t.toggleItem(inv, 3)).toEqual({ bagSlots: [], gold: 7n });
    expect(t.toggleItem(inv, 11)).toBeNull(); // an empty slot
  });

  it("offers at most TRADE_SLOTS items", () => {
    const inv = inventory();
    const t = new TradeModel();
    const mine = Array.from({ length: TRADE_SLOTS }, (_, i) => item(BigInt(100 + i), `thing-${i}`));
    t.apply(state({ status: TradeStatus.OPEN, partner: "Bob", mine }));
    expect(t.toggleItem(inv, 9)).toBeNull();
    expect(t.toggleItem(inv, 0)!.bagSlots).toHaveLength(TRADE_SLOTS - 1);
  });

  it("sets the gold within the purse", () => {
    const inv = inventory();
    const t = new TradeModel();
    t.apply(state({ status: TradeStatus.OPEN, partner: "Bob", mine: [item(102n, "thing-2")] }));
    expect(t.withGold(inv, 30)).toEqual({ bagSlots: [2], gold: 30n });
    expect(t.withGold(inv, 999)).toEqual({ bagSlots: [2], gold: 50n });
    expect(t.withGold(inv, -4).gold).toBe(0n);
    expect(t.withGold(inv, Number.NaN).gold).toBe(0n);
    expect(t.withGold(inv, 12.7).gold).toBe(12n);
  });

  it("is JSON for window.__mmo", () => {
    const t = new TradeModel();
    t.apply(state({ status: TradeStatus.COMMITTING, partner: "Bob", myGold: 3n, myConfirm: true, theirConfirm: true }));
    expect(JSON.parse(JSON.stringify(t))).toMatchObject({ status: "committing", myGold: 3, myConfirm: true });
    expect(statusText(t.state)).toBe("Exchanging…");
  });
});

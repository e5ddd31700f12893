import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import * as act from "../src/actions";
import type { ClientPayload } from "../src/net";
import { ClientMessageSchema, EquipSlot, decodeClient, encodeClient } from "../src/protocol";

/** Through the wire and back, as the server would read it. */
function wire(p: ClientPayload) {
  return decodeClient(encodeClient(create(ClientMessageSchema, { rid: 3, msg: p }))).msg;
}

describe("in-world requests", () => {
  it("use the ability on a target", () => {
    const m = wire(act.useAbility(42));
    expect(m.case).toBe("useAbility");
    expect(m.value).toMatchObject({ target: 42 });
  });

  it("equip, unequip, drop and pick up", () => {
    expect(wire(act.equip(3))).toMatchObject({ case: "equip", value: { bagSlot: 3 } });
    expect(wire(act.equip(0))).toMatchObject({ case: "equip", value: { bagSlot: 0 } });
    expect(wire(act.unequip("main_hand"))).toMatchObject({ case: "unequip", value: { slot: EquipSlot.MAIN_HAND } });
    expect(wire(act.unequip("head"))).toMatchObject({ case: "unequip", value: { slot: EquipSlot.HEAD } });
    expect(wire(act.dropItem(7))).toMatchObject({ case: "dropItem", value: { bagSlot: 7 } });
    expect(wire(act.pickUp(99))).toMatchObject({ case: "pickUp", value: { entity: 99 } });
  });

  it("trade: invite, accept, offer, confirm, cancel", () => {
    const action = (p: ClientPayload) => {
      const m = wire(p);
      expect(m.case).toBe("trade");
      return (m.value as { action: { case: string; value: unknown } }).action;
    };
    expect(action(act.tradeInvite(12))).toEqual({ case: "invite", value: 12 });
    expect(action(act.tradeAccept())).toEqual({ case: "accept", value: true });
    const offer = action(act.tradeOffer({ bagSlots: [4, 1], gold: 25n }));
    expect(offer.case).toBe("offer");
    expect(offer.value).toMatchObject({ bagSlots: [4, 1], gold: 25n });
    expect(action(act.tradeConfirm())).toEqual({ case: "confirm", value: true });
    expect(action(act.tradeCancel())).toEqual({ case: "cancel", value: true });
  });
});

import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { InventoryModel, itemDetails, itemView, slotFromName, slotName } from "../src/items";
import { EquipSlot, InventorySchema, ItemSchema, ItemType, Rarity } from "../src/protocol";

const sword = create(ItemSchema, {
  id: 9007199254740993n, kind: "rusty-sword", name: "Rusty sword", slot: EquipSlot.MAIN_HAND,
  type: ItemType.WEAPON, rarity: Rarity.COMMON, damage: 3, value: 4,
});
const charm = create(ItemSchema, { id: 12n, kind: "amber-charm", name: "Amber charm", type: ItemType.TRINKET, rarity: Rarity.RARE, value: 40 });
const cap = create(ItemSchema, { id: 13n, kind: "leather-cap", name: "Leather cap", slot: EquipSlot.HEAD, type: ItemType.ARMOR, armor: 1, value: 3 });

describe("items", () => {
  it("names slots both ways", () => {
    expect(slotName(EquipSlot.MAIN_HAND)).toBe("main_hand");
    expect(slotName(EquipSlot.SLOT_NONE)).toBeNull();
    expect(slotFromName("off_hand")).toBe(EquipSlot.OFF_HAND);
    expect(slotFromName("head")).toBe(EquipSlot.HEAD);
    expect(() => slotFromName("tail")).toThrow();
  });

  it("shows an item as plain data, its 64-bit id exact", () => {
    expect(itemView(sword)).toEqual({
      id: "9007199254740993", kind: "rusty-sword", name: "Rusty sword", slot: "main_hand", type: "weapon",
      rarity: "common", damage: 3, armor: 0, value: 4,
    });
    expect(itemView(charm)).toMatchObject({ slot: null, type: "trinket", rarity: "rare" });
  });

  it("describes an item for its tooltip", () => {
    expect(itemDetails(itemView(sword))).toEqual(["Common weapon · Main hand", "3 damage", "Worth 4 gold"]);
    expect(itemDetails(itemView(cap))).toEqual(["Common armor · Head", "1 armor", "Worth 3 gold"]);
    expect(itemDetails(itemView(charm))).toEqual(["Rare trinket", "Worth 40 gold"]);
  });
});

describe("InventoryModel", () => {
  it("lays the bag out by slot, with worn items and gold", () => {
    const inv = new InventoryModel();
    expect(inv.known).toBe(false);
    inv.apply(create(InventorySchema, {
      bagSize: 6,
      bag: [{ slot: 4, item: charm }, { slot: 0, item: sword }],
      worn: [{ slot: EquipSlot.HEAD, item: cap }],
      gold: 57n,
    }));
    expect(inv.known).toBe(true);
    expect(inv.bag.map((i) => i?.kind ?? null)).toEqual(["rusty-sword", null, null, null, "amber-charm", null]);
    expect(inv.worn.head?.name).toBe("Leather cap");
    expect(inv.worn.chest).toBeNull();
    expect(inv.gold).toBe(57);
    expect(inv.freeSlots()).toBe(4);
    expect(inv.slotOf("12")).toBe(4);
    expect(inv.slotOf("999")).toBe(-1);
  });

  it("replaces everything with each message and counts versions", () => {
    const inv = new InventoryModel();
    inv.apply(create(InventorySchema, { bagSize: 4, bag: [{ slot: 1, item: sword }], worn: [{ slot: EquipSlot.HEAD, item: cap }], gold: 5n }));
    const v = inv.version;
    // equip the sword: it leaves the bag, the cap stays worn
    inv.apply(create(InventorySchema, {
      bagSize: 4, worn: [{ slot: EquipSlot.HEAD, item: cap }, { slot: EquipSlot.MAIN_HAND, item: sword }], gold: 5n,
    }));
    expect(inv.version).toBe(v + 1);
    expect(inv.bag).toEqual([null, null, null, null]);
    expect(inv.worn.main_hand?.kind).toBe("rusty-sword");
  });

  it("is JSON for window.__mmo (no bigint), occupied slots only", () => {
    const inv = new InventoryModel();
    inv.apply(create(InventorySchema, { bagSize: 3, bag: [{ slot: 2, item: sword }], gold: 9n }));
    const json = JSON.parse(JSON.stringify(inv));
    expect(json.bagSize).toBe(3);
    expect(json.gold).toBe(9);
    expect(json.bag).toEqual([{ slot: 2, item: expect.objectContaining({ kind: "rusty-sword", id: "9007199254740993" }) }]);
    expect(json.worn.head).toBeNull();
  });
});

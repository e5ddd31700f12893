// Items, equipment slots and the inventory as the client shows them: plain objects (no
// bigint, no protobuf classes) so the panels, the tests and window.__mmo can use them as
// they are. The server owns every item; this is only the latest copy it sent.
import {
  EquipSlot,
  ItemType,
  Rarity,
  type Equipment,
  type Inventory,
  type Item,
} from "./protocol";

/** Equipment slot names: the DOM ids (#inv-worn-<name>) and the debug hooks use these. */
export type SlotName = "head" | "chest" | "legs" | "feet" | "main_hand" | "off_hand";
export const SLOT_NAMES: readonly SlotName[] = ["head", "chest", "legs", "feet", "main_hand", "off_hand"];

export const SLOT_LABELS: Record<SlotName, string> = {
  head: "Head",
  chest: "Chest",
  legs: "Legs",
  feet: "Feet",
  main_hand: "Main hand",
  off_hand: "Off hand",
};

const SLOT_BY_ENUM: Record<number, SlotName> = {
  [EquipSlot.HEAD]: "head",
  [EquipSlot.CHEST]: "chest",
  [EquipSlot.LEGS]: "legs",
  [EquipSlot.FEET]: "feet",
  [EquipSlot.MAIN_HAND]: "main_hand",
  [EquipSlot.OFF_HAND]: "off_hand",
};

const ENUM_BY_SLOT: Record<SlotName, EquipSlot> = {
  head: EquipSlot.HEAD,
  chest: EquipSlot.CHEST,
  legs: EquipSlot.LEGS,
  feet: EquipSlot.FEET,
  main_hand: EquipSlot.MAIN_HAND,
  off_hand: EquipSlot.OFF_HAND,
};

/** The slot's name, or null for SLOT_NONE (not wearable) and unknown values. */
export function slotName(s: EquipSlot): SlotName | null {
  return SLOT_BY_ENUM[s] ?? null;
}

export function slotFromName(name: string): EquipSlot {
  const s = ENUM_BY_SLOT[name as SlotName];
  if (s === undefined) throw new Error(`unknown equipment slot ${name}`);
  return s;
}

export type RarityName = "common" | "uncommon" | "rare" | "epic";
const RARITIES: readonly RarityName[] = ["common", "uncommon", "rare", "epic"];

export function rarityName(r: Rarity): RarityName {
  return RARITIES[r] ?? "common";
}

/** Rarity colours: common white, uncommon green, rare blue, epic purple. */
export const RARITY_COLORS: Record<RarityName, number> = {
  common: 0xeeeeee,
  uncommon: 0x3ddc4a,
  rare: 0x4a9cff,
  epic: 0xb65cff,
};

export type ItemTypeName = "weapon" | "armor" | "clothing" | "trinket" | "junk" | "item";

export function itemTypeName(t: ItemType): ItemTypeName {
  switch (t) {
    case ItemType.WEAPON: return "weapon";
    case ItemType.ARMOR: return "armor";
    case ItemType.CLOTHING: return "clothing";
    case ItemType.TRINKET: return "trinket";
    case ItemType.JUNK: return "junk";
    default: return "item";
  }
}

/** One item, as shown. `id` is the server's uint64 as a decimal string. */
export interface ItemView {
  id: string;
  kind: string;
  name: string;
  /** Where it is worn, or null when it cannot be worn. */
  slot: SlotName | null;
  type: ItemTypeName;
  rarity: RarityName;
  damage: number;
  armor: number;
  value: number;
}

export function itemView(i: Item): ItemView {
  return {
    id: i.id.toString(),
    kind: i.kind,
    name: i.name || i.kind,
    slot: slotName(i.slot),
    type: itemTypeName(i.type),
    rarity: rarityName(i.rarity),
    damage: i.damage,
    armor: i.armor,
    value: i.value,
  };
}

/** The lines of an item's tooltip after its name: type and slot, damage/armor, value. */
export function itemDetails(i: ItemView): string[] {
  const lines: string[] = [];
  const rarity = i.rarity.charAt(0).toUpperCase() + i.rarity.slice(1);
  const type = i.type.charAt(0).toUpperCase() + i.type.slice(1);
  lines.push(`${rarity} ${type.toLowerCase()}${i.slot ? " · " + SLOT_LABELS[i.slot] : ""}`);
  if (i.damage > 0) lines.push(`${i.damage} damage`);
  if (i.armor > 0) lines.push(`${i.armor} armor`);
  lines.push(`Worth ${i.value} gold`);
  return lines;
}

/** What a character wears, as item kinds per slot ("" = nothing): Equipment as a plain object. */
export type EquipmentView = Record<SlotName, string>;

export function emptyEquipment(): EquipmentView {
  return { head: "", chest: "", legs: "", feet: "", main_hand: "", off_hand: "" };
}

export function equipmentView(e: Equipment | undefined): EquipmentView {
  if (!e) return emptyEquipment();
  return { head: e.head, chest: e.chest, legs: e.legs, feet: e.feet, main_hand: e.mainHand, off_hand: e.offHand };
}

export function sameEquipment(a: EquipmentView, b: EquipmentView): boolean {
  for (const s of SLOT_NAMES) if (a[s] !== b[s]) return false;
  return true;
}

/** The player's own bag, worn items and gold: the latest Inventory message. */
export class InventoryModel {
  bagSize = 0;
  /** Index = bag slot; null = empty. */
  bag: (ItemView | null)[] = [];
  worn: Record<SlotName, ItemView | null> = { head: null, chest: null, legs: null, feet: null, main_hand: null, off_hand: null };
  gold = 0;
  /** Whether an Inventory message has come yet. */
  known = false;
  /** Bumped on every change, so views redraw only when it moved. */
  version = 0;

  apply(inv: Inventory): void {
    this.bagSize = inv.bagSize;
    const bag: (ItemView | null)[] = new Array<ItemView | null>(inv.bagSize).fill(null);
    for (const b of inv.bag) {
      if (!b.item) continue;
      // a slot beyond bag_size would be a server slip: show it rather than lose the item
      while (bag.length <= b.slot) bag.push(null);
      bag[b.slot] = itemView(b.item);
    }
    this.bag = bag;
    const worn: Record<SlotName, ItemView | null> = { head: null, chest: null, legs: null, feet: null, main_hand: null, off_hand: null };
    for (const w of inv.worn) {
      const s = slotName(w.slot);
      if (s && w.item) worn[s] = itemView(w.item);
    }
    this.worn = worn;
    this.gold = Number(inv.gold);
    this.known = true;
    this.version++;
  }

  /** The bag slot holding the item with this id, or -1. */
  slotOf(itemId: string): number {
    return this.bag.findIndex((i) => i !== null && i.id === itemId);
  }

  freeSlots(): number {
    let n = 0;
    for (let s = 0; s < this.bagSize; s++) if (!this.bag[s]) n++;
    return n;
  }

  toJSON(): { bagSize: number; gold: number; bag: { slot: number; item: ItemView }[]; worn: Record<SlotName, ItemView | null> } {
    const bag: { slot: number; item: ItemView }[] = [];
    this.bag.forEach((item, slot) => { if (item) bag.push({ slot, item }); });
    return { bagSize: this.bagSize, gold: this.gold, bag, worn: { ...this.worn } };
  }
}

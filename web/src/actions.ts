// The in-world requests a player makes, as ClientMessage payloads: one builder per message
// so the keys, clicks, panels and window.__mmo all send the same thing.
import { slotFromName, type SlotName } from "./items";
import type { ClientPayload } from "./net";
import type { OfferInit } from "./trade";

export function useAbility(target: number): ClientPayload {
  return { case: "useAbility", value: { target } };
}

export function equip(bagSlot: number): ClientPayload {
  return { case: "equip", value: { bagSlot } };
}

export function unequip(slot: SlotName): ClientPayload {
  return { case: "unequip", value: { slot: slotFromName(slot) } };
}

export function dropItem(bagSlot: number): ClientPayload {
  return { case: "dropItem", value: { bagSlot } };
}

export function pickUp(entity: number): ClientPayload {
  return { case: "pickUp", value: { entity } };
}

export function tradeInvite(entity: number): ClientPayload {
  return { case: "trade", value: { action: { case: "invite", value: entity } } };
}

export function tradeAccept(): ClientPayload {
  return { case: "trade", value: { action: { case: "accept", value: true } } };
}

export function tradeOffer(offer: OfferInit): ClientPayload {
  return { case: "trade", value: { action: { case: "offer", value: { bagSlots: offer.bagSlots, gold: offer.gold } } } };
}

export function tradeConfirm(): ClientPayload {
  return { case: "trade", value: { action: { case: "confirm", value: true } } };
}

export function tradeCancel(): ClientPayload {
  return { case: "trade", value: { action: { case: "cancel", value: true } } };
}

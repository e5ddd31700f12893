// The world picker of the character creation screen: the server's worlds (from LoginOk, then
// refreshed with ListWorlds) with how full each is.
import type { WorldInfo } from "../protocol";
import { el } from "./dom";

/** What the picker shows for a world: "Aldoria — 12/2000", and "(full)" when it takes nobody. */
export function worldLabel(w: WorldInfo): string {
  return `${w.name} — ${w.population}/${w.capacity}${isFull(w) ? " (full)" : ""}`;
}

export function isFull(w: WorldInfo): boolean {
  return w.capacity > 0 && w.population >= w.capacity;
}

/**
 * The world to select: the one already chosen if it is still listed, else the first that is not
 * full, else the first; "" when the server lists none (the server then picks its first world).
 */
export function defaultWorld(worlds: readonly WorldInfo[], chosen: string): string {
  if (chosen && worlds.some((w) => w.name === chosen)) return chosen;
  return (worlds.find((w) => !isFull(w)) ?? worlds[0])?.name ?? "";
}

/**
 * Fills the picker with the worlds, keeping the player's choice. A full world can still be
 * chosen (a character is created there and enters when a place is free). Hidden when the
 * server lists no worlds.
 */
export function renderWorldPicker(picker: HTMLSelectElement, worlds: readonly WorldInfo[]): void {
  const chosen = defaultWorld(worlds, picker.value);
  picker.replaceChildren(...worlds.map((w) => {
    const o = el("option", undefined, worldLabel(w));
    o.value = w.name;
    return o;
  }));
  picker.value = chosen;
  const field = picker.closest<HTMLElement>(".field");
  if (field) field.hidden = worlds.length === 0;
}

// window.__mmo: a plain object the tests (and curious players) can read; updated every frame
// (and on change for the game state: target, inventory, stats, trade), with functions that
// act in the world as a click or key would (attack, pick up, equip, unequip, trade).
import type { EquipmentView, InventoryModel, ItemView, SlotName } from "./items";
import type { ChannelName, EmoteName } from "./protocol";
import type { TradeView } from "./trade";
import type { StatsView, TargetInfo } from "./ui/frames";

export type AppState = "login" | "characters" | "world" | "disconnected";

export interface DebugEntity {
  id: number;
  kind: "player" | "creature" | "loot";
  name: string;
  /** Where it is drawn now (interpolated), units. */
  x: number;
  y: number;
  emote: EmoteName;
  level: number;
  health: number;
  maxHealth: number;
  dead: boolean;
  /** Players: item kinds worn per slot ("" = nothing). */
  equipment: EquipmentView;
  /** Creatures: content id. */
  creature: string;
  /** Loot: the item, or null for gold. */
  item: ItemView | null;
  gold: number;
}

/** What is drawn as worn on an entity: kinds per slot, and the shape drawn for each worn slot. */
export interface DrawnEquipment extends EquipmentView {
  shapes: Partial<Record<SlotName, string>>;
  /** False when no renderer runs (the shapes are what would be drawn). */
  drawn: boolean;
}

/** What the world session gives the hooks; null outside the world. */
export interface WorldHooks {
  entities(): DebugEntity[];
  equipmentOf(id: number): DrawnEquipment | null;
  screenOf(id: number): { x: number; y: number } | null;
  attack(id: number): void;
  pickUp(id: number): void;
  equip(bagSlot: number): void;
  unequip(slot: SlotName): void;
  drop(bagSlot: number): void;
  target(id: number): void;
  tradeWith(id: number): void;
  tradeAccept(): void;
  tradeOffer(bagSlots: number[], gold: number): void;
  tradeConfirm(): void;
  tradeCancel(): void;
}

/** entities(): callable, and JSON.stringify(window.__mmo) still writes the array. */
export type EntitiesFn = (() => DebugEntity[]) & { toJSON(): DebugEntity[] };

export interface DebugError {
  code: string;
  message: string;
}

export interface DebugChat {
  channel: ChannelName;
  from: string;
  text: string;
}

export interface MmoDebug {
  state: AppState;
  entityId: number;
  /** Predicted own position, units. */
  x: number;
  y: number;
  /** Last authoritative own position from the server, units. */
  serverX: number;
  serverY: number;
  tick: number;
  /** The other entities in view (players, creatures, loot). */
  entities: EntitiesFn;
  fps: number;
  /** Round trip of the last Ping, ms (0 before the first Pong). */
  ping: number;
  dilation: number;
  chat: DebugChat[];
  /** Own emote. */
  emote: EmoteName;
  character: string;
  world: string;
  renderer: string;
  /** Reconciliations that moved the prediction by more than 1/16 unit (mispredictions). */
  corrections: number;
  /** Why the last disconnect happened, if any. */
  disconnect: string;
  /** Cluster mode: the node simulating our region ("" in single-process mode), the region, and node changes seen. */
  node: string;
  region: [number, number];
  handoffs: number;
  /** The current target (may be yourself, kind "self"), or null. */
  target: TargetInfo | null;
  /** The latest Inventory (null before the first). */
  inventory: ReturnType<InventoryModel["toJSON"]> | null;
  /** The latest CharacterStats (null before the first). */
  stats: StatsView | null;
  trade: TradeView | null;
  /** The last errors the server answered in-world requests with, newest last. */
  errors: DebugError[];
  /** What is drawn as worn on entity `id` (the own one too), or null if unknown. */
  equipmentOf(id: number): DrawnEquipment | null;
  /** Where entity `id` is drawn, in the page's CSS pixels (to tap or click it), or null. */
  screenOf(id: number): { x: number; y: number } | null;
  /** Targets entity `id` and uses the class ability on it. */
  attack(id: number): void;
  pickUp(id: number): void;
  equip(bagSlot: number): void;
  unequip(slot: SlotName): void;
  drop(bagSlot: number): void;
  /** Targets entity `id` (0 clears). */
  setTarget(id: number): void;
  tradeWith(id: number): void;
  tradeAccept(): void;
  tradeOffer(bagSlots: number[], gold: number): void;
  tradeConfirm(): void;
  tradeCancel(): void;
}

let hooks: WorldHooks | null = null;

/** The world session plugs its hooks in when it starts and out when it stops. */
export function setWorldHooks(h: WorldHooks | null): void {
  hooks = h;
}

const entities: EntitiesFn = Object.assign(() => hooks?.entities() ?? [], { toJSON: () => hooks?.entities() ?? [] });

export const debug: MmoDebug = {
  state: "login",
  entityId: 0,
  x: 0,
  y: 0,
  serverX: 0,
  serverY: 0,
  tick: 0,
  entities,
  fps: 0,
  ping: 0,
  dilation: 1,
  chat: [],
  emote: "none",
  character: "",
  world: "",
  renderer: "",
  corrections: 0,
  disconnect: "",
  node: "",
  region: [0, 0],
  handoffs: 0,
  target: null,
  inventory: null,
  stats: null,
  trade: null,
  errors: [],
  equipmentOf: (id) => hooks?.equipmentOf(id) ?? null,
  screenOf: (id) => hooks?.screenOf(id) ?? null,
  attack: (id) => hooks?.attack(id),
  pickUp: (id) => hooks?.pickUp(id),
  equip: (slot) => hooks?.equip(slot),
  unequip: (slot) => hooks?.unequip(slot),
  drop: (slot) => hooks?.drop(slot),
  setTarget: (id) => hooks?.target(id),
  tradeWith: (id) => hooks?.tradeWith(id),
  tradeAccept: () => hooks?.tradeAccept(),
  tradeOffer: (slots, gold) => hooks?.tradeOffer(slots, gold),
  tradeConfirm: () => hooks?.tradeConfirm(),
  tradeCancel: () => hooks?.tradeCancel(),
};

declare global {
  interface Window {
    __mmo: MmoDebug;
  }
}

if (typeof window !== "undefined") window.__mmo = debug;

export function resetWorldDebug(): void {
  debug.entityId = 0;
  debug.x = debug.y = debug.serverX = debug.serverY = 0;
  debug.tick = 0;
  debug.fps = 0;
  debug.dilation = 1;
  debug.emote = "none";
  debug.corrections = 0;
  debug.character = "";
  debug.world = "";
  debug.node = "";
  debug.region = [0, 0];
  debug.handoffs = 0;
  debug.target = null;
  debug.inventory = null;
  debug.stats = null;
  debug.trade = null;
  debug.errors = [];
  hooks = null;
}

// window.__mmo: a plain object the tests (and curious players) can read; updated every frame.
import type { ChannelName, EmoteName } from "./protocol";

export type AppState = "login" | "characters" | "world" | "disconnected";

export interface DebugEntity {
  id: number;
  name: string;
  x: number;
  y: number;
  emote: EmoteName;
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
  entities: DebugEntity[];
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
}

export const debug: MmoDebug = {
  state: "login",
  entityId: 0,
  x: 0,
  y: 0,
  serverX: 0,
  serverY: 0,
  tick: 0,
  entities: [],
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
  debug.entities = [];
  debug.fps = 0;
  debug.dilation = 1;
  debug.emote = "none";
  debug.corrections = 0;
  debug.character = "";
  debug.world = "";
  debug.node = "";
  debug.region = [0, 0];
  debug.handoffs = 0;
}

// The admin dashboard's state, built from the server's AdminFeed messages: pure logic (no DOM),
// so it is tested on its own (test/admin.test.ts). main.ts draws it.
import { POSITION_SCALE, channelName, type AdminFeed, type AdminChatLine } from "../protocol";

/** A player as the map shows it: a dot at (x, y) units, coloured by region (one node) or node (a cluster). */
export interface Dot {
  id: number;
  name: string;
  account: string;
  world: string;
  x: number;
  y: number;
  region: number;
  node: string;
  color: string;
}

export interface ChatLine {
  channel: string;
  from: string;
  account: string;
  text: string;
  tick: number;
  world: string;
  to: string;
  timeMs: number;
}

export interface RegionBar {
  world: string;
  index: number;
  node: string;
  players: number;
  lastUs: number;
  meanUs: number;
}

/** Most chat lines the moderation panel keeps. */
export const MAX_CHAT = 200;

/**
 * Nine colours far apart, bright on the dark map, ordered so that neighbours in the list (and
 * first and last) look nothing alike.
 */
export const PALETTE = ["#ff6b6b", "#4dabf7", "#ffd43b", "#cc5de8", "#51cf66", "#ff922b", "#22d3ee", "#f783ac",
  "#f1f3f5"] as const;

/**
 * The colour of a region (by index) or node (by nodeKey). Regions side by side (index ± 1) and,
 * on a grid of 8 or 10 columns, one above the other (index ± columns, ≡ ∓1 or ±1 mod 9) differ.
 */
export function paletteColor(key: number): string {
  return PALETTE[key % PALETTE.length];
}

/** A stable small number for a node name, for its colour. */
export function nodeKey(node: string): number {
  let h = 0;
  for (let i = 0; i < node.length; i++) h = (h * 31 + node.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** Whether the feed comes from a cluster (node names given; then dots are coloured by node). */
export function isCluster(nodes: Iterable<string>): boolean {
  const seen = new Set<string>();
  for (const n of nodes) if (n !== "") seen.add(n);
  return seen.size > 0; // one process says "" everywhere
}

export class DashboardState {
  dots: Dot[] = [];
  regions: RegionBar[] = [];
  worlds: AdminFeed["worlds"] = [];
  /** Players online over time: [epoch seconds], [players]. */
  online: { t: number[]; n: number[] } = { t: [], n: [] };
  chat: ChatLine[] = [];
  node = "";
  tick = 0;
  feeds = 0;

  /**
   * Takes one feed in: the picture is replaced, the history and chat appended to; a feed with
   * the full history (the first after subscribing, again after a reconnect) starts both afresh.
   */
  apply(f: AdminFeed): void {
    this.feeds++;
    this.tick = f.tick;
    this.node = f.node;
    this.worlds = f.worlds;
    const byNode = isCluster([f.node, ...f.players.map((p) => p.node), ...f.regions.map((r) => r.node)]);
    this.dots = f.players.map((p) => ({
      id: p.entityId,
      name: p.name,
      account: p.account,
      world: p.world,
      x: p.x / POSITION_SCALE,
      y: p.y / POSITION_SCALE,
      region: p.region,
      node: p.node,
      color: byNode ? paletteColor(nodeKey(p.node)) : paletteColor(p.region),
    }));
    this.regions = f.regions.map((r) => ({
      world: r.world, index: r.index, node: r.node, players: r.players, lastUs: r.lastUs, meanUs: r.meanUs,
    }));
    if (f.fullHistory) {
      this.online = { t: [], n: [] };
      this.chat = []; // it carries the recent lines again
    }
    for (const s of f.online) {
      this.online.t.push(Number(s.timeMs) / 1000);
      this.online.n.push(s.players);
    }
    for (const c of f.chat) this.chat.push(chatLine(c));
    if (this.chat.length > MAX_CHAT) this.chat.splice(0, this.chat.length - MAX_CHAT);
  }

  /**
   * The online chart's series: the samples, plus "now" (the players in the worlds at this feed)
   * so the line reaches the present between samples.
   */
  onlineSeries(nowMs: number): [number[], number[]] {
    const t = [...this.online.t], n = [...this.online.n];
    const now = nowMs / 1000;
    if (this.worlds.length > 0 && (t.length === 0 || now > t[t.length - 1])) {
      t.push(now);
      n.push(this.worlds.reduce((sum, w) => sum + w.players, 0));
    }
    return [t, n];
  }

  /**
   * The tick-time chart's bars: the regions with players (others take no time), by index, as
   * [bar positions], [mean µs], with labels "world #index"; at most `max` of them, busiest first.
   */
  regionSeries(max = 32): { x: number[]; mean: number[]; labels: string[]; colors: string[] } {
    const busy = this.regions.filter((r) => r.players > 0)
      .sort((a, b) => b.meanUs - a.meanUs || a.index - b.index).slice(0, max)
      .sort((a, b) => (a.world === b.world ? a.index - b.index : a.world < b.world ? -1 : 1));
    const multiWorld = new Set(busy.map((r) => r.world)).size > 1;
    return {
      x: busy.map((_, i) => i),
      mean: busy.map((r) => Math.max(r.meanUs, r.lastUs > 0 ? 1 : 0)),
      labels: busy.map((r) => (multiWorld ? `${r.world} #${r.index}` : `#${r.index}`)),
      colors: busy.map((r) => paletteColor(this.dots.some((d) => d.node !== "") ? nodeKey(r.node) : r.index)),
    };
  }

  /** The dot nearest (x, y) units within `radius` units, or undefined. */
  dotNear(x: number, y: number, radius: number, world?: string): Dot | undefined {
    let best: Dot | undefined;
    let bestD = radius;
    for (const d of this.dots) {
      if (world && d.world !== world) continue;
      const dist = Math.hypot(d.x - x, d.y - y);
      if (dist <= bestD) {
        best = d;
        bestD = dist;
      }
    }
    return best;
  }
}

export function chatLine(c: AdminChatLine): ChatLine {
  return {
    channel: channelName(c.channel), from: c.from, account: c.account, text: c.text, tick: c.tick,
    world: c.world, to: c.to, timeMs: Number(c.timeMs),
  };
}

/** "10m", "2h", "1d", "30s", "0" (for good) -> seconds; NaN when it does not parse. */
export function parseDuration(s: string): number {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(s);
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = (m[2] || "s").toLowerCase();
  return n * ({ s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[unit];
}

/** "12.5, 40" or "12.5 40" -> [x, y] units; undefined when it does not parse. */
export function parsePoint(s: string): [number, number] | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(s);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

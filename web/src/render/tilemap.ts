// The tile map, drawn in chunks of CHUNK x CHUNK tiles. A chunk is built the first time it
// comes into view (sprites of every tile layer, cached as one texture where the renderer
// supports it) and only chunks within the view are on the stage.
import { Assets, Container, Graphics, Rectangle, Sprite, Texture } from "pixi.js";
import { resolveRelative, type GameMap, type Tileset } from "../map";

export const CHUNK = 32;
/** Built chunks kept off stage before the least recently seen are destroyed. */
const KEEP_CHUNKS = 48;

interface LoadedTileset {
  ts: Tileset;
  base: Texture | null;
  frames: Map<number, Texture>;
}

/** A stable fallback colour for a gid when the tileset image could not be loaded. */
function fallbackColor(gid: number, blocked: boolean): number {
  if (blocked) return 0x3b3530;
  const palette = [0x3f6b34, 0x4a7a3a, 0x57864a, 0x6e6a4a, 0x2f5a7a, 0x7a6a40];
  return palette[gid % palette.length]!;
}

export class TileMapView {
  readonly container = new Container();
  /** Built chunks by key, in order of last use (a Map keeps insertion order). */
  private readonly chunks = new Map<number, Container>();
  private readonly tilesets: LoadedTileset[] = [];
  private readonly cols: number;
  private readonly rows: number;

  private constructor(private readonly map: GameMap, private readonly cache: boolean) {
    this.cols = Math.ceil(map.width / CHUNK);
    this.rows = Math.ceil(map.height / CHUNK);
  }

  /** Loads the tileset images (relative to mapUrl); a missing image falls back to flat colours. */
  static async create(map: GameMap, mapUrl: string, cacheChunks: boolean): Promise<TileMapView> {
    const view = new TileMapView(map, cacheChunks);
    for (const ts of map.tilesets) {
      let base: Texture | null = null;
      if (ts.image) {
        try {
          base = await Assets.load<Texture>(resolveRelative(mapUrl, ts.image));
          base.source.scaleMode = "nearest";
        } catch (e) {
          console.warn(`tileset image ${ts.image} did not load; drawing flat colours`, e);
        }
      }
      view.tilesets.push({ ts, base, frames: new Map() });
    }
    return view;
  }

  private frame(gid: number): Texture | null {
    let found: LoadedTileset | undefined;
    for (const t of this.tilesets) if (t.ts.firstgid <= gid && (!found || t.ts.firstgid > found.ts.firstgid)) found = t;
    if (!found || !found.base) return null;
    let tex = found.frames.get(gid);
    if (!tex) {
      const ts = found.ts;
      const local = gid - ts.firstgid;
      const col = local % ts.columns, row = Math.floor(local / ts.columns);
      const x = ts.margin + col * (ts.tileWidth + ts.spacing);
      const y = ts.margin + row * (ts.tileHeight + ts.spacing);
      if (x + ts.tileWidth > found.base.width || y + ts.tileHeight > found.base.height) return null;
      tex = new Texture({ source: found.base.source, frame: new Rectangle(x, y, ts.tileWidth, ts.tileHeight) });
      found.frames.set(gid, tex);
    }
    return tex;
  }

  private buildChunk(cx: number, cy: number): Container {
    const map = this.map;
    const tw = map.tileWidth, th = map.tileHeight;
    const c = new Container();
    c.position.set(cx * CHUNK * tw, cy * CHUNK * th);
    const x0 = cx * CHUNK, y0 = cy * CHUNK;
    const x1 = Math.min(map.width, x0 + CHUNK), y1 = Math.min(map.height, y0 + CHUNK);
    let fallback: Graphics | null = null;
    for (const layer of map.layers) {
      if (!layer.visible) continue;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const gid = layer.data[y * map.width + x]!;
          if (gid === 0) continue;
          const tex = this.frame(gid);
          if (tex) {
            const s = new Sprite(tex);
            s.position.set((x - x0) * tw, (y - y0) * th);
            if (layer.opacity < 1) s.alpha = layer.opacity;
            c.addChild(s);
          } else {
            fallback ??= c.addChild(new Graphics());
            fallback.rect((x - x0) * tw, (y - y0) * th, tw, th).fill(fallbackColor(gid, map.isBlocked(x, y)));
          }
        }
      }
    }
    if (this.cache) c.cacheAsTexture({ scaleMode: "nearest", resolution: 1 });
    return c;
  }

  /** Puts on stage exactly the chunks that overlap the given rectangle (map pixels). */
  showArea(left: number, top: number, right: number, bottom: number): void {
    const cw = CHUNK * this.map.tileWidth, ch = CHUNK * this.map.tileHeight;
    const cx0 = Math.max(0, Math.floor(left / cw)), cx1 = Math.min(this.cols - 1, Math.floor(right / cw));
    const cy0 = Math.max(0, Math.floor(top / ch)), cy1 = Math.min(this.rows - 1, Math.floor(bottom / ch));
    for (const [key, c] of this.chunks) {
      const cx = key % this.cols, cy = Math.floor(key / this.cols);
      const visible = cx >= cx0 && cx <= cx1 && cy >= cy0 && cy <= cy1;
      if (!visible && c.parent) this.container.removeChild(c);
    }
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const key = cy * this.cols + cx;
        let c = this.chunks.get(key);
        if (c) {
          this.chunks.delete(key); // re-inserted below: most recently used last
        } else {
          c = this.buildChunk(cx, cy);
        }
        this.chunks.set(key, c);
        if (!c.parent) this.container.addChild(c);
      }
    }
    // Walking across a large map would otherwise keep every chunk (and its texture) alive.
    if (this.chunks.size > KEEP_CHUNKS) {
      for (const [key, c] of this.chunks) {
        if (this.chunks.size <= KEEP_CHUNKS) break;
        if (c.parent) continue;
        this.chunks.delete(key);
        c.destroy({ children: true });
      }
    }
  }

  /** Chunks currently on stage (for the HUD / tests). */
  get visibleChunks(): number {
    return this.container.children.length;
  }

  destroy(): void {
    for (const c of this.chunks.values()) c.destroy({ children: true });
    this.chunks.clear();
    this.container.destroy();
    for (const t of this.tilesets) for (const f of t.frames.values()) f.destroy(false);
  }
}

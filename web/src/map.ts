// Tiled JSON (.tmj) maps: tile layers (CSV arrays or base64, optionally zlib/gzip), an
// embedded tileset with per-tile properties, the object layer of spawns, and the collision
// grid the server moves players against (a tile blocks if its tileset tile has collides=true
// in any layer).

/** Tiled stores flip flags in the top bits of a gid. */
const GID_MASK = 0x1fffffff;

export interface Tileset {
  firstgid: number;
  name: string;
  tileWidth: number;
  tileHeight: number;
  tileCount: number;
  columns: number;
  /** Image path as written in the map (relative to the map file). */
  image: string;
  imageWidth: number;
  imageHeight: number;
  margin: number;
  spacing: number;
  /** Local tile ids (gid - firstgid) with the property collides=true. */
  collides: Set<number>;
}

export interface TileLayer {
  name: string;
  visible: boolean;
  opacity: number;
  /** Global tile ids (flip flags cleared), row-major, width * height. */
  data: Uint32Array;
}

export interface MapObject {
  name: string;
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

export class GameMap {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly tileWidth: number,
    readonly tileHeight: number,
    readonly layers: TileLayer[],
    readonly tilesets: Tileset[],
    readonly objects: MapObject[],
    /** 1 where a tile blocks movement. */
    readonly blocked: Uint8Array,
  ) {}

  /** Whether tile (tx, ty) blocks; outside the map counts as blocked. */
  isBlocked(tx: number, ty: number): boolean {
    if (tx < 0 || ty < 0 || tx >= this.width || ty >= this.height) return true;
    return this.blocked[ty * this.width + tx] === 1;
  }

  /** The tileset a gid belongs to (the one with the greatest firstgid <= gid). */
  tilesetFor(gid: number): Tileset | undefined {
    let found: Tileset | undefined;
    for (const ts of this.tilesets) {
      if (ts.firstgid <= gid && (!found || ts.firstgid > found.firstgid)) found = ts;
    }
    return found;
  }
}

export class MapFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MapFormatError";
  }
}

type Json = Record<string, unknown>;

function num(o: Json, key: string, fallback?: number): number {
  const v = o[key];
  if (typeof v === "number") return v;
  if (fallback !== undefined) return fallback;
  throw new MapFormatError(`map: missing number '${key}'`);
}

function propertiesOf(o: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = o["properties"];
  if (Array.isArray(props)) {
    for (const p of props as Json[]) {
      if (typeof p["name"] === "string") out[p["name"]] = p["value"];
    }
  }
  return out;
}

function base64ToBytes(s: string): Uint8Array {
  const bin = atob(s.replace(/\s+/g, ""));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** zlib ('deflate') or gzip through the platform's DecompressionStream. */
export async function inflate(bytes: Uint8Array, format: "deflate" | "gzip"): Promise<Uint8Array> {
  if (typeof DecompressionStream === "undefined") {
    throw new MapFormatError("this browser cannot decompress map layers (no DecompressionStream)");
  }
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function layerData(layer: Json, count: number): Promise<Uint32Array> {
  const data = layer["data"];
  const out = new Uint32Array(count);
  if (Array.isArray(data)) {
    if (data.length !== count) throw new MapFormatError(`map: layer '${String(layer["name"])}' has ${data.length} tiles, expected ${count}`);
    for (let i = 0; i < count; i++) out[i] = ((data[i] as number) >>> 0) & GID_MASK;
    return out;
  }
  if (typeof data !== "string") throw new MapFormatError(`map: layer '${String(layer["name"])}' has no data`);
  const encoding = layer["encoding"] ?? "csv";
  if (encoding === "csv") {
    const parts = data.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
    if (parts.length !== count) throw new MapFormatError(`map: layer '${String(layer["name"])}' has ${parts.length} tiles, expected ${count}`);
    for (let i = 0; i < count; i++) out[i] = (Number(parts[i]) >>> 0) & GID_MASK;
    return out;
  }
  if (encoding !== "base64") throw new MapFormatError(`map: unknown layer encoding '${String(encoding)}'`);
  let bytes = base64ToBytes(data);
  const compression = layer["compression"] ?? "";
  if (compression === "zlib") bytes = await inflate(bytes, "deflate");
  else if (compression === "gzip") bytes = await inflate(bytes, "gzip");
  else if (compression !== "") throw new MapFormatError(`map: unsupported layer compression '${String(compression)}'`);
  if (bytes.length !== count * 4) throw new MapFormatError(`map: layer '${String(layer["name"])}' has ${bytes.length} bytes, expected ${count * 4}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, true) & GID_MASK;
  return out;
}

function parseTileset(t: Json): Tileset {
  if (typeof t["source"] === "string") {
    throw new MapFormatError("map: external tilesets are not supported; embed the tileset");
  }
  const collides = new Set<number>();
  const tiles = t["tiles"];
  if (Array.isArray(tiles)) {
    for (const tile of tiles as Json[]) {
      if (propertiesOf(tile)["collides"] === true) collides.add(num(tile, "id"));
    }
  }
  const tileWidth = num(t, "tilewidth", 16);
  const imageWidth = num(t, "imagewidth", 0);
  const margin = num(t, "margin", 0);
  const spacing = num(t, "spacing", 0);
  const columns = num(t, "columns", imageWidth > 0 ? Math.floor((imageWidth - 2 * margin + spacing) / (tileWidth + spacing)) : 1);
  return {
    firstgid: num(t, "firstgid"),
    name: typeof t["name"] === "string" ? t["name"] : "",
    tileWidth,
    tileHeight: num(t, "tileheight", 16),
    tileCount: num(t, "tilecount", 0),
    columns: Math.max(1, columns),
    image: typeof t["image"] === "string" ? t["image"] : "",
    imageWidth,
    imageHeight: num(t, "imageheight", 0),
    margin,
    spacing,
    collides,
  };
}

/** Parses a .tmj document (already JSON-parsed or as text). */
export async function parseTmj(input: string | Json): Promise<GameMap> {
  const doc: Json = typeof input === "string" ? (JSON.parse(input) as Json) : input;
  if (doc["infinite"] === true) throw new MapFormatError("map: infinite maps are not supported");
  const width = num(doc, "width");
  const height = num(doc, "height");
  const count = width * height;
  const tilesets = Array.isArray(doc["tilesets"]) ? (doc["tilesets"] as Json[]).map(parseTileset) : [];
  tilesets.sort((a, b) => a.firstgid - b.firstgid);
  const layers: TileLayer[] = [];
  const objects: MapObject[] = [];

  const visit = async (list: Json[]) => {
    for (const layer of list) {
      const type = layer["type"];
      if (type === "tilelayer") {
        layers.push({
          name: typeof layer["name"] === "string" ? layer["name"] : "",
          visible: layer["visible"] !== false,
          opacity: num(layer, "opacity", 1),
          data: await layerData(layer, count),
        });
      } else if (type === "objectgroup" && Array.isArray(layer["objects"])) {
        for (const o of layer["objects"] as Json[]) {
          objects.push({
            name: typeof o["name"] === "string" ? o["name"] : "",
            type: typeof o["type"] === "string" ? o["type"] : typeof o["class"] === "string" ? (o["class"] as string) : "",
            x: num(o, "x", 0),
            y: num(o, "y", 0),
            width: num(o, "width", 0),
            height: num(o, "height", 0),
            properties: propertiesOf(o),
          });
        }
      } else if (type === "group" && Array.isArray(layer["layers"])) {
        await visit(layer["layers"] as Json[]);
      }
    }
  };
  await visit(Array.isArray(doc["layers"]) ? (doc["layers"] as Json[]) : []);

  const map = new GameMap(width, height, num(doc, "tilewidth", 16), num(doc, "tileheight", 16),
    layers, tilesets, objects, new Uint8Array(count));
  // A lookup table of colliding gids keeps this fast on large maps (1024 x 1024 x 2 layers).
  let maxGid = 0;
  for (const ts of tilesets) for (const local of ts.collides) maxGid = Math.max(maxGid, ts.firstgid + local);
  const collidingGid = new Uint8Array(maxGid + 1);
  for (let gid = 1; gid <= maxGid; gid++) {
    const ts = map.tilesetFor(gid);
    if (ts && ts.collides.has(gid - ts.firstgid)) collidingGid[gid] = 1;
  }
  for (const layer of layers) {
    const data = layer.data;
    for (let i = 0; i < count; i++) {
      const gid = data[i]!;
      if (gid !== 0 && gid <= maxGid && collidingGid[gid] === 1) map.blocked[i] = 1;
    }
  }
  return map;
}

/** Resolves a tileset image path against the map's URL ("/maps/world.tmj" + "tiles.png" -> "/maps/tiles.png"). */
export function resolveRelative(mapUrl: string, relative: string): string {
  if (/^([a-z]+:)?\//i.test(relative)) return relative;
  const base = mapUrl.slice(0, mapUrl.lastIndexOf("/") + 1);
  const parts = (base + relative).split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "..") out.pop();
    else if (p !== ".") out.push(p);
  }
  return out.join("/");
}

export async function loadMap(url: string): Promise<GameMap> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load the map ${url}: HTTP ${res.status}`);
  return parseTmj((await res.json()) as Json);
}

import { deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MapFormatError, parseTmj, resolveRelative } from "../src/map";

const W = 4, H = 3;
// gid 1 = grass, gid 2 = wall (collides), gid 3 = water (collides), gid 4 = flower
const GROUND = [1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1];
const OBSTACLES = [0, 0, 2, 0, 0, 0, 0, 4, 0, 0, 0, 0];
const TILESET = {
  firstgid: 1, name: "tiles", tilewidth: 16, tileheight: 16, tilecount: 4, columns: 4,
  image: "tiles.png", imagewidth: 64, imageheight: 16, margin: 0, spacing: 0,
  tiles: [
    { id: 1, properties: [{ name: "collides", type: "bool", value: true }] },
    { id: 2, properties: [{ name: "collides", type: "bool", value: true }, { name: "kind", type: "string", value: "water" }] },
    { id: 3, properties: [{ name: "collides", type: "bool", value: false }] },
  ],
};
const SPAWNS = {
  id: 3, name: "spawns", type: "objectgroup", objects: [
    { id: 1, name: "Warriors", type: "home", x: 16, y: 0, width: 32, height: 16, properties: [{ name: "class", type: "string", value: "warrior" }] },
  ],
};

function bytesOf(gids: number[]): Buffer {
  const b = Buffer.alloc(gids.length * 4);
  gids.forEach((g, i) => b.writeUInt32LE(g >>> 0, i * 4));
  return b;
}

function doc(ground: object, obstacles: object) {
  return {
    width: W, height: H, tilewidth: 16, tileheight: 16, infinite: false, orientation: "orthogonal",
    layers: [
      { id: 1, name: "ground", type: "tilelayer", width: W, height: H, visible: true, opacity: 1, ...ground },
      { id: 2, name: "obstacles", type: "tilelayer", width: W, height: H, visible: true, opacity: 1, ...obstacles },
      SPAWNS,
    ],
    tilesets: [TILESET],
  };
}

function expectParsed(map: Awaited<ReturnType<typeof parseTmj>>) {
  expect(map.width).toBe(W);
  expect(map.height).toBe(H);
  expect(map.layers.map((l) => l.name)).toEqual(["ground", "obstacles"]);
  expect([...map.layers[0]!.data]).toEqual(GROUND);
  expect([...map.layers[1]!.data]).toEqual(OBSTACLES);
  // Blocked: the wall in obstacles (2,0) and the water in ground (1,1); the flower is not.
  const blocked: string[] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (map.isBlocked(x, y)) blocked.push(`${x},${y}`);
  expect(blocked).toEqual(["2,0", "1,1"]);
  expect(map.isBlocked(-1, 0)).toBe(true);
  expect(map.isBlocked(W, 0)).toBe(true);
  expect(map.tilesets[0]!.columns).toBe(4);
  expect(map.objects).toEqual([
    { name: "Warriors", type: "home", x: 16, y: 0, width: 32, height: 16, properties: { class: "warrior" } },
  ]);
}

describe("parseTmj", () => {
  it("reads CSV arrays (Tiled's JSON default)", async () => {
    expectParsed(await parseTmj(JSON.stringify(doc({ data: GROUND }, { data: OBSTACLES }))));
  });

  it("reads CSV strings", async () => {
    expectParsed(await parseTmj(doc({ encoding: "csv", data: GROUND.join(",") }, { encoding: "csv", data: OBSTACLES.join(",\n") })));
  });

  it("reads base64 + zlib", async () => {
    expectParsed(await parseTmj(doc(
      { encoding: "base64", compression: "zlib", data: deflateSync(bytesOf(GROUND)).toString("base64") },
      { encoding: "base64", compression: "zlib", data: deflateSync(bytesOf(OBSTACLES)).toString("base64") },
    )));
  });

  it("reads base64 + gzip and uncompressed base64", async () => {
    expectParsed(await parseTmj(doc(
      { encoding: "base64", compression: "gzip", data: gzipSync(bytesOf(GROUND)).toString("base64") },
      { encoding: "base64", data: bytesOf(OBSTACLES).toString("base64") },
    )));
  });

  it("clears Tiled's flip flags from gids", async () => {
    const flipped = OBSTACLES.map((g) => (g === 2 ? (g | 0x80000000) >>> 0 : g));
    const map = await parseTmj(doc({ data: GROUND }, { encoding: "base64", data: bytesOf(flipped).toString("base64") }));
    expect(map.layers[1]!.data[2]).toBe(2);
    expect(map.isBlocked(2, 0)).toBe(true);
  });

  it("rejects a layer of the wrong size and unknown compression", async () => {
    await expect(parseTmj(doc({ data: [1, 2] }, { data: OBSTACLES }))).rejects.toBeInstanceOf(MapFormatError);
    await expect(parseTmj(doc({ encoding: "base64", compression: "zstd", data: "AAAA" }, { data: OBSTACLES })))
      .rejects.toThrow(/compression/);
  });
});

describe("resolveRelative", () => {
  it("resolves the tileset image next to the map", () => {
    expect(resolveRelative("/maps/world.tmj", "tiles.png")).toBe("/maps/tiles.png");
    expect(resolveRelative("/maps/sub/world.tmj", "../tiles.png")).toBe("/maps/tiles.png");
    expect(resolveRelative("/maps/world.tmj", "/img/t.png")).toBe("/img/t.png");
  });
});

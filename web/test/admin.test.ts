import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { AdminFeedSchema, ChatChannel } from "../src/protocol";
import { DashboardState, isCluster, paletteColor, parseDuration, parsePoint } from "../src/admin/feed";

function feed(init: Parameters<typeof create<typeof AdminFeedSchema>>[1]) {
  return create(AdminFeedSchema, init);
}

const world = { name: "Eldoria", map: "/maps/world.tmj", players: 3, tickP50Ms: 1, tickP99Ms: 2, timeDilation: 1,
  regionSize: 64, regionCols: 16, regionRows: 16 };

describe("the admin dashboard's state", () => {
  it("a second full-history feed (after a reconnect) starts the chat and the history afresh", () => {
    const s = new DashboardState();
    const line = { channel: ChatChannel.SAY, from: "Annie", account: "ann", text: "hi", world: "Eldoria", timeMs: 1000n };
    const first = () => feed({ worlds: [world], fullHistory: true, online: [{ timeMs: 1000n, players: 3 }], chat: [line] });
    s.apply(first());
    s.apply(feed({ worlds: [world], chat: [{ ...line, text: "again" }] }));
    expect(s.chat.map((c) => c.text)).toEqual(["hi", "again"]);
    s.apply(first());
    expect(s.chat.map((c) => c.text)).toEqual(["hi"]);
    expect(s.onlineSeries(0)[0]).toEqual([1]);
  });

  it("turns players into dots in units, coloured by region on one node", () => {
    const s = new DashboardState();
    s.apply(feed({
      worlds: [world],
      players: [
        { entityId: 100, name: "Annie", account: "ann", world: "Eldoria", x: 16 * 10, y: 16 * 20.5, region: 0 },
        { entityId: 101, name: "Bobby", account: "bob", world: "Eldoria", x: 16 * 70, y: 16 * 3, region: 1 },
        { entityId: 102, name: "Cara", account: "cara", world: "Eldoria", x: 16 * 12, y: 16 * 22, region: 0 },
      ],
    }));
    expect(s.dots.map((d) => [d.name, d.x, d.y])).toEqual([["Annie", 10, 20.5], ["Bobby", 70, 3], ["Cara", 12, 22]]);
    expect(s.dots[0].color).toBe(paletteColor(0));
    expect(s.dots[0].color).toBe(s.dots[2].color); // same region, same colour
    expect(s.dots[1].color).not.toBe(s.dots[0].color);
    expect(s.dotNear(11, 21, 3)?.name).toBe("Annie");
    expect(s.dotNear(40, 40, 3)).toBeUndefined();
  });

  it("colours by node in a cluster", () => {
    expect(isCluster(["", ""])).toBe(false);
    expect(isCluster(["node-1", "node-2"])).toBe(true);
    const s = new DashboardState();
    s.apply(feed({
      node: "node-1", worlds: [world],
      players: [
        { name: "A", x: 0, y: 0, region: 0, node: "node-1" },
        { name: "B", x: 0, y: 0, region: 5, node: "node-1" },
        { name: "C", x: 0, y: 0, region: 0, node: "node-2" },
      ],
    }));
    expect(s.dots[0].color).toBe(s.dots[1].color); // same node, different regions
    expect(s.dots[2].color).not.toBe(s.dots[0].color);
  });

  it("keeps the online history (replaced by a full one, appended to otherwise) and adds now", () => {
    const s = new DashboardState();
    s.apply(feed({ worlds: [world], fullHistory: true, online: [{ timeMs: 10_000n, players: 1 }, { timeMs: 20_000n, players: 2 }] }));
    s.apply(feed({ worlds: [world], online: [{ timeMs: 30_000n, players: 3 }] }));
    expect(s.online).toEqual({ t: [10, 20, 30], n: [1, 2, 3] });
    expect(s.onlineSeries(35_000)).toEqual([[10, 20, 30, 35], [1, 2, 3, 3]]);
    s.apply(feed({ worlds: [world], fullHistory: true, online: [{ timeMs: 40_000n, players: 0 }] }));
    expect(s.online).toEqual({ t: [40], n: [0] });
  });

  it("makes bars of the regions with players, labelled by index", () => {
    const s = new DashboardState();
    s.apply(feed({ worlds: [world], regions: [
      { world: "Eldoria", index: 0, players: 2, lastUs: 3, meanUs: 4 },
      { world: "Eldoria", index: 1, players: 0, lastUs: 0, meanUs: 0 },
      { world: "Eldoria", index: 7, players: 1, lastUs: 1, meanUs: 0 },
    ] }));
    expect(s.regionSeries()).toEqual({ x: [0, 1], mean: [4, 1], labels: ["#0", "#7"],
      colors: [paletteColor(0), paletteColor(7)] }); // a bar has its region's dot colour
  });

  it("appends chat lines, newest last, at most MAX_CHAT", () => {
    const s = new DashboardState();
    s.apply(feed({ worlds: [world], chat: [{ channel: ChatChannel.SAY, from: "Annie", account: "ann", text: "hi", tick: 5 }] }));
    s.apply(feed({ worlds: [world], chat: [{ channel: ChatChannel.WHISPER, from: "Bobby", to: "Annie", text: "psst", tick: 9 }] }));
    expect(s.chat.map((c) => [c.channel, c.from, c.text])).toEqual([["say", "Annie", "hi"], ["whisper", "Bobby", "psst"]]);
    for (let i = 0; i < 300; i++) s.apply(feed({ chat: [{ from: "X", text: String(i) }] }));
    expect(s.chat.length).toBe(200);
    expect(s.chat[199].text).toBe("299");
  });

  it("parses durations and points", () => {
    expect(parseDuration("10m")).toBe(600);
    expect(parseDuration("1d")).toBe(86400);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration("ten")).toBeNaN();
    expect(parsePoint("12.5, 40")).toEqual([12.5, 40]);
    expect(parsePoint("3 4")).toEqual([3, 4]);
    expect(parsePoint("x")).toBeUndefined();
  });
});

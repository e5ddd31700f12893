// A fake WebSocket and a small in-memory server behind it, for tests of the screens and the
// in-world UI (happy-dom). Frames are real protobuf bytes both ways.
import { readFileSync } from "node:fs";
import { URL as NodeURL } from "node:url";
import { create } from "@bufbuild/protobuf";
import { ServerMessageSchema, decodeClient, encodeServer, type ClientMessage } from "../src/protocol";

export type Reply = (m: ClientMessage, s: FakeWebSocket) => void;

export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  static server: Reply = () => {};
  binaryType = "blob";
  readyState = 0;
  sent: ClientMessage[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.({});
    }, 0);
  }
  send(data: Uint8Array) {
    const m = decodeClient(data);
    this.sent.push(m);
    if (m.msg.case === "hello") {
      this.push({ rid: m.rid, msg: { case: "welcome", value: { protocolVersion: 2, server: "fake", tickRate: 20 } } });
      return;
    }
    FakeWebSocket.server(m, this);
  }
  push(init: object) {
    const b = encodeServer(create(ServerMessageSchema, init as never));
    setTimeout(() => this.onmessage?.({ data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) }), 0);
  }
  close(code = 1000, reason = "") {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 0);
  }
  of(kind: string): ClientMessage[] {
    return this.sent.filter((m) => m.msg.case === kind);
  }
  static get last(): FakeWebSocket {
    return FakeWebSocket.instances[FakeWebSocket.instances.length - 1]!;
  }
}

/** The page's body from index.html, without its script. */
export function pageBody(): string {
  const html = readFileSync(new NodeURL("../index.html", import.meta.url), "utf8");
  const bodyStart = html.indexOf(">", html.indexOf("<body")) + 1;
  return html.slice(bodyStart, html.indexOf("</body>")).replace(/<script[\s\S]*?<\/script>/g, "");
}

/** A 16 x 16 open map. */
export const TEST_MAP = JSON.stringify({
  width: 16, height: 16, tilewidth: 16, tileheight: 16,
  layers: [{ name: "ground", type: "tilelayer", width: 16, height: 16, data: new Array(256).fill(1) }],
  tilesets: [{ firstgid: 1, name: "t", tilewidth: 16, tileheight: 16, tilecount: 1, columns: 1, image: "tiles.png",
    imagewidth: 16, imageheight: 16 }],
});

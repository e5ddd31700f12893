import { create } from "@bufbuild/protobuf";
import { describe, expect, it, vi } from "vitest";
import { Connection, ConnectionClosedError, ServerError, gameSocketUrl, type SocketLike } from "../src/net";
import {
  DisconnectReason, ErrorCode, PROTOCOL_VERSION, ServerMessageSchema, decodeClient, encodeServer,
  type ClientMessage, type ServerMessage,
} from "../src/protocol";

/** A fake server end: records what the client sends, answers with `reply`. */
class FakeSocket implements SocketLike {
  binaryType = "blob";
  readyState = 0;
  sent: ClientMessage[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  reply: (m: ClientMessage, s: FakeSocket) => void = () => {};

  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  send(data: Uint8Array) {
    const m = decodeClient(data);
    this.sent.push(m);
    this.reply(m, this);
  }
  push(m: ServerMessage) {
    const b = encodeServer(m);
    this.onmessage?.({ data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) });
  }
  close(code = 1000, reason = "") {
    this.serverClose(code, reason);
  }
  serverClose(code: number, reason: string) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function msg(init: object): ServerMessage {
  return create(ServerMessageSchema, init as never);
}

async function connected(reply?: (m: ClientMessage, s: FakeSocket) => void) {
  const s = new FakeSocket();
  s.reply = (m, sock) => {
    if (m.msg.case === "hello") {
      sock.push(msg({ rid: m.rid, msg: { case: "welcome", value: { protocolVersion: 1, server: "mmo/test", tickRate: 20 } } }));
    } else reply?.(m, sock);
  };
  const p = Connection.open("ws://x/ws", () => { queueMicrotask(() => s.open()); return s; });
  const conn = await p;
  return { conn, s };
}

describe("Connection", () => {
  it("pings every 30 s on its own, so the server's idle time-out never closes a quiet player", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const { conn, s } = await connected();
      const pings = () => s.sent.filter((m) => m.msg.case === "ping").length;
      expect(pings()).toBe(0);
      vi.advanceTimersByTime(29_999);
      expect(pings()).toBe(0);
      vi.advanceTimersByTime(1);
      expect(pings()).toBe(1);
      vi.advanceTimersByTime(90_000);
      expect(pings()).toBe(4);
      s.serverClose(1000, "bye");
      vi.advanceTimersByTime(120_000);
      expect(pings()).toBe(4);
      expect(conn.isOpen).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("says Hello with the protocol version and resolves on Welcome", async () => {
    const { conn, s } = await connected();
    expect(s.binaryType).toBe("arraybuffer");
    expect(s.sent[0]!.msg).toMatchObject({ case: "hello", value: { protocolVersion: PROTOCOL_VERSION, client: "web/0.1" } });
    expect(s.sent[0]!.rid).toBeGreaterThan(0);
    expect(conn.tickRate).toBe(20);
    expect(conn.serverName).toBe("mmo/test");
  });

  it("matches replies to requests by rid, even out of order", async () => {
    const held: ClientMessage[] = [];
    const { conn, s } = await connected((m) => held.push(m));
    const a = conn.call({ case: "login", value: { username: "ann", password: "secret123" } }, "loginOk");
    const b = conn.request({ case: "ping", value: { clientTime: 5n } });
    expect(held.map((m) => m.msg.case)).toEqual(["login", "ping"]);
    expect(held[0]!.rid).not.toBe(held[1]!.rid);
    s.push(msg({ rid: held[1]!.rid, msg: { case: "pong", value: { clientTime: 5n, serverTime: 9n, tick: 3 } } }));
    s.push(msg({ rid: held[0]!.rid, msg: { case: "loginOk", value: { accountId: 7n, username: "ann", sessionToken: "t" } } }));
    expect((await b).msg).toMatchObject({ case: "pong", value: { tick: 3 } });
    expect(await a).toMatchObject({ username: "ann", sessionToken: "t" });
  });

  it("rejects a request with the server's Error", async () => {
    const { conn } = await connected((m, s) => s.push(msg({
      rid: m.rid, msg: { case: "error", value: { code: ErrorCode.BAD_CREDENTIALS, message: "Wrong username or password" } },
    })));
    const err = await conn.request({ case: "login", value: { username: "ann", password: "nope" } }).catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ code: ErrorCode.BAD_CREDENTIALS, message: "Wrong username or password" });
  });

  it("passes unsolicited messages to listeners", async () => {
    const { conn, s } = await connected();
    const got: string[] = [];
    conn.onMessage((m) => got.push(m.msg.case ?? ""));
    s.push(msg({ msg: { case: "worldUpdate", value: { tick: 1 } } }));
    s.push(msg({ msg: { case: "chat", value: { from: "Bob", text: "hi" } } }));
    expect(got).toEqual(["worldUpdate", "chat"]);
  });

  it("reports the Disconnect that came before the close, and fails pending requests", async () => {
    const { conn, s } = await connected(() => {});
    const pending = conn.request({ case: "enterWorld", value: { characterId: 1n } });
    let info: unknown;
    conn.onClose((i) => { info = i; });
    s.push(msg({ msg: { case: "disconnect", value: { reason: DisconnectReason.LOGGED_IN_ELSEWHERE, message: "You logged in from another place" } } }));
    s.serverClose(4001, "You logged in from another place");
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(info).toMatchObject({
      code: 4001, byClient: false,
      disconnect: { reason: DisconnectReason.LOGGED_IN_ELSEWHERE, message: "You logged in from another place" },
    });
    expect(conn.isOpen).toBe(false);
  });

  it("fails to open when the socket closes first", async () => {
    const s = new FakeSocket();
    const p = Connection.open("ws://x/ws", () => { queueMicrotask(() => s.serverClose(1006, "")); return s; });
    await expect(p).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it("fails to open on a version mismatch", async () => {
    const s = new FakeSocket();
    s.reply = (m, sock) => {
      sock.push(msg({ rid: m.rid, msg: { case: "error", value: { code: ErrorCode.VERSION_MISMATCH, message: "Update the client." } } }));
      sock.serverClose(4003, "Update the client.");
    };
    const p = Connection.open("ws://x/ws", () => { queueMicrotask(() => s.open()); return s; });
    await expect(p).rejects.toThrow("Update the client.");
  });
});

describe("gameSocketUrl", () => {
  it("uses wss on https pages", () => {
    expect(gameSocketUrl({ protocol: "http:", host: "localhost:8080" })).toBe("ws://localhost:8080/ws");
    expect(gameSocketUrl({ protocol: "https:", host: "mmo.example" })).toBe("wss://mmo.example/ws");
  });
});

describe("Connection.fire (requests that may have no reply)", () => {
  it("resolves with the reply, rejects on an Error, resolves null when nothing comes", async () => {
    const { conn } = await connected((m, s) => {
      if (m.msg.case === "equip") s.push(msg({ rid: m.rid, msg: { case: "inventory", value: { bagSize: 4 } } }));
      if (m.msg.case === "pickUp") {
        s.push(msg({ rid: m.rid, msg: { case: "error", value: { code: ErrorCode.ITEM_REFUSED, message: "Too far away" } } }));
      }
      // useAbility: no reply when it works
    });
    const reply = await conn.fire({ case: "equip", value: { bagSlot: 1 } });
    expect(reply?.msg.case).toBe("inventory");
    await expect(conn.fire({ case: "pickUp", value: { entity: 5 } })).rejects.toMatchObject({
      code: ErrorCode.ITEM_REFUSED, message: "Too far away",
    });
    await expect(conn.fire({ case: "useAbility", value: { target: 5 } }, 20)).resolves.toBeNull();
  });

  it("forgets the request id after the timeout: a late reply goes to the listeners only", async () => {
    let rid = 0;
    const { conn, s } = await connected((m) => { rid = m.rid; });
    const seen: string[] = [];
    conn.onMessage((m) => seen.push(m.msg.case ?? ""));
    await expect(conn.fire({ case: "useAbility", value: { target: 5 } }, 10)).resolves.toBeNull();
    s.push(msg({ rid, msg: { case: "error", value: { code: ErrorCode.ABILITY_REFUSED, message: "late" } } }));
    expect(seen).toEqual(["error"]);
  });
});

// @vitest-environment happy-dom
//
// The screens against a fake server behind a fake WebSocket: what a player sees for bad
// input, the character flow, chat, movement and being disconnected. Rendering is replaced
// (no WebGL here); everything else is the real client.
import { readFileSync } from "node:fs";
import { URL as NodeURL } from "node:url";
import { create } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AdminAction, ChatChannel, CharacterClass, DisconnectReason, ErrorCode, ServerMessageSchema, StartChoice,
  decodeClient, encodeServer, type ClientMessage,
} from "../src/protocol";

vi.mock("../src/render/scene", () => ({ Scene: { create: async () => null } }));

type Reply = (m: ClientMessage, s: FakeWebSocket) => void;

class FakeWebSocket {
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
      this.push({ rid: m.rid, msg: { case: "welcome", value: { protocolVersion: 1, server: "fake", tickRate: 20 } } });
      return;
    }
    FakeWebSocket.server(m, this);
  }
  push(init: object) {
    const b = encodeServer(create(ServerMessageSchema, init as never));
    setTimeout(() => this.onmessage?.({ data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) }), 0);
  }
  close(code = 1000, reason = "") {
    this.serverClose(code, reason);
  }
  serverClose(code: number, reason: string) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 0);
  }
  of(kind: string): ClientMessage[] {
    return this.sent.filter((m) => m.msg.case === kind);
  }
}

const APPEARANCE = { body: 0, skinColor: 0xe0b48c, hairColor: 0x402010, hairStyle: 1, outfit: { top: 1, topColor: 0x3040a0 } };
const MAP = JSON.stringify({
  width: 16, height: 16, tilewidth: 16, tileheight: 16,
  layers: [
    { name: "ground", type: "tilelayer", width: 16, height: 16, data: new Array(256).fill(1) },
    { name: "obstacles", type: "tilelayer", width: 16, height: 16, data: new Array(256).fill(0) },
  ],
  tilesets: [{ firstgid: 1, name: "t", tilewidth: 16, tileheight: 16, tilecount: 2, columns: 2, image: "tiles.png",
    imagewidth: 32, imageheight: 16, tiles: [{ id: 1, properties: [{ name: "collides", type: "bool", value: true }] }] }],
});

const WORLDS = [
  { name: "Testland", map: "/maps/test.tmj", population: 3, capacity: 100 },
  { name: "Farland", map: "/maps/test.tmj", population: 5, capacity: 5 },
];

/** A small in-memory server: accounts, characters, the world entry. */
function standardServer(): Reply {
  const chars: object[] = [];
  let nextChar = 1;
  return (m, s) => {
    const rid = m.rid;
    const err = (code: ErrorCode, message: string) => s.push({ rid, msg: { case: "error", value: { code, message } } });
    switch (m.msg.case) {
      case "resume":
        if (m.msg.value.token !== "tok") return err(ErrorCode.SESSION_EXPIRED, "Session expired");
        s.push({ rid, msg: { case: "loginOk", value: { accountId: 1n, username: "hero1", sessionToken: "tok", characters: chars } } });
        return;
      case "register":
      case "login":
        if (m.msg.value.password !== "password123") return err(ErrorCode.BAD_CREDENTIALS, "Wrong username or password");
        s.push({ rid, msg: { case: "loginOk", value: { accountId: 1n, username: m.msg.value.username, sessionToken: "tok", characters: chars, worlds: WORLDS } } });
        return;
      case "createCharacter": {
        const v = m.msg.value;
        if (v.name === "Taken") return err(ErrorCode.NAME_TAKEN, "That name is taken");
        if (v.world && !WORLDS.some((w) => w.name === v.world)) return err(ErrorCode.NO_SUCH_WORLD, "No such world");
        const c = { id: BigInt(nextChar++), name: v.name, characterClass: v.characterClass, appearance: v.appearance, world: v.world || "Testland" };
        chars.push(c);
        s.push({ rid, msg: { case: "characterCreated", value: { character: c } } });
        return;
      }
      case "enterWorld": {
        const id = m.msg.value.characterId;
        const c = chars.find((x) => (x as { id: bigint }).id === id);
        s.push({ rid, msg: { case: "worldEntered", value: {
          entityId: 7, world: "Testland", map: "/maps/test.tmj", x: 8 * 16, y: 8 * 16, tick: 100, tickRate: 20,
          speed: 4, viewRadius: 32, character: c,
        } } });
        return;
      }
      case "chat": {
        const v = m.msg.value;
        if (v.channel === ChatChannel.WHISPER) return err(ErrorCode.NOT_ONLINE, `${v.target} is not online`);
        s.push({ rid, msg: { case: "chat", value: { channel: v.channel, from: "Hero", fromEntity: 7, text: v.text } } });
        return;
      }
      case "ignore":
        s.push({ rid, msg: { case: "ignoreList", value: { names: [m.msg.value.name] } } });
        return;
      case "admin": {
        const v = m.msg.value;
        if (v.action !== AdminAction.BAN) return err(ErrorCode.PERMISSION_DENIED, "Only admins can do that");
        s.push({ rid, msg: { case: "adminResult", value: { action: v.action, target: v.target,
          message: `Banned ${v.target}'s account until 2030-01-01 01:00 UTC` } } });
        return;
      }
      case "ping":
        s.push({ rid, msg: { case: "pong", value: { clientTime: m.msg.value.clientTime, serverTime: 1n, tick: 1 } } });
        return;
      case "listWorlds":
        s.push({ rid, msg: { case: "worlds", value: { worlds: [{ ...WORLDS[0], population: 4 }, WORLDS[1]] } } });
        return;
      case "leaveWorld":
        s.push({ rid, msg: { case: "characters", value: { characters: chars } } });
        return;
      case "logout":
        s.push({ msg: { case: "disconnect", value: { reason: DisconnectReason.LOGGED_OUT, message: "Logged out" } } });
        s.serverClose(4006, "Logged out");
        return;
      default:
        return;
    }
  };
}

const html = readFileSync(new NodeURL("../index.html", import.meta.url), "utf8");
const bodyStart = html.indexOf(">", html.indexOf("<body")) + 1;
const body = html.slice(bodyStart, html.indexOf("</body>")).replace(/<script[\s\S]*?<\/script>/g, "");

function $(id: string): HTMLElement {
  return document.getElementById(id)!;
}
function type(id: string, value: string) {
  const e = $(id) as HTMLInputElement;
  e.value = value;
  e.dispatchEvent(new Event("input", { bubbles: true }));
}
function click(id: string) {
  ($(id) as HTMLButtonElement).click();
}
function pressEnter(id: string) {
  $(id).dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", bubbles: true }));
}
const socket = () => FakeWebSocket.instances[FakeWebSocket.instances.length - 1]!;

async function loggedIn() {
  type("username", "hero1");
  type("password", "password123");
  click("login-btn");
  await vi.waitFor(() => expect(window.__mmo.state).toBe("characters"));
}

async function createHero(name = "Hero") {
  click("new-char-btn");
  type("char-name", name);
  click("create-btn");
  await vi.waitFor(() => expect(document.querySelector(`.char-entry[data-name="${name}"]`)).not.toBeNull());
}

async function inWorld() {
  await loggedIn();
  await createHero();
  (document.querySelector(".char-entry") as HTMLButtonElement).click();
  await vi.waitFor(() => expect(window.__mmo.state).toBe("world"));
}

beforeEach(async () => {
  sessionStorage.clear();
  vi.resetModules();
  FakeWebSocket.instances = [];
  FakeWebSocket.server = standardServer();
  vi.stubGlobal("WebSocket", FakeWebSocket);
  vi.stubGlobal("fetch", vi.fn(async (url: string) => {
    if (String(url).endsWith(".tmj")) return new Response(MAP, { status: 200 });
    return new Response("", { status: 404 });
  }));
  document.body.innerHTML = body;
  const { App } = await import("../src/app");
  new App().start();
});

afterEach(() => {
  // leave no timers of a world session running
  if (window.__mmo?.state === "world") click("logout-btn");
  vi.unstubAllGlobals();
});

describe("login screen", () => {
  it("rejects an invalid username before asking the server", () => {
    type("username", "ab");
    type("password", "password123");
    click("register-btn");
    expect($("auth-error").textContent).toBe("Username must be 3-16 letters or digits.");
    type("username", "bad name!");
    click("login-btn");
    expect($("auth-error").textContent).toBe("Username must be 3-16 letters or digits.");
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it("asks for a long enough password when registering", () => {
    type("username", "hero1");
    type("password", "short");
    click("register-btn");
    expect($("auth-error").textContent).toBe("Password must be 8-128 characters.");
  });

  it("shows the server's answer to a wrong password", async () => {
    type("username", "hero1");
    type("password", "wrongpass1");
    click("login-btn");
    await vi.waitFor(() => expect($("auth-error").textContent).toBe("Wrong username or password"));
    expect(window.__mmo.state).toBe("login");
    expect(socket().sent[0]!.msg.case).toBe("hello");
    expect(socket().of("login")[0]!.msg.value).toMatchObject({ username: "hero1", password: "wrongpass1" });
  });
});

describe("session", () => {
  it("a reload of the tab resumes the session; logging out forgets it", async () => {
    await loggedIn();
    expect(sessionStorage.getItem("mmo.session")).toBe("tok");
    // reload: a new page, the same tab
    document.body.innerHTML = body;
    vi.resetModules();
    const { App } = await import("../src/app");
    new App().start();
    await vi.waitFor(() => expect(window.__mmo.state).toBe("characters"));
    expect(socket().of("resume")[0]!.msg.value).toMatchObject({ token: "tok" });
    expect(socket().of("login")).toHaveLength(0);
    click("chars-logout-btn");
    expect(sessionStorage.getItem("mmo.session")).toBeNull();
  });

  it("an expired session falls back to the login screen with a message", async () => {
    sessionStorage.setItem("mmo.session", "old");
    document.body.innerHTML = body;
    vi.resetModules();
    const { App } = await import("../src/app");
    new App().start();
    await vi.waitFor(() => expect($("auth-error").textContent).toBe("Your session has ended; log in again."));
    expect(window.__mmo.state).toBe("login");
    expect(sessionStorage.getItem("mmo.session")).toBeNull();
  });
});

describe("characters", () => {
  it("creates a character from the form and lists it", async () => {
    await loggedIn();
    expect($("char-empty").hidden).toBe(false);
    click("new-char-btn");
    expect($("create-screen").hidden).toBe(false);
    type("char-name", "x");
    click("create-btn");
    expect($("create-error").textContent).toBe("Name must be 3-16 letters or digits.");

    type("char-name", "Merlin");
    const cls = $("char-class") as HTMLSelectElement;
    cls.value = "mage";
    cls.dispatchEvent(new Event("change"));
    type("skin-color", "#aa8866");
    (($("hair-style")) as HTMLSelectElement).value = "2";
    (($("hat")) as HTMLSelectElement).value = "2";
    (($("start-random")) as HTMLInputElement).checked = true;
    click("create-btn");
    await vi.waitFor(() => expect(document.querySelector('.char-entry[data-name="Merlin"]')).not.toBeNull());
    const sent = socket().of("createCharacter")[0]!.msg.value as never as {
      name: string; characterClass: CharacterClass; start: StartChoice;
      appearance: { skinColor: number; hairStyle: number; outfit: { top: number; hat: number } };
    };
    expect(sent.name).toBe("Merlin");
    expect(sent.characterClass).toBe(CharacterClass.MAGE);
    expect(sent.start).toBe(StartChoice.START_RANDOM);
    expect(sent.appearance.skinColor).toBe(0xaa8866);
    expect(sent.appearance.hairStyle).toBe(2);
    expect(sent.appearance.outfit.top).toBe(1); // the mage's robe preset
    expect(sent.appearance.outfit.hat).toBe(2);
    expect($("char-list").textContent).toContain("Mage");
    expect(window.__mmo.state).toBe("characters");
  });

  it("creates a character in the world picked from the list, which shows how full each is", async () => {
    await loggedIn();
    click("new-char-btn");
    const picker = $("char-world") as HTMLSelectElement;
    expect(picker.closest(".field")!.hasAttribute("hidden")).toBe(false);
    // refreshed with ListWorlds when the form opens
    await vi.waitFor(() => expect([...picker.options].map((o) => o.textContent))
      .toEqual(["Testland — 4/100", "Farland — 5/5 (full)"]));
    expect(picker.value).toBe("Testland");
    picker.value = "Farland";
    type("char-name", "Faramir");
    click("create-btn");
    await vi.waitFor(() => expect(document.querySelector('.char-entry[data-name="Faramir"]')).not.toBeNull());
    expect((socket().of("createCharacter")[0]!.msg.value as { world: string }).world).toBe("Farland");
    expect(document.querySelector('.char-entry[data-name="Faramir"] .char-meta')!.textContent).toContain("Farland");
  });

  it("shows a taken name in the form", async () => {
    await loggedIn();
    click("new-char-btn");
    type("char-name", "Taken");
    click("create-btn");
    await vi.waitFor(() => expect($("create-error").textContent).toBe("That name is taken"));
  });
});

describe("in the world", () => {
  it("enters, shows others from world updates, and the HUD", async () => {
    await inWorld();
    expect(socket().of("enterWorld")).toHaveLength(1);
    socket().push({ msg: { case: "worldUpdate", value: {
      tick: 101, ackSeq: 0, ticksSinceAck: 0, x: 128, y: 128, timeDilation: 0.8,
      enters: [{ id: 9, name: "Other", x: 160, y: 128, appearance: APPEARANCE }],
    } } });
    await vi.waitFor(() => expect(window.__mmo.entities().map((e) => e.name)).toEqual(["Other"]));
    expect(window.__mmo.entityId).toBe(7);
    expect(window.__mmo.dilation).toBeCloseTo(0.8, 5);
    await vi.waitFor(() => expect($("hud-dilation").textContent).toBe("0.80×"));
    await vi.waitFor(() => expect($("hud-players").textContent).toBe("1"));
    socket().push({ msg: { case: "worldUpdate", value: { tick: 102, x: 128, y: 128, leaves: [9] } } });
    await vi.waitFor(() => expect(window.__mmo.entities()).toEqual([]));
  });

  it("moves at once with the keys and sends Input", async () => {
    await inWorld();
    await vi.waitFor(() => expect(window.__mmo.x).toBe(8)); // map loaded, prediction ready
    await new Promise((r) => setTimeout(r, 50));
    window.dispatchEvent(new KeyboardEvent("keydown", { code: "KeyD", key: "d" }));
    await vi.waitFor(() => expect(window.__mmo.x).toBeGreaterThan(8.3));
    window.dispatchEvent(new KeyboardEvent("keyup", { code: "KeyD", key: "d" }));
    const inputs = socket().of("input").map((m) => m.msg.value as { seq: number; dx: number; dy: number });
    expect(inputs.some((i) => i.dx === 1 && i.dy === 0)).toBe(true);
    const seqs = inputs.map((i) => i.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it("chats: say, too long, whisper to someone offline, emotes", async () => {
    await inWorld();
    type("chat-input", "hello all");
    pressEnter("chat-input");
    await vi.waitFor(() => expect(document.querySelector('.chat-line[data-channel="say"]')?.textContent).toBe("Hero: hello all"));
    expect(($("chat-input") as HTMLInputElement).value).toBe("");
    expect(window.__mmo.chat).toContainEqual({ channel: "say", from: "Hero", text: "hello all" });

    type("chat-input", "y".repeat(257));
    pressEnter("chat-input");
    const lines = [...document.querySelectorAll('.chat-line[data-channel="system"]')].map((e) => e.textContent);
    expect(lines).toContain("Message too long: 257 characters, at most 256.");
    expect(($("chat-input") as HTMLInputElement).value).toHaveLength(257); // kept to shorten

    type("chat-input", "/w Bob are you there");
    pressEnter("chat-input");
    await vi.waitFor(() => expect([...document.querySelectorAll('.chat-line[data-channel="system"]')]
      .map((e) => e.textContent)).toContain("Bob is not online"));
    expect(socket().of("chat").map((m) => m.msg.value)).toEqual([
      expect.objectContaining({ channel: ChatChannel.SAY, text: "hello all" }),
      expect.objectContaining({ channel: ChatChannel.WHISPER, target: "Bob", text: "are you there" }),
    ]);

    type("chat-input", "/dance");
    pressEnter("chat-input");
    await vi.waitFor(() => expect(socket().of("emote")).toHaveLength(1));
  });

  it("ignores, sends admin commands as typed, and shows server messages apart", async () => {
    await inWorld();
    const systemLines = () => [...document.querySelectorAll('.chat-line[data-channel="system"]')].map((e) => e.textContent);
    type("chat-input", "/ignore Troll");
    pressEnter("chat-input");
    await vi.waitFor(() => expect(systemLines()).toContain("You ignore Troll now."));
    expect(socket().of("ignore").map((m) => m.msg.value)).toEqual([expect.objectContaining({ name: "Troll" })]);
    type("chat-input", "/ignore");
    pressEnter("chat-input");
    expect(systemLines()).toContain("You ignore: Troll.");

    type("chat-input", "/ban Bob 1h spamming");
    pressEnter("chat-input");
    await vi.waitFor(() => expect(systemLines()).toContain("Banned Bob's account until 2030-01-01 01:00 UTC"));
    expect(socket().of("admin").map((m) => m.msg.value)).toEqual([
      expect.objectContaining({ action: AdminAction.BAN, target: "Bob", durationS: 3600n, reason: "spamming" }),
    ]);
    type("chat-input", "/kick Bob");
    pressEnter("chat-input");
    await vi.waitFor(() => expect(systemLines()).toContain("Only admins can do that"));

    socket().push({ msg: { case: "chat", value: { channel: ChatChannel.SYSTEM, from: "", text: "Restart in 5 minutes" } } });
    await vi.waitFor(() => expect(document.querySelector('.chat-line[data-source="server"]')?.textContent)
      .toBe("[Server] Restart in 5 minutes"));
    // the client's own notices are not marked as the server's
    expect(document.querySelectorAll('.chat-line[data-source="server"]')).toHaveLength(1);
  });

  it("shows why when the server disconnects (logged in elsewhere)", async () => {
    await inWorld();
    socket().push({ msg: { case: "disconnect", value: { reason: DisconnectReason.LOGGED_IN_ELSEWHERE, message: "You logged in from another place" } } });
    socket().serverClose(4001, "You logged in from another place");
    await vi.waitFor(() => expect(window.__mmo.state).toBe("disconnected"));
    expect($("disconnect-screen").hidden).toBe(false);
    expect($("disconnect-message").textContent).toBe("You logged in from another place");
    expect($("world-screen").hidden).toBe(true);
    click("reconnect-btn");
    expect(window.__mmo.state).toBe("login");
  });

  it("goes back to the character list, and logs out", async () => {
    await inWorld();
    click("leave-btn");
    await vi.waitFor(() => expect(window.__mmo.state).toBe("characters"));
    expect(socket().of("leaveWorld")).toHaveLength(1);
    click("chars-logout-btn");
    expect(window.__mmo.state).toBe("login");
    expect(socket().of("logout")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(window.__mmo.state).toBe("login");
    expect($("disconnect-screen").hidden).toBe(true);
  });
});

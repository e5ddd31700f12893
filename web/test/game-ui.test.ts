// @vitest-environment happy-dom
//
// The in-world game UI against a fake server: unit frames, targeting and the ability, loot,
// the inventory window, trading, error messages and the window.__mmo hooks. Rendering is
// replaced (no WebGL here); everything else is the real client.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CharacterClass, ChatChannel, DisconnectReason, EntityKind, EquipSlot, ErrorCode, ItemType, Rarity, TradeStatus, type ClientMessage,
} from "../src/protocol";
import { FakeWebSocket, TEST_MAP, pageBody, type Reply } from "./fake-socket";

vi.mock("../src/render/scene", () => ({ Scene: { create: async () => null } }));

const SELF = 7;
const APPEARANCE = { body: 0, skinColor: 0xe0b48c, hairColor: 0x402010, hairStyle: 1, outfit: { top: 1, topColor: 0x3040a0 } };
const SWORD = { id: 101n, kind: "rusty-sword", name: "Rusty sword", slot: EquipSlot.MAIN_HAND, type: ItemType.WEAPON, rarity: Rarity.COMMON, damage: 3, value: 4 };
const PELT = { id: 102n, kind: "wolf-pelt", name: "Wolf pelt", slot: EquipSlot.SLOT_NONE, type: ItemType.JUNK, rarity: Rarity.COMMON, value: 2 };
const BOW = { id: 103n, kind: "hunting-bow", name: "Hunting bow", slot: EquipSlot.MAIN_HAND, type: ItemType.WEAPON, rarity: Rarity.UNCOMMON, damage: 5, value: 12 };
const CAP = { id: 104n, kind: "leather-cap", name: "Leather cap", slot: EquipSlot.HEAD, type: ItemType.ARMOR, rarity: Rarity.COMMON, armor: 1, value: 3 };

let characterClass = CharacterClass.WARRIOR;
/** Replies to the in-world requests, by case; the rest of the server is standard. */
let inWorld: Partial<Record<string, Reply>> = {};

function server(): Reply {
  return (m, s) => {
    const rid = m.rid;
    const character = { id: 1n, name: "Hero", characterClass, appearance: APPEARANCE, world: "Testland" };
    switch (m.msg.case) {
      case "login":
        s.push({ rid, msg: { case: "loginOk", value: { accountId: 1n, username: "hero1", sessionToken: "tok", characters: [character] } } });
        return;
      case "enterWorld":
        s.push({ rid, msg: { case: "worldEntered", value: {
          entityId: SELF, world: "Testland", map: "/maps/test.tmj", x: 8 * 16, y: 8 * 16, tick: 100, tickRate: 20,
          speed: 4, viewRadius: 32, character,
        } } });
        return;
      case "ping":
        s.push({ rid, msg: { case: "pong", value: { clientTime: m.msg.value.clientTime, serverTime: 1n, tick: 1 } } });
        return;
      case "logout":
        s.push({ msg: { case: "disconnect", value: { reason: DisconnectReason.LOGGED_OUT, message: "Logged out" } } });
        s.close(4006, "Logged out");
        return;
      default: {
        const reply = inWorld[m.msg.case ?? ""];
        reply?.(m, s);
      }
    }
  };
}

const $ = (id: string) => document.getElementById(id)!;
const socket = () => FakeWebSocket.last;
const sent = (kind: string) => socket().of(kind).map((m) => m.msg.value) as never[];
const key = (k: string, code: string) => window.dispatchEvent(new KeyboardEvent("keydown", { key: k, code, bubbles: true }));
let tick = 101;

function push(msg: object) {
  socket().push({ msg });
}

function update(init: object) {
  push({ case: "worldUpdate", value: { tick: tick++, x: 128, y: 128, timeDilation: 1, ...init } });
}

function inventory(bag: { slot: number; item: object }[], worn: { slot: EquipSlot; item: object }[] = [], gold = 25n) {
  push({ case: "inventory", value: { bagSize: 8, bag, worn, gold } });
}

async function enterWorld() {
  ($("username") as HTMLInputElement).value = "hero1";
  ($("password") as HTMLInputElement).value = "password123";
  $("login-btn").click();
  await vi.waitFor(() => expect(window.__mmo.state).toBe("characters"));
  (document.querySelector(".char-entry") as HTMLButtonElement).click();
  await vi.waitFor(() => expect(window.__mmo.state).toBe("world"));
}

function enters(...list: object[]) {
  update({ enters: list });
}

const wolf = (id: number, x: number, y: number, extra: object = {}) =>
  ({ id, kind: EntityKind.ENTITY_CREATURE, name: "Wolf", creature: "wolf", level: 2, health: 40, maxHealth: 40, x: x * 16, y: y * 16, ...extra });

beforeEach(async () => {
  vi.resetModules();
  characterClass = CharacterClass.WARRIOR;
  inWorld = {};
  tick = 101;
  FakeWebSocket.instances = [];
  FakeWebSocket.server = server();
  vi.stubGlobal("WebSocket", FakeWebSocket);
  vi.stubGlobal("fetch", vi.fn(async (url: string) =>
    String(url).endsWith(".tmj") ? new Response(TEST_MAP, { status: 200 }) : new Response("", { status: 404 })));
  document.body.innerHTML = pageBody();
  sessionStorage.clear();
  const { App } = await import("../src/app");
  new App().start();
  await enterWorld();
  await vi.waitFor(() => expect(window.__mmo.x).toBe(8)); // map loaded
});

afterEach(() => {
  if (window.__mmo?.state === "world") $("logout-btn").click();
  vi.unstubAllGlobals();
});

describe("unit frames", () => {
  it("shows your level, health and experience from CharacterStats", async () => {
    push({ case: "stats", value: {
      level: 3, xp: 120n, xpNext: 300n, health: 84, maxHealth: 120, power: 12, armor: 4,
      ability: "Cleave", abilityRange: 1.6, abilityCooldownMs: 1500,
    } });
    await vi.waitFor(() => expect($("player-level").textContent).toBe("3"));
    expect($("player-name").textContent).toBe("Hero");
    expect($("player-health").textContent).toBe("84 / 120");
    expect(($("player-health").querySelector(".fill") as HTMLElement).style.width).toBe("70.0%");
    expect($("player-xp").textContent).toBe("120 / 300 XP");
    expect($("ability-name").textContent).toBe("Cleave");
    expect(window.__mmo.stats).toMatchObject({ level: 3, xp: 120, xpNext: 300, ability: "Cleave", abilityCooldownMs: 1500 });
    expect(JSON.parse(JSON.stringify(window.__mmo)).stats.xp).toBe(120); // no bigint in the debug object
  });

  it("shows the death banner while you are dead", async () => {
    push({ case: "stats", value: { level: 1, health: 50, maxHealth: 100, ability: "Cleave" } });
    update({ events: [{ id: SELF, event: { case: "death", value: { killer: 0 } } }] });
    await vi.waitFor(() => expect($("death-banner").hidden).toBe(false));
    expect($("player-frame").classList.contains("dead")).toBe(true);
    update({ events: [{ id: SELF, event: { case: "revive", value: { health: 100, maxHealth: 100 } } }] });
    await vi.waitFor(() => expect($("death-banner").hidden).toBe(true));
    expect($("player-health").textContent).toBe("100 / 100");
  });
});

describe("targeting and the ability", () => {
  it("Tab targets the nearest living creature, then the next; the frame follows its health", async () => {
    enters(wolf(20, 12, 8), wolf(21, 9, 8), wolf(22, 8.5, 8, { dead: true }), { id: 30, name: "Bob", x: 9 * 16, y: 9 * 16 });
    await vi.waitFor(() => expect(window.__mmo.entities()).toHaveLength(4));
    key("Tab", "Tab");
    expect(window.__mmo.target).toMatchObject({ id: 21, name: "Wolf", kind: "creature", level: 2, health: 40, maxHealth: 40 });
    expect($("target-frame").hidden).toBe(false);
    expect($("target-name").textContent).toBe("Wolf");
    key("Tab", "Tab");
    expect(window.__mmo.target?.id).toBe(20);
    update({ events: [{ id: 20, event: { case: "hit", value: { source: SELF, amount: 18, health: 22, maxHealth: 40 } } }] });
    await vi.waitFor(() => expect($("target-health").textContent).toBe("22 / 40"));
    update({ events: [{ id: 20, event: { case: "death", value: { killer: SELF } } }] });
    await vi.waitFor(() => expect($("target-tag").textContent).toBe("Dead"));
    expect(window.__mmo.target).toMatchObject({ id: 20, dead: true, health: 0 });
    update({ leaves: [20] });
    await vi.waitFor(() => expect($("target-frame").hidden).toBe(true));
    expect(window.__mmo.target).toBeNull();
  });

  it("key 1 uses the ability on the target (the nearest creature when none), then waits for the cooldown", async () => {
    push({ case: "stats", value: { level: 1, health: 100, maxHealth: 100, ability: "Cleave", abilityRange: 1.6, abilityCooldownMs: 1500 } });
    enters(wolf(20, 9, 8));
    await vi.waitFor(() => expect(window.__mmo.entities()).toHaveLength(1));
    key("1", "Digit1");
    await vi.waitFor(() => expect(sent("useAbility")).toEqual([expect.objectContaining({ target: 20 })]));
    expect(window.__mmo.target?.id).toBe(20);
    // the server shows the attack: the cooldown starts and a second press waits
    update({ events: [{ id: SELF, event: { case: "attack", value: { target: 20, ability: "Cleave" } } }] });
    await vi.waitFor(() => expect($("ability-btn").classList.contains("cooling")).toBe(true));
    key("1", "Digit1");
    expect($("toasts").textContent).toContain("Cleave is not ready yet.");
  });

  it("a healer with no target heals itself", async () => {
    $("logout-btn").click();
    characterClass = CharacterClass.HEALER;
    await enterWorld();
    key("1", "Digit1");
    await vi.waitFor(() => expect(sent("useAbility")).toEqual([expect.objectContaining({ target: SELF })]));
    expect(window.__mmo.target).toMatchObject({ id: SELF, kind: "self", name: "Hero" });
  });

  it("shows a refused ability as a toast, and keeps it in window.__mmo.errors", async () => {
    inWorld.useAbility = (m, s) => s.push({ rid: m.rid, msg: { case: "error", value: { code: ErrorCode.ABILITY_REFUSED, message: "Out of range" } } });
    enters(wolf(20, 14, 8));
    await vi.waitFor(() => expect(window.__mmo.entities()).toHaveLength(1));
    window.__mmo.attack(20);
    await vi.waitFor(() => expect($("toasts").textContent).toContain("Out of range"));
    expect(window.__mmo.errors).toContainEqual({ code: "ABILITY_REFUSED", message: "Out of range" });
    expect(window.__mmo.target?.id).toBe(20);
  });
});

describe("loot", () => {
  it("E picks up the nearest loot within reach", async () => {
    enters(
      { id: 40, kind: EntityKind.ENTITY_LOOT, x: 9 * 16, y: 8 * 16, item: BOW },
      { id: 41, kind: EntityKind.ENTITY_LOOT, x: 8 * 16, y: 8.5 * 16, gold: 12n },
      { id: 42, kind: EntityKind.ENTITY_LOOT, x: 15 * 16, y: 8 * 16, gold: 3n },
    );
    await vi.waitFor(() => expect(window.__mmo.entities()).toHaveLength(3));
    expect(window.__mmo.entities().find((e) => e.id === 40)).toMatchObject({ kind: "loot", item: { name: "Hunting bow", rarity: "uncommon" } });
    key("e", "KeyE");
    await vi.waitFor(() => expect(sent("pickUp")).toEqual([expect.objectContaining({ entity: 41 })]));
    window.__mmo.pickUp(42);
    await vi.waitFor(() => expect(sent("pickUp")).toHaveLength(2));
  });

  it("says when there is nothing in reach, and shows pickups in the chat", async () => {
    key("e", "KeyE");
    expect(sent("pickUp")).toEqual([]);
    expect($("toasts").textContent).toContain("Nothing to pick up here.");
    update({ events: [{ id: SELF, event: { case: "pickedUp", value: { what: "12 gold" } } }] });
    await vi.waitFor(() => expect(window.__mmo.chat.map((c) => c.text)).toContain("You picked up 12 gold."));
  });
});

describe("inventory window", () => {
  it("I opens it: worn slots, the bag grid, gold; clicks equip, unequip and drop", async () => {
    inventory([{ slot: 0, item: SWORD }, { slot: 3, item: PELT }], [{ slot: EquipSlot.HEAD, item: CAP }], 57n);
    await vi.waitFor(() => expect(window.__mmo.inventory?.gold).toBe(57));
    expect($("inventory").hidden).toBe(true);
    key("i", "KeyI");
    expect($("inventory").hidden).toBe(false);
    expect($("gold").textContent).toBe("57");
    expect(document.querySelectorAll("#inv-bag .inv-slot")).toHaveLength(8);
    expect($("inv-bag-0").textContent).toContain("Rusty sword");
    expect($("inv-bag-0").dataset["rarity"]).toBe("common");
    expect($("inv-bag-1").classList.contains("empty")).toBe(true);
    expect($("inv-worn-head").textContent).toContain("Leather cap");
    expect($("inv-worn-main_hand").textContent).toContain("Main hand");
    expect($("inv-worn-main_hand").classList.contains("empty")).toBe(true);

    $("inv-bag-0").click();
    await vi.waitFor(() => expect(sent("equip")).toEqual([expect.objectContaining({ bagSlot: 0 })]));
    $("inv-bag-3").click(); // a pelt cannot be worn
    expect(sent("equip")).toHaveLength(1);
    expect($("toasts").textContent).toContain("Wolf pelt cannot be worn.");
    $("inv-worn-head").click();
    await vi.waitFor(() => expect(sent("unequip")).toEqual([expect.objectContaining({ slot: EquipSlot.HEAD })]));
    $("inv-drop-3").click();
    await vi.waitFor(() => expect(sent("dropItem")).toEqual([expect.objectContaining({ bagSlot: 3 })]));

    // the server's answer redraws it
    inventory([{ slot: 3, item: PELT }], [{ slot: EquipSlot.HEAD, item: CAP }, { slot: EquipSlot.MAIN_HAND, item: SWORD }], 57n);
    await vi.waitFor(() => expect($("inv-worn-main_hand").textContent).toContain("Rusty sword"));
    expect($("inv-bag-0").classList.contains("empty")).toBe(true);
    expect(window.__mmo.equipmentOf(SELF)).toMatchObject({ head: "leather-cap", main_hand: "rusty-sword", drawn: false,
      shapes: { head: "cap", main_hand: "sword" } });
    key("i", "KeyI");
    expect($("inventory").hidden).toBe(true);
  });

  it("the hooks equip and unequip by slot; a refusal goes to the chat", async () => {
    inWorld.equip = (m, s) => s.push({ rid: m.rid, msg: { case: "error", value: { code: ErrorCode.ITEM_REFUSED, message: "Your bag is full" } } });
    window.__mmo.equip(2);
    window.__mmo.unequip("off_hand");
    await vi.waitFor(() => expect(sent("unequip")).toEqual([expect.objectContaining({ slot: EquipSlot.OFF_HAND })]));
    expect(sent("equip")).toEqual([expect.objectContaining({ bagSlot: 2 })]);
    await vi.waitFor(() => expect(window.__mmo.chat.map((c) => c.text)).toContain("Your bag is full"));
  });
});

describe("others' equipment and window.__mmo.entities", () => {
  it("shows what players wear and its changes", async () => {
    enters({ id: 30, name: "Bob", x: 10 * 16, y: 8 * 16, level: 4, health: 70, maxHealth: 90, equipment: { chest: "linen-robe" } });
    await vi.waitFor(() => expect(window.__mmo.entities()).toHaveLength(1));
    expect(window.__mmo.entities()[0]).toMatchObject({
      id: 30, kind: "player", name: "Bob", x: 10, y: 8, level: 4, health: 70, maxHealth: 90, dead: false,
      equipment: { chest: "linen-robe", head: "" },
    });
    expect(window.__mmo.equipmentOf(30)).toMatchObject({ chest: "linen-robe", shapes: { chest: "robe" } });
    update({ events: [{ id: 30, event: { case: "equipment", value: { chest: "leather-vest", offHand: "wooden-shield" } } }] });
    await vi.waitFor(() => expect(window.__mmo.equipmentOf(30)).toMatchObject({
      chest: "leather-vest", off_hand: "wooden-shield", shapes: { chest: "vest", off_hand: "shield" } }));
    // the JSON of window.__mmo still carries the entities as an array
    expect(JSON.parse(JSON.stringify(window.__mmo)).entities[0].equipment.chest).toBe("leather-vest");
    expect(window.__mmo.equipmentOf(999)).toBeNull();
  });
});

describe("text from other players", () => {
  it("chat lines and names are shown as text, never parsed as HTML", async () => {
    const evil = "<img src=x onerror=\"window.__pwned=1\"><b>bold</b>";
    push({ case: "chat", value: { channel: ChatChannel.SAY, from: `Eve${evil}`, text: evil } });
    push({ case: "chat", value: { channel: ChatChannel.WHISPER, from: `Eve${evil}`, to: "Hero", text: evil } });
    await vi.waitFor(() => expect($("chat-log").textContent).toContain(`Eve${evil}: ${evil}`));
    expect($("chat-log").textContent).toContain(`[Eve${evil} whispers] ${evil}`);
    expect(document.querySelector("#chat-log img, #chat-log b")).toBeNull();
  });
});

describe("trade", () => {
  const trade = (init: object) => push({ case: "trade", value: { partner: "Bob", partnerEntity: 30, ...init } });

  beforeEach(async () => {
    enters({ id: 30, name: "Bob", x: 10 * 16, y: 8 * 16 });
    await vi.waitFor(() => expect(window.__mmo.entities()).toHaveLength(1));
    inventory([{ slot: 0, item: SWORD }, { slot: 3, item: PELT }], [], 40n);
    await vi.waitFor(() => expect(window.__mmo.inventory).not.toBeNull());
  });

  it("/trade name invites a player in view; unknown names are refused here", async () => {
    ($("chat-input") as HTMLInputElement).value = "/trade bob";
    $("chat-input").dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await vi.waitFor(() => expect(sent("trade")).toEqual([expect.objectContaining({ action: { case: "invite", value: 30 } })]));
    ($("chat-input") as HTMLInputElement).value = "/trade Zed";
    $("chat-input").dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(window.__mmo.chat.map((c) => c.text)).toContain("Zed is not near you.");
    expect(sent("trade")).toHaveLength(1);
  });

  it("an invitation asks to accept or decline", async () => {
    trade({ status: TradeStatus.INVITED });
    await vi.waitFor(() => expect($("trade-invite").hidden).toBe(false));
    expect($("trade-invite-text").textContent).toBe("Bob wants to trade with you.");
    expect($("trade").hidden).toBe(true);
    $("trade-accept").click();
    await vi.waitFor(() => expect(sent("trade")).toEqual([expect.objectContaining({ action: { case: "accept", value: true } })]));
    trade({ status: TradeStatus.INVITED });
    $("trade-decline").click();
    await vi.waitFor(() => expect(sent("trade")[1]).toMatchObject({ action: { case: "cancel", value: true } }));
  });

  it("offers items by clicking them in the bag, sets gold, shows both offers and ticks, confirms", async () => {
    trade({ status: TradeStatus.OPEN });
    await vi.waitFor(() => expect($("trade").hidden).toBe(false));
    expect($("inventory").hidden).toBe(false); // opens with the trade
    expect(window.__mmo.trade).toMatchObject({ status: "open", partner: "Bob" });

    $("inv-bag-3").click(); // while trading a click offers instead of equipping
    await vi.waitFor(() => expect(sent("trade")).toHaveLength(1));
    expect(sent("trade")[0]).toMatchObject({ action: { case: "offer", value: { bagSlots: [3], gold: 0n } } });
    expect(sent("equip")).toEqual([]);

    trade({ status: TradeStatus.OPEN, mine: [PELT], theirs: [BOW], theirGold: 15n, theirConfirm: true });
    await vi.waitFor(() => expect($("trade-theirs").textContent).toContain("Hunting bow"));
    expect($("trade-mine").textContent).toContain("Wolf pelt");
    expect($("trade-their-gold").textContent).toBe("15");
    expect($("trade-their-tick").classList.contains("on")).toBe(true);
    expect($("trade-my-tick").classList.contains("on")).toBe(false);
    expect($("inv-bag-3").classList.contains("offered")).toBe(true);

    const gold = $("trade-gold") as HTMLInputElement;
    gold.value = "30";
    gold.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(sent("trade")).toHaveLength(2));
    expect(sent("trade")[1]).toMatchObject({ action: { case: "offer", value: { bagSlots: [3], gold: 30n } } });

    $("trade-confirm").click();
    await vi.waitFor(() => expect(sent("trade")[2]).toMatchObject({ action: { case: "confirm", value: true } }));
    trade({ status: TradeStatus.COMMITTING, mine: [PELT], myGold: 30n, theirs: [BOW], theirGold: 15n, myConfirm: true, theirConfirm: true });
    await vi.waitFor(() => expect($("trade-status").textContent).toBe("Exchanging…"));
    expect(($("trade-confirm") as HTMLButtonElement).disabled).toBe(true);
    trade({ status: TradeStatus.DONE });
    await vi.waitFor(() => expect($("trade-status").textContent).toBe("Trade complete."));
    expect($("trade-cancel").textContent).toBe("Close");
    $("trade-cancel").click();
    expect($("trade").hidden).toBe(true);
    expect(window.__mmo.trade?.status).toBe("none");
  });

  it("cancels, and shows why a trade was cancelled", async () => {
    trade({ status: TradeStatus.OPEN });
    await vi.waitFor(() => expect($("trade").hidden).toBe(false));
    $("trade-cancel").click();
    await vi.waitFor(() => expect(sent("trade")).toEqual([expect.objectContaining({ action: { case: "cancel", value: true } })]));
    trade({ status: TradeStatus.CANCELLED, reason: "Partner left" });
    await vi.waitFor(() => expect($("trade-status").textContent).toBe("Trade cancelled: Partner left"));
    expect(window.__mmo.chat.map((c) => c.text)).toContain("Trade cancelled: Partner left");
  });

  it("after Characters and entering again, the trade buttons act once (the last stay's listeners are gone)", async () => {
    inWorld.leaveWorld = (m, s) => s.push({ rid: m.rid, msg: { case: "characters", value: { characters: [
      { id: 1n, name: "Hero", characterClass, appearance: APPEARANCE, world: "Testland" }] } } });
    $("leave-btn").click();
    await vi.waitFor(() => expect(window.__mmo.state).toBe("characters"));
    (document.querySelector(".char-entry") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(window.__mmo.state).toBe("world"));
    trade({ status: TradeStatus.INVITED });
    await vi.waitFor(() => expect($("trade-invite").hidden).toBe(false));
    $("trade-accept").click();
    await vi.waitFor(() => expect(sent("trade")).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 0)); // nothing more follows
    expect(sent("trade")).toHaveLength(1);
  });

  it("the hooks trade too", async () => {
    window.__mmo.tradeWith(30);
    window.__mmo.tradeOffer([0], 5);
    window.__mmo.tradeConfirm();
    await vi.waitFor(() => expect(sent("trade")).toHaveLength(3));
    const actions = (sent("trade") as { action: ClientMessage["msg"] }[]).map((t) => t.action.case);
    expect(actions).toEqual(["invite", "offer", "confirm"]);
  });
});

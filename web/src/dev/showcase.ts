// A scripted world for dev/scene.html: a fake server inside the page that lets any login in,
// puts the character among players in different gear, wolves, a boar, a bandit, a slime and
// loot of every rarity, and plays a fight on a loop (attacks, hits, heals, a death, a
// level-up, pickups). It drives the real client (App, GameSession, Scene) and nothing else.
import { create } from "@bufbuild/protobuf";
import { App } from "../app";
import {
  CharacterClass, EntityKind, EquipSlot, ItemType, Rarity, ServerMessageSchema, TradeStatus,
  classFromName, decodeClient, encodeServer, type ClientMessage, type ClassName,
} from "../protocol";
import "../style.css";

const params = new URLSearchParams(location.search);
const cls: CharacterClass = classFromName((params.get("class") ?? "warrior") as ClassName);
const SELF = 1;
const HOME = { x: 496, y: 500 };

const item = (id: number, kind: string, name: string, slot: EquipSlot, type: ItemType, rarity: Rarity, extra: object = {}) =>
  ({ id: BigInt(id), kind, name, slot, type, rarity, value: 3, ...extra });
const ITEMS = {
  sword: item(1, "rusty-sword", "Rusty sword", EquipSlot.MAIN_HAND, ItemType.WEAPON, Rarity.COMMON, { damage: 3 }),
  shield: item(2, "wooden-shield", "Wooden shield", EquipSlot.OFF_HAND, ItemType.ARMOR, Rarity.COMMON, { armor: 2 }),
  cap: item(3, "leather-cap", "Leather cap", EquipSlot.HEAD, ItemType.ARMOR, Rarity.COMMON, { armor: 1 }),
  vest: item(4, "leather-vest", "Leather vest", EquipSlot.CHEST, ItemType.ARMOR, Rarity.UNCOMMON, { armor: 3 }),
  trousers: item(5, "wool-trousers", "Wool trousers", EquipSlot.LEGS, ItemType.CLOTHING, Rarity.COMMON),
  boots: item(6, "boots", "Boots", EquipSlot.FEET, ItemType.ARMOR, Rarity.COMMON, { armor: 1 }),
  bow: item(7, "hunting-bow", "Hunting bow", EquipSlot.MAIN_HAND, ItemType.WEAPON, Rarity.UNCOMMON, { damage: 5, value: 12 }),
  staff: item(8, "oak-staff", "Oak staff", EquipSlot.MAIN_HAND, ItemType.WEAPON, Rarity.COMMON, { damage: 4 }),
  robe: item(9, "linen-robe", "Linen robe", EquipSlot.CHEST, ItemType.CLOTHING, Rarity.COMMON),
  hood: item(10, "wool-hood", "Wool hood", EquipSlot.HEAD, ItemType.CLOTHING, Rarity.COMMON),
  pelt: item(11, "wolf-pelt", "Wolf pelt", EquipSlot.SLOT_NONE, ItemType.JUNK, Rarity.COMMON),
  charm: item(12, "amber-charm", "Amber charm", EquipSlot.SLOT_NONE, ItemType.TRINKET, Rarity.RARE, { value: 40 }),
  crown: item(13, "starlit-circlet", "Starlit circlet", EquipSlot.HEAD, ItemType.ARMOR, Rarity.EPIC, { armor: 4, value: 120 }),
  helm: item(14, "iron-helm", "Iron helm", EquipSlot.HEAD, ItemType.ARMOR, Rarity.RARE, { armor: 3, value: 30 }),
};

const appearance = (skin: number, hair: number, style: number, top: number, topColor: number, bottom: number, bottomColor: number) =>
  ({ body: 0, skinColor: skin, hairColor: hair, hairStyle: style, outfit: { top, topColor, bottom, bottomColor, shoesColor: 0x2a1e14 } });

const ABILITY: Record<number, [string, number, number]> = {
  [CharacterClass.WARRIOR]: ["Cleave", 1.6, 1500],
  [CharacterClass.MAGE]: ["Firebolt", 9, 2500],
  [CharacterClass.RANGER]: ["Arrow", 12, 1200],
  [CharacterClass.HEALER]: ["Mend", 8, 3000],
};

class ShowcaseSocket {
  binaryType = "arraybuffer";
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  private tick = 1000;
  private seq = 0;
  private seqTick = 0;
  private x = HOME.x;
  private y = HOME.y;
  private dx = 0;
  private dy = 0;
  private timer = 0;
  private wolfHealth = 40;
  private script = 0;

  constructor(_url: string) {
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.({});
    }, 0);
  }

  private push(init: object): void {
    const b = encodeServer(create(ServerMessageSchema, init as never));
    setTimeout(() => this.onmessage?.({ data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) }), 0);
  }

  send(data: Uint8Array): void {
    const m: ClientMessage = decodeClient(data);
    const rid = m.rid;
    const character = { id: 1n, name: "Hero", characterClass: cls, world: "Showcase",
      appearance: appearance(0xe0b48c, 0x4a3020, 1, 0, 0x8c2a22, 0, 0x4a3b2c) };
    switch (m.msg.case) {
      case "hello":
        this.push({ rid, msg: { case: "welcome", value: { protocolVersion: 2, server: "showcase", tickRate: 20 } } });
        break;
      case "login":
      case "register":
        this.push({ rid, msg: { case: "loginOk", value: { accountId: 1n, username: "hero", sessionToken: "", characters: [character] } } });
        break;
      case "enterWorld":
        this.push({ rid, msg: { case: "worldEntered", value: {
          entityId: SELF, world: "Showcase", map: params.get("map") ?? "/maps/world.tmj", x: HOME.x * 16, y: HOME.y * 16,
          tick: this.tick, tickRate: 20, speed: 4, viewRadius: 32, character,
        } } });
        setTimeout(() => this.begin(), 50);
        break;
      case "input":
        this.seq = m.msg.value.seq;
        this.seqTick = this.tick;
        this.dx = m.msg.value.dx;
        this.dy = m.msg.value.dy;
        break;
      case "ping":
        this.push({ rid, msg: { case: "pong", value: { clientTime: m.msg.value.clientTime, serverTime: BigInt(Date.now()), tick: this.tick } } });
        break;
      case "useAbility":
        this.events([{ id: SELF, event: { case: "attack", value: { target: m.msg.value.target, ability: ABILITY[cls]![0] } } },
          { id: m.msg.value.target, event: { case: "hit", value: { source: SELF, amount: 17, health: 20, maxHealth: 40 } } }]);
        break;
      case "leaveWorld":
        this.push({ rid, msg: { case: "characters", value: { characters: [character] } } });
        break;
      default:
        break;
    }
  }

  private pending: object[] = [];

  private events(list: object[]): void {
    this.pending.push(...list);
  }

  private begin(): void {
    const [ability, range, cd] = ABILITY[cls]!;
    this.push({ msg: { case: "stats", value: {
      level: 3, xp: 180n, xpNext: 300n, health: 96, maxHealth: 134, power: 14, armor: 9, ability, abilityRange: range,
      abilityCooldownMs: cd,
    } } });
    this.push({ msg: { case: "inventory", value: {
      bagSize: 12,
      bag: [{ slot: 0, item: ITEMS.bow }, { slot: 1, item: ITEMS.pelt }, { slot: 2, item: ITEMS.charm }, { slot: 3, item: ITEMS.staff },
        { slot: 5, item: ITEMS.crown }, { slot: 6, item: ITEMS.robe }],
      worn: [{ slot: EquipSlot.HEAD, item: ITEMS.cap }, { slot: EquipSlot.CHEST, item: ITEMS.vest }, { slot: EquipSlot.LEGS, item: ITEMS.trousers },
        { slot: EquipSlot.FEET, item: ITEMS.boots }, { slot: EquipSlot.MAIN_HAND, item: ITEMS.sword }, { slot: EquipSlot.OFF_HAND, item: ITEMS.shield }],
      gold: 137n,
    } } });
    const at = (x: number, y: number) => ({ x: Math.round((HOME.x + x) * 16), y: Math.round((HOME.y + y) * 16) });
    const player = (id: number, name: string, x: number, y: number, look: object, equipment: object, extra: object = {}) =>
      ({ id, kind: EntityKind.ENTITY_PLAYER, name, ...at(x, y), appearance: look, equipment, level: 4, health: 90, maxHealth: 110, ...extra });
    const creature = (id: number, kind: string, name: string, level: number, x: number, y: number, extra: object = {}) =>
      ({ id, kind: EntityKind.ENTITY_CREATURE, creature: kind, name, level, health: 40, maxHealth: 40, ...at(x, y), ...extra });
    const loot = (id: number, x: number, y: number, extra: object) => ({ id, kind: EntityKind.ENTITY_LOOT, ...at(x, y), ...extra });
    this.update({
      enters: [
        player(2, "Morwen", -4, -1.5, appearance(0xf0c8a0, 0xd8d0c0, 1, 1, 0x34408f, 0, 0x262a52),
          { head: "wool-hood", chest: "linen-robe", mainHand: "oak-staff" }, { health: 60 }),
        player(3, "Sylva", 4.5, -2, appearance(0xc89870, 0x8a3a1a, 3, 2, 0x3f6a2e, 2, 0x5a4a30),
          { head: "leather-cap", chest: "leather-vest", feet: "boots", mainHand: "hunting-bow" }),
        player(4, "Tamsin", -2.5, 2.5, appearance(0x8a5a3a, 0x1a1010, 2, 1, 0xece4cf, 1, 0xc9b37a),
          { head: "starlit-circlet", chest: "linen-robe", offHand: "old-tome" }),
        player(5, "Bram", 5.5, 2.5, appearance(0xe0b48c, 0x6a4a2a, 0, 0, 0x6a6a70, 0, 0x3a3a48),
          { head: "iron-helm", chest: "iron-mail", legs: "wool-trousers", feet: "boots", mainHand: "war-axe", offHand: "wooden-shield" },
          { dead: true, health: 0 }),
        creature(10, "wolf", "Wolf", 2, 1.8, 0.3),
        creature(11, "wolf", "Wolf", 2, 7.5, -4),
        creature(12, "boar", "Boar", 3, -7, -2.5, { health: 35, maxHealth: 60 }),
        creature(13, "bandit", "Bandit", 5, 8.5, -1, { health: 70, maxHealth: 90 }),
        creature(14, "cave-slime", "Cave slime", 1, -6.5, 3),
        creature(15, "wolf", "Wolf", 2, -1, -3.5, { dead: true, health: 0 }),
        loot(20, -0.8, 1.5, { item: ITEMS.pelt }),
        loot(21, 1.2, 2.8, { item: ITEMS.bow }),
        loot(22, 2.8, 1.6, { item: ITEMS.charm }),
        loot(23, -4.5, 4.2, { item: ITEMS.crown }),
        loot(24, 0.6, 3.9, { gold: 14n }),
        loot(25, -1.6, -2.8, { gold: 3n }),
      ],
    });
    this.timer = window.setInterval(() => this.step(), 50);
    if (params.get("trade")) {
      setTimeout(() => this.push({ msg: { case: "trade", value: {
        status: TradeStatus.OPEN, partner: "Sylva", partnerEntity: 3, mine: [ITEMS.pelt, ITEMS.charm], myGold: 10n,
        theirs: [ITEMS.helm], theirGold: 25n, theirConfirm: true,
      } } }), 600);
    }
  }

  private update(init: object): void {
    this.tick++;
    this.push({ msg: { case: "worldUpdate", value: {
      tick: this.tick, ackSeq: this.seq, ticksSinceAck: this.tick - this.seqTick,
      x: Math.round(this.x * 16), y: Math.round(this.y * 16), timeDilation: 1, ...init,
    } } });
  }

  /** One tick: move the own character, play the next line of the fight. */
  private step(): void {
    const len = Math.hypot(this.dx, this.dy);
    if (len > 0) {
      this.x += (this.dx / len) * 4 / 20;
      this.y += (this.dy / len) * 4 / 20;
    }
    const s = this.script++ % 120;
    const ev = (id: number, event: object) => this.pending.push({ id, event });
    if (s === 5) {
      ev(SELF, { case: "attack", value: { target: 10, ability: ABILITY[cls]![0] } });
      this.wolfHealth = Math.max(4, this.wolfHealth - 17);
      ev(10, { case: "hit", value: { source: SELF, amount: 17, health: this.wolfHealth, maxHealth: 40 } });
    }
    if (s === 12) {
      ev(10, { case: "attack", value: { target: SELF, ability: "Bite" } });
      ev(SELF, { case: "hit", value: { source: 10, amount: 6, health: 90, maxHealth: 134 } });
    }
    if (s === 16) {
      ev(2, { case: "attack", value: { target: 12, ability: "Firebolt" } });
      ev(12, { case: "hit", value: { source: 2, amount: 24, health: 11, maxHealth: 60 } });
    }
    if (s === 24) {
      ev(3, { case: "attack", value: { target: 13, ability: "Arrow" } });
      ev(13, { case: "hit", value: { source: 3, amount: 16, health: 54, maxHealth: 90 } });
    }
    if (s === 30) {
      ev(4, { case: "attack", value: { target: 2, ability: "Mend" } });
      ev(2, { case: "hit", value: { source: 4, amount: -22, health: 82, maxHealth: 110 } });
    }
    if (s === 40) {
      ev(SELF, { case: "attack", value: { target: 10, ability: ABILITY[cls]![0] } });
      ev(10, { case: "hit", value: { source: SELF, amount: 23, health: 0, maxHealth: 40 } });
      ev(10, { case: "death", value: { killer: SELF } });
    }
    if (s === 50) ev(SELF, { case: "pickedUp", value: { what: "14 gold" } });
    if (s === 60) ev(SELF, { case: "levelUp", value: { level: 4 } });
    if (s === 70) ev(3, { case: "pickedUp", value: { what: "Wolf pelt" } });
    if (s === 80) ev(13, { case: "attack", value: { target: 3, ability: "Slash" } });
    if (s === 80) ev(3, { case: "hit", value: { source: 13, amount: 11, health: 79, maxHealth: 110 } });
    if (s === 119) {
      // the wolf's corpse goes, and it comes back
      this.wolfHealth = 40;
      this.update({ leaves: [10] });
      this.update({ enters: [{ id: 10, kind: EntityKind.ENTITY_CREATURE, creature: "wolf", name: "Wolf", level: 2, health: 40, maxHealth: 40,
        x: Math.round((HOME.x + 1.8) * 16), y: Math.round((HOME.y + 0.3) * 16) }] });
      return;
    }
    // a wolf paces, a slime wanders
    const moves: number[] = [];
    const wx = Math.round(Math.sin(s / 19) * 3) - Math.round(Math.sin((s - 1) / 19) * 3);
    moves.push(11, wx, 0);
    moves.push(3, 0, s % 40 < 20 ? 1 : -1);
    const events = this.pending;
    this.pending = [];
    this.update({ moves, events });
  }

  close(): void {
    clearInterval(this.timer);
    this.readyState = 3;
  }
}

(window as unknown as { WebSocket: unknown }).WebSocket = ShowcaseSocket;

async function boot(): Promise<void> {
  const html = await (await fetch("/index.html")).text();
  const body = html.slice(html.indexOf(">", html.indexOf("<body")) + 1, html.indexOf("</body>")).replace(/<script[\s\S]*?<\/script>/g, "");
  document.body.innerHTML = body;
  new App().start();
  (document.getElementById("username") as HTMLInputElement).value = "hero";
  (document.getElementById("password") as HTMLInputElement).value = "password";
  document.getElementById("login-btn")!.click();
  const wait = (ok: () => boolean) => new Promise<void>((resolve) => {
    const t = setInterval(() => { if (ok()) { clearInterval(t); resolve(); } }, 20);
  });
  await wait(() => !!document.querySelector(".char-entry"));
  (document.querySelector(".char-entry") as HTMLButtonElement).click();
  await wait(() => window.__mmo.state === "world");
  await wait(() => window.__mmo.entities().length > 0);
  setTimeout(() => window.__mmo.setTarget(params.get("trade") ? 3 : 13), 300);
  if (params.get("bag")) setTimeout(() => window.dispatchEvent(new KeyboardEvent("keydown", { key: "i", code: "KeyI" })), 400);
}

void boot();

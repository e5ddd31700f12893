// One stay in the world: from WorldEntered until leaving, logging out or disconnecting.
// Runs the client tick (keys -> Input -> prediction), applies WorldUpdates (world state,
// reconciliation, interpolation buffers, combat effects), draws with the Scene at display
// rate, and keeps the HUD, the unit frames, the inventory and trade windows and
// window.__mmo current. Clicks and keys (on a phone: taps, the stick and the thumb buttons)
// target, fight, loot and trade; the server decides.
import * as act from "./actions";
import { parseChat, ADMIN_HELP_TEXT, HELP_TEXT } from "./chat";
import { Cooldown, actionText } from "./combat";
import { debug, setWorldHooks, type DebugEntity, type DrawnEquipment } from "./debug";
import { TickClock } from "./interpolation";
import { InventoryModel, SLOT_NAMES, emptyEquipment, type SlotName } from "./items";
import { loadMap, type GameMap } from "./map";
import type { ClientPayload, Connection } from "./net";
import { ServerError } from "./net";
import { Predictor } from "./prediction";
import {
  CharacterClass,
  Constants,
  ErrorCode,
  channelName,
  classLabel,
  defaultAppearance,
  toUnits,
  type CharacterStats,
  type ChatMessage,
  type RegionOwner,
  type ServerMessage,
  type TradeState,
  type WorldEntered,
  type WorldUpdate,
} from "./protocol";
import { equipmentLooks } from "./render/equipment";
import type { Drawable, SpawnInfo, TargetTone } from "./render/scene";
import { Scene } from "./render/scene";
import { nearestLoot, Targeting } from "./targeting";
import { TradeModel } from "./trade";
import { ChatLog } from "./ui/chatlog";
import { $, input } from "./ui/dom";
import { ActionBar, PlayerFrame, TargetFrame, type StatsView, type TargetInfo } from "./ui/frames";
import { InventoryPanel } from "./ui/inventory";
import { Toasts } from "./ui/toast";
import { ItemTooltip } from "./ui/tooltip";
import { TradePanel } from "./ui/trade";
import { bindPress, bindStick, pinToVisualTop, touchUi } from "./ui/touch";
import { WorldState, activeEmote, type Action, type RemoteEntity } from "./world";

const PICKUP_RANGE: number = Constants.PICKUP_RANGE;
/** How long the outcome of a trade stays on screen. */
const TRADE_OUTCOME_MS = 4000;

function statsView(s: CharacterStats): StatsView {
  return {
    level: s.level,
    xp: Number(s.xp),
    xpNext: Number(s.xpNext),
    health: s.health,
    maxHealth: s.maxHealth,
    power: s.power,
    armor: s.armor,
    ability: s.ability,
    abilityRange: s.abilityRange,
    abilityCooldownMs: s.abilityCooldownMs,
  };
}

const KEYS: Record<string, [number, number]> = {
  KeyW: [0, -1], ArrowUp: [0, -1],
  KeyS: [0, 1], ArrowDown: [0, 1],
  KeyA: [-1, 0], ArrowLeft: [-1, 0],
  KeyD: [1, 0], ArrowRight: [1, 0],
};

/** The movement key of a keyboard event (by code, or by key for unusual layouts/drivers). */
function keyCode(e: KeyboardEvent): string | null {
  if (e.code in KEYS) return e.code;
  const byKey: Record<string, string> = { w: "KeyW", a: "KeyA", s: "KeyS", d: "KeyD" };
  const k = byKey[e.key.toLowerCase()] ?? (e.key in KEYS ? e.key : null);
  return k;
}

/** How far (CSS px) a tap may miss a sprite and still pick it. */
const TOUCH_SLOP_PX = 14;

/** Corrections longer than this snap; shorter ones are smoothed out. */
const SNAP_DISTANCE = 2;

export class GameSession {
  private readonly world: WorldState;
  private readonly clock: TickClock;
  private readonly tickMs: number;
  private map: GameMap | null = null;
  private predictor: Predictor | null = null;
  private scene: Scene | null = null;
  private readonly pressed = new Set<string>();
  /** The touch stick's movement input ((0, 0): not held); it wins over the keys while held. */
  private stickDx = 0;
  private stickDy = 0;
  /** How the last press on the world came (a long touch is a right click). */
  private lastPointerType = "";
  private tickAcc = 0;
  private lastTickDriver = performance.now();
  private lastFrame = performance.now();
  private lastDebug = 0;
  private prevX: number;
  private prevY: number;
  private errX = 0;
  private errY = 0;
  private lastServerX: number;
  private lastServerY: number;
  private fps = 0;
  private frames = 0;
  private fpsSince = performance.now();
  private ping = 0;
  private rafId = 0;
  private timers: number[] = [];
  private stopped = false;
  private readonly unsubscribe: () => void;
  private readonly cleanups: (() => void)[] = [];

  // the game: what you have, what you aim at, what you trade
  private readonly inventory = new InventoryModel();
  private readonly trade = new TradeModel();
  private readonly targeting = new Targeting();
  private readonly cooldown = new Cooldown();
  private stats: StatsView | null = null;
  private readonly healer: boolean;
  private tradeOutcomeTimer = 0;
  private bagOpenedByTrade = false;

  // drawing: one Drawable per entity, reused every frame; the list rebuilt when one comes or goes
  private readonly own: Drawable;
  private readonly drawables = new Map<number, Drawable>();
  private drawList: Drawable[] = [];
  private drawListDirty = true;
  private playersInView = 0;

  // panels
  private readonly toasts = new Toasts($("toasts"));
  private readonly tooltip = new ItemTooltip($("item-tooltip"));
  private readonly playerFrame: PlayerFrame;
  private readonly targetFrame = new TargetFrame();
  private readonly actionBar = new ActionBar();
  private readonly inventoryPanel: InventoryPanel;
  private readonly tradePanel: TradePanel;
  private targetShown: TargetInfo | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly entered: WorldEntered,
    private readonly chat: ChatLog,
    /** The account's ignore list as the server last sent it (it comes with the login). */
    private ignored: readonly string[] = [],
  ) {
    const rate = entered.tickRate || conn.tickRate || 20;
    this.tickMs = 1000 / rate;
    this.world = new WorldState(entered.entityId, this.tickMs);
    this.clock = new TickClock(this.tickMs);
    this.clock.observe(entered.tick, performance.now());
    this.prevX = this.lastServerX = toUnits(entered.x);
    this.prevY = this.lastServerY = toUnits(entered.y);
    this.own = { id: entered.entityId, x: this.prevX, y: this.prevY, emote: "none" };
    const c = entered.character;
    this.healer = c?.characterClass === CharacterClass.HEALER;
    this.playerFrame = new PlayerFrame(c?.name ?? "", c ? classLabel(c.characterClass) : "");
    this.inventoryPanel = new InventoryPanel({
      bagClick: (slot) => this.bagClick(slot),
      drop: (slot) => this.drop(slot),
      unequip: (slot) => this.unequip(slot),
    }, this.tooltip, c?.appearance);
    this.tradePanel = new TradePanel({
      accept: () => this.send(act.tradeAccept()),
      decline: () => this.send(act.tradeCancel()),
      confirm: () => this.send(act.tradeConfirm()),
      cancel: () => this.send(act.tradeCancel()),
      dismiss: () => this.dismissTrade(),
      setGold: (gold) => this.send(act.tradeOffer(this.trade.withGold(this.inventory, gold))),
      removeItem: (slot) => this.toggleOffer(slot),
    }, this.tooltip);
    this.unsubscribe = conn.onMessage((m) => this.onMessage(m));
    debug.state = "world";
    debug.entityId = entered.entityId;
    debug.x = debug.serverX = this.prevX;
    debug.y = debug.serverY = this.prevY;
    debug.tick = entered.tick;
    debug.character = c?.name ?? "";
    debug.world = entered.world;
    debug.trade = this.trade.state;
    setWorldHooks({
      entities: () => this.debugEntities(),
      equipmentOf: (id) => this.equipmentOf(id),
      screenOf: (id) => {
        const at = this.scene?.screenPoint(id);
        if (!at || !this.scene) return null;
        const r = this.scene.app.canvas.getBoundingClientRect();
        return { x: r.left + at.x, y: r.top + at.y };
      },
      attack: (id) => this.useAbility(id, true),
      pickUp: (id) => this.send(act.pickUp(id)),
      equip: (slot) => this.send(act.equip(slot)),
      unequip: (slot) => this.unequip(slot),
      drop: (slot) => this.drop(slot),
      target: (id) => this.setTarget(id),
      tradeWith: (id) => this.inviteToTrade(id),
      tradeAccept: () => this.send(act.tradeAccept()),
      tradeOffer: (slots, gold) => this.send(act.tradeOffer({ bagSlots: slots, gold: BigInt(Math.max(0, Math.floor(gold))) })),
      tradeConfirm: () => this.send(act.tradeConfirm()),
      tradeCancel: () => this.send(act.tradeCancel()),
    });
    this.resetPanels();
    this.selfChanged();
    this.actionBar.setAbility("", 0, 0);
  }

  get ownName(): string {
    return this.entered.character?.name ?? "";
  }

  private get selfId(): number {
    return this.entered.entityId;
  }

  /** Loads the map and the renderer, then starts the loops. */
  async start(): Promise<void> {
    this.listen();
    this.timers.push(window.setInterval(() => this.driveTicks(), 10));
    this.timers.push(window.setInterval(() => void this.sendPing(), 2000));
    void this.sendPing();
    this.rafId = requestAnimationFrame((t) => this.frame(t));
    const mapUrl = this.entered.map || "/maps/world.tmj";
    try {
      const map = await loadMap(mapUrl);
      if (this.stopped) return;
      this.map = map;
      this.predictor = new Predictor(map, this.lastServerX, this.lastServerY, this.entered.speed || 4,
        1000 / this.tickMs);
    } catch (e) {
      this.chat.system(`Could not load the map: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const scene = await Scene.create($("game"));
    if (this.stopped) {
      scene?.destroy();
      return;
    }
    if (!scene) {
      this.chat.system("Your browser could not start a renderer (WebGL or canvas); the world is not drawn.");
      return;
    }
    debug.renderer = scene.rendererName;
    try {
      await scene.setMap(this.map, mapUrl);
    } catch (e) {
      this.chat.system(`Could not draw the map: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (this.stopped) {
      scene.destroy();
      return;
    }
    this.scene = scene;
    scene.setOwnLevel(this.world.self.level);
    scene.sprite(this.ownSpawn(), true);
    for (const e of this.world.entities.values()) scene.sprite(e);
    scene.setTarget(this.targeting.id, this.targetTone(this.targetShown));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    cancelAnimationFrame(this.rafId);
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.tradeOutcomeTimer);
    this.unsubscribe();
    for (const c of this.cleanups) c();
    this.tradePanel.dispose();
    this.scene?.destroy();
    this.scene = null;
    setWorldHooks(null);
    this.resetPanels();
    this.toasts.clear();
    $("game").replaceChildren();
  }

  /** The in-world panels as a new stay starts (and after it ends): closed and empty. */
  private resetPanels(): void {
    for (const id of ["inventory", "trade", "trade-invite", "target-frame", "death-banner", "item-tooltip"]) $(id).hidden = true;
    $("inventory-btn").classList.remove("active");
  }

  // ------------------------------------------------------------------ input

  private listen(): void {
    const chatInput = input("chat-input");
    chatInput.dataset["keysHint"] ??= chatInput.placeholder;
    chatInput.placeholder = touchUi() ? "Say something · /world · /w name · /wave" : chatInput.dataset["keysHint"];
    const onKeyDown = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT");
      if (typing) return;
      if (e.key === "Enter") {
        e.preventDefault();
        this.pressed.clear();
        chatInput.focus();
        return;
      }
      if (this.gameKey(e)) {
        e.preventDefault();
        return;
      }
      const code = keyCode(e);
      if (code) {
        e.preventDefault();
        this.pressed.add(code);
        this.directionChanged();
      }
    };
    const onKeyUp = (e: KeyboardEvent) => {
      const code = keyCode(e);
      if (code && this.pressed.delete(code)) this.directionChanged();
    };
    const onBlur = () => this.pressed.clear();
    const onChatKey = (e: KeyboardEvent) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.sendChatInput();
      } else if (e.key === "Escape") {
        this.closeChat();
      }
    };
    const game = $("game");
    const onGamePointer = (e: PointerEvent) => {
      this.lastPointerType = e.pointerType;
      chatInput.blur();
      this.onWorldClick(e);
    };
    const onGameMove = (e: PointerEvent) => {
      const id = this.pickAt(e);
      game.style.cursor = id !== 0 && id !== this.selfId ? "pointer" : "";
    };
    const onContextMenu = (e: MouseEvent) => {
      e.preventDefault();
      // a long touch is the phone's right click: on a player, a trade invitation
      if (this.lastPointerType !== "touch") return;
      const other = this.world.entities.get(this.pickAt(e));
      if (other?.kind === "player") this.inviteToTrade(other.id);
    };
    const onButtonClick = (e: Event) => (e.currentTarget as HTMLElement).blur();
    const buttons = [$("leave-btn"), $("logout-btn"), $("ability-btn"), $("pickup-btn"), $("inventory-btn")];
    const onBagClose = () => this.inventoryPanel.setOpen(false);
    game.addEventListener("pointerdown", onGamePointer);
    game.addEventListener("pointermove", onGameMove);
    game.addEventListener("contextmenu", onContextMenu);
    for (const b of buttons) b.addEventListener("click", onButtonClick);
    this.cleanups.push(
      bindPress($("ability-btn"), () => this.useAbility(0, false)),
      bindPress($("pickup-btn"), () => this.pickUpNearest()),
      bindPress($("inventory-btn"), () => this.toggleInventory()),
      bindPress($("chat-btn"), () => this.openChat()),
      bindPress($("chat-close"), () => this.closeChat()),
      bindPress($("chat-send"), () => this.sendChatInput()),
      bindStick($("stick"), $("stick-knob"), (dx, dy) => this.stickChanged(dx, dy)),
      pinToVisualTop($("chat-entry")),
    );
    const log = $("chat-log");
    const onLogTap = () => {
      if (!touchUi()) return;
      log.classList.toggle("expanded");
      log.scrollTop = log.scrollHeight; // the newest lines, taller or not
    };
    log.addEventListener("click", onLogTap);
    $("inventory-close").addEventListener("click", onBagClose);
    this.cleanups.push(() => {
      game.removeEventListener("pointerdown", onGamePointer);
      game.removeEventListener("pointermove", onGameMove);
      game.removeEventListener("contextmenu", onContextMenu);
      game.style.cursor = "";
      for (const b of buttons) b.removeEventListener("click", onButtonClick);
      log.removeEventListener("click", onLogTap);
      log.classList.remove("expanded");
      $("inventory-close").removeEventListener("click", onBagClose);
      this.closeChat();
    });
    const onChatInput = () => chatInput.classList.toggle("too-long", [...chatInput.value].length > 300);
    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("keyup", onKeyUp);
    window.addEventListener("blur", onBlur);
    chatInput.addEventListener("keydown", onChatKey);
    chatInput.addEventListener("input", onChatInput);
    chatInput.addEventListener("focus", onBlur);
    this.cleanups.push(() => {
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("keyup", onKeyUp);
      window.removeEventListener("blur", onBlur);
      chatInput.removeEventListener("keydown", onChatKey);
      chatInput.removeEventListener("input", onChatInput);
      chatInput.removeEventListener("focus", onBlur);
    });
  }

  /** The game's keys: 1 ability, Tab next creature, E pick up, I (or B) bag, Escape. True if handled. */
  private gameKey(e: KeyboardEvent): boolean {
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    const k = e.key.toLowerCase();
    if (e.code === "Tab" || k === "tab") {
      const p = this.ownPoint();
      if (this.targeting.cycle(this.world.entities.values(), p.x, p.y) === 0) this.toasts.show("No creatures around.", "info", 1500);
      this.targetChanged();
      return true;
    }
    if (e.code === "Digit1" || e.code === "Numpad1" || k === "1") {
      if (!e.repeat) this.useAbility(0, false);
      return true;
    }
    if (e.code === "KeyE" || k === "e") {
      if (!e.repeat) this.pickUpNearest();
      return true;
    }
    if (e.code === "KeyI" || e.code === "KeyB" || k === "i" || k === "b") {
      if (!e.repeat) this.toggleInventory();
      return true;
    }
    if (e.key === "Escape") {
      if (this.inventoryPanel.open) this.inventoryPanel.setOpen(false);
      else this.setTarget(0);
      return true;
    }
    return false;
  }

  /** The entity under the pointer (0: none, or no renderer). */
  private pickAt(e: PointerEvent | MouseEvent): number {
    const scene = this.scene;
    if (!scene) return 0;
    const r = scene.app.canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    const hit = scene.pick(x, y, this.selfId);
    // a fingertip covers more than a sprite's edge: a near miss still finds what was meant
    if (hit !== 0 || !(e instanceof PointerEvent) || e.pointerType !== "touch") return hit;
    return scene.pick(x, y, this.selfId, TOUCH_SLOP_PX);
  }

  /** Left click: loot is picked up, anything else targeted (the ground clears). Right click on a player: trade. */
  private onWorldClick(e: PointerEvent): void {
    const id = this.pickAt(e);
    if (e.button === 2) {
      const other = this.world.entities.get(id);
      if (other?.kind === "player") this.inviteToTrade(id);
      return;
    }
    if (e.button !== 0) return;
    const other = this.world.entities.get(id);
    if (other?.kind === "loot") {
      this.send(act.pickUp(id));
      return;
    }
    this.setTarget(id);
  }

  /**
   * The stick moved: starting and stopping go out at once, as a key does; a turn while moving
   * goes with the next client tick, so a sweeping thumb sends at most one Input per tick.
   */
  private stickChanged(dx: number, dy: number): void {
    const wasMoving = this.stickDx !== 0 || this.stickDy !== 0;
    this.stickDx = dx;
    this.stickDy = dy;
    if (wasMoving !== (dx !== 0 || dy !== 0)) this.directionChanged();
  }

  /**
   * A new direction goes out at once (a client tick now, the next one a full tick later)
   * rather than waiting for the next tick.
   */
  private directionChanged(): void {
    const p = this.predictor;
    if (!p) return;
    const [dx, dy] = this.direction();
    const cur = p.current;
    if (cur && cur.dx === dx && cur.dy === dy) return;
    const now = performance.now();
    this.clientTick(now);
    this.tickAcc = 0;
    this.lastTickDriver = now;
  }

  private direction(): [number, number] {
    if (this.stickDx !== 0 || this.stickDy !== 0) return [this.stickDx, this.stickDy];
    let dx = 0, dy = 0;
    for (const code of this.pressed) {
      const d = KEYS[code];
      if (d) {
        dx += d[0];
        dy += d[1];
      }
    }
    return [Math.sign(dx), Math.sign(dy)];
  }

  /** Opens the chat entry (touch: at the top of the screen, over the world) with the keyboard. */
  private openChat(): void {
    document.body.classList.add("chat-open");
    this.pressed.clear();
    input("chat-input").focus();
  }

  private closeChat(): void {
    document.body.classList.remove("chat-open");
    input("chat-input").blur();
  }

  /** Sends what the chat entry holds; the entry closes when it went (kept, with the text, when refused here). */
  private sendChatInput(): void {
    const chatInput = input("chat-input");
    if (this.submitChat(chatInput.value)) chatInput.value = "";
    if (chatInput.value === "") this.closeChat();
  }

  /** Sends a chat line or emote; returns false (keeping the text) when it was rejected here. */
  submitChat(text: string): boolean {
    const cmd = parseChat(text);
    switch (cmd.kind) {
      case "none":
        return true;
      case "help":
        this.chat.system(cmd.admin ? ADMIN_HELP_TEXT : HELP_TEXT);
        return true;
      case "error":
        this.chat.system(cmd.message);
        return false;
      case "emote":
        this.conn.request({ case: "emote", value: { emote: cmd.emote } }).catch((e) => this.requestFailed(e));
        return true;
      case "chat":
        this.conn.request({ case: "chat", value: { channel: cmd.channel, text: cmd.text, target: cmd.target } })
          .catch((e) => this.requestFailed(e));
        return true;
      case "ignoreList":
        this.showIgnoreList();
        return true;
      case "ignore":
      case "unignore":
        this.conn.request({ case: cmd.kind, value: { name: cmd.name } })
          .then((m) => {
            if (m.msg.case !== "ignoreList") return;
            this.chat.system(cmd.kind === "ignore" ? `You ignore ${cmd.name} now.` : `You hear ${cmd.name} again.`);
          })
          .catch((e) => this.requestFailed(e));
        return true;
      case "admin":
        this.conn.request({
          case: "admin",
          value: { action: cmd.action, target: cmd.target, durationS: BigInt(cmd.durationS), reason: cmd.reason, text: cmd.text },
        })
          .then((m) => { if (m.msg.case === "adminResult") this.chat.system(m.msg.value.message); })
          .catch((e) => this.requestFailed(e));
        return true;
      case "trade": {
        const p = this.world.playerByName(cmd.name);
        if (!p) {
          this.chat.system(`${cmd.name} is not near you.`);
          return false;
        }
        this.inviteToTrade(p.id);
        return true;
      }
    }
  }

  private showIgnoreList(): void {
    this.chat.system(this.ignored.length === 0 ? "You ignore nobody." : `You ignore: ${this.ignored.join(", ")}.`);
  }

  private requestFailed(e: unknown): void {
    if (e instanceof ServerError) this.chat.system(e.message);
  }

  private async sendPing(): Promise<void> {
    const sent = performance.now();
    try {
      await this.conn.request({ case: "ping", value: { clientTime: BigInt(Date.now()) } });
      this.ping = Math.round(performance.now() - sent);
      debug.ping = this.ping;
    } catch {
      // closed: the app handles it
    }
  }

  // ------------------------------------------------------------------ actions

  /** Sends an in-world request; a refusal shows as a toast (and, but for abilities, in the chat log). */
  private send(payload: ClientPayload): void {
    if (!this.conn.isOpen) return;
    this.conn.fire(payload).catch((e) => this.refused(e));
  }

  private refused(e: unknown): void {
    if (!(e instanceof ServerError)) return;
    this.toasts.show(e.message, "error");
    if (e.code !== ErrorCode.ABILITY_REFUSED) this.chat.system(e.message);
    debug.errors.push({ code: ErrorCode[e.code] ?? String(e.code), message: e.message });
    if (debug.errors.length > 20) debug.errors.shift();
  }

  /**
   * Uses the class ability on `target` (0: the current target; with none, a healer heals
   * itself and the others take the nearest creature). From the key or button it waits for the
   * cooldown shown; the test hook always sends (the server decides).
   */
  private useAbility(target: number, always: boolean): void {
    let id = target || this.targeting.id;
    if (id === 0) {
      if (this.healer) id = this.selfId;
      else {
        const p = this.ownPoint();
        id = this.targeting.cycle(this.world.entities.values(), p.x, p.y);
        this.targetChanged();
        if (id === 0) {
          this.toasts.show("You have no target.", "info", 1500);
          return;
        }
      }
    }
    if (id !== this.targeting.id) this.setTarget(id);
    if (!always) {
      if (this.world.self.dead) {
        this.toasts.show("You are dead.", "info", 1500);
        return;
      }
      const left = this.cooldown.remaining(performance.now());
      if (left > 150) {
        this.toasts.show(`${this.stats?.ability || "Your ability"} is not ready yet.`, "info", 1200);
        return;
      }
    }
    this.send(act.useAbility(id));
  }

  private pickUpNearest(): void {
    const p = this.ownPoint();
    const id = nearestLoot(this.world.entities.values(), p.x, p.y, PICKUP_RANGE);
    if (id === 0) {
      this.toasts.show("Nothing to pick up here.", "info", 1500);
      return;
    }
    this.send(act.pickUp(id));
  }

  /** A bag item clicked: offered (or taken back) while trading, else worn if it can be. */
  private bagClick(slot: number): void {
    if (this.trade.open) {
      this.toggleOffer(slot);
      return;
    }
    const item = this.inventory.bag[slot];
    if (!item) return;
    if (!item.slot) {
      this.toasts.show(`${item.name} cannot be worn.`, "info", 1500);
      return;
    }
    this.send(act.equip(slot));
  }

  private toggleOffer(slot: number): void {
    const offer = this.trade.toggleItem(this.inventory, slot);
    if (offer) this.send(act.tradeOffer(offer));
    else if (this.inventory.bag[slot]) this.toasts.show("You cannot offer more items.", "info", 1500);
  }

  private drop(slot: number): void {
    if (this.inventory.bag[slot]) this.send(act.dropItem(slot));
  }

  private unequip(slot: SlotName): void {
    this.send(act.unequip(slot));
  }

  private inviteToTrade(id: number): void {
    if (this.trade.active) {
      this.toasts.show("You are trading already.", "info", 1500);
      return;
    }
    const p = this.world.entities.get(id);
    if (p) this.chat.system(`You invite ${p.name} to trade.`);
    this.send(act.tradeInvite(id));
  }

  private toggleInventory(): void {
    this.inventoryPanel.toggle();
    this.renderInventory();
  }

  private setTarget(id: number): void {
    this.targeting.set(id);
    this.targetChanged();
  }

  // ------------------------------------------------------------------ ticks

  private tickLength(): number {
    const d = Math.min(1, Math.max(0.1, this.world.timeDilation || 1));
    return this.tickMs / d;
  }

  /** Runs the client ticks that are due (a timer, so they go on while the tab is hidden). */
  private driveTicks(): void {
    const now = performance.now();
    // Hidden tabs get no animation frames: keep window.__mmo current from here then.
    if (now - this.lastFrame > 150 && now - this.lastDebug > 100) {
      this.lastDebug = now;
      this.updateDebug();
    }
    this.tickAcc += now - this.lastTickDriver;
    this.lastTickDriver = now;
    const len = this.tickLength();
    let n = 0;
    while (this.tickAcc >= len) {
      this.tickAcc -= len;
      if (++n > 10) {
        this.tickAcc = 0;
        break;
      }
      this.clientTick(now);
    }
  }

  private clientTick(now: number): void {
    const p = this.predictor;
    if (!p || !this.conn.isOpen) return;
    const [dx, dy] = this.direction();
    this.prevX = p.x;
    this.prevY = p.y;
    const send = p.tick(dx, dy, now);
    if (send) this.conn.send({ case: "input", value: send });
    if ((p.x !== this.prevX || p.y !== this.prevY) && this.world.self.emote !== "none") {
      this.world.self.emote = "none"; // moving ends an emote, as on the server
    }
    // Bound what is kept if the server stops answering.
    if (p.inputs.length > 600) p.inputs.splice(0, p.inputs.length - 600);
  }

  // ------------------------------------------------------------------ server messages

  private onMessage(m: ServerMessage): void {
    switch (m.msg.case) {
      case "worldUpdate":
        this.onUpdate(m.msg.value);
        break;
      case "chat":
        this.onChat(m.msg.value);
        break;
      case "regionOwner":
        this.onRegionOwner(m.msg.value);
        break;
      case "inventory":
        this.inventory.apply(m.msg.value);
        this.onInventory();
        break;
      case "stats":
        this.onStats(statsView(m.msg.value));
        break;
      case "trade":
        this.onTrade(m.msg.value);
        break;
      case "ignoreList":
        this.ignored = m.msg.value.names;
        break;
      case "error":
        // answers to requests reject their promise; an error without a request id is news
        if (m.rid === 0) this.refused(new ServerError(m.msg.value.code, m.msg.value.message));
        break;
      default:
        break;
    }
  }

  /** Cluster mode: the node that simulates our region (shown in the HUD; a handoff changes it). */
  private onRegionOwner(r: RegionOwner): void {
    const first = this.regionOwner === undefined;
    this.regionOwner = r;
    debug.node = r.node;
    debug.region = [r.regionX, r.regionY];
    debug.handoffs += first ? 0 : 1;
    // by id: the HUD rewrites the value cell's classes every frame
    if (first) for (const id of ["hud-node-label", "hud-node"]) document.getElementById(id)?.removeAttribute("hidden");
  }

  private onUpdate(u: WorldUpdate): void {
    const now = performance.now();
    this.clock.observe(u.tick, now);
    const r = this.world.apply(u, now);
    this.lastServerX = toUnits(u.x);
    this.lastServerY = toUnits(u.y);
    const p = this.predictor;
    if (p) {
      const bx = p.x, by = p.y;
      p.reconcile(u.ackSeq, u.ticksSinceAck, this.lastServerX, this.lastServerY);
      const dx = p.x - bx, dy = p.y - by;
      if (Math.hypot(dx, dy) > 1 / 16) debug.corrections++;
      if (dx !== 0 || dy !== 0) {
        if (Math.hypot(dx, dy) > SNAP_DISTANCE) {
          this.errX = this.errY = 0;
          this.prevX = p.x;
          this.prevY = p.y;
        } else {
          this.errX -= dx;
          this.errY -= dy;
          this.prevX += dx;
          this.prevY += dy;
        }
      }
    }
    for (const e of r.left) {
      this.drawables.delete(e.id);
      this.drawListDirty = true;
    }
    for (const e of r.entered) {
      this.drawables.set(e.id, { id: e.id, x: e.x, y: e.y, emote: e.emote });
      this.drawListDirty = true;
    }
    const scene = this.scene;
    if (scene) {
      for (const e of r.left) scene.remove(e.id);
      for (const e of r.entered) scene.sprite(e);
      for (const id of r.appearance) {
        const e = this.world.entities.get(id);
        if (e) scene.setAppearance(id, e.appearance);
      }
      for (const id of r.equipment) {
        const v = id === this.selfId ? this.world.self : this.world.entities.get(id);
        if (v) scene.setEquipment(id, v.equipment);
      }
      for (const id of r.vitals) {
        const v = id === this.selfId ? this.world.self : this.world.entities.get(id);
        if (!v) continue;
        scene.setHealth(id, v.health, v.maxHealth);
        scene.setDead(id, v.dead);
        scene.setLevel(id, v.level);
      }
    }
    for (const a of r.actions) this.showAction(a, now);
    if (r.left.length > 0) this.targeting.forgetIfGone((id) => id === this.selfId || this.world.entities.has(id));
    if (r.vitals.includes(this.selfId)) this.selfChanged();
    this.targetChanged();
  }

  /** Shows an attack, hit, death, level-up, pickup or revival. */
  private showAction(a: Action, now: number): void {
    const fx = this.scene?.fx;
    const self = this.selfId;
    switch (a.type) {
      case "attack":
        if (a.id === self) this.cooldown.begin(now, this.stats?.abilityCooldownMs ?? 0);
        fx?.attack(a.id, a.target, a.ability, now);
        break;
      case "hit": {
        if (a.amount > 0) this.scene?.flash(a.id, now + (fx && a.source ? fx.inFlight(a.source, a.id, now) : 0));
        const t = actionText(a, self);
        if (t && fx) fx.float(a.id, t, now, a.source ? fx.inFlight(a.source, a.id, now) : 0);
        break;
      }
      case "death": {
        fx?.death(a.id, now);
        if (a.id === self) {
          const killer = this.world.entities.get(a.killer);
          this.chat.system(killer ? `You were killed by ${killer.name}.` : "You died.");
        }
        break;
      }
      case "levelUp": {
        fx?.levelUp(a.id, now);
        const t = actionText(a, self);
        if (t && fx) fx.float(a.id, t, now);
        if (a.id === self) {
          this.chat.system(`You reached level ${a.level}!`);
          this.scene?.setOwnLevel(a.level);
        }
        break;
      }
      case "pickedUp": {
        const t = actionText(a, self);
        if (t && fx) fx.float(a.id, t, now);
        if (a.id === self) this.chat.system(`You picked up ${a.what}.`);
        break;
      }
      case "revive":
        if (a.id === self) this.chat.system("You are alive again.");
        break;
    }
  }

  private onStats(s: StatsView): void {
    const levelBefore = this.stats?.level;
    this.stats = s;
    debug.stats = s;
    this.world.setSelfStats(s.level, s.health, s.maxHealth);
    this.actionBar.setAbility(s.ability, s.abilityRange, s.abilityCooldownMs);
    const scene = this.scene;
    if (scene) {
      scene.setHealth(this.selfId, s.health, s.maxHealth);
      scene.setDead(this.selfId, this.world.self.dead);
      scene.setLevel(this.selfId, s.level);
      if (levelBefore !== s.level) scene.setOwnLevel(s.level);
    }
    this.selfChanged();
    if (this.targeting.id === this.selfId) this.targetChanged();
  }

  /** The own frame and the death banner, after a change of the own stats or vitals. */
  private selfChanged(): void {
    const v = this.world.self;
    const s = this.stats;
    this.playerFrame.update(v.level, v.health, v.maxHealth, s?.xp ?? 0, s?.xpNext ?? 0, v.dead);
    $("death-banner").hidden = !v.dead;
  }

  private onInventory(): void {
    const inv = this.inventory;
    debug.inventory = inv.toJSON();
    // what you wear is your own equipment (the server also sends it as an event)
    const eq = emptyEquipment();
    for (const s of SLOT_NAMES) eq[s] = inv.worn[s]?.kind ?? "";
    this.world.self.equipment = eq;
    this.scene?.setEquipment(this.selfId, eq);
    this.renderInventory();
    this.tradePanel.render(this.trade, inv);
  }

  private renderInventory(): void {
    if (!this.inventoryPanel.open) return;
    const trading = this.trade.open;
    this.inventoryPanel.render(this.inventory, (slot) => trading && this.trade.isOffered(this.inventory, slot),
      trading ? "Click to offer it (again to take it back)" : "");
  }

  private onTrade(t: TradeState): void {
    const before = this.trade.state.status;
    this.trade.apply(t);
    const now = this.trade.state;
    debug.trade = now;
    clearTimeout(this.tradeOutcomeTimer);
    if (now.status !== before) {
      if (now.status === "invited") this.chat.system(`${now.partner} wants to trade with you.`);
      if (now.status === "open" && !this.inventoryPanel.open) {
        this.inventoryPanel.setOpen(true);
        this.bagOpenedByTrade = true;
      }
      if (now.status === "done") this.chat.system(`Trade with ${now.partner} complete.`);
      if (now.status === "cancelled") this.chat.system(now.reason ? `Trade cancelled: ${now.reason}` : "Trade cancelled.");
    }
    if (now.status === "done" || now.status === "cancelled") {
      this.tradeOutcomeTimer = window.setTimeout(() => this.dismissTrade(), TRADE_OUTCOME_MS);
    }
    this.tradePanel.render(this.trade, this.inventory);
    this.renderInventory();
  }

  private dismissTrade(): void {
    clearTimeout(this.tradeOutcomeTimer);
    if (this.trade.active) return;
    this.trade.dismiss();
    // on a phone the bag covers the controls: it goes with the trade that opened it
    if (this.bagOpenedByTrade && touchUi()) this.inventoryPanel.setOpen(false);
    this.bagOpenedByTrade = false;
    debug.trade = this.trade.state;
    this.tradePanel.render(this.trade, this.inventory);
    this.renderInventory();
  }

  private onChat(c: ChatMessage): void {
    const channel = channelName(c.channel);
    if (channel === "system") {
      this.chat.server(c.text); // from the server itself: an admin's broadcast or a moderation notice
      return;
    }
    const own = c.from === this.ownName;
    this.chat.add(channel, c.from, c.text, channel === "whisper" && own && c.to !== this.ownName ? c.to : "");
    if (channel === "say" && c.fromEntity !== 0) this.scene?.say(c.fromEntity, c.text, performance.now());
  }

  // ------------------------------------------------------------------ target

  private targetInfo(): TargetInfo | null {
    const id = this.targeting.id;
    if (id === 0) return null;
    if (id === this.selfId) {
      const v = this.world.self;
      return { id, name: this.ownName, kind: "self", level: v.level, health: v.health, maxHealth: v.maxHealth, dead: v.dead };
    }
    const e = this.world.entities.get(id);
    if (!e) return null;
    return {
      id, name: e.kind === "loot" ? (e.item?.name ?? `${e.gold} gold`) : e.name, kind: e.kind,
      level: e.level, health: e.health, maxHealth: e.maxHealth, dead: e.dead,
    };
  }

  /** The target frame, the marker and window.__mmo.target, when the target or its state changed. */
  private targetChanged(): void {
    const t = this.targetInfo();
    const was = this.targetShown;
    if (t && was && t.id === was.id && t.health === was.health && t.maxHealth === was.maxHealth && t.dead === was.dead
      && t.level === was.level && t.name === was.name) return;
    if (!t && !was) return;
    const newTarget = (t?.id ?? 0) !== (was?.id ?? 0);
    this.targetShown = t;
    debug.target = t;
    this.targetFrame.update(t);
    if (newTarget) this.scene?.setTarget(t?.id ?? 0, this.targetTone(t));
  }

  private targetTone(t: TargetInfo | null): TargetTone {
    return !t ? "neutral" : t.kind === "creature" ? "hostile" : t.kind === "loot" ? "neutral" : "friendly";
  }

  // ------------------------------------------------------------------ drawing

  private ownSpawn(): SpawnInfo {
    const c = this.entered.character;
    const v = this.world.self;
    return {
      id: this.selfId, kind: "player", name: c?.name ?? "you", appearance: c?.appearance ?? defaultAppearance(),
      equipment: v.equipment, creature: "", level: v.level, health: v.health, maxHealth: v.maxHealth, dead: v.dead,
      item: null, gold: 0,
    };
  }

  /** Where the own character is drawn now (prediction between client ticks, plus smoothing). */
  private updateOwn(now: number): void {
    const p = this.predictor;
    const d = this.own;
    if (!p) {
      d.x = this.lastServerX;
      d.y = this.lastServerY;
    } else {
      const alpha = Math.min(1, this.tickAcc / this.tickLength());
      d.x = this.prevX + (p.x - this.prevX) * alpha + this.errX;
      d.y = this.prevY + (p.y - this.prevY) * alpha + this.errY;
    }
    d.emote = activeEmote(this.world.self, now);
  }

  /** The own position for range checks (predicted, units). */
  private ownPoint(): { x: number; y: number } {
    const p = this.predictor;
    return p ? { x: p.x, y: p.y } : { x: this.lastServerX, y: this.lastServerY };
  }

  private updateDrawable(e: RemoteEntity, d: Drawable, now: number): void {
    if (!e.buffer.sampleInto(this.clock.renderTime(now, e.buffer.delay), d)) {
      d.x = e.x;
      d.y = e.y;
    }
    d.emote = activeEmote(e, now);
  }

  private frame(now: number): void {
    if (this.stopped) return;
    this.rafId = requestAnimationFrame((t) => this.frame(t));
    const dt = Math.min(250, now - this.lastFrame);
    this.lastFrame = now;
    this.driveTicks();
    const decay = Math.exp(-dt / 80);
    this.errX *= decay;
    this.errY *= decay;
    if (Math.abs(this.errX) < 1e-3) this.errX = 0;
    if (Math.abs(this.errY) < 1e-3) this.errY = 0;

    this.frames++;
    if (now - this.fpsSince >= 500) {
      this.fps = Math.round((this.frames * 1000) / (now - this.fpsSince));
      this.frames = 0;
      this.fpsSince = now;
    }

    const pnow = performance.now();
    this.updateOwn(pnow);
    for (const e of this.world.entities.values()) {
      const d = this.drawables.get(e.id);
      if (d) this.updateDrawable(e, d, pnow);
    }
    if (this.drawListDirty) {
      this.drawListDirty = false;
      this.drawList = [this.own, ...this.drawables.values()];
      let players = 0;
      for (const e of this.world.entities.values()) if (e.kind === "player") players++;
      this.playersInView = players;
    }
    if (this.scene) {
      try {
        this.scene.draw(this.own.x, this.own.y, this.drawList, pnow, dt);
      } catch (e) {
        console.error("drawing failed", e);
      }
    }
    this.actionBar.setCooldown(this.cooldown.fraction(pnow), this.cooldown.remaining(pnow));
    this.updateDebug();
    this.updateHud(this.playersInView);
  }

  private updateDebug(): void {
    const p = this.predictor;
    debug.x = p ? p.x : this.lastServerX;
    debug.y = p ? p.y : this.lastServerY;
    debug.serverX = this.lastServerX;
    debug.serverY = this.lastServerY;
    debug.tick = this.world.tick;
    debug.fps = this.fps;
    debug.ping = this.ping;
    debug.dilation = this.world.timeDilation;
    debug.emote = activeEmote(this.world.self, performance.now());
  }

  /** window.__mmo.entities(): the others as drawn now (sampled afresh, so hidden tabs are current too). */
  private debugEntities(): DebugEntity[] {
    const now = performance.now();
    const out: DebugEntity[] = [];
    const at = { x: 0, y: 0 };
    for (const e of this.world.entities.values()) {
      if (!e.buffer.sampleInto(this.clock.renderTime(now, e.buffer.delay), at)) {
        at.x = e.x;
        at.y = e.y;
      }
      out.push({
        id: e.id, kind: e.kind, name: e.name, x: at.x, y: at.y, emote: activeEmote(e, now),
        level: e.level, health: e.health, maxHealth: e.maxHealth, dead: e.dead, equipment: { ...e.equipment },
        creature: e.creature, item: e.item, gold: e.gold,
      });
    }
    return out;
  }

  /** What is drawn as worn on entity `id`; without a renderer, what would be. */
  private equipmentOf(id: number): DrawnEquipment | null {
    const drawn = this.scene?.drawnEquipment(id);
    if (drawn) {
      const shapes: DrawnEquipment["shapes"] = {};
      for (const s of SLOT_NAMES) if (drawn.looks[s]) shapes[s] = drawn.looks[s]!.shape;
      return { ...drawn.kinds, shapes, drawn: true };
    }
    const v = id === this.selfId ? this.world.self : this.world.entities.get(id);
    if (!v || (id !== this.selfId && (v as RemoteEntity).kind !== "player")) return null;
    const looks = equipmentLooks(v.equipment);
    const shapes: DrawnEquipment["shapes"] = {};
    for (const s of SLOT_NAMES) if (looks[s]) shapes[s] = looks[s]!.shape;
    return { ...v.equipment, shapes, drawn: false };
  }

  private hudText = "";
  private regionOwner: RegionOwner | undefined;

  private updateHud(inView: number): void {
    const p = this.predictor;
    const x = p ? p.x : this.lastServerX, y = p ? p.y : this.lastServerY;
    const c = this.entered.character;
    const dil = this.world.timeDilation;
    const rows: [string, string, string][] = [
      ["hud-char", c ? `${c.name} · ${classLabel(c.characterClass)}` : "", ""],
      ["hud-world", this.entered.world, ""],
      ["hud-ping", `${this.ping} ms`, this.ping > 250 ? "bad" : this.ping > 120 ? "warn" : ""],
      ["hud-tick", String(this.world.tick), ""],
      ["hud-pos", `${x.toFixed(1)}, ${y.toFixed(1)}`, ""],
      ["hud-players", String(inView), ""],
      ["hud-dilation", `${dil.toFixed(2)}×`, dil < 0.95 ? "warn" : ""],
      ["hud-fps", String(this.fps), this.fps > 0 && this.fps < 30 ? "warn" : ""],
      ["hud-node", this.regionOwner ? `${this.regionOwner.node} · region ${this.regionOwner.regionX},${this.regionOwner.regionY}` : "", ""],
    ];
    const text = rows.map((r) => r[1] + r[2]).join("|");
    if (text === this.hudText) return;
    this.hudText = text;
    for (const [id, value, cls] of rows) {
      const e = document.getElementById(id);
      if (e) {
        e.textContent = value;
        e.className = "v " + cls;
      }
    }
  }
}

// One stay in the world: from WorldEntered until leaving, logging out or disconnecting.
// Runs the client tick (keys -> Input -> prediction), applies WorldUpdates (world state,
// reconciliation, interpolation buffers), draws with the Scene at display rate, and keeps
// the HUD and window.__mmo current.
import { parseChat, HELP_TEXT } from "./chat";
import { debug } from "./debug";
import { TickClock } from "./interpolation";
import { loadMap, type GameMap } from "./map";
import type { Connection } from "./net";
import { ServerError } from "./net";
import { Predictor } from "./prediction";
import {
  channelName,
  classLabel,
  defaultAppearance,
  toUnits,
  type ChatMessage,
  type RegionOwner,
  type ServerMessage,
  type WorldEntered,
  type WorldUpdate,
} from "./protocol";
import type { Drawable } from "./render/scene";
import { Scene } from "./render/scene";
import { ChatLog } from "./ui/chatlog";
import { $, input } from "./ui/dom";
import { WorldState, activeEmote } from "./world";

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

  constructor(
    private readonly conn: Connection,
    private readonly entered: WorldEntered,
    private readonly chat: ChatLog,
  ) {
    const rate = entered.tickRate || conn.tickRate || 20;
    this.tickMs = 1000 / rate;
    this.world = new WorldState(entered.entityId, this.tickMs);
    this.clock = new TickClock(this.tickMs);
    this.clock.observe(entered.tick, performance.now());
    this.prevX = this.lastServerX = toUnits(entered.x);
    this.prevY = this.lastServerY = toUnits(entered.y);
    this.unsubscribe = conn.onMessage((m) => this.onMessage(m));
    debug.state = "world";
    debug.entityId = entered.entityId;
    debug.x = debug.serverX = this.prevX;
    debug.y = debug.serverY = this.prevY;
    debug.tick = entered.tick;
    debug.entities = [];
    debug.character = entered.character?.name ?? "";
    debug.world = entered.world;
  }

  get ownName(): string {
    return this.entered.character?.name ?? "";
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
    scene.sprite(this.ownDrawable(), true);
    for (const e of this.world.entities.values()) scene.sprite(this.drawableOf(e.id)!);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    cancelAnimationFrame(this.rafId);
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe();
    for (const c of this.cleanups) c();
    this.scene?.destroy();
    this.scene = null;
    $("game").replaceChildren();
  }

  // ------------------------------------------------------------------ input

  private listen(): void {
    const chatInput = input("chat-input");
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
        const text = chatInput.value;
        if (this.submitChat(text)) chatInput.value = "";
        if (chatInput.value === "") chatInput.blur();
      } else if (e.key === "Escape") {
        chatInput.blur();
      }
    };
    const game = $("game");
    const onGamePointer = () => chatInput.blur();
    const onButtonClick = (e: Event) => (e.currentTarget as HTMLElement).blur();
    const buttons = [$("leave-btn"), $("logout-btn")];
    game.addEventListener("pointerdown", onGamePointer);
    for (const b of buttons) b.addEventListener("click", onButtonClick);
    this.cleanups.push(() => {
      game.removeEventListener("pointerdown", onGamePointer);
      for (const b of buttons) b.removeEventListener("click", onButtonClick);
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

  /** Sends a chat line or emote; returns false (keeping the text) when it was rejected here. */
  submitChat(text: string): boolean {
    const cmd = parseChat(text);
    switch (cmd.kind) {
      case "none":
        return true;
      case "help":
        this.chat.system(HELP_TEXT);
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
    }
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
      const others: Drawable[] = [];
      for (const id of this.world.entities.keys()) others.push(this.drawableOf(id)!);
      this.updateDebug(others);
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
    if (this.scene) {
      for (const e of r.left) this.scene.remove(e.id);
      for (const e of r.entered) this.scene.sprite(this.drawableOf(e.id)!);
      for (const id of r.appearance) {
        const e = this.world.entities.get(id);
        if (e) this.scene.setAppearance(id, e.appearance);
      }
    }
  }

  private onChat(c: ChatMessage): void {
    const channel = channelName(c.channel);
    const own = c.from === this.ownName;
    this.chat.add(channel, c.from, c.text, channel === "whisper" && own && c.to !== this.ownName ? c.to : "");
    if (channel === "say" && c.fromEntity !== 0) this.scene?.say(c.fromEntity, c.text, performance.now());
  }

  // ------------------------------------------------------------------ drawing

  private ownPosition(): { x: number; y: number } {
    const p = this.predictor;
    if (!p) return { x: this.lastServerX, y: this.lastServerY };
    const alpha = Math.min(1, this.tickAcc / this.tickLength());
    return { x: this.prevX + (p.x - this.prevX) * alpha + this.errX, y: this.prevY + (p.y - this.prevY) * alpha + this.errY };
  }

  private ownDrawable(): Drawable {
    const pos = this.ownPosition();
    const c = this.entered.character;
    return {
      id: this.entered.entityId,
      name: c?.name ?? "you",
      appearance: c?.appearance ?? defaultAppearance(),
      x: pos.x,
      y: pos.y,
      emote: activeEmote(this.world.self, performance.now()),
    };
  }

  private drawableOf(id: number): Drawable | undefined {
    const e = this.world.entities.get(id);
    if (!e) return undefined;
    const s = e.buffer.sample(this.clock.renderTime(performance.now(), e.buffer.delay)) ?? { x: e.x, y: e.y };
    return { id, name: e.name, appearance: e.appearance, x: s.x, y: s.y, emote: activeEmote(e, performance.now()) };
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

    const own = this.ownDrawable();
    const others: Drawable[] = [];
    for (const id of this.world.entities.keys()) others.push(this.drawableOf(id)!);
    if (this.scene) {
      try {
        this.scene.draw(own.x, own.y, [own, ...others], now, dt);
      } catch (e) {
        console.error("drawing failed", e);
      }
    }
    this.updateDebug(others);
    this.updateHud(others.length);
  }

  private updateDebug(others: Drawable[]): void {
    const p = this.predictor;
    debug.x = p ? p.x : this.lastServerX;
    debug.y = p ? p.y : this.lastServerY;
    debug.serverX = this.lastServerX;
    debug.serverY = this.lastServerY;
    debug.tick = this.world.tick;
    debug.entities = others.map((d) => ({ id: d.id, name: d.name, x: d.x, y: d.y, emote: d.emote }));
    debug.fps = this.fps;
    debug.ping = this.ping;
    debug.dilation = this.world.timeDilation;
    debug.emote = activeEmote(this.world.self, performance.now());
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

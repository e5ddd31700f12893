// The Pixi stage: the map, the target marker, the entities (characters, creatures, loot) and
// the combat effects in a zoomed world layer that the camera moves, and a screen-space
// overlay for name plates, bubbles and floating numbers (crisp text at any zoom).
import { Application, Container, Graphics } from "pixi.js";
import type { EquipmentView, ItemView } from "../items";
import type { GameMap } from "../map";
import type { Appearance, EmoteName } from "../protocol";
import { CharacterSprite } from "./character";
import { creatureSprite } from "./creature";
import type { EntitySprite } from "./entity";
import type { Looks } from "./equipment";
import { Fx } from "./fx";
import { LootSprite } from "./loot";
import { TileMapView } from "./tilemap";

/** Where to draw an entity this frame: objects the game reuses frame after frame. */
export interface Drawable {
  id: number;
  /** Position in units (feet). */
  x: number;
  y: number;
  emote: EmoteName;
}

/** What the scene needs to make an entity's sprite (a RemoteEntity has all of it). */
export interface SpawnInfo {
  id: number;
  kind: "player" | "creature" | "loot";
  name: string;
  appearance?: Appearance | undefined;
  equipment: EquipmentView;
  creature: string;
  level: number;
  health: number;
  maxHealth: number;
  dead: boolean;
  item: ItemView | null;
  gold: number;
}

export type TargetTone = "hostile" | "friendly" | "neutral";

const TARGET_COLORS: Record<TargetTone, number> = { hostile: 0xff5a40, friendly: 0x5ae07a, neutral: 0xffd34a };

/** Whether WebGL here is a software rasterizer (SwiftShader, llvmpipe, ...). */
function softwareWebGL(): boolean {
  try {
    const gl = document.createElement("canvas").getContext("webgl");
    if (!gl) return false;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const name = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
  } catch {
    return false;
  }
}

export class Scene {
  private readonly world = new Container();
  private readonly ground = new Container();
  private readonly actors = new Container();
  private readonly overlay = new Container();
  private tiles: TileMapView | null = null;
  private map: GameMap | null = null;
  private readonly sprites = new Map<number, EntitySprite>();
  private readonly targetRing = new Graphics();
  private targetId = 0;
  private ownLevel = 1;
  private camX = NaN;
  private camY = NaN;
  private ox = 0;
  private oy = 0;
  readonly fx: Fx;
  zoom = 3;

  private constructor(readonly app: Application, private readonly resolution: number) {
    this.actors.sortableChildren = true;
    this.fx = new Fx(resolution, (id) => this.sprites.get(id));
    this.targetRing.visible = false;
    this.ground.addChild(this.targetRing);
    this.world.addChild(this.ground, this.actors, this.fx.world);
    app.stage.addChild(this.world, this.overlay, this.fx.overlay);
  }

  /**
   * Creates the renderer in `host`: WebGL on a GPU, else the canvas renderer (a software
   * WebGL, as in browsers without a GPU, is several times slower than canvas). `?renderer=webgl`
   * or `?renderer=canvas` in the page URL forces one. Null if no renderer works.
   */
  static async create(host: HTMLElement): Promise<Scene | null> {
    const app = new Application();
    const resolution = Math.min(2, window.devicePixelRatio || 1);
    const forced = new URLSearchParams(window.location.search).get("renderer");
    const preference: ("webgl" | "canvas")[] = forced === "canvas" || (forced !== "webgl" && softwareWebGL())
      ? ["canvas"] : ["webgl", "canvas"];
    try {
      await app.init({
        resizeTo: host,
        background: 0x07080c,
        antialias: false,
        autoDensity: true,
        resolution,
        preference,
        failIfMajorPerformanceCaveat: forced !== "webgl",
        roundPixels: false,
      });
    } catch (e) {
      console.error("no renderer available; the world is not drawn", e);
      return null;
    }
    app.canvas.id = "game-canvas";
    host.appendChild(app.canvas);
    app.ticker.stop(); // the game loop renders
    return new Scene(app, resolution);
  }

  get rendererName(): string {
    return this.app.renderer.name;
  }

  async setMap(map: GameMap, url: string): Promise<void> {
    this.map = map;
    // Chunks are cached as textures on GPU renderers; the canvas renderer draws sprites.
    this.tiles = await TileMapView.create(map, url, this.app.renderer.name !== "canvas");
    this.world.addChildAt(this.tiles.container, 0);
  }

  /** The sprite for an entity, made on first use. */
  sprite(info: SpawnInfo, own = false): EntitySprite {
    let s = this.sprites.get(info.id);
    if (!s) {
      if (info.kind === "loot") {
        s = new LootSprite(info.id, info.item?.name ?? "Gold", info.item?.rarity ?? null, info.gold, this.resolution);
      } else if (info.kind === "creature") {
        s = creatureSprite(info.id, info.name, info.creature, info.level, this.ownLevel, this.resolution);
      } else {
        s = new CharacterSprite(info.id, info.name, info.appearance, this.resolution, { own, level: info.level });
        s.setEquipment(info.equipment);
      }
      s.setHealth(info.health, info.maxHealth);
      s.setDead(info.dead);
      this.sprites.set(info.id, s);
      this.actors.addChild(s.body);
      this.overlay.addChild(s.overlay);
    }
    return s;
  }

  has(id: number): boolean {
    return this.sprites.has(id);
  }

  remove(id: number): void {
    const s = this.sprites.get(id);
    if (s) {
      this.sprites.delete(id);
      s.destroy();
    }
  }

  /** Marks the target with a ring at its feet (0: none). */
  setTarget(id: number, tone: TargetTone): void {
    this.targetId = id;
    const g = this.targetRing;
    g.clear();
    if (id === 0) {
      g.visible = false;
      return;
    }
    const c = TARGET_COLORS[tone];
    g.ellipse(0, 0, 9, 3.6).fill({ color: c, alpha: 0.16 });
    g.ellipse(0, 0, 9, 3.6).stroke({ color: c, width: 1.2, alpha: 0.95 });
    g.ellipse(0, 0, 10.5, 4.4).stroke({ color: c, width: 0.6, alpha: 0.5 });
  }

  /**
   * The entity drawn at screen point (x, y) (CSS pixels in the canvas), or 0. Where several
   * overlap: the living before loot, loot before the own character and the dead; then the
   * one in front. `slop` (CSS px) widens every sprite's box (a fingertip's tap).
   */
  pick(x: number, y: number, ownId: number, slop = 0): number {
    const mx = (x - this.ox) / this.zoom, my = (y - this.oy) / this.zoom;
    const m = slop / this.zoom;
    let best = 0, bestRank = -1, bestY = -Infinity;
    for (const s of this.sprites.values()) {
      if (!Number.isFinite(s.px)) continue;
      if (Math.abs(mx - s.px) > s.hitHalfWidth + m || my < s.py + s.hitTop - m || my > s.py + s.hitBottom + m) continue;
      const rank = s.id === ownId ? 1 : s.kind === "loot" ? 2 : s.dead ? 0 : 3;
      if (rank > bestRank || (rank === bestRank && s.py > bestY)) {
        best = s.id;
        bestRank = rank;
        bestY = s.py;
      }
    }
    return best;
  }

  /** Where entity `id` is drawn (the middle of what a click picks), CSS pixels in the canvas; null if not drawn. */
  screenPoint(id: number): { x: number; y: number } | null {
    const s = this.sprites.get(id);
    if (!s || !Number.isFinite(s.px)) return null;
    return { x: this.ox + s.px * this.zoom, y: this.oy + (s.py + (s.hitTop + s.hitBottom) / 2) * this.zoom };
  }

  /** Draws one frame: camera on (focusX, focusY) units, every drawable at its position. */
  draw(focusX: number, focusY: number, drawables: readonly Drawable[], nowMs: number, dtMs: number): void {
    const screen = this.app.screen;
    const w = screen.width, h = screen.height;
    this.zoom = Math.max(2, Math.min(4, Math.round(Math.min(w, h) / 270)));
    const tile = this.map?.tileWidth ?? 16;
    const scale = tile * this.zoom; // screen px per unit

    // Smooth camera: it follows the focus with a short lag, snapping on big jumps.
    if (!Number.isFinite(this.camX) || Math.hypot(focusX - this.camX, focusY - this.camY) > 8) {
      this.camX = focusX;
      this.camY = focusY;
    } else {
      const k = 1 - Math.exp(-dtMs / 90);
      this.camX += (focusX - this.camX) * k;
      this.camY += (focusY - this.camY) * k;
    }
    let cx = this.camX, cy = this.camY;
    if (this.map) {
      const halfW = w / 2 / scale, halfH = h / 2 / scale;
      cx = this.map.width > 2 * halfW ? Math.min(Math.max(cx, halfW), this.map.width - halfW) : this.map.width / 2;
      cy = this.map.height > 2 * halfH ? Math.min(Math.max(cy, halfH), this.map.height - halfH) : this.map.height / 2;
    }
    const ox = Math.round(w / 2 - cx * scale), oy = Math.round(h / 2 - cy * scale);
    this.ox = ox;
    this.oy = oy;
    this.world.scale.set(this.zoom);
    this.world.position.set(ox, oy);

    if (this.tiles) {
      const px = tile; // map pixels per unit
      this.tiles.showArea((-ox) / this.zoom - px, (-oy) / this.zoom - px, (w - ox) / this.zoom + px, (h - oy) / this.zoom + px);
    }
    for (let i = 0; i < drawables.length; i++) {
      const d = drawables[i]!;
      const s = this.sprites.get(d.id);
      if (!s) continue;
      const mx = d.x * tile, my = d.y * tile;
      s.update(mx, my, ox + mx * this.zoom, oy + my * this.zoom, this.zoom, d.emote, nowMs, dtMs);
    }
    const target = this.targetId ? this.sprites.get(this.targetId) : undefined;
    if (target && Number.isFinite(target.px)) {
      this.targetRing.visible = true;
      this.targetRing.position.set(target.px, target.py);
      const k = target.hitHalfWidth / 7;
      this.targetRing.scale.set(k * (1 + Math.sin(nowMs * 0.006) * 0.05));
      this.targetRing.alpha = 0.85 + Math.sin(nowMs * 0.006) * 0.15;
    } else {
      this.targetRing.visible = false;
    }
    this.fx.update(nowMs, ox, oy, this.zoom);
    this.app.render();
  }

  say(id: number, text: string, nowMs: number): void {
    this.sprites.get(id)?.say(text, nowMs);
  }

  setAppearance(id: number, a: Appearance): void {
    this.sprites.get(id)?.setAppearance(a);
  }

  /** Players' worn equipment (creatures keep the clothes of their kind). */
  setEquipment(id: number, eq: EquipmentView): void {
    const s = this.sprites.get(id);
    if (s?.kind === "player") s.setEquipment(eq);
  }

  setHealth(id: number, health: number, max: number): void {
    this.sprites.get(id)?.setHealth(health, max);
  }

  setDead(id: number, dead: boolean): void {
    this.sprites.get(id)?.setDead(dead);
  }

  setLevel(id: number, level: number): void {
    this.sprites.get(id)?.setLevel(level);
  }

  /** The viewer's level: creature names are coloured by their level against it. */
  setOwnLevel(level: number): void {
    if (level === this.ownLevel) return;
    this.ownLevel = level;
    for (const s of this.sprites.values()) s.setOwnLevel(level);
  }

  flash(id: number, nowMs: number): void {
    this.sprites.get(id)?.flash(nowMs);
  }

  /** What is drawn as worn on entity `id` now: item kinds per slot and the shapes drawn. */
  drawnEquipment(id: number): { kinds: EquipmentView; looks: Looks } | null {
    return this.sprites.get(id)?.drawnEquipment() ?? null;
  }

  destroy(): void {
    for (const s of this.sprites.values()) s.destroy();
    this.sprites.clear();
    this.fx.destroy();
    this.tiles?.destroy();
    this.app.destroy({ removeView: true }, { children: true });
  }
}

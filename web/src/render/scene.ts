// The Pixi stage: the map and the characters in a zoomed world layer that the camera moves,
// and a screen-space overlay for name labels and bubbles (crisp text at any zoom).
import { Application, Container } from "pixi.js";
import type { GameMap } from "../map";
import type { Appearance, EmoteName } from "../protocol";
import { CharacterSprite } from "./character";
import { TileMapView } from "./tilemap";

export interface Drawable {
  id: number;
  name: string;
  appearance: Appearance;
  /** Position in units (feet). */
  x: number;
  y: number;
  emote: EmoteName;
}

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
  private readonly actors = new Container();
  private readonly overlay = new Container();
  private tiles: TileMapView | null = null;
  private map: GameMap | null = null;
  private readonly sprites = new Map<number, CharacterSprite>();
  private camX = NaN;
  private camY = NaN;
  zoom = 3;

  private constructor(readonly app: Application, private readonly resolution: number) {
    this.actors.sortableChildren = true;
    this.world.addChild(this.actors);
    app.stage.addChild(this.world, this.overlay);
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

  sprite(d: Drawable, own = false): CharacterSprite {
    let s = this.sprites.get(d.id);
    if (!s) {
      s = new CharacterSprite(d.id, d.name, d.appearance, own, this.resolution);
      this.sprites.set(d.id, s);
      this.actors.addChild(s.body);
      this.overlay.addChild(s.overlay);
    }
    return s;
  }

  remove(id: number): void {
    const s = this.sprites.get(id);
    if (s) {
      this.sprites.delete(id);
      s.destroy();
    }
  }

  /** Draws one frame: camera on (camX, camY) units, every drawable at its position. */
  draw(focusX: number, focusY: number, drawables: Drawable[], nowMs: number, dtMs: number): void {
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
    this.world.scale.set(this.zoom);
    this.world.position.set(ox, oy);

    if (this.tiles) {
      const px = tile; // map pixels per unit
      this.tiles.showArea((-ox) / this.zoom - px, (-oy) / this.zoom - px, (w - ox) / this.zoom + px, (h - oy) / this.zoom + px);
    }
    for (const d of drawables) {
      const s = this.sprites.get(d.id);
      if (!s) continue;
      const mx = d.x * tile, my = d.y * tile;
      s.update(mx, my, ox + mx * this.zoom, oy + my * this.zoom, this.zoom, d.emote, nowMs, dtMs);
    }
    this.app.render();
  }

  say(id: number, text: string, nowMs: number): void {
    this.sprites.get(id)?.say(text, nowMs);
  }

  setAppearance(id: number, a: Appearance): void {
    this.sprites.get(id)?.setAppearance(a);
  }

  destroy(): void {
    for (const s of this.sprites.values()) s.destroy();
    this.sprites.clear();
    this.tiles?.destroy();
    this.app.destroy({ removeView: true }, { children: true });
  }
}

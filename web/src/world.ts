// What the client knows of the world: the other entities in view, kept up to date from
// WorldUpdate (leaves, then enters, then moves as id-delta triples, then events).
import { SnapshotBuffer } from "./interpolation";
import {
  defaultAppearance,
  emoteName,
  toUnits,
  type Appearance,
  type CharacterClass,
  type EmoteName,
  type EntityEnter,
  type WorldUpdate,
} from "./protocol";

/** How long the one-off emotes show. SIT lasts until the entity moves. */
export const EMOTE_MS: Record<EmoteName, number> = { none: 0, wave: 2500, dance: 6000, sit: Infinity };

export interface EmoteState {
  emote: EmoteName;
  /** Local time (ms) it started. */
  since: number;
}

export interface RemoteEntity extends EmoteState {
  id: number;
  name: string;
  characterClass: CharacterClass;
  appearance: Appearance;
  /** Last position the server sent, wire units (1/16). */
  qx: number;
  qy: number;
  /** Same, in units. */
  x: number;
  y: number;
  /** Positions over server time, for interpolation. */
  buffer: SnapshotBuffer;
}

export interface Move {
  id: number;
  dx: number;
  dy: number;
}

/** Decodes WorldUpdate.moves: triples (id_delta, dx, dy), ids as running sums. */
export function decodeMoves(moves: readonly number[]): Move[] {
  if (moves.length % 3 !== 0) throw new Error(`moves has ${moves.length} values, not a multiple of 3`);
  const out: Move[] = [];
  let id = 0;
  for (let i = 0; i < moves.length; i += 3) {
    id += moves[i]!;
    out.push({ id, dx: moves[i + 1]!, dy: moves[i + 2]! });
  }
  return out;
}

export interface UpdateResult {
  entered: RemoteEntity[];
  left: RemoteEntity[];
  moved: RemoteEntity[];
  /** Entities (or the own one, by id) that started an emote this update. */
  emotes: { id: number; emote: EmoteName }[];
  /** Entities whose appearance changed. */
  appearance: number[];
  /** Move triples for entities the client does not know (a protocol slip; ignored). */
  unknown: number[];
}

export function activeEmote(s: EmoteState, nowMs: number): EmoteName {
  if (s.emote === "none") return "none";
  return nowMs - s.since < EMOTE_MS[s.emote] ? s.emote : "none";
}

export class WorldState {
  readonly entities = new Map<number, RemoteEntity>();
  /** The own character's emote (the server sends own events too). */
  readonly self: EmoteState = { emote: "none", since: 0 };
  tick = 0;
  timeDilation = 1;

  constructor(readonly selfId: number, readonly tickMs: number) {}

  /** Applies one WorldUpdate received at local time nowMs. */
  apply(u: WorldUpdate, nowMs: number): UpdateResult {
    const result: UpdateResult = { entered: [], left: [], moved: [], emotes: [], appearance: [], unknown: [] };
    this.tick = u.tick;
    this.timeDilation = u.timeDilation > 0 ? u.timeDilation : 1;
    const t = u.tick * this.tickMs;

    for (const id of u.leaves) {
      const e = this.entities.get(id);
      if (e) {
        this.entities.delete(id);
        result.left.push(e);
      }
    }
    for (const en of u.enters) {
      const e = this.enter(en, t, nowMs);
      this.entities.set(e.id, e);
      result.entered.push(e);
    }
    for (const m of decodeMoves(u.moves)) {
      const e = this.entities.get(m.id);
      if (!e) {
        result.unknown.push(m.id);
        continue;
      }
      e.qx += m.dx;
      e.qy += m.dy;
      e.x = toUnits(e.qx);
      e.y = toUnits(e.qy);
      e.buffer.push(t, e.x, e.y);
      // SIT lasts until the entity moves; a wave or dance stops too.
      if (e.emote !== "none") e.emote = "none";
      result.moved.push(e);
    }

    for (const ev of u.events) {
      const target: EmoteState | undefined = ev.id === this.selfId ? this.self : this.entities.get(ev.id);
      if (!target) continue;
      if (ev.event.case === "emote") {
        target.emote = emoteName(ev.event.value);
        target.since = nowMs;
        result.emotes.push({ id: ev.id, emote: target.emote });
      } else if (ev.event.case === "appearance" && ev.id !== this.selfId) {
        (target as RemoteEntity).appearance = ev.event.value;
        result.appearance.push(ev.id);
      }
    }
    return result;
  }

  private enter(en: EntityEnter, t: number, nowMs: number): RemoteEntity {
    const buffer = new SnapshotBuffer(this.tickMs);
    const x = toUnits(en.x), y = toUnits(en.y);
    buffer.push(t, x, y);
    return {
      id: en.id,
      name: en.name,
      characterClass: en.characterClass,
      appearance: en.appearance ?? defaultAppearance(),
      qx: en.x,
      qy: en.y,
      x,
      y,
      buffer,
      emote: emoteName(en.emote),
      since: nowMs,
    };
  }

  byName(name: string): RemoteEntity | undefined {
    const n = name.toLowerCase();
    for (const e of this.entities.values()) if (e.name.toLowerCase() === n) return e;
    return undefined;
  }
}

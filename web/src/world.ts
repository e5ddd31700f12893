// What the client knows of the world: the other entities in view, kept up to date from
// WorldUpdate (leaves, then enters, then moves as id-delta triples, then events): players,
// creatures and loot, with health, death and what they wear; and the own character's
// health, death and equipment from the events about it.
import { SnapshotBuffer } from "./interpolation";
import { equipmentView, emptyEquipment, itemView, type EquipmentView, type ItemView } from "./items";
import {
  EntityKind,
  defaultAppearance,
  emoteName,
  toUnits,
  type Appearance,
  type CharacterClass,
  type EmoteName,
  type EntityEnter,
  type WorldUpdate,
} from "./protocol";

export type KindName = "player" | "creature" | "loot";

export function kindName(k: EntityKind): KindName {
  return k === EntityKind.ENTITY_CREATURE ? "creature" : k === EntityKind.ENTITY_LOOT ? "loot" : "player";
}

/** How long the one-off emotes show. SIT lasts until the entity moves. */
export const EMOTE_MS: Record<EmoteName, number> = { none: 0, wave: 2500, dance: 6000, sit: Infinity };

export interface EmoteState {
  emote: EmoteName;
  /** Local time (ms) it started. */
  since: number;
}

/** Fighting state shared by the own character and the others. */
export interface Vitals {
  level: number;
  health: number;
  maxHealth: number;
  dead: boolean;
  /** Players: what it wears (item kinds per slot). */
  equipment: EquipmentView;
}

export interface SelfState extends EmoteState, Vitals {}

export interface RemoteEntity extends EmoteState, Vitals {
  id: number;
  kind: KindName;
  name: string;
  characterClass: CharacterClass;
  appearance: Appearance;
  /** Creatures: content id ("wolf"). */
  creature: string;
  /** Loot: the item lying there, or null for a pile of gold. */
  item: ItemView | null;
  /** Loot: gold in the pile. */
  gold: number;
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

/** Things viewers show, in the order they came (ids may be the own entity's). */
export type Action =
  | { type: "attack"; id: number; target: number; ability: string }
  | { type: "hit"; id: number; source: number; amount: number; health: number; maxHealth: number }
  | { type: "death"; id: number; killer: number }
  | { type: "levelUp"; id: number; level: number }
  | { type: "pickedUp"; id: number; what: string }
  | { type: "revive"; id: number; health: number; maxHealth: number };

export interface UpdateResult {
  entered: RemoteEntity[];
  left: RemoteEntity[];
  moved: RemoteEntity[];
  /** Entities (or the own one, by id) that started an emote this update. */
  emotes: { id: number; emote: EmoteName }[];
  /** Entities whose appearance changed. */
  appearance: number[];
  /** Entities (or the own one) whose visible equipment changed. */
  equipment: number[];
  /** Entities (or the own one) whose health, level or death changed. */
  vitals: number[];
  actions: Action[];
  /** Move triples for entities the client does not know (a protocol slip; ignored). */
  unknown: number[];
}

export function activeEmote(s: EmoteState, nowMs: number): EmoteName {
  if (s.emote === "none") return "none";
  return nowMs - s.since < EMOTE_MS[s.emote] ? s.emote : "none";
}

export class WorldState {
  readonly entities = new Map<number, RemoteEntity>();
  /** The own character's emote, health and equipment (the server sends own events too). */
  readonly self: SelfState = {
    emote: "none", since: 0, level: 1, health: 0, maxHealth: 0, dead: false, equipment: emptyEquipment(),
  };
  tick = 0;
  timeDilation = 1;

  constructor(readonly selfId: number, readonly tickMs: number) {}

  /** Applies one WorldUpdate received at local time nowMs. */
  apply(u: WorldUpdate, nowMs: number): UpdateResult {
    const result: UpdateResult = {
      entered: [], left: [], moved: [], emotes: [], appearance: [], equipment: [], vitals: [], actions: [], unknown: [],
    };
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
      const target: SelfState | RemoteEntity | undefined = ev.id === this.selfId ? this.self : this.entities.get(ev.id);
      if (!target) continue;
      const e = ev.event;
      switch (e.case) {
        case "emote":
          target.emote = emoteName(e.value);
          target.since = nowMs;
          result.emotes.push({ id: ev.id, emote: target.emote });
          break;
        case "appearance":
          if (ev.id !== this.selfId) {
            (target as RemoteEntity).appearance = e.value;
            result.appearance.push(ev.id);
          }
          break;
        case "equipment":
          target.equipment = equipmentView(e.value);
          result.equipment.push(ev.id);
          break;
        case "attack":
          result.actions.push({ type: "attack", id: ev.id, target: e.value.target, ability: e.value.ability });
          break;
        case "hit":
          target.health = e.value.health;
          if (e.value.maxHealth > 0) target.maxHealth = e.value.maxHealth;
          result.vitals.push(ev.id);
          result.actions.push({
            type: "hit", id: ev.id, source: e.value.source, amount: e.value.amount,
            health: e.value.health, maxHealth: target.maxHealth,
          });
          break;
        case "death":
          target.dead = true;
          target.health = 0;
          result.vitals.push(ev.id);
          result.actions.push({ type: "death", id: ev.id, killer: e.value.killer });
          break;
        case "levelUp":
          target.level = e.value.level;
          result.vitals.push(ev.id);
          result.actions.push({ type: "levelUp", id: ev.id, level: e.value.level });
          break;
        case "pickedUp":
          result.actions.push({ type: "pickedUp", id: ev.id, what: e.value.what });
          break;
        case "revive":
          target.dead = false;
          target.health = e.value.health;
          if (e.value.maxHealth > 0) target.maxHealth = e.value.maxHealth;
          result.vitals.push(ev.id);
          result.actions.push({ type: "revive", id: ev.id, health: e.value.health, maxHealth: target.maxHealth });
          break;
        default:
          break;
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
      kind: kindName(en.kind),
      name: en.name,
      characterClass: en.characterClass,
      appearance: en.appearance ?? defaultAppearance(),
      creature: en.creature,
      item: en.item ? itemView(en.item) : null,
      gold: Number(en.gold),
      level: en.level,
      health: en.health,
      maxHealth: en.maxHealth,
      dead: en.dead,
      equipment: equipmentView(en.equipment),
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

  /** The own character's level and health from CharacterStats (the authority for them). */
  setSelfStats(level: number, health: number, maxHealth: number): void {
    this.self.level = level;
    this.self.health = health;
    this.self.maxHealth = maxHealth;
    // A character at 0 health is dead (also when it enters the world waiting to respawn).
    this.self.dead = maxHealth > 0 && health === 0;
  }

  /** A player in view by name (ignoring case): creatures and loot may share names. */
  playerByName(name: string): RemoteEntity | undefined {
    const n = name.toLowerCase();
    for (const e of this.entities.values()) if (e.kind === "player" && e.name.toLowerCase() === n) return e;
    return undefined;
  }
}

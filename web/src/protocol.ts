// Helpers around the generated protocol classes: units, enums as names, colours.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  AppearanceSchema,
  CharacterClass,
  ChatChannel,
  ClientMessageSchema,
  Constants,
  Emote,
  OutfitSchema,
  ServerMessageSchema,
  type Appearance,
  type ClientMessage,
  type ServerMessage,
} from "./gen/mmo/v1/mmo_pb";

export * from "./gen/mmo/v1/mmo_pb";

export const PROTOCOL_VERSION: number = Constants.PROTOCOL_VERSION;
export const POSITION_SCALE: number = Constants.POSITION_SCALE;
export const CLIENT_NAME = "web/0.1";
export const MAX_CHAT_LENGTH = 256;

/** Wire fixed point (1/16 unit) to world units. */
export function toUnits(wire: number): number {
  return wire / POSITION_SCALE;
}

/** World units to wire fixed point, as the server quantises (Math.round). */
export function toWire(units: number): number {
  return Math.round(units * POSITION_SCALE);
}

export function encodeClient(msg: ClientMessage): Uint8Array {
  return toBinary(ClientMessageSchema, msg);
}

export function decodeServer(bytes: Uint8Array): ServerMessage {
  return fromBinary(ServerMessageSchema, bytes);
}

export function decodeClient(bytes: Uint8Array): ClientMessage {
  return fromBinary(ClientMessageSchema, bytes);
}

export function encodeServer(msg: ServerMessage): Uint8Array {
  return toBinary(ServerMessageSchema, msg);
}

// ------------------------------------------------------------------ names

export type ClassName = "warrior" | "mage" | "ranger" | "healer";
export const CLASS_NAMES: readonly ClassName[] = ["warrior", "mage", "ranger", "healer"];

const CLASS_BY_NAME: Record<ClassName, CharacterClass> = {
  warrior: CharacterClass.WARRIOR,
  mage: CharacterClass.MAGE,
  ranger: CharacterClass.RANGER,
  healer: CharacterClass.HEALER,
};

export function classFromName(name: string): CharacterClass {
  const c = CLASS_BY_NAME[name as ClassName];
  if (c === undefined) throw new Error(`unknown class ${name}`);
  return c;
}

export function className(c: CharacterClass): ClassName {
  return CLASS_NAMES[c] ?? "warrior";
}

export function classLabel(c: CharacterClass): string {
  const n = className(c);
  return n.charAt(0).toUpperCase() + n.slice(1);
}

export type ChannelName = "say" | "world" | "whisper" | "system";

export function channelName(c: ChatChannel): ChannelName {
  switch (c) {
    case ChatChannel.SAY: return "say";
    case ChatChannel.WORLD: return "world";
    case ChatChannel.WHISPER: return "whisper";
    default: return "system";
  }
}

export type EmoteName = "none" | "wave" | "dance" | "sit";

export function emoteName(e: Emote): EmoteName {
  switch (e) {
    case Emote.WAVE: return "wave";
    case Emote.DANCE: return "dance";
    case Emote.SIT: return "sit";
    default: return "none";
  }
}

// ------------------------------------------------------------------ names and colours

/** The server's rule for account and character names: 3-16 ASCII letters or digits. */
export function isValidName(name: string): boolean {
  return /^[A-Za-z0-9]{3,16}$/.test(name);
}

export function colorToHex(c: number): string {
  return "#" + (c & 0xffffff).toString(16).padStart(6, "0");
}

export function hexToColor(hex: string): number {
  const m = /^#?([0-9a-fA-F]{6})$/.exec(hex.trim());
  if (!m) throw new Error(`not a colour: ${hex}`);
  return parseInt(m[1]!, 16);
}

/** An appearance with every field set, for entities the server sent without one. */
export function defaultAppearance(): Appearance {
  return create(AppearanceSchema, {
    body: 0,
    skinColor: 0xe0b48c,
    hairColor: 0x4a3020,
    hairStyle: 0,
    outfit: create(OutfitSchema, {
      top: 0,
      topColor: 0x3060a0,
      bottom: 0,
      bottomColor: 0x3a3a48,
      shoesColor: 0x2a1e14,
      hat: 0,
      hatColor: 0x7a2020,
    }),
  });
}

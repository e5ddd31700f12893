// What the chat input means: plain text is said to players around you, `/world text` (or
// `/g text`) goes to the whole world, `/w name text` whispers, `/wave` `/dance` `/sit` are
// emotes, `/ignore name` and `/unignore name` change your ignore list, and `/kick`, `/ban`,
// `/unban`, `/mute`, `/unmute`, `/broadcast` are admin commands (sent as typed: the server
// decides who may). Pure: the UI sends what this returns, or shows its error.
import { AdminAction, ChatChannel, Emote, MAX_CHAT_LENGTH, isValidName } from "./protocol";

export type ChatCommand =
  | { kind: "chat"; channel: ChatChannel; text: string; target: string }
  | { kind: "emote"; emote: Emote }
  | { kind: "trade"; name: string }
  | { kind: "ignore"; name: string }
  | { kind: "unignore"; name: string }
  | { kind: "ignoreList" }
  | { kind: "admin"; action: AdminAction; target: string; durationS: number; reason: string; text: string }
  | { kind: "help"; admin?: true }
  | { kind: "error"; message: string }
  | { kind: "none" };

export const HELP_TEXT =
  "Say: just type. World: /world text (or /g text). Whisper: /w name text. Emotes: /wave /dance /sit. "
  + "Trade: /trade name. Ignore: /ignore name, /unignore name, /ignore (the list). Admins: /help admin. "
  + "Keys: 1 ability, Tab next creature, E pick up, I bag, Esc clear target.";

export const ADMIN_HELP_TEXT =
  "Admins: /kick name [reason], /ban name 1h|7d|perm [reason], /unban name, /mute name 10m [reason], "
  + "/unmute name, /broadcast text. Durations: 30s, 10m, 1h, 2d, 1w, combined like 1h30m.";

const MAX_REASON = 200;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * A duration as admins type it, in seconds: "30s", "10m", "1h30m", "2d", "1w"; "perm",
 * "permanent", "forever" and "0" are 0 (for good). null if it is none of these.
 */
export function parseDuration(s: string): number | null {
  const t = s.trim().toLowerCase();
  if (t === "0" || t === "perm" || t === "permanent" || t === "forever") return 0;
  if (!/^(\d+[smhdw])+$/.test(t)) return null;
  let total = 0;
  for (const m of t.matchAll(/(\d+)([smhdw])/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return Number.isSafeInteger(total) && total > 0 ? total : null;
}

/** `name [reason]` for the admin commands that take a character (`reason`: already split off). */
function adminTarget(action: AdminAction, usage: string, rest: string, durationS = 0, reason = ""): ChatCommand {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
  if (!m) return { kind: "error", message: `Usage: ${usage}` };
  const target = m[1]!;
  if (!isValidName(target)) return { kind: "error", message: `No such name: ${target}` };
  const why = reason || m[2]!.trim();
  if (codePointLength(why) > MAX_REASON) {
    return { kind: "error", message: `Reason too long: at most ${MAX_REASON} characters.` };
  }
  return { kind: "admin", action, target, durationS, reason: why, text: "" };
}

/** `name duration [reason]` for /ban and /mute. */
function adminTimed(action: AdminAction, usage: string, rest: string): ChatCommand {
  const m = /^(\S+)\s+(\S+)\s*([\s\S]*)$/.exec(rest);
  if (!m) return { kind: "error", message: `Usage: ${usage}` };
  const seconds = parseDuration(m[2]!);
  if (seconds === null) {
    return { kind: "error", message: `Not a duration: ${m[2]}. Use e.g. 30s, 10m, 1h, 2d, 1w${action === AdminAction.BAN ? " or perm" : ""}.` };
  }
  if (seconds === 0 && action === AdminAction.MUTE) {
    return { kind: "error", message: "Mutes need a duration, e.g. 10m." };
  }
  return adminTarget(action, usage, m[1]!, seconds, m[3]!.trim());
}

/** Length as the server counts it: Unicode code points. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function checkText(channel: ChatChannel, text: string, target = ""): ChatCommand {
  const len = codePointLength(text);
  if (len === 0) return { kind: "error", message: "Type a message to send." };
  if (len > MAX_CHAT_LENGTH) {
    return { kind: "error", message: `Message too long: ${len} characters, at most ${MAX_CHAT_LENGTH}.` };
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) {
    return { kind: "error", message: "Message contains control characters." };
  }
  return { kind: "chat", channel, text, target };
}

export function parseChat(input: string): ChatCommand {
  const line = input.trim();
  if (line.length === 0) return { kind: "none" };
  if (!line.startsWith("/")) return checkText(ChatChannel.SAY, line);

  const m = /^\/(\S*)\s*([\s\S]*)$/.exec(line)!;
  const cmd = m[1]!.toLowerCase();
  const rest = m[2]!.trim();
  switch (cmd) {
    case "s":
    case "say":
      return checkText(ChatChannel.SAY, rest);
    case "world":
    case "g":
      return rest ? checkText(ChatChannel.WORLD, rest) : { kind: "error", message: "Usage: /world message" };
    case "w":
    case "whisper":
    case "tell":
    case "msg": {
      const wm = /^(\S+)\s+([\s\S]+)$/.exec(rest);
      if (!wm) return { kind: "error", message: "Usage: /w name message" };
      const target = wm[1]!;
      if (!isValidName(target)) return { kind: "error", message: `No such name: ${target}` };
      return checkText(ChatChannel.WHISPER, wm[2]!.trim(), target);
    }
    case "wave":
      return { kind: "emote", emote: Emote.WAVE };
    case "dance":
      return { kind: "emote", emote: Emote.DANCE };
    case "sit":
      return { kind: "emote", emote: Emote.SIT };
    case "trade": {
      if (!rest) return { kind: "error", message: "Usage: /trade name" };
      if (!isValidName(rest)) return { kind: "error", message: `No such name: ${rest}` };
      return { kind: "trade", name: rest };
    }
    case "ignore": {
      if (!rest) return { kind: "ignoreList" };
      if (!isValidName(rest)) return { kind: "error", message: `No such name: ${rest}` };
      return { kind: "ignore", name: rest };
    }
    case "unignore": {
      if (!rest) return { kind: "error", message: "Usage: /unignore name" };
      if (!isValidName(rest)) return { kind: "error", message: `No such name: ${rest}` };
      return { kind: "unignore", name: rest };
    }
    case "kick":
      return adminTarget(AdminAction.KICK, "/kick name [reason]", rest);
    case "ban":
      return adminTimed(AdminAction.BAN, "/ban name 1h|7d|perm [reason]", rest);
    case "unban":
      return adminTarget(AdminAction.UNBAN, "/unban name", rest);
    case "mute":
      return adminTimed(AdminAction.MUTE, "/mute name 10m [reason]", rest);
    case "unmute":
      return adminTarget(AdminAction.UNMUTE, "/unmute name", rest);
    case "broadcast":
    case "announce": {
      if (!rest) return { kind: "error", message: "Usage: /broadcast message" };
      const checked = checkText(ChatChannel.SYSTEM, rest);
      if (checked.kind !== "chat") return checked;
      return { kind: "admin", action: AdminAction.BROADCAST, target: "", durationS: 0, reason: "", text: checked.text };
    }
    case "help":
    case "?":
      return rest.toLowerCase() === "admin" ? { kind: "help", admin: true } : { kind: "help" };
    default:
      return { kind: "error", message: `Unknown command /${cmd}. Type /help for the commands.` };
  }
}

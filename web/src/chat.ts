// What the chat input means: plain text is said to players around you, `/world text` (or
// `/g text`) goes to the whole world, `/w name text` whispers, `/wave` `/dance` `/sit` are
// emotes. Pure: the UI sends what this returns, or shows its error.
import { ChatChannel, Emote, MAX_CHAT_LENGTH, isValidName } from "./protocol";

export type ChatCommand =
  | { kind: "chat"; channel: ChatChannel; text: string; target: string }
  | { kind: "emote"; emote: Emote }
  | { kind: "trade"; name: string }
  | { kind: "help" }
  | { kind: "error"; message: string }
  | { kind: "none" };

export const HELP_TEXT =
  "Say: just type. World: /world text (or /g text). Whisper: /w name text. Emotes: /wave /dance /sit. "
  + "Trade: /trade name. Keys: 1 ability, Tab next creature, E pick up, I bag, Esc clear target.";

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
    case "help":
    case "?":
      return { kind: "help" };
    default:
      return { kind: "error", message: `Unknown command /${cmd}. Type /help for the commands.` };
  }
}

import { describe, expect, it } from "vitest";
import { parseChat, parseDuration, codePointLength } from "../src/chat";
import { AdminAction, ChatChannel, Emote } from "../src/protocol";

describe("parseChat", () => {
  it("sends plain text as SAY", () => {
    expect(parseChat("  hello there ")).toEqual({ kind: "chat", channel: ChatChannel.SAY, text: "hello there", target: "" });
  });

  it("ignores an empty line", () => {
    expect(parseChat("   ")).toEqual({ kind: "none" });
  });

  it("sends /world and /g to the WORLD channel", () => {
    expect(parseChat("/world hi all")).toMatchObject({ kind: "chat", channel: ChatChannel.WORLD, text: "hi all" });
    expect(parseChat("/g  hi all")).toMatchObject({ kind: "chat", channel: ChatChannel.WORLD, text: "hi all" });
    expect(parseChat("/WORLD loud")).toMatchObject({ kind: "chat", channel: ChatChannel.WORLD, text: "loud" });
    expect(parseChat("/world")).toEqual({ kind: "error", message: "Usage: /world message" });
  });

  it("parses /w name text as a WHISPER to name", () => {
    expect(parseChat("/w Bob meet me at the well")).toEqual({
      kind: "chat", channel: ChatChannel.WHISPER, text: "meet me at the well", target: "Bob",
    });
    expect(parseChat("/w Bob")).toMatchObject({ kind: "error" });
    expect(parseChat("/w")).toMatchObject({ kind: "error" });
    expect(parseChat("/w B@b hi")).toMatchObject({ kind: "error" });
  });

  it("parses the emotes", () => {
    expect(parseChat("/wave")).toEqual({ kind: "emote", emote: Emote.WAVE });
    expect(parseChat("/dance")).toEqual({ kind: "emote", emote: Emote.DANCE });
    expect(parseChat("/sit")).toEqual({ kind: "emote", emote: Emote.SIT });
  });

  it("rejects messages over 256 characters with a clear message", () => {
    expect(parseChat("a".repeat(256))).toMatchObject({ kind: "chat", text: "a".repeat(256) });
    const r = parseChat("a".repeat(257));
    expect(r).toEqual({ kind: "error", message: "Message too long: 257 characters, at most 256." });
    expect(parseChat("/world " + "b".repeat(300))).toMatchObject({ kind: "error" });
    expect(parseChat("/w Bob " + "c".repeat(300))).toMatchObject({ kind: "error" });
  });

  it("counts code points like the server (an emoji is one character)", () => {
    const emoji = "\u{1F600}";
    expect(codePointLength(emoji)).toBe(1);
    expect(parseChat(emoji.repeat(256))).toMatchObject({ kind: "chat" });
    expect(parseChat(emoji.repeat(257))).toMatchObject({ kind: "error" });
  });

  it("rejects unknown commands and offers help", () => {
    expect(parseChat("/fly")).toMatchObject({ kind: "error", message: expect.stringContaining("/help") });
    expect(parseChat("/help")).toEqual({ kind: "help" });
    expect(parseChat("/help admin")).toEqual({ kind: "help", admin: true });
  });
});

describe("parseChat /trade", () => {
  it("asks to trade with a player by name", () => {
    expect(parseChat("/trade Bob")).toEqual({ kind: "trade", name: "Bob" });
    expect(parseChat("/TRADE  bob ")).toEqual({ kind: "trade", name: "bob" });
    expect(parseChat("/trade")).toEqual({ kind: "error", message: "Usage: /trade name" });
    expect(parseChat("/trade B@b")).toMatchObject({ kind: "error" });
  });
});

describe("ignore and admin commands", () => {
  it("parses /ignore and /unignore, and /ignore alone shows the list", () => {
    expect(parseChat("/ignore Troll")).toEqual({ kind: "ignore", name: "Troll" });
    expect(parseChat("/IGNORE  Troll ")).toEqual({ kind: "ignore", name: "Troll" });
    expect(parseChat("/ignore")).toEqual({ kind: "ignoreList" });
    expect(parseChat("/unignore Troll")).toEqual({ kind: "unignore", name: "Troll" });
    expect(parseChat("/unignore")).toEqual({ kind: "error", message: "Usage: /unignore name" });
    expect(parseChat("/ignore Tr@ll")).toEqual({ kind: "error", message: "No such name: Tr@ll" });
    expect(parseChat("/ignore two names")).toMatchObject({ kind: "error" });
  });

  it("parses durations as admins type them", () => {
    expect(parseDuration("30s")).toBe(30);
    expect(parseDuration("10m")).toBe(600);
    expect(parseDuration("1h")).toBe(3600);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("2d")).toBe(172800);
    expect(parseDuration("1W")).toBe(604800);
    for (const forever of ["perm", "permanent", "forever", "0"]) expect(parseDuration(forever)).toBe(0);
    for (const bad of ["", "10", "m", "1y", "-1h", "1.5h", "0m", "1h 30m", "99999999999999999999w"]) {
      expect(parseDuration(bad), bad).toBeNull();
    }
  });

  it("parses /ban name duration reason", () => {
    expect(parseChat("/ban Bob 1h spamming the market")).toEqual({
      kind: "admin", action: AdminAction.BAN, target: "Bob", durationS: 3600, reason: "spamming the market", text: "",
    });
    expect(parseChat("/ban Bob perm")).toMatchObject({ kind: "admin", action: AdminAction.BAN, durationS: 0, reason: "" });
    expect(parseChat("/ban Bob")).toEqual({ kind: "error", message: "Usage: /ban name 1h|7d|perm [reason]" });
    expect(parseChat("/ban Bob soon")).toMatchObject({ kind: "error", message: expect.stringContaining("Not a duration: soon") });
    expect(parseChat("/ban B@b 1h")).toEqual({ kind: "error", message: "No such name: B@b" });
    expect(parseChat("/ban Bob 1h " + "x".repeat(201))).toEqual({ kind: "error", message: "Reason too long: at most 200 characters." });
  });

  it("parses /mute, which needs a duration, and /unmute /unban /kick", () => {
    expect(parseChat("/mute Bob 10m caps lock")).toEqual({
      kind: "admin", action: AdminAction.MUTE, target: "Bob", durationS: 600, reason: "caps lock", text: "",
    });
    expect(parseChat("/mute Bob perm")).toEqual({ kind: "error", message: "Mutes need a duration, e.g. 10m." });
    expect(parseChat("/unmute Bob")).toMatchObject({ kind: "admin", action: AdminAction.UNMUTE, target: "Bob" });
    expect(parseChat("/unban Bob")).toMatchObject({ kind: "admin", action: AdminAction.UNBAN, target: "Bob" });
    expect(parseChat("/kick Bob")).toEqual({
      kind: "admin", action: AdminAction.KICK, target: "Bob", durationS: 0, reason: "", text: "",
    });
    expect(parseChat("/kick Bob go to bed")).toMatchObject({ reason: "go to bed" });
    expect(parseChat("/kick")).toEqual({ kind: "error", message: "Usage: /kick name [reason]" });
  });

  it("parses /broadcast with the chat rules for its text", () => {
    expect(parseChat("/broadcast Restart in 5 minutes")).toEqual({
      kind: "admin", action: AdminAction.BROADCAST, target: "", durationS: 0, reason: "", text: "Restart in 5 minutes",
    });
    expect(parseChat("/broadcast")).toEqual({ kind: "error", message: "Usage: /broadcast message" });
    expect(parseChat("/broadcast " + "b".repeat(257))).toMatchObject({ kind: "error" });
  });
});

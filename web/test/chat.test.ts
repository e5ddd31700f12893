import { describe, expect, it } from "vitest";
import { parseChat, codePointLength } from "../src/chat";
import { ChatChannel, Emote } from "../src/protocol";

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

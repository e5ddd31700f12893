// The chat log: one div.chat-line per message, data-channel = say | world | whisper | system;
// lines from the server itself (admin broadcasts, moderation notices) also have
// data-source = server and a [Server] tag, so no player can look like them.
import { debug, type DebugChat } from "../debug";
import type { ChannelName } from "../protocol";
import { el } from "./dom";

const MAX_LINES = 200;

export class ChatLog {
  constructor(private readonly log: HTMLElement) {}

  clear(): void {
    this.log.replaceChildren();
    debug.chat = [];
  }

  /**
   * Adds a line. `from` is the speaker ("" for system lines); `to` the whisper recipient when
   * this client sent it.
   */
  add(channel: ChannelName, from: string, text: string, to = "", fromServer = false): void {
    const line = el("div", "chat-line");
    line.dataset["channel"] = channel;
    if (fromServer) {
      line.dataset["source"] = "server";
      line.append(el("span", "chan", "[Server] "));
    }
    if (from) line.dataset["from"] = from;
    const time = new Date();
    line.title = time.toLocaleTimeString();
    if (channel === "world") line.append(el("span", "chan", "[World] "));
    if (channel === "whisper") {
      line.append(el("span", "chan", to ? `[To ${to}] ` : `[${from} whispers] `));
    } else if (from) {
      line.append(el("span", "from", from), el("span", "sep", ": "));
    }
    line.append(el("span", "text", text));
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.append(line);
    while (this.log.childElementCount > MAX_LINES) this.log.firstElementChild!.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
    const entry: DebugChat = { channel, from, text };
    debug.chat.push(entry);
    if (debug.chat.length > MAX_LINES) debug.chat.shift();
  }

  /** A line of this client's own (help, refusals, what happened to you). */
  system(text: string): void {
    this.add("system", "", text);
  }

  /** A message the server sent as SYSTEM chat: shown apart from the client's own lines. */
  server(text: string): void {
    this.add("system", "", text, "", true);
  }
}

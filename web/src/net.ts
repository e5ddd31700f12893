// The game connection: a WebSocket carrying one protobuf message per binary frame, with
// request ids so a request's reply (or error) resolves (or rejects) its Promise.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  CLIENT_NAME,
  ClientMessageSchema,
  PROTOCOL_VERSION,
  decodeServer,
  encodeClient,
  type Disconnect,
  type ErrorCode,
  type ServerMessage,
} from "./protocol";

/** The part of the browser WebSocket this module uses (so tests can pass a fake). */
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

/** A request the server answered with Error{code, message}. */
export class ServerError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = "ServerError";
  }
}

/** The connection closed before the reply came. */
export class ConnectionClosedError extends Error {
  constructor(message = "The connection to the server closed") {
    super(message);
    this.name = "ConnectionClosedError";
  }
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** The Disconnect the server sent just before closing, if any. */
  disconnect?: Disconnect;
  /** Whether this side asked for the close (close() was called). */
  byClient: boolean;
}

/** The oneof of a ClientMessage as a plain object, e.g. { case: "login", value: { username, password } }. */
export type ClientPayload = NonNullable<MessageInitShape<typeof ClientMessageSchema>["msg"]>;
type ServerCase = NonNullable<ServerMessage["msg"]["case"]>;
/** The value of a ServerMessage's oneof for the given case. */
export type ServerValue<C extends ServerCase> = Extract<ServerMessage["msg"], { case: C }>["value"];

interface Pending {
  resolve: (m: ServerMessage) => void;
  reject: (e: Error) => void;
}

const OPEN = 1;

/** ws: or wss: URL of the game socket on the page's own host. */
export function gameSocketUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/ws`;
}

export class Connection {
  private nextRid = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((m: ServerMessage) => void)[] = [];
  private readonly closeListeners: ((info: CloseInfo) => void)[] = [];
  private disconnect: Disconnect | undefined;
  private closedByClient = false;
  private closed = false;
  /** The Welcome's tick rate. */
  tickRate = 20;
  serverName = "";

  private constructor(private readonly socket: SocketLike) {
    socket.binaryType = "arraybuffer";
    socket.onmessage = (ev) => this.onFrame(ev.data);
    socket.onclose = (ev) => this.onClosed(ev.code, ev.reason);
    socket.onerror = () => { /* onclose follows */ };
  }

  /** Opens the socket, says Hello and waits for Welcome. */
  static open(url: string, factory: SocketFactory = (u) => new WebSocket(u) as unknown as SocketLike,
              timeoutMs = 10000): Promise<Connection> {
    return new Promise((resolve, reject) => {
      let socket: SocketLike;
      try {
        socket = factory(url);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      let settled = false;
      const timer = setTimeout(() => fail(new Error("The server did not answer")), timeoutMs);
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try { socket.close(); } catch { /* already closed */ }
        reject(e);
      };
      socket.onerror = () => { /* onclose follows */ };
      socket.onclose = (ev) => fail(new ConnectionClosedError(
        ev.reason ? ev.reason : "Could not connect to the server"));
      socket.onopen = () => {
        const conn = new Connection(socket);
        conn.onClose((info) => fail(new ConnectionClosedError(info.disconnect?.message || info.reason
          || "The server closed the connection")));
        conn.request({ case: "hello", value: { protocolVersion: PROTOCOL_VERSION, client: CLIENT_NAME } })
          .then((m) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (m.msg.case === "welcome") {
              conn.tickRate = m.msg.value.tickRate || 20;
              conn.serverName = m.msg.value.server;
            }
            conn.startKeepAlive();
            resolve(conn);
          }, (e: Error) => fail(e));
      };
    });
  }

  private keepAlive: ReturnType<typeof setInterval> | undefined;

  /**
   * A Ping every 30 s whatever else is sent: the server closes connections silent for its idle
   * time-out (120 s by default), and a player may sit on the character screen longer.
   */
  private startKeepAlive(): void {
    this.keepAlive = setInterval(() => {
      if (this.isOpen) this.send({ case: "ping", value: { clientTime: BigInt(Date.now()) } });
    }, 30_000);
    this.onClose(() => clearInterval(this.keepAlive));
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === OPEN;
  }

  /** Every server message that is not an error answering a pending request. */
  onMessage(listener: (m: ServerMessage) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  onClose(listener: (info: CloseInfo) => void): void {
    this.closeListeners.push(listener);
  }

  /** Sends without waiting for a reply. */
  send(msg: ClientPayload, rid = 0): void {
    if (!this.isOpen) return;
    this.socket.send(encodeClient(create(ClientMessageSchema, { rid, msg })));
  }

  /**
   * Sends with a fresh request id; resolves with the reply carrying that id, rejects with
   * ServerError for an Error reply, or ConnectionClosedError when the socket closes first.
   */
  request(msg: ClientPayload): Promise<ServerMessage> {
    if (this.closed) return Promise.reject(new ConnectionClosedError());
    const rid = this.nextRid++;
    if (this.nextRid > 0x7fffffff) this.nextRid = 1;
    return new Promise((resolve, reject) => {
      this.pending.set(rid, { resolve, reject });
      this.send(msg, rid);
    });
  }

  /**
   * Sends a request that may have no reply when it succeeds (UseAbility, TradeAction, and
   * others whose effect shows in world updates): resolves with the reply carrying its request
   * id, or with null when none came within timeoutMs; rejects with ServerError for an Error
   * reply. Its request id is forgotten either way, so nothing piles up.
   */
  fire(msg: ClientPayload, timeoutMs = 5000): Promise<ServerMessage | null> {
    if (this.closed) return Promise.reject(new ConnectionClosedError());
    const rid = this.nextRid++;
    if (this.nextRid > 0x7fffffff) this.nextRid = 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(rid)) resolve(null);
      }, timeoutMs);
      this.pending.set(rid, {
        resolve: (m) => { clearTimeout(timer); resolve(m); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.send(msg, rid);
    });
  }

  /** A request whose reply must be of the given case. */
  async call<C extends ServerCase>(msg: ClientPayload, expect: C): Promise<ServerValue<C>> {
    const m = await this.request(msg);
    if (m.msg.case !== expect) throw new Error(`unexpected reply ${m.msg.case ?? "(empty)"} to ${msg.case}`);
    return m.msg.value as ServerValue<C>;
  }

  close(code = 1000, reason = ""): void {
    this.closedByClient = true;
    try {
      this.socket.close(code, reason);
    } catch {
      // already closing
    }
  }

  private onFrame(data: unknown): void {
    let m: ServerMessage;
    try {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
        : data instanceof Uint8Array ? data : null;
      if (!bytes) return; // text frames are not part of the protocol
      m = decodeServer(bytes);
    } catch (e) {
      console.warn("undecodable server frame", e);
      return;
    }
    if (m.msg.case === "disconnect") this.disconnect = m.msg.value;
    const p = m.rid !== 0 ? this.pending.get(m.rid) : undefined;
    if (p) {
      this.pending.delete(m.rid);
      if (m.msg.case === "error") {
        p.reject(new ServerError(m.msg.value.code, m.msg.value.message));
        return;
      }
      p.resolve(m);
    }
    for (const l of [...this.listeners]) {
      try {
        l(m);
      } catch (e) {
        console.error("message listener failed", e);
      }
    }
  }

  private onClosed(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const err = new ConnectionClosedError(this.disconnect?.message || reason || undefined);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    const info: CloseInfo = { code, reason, byClient: this.closedByClient };
    if (this.disconnect) info.disconnect = this.disconnect;
    for (const l of this.closeListeners) l(info);
  }
}

// Client-side prediction of the own character, reconciled with the server.
//
// The client runs its own 20 Hz tick. Each tick it reads the movement keys; when the
// direction changed, or 100 ms passed since the last Input, it sends a new Input (seq + 1),
// and then it moves one tick with that direction using the server's rule (movement.ts).
// Every Input remembers for how many client ticks it has been the active direction.
//
// WorldUpdate says: the last Input the server applied (ack_seq), how many ticks the server
// has simulated with it (ticks_since_ack, counting the tick it was applied in), and the
// authoritative position after those ticks. Reconciling: start from that position, move the
// acked Input's direction for the ticks the client ran it beyond those the server did, then
// replay every later Input for all of its ticks. Inputs older than the acked one are dropped.
import { normalise, step, stepDistance, type Collision, type Direction, type Position } from "./movement";

export interface PendingInput {
  seq: number;
  dx: number;
  dy: number;
  dir: Direction;
  /** Client ticks this input has been the active direction. */
  ticks: number;
}

export interface InputToSend {
  seq: number;
  dx: number;
  dy: number;
}

export class Predictor {
  /** Predicted own position, units. */
  x: number;
  y: number;
  /** Last authoritative position (units) and ack from the server. */
  serverX: number;
  serverY: number;
  ackSeq = 0;
  /** The inputs not yet acknowledged, after the last acknowledged one (if still kept). */
  readonly inputs: PendingInput[] = [];
  /** How far the last reconciliation moved the prediction (units), for smoothing and tests. */
  lastCorrection = 0;

  private seq = 0;
  private lastSentAt = -Infinity;
  private readonly distance: number;

  constructor(
    private readonly map: Collision,
    x: number,
    y: number,
    speed: number,
    tickRate: number,
    /** Resend the direction at least this often (the protocol asks for every 100 ms). */
    private readonly resendMs = 100,
    /**
     * No resends while this many inputs wait for the server's ack (a stalled or hand-stepped
     * server): its bounded inbox would overflow and close the connection. Changes still go.
     */
    private readonly maxUnacked = 10,
  ) {
    this.x = Math.fround(x);
    this.y = Math.fround(y);
    this.serverX = this.x;
    this.serverY = this.y;
    this.distance = stepDistance(speed, tickRate);
  }

  get stepDistance(): number {
    return this.distance;
  }

  /** The newest input (the active direction), if any. */
  get current(): PendingInput | undefined {
    return this.inputs[this.inputs.length - 1];
  }

  /**
   * One client tick with the keys' direction (dx, dy each -1, 0 or 1). Returns the Input to
   * send this tick, or null. Moves the prediction one tick.
   */
  tick(dx: number, dy: number, nowMs: number): InputToSend | null {
    let send: InputToSend | null = null;
    const cur = this.current;
    const changed = !cur || cur.dx !== dx || cur.dy !== dy;
    const unacked = this.seq - this.ackSeq;
    if (changed || (nowMs - this.lastSentAt >= this.resendMs && unacked < this.maxUnacked)) {
      this.seq++;
      const input: PendingInput = { seq: this.seq, dx, dy, dir: normalise(dx, dy), ticks: 0 };
      this.inputs.push(input);
      this.lastSentAt = nowMs;
      send = { seq: input.seq, dx, dy };
    }
    const active = this.current!;
    active.ticks++;
    const pos: Position = { x: this.x, y: this.y };
    step(this.map, pos, active.dir, this.distance);
    this.x = pos.x;
    this.y = pos.y;
    return send;
  }

  /** Applies the authoritative state of a WorldUpdate (x, y in units). */
  reconcile(ackSeq: number, ticksSinceAck: number, x: number, y: number): void {
    this.ackSeq = ackSeq;
    this.serverX = Math.fround(x);
    this.serverY = Math.fround(y);
    while (this.inputs.length > 0 && this.inputs[0]!.seq < ackSeq) this.inputs.shift();
    const pos: Position = { x: this.serverX, y: this.serverY };
    for (let i = 0; i < this.inputs.length; i++) {
      const input = this.inputs[i]!;
      const n = input.seq === ackSeq ? Math.max(0, input.ticks - ticksSinceAck) : input.ticks;
      for (let k = 0; k < n; k++) step(this.map, pos, input.dir, this.distance);
    }
    this.lastCorrection = Math.hypot(pos.x - this.x, pos.y - this.y);
    this.x = pos.x;
    this.y = pos.y;
  }

  /** Moves the prediction to a position with nothing pending (e.g. a teleport). */
  reset(x: number, y: number): void {
    this.inputs.length = 0;
    this.x = this.serverX = Math.fround(x);
    this.y = this.serverY = Math.fround(y);
  }
}

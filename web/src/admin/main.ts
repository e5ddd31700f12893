// The admin dashboard page (admin.html): logs in like a player, subscribes to AdminFeed
// (AdminWatch) and shows the world map with every player, players online over time, the
// simulate time per region, time dilation, and the chat with moderation buttons. Charts are
// uPlot: small (~50 kB), canvas-drawn and fast at appending points several times a second,
// which is all a live dashboard needs (Chart.js redraws through a heavier object model).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./admin.css";
import { Connection, ServerError, gameSocketUrl } from "../net";
import { loadMap, type GameMap } from "../map";
import { AdminAction, ErrorCode, toWire, type AdminFeed, type LoginOk } from "../protocol";
import { DashboardState, parseDuration, parsePoint, type Dot } from "./feed";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const state = new DashboardState();
let conn: Connection | undefined;
let selected: string | undefined;
let map: GameMap | undefined;
let mapUrl = "";
let terrain: HTMLCanvasElement | undefined;
let onlineChart: uPlot | undefined;
let tickChart: uPlot | undefined;
let tickLabels: string[] = [];
let tickColors: string[] = [];
let lastResult = "";

/** What a test reads back (AdminDashboardIT). */
const hook = {
  get loggedIn() { return !$("dashboard").hidden; },
  get connected() { return conn?.isOpen ?? false; },
  get status() { return $("status").textContent ?? ""; },
  get feeds() { return state.feeds; },
  get dots(): Dot[] { return state.dots; },
  get selected() { return selected; },
  get onlinePoints() { return onlineChart ? onlineChart.data[0].length : 0; },
  get tickBars() { return tickChart ? tickChart.data[0].length : 0; },
  get chat() { return state.chat; },
  get result() { return lastResult; },
  get error() { return $("login-error").textContent ?? ""; },
  /** Where a dot is on the map canvas (CSS pixels from its top-left), for a real click. */
  pixelOf(name: string): [number, number] | undefined {
    const d = state.dots.find((x) => x.name === name);
    return d ? toPixel(d.x, d.y) : undefined;
  },
};
(window as unknown as { __admin: typeof hook }).__admin = hook;

// ------------------------------------------------------------------ login

$("login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  void login($<HTMLInputElement>("username").value.trim(), $<HTMLInputElement>("password").value);
});

async function login(username: string, password: string): Promise<void> {
  $("login-error").textContent = "";
  $<HTMLButtonElement>("login-btn").disabled = true;
  try {
    await watch(username, (c) => c.call({ case: "login", value: { username, password } }, "loginOk"));
  } catch (e) {
    $("login-error").textContent = e instanceof ServerError && e.code === ErrorCode.PERMISSION_DENIED
      ? `${username} is not an admin. An operator grants the role with ./mmo admin grant ${username}.`
      : e instanceof Error ? e.message : String(e);
  } finally {
    $<HTMLButtonElement>("login-btn").disabled = false;
  }
}

/** The logged-in admin and the session's token, which a reconnect resumes (no password kept). */
let username = "";
let token = "";

/** Connects, authenticates with `auth`, subscribes to the feed and shows the dashboard from its first feed. */
async function watch(user: string, auth: (c: Connection) => Promise<LoginOk>): Promise<void> {
  conn?.close();
  conn = undefined;
  let c: Connection | undefined;
  try {
    c = await Connection.open(gameSocketUrl(window.location));
    const ok = await auth(c);
    const open = c;
    conn = open;
    username = ok.username || user;
    token = ok.sessionToken;
    open.onMessage((m) => {
      if (m.msg.case === "adminFeed") onFeed(m.msg.value);
      // the server re-checks the role while the feed runs: a revoke ends it with this (rid 0)
      else if (m.msg.case === "error" && m.rid === 0 && m.msg.value.code === ErrorCode.PERMISSION_DENIED) {
        status(`The feed stopped: ${m.msg.value.message || "not an admin any more"}. The figures below are from before.`, true);
      }
    });
    open.onClose((info) => {
      if (conn !== open) return; // one this page closed itself
      conn = undefined;
      lost(info.disconnect?.message || info.reason || "connection closed");
    });
    const first = await open.call({ case: "adminWatch", value: { on: true } }, "adminFeed");
    $("login").hidden = true;
    $("dashboard").hidden = false;
    $("reconnect-btn").hidden = true;
    document.body.dataset.screen = "dashboard";
    status(`Logged in as ${username}`);
    onFeed(first);
  } catch (e) {
    if (conn === c) conn = undefined;
    c?.close();
    throw e;
  }
}

/** The connection ended under the dashboard: it says so, and offers to reconnect. */
function lost(why: string): void {
  if ($("dashboard").hidden) return; // still logging in: that attempt reports it
  status(`Disconnected: ${why}. The figures below are from before.`, true);
  $("reconnect-btn").hidden = false;
}

/** Resumes the session on a new connection; when it cannot, back to the login form. */
async function reconnect(): Promise<void> {
  const button = $<HTMLButtonElement>("reconnect-btn");
  button.disabled = true;
  status("Reconnecting…");
  try {
    await watch(username, (c) => c.call({ case: "resume", value: { token } }, "loginOk"));
  } catch (e) {
    $("dashboard").hidden = true;
    $("login").hidden = false;
    document.body.dataset.screen = "login";
    $<HTMLInputElement>("username").value = username;
    $("login-error").textContent = `Could not reconnect (${e instanceof Error ? e.message : String(e)}): log in again.`;
  } finally {
    button.disabled = false;
  }
}

$("reconnect-btn").addEventListener("click", () => void reconnect());

function status(text: string, bad = false): void {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("bad", bad);
}

// ------------------------------------------------------------------ the feed

function onFeed(f: AdminFeed): void {
  state.apply(f);
  const w = state.worlds[0];
  if (w && w.map !== mapUrl) {
    mapUrl = w.map;
    $("map-world").textContent = `${w.name} · ${w.regionCols}×${w.regionRows} regions of ${w.regionSize}`;
    loadMap(w.map).then((m) => { map = m; terrain = drawTerrain(m); drawMap(); },
      (e) => status(`The map did not load: ${e instanceof Error ? e.message : e}`, true));
  }
  if (w) {
    $("tick-p50").textContent = w.tickP50Ms.toFixed(2);
    $("tick-p99").textContent = w.tickP99Ms.toFixed(2);
    $("dilation").textContent = w.timeDilation.toFixed(2);
    $("dilation").classList.toggle("bad", w.timeDilation < 0.999);
  }
  const players = state.worlds.reduce((s, x) => s + x.players, 0);
  $("online-now").textContent = String(players);
  $("summary").textContent = `${state.worlds.length} world${state.worlds.length === 1 ? "" : "s"} · tick ${f.tick}`
    + (f.node ? ` · node ${f.node}` : "");
  drawMap();
  drawCharts();
  renderChat(f.chat.length > 0 || f.fullHistory);
  renderSelected();
}

// ------------------------------------------------------------------ map

/** One pixel per tile: walkable ground and what blocks, scaled onto the canvas when drawn. */
function drawTerrain(m: GameMap): HTMLCanvasElement {
  const c = document.createElement("canvas");
  c.width = m.width;
  c.height = m.height;
  const g = c.getContext("2d")!;
  const img = g.createImageData(m.width, m.height);
  for (let i = 0; i < m.width * m.height; i++) {
    const blocked = m.blocked[i] === 1;
    img.data[4 * i] = blocked ? 22 : 52;
    img.data[4 * i + 1] = blocked ? 30 : 74;
    img.data[4 * i + 2] = blocked ? 48 : 58;
    img.data[4 * i + 3] = 255;
  }
  g.putImageData(img, 0, 0);
  return c;
}

function scale(): number {
  const canvas = $<HTMLCanvasElement>("map");
  const w = state.worlds[0];
  const width = map?.width ?? (w ? w.regionCols * w.regionSize : 1);
  return canvas.width / width;
}

function toPixel(x: number, y: number): [number, number] {
  const canvas = $<HTMLCanvasElement>("map");
  const k = scale() * (canvas.clientWidth / canvas.width);
  return [x * k, y * k];
}

function drawMap(): void {
  const canvas = $<HTMLCanvasElement>("map");
  const g = canvas.getContext("2d")!;
  g.fillStyle = "#0d1117";
  g.fillRect(0, 0, canvas.width, canvas.height);
  const k = scale();
  if (terrain) {
    g.imageSmoothingEnabled = true;
    g.drawImage(terrain, 0, 0, terrain.width * k, terrain.height * k);
  }
  const w = state.worlds[0];
  if (w) { // region borders
    g.strokeStyle = "rgba(255,255,255,0.08)";
    g.lineWidth = 1;
    for (let i = 1; i < w.regionCols; i++) line(g, i * w.regionSize * k, 0, i * w.regionSize * k, canvas.height);
    for (let i = 1; i < w.regionRows; i++) line(g, 0, i * w.regionSize * k, canvas.width, i * w.regionSize * k);
  }
  for (const d of state.dots) {
    if (w && d.world !== w.name) continue;
    const sel = d.name === selected;
    g.beginPath();
    g.arc(d.x * k, d.y * k, sel ? 6 : 4, 0, Math.PI * 2);
    g.fillStyle = d.color;
    g.fill();
    g.lineWidth = sel ? 2.5 : 1;
    g.strokeStyle = sel ? "#ffffff" : "rgba(0,0,0,0.7)";
    g.stroke();
    if (sel) {
      g.font = "12px system-ui, sans-serif";
      g.fillStyle = "#ffffff";
      g.fillText(d.name, d.x * k + 9, d.y * k + 4);
    }
  }
}

function line(g: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  g.beginPath();
  g.moveTo(x0, y0);
  g.lineTo(x1, y1);
  g.stroke();
}

$("map").addEventListener("click", (ev) => {
  const canvas = $<HTMLCanvasElement>("map");
  const r = canvas.getBoundingClientRect();
  const k = scale() * (canvas.clientWidth / canvas.width);
  const x = (ev.clientX - r.left) / k, y = (ev.clientY - r.top) / k;
  if ($<HTMLInputElement>("teleport-click").checked && selected) {
    void teleport(selected, x, y);
    return;
  }
  const d = state.dotNear(x, y, 10 / k, state.worlds[0]?.name);
  selected = d?.name;
  renderSelected();
  drawMap();
});

function renderSelected(): void {
  const d = state.dots.find((x) => x.name === selected);
  const box = $("selected");
  box.textContent = "";
  if (!d) {
    box.textContent = selected ? `${selected} is not in the world any more.` : "None: click a dot on the map.";
    box.className = "muted";
  } else {
    box.className = "";
    const name = document.createElement("strong");
    name.textContent = d.name;
    box.append(name, ` (${d.account}) at ${d.x.toFixed(1)}, ${d.y.toFixed(1)} · region ${d.region}` +
      (d.node ? ` · ${d.node}` : ""));
  }
  for (const id of ["teleport-btn", "sel-mute", "sel-kick", "sel-ban"]) $<HTMLButtonElement>(id).disabled = !d;
}

// ------------------------------------------------------------------ charts

function chartWidth(id: string): number {
  return Math.max(280, $(id).clientWidth - 8);
}

const axis = { stroke: "#9aa4b2", grid: { stroke: "rgba(255,255,255,0.07)" }, ticks: { stroke: "rgba(255,255,255,0.1)" } };

function drawCharts(): void {
  const online = state.onlineSeries(Date.now());
  if (!onlineChart) {
    onlineChart = new uPlot({
      width: chartWidth("online-chart"), height: 140,
      legend: { show: false },
      scales: { y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.2))] } },
      axes: [{ ...axis, space: 80, incrs: [1, 5, 10, 30, 60, 300, 600, 1800, 3600],
        values: (_u, splits) => splits.map((s) => new Date(s * 1000).toISOString().slice(11, 19)) },
        { ...axis }],
      series: [{}, { label: "players", stroke: "#4cc2ff", width: 2, fill: "rgba(76,194,255,0.15)", points: { show: true, size: 5 } }],
    }, online, $("online-chart"));
  } else {
    onlineChart.setData(online);
  }
  const bars = state.regionSeries();
  tickLabels = bars.labels;
  tickColors = bars.colors;
  const data: uPlot.AlignedData = [bars.x, bars.mean];
  if (!tickChart) {
    tickChart = new uPlot({
      width: chartWidth("tick-chart"), height: 140,
      legend: { show: false },
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.6, max + 0.6] },
        y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.2)] } },
      axes: [{ ...axis, splits: () => tickChart ? [...(tickChart.data[0] as number[])] : [], values: (_u, splits) => splits.map((i) => tickLabels[i] ?? "") },
        { ...axis, label: "µs" }],
      series: [{}, { label: "mean µs", stroke: "#f5a524", fill: "rgba(245,165,36,0.55)", width: 1,
        // each bar in its region's dot colour
        paths: uPlot.paths.bars!({ size: [0.6, 60], disp: {
          fill: { unit: 3, values: () => tickColors },
          stroke: { unit: 3, values: () => tickColors }, // (uPlot uses per-bar fills only with per-bar strokes)
        } }),
        points: { show: false } }],
    }, data, $("tick-chart"));
  } else {
    tickChart.setData(data);
  }
}

// the charts follow their cards' width (also once the dashboard is first laid out)
new ResizeObserver(() => {
  onlineChart?.setSize({ width: chartWidth("online-chart"), height: 140 });
  tickChart?.setSize({ width: chartWidth("tick-chart"), height: 140 });
}).observe($("dashboard"));

// ------------------------------------------------------------------ chat and commands

let shownChat = 0;

function renderChat(changed: boolean): void {
  if (!changed && shownChat === state.chat.length) return;
  const list = $("chat");
  list.textContent = "";
  for (const c of [...state.chat].reverse()) {
    const li = document.createElement("li");
    li.className = `line ${c.channel}`;
    li.dataset.from = c.from;
    const when = document.createElement("time");
    when.textContent = new Date(c.timeMs).toISOString().slice(11, 19);
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `${c.from}${c.to ? ` → ${c.to}` : ""}`;
    who.title = `account ${c.account} · ${c.world} · ${c.channel} · tick ${c.tick}`;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = c.text;
    const buttons = document.createElement("span");
    buttons.className = "actions";
    for (const [label, action] of [["mute", AdminAction.MUTE], ["kick", AdminAction.KICK], ["ban", AdminAction.BAN]] as const) {
      const b = document.createElement("button");
      b.textContent = label;
      b.dataset.action = label;
      b.className = label === "ban" ? "danger small" : "small";
      b.addEventListener("click", () => void command(action, c.from));
      buttons.append(b);
    }
    li.append(when, who, text, buttons);
    list.append(li);
  }
  shownChat = state.chat.length;
}

// The server takes one account request at a time per connection ("Another request is still in
// progress"): the page's commands queue up behind each other.
let commands: Promise<unknown> = Promise.resolve();

function serially(task: () => Promise<void>): Promise<void> {
  const next = commands.then(task, task);
  commands = next;
  return next;
}

function command(action: AdminAction, target: string, extra: { text?: string } = {}): Promise<void> {
  return serially(() => send(action, target, extra));
}

async function send(action: AdminAction, target: string, extra: { text?: string }): Promise<void> {
  if (!conn) { result("Not connected: reconnect first", true); return; }
  const duration = parseDuration($<HTMLSelectElement>("duration").value);
  const seconds = action === AdminAction.MUTE && duration === 0 ? 3600 : duration; // a mute needs an end
  try {
    const r = await conn.call({ case: "admin", value: {
      action, target, durationS: BigInt(action === AdminAction.MUTE || action === AdminAction.BAN ? seconds : 0),
      reason: "", text: extra.text ?? "" } }, "adminResult");
    result(r.message);
  } catch (e) {
    result(e instanceof Error ? e.message : String(e), true);
  }
}

function teleport(name: string, x: number, y: number): Promise<void> {
  return serially(() => sendTeleport(name, x, y));
}

async function sendTeleport(name: string, x: number, y: number): Promise<void> {
  if (!conn) { result("Not connected: reconnect first", true); return; }
  try {
    const r = await conn.call({ case: "admin", value: {
      action: AdminAction.TELEPORT, target: name, x: toWire(x), y: toWire(y) } }, "adminResult");
    result(r.message);
  } catch (e) {
    result(e instanceof Error ? e.message : String(e), true);
  }
}

function result(text: string, bad = false): void {
  lastResult = text;
  const r = $("result");
  r.textContent = text;
  r.classList.toggle("bad", bad);
}

$("teleport-btn").addEventListener("click", () => {
  const p = parsePoint($<HTMLInputElement>("teleport-xy").value);
  if (!p) { result("Type the spot as x, y (units)", true); return; }
  if (selected) void teleport(selected, p[0], p[1]);
});
$("sel-mute").addEventListener("click", () => { if (selected) void command(AdminAction.MUTE, selected); });
$("sel-kick").addEventListener("click", () => { if (selected) void command(AdminAction.KICK, selected); });
$("sel-ban").addEventListener("click", () => { if (selected) void command(AdminAction.BAN, selected); });
$("broadcast-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const input = $<HTMLInputElement>("broadcast-text");
  const text = input.value.trim();
  if (!text) return;
  void command(AdminAction.BROADCAST, "", { text }).then(() => { input.value = ""; });
});

// The screens and the flow between them: log in or register, the character list, the
// creation form, the world, and the disconnect screen.
import { create } from "@bufbuild/protobuf";
import { debug, resetWorldDebug, type AppState } from "./debug";
import { GameSession } from "./game";
import { Connection, ConnectionClosedError, ServerError, gameSocketUrl, type CloseInfo } from "./net";
import {
  AppearanceSchema,
  DisconnectReason,
  OutfitSchema,
  StartChoice,
  classFromName,
  classLabel,
  hexToColor,
  isValidName,
  type Appearance,
  type CharacterSummary,
  type ClassName,
  type WorldInfo,
} from "./protocol";
import { drawPreview } from "./render/preview";
import { ChatLog } from "./ui/chatlog";
import { $, el, input, select } from "./ui/dom";
import { bindPress, touchUi } from "./ui/touch";
import { renderWorldPicker } from "./ui/worlds";

type Screen = "login" | "characters" | "create" | "world" | "disconnected";

/** Where this tab keeps its session token (sessionStorage: per tab, gone with the tab). */
const SESSION_KEY = "mmo.session";

const SCREENS: Record<Screen, string> = {
  login: "login-screen",
  characters: "characters-screen",
  create: "create-screen",
  world: "world-screen",
  disconnected: "disconnect-screen",
};

/** Starting looks per class; the player can change every part. */
const CLASS_PRESETS: Record<ClassName, { top: number; topColor: string; bottom: number; bottomColor: string; hat: number; hatColor: string; shoes: string }> = {
  warrior: { top: 0, topColor: "#8c2a22", bottom: 0, bottomColor: "#4a3b2c", hat: 0, hatColor: "#6b6b70", shoes: "#2b1d12" },
  mage: { top: 1, topColor: "#34408f", bottom: 0, bottomColor: "#262a52", hat: 1, hatColor: "#2a3070", shoes: "#1e1a2e" },
  ranger: { top: 2, topColor: "#3f6a2e", bottom: 2, bottomColor: "#5a4a30", hat: 2, hatColor: "#4f6b34", shoes: "#3a2a18" },
  healer: { top: 1, topColor: "#ece4cf", bottom: 1, bottomColor: "#c9b37a", hat: 0, hatColor: "#e8dcc0", shoes: "#8a6a40" },
};

export class App {
  private conn: Connection | null = null;
  private connecting: Promise<Connection> | null = null;
  private session: GameSession | null = null;
  private characters: CharacterSummary[] = [];
  private ignored: readonly string[] = []; // the account's ignore list, sent after each login
  private worlds: WorldInfo[] = [];
  private account = "";
  private screen: Screen = "login";
  private loggingOut = false;
  private busy = false;
  private readonly chat = new ChatLog($("chat-log"));

  start(): void {
    $("auth-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.authenticate(false);
    });
    $("register-btn").addEventListener("click", () => void this.authenticate(true));
    $("new-char-btn").addEventListener("click", () => this.showCreate());
    $("create-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.createCharacter();
    });
    $("create-cancel-btn").addEventListener("click", () => this.show("characters"));
    $("chars-logout-btn").addEventListener("click", () => this.logout());
    // in the world a tap acts as the finger comes down, as the other in-world buttons do
    bindPress($("logout-btn"), () => this.logout());
    bindPress($("leave-btn"), () => void this.leaveWorld());
    $("reconnect-btn").addEventListener("click", () => this.showLogin(""));
    select("char-class").addEventListener("change", () => this.applyClassPreset());
    for (const id of ["skin-color", "hair-color", "hair-style", "body", "top", "top-color", "bottom", "bottom-color",
      "shoes-color", "hat", "hat-color", "char-class"]) {
      $(id).addEventListener("input", () => this.updatePreview());
      $(id).addEventListener("change", () => this.updatePreview());
    }
    input("char-name").addEventListener("input", () => { $("create-error").textContent = ""; });
    this.applyClassPreset();
    this.show("login");
    if (!touchUi()) input("username").focus(); // on a phone the keyboard would hide the form
    const token = sessionStorage.getItem(SESSION_KEY);
    if (token) void this.resume(token);
  }

  /** A reload of this tab picks the session up again instead of asking for the password. */
  private async resume(token: string): Promise<void> {
    const err = $("auth-error");
    err.textContent = "Resuming your session…";
    err.classList.add("info");
    this.setBusy(true);
    try {
      const conn = await this.connection();
      const ok = await conn.call({ case: "resume", value: { token } }, "loginOk");
      this.loggedIn(ok.username, ok.sessionToken, ok.characters, ok.worlds);
      err.textContent = "";
    } catch (e) {
      sessionStorage.removeItem(SESSION_KEY);
      err.classList.remove("info");
      err.textContent = e instanceof ServerError ? "Your session has ended; log in again." : App.describe(e);
    } finally {
      this.setBusy(false);
    }
  }

  private loggedIn(username: string, token: string, characters: CharacterSummary[], worlds: WorldInfo[]): void {
    this.account = username;
    this.characters = characters;
    this.worlds = worlds;
    // per tab: another tab can play another account
    if (token) sessionStorage.setItem(SESSION_KEY, token);
    this.showCharacters();
  }

  // ------------------------------------------------------------------ screens

  private show(screen: Screen): void {
    this.screen = screen;
    for (const [s, id] of Object.entries(SCREENS)) $(id).hidden = s !== screen;
    const state: AppState = screen === "create" ? "characters" : screen;
    debug.state = state;
    document.body.dataset["screen"] = screen;
  }

  private showLogin(message: string, isError = false): void {
    this.stopSession();
    this.show("login");
    const err = $("auth-error");
    err.textContent = message;
    err.classList.toggle("info", !isError && message !== "");
    input("password").value = "";
    if (!touchUi()) input("username").focus(); // on a phone the keyboard would hide the form
  }

  private showDisconnected(message: string): void {
    this.stopSession();
    debug.disconnect = message;
    $("disconnect-message").textContent = message;
    this.show("disconnected");
  }

  private stopSession(): void {
    this.session?.stop();
    this.session = null;
    resetWorldDebug();
  }

  // ------------------------------------------------------------------ connection

  private connection(): Promise<Connection> {
    if (this.conn?.isOpen) return Promise.resolve(this.conn);
    if (this.connecting) return this.connecting;
    this.connecting = Connection.open(gameSocketUrl(window.location)).then((conn) => {
      this.conn = conn;
      conn.onClose((info) => this.onClosed(conn, info));
      conn.onMessage((m) => {
        if (m.msg.case === "characters") {
          this.characters = m.msg.value.characters;
          if (this.screen === "characters") this.renderCharacters();
        }
        if (m.msg.case === "ignoreList") this.ignored = m.msg.value.names;
      });
      return conn;
    }).finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private onClosed(conn: Connection, info: CloseInfo): void {
    if (conn !== this.conn) return;
    this.conn = null;
    const wasLoggingOut = this.loggingOut;
    this.loggingOut = false;
    if (info.byClient && !wasLoggingOut) return;
    if (wasLoggingOut || info.disconnect?.reason === DisconnectReason.LOGGED_OUT) {
      if (this.screen !== "login") this.showLogin("You logged out.");
      return;
    }
    if (this.screen === "login" && !info.disconnect) return; // idle connection: reconnect on the next login
    const message = info.disconnect?.message || info.reason
      || (info.code === 1006 ? "The connection to the server was lost." : `The server closed the connection (code ${info.code}).`);
    this.showDisconnected(message);
  }

  private logout(): void {
    sessionStorage.removeItem(SESSION_KEY);
    const conn = this.conn;
    this.loggingOut = true;
    this.characters = [];
    this.account = "";
    this.showLogin("You logged out.");
    if (!conn?.isOpen) {
      this.loggingOut = false;
      return;
    }
    conn.send({ case: "logout", value: {} });
    // The server answers with Disconnect + close; close it ourselves if it does not.
    window.setTimeout(() => { if (conn.isOpen) conn.close(1000, "logout"); }, 2000);
  }

  private static describe(e: unknown): string {
    if (e instanceof ServerError) return e.message;
    if (e instanceof ConnectionClosedError) return `Could not reach the server: ${e.message}`;
    return e instanceof Error ? e.message : String(e);
  }

  // ------------------------------------------------------------------ login

  private async authenticate(register: boolean): Promise<void> {
    if (this.busy) return;
    const err = $("auth-error");
    err.classList.remove("info");
    const username = input("username").value.trim();
    const password = input("password").value;
    if (!isValidName(username)) {
      err.textContent = "Username must be 3-16 letters or digits.";
      return;
    }
    if (password.length === 0) {
      err.textContent = "Enter your password.";
      return;
    }
    if (register && (password.length < 8 || password.length > 128)) {
      err.textContent = "Password must be 8-128 characters.";
      return;
    }
    err.textContent = register ? "Creating your account…" : "Logging in…";
    err.classList.add("info");
    this.setBusy(true);
    try {
      const conn = await this.connection();
      const ok = await conn.call({ case: register ? "register" : "login", value: { username, password } }, "loginOk");
      err.textContent = "";
      input("password").value = "";
      this.loggedIn(ok.username, ok.sessionToken, ok.characters, ok.worlds);
    } catch (e) {
      err.classList.remove("info");
      err.textContent = App.describe(e);
    } finally {
      this.setBusy(false);
    }
  }

  private setBusy(b: boolean): void {
    this.busy = b;
    for (const id of ["login-btn", "register-btn", "create-btn"]) ($(id) as HTMLButtonElement).disabled = b;
    for (const e of document.querySelectorAll<HTMLButtonElement>(".char-entry")) e.disabled = b;
  }

  // ------------------------------------------------------------------ characters

  private showCharacters(): void {
    this.stopSession();
    $("account-name").textContent = this.account;
    $("char-error").textContent = "";
    this.renderCharacters();
    this.show("characters");
  }

  private renderCharacters(): void {
    const list = $("char-list");
    list.replaceChildren();
    for (const c of this.characters) {
      const b = el("button", "char-entry");
      b.type = "button";
      b.dataset["name"] = c.name;
      b.dataset["id"] = c.id.toString();
      const canvas = el("canvas", "char-portrait");
      canvas.width = 48;
      canvas.height = 64;
      const info = el("span", "char-info");
      info.append(el("span", "char-name", c.name), el("span", "char-meta", `${classLabel(c.characterClass)}${c.world ? " · " + c.world : ""}`));
      b.append(canvas, info, el("span", "char-play", "Play ▸"));
      b.addEventListener("click", () => void this.enterWorld(c));
      list.append(b);
      if (c.appearance) requestAnimationFrame(() => drawPreview(canvas, c.appearance!));
    }
    $("char-empty").hidden = this.characters.length > 0;
  }

  private showCreate(): void {
    input("char-name").value = "";
    $("create-error").textContent = "";
    renderWorldPicker(select("char-world"), this.worlds);
    this.show("create");
    this.updatePreview();
    if (!touchUi()) input("char-name").focus();
    void this.refreshWorlds();
  }

  /** The populations of LoginOk age: ask again while the player picks. */
  private async refreshWorlds(): Promise<void> {
    const conn = this.conn;
    if (!conn?.isOpen) return;
    try {
      const list = await conn.call({ case: "listWorlds", value: {} }, "worlds");
      this.worlds = list.worlds;
      if (this.screen === "create") renderWorldPicker(select("char-world"), this.worlds);
    } catch {
      // an older server, or a lost connection (reported elsewhere): the list from login stays
    }
  }

  private applyClassPreset(): void {
    const p = CLASS_PRESETS[select("char-class").value as ClassName] ?? CLASS_PRESETS.warrior;
    select("top").value = String(p.top);
    input("top-color").value = p.topColor;
    select("bottom").value = String(p.bottom);
    input("bottom-color").value = p.bottomColor;
    select("hat").value = String(p.hat);
    input("hat-color").value = p.hatColor;
    input("shoes-color").value = p.shoes;
    this.updatePreview();
  }

  private appearanceFromForm(): Appearance {
    const num = (id: string) => Number(select(id).value) || 0;
    return create(AppearanceSchema, {
      body: num("body"),
      skinColor: hexToColor(input("skin-color").value),
      hairColor: hexToColor(input("hair-color").value),
      hairStyle: num("hair-style"),
      outfit: create(OutfitSchema, {
        top: num("top"),
        topColor: hexToColor(input("top-color").value),
        bottom: num("bottom"),
        bottomColor: hexToColor(input("bottom-color").value),
        shoesColor: hexToColor(input("shoes-color").value),
        hat: num("hat"),
        hatColor: hexToColor(input("hat-color").value),
      }),
    });
  }

  private updatePreview(): void {
    try {
      drawPreview($("char-preview") as HTMLCanvasElement, this.appearanceFromForm());
    } catch {
      // a half-typed colour
    }
  }

  private async createCharacter(): Promise<void> {
    if (this.busy) return;
    const err = $("create-error");
    const name = input("char-name").value.trim();
    if (!isValidName(name)) {
      err.textContent = "Name must be 3-16 letters or digits.";
      return;
    }
    let appearance: Appearance;
    try {
      appearance = this.appearanceFromForm();
    } catch (e) {
      err.textContent = App.describe(e);
      return;
    }
    const start = input("start-random").checked ? StartChoice.START_RANDOM : StartChoice.START_HOME;
    this.setBusy(true);
    err.textContent = "";
    try {
      const conn = await this.connection();
      const created = await conn.call({
        case: "createCharacter",
        value: { name, characterClass: classFromName(select("char-class").value), appearance, start, world: select("char-world").value },
      }, "characterCreated");
      const c = created.character;
      if (c && !this.characters.some((x) => x.id === c.id)) this.characters.push(c);
      this.showCharacters();
    } catch (e) {
      err.textContent = App.describe(e);
    } finally {
      this.setBusy(false);
    }
  }

  // ------------------------------------------------------------------ world

  private async enterWorld(c: CharacterSummary): Promise<void> {
    if (this.busy) return;
    const err = $("char-error");
    err.textContent = "";
    this.setBusy(true);
    try {
      const conn = await this.connection();
      const entered = await conn.call({ case: "enterWorld", value: { characterId: c.id } }, "worldEntered");
      // Synchronously from here, so no WorldUpdate is missed.
      this.chat.clear();
      this.session = new GameSession(conn, entered, this.chat, this.ignored);
      this.show("world");
      this.chat.system(`Welcome to ${entered.world || "the world"}, ${c.name}. ${touchUi()
        ? "Drag the stick to move; tap to target; hold a player to trade; Chat to talk"
        : "WASD or arrows to move; Enter to chat"}; /help for commands.`);
      void this.session.start();
    } catch (e) {
      err.textContent = App.describe(e);
    } finally {
      this.setBusy(false);
    }
  }

  private async leaveWorld(): Promise<void> {
    const conn = this.conn;
    if (!conn?.isOpen || !this.session) return;
    try {
      const list = await conn.call({ case: "leaveWorld", value: {} }, "characters");
      this.characters = list.characters;
      this.showCharacters();
    } catch (e) {
      this.chat.system(App.describe(e));
    }
  }
}

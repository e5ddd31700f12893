package mmo.app.term;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import mmo.client.ClientListener;
import mmo.client.ClientOptions;
import mmo.client.MmoClient;
import mmo.client.RemoteEntity;
import mmo.client.ServerError;
import mmo.client.WorldView;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterStats;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatMessage;
import mmo.protocol.CreateCharacter;
import mmo.protocol.Disconnect;
import mmo.protocol.EntityKind;
import mmo.protocol.LoginOk;
import mmo.protocol.Outfit;
import mmo.protocol.StartChoice;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldInfo;
import mmo.protocol.WorldUpdate;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The terminal client: logs in (or registers), picks or creates a character, enters the world
 * and plays it on a Lanterna {@link Screen} drawn by {@link GameRenderer}.
 *
 * <h2>Threads</h2>
 * The thread that calls {@link #run} (the UI thread) owns the screen and every field not
 * marked otherwise. A daemon thread reads key strokes and queues them; a terminal resize, and
 * the client's event loop for each world update (at most one pending) and chat line, queue a
 * redraw; the closed connection queues its end ({@link UiEvents}). The UI thread takes from
 * that queue, in the menus as in the game, so it sleeps between ticks and keystrokes and
 * redraws a menu the terminal resized under it. Keys typed while it waits for the server are
 * kept and handled once the answer came, in order; Ctrl-C still quits at once.
 * Movement is sent from the event loop: a key press sets a direction that holds for
 * {@link #KEY_HOLD_NANOS} (a held key repeats and extends it); world updates resend it, at most
 * every {@link #RESEND_NANOS}, or, once it lapsed, stop.
 */
public final class TerminalClient {
    /** How long one key press keeps the character walking. */
    static final long KEY_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(350);
    /** How often a held direction is sent again (the protocol asks for at least every 100 ms). */
    static final long RESEND_NANOS = TimeUnit.MILLISECONDS.toNanos(80);
    private static final long REQUEST_TIMEOUT_S = 15;
    private static final int CHAT_KEEP = 200;

    private final Screen screen;
    private final URI ws;
    private final ClientOptions.Builder options;
    private final java.util.function.Function<String, TerminalMap> mapLoader;
    private final UiEvents events = new UiEvents();
    private final List<ChatLine> chat = new ArrayList<>(); // guarded by itself
    private MmoClient client;
    private String self = "";
    private String cls = "";
    private TerminalMap map;
    private String notice = "";
    private String input; // the chat line being typed, null when not typing
    private volatile String closeReason;
    private String ended; // why the session cannot go on before the game, null if the player quit

    // movement: written by the UI thread, read by the event loop
    private volatile float dirX;
    private volatile float dirY;
    private volatile long moveUntil;
    // event loop only
    private boolean moving;
    private float sentX;
    private float sentY;
    private long sentAt;

    /**
     * @param screen    a started-or-not screen; {@link #run} starts and stops it
     * @param ws        the server's WebSocket address
     * @param options   TLS trust and the like; the listener is set here
     * @param mapLoader loads a map by its resource path ({@link WorldEntered#getMap()}); may throw
     */
    public TerminalClient(Screen screen, URI ws, ClientOptions.Builder options,
                          java.util.function.Function<String, TerminalMap> mapLoader) {
        this.screen = screen;
        this.ws = ws;
        this.options = options;
        this.mapLoader = mapLoader;
    }

    /** What the player gave on the command line; null fields are asked for. */
    public record Login(String user, String password, boolean register) {}

    /**
     * Runs the whole session on the calling thread.
     *
     * @return the process exit code: 0 after quitting, 1 when the connection or login failed
     */
    public int run(Login login) throws IOException, InterruptedException {
        screen.startScreen();
        screen.setCursorPosition(null);
        if (screen instanceof TerminalScreen ts) ts.getTerminal().addResizeListener((terminal, size) -> events.requestRedraw());
        Thread reader = Thread.ofPlatform().daemon().name("mmo-terminal-keys").start(() -> {
            try {
                while (true) {
                    KeyStroke k = screen.readInput();
                    events.key(k);
                    if (k.getKeyType() == KeyType.EOF) return;
                }
            } catch (IOException | RuntimeException e) {
                events.key(new KeyStroke(KeyType.EOF));
            }
        });
        try {
            String problem;
            try {
                problem = session(login);
            } catch (UiEvents.Quit q) {
                problem = quit();
            }
            screen.stopScreen();
            if (problem != null) {
                // the reason may carry the server's words: no escape sequences onto the restored terminal
                System.err.println("mmo play: " + CharGrid.printable(problem));
                return 1;
            }
            return 0;
        } finally {
            reader.interrupt();
            if (client != null) client.close();
            try {
                screen.stopScreen();
            } catch (IOException | RuntimeException ignored) {
                // already stopped
            }
        }
    }

    /** @return null after the player quit, else why the session ended */
    private String session(Login login) throws IOException, InterruptedException {
        form("Connecting to " + ws + " ...", List.of(), null, null, "");
        CompletableFuture<MmoClient> connecting = MmoClient.connect(ws,
                options.clientName("mmo-terminal").listener(new Listener()).build());
        try {
            client = waitFor(connecting);
        } catch (ExecutionException e) {
            return "cannot connect to " + ws + ": " + message(e.getCause());
        } catch (TimeoutException e) {
            return "cannot connect to " + ws + ": no answer within " + REQUEST_TIMEOUT_S + " s";
        } catch (UiEvents.Quit q) {
            connecting.thenAccept(MmoClient::close); // should it still connect
            throw q;
        }
        LoginOk ok = logIn(login);
        if (ok == null) return ended;
        CharacterSummary character = pickCharacter(ok);
        if (character == null) return ended != null ? ended : quit();
        form("Entering the world as " + character.getName() + " ...", List.of(), null, null, "");
        WorldEntered entered;
        try {
            entered = await(client.enterWorld(character.getId()));
        } catch (ServerError | IOException e) {
            return "cannot enter the world: " + message(e);
        }
        self = character.getName();
        cls = character.getCharacterClass().name().toLowerCase(Locale.ROOT);
        String mapPath = entered.getMap().isEmpty() ? "/maps/world.tmj" : entered.getMap();
        try {
            map = mapLoader.apply(mapPath);
        } catch (RuntimeException e) {
            notice = "no map: " + message(e);
        }
        return play();
    }

    // ------------------------------------------------------------------ login and characters

    private LoginOk logIn(Login given) throws IOException, InterruptedException {
        String error = "";
        boolean register = given.register();
        boolean asked = false;
        while (true) {
            if (given.user() == null || given.password() == null || asked) {
                Character choice = choose("Log in or create an account", List.of(
                        "l) log in", "r) register a new account", "q) quit"), "lrq", error);
                if (choice == null || choice == 'q') return null;
                register = choice == 'r';
            }
            String user = given.user() != null && !asked ? given.user()
                    : prompt(register ? "New account" : "Log in", List.of(), "Username: ", false, "");
            if (user == null) return null;
            String password = given.password() != null && !asked ? given.password()
                    : prompt(register ? "New account" : "Log in", List.of("Username: " + user), "Password: ", true, "");
            if (password == null) return null;
            form(register ? "Creating the account ..." : "Logging in ...", List.of(), null, null, "");
            try {
                return await(register ? client.register(user, password) : client.login(user, password));
            } catch (ServerError | IOException e) {
                error = (register ? "could not register: " : "could not log in: ") + message(e);
                asked = true;
                if (!client.isOpen()) {
                    ended = error;
                    return null;
                }
            }
        }
    }

    private CharacterSummary pickCharacter(LoginOk ok) throws IOException, InterruptedException {
        List<CharacterSummary> characters = new ArrayList<>(ok.getCharactersList());
        String error = "";
        while (true) {
            if (!characters.isEmpty()) {
                List<String> lines = new ArrayList<>();
                StringBuilder keys = new StringBuilder("nq");
                for (int i = 0; i < characters.size() && i < 9; i++) {
                    CharacterSummary c = characters.get(i);
                    lines.add((i + 1) + ") " + c.getName() + "  " + c.getCharacterClass().name().toLowerCase(Locale.ROOT)
                            + (c.getWorld().isEmpty() ? "" : "  (world " + c.getWorld() + ")"));
                    keys.append(i + 1);
                }
                lines.add("n) new character");
                lines.add("q) quit");
                Character choice = choose("Characters of " + ok.getUsername(), lines, keys.toString(), error);
                if (choice == null || choice == 'q') return null;
                if (choice != 'n') return characters.get(choice - '1');
            }
            String name = prompt("New character", List.of(), "Name: ", false, error);
            if (name == null) return null;
            Character c = choose("New character: " + name, List.of("1) warrior", "2) mage", "3) ranger", "4) healer"),
                    "1234", "");
            if (c == null) return null;
            String world = "";
            List<WorldInfo> worlds = client.worlds();
            if (worlds.size() > 1) {
                List<String> lines = new ArrayList<>();
                StringBuilder keys = new StringBuilder();
                for (int i = 0; i < worlds.size() && i < 9; i++) {
                    WorldInfo w = worlds.get(i);
                    lines.add((i + 1) + ") " + w.getName() + "  " + w.getPopulation() + "/" + w.getCapacity() + " players");
                    keys.append(i + 1);
                }
                Character w = choose("Which world? (a character stays in its world)", lines, keys.toString(), "");
                if (w == null) return null;
                world = worlds.get(w - '1').getName();
            }
            CreateCharacter create = CreateCharacter.newBuilder()
                    .setName(name)
                    .setCharacterClass(CharacterClass.forNumber(c - '1'))
                    .setStart(StartChoice.START_HOME)
                    .setWorld(world)
                    .setAppearance(Appearance.newBuilder().setBody(0).setSkinColor(0xC68642).setHairColor(0x2C1B10)
                            .setHairStyle(1).setOutfit(Outfit.newBuilder().setTop(1).setTopColor(0x3366AA)
                                    .setBottomColor(0x333333).setShoesColor(0x442200)))
                    .build();
            try {
                CharacterSummary created = await(client.createCharacter(create));
                return created;
            } catch (ServerError | IOException e) {
                error = "could not create " + name + ": " + message(e);
                if (!client.isOpen()) {
                    ended = error;
                    return null;
                }
            }
        }
    }

    /**
     * Waits for a request's answer; the UI shows what it waits for meanwhile. The keys typed
     * meanwhile are handled after it, unless it failed ({@link UiEvents#dropTypedAhead} says why).
     */
    private <T> T await(CompletableFuture<T> f) throws ServerError, IOException, InterruptedException {
        try {
            return waitFor(f);
        } catch (ExecutionException e) {
            events.dropTypedAhead();
            if (e.getCause() instanceof ServerError se) throw se;
            throw new IOException(message(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            events.dropTypedAhead();
            throw new IOException("no answer from the server within " + REQUEST_TIMEOUT_S + " s");
        }
    }

    /** {@code f}'s result, waited for at most {@link #REQUEST_TIMEOUT_S} ({@link UiEvents#waitFor}). */
    private <T> T waitFor(CompletableFuture<T> f) throws ExecutionException, TimeoutException, InterruptedException {
        return events.waitFor(f, TimeUnit.SECONDS.toNanos(REQUEST_TIMEOUT_S));
    }

    static String message(Throwable t) {
        if (t instanceof ServerError se) {
            return se.code() + (se.serverMessage() == null || se.serverMessage().isEmpty() ? "" : " (" + se.serverMessage() + ")");
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /**
     * Shows a menu and waits for one of {@code keys}; null when the player pressed Esc or Ctrl-C,
     * or the server closed the connection ({@link #ended} says so).
     */
    private Character choose(String title, List<String> lines, String keys, String error)
            throws IOException, InterruptedException {
        while (true) {
            KeyStroke k = nextKey(() -> form(title, lines, null, null, error));
            if (quits(k) || k.getKeyType() == KeyType.Escape) return null;
            if (k.getKeyType() == KeyType.Character && !k.isCtrlDown()) {
                char c = Character.toLowerCase(k.getCharacter());
                if (keys.indexOf(c) >= 0) return c;
            }
        }
    }

    /**
     * Reads a line of text (Enter ends it; {@code secret} shows stars); null on Esc or Ctrl-C,
     * or when the server closed the connection ({@link #ended} says so).
     */
    private String prompt(String title, List<String> lines, String label, boolean secret, String error)
            throws IOException, InterruptedException {
        StringBuilder text = new StringBuilder();
        while (true) {
            String shown = secret ? "*".repeat(text.length()) : text.toString();
            KeyStroke k = nextKey(() -> form(title, lines, label, shown, error));
            if (quits(k) || k.getKeyType() == KeyType.Escape) return null;
            switch (k.getKeyType()) {
                case Enter -> {
                    if (!text.isEmpty()) return text.toString();
                }
                case Backspace -> {
                    if (!text.isEmpty()) text.setLength(text.length() - 1);
                }
                case Character -> {
                    if (!k.isCtrlDown() && !k.isAltDown() && text.length() < 128) text.append(k.getCharacter());
                }
                default -> { }
            }
        }
    }

    /** Draws a menu screen. */
    private interface Form {
        void draw() throws IOException;
    }

    /**
     * Draws {@code form}, then waits for a key stroke, drawing it again when the terminal was
     * resized meanwhile; null when the connection closed first (and {@link #ended} says why).
     */
    private KeyStroke nextKey(Form form) throws IOException, InterruptedException {
        form.draw();
        while (true) {
            Object e = events.take();
            if (e instanceof KeyStroke k) return k;
            if (e == UiEvents.CLOSED) {
                ended = closedMessage();
                return null;
            }
            form.draw();
        }
    }

    private String closedMessage() {
        return "the server closed the connection" + (closeReason == null ? "" : ": " + closeReason);
    }

    private static boolean quits(KeyStroke k) {
        return UiEvents.quits(k);
    }

    /** Draws a form screen: a title, lines, an optional input field and an error line. */
    private void form(String title, List<String> lines, String label, String value, String error) throws IOException {
        TerminalSize size = screen.doResizeIfNecessary();
        if (size == null) size = screen.getTerminalSize();
        CharGrid g = new CharGrid(size.getColumns(), size.getRows());
        g.text(0, 0, " mmo - " + ws, Tint.STATUS, g.cols());
        for (int c = ("mmo - " + ws).length() + 1; c < g.cols(); c++) g.put(c, 0, ' ', Tint.STATUS);
        g.text(2, 2, title, Tint.TEXT, g.cols() - 2);
        int row = 4;
        for (String line : lines) g.text(4, row++, line, Tint.TEXT, g.cols() - 4);
        if (label != null) {
            row++;
            g.text(4, row, label + value + "_", Tint.INPUT, g.cols() - 4);
            row++;
        }
        if (!error.isEmpty()) g.text(4, row + 1, error, Tint.ERROR, g.cols() - 4);
        g.text(0, g.rows() - 1, label != null ? "Enter: next   Esc: quit" : "Esc: quit", Tint.DIM, g.cols());
        draw(g);
    }

    // ------------------------------------------------------------------ the game

    private String play() throws IOException, InterruptedException {
        redraw();
        while (true) {
            Object e = events.take();
            if (e == UiEvents.CLOSED) return closedMessage();
            if (e instanceof KeyStroke k && !onKey(k)) return quit();
            events.skipRedraws(); // one redraw for everything queued meanwhile
            redraw();
        }
    }

    /** @return false to quit */
    private boolean onKey(KeyStroke k) {
        if (quits(k)) return false;
        if (input != null) {
            switch (k.getKeyType()) {
                case Escape -> input = null;
                case Enter -> {
                    send(input.strip());
                    input = null;
                }
                case Backspace -> {
                    if (!input.isEmpty()) input = input.substring(0, input.length() - 1);
                }
                case Character -> {
                    if (!k.isCtrlDown() && !k.isAltDown() && input.length() < 256) input += k.getCharacter();
                }
                default -> { }
            }
            return true;
        }
        switch (k.getKeyType()) {
            case ArrowUp -> move(0, -1);
            case ArrowDown -> move(0, 1);
            case ArrowLeft -> move(-1, 0);
            case ArrowRight -> move(1, 0);
            case Enter -> input = "";
            case Character -> {
                switch (Character.toLowerCase(k.getCharacter())) {
                    case 'q' -> {
                        return false;
                    }
                    case 'w', 'k' -> move(0, -1);
                    case 's', 'j' -> move(0, 1);
                    case 'a', 'h' -> move(-1, 0);
                    case 'd', 'l' -> move(1, 0);
                    case ' ', '1', '2', '3', '4' -> ability();
                    case 'g' -> pickUp();
                    default -> { }
                }
            }
            default -> { }
        }
        return true;
    }

    private void move(float dx, float dy) {
        dirX = dx;
        dirY = dy;
        moveUntil = System.nanoTime() + KEY_HOLD_NANOS;
        client.eventLoop().execute(this::steer);
    }

    /**
     * Event loop: sends the held direction when it changes and every {@link #RESEND_NANOS} while
     * it holds, or stops once the key press lapsed. Paced by the clock, not by the updates: a
     * backlog of updates (a stalled client catching up) must not become a burst of inputs.
     */
    private void steer() {
        long now = System.nanoTime();
        if (now - moveUntil < 0) {
            float x = dirX, y = dirY;
            if (!moving || x != sentX || y != sentY || now - sentAt >= RESEND_NANOS) {
                client.sendInput(x, y);
                sentX = x;
                sentY = y;
                sentAt = now;
                moving = true;
            }
        } else if (moving) {
            client.sendInput(0, 0);
            moving = false;
        }
    }

    private void send(String line) {
        if (line.isEmpty()) return;
        CompletableFuture<Void> sent;
        if (line.startsWith("/w ") || line.startsWith("/whisper ")) {
            String[] parts = line.split("\\s+", 3);
            if (parts.length < 3) {
                addChat(ChatLine.error("usage: /w name text"));
                return;
            }
            sent = client.whisper(parts[1], parts[2]);
        } else if (line.startsWith("/world ")) {
            sent = client.worldChat(line.substring("/world ".length()).strip());
        } else if (line.startsWith("/")) {
            addChat(ChatLine.error("unknown command " + line.split("\\s+")[0] + " (/w name text, /world text)"));
            return;
        } else {
            sent = client.say(line);
        }
        sent.whenComplete((ok, failure) -> {
            if (failure != null) {
                addChat(ChatLine.error("not sent: " + message(failure instanceof java.util.concurrent.CompletionException
                        && failure.getCause() != null ? failure.getCause() : failure)));
            }
        });
    }

    private void ability() {
        Aim aim = aim(GameRenderer.View.of(client.snapshot()), cls.equals("healer"), client.stats());
        if (aim.target() < 0) {
            addChat(ChatLine.error(aim.why()));
            return;
        }
        client.useAbility(aim.target()).whenComplete((ok, failure) -> {
            if (failure != null) addChat(ChatLine.error("ability: " + message(unwrap(failure))));
        });
    }

    /**
     * What the ability key does: use the class ability on {@code target}, or, when it is -1,
     * show {@code why} instead of sending a use the server would refuse.
     */
    record Aim(int target, String why) {}

    /**
     * Whom the class ability is aimed at: the nearest live creature within the ability's range;
     * a healer's heals the nearest other live player within it, else the healer. The range comes
     * with the character's stats ({@link CharacterStats#getAbilityRange()}); it is 0 until the
     * first stats arrive, and then the nearest at any distance is aimed at and the server judges.
     * The check is the server's (distance between the positions, no more than the range) on the
     * positions this client sees, which trail the server's a little: at the very edge, and for
     * line of sight, the server may still refuse, and the chat says why.
     */
    static Aim aim(GameRenderer.View v, boolean healer, CharacterStats stats) {
        float range = stats.getAbilityRange();
        if (healer) {
            RemoteEntity friend = nearest(v, EntityKind.ENTITY_PLAYER, range);
            return new Aim(friend != null ? friend.id() : v.ownEntityId(), "");
        }
        RemoteEntity foe = nearest(v, EntityKind.ENTITY_CREATURE, range);
        if (foe != null) return new Aim(foe.id(), "");
        String name = stats.getAbility().isEmpty() ? "the ability" : stats.getAbility();
        return new Aim(-1, range > 0 ? "nothing in range of " + name + " (" + units(range) + " tiles)"
                : "nothing to use " + name + " on");
    }

    private static String units(float range) {
        String s = Float.toString(range);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private void pickUp() {
        RemoteEntity loot = nearest(GameRenderer.View.of(client.snapshot()), EntityKind.ENTITY_LOOT,
                mmo.protocol.Constants.PICKUP_RANGE_VALUE);
        if (loot == null) {
            addChat(ChatLine.error("no loot in range (" + mmo.protocol.Constants.PICKUP_RANGE_VALUE + " tiles)"));
            return;
        }
        client.pickUp(loot.id()).whenComplete((ok, failure) -> {
            if (failure != null) addChat(ChatLine.error("pick up: " + message(unwrap(failure))));
        });
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** The nearest live entity of {@code kind} but oneself within {@code range} (any distance if 0); null if none. */
    static RemoteEntity nearest(GameRenderer.View v, EntityKind kind, float range) {
        RemoteEntity best = null;
        float bestSquared = Float.MAX_VALUE;
        for (RemoteEntity e : v.entities()) {
            if (e.kind() != kind || e.game().dead() || e.id() == v.ownEntityId()) continue;
            float dx = e.x() - v.x(), dy = e.y() - v.y();
            float squared = dx * dx + dy * dy; // as the server measures it
            if (range > 0 && squared > range * range) continue;
            if (squared < bestSquared) {
                bestSquared = squared;
                best = e;
            }
        }
        return best;
    }

    private String quit() {
        if (client != null && client.isOpen()) {
            try {
                client.logout().get(3, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // closing anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return null;
    }

    private void addChat(ChatLine line) {
        synchronized (chat) {
            chat.add(line);
            if (chat.size() > CHAT_KEEP) chat.removeFirst();
        }
        events.requestRedraw();
    }

    private void redraw() throws IOException {
        events.redrawn();
        TerminalSize size = screen.doResizeIfNecessary();
        if (size == null) size = screen.getTerminalSize();
        List<ChatLine> log;
        synchronized (chat) {
            log = List.copyOf(chat);
        }
        GameRenderer.Frame frame = new GameRenderer.Frame(map, GameRenderer.View.of(client.snapshot()), self, cls, client.stats(), log,
                input, notice);
        draw(GameRenderer.render(frame, size.getColumns(), size.getRows()));
    }

    private void draw(CharGrid g) throws IOException {
        for (int r = 0; r < g.rows(); r++) {
            for (int c = 0; c < g.cols(); c++) {
                screen.setCharacter(c, r, cell(g.charAt(c, r), g.tintAt(c, r)));
            }
        }
        screen.refresh();
    }

    private static TextCharacter cell(char c, Tint tint) {
        TextColor fg = switch (tint) {
            case TEXT, INPUT -> TextColor.ANSI.DEFAULT;
            case DIM, SNOW -> TextColor.ANSI.WHITE;
            case GROUND, SAND, ROAD -> TextColor.ANSI.YELLOW;
            case GRASS, TREE -> TextColor.ANSI.GREEN;
            case WATER -> TextColor.ANSI.BLUE_BRIGHT;
            case WALL -> TextColor.ANSI.WHITE_BRIGHT;
            case SELF -> TextColor.ANSI.YELLOW_BRIGHT;
            case PLAYER -> TextColor.ANSI.CYAN_BRIGHT;
            case CREATURE, ERROR -> TextColor.ANSI.RED_BRIGHT;
            case LOOT -> TextColor.ANSI.YELLOW_BRIGHT;
            case DEAD -> TextColor.ANSI.BLACK_BRIGHT;
            case STATUS -> TextColor.ANSI.BLACK;
            case SAY -> TextColor.ANSI.DEFAULT;
            case WORLD -> TextColor.ANSI.CYAN;
            case WHISPER -> TextColor.ANSI.MAGENTA_BRIGHT;
            case SYSTEM -> TextColor.ANSI.YELLOW;
        };
        TextColor bg = tint == Tint.STATUS ? TextColor.ANSI.WHITE : TextColor.ANSI.DEFAULT;
        return tint == Tint.SELF || tint == Tint.PLAYER
                ? new TextCharacter(c, fg, bg, SGR.BOLD) : new TextCharacter(c, fg, bg);
    }

    /** Runs on the client's event loop. */
    private final class Listener implements ClientListener {
        @Override
        public void onWorldUpdate(WorldUpdate update, WorldView view) {
            steer();
            events.requestRedraw();
        }

        @Override
        public void onChat(ChatMessage m) {
            addChat(ChatLine.of(m, self));
        }

        @Override
        public void onError(mmo.protocol.Error error, int rid) {
            // errors answering a request are reported by that request's future
            if (rid == 0) addChat(ChatLine.error("server: " + error.getCode() + " " + error.getMessage()));
        }

        @Override
        public void onDisconnect(Disconnect disconnect, int closeCode, String reason) {
            closeReason = disconnect != null ? disconnect.getReason() + " " + disconnect.getMessage() : closeCode + " " + reason;
            events.closed();
        }
    }
}

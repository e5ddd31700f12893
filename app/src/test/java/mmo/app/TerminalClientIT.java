package mmo.app;

import mmo.app.term.GameRenderer;
import mmo.client.MmoClient;
import mmo.client.RemoteEntity;
import mmo.client.WorldView;
import mmo.protocol.CharacterClass;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mmo play --terminal} as a player runs it: the real jar as a process inside a real tmux
 * session, typed at with {@code tmux send-keys} and read with {@code tmux capture-pane}, against
 * a real server in this JVM whose tick the test steps. A second player, a Java client, stands
 * next to it, talks to it and watches it move.
 */
class TerminalClientIT {
    static final int COLS = 100, ROWS = 35;

    @TempDir
    Path dir;
    TestServer server;
    MmoClient bob;
    final String session = "mmo-it-" + ProcessHandle.current().pid();
    String lastPane = "";

    @AfterEach
    void stop() throws Exception {
        run("tmux", "kill-session", "-t", session); // gone already after a clean quit
        if (bob != null) bob.close();
        if (server != null) server.close();
    }

    @Test
    void playsInTmux() throws Exception {
        server = TestServer.start(dir.resolve("mmo.db"));
        bob = server.connect();
        server.play(bob, "bob", "Bob", CharacterClass.WARRIOR);

        launch("--host", "127.0.0.1", "--port", String.valueOf(server.server.port()));

        // register, create a character, enter the world
        awaitPane(p -> p.contains("Log in or create an account"), "the login menu");
        keys("r");
        awaitPane(p -> p.contains("Username: _"), "the username prompt");
        type("tess");
        keys("Enter");
        awaitPane(p -> p.contains("Password: _"), "the password prompt");
        type("password-tess");
        String typed = awaitPane(p -> p.contains("Password: *************_"), "the password, as stars");
        assertThat(typed).doesNotContain("password-tess");
        keys("Enter");
        awaitPane(p -> p.contains("Name: _"), "the new character's name prompt");
        type("Tess");
        keys("Enter");
        awaitPane(p -> p.contains("1) warrior"), "the class menu");
        keys("1");
        String game = awaitPane(p -> p.contains("@ Tess") && p.contains(" Tess ") && p.contains("world "), "the game");
        assertThat(game.lines().toList().get(0)).contains("Tess", "warrior", "tick");

        // Bob walks up to Tess and stops a few tiles away: his letter is where the map puts him
        server.tickUntil(() -> {
            WorldView.Snapshot b = bob.snapshot();
            RemoteEntity tess = named(b, "Tess");
            if (tess == null) return false;
            float dx = tess.x() - b.x(), dy = tess.y() - b.y();
            boolean sameTile = tile(tess.x()) == tile(b.x()) && tile(tess.y()) == tile(b.y());
            if (Math.hypot(dx, dy) > 5) {
                bob.sendInput(dx, dy);
                return false;
            }
            if (sameTile) {
                bob.sendInput(1, 0);
                return false;
            }
            bob.sendInput(0, 0);
            return true;
        }, 2000, bob);
        GameRenderer.Layout layout = GameRenderer.layout(COLS, ROWS);
        awaitPane(p -> {
            WorldView.Snapshot b = bob.snapshot();
            RemoteEntity tess = named(b, "Tess");
            int col = layout.colOf(tile(b.x()), tile(tess.x())), row = layout.rowOf(tile(b.y()), tile(tess.y()));
            return charAt(p, row, col) == 'B' && charAt(p, layout.centreRow(), layout.centreCol()) == '@';
        }, "Bob's letter at his offset from '@'");
        assertThat(lastPane).contains("B Bob warrior");

        // Right arrow: Tess walks east on the server (west with Left, if a wall stands just east of her)
        float x0 = named(bob.snapshot(), "Tess").x();
        boolean eastIsOpen = walkable(charAt(lastPane, layout.centreRow(), layout.centreCol() + 1))
                && walkable(charAt(lastPane, layout.centreRow(), layout.centreCol() + 2));
        keys(eastIsOpen ? "Right" : "Left");
        // bounded by time, not ticks (the key crosses tmux and another process); reading the pane
        // between ticks also keeps the ticks near the pace the client can follow
        awaitPane(p -> eastIsOpen ? named(bob.snapshot(), "Tess").x() > x0 + 0.5f
                : named(bob.snapshot(), "Tess").x() < x0 - 0.5f, "Tess walking " + (eastIsOpen ? "east" : "west")
                + " from x " + x0 + " on the server");

        // chat from the terminal reaches the Java client: say and whisper
        var said = bob.nextChat(c -> c.getText().equals("hello from the terminal"));
        keys("Enter");
        awaitPane(p -> p.lines().anyMatch(l -> l.startsWith("> _")), "the chat input line");
        type("hello from the terminal");
        keys("Enter");
        ChatMessage say = server.tickUntilDone(said);
        assertThat(say.getFrom()).isEqualTo("Tess");
        assertThat(say.getChannel()).isEqualTo(ChatChannel.SAY);
        var whispered = bob.nextChat(c -> c.getChannel() == ChatChannel.WHISPER && c.getText().equals("psst"));
        keys("Enter");
        type("/w Bob psst");
        keys("Enter");
        assertThat(server.tickUntilDone(whispered).getFrom()).isEqualTo("Tess");

        // the Java client's chat shows at the bottom of the pane
        bob.say("hi Tess, welcome");
        awaitPane(p -> {
            List<String> lines = p.lines().toList();
            for (int r = layout.chatTop(); r < layout.inputRow() && r < lines.size(); r++) {
                if (lines.get(r).startsWith("Bob: hi Tess, welcome")) return true;
            }
            return false;
        }, "Bob's line in the chat log");
        assertThat(lastPane).contains("[to Bob] psst", "Tess: hello from the terminal");
        Path shots = Path.of(System.getProperty("mmo.screenshots", "target/screenshots"));
        Files.createDirectories(shots);
        Files.writeString(shots.resolve("terminal-client.txt"), lastPane);

        // q quits: logs out, restores the terminal, exits 0
        keys("q");
        assertThat(awaitExit()).as(diagnostics()).isEqualTo(0);
        server.tickUntil(() -> named(bob.snapshot(), "Tess") == null, 200, bob);
    }

    @Test
    void playsOverTlsWithTheAccountFromTheCommandLine() throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        TlsTest.selfSignedCertificate(cert, key);
        server = TestServer.start("jdbc:sqlite:" + dir.resolve("mmo.db"), java.util.Map.of(
                "mmo.net.tls.cert", cert.toString(), "mmo.net.tls.key", key.toString()));
        bob = mmo.client.MmoClient.connect(java.net.URI.create("wss://127.0.0.1:" + server.server.port() + "/ws"),
                mmo.client.ClientOptions.builder().trustCertificates(cert).build()).get(TIMEOUT_S, TimeUnit.SECONDS);
        server.play(bob, "bob", "Bob", CharacterClass.WARRIOR);
        Path password = Files.writeString(dir.resolve("password"), "password-tess\n");

        launch("--host", "127.0.0.1", "--port", String.valueOf(server.server.port()), "--tls", "--trust-cert",
                cert.toString(), "--user", "tess", "--password-file", password.toString(), "--register");
        awaitPane(p -> p.contains("Name: _"), "the new character's name prompt, without asking for the account");
        type("Tess");
        keys("Enter");
        awaitPane(p -> p.contains("1) warrior"), "the class menu");
        keys("1");
        GameRenderer.Layout layout = GameRenderer.layout(COLS, ROWS);
        // the map came over https: the ground around '@' is drawn, and no "no map" notice
        String game = awaitPane(p -> p.contains("@ Tess") && charAt(p, layout.centreRow(), layout.centreCol()) == '@'
                && charAt(p, layout.mapTop(), 0) != ' ', "the game with its map");
        assertThat(game).doesNotContain("no map");
        keys("C-c");
        assertThat(awaitExit()).as(diagnostics()).isEqualTo(0);
    }

    @Test
    void followsAResizeAndTheServerClosingLeavesTheTerminalAsItWas() throws Exception {
        server = TestServer.start(dir.resolve("mmo.db"));
        bob = server.connect();
        server.play(bob, "bob", "Bob", CharacterClass.WARRIOR);
        Path password = Files.writeString(dir.resolve("password"), "password-tess\n");
        launch("--host", "127.0.0.1", "--port", String.valueOf(server.server.port()),
                "--user", "tess", "--password-file", password.toString(), "--register");
        awaitPane(p -> p.contains("Name: _"), "the new character's name prompt");
        // a menu is drawn again for a resized window, no key needed
        assertThat(run("tmux", "resize-window", "-t", session, "-x", "60", "-y", "20")).isZero();
        // (tmux keeps the bottom rows when it shrinks a pane: the title on the top row shows the redraw)
        awaitPane(p -> p.lines().count() == 20 && p.lines().toList().get(0).startsWith(" mmo - ws://")
                && p.lines().toList().get(19).startsWith("Enter: next   Esc: quit"), "the name prompt redrawn at 60 x 20");
        type("Tess");
        keys("Enter");
        awaitPane(p -> p.contains("1) warrior"), "the class menu");
        keys("1");
        awaitPane(p -> p.contains("@ Tess"), "the game");

        // the window grows and shrinks: the next frame is laid out for 80 x 24
        assertThat(run("tmux", "resize-window", "-t", session, "-x", "80", "-y", "24")).isZero();
        GameRenderer.Layout small = GameRenderer.layout(80, 24);
        awaitPane(p -> p.lines().count() == 24 && p.lines().toList().get(23).startsWith("Enter: chat")
                && charAt(p, small.centreRow(), small.centreCol()) == '@', "the game redrawn at 80 x 24");

        // the server ends the session
        endedByALoginElsewhere();
    }

    /** Starts a server and the client, which registers "tess" from the command line. */
    void launchRegisteringTess() throws Exception {
        server = TestServer.start(dir.resolve("mmo.db"));
        Path password = Files.writeString(dir.resolve("password"), "password-tess\n");
        launch("--host", "127.0.0.1", "--port", String.valueOf(server.server.port()),
                "--user", "tess", "--password-file", password.toString(), "--register");
    }

    /**
     * The account logs in from elsewhere: the client says why, exits 1, and the terminal's modes
     * are what they were before it started (echo, line editing).
     */
    void endedByALoginElsewhere() throws Exception {
        try (MmoClient elsewhere = server.connect()) {
            elsewhere.login("tess", "password-tess").get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(awaitExit()).as(diagnostics()).isEqualTo(1);
        }
        assertThat(Files.readString(dir.resolve("stderr")))
                .contains("mmo play: the server closed the connection: LOGGED_IN_ELSEWHERE You logged in from another place");
        assertThat(Files.readString(dir.resolve("stty-after"))).isEqualTo(Files.readString(dir.resolve("stty-before")));
    }

    @Test
    void theServerClosingWhileAMenuWaitsForAKeyEndsIt() throws Exception {
        launchRegisteringTess();
        awaitPane(p -> p.contains("Name: _"), "the new character's name prompt");
        endedByALoginElsewhere();
    }

    @Test
    void ctrlCWhileWaitingForTheServerQuitsAtOnce() throws Exception {
        launchRegisteringTess();
        awaitPane(p -> p.contains("Name: _"), "the new character's name prompt");
        type("Tess");
        keys("Enter");
        awaitPane(p -> p.contains("1) warrior"), "the class menu");
        keys("1");
        // entering the world is answered by a tick, and none comes: the client waits, and Ctrl-C ends it
        Path exitCode = dir.resolve("exit-code");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!(lastPane = capture()).contains("Entering the world as Tess")) {
            assertThat(System.nanoTime()).as("the wait for the world\n" + diagnostics()).isLessThan(deadline);
        }
        keys("C-c");
        while (!Files.exists(exitCode) || Files.readString(exitCode).isBlank()) {
            assertThat(System.nanoTime()).as("the client quitting without a tick\n" + diagnostics()).isLessThan(deadline);
            lastPane = capture();
        }
        assertThat(Files.readString(exitCode).strip()).as(diagnostics()).isEqualTo("0");
        assertThat(Files.readString(dir.resolve("stty-after"))).isEqualTo(Files.readString(dir.resolve("stty-before")));
    }

    @Test
    void keysTypedWhileEnteringTheWorldAreKeptAndTheAbilityLooksForATargetInRange() throws Exception {
        server = TestServer.start(dir.resolve("mmo.db"));
        bob = server.connect();
        server.play(bob, "bob", "Bob", CharacterClass.WARRIOR);
        Path password = Files.writeString(dir.resolve("password"), "password-tess\n");
        launch("--host", "127.0.0.1", "--port", String.valueOf(server.server.port()),
                "--user", "tess", "--password-file", password.toString(), "--register");
        awaitPane(p -> p.contains("Name: _"), "the new character's name prompt");
        type("Tess");
        keys("Enter");
        awaitPane(p -> p.contains("1) warrior"), "the class menu");
        // the class and, in the same breath, a world chat line: typed while the character is created
        // and enters the world, which is answered by a tick, and none comes until the client waits for it
        var heard = bob.nextChat(c -> c.getText().equals("typed ahead"));
        keys("1", "Enter", "/world typed ahead", "Enter");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!(lastPane = capture()).contains("Entering the world as Tess")) {
            assertThat(System.nanoTime()).as("the wait for the world\n" + diagnostics()).isLessThan(deadline);
        }
        assertThat(server.tickUntilDone(heard).getFrom()).isEqualTo("Tess");

        // the ability with no creature within the warrior's reach: said, not sent and refused
        keys("Space");
        awaitPane(p -> p.contains("nothing in range of Cleave"), "the ability finding nothing in range");
        assertThat(lastPane).doesNotContain("ABILITY_REFUSED");
        keys("q");
        assertThat(awaitExit()).as(diagnostics()).isEqualTo(0);
    }

    @Test
    void anUnreachableServerIsAClearErrorAndExitCode1() throws Exception {
        server = TestServer.start(dir.resolve("mmo.db"));
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        launch("--host", "127.0.0.1", "--port", String.valueOf(closedPort));
        assertThat(awaitExit()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("stderr"))).contains("mmo play: cannot connect to ws://127.0.0.1:" + closedPort);
    }

    /** Starts {@code mmo play --terminal} from the jar in a new tmux session; its exit code and stderr go to files. */
    void launch(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = Path.of(System.getProperty("mmo.jar", "target/mmo.jar")).toAbsolutePath().toString();
        // the terminal's modes before and after (stty -g: every setting, in one line), to see them restored
        StringBuilder command = new StringBuilder("stty -g > '" + dir.resolve("stty-before") + "'; '" + java + "' -jar '"
                + jar + "' play --terminal");
        for (String a : args) command.append(" '").append(a).append("'");
        command.append(" --log '").append(dir.resolve("play.log")).append("' 2> '").append(dir.resolve("stderr"))
                .append("'; code=$?; stty -g > '").append(dir.resolve("stty-after")).append("'; echo $code > '")
                .append(dir.resolve("exit-code")).append("'");
        assertThat(run("tmux", "new-session", "-d", "-s", session, "-x", String.valueOf(COLS), "-y", String.valueOf(ROWS),
                command.toString())).isZero();
    }

    /** Ticks until the terminal client's process has exited; its exit code. */
    int awaitExit() throws Exception {
        Path exitCode = dir.resolve("exit-code");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!Files.exists(exitCode) || Files.readString(exitCode).isBlank()) {
            assertThat(System.nanoTime()).as("the terminal client exits\n" + diagnostics()).isLessThan(deadline);
            if (bob != null) server.tick(bob);
            else server.server.tick();
            lastPane = capture();
        }
        return Integer.parseInt(Files.readString(exitCode).strip());
    }

    static int tile(float units) {
        return (int) Math.floor(units);
    }

    /** Ground a player can walk on, as the terminal draws it (or someone standing there). */
    static boolean walkable(char glyph) {
        return ".,:=$".indexOf(glyph) >= 0 || Character.isLetter(glyph);
    }

    static RemoteEntity named(WorldView.Snapshot s, String name) {
        for (RemoteEntity e : s.entities().values()) if (e.name().equals(name)) return e;
        return null;
    }

    static char charAt(String pane, int row, int col) {
        List<String> lines = pane.lines().toList();
        if (row < 0 || row >= lines.size() || col < 0 || col >= lines.get(row).length()) return ' ';
        return lines.get(row).charAt(col);
    }

    /** Ticks the server and reads the pane until {@code condition} holds; bounded by a timeout, never a fixed sleep. */
    String awaitPane(Predicate<String> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (System.nanoTime() < deadline) {
            if (bob != null) server.tick(bob);
            else server.server.tick();
            lastPane = capture();
            if (condition.test(lastPane)) return lastPane;
        }
        throw new AssertionError("the pane never showed " + what + "\n" + diagnostics());
    }

    String diagnostics() {
        String log;
        try {
            log = Files.readString(dir.resolve("play.log"));
        } catch (Exception e) {
            log = "(no log: " + e + ")";
        }
        String err;
        try {
            err = Files.readString(dir.resolve("stderr"));
        } catch (Exception e) {
            err = "";
        }
        return "last pane:\n" + lastPane + "\nstderr:\n" + err + "\nclient log:\n" + log;
    }

    String capture() throws Exception {
        Process p = new ProcessBuilder("tmux", "capture-pane", "-p", "-t", session).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(TIMEOUT_S, TimeUnit.SECONDS);
        return out;
    }

    /** Named keys (Enter, Right, ...) or single characters. */
    void keys(String... keys) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "send-keys", "-t", session));
        cmd.addAll(List.of(keys));
        assertThat(run(cmd.toArray(String[]::new))).isZero();
    }

    /** Text typed literally. */
    void type(String text) throws Exception {
        assertThat(run("tmux", "send-keys", "-t", session, "-l", text)).isZero();
    }

    static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}

package mmo.client.example;

import mmo.client.ClientListener;
import mmo.client.ClientOptions;
import mmo.client.MmoClient;
import mmo.client.ServerError;
import mmo.client.WorldView;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatMessage;
import mmo.protocol.CreateCharacter;
import mmo.protocol.ErrorCode;
import mmo.protocol.LoginOk;
import mmo.protocol.StartChoice;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldUpdate;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The client library's example (docs/CLIENT.md): logs in (registering the account the first
 * time), creates a character if the account has none, enters the world, walks east for
 * {@link #WALK_TICKS} server ticks (turning where a wall stops it), says hello and waits for its own line to come back, and
 * logs out.
 *
 * <pre>java -cp mmo.jar mmo.client.example.ExampleBot ws://localhost:8080/ws alice secret-password</pre>
 *
 * {@link #run} blocks the calling thread (never call it on a client's event loop); the walking
 * happens on the client's event loop, in the listener.
 */
public final class ExampleBot {
    /** How long the bot walks, in server ticks. */
    public static final int WALK_TICKS = 40;
    private static final long TIMEOUT_S = 15;

    /** What one run did. */
    public record Report(String character, float startX, float startY, float endX, float endY, String echo) {}

    private ExampleBot() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ExampleBot ws://host:port/ws username password");
            System.exit(2);
        }
        Report r = run(URI.create(args[0]), args[1], args[2]);
        System.out.printf("%s walked from (%.1f, %.1f) to (%.1f, %.1f) and heard: %s%n",
                r.character(), r.startX(), r.startY(), r.endX(), r.endY(), r.echo());
    }

    /** Plays once as {@code username}; see the class comment. */
    public static Report run(URI server, String username, String password) throws Exception {
        Walker walker = new Walker();
        ClientOptions options = ClientOptions.builder()
                .clientName("example-bot")
                .listener(walker)
                // .trustCertificates(Path.of("cert.pem")) for a wss:// server with a self-signed certificate
                .build();
        try (MmoClient client = MmoClient.connect(server, options).get(TIMEOUT_S, TimeUnit.SECONDS)) {
            walker.client = client;

            LoginOk account;
            try {
                account = client.login(username, password).get(TIMEOUT_S, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof ServerError error) || error.code() != ErrorCode.BAD_CREDENTIALS) throw e;
                account = client.register(username, password).get(TIMEOUT_S, TimeUnit.SECONDS);
            }

            CharacterSummary me = account.getCharactersCount() > 0 ? account.getCharacters(0)
                    : client.createCharacter(CreateCharacter.newBuilder()
                            .setName(username.substring(0, 1).toUpperCase() + username.substring(1))
                            .setCharacterClass(CharacterClass.RANGER)
                            .setStart(StartChoice.START_HOME)
                            .setAppearance(Appearance.newBuilder().setSkinColor(0xC68642).setHairColor(0x2C1B10))
                            .build()).get(TIMEOUT_S, TimeUnit.SECONDS);

            WorldEntered entered = client.enterWorld(me.getId()).get(TIMEOUT_S, TimeUnit.SECONDS);
            float startX = entered.getX() / 16f, startY = entered.getY() / 16f; // the wire's 1/16 units

            // Walk: the listener steers on each update, on the event loop, and says when it is done.
            client.eventLoop().execute(() -> walker.start(client.view().tick()));
            WorldView.Snapshot end = walker.done.get(TIMEOUT_S, TimeUnit.SECONDS);

            // Chat: watch for the echo before saying, so it cannot be missed.
            CompletableFuture<ChatMessage> echo = client.nextChat(c -> c.getFrom().equals(me.getName()));
            client.say("hello from the example bot");
            ChatMessage heard = echo.get(TIMEOUT_S, TimeUnit.SECONDS);

            client.logout().get(TIMEOUT_S, TimeUnit.SECONDS);
            return new Report(me.getName(), startX, startY, end.x(), end.y(), heard.getText());
        }
    }

    /**
     * Steers east for {@link #WALK_TICKS} ticks, turning a quarter clockwise whenever a wall has
     * held it still for {@link #STUCK_TICKS} ticks. Its methods run on the client's event loop.
     */
    private static final class Walker implements ClientListener {
        private static final int STUCK_TICKS = 4;
        private static final float[][] TURNS = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}}; // east, south, west, north
        final CompletableFuture<WorldView.Snapshot> done = new CompletableFuture<>();
        volatile MmoClient client;
        private int startTick = -1, heading, stillSince;
        private float lastX = Float.NaN, lastY = Float.NaN;

        void start(int tick) {
            startTick = tick;
            stillSince = tick;
            client.sendInput(1, 0);
        }

        @Override
        public void onWorldUpdate(WorldUpdate update, WorldView view) {
            if (startTick < 0 || done.isDone()) return;
            if (view.x() != lastX || view.y() != lastY) {
                lastX = view.x();
                lastY = view.y();
                stillSince = view.tick();
            } else if (view.tick() - stillSince >= STUCK_TICKS) {
                heading = (heading + 1) % TURNS.length; // blocked: try the next way
                stillSince = view.tick();
            }
            if (view.tick() - startTick < WALK_TICKS) {
                client.sendInput(TURNS[heading][0], TURNS[heading][1]); // at least every 100 ms while moving
            } else {
                client.sendInput(0, 0);
                done.complete(view.snapshot());
            }
        }
    }
}

package mmo.app.bots;

import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mmo.client.ClientListener;
import mmo.client.ClientOptions;
import mmo.client.LeanView;
import mmo.client.MmoClient;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.CreateCharacter;
import mmo.protocol.Disconnect;
import mmo.protocol.LoginOk;
import mmo.protocol.Outfit;
import mmo.protocol.StartChoice;
import mmo.protocol.WorldEntered;

/**
 * One load bot: logs in through the bot-fleet fast path as {@code bot<i>}, creates its
 * character {@code Bot<i>} if it has none, enters the world and then wanders: every
 * {@link #INPUT_PERIOD_MS} ms an input with a unit direction, a new random direction every
 * 2-5 s, turning back at the edges of its area and when its position stops advancing. With a
 * chat period ({@link Fleet#chatEvery}) it also says a line in local chat about that often.
 *
 * <p>Runs entirely on its client's event loop (shared with many bots): {@link #step} and the
 * listener callbacks touch its state only there. Measures, into its {@link Fleet}: input to
 * acknowledgement latency and the number of entities in view.
 */
public final class Bot implements ClientListener {
    public static final int INPUT_PERIOD_MS = 100;
    private static final int RING = 64;
    // Moving less than this (units) between two inputs while going somewhere means blocked.
    private static final float BLOCKED_UNITS = 0.05f;
    private static final float EDGE = 2f;

    private final int index;
    private final Fleet fleet;
    private final SplittableRandom rnd;
    private final long[] sentNanos = new long[RING];

    private volatile MmoClient client;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> chatter;
    private int said;
    private float dx, dy;
    private long nextTurnNanos;
    private int lastSeq;
    private int lastAck;
    private float lastX = Float.NaN, lastY = Float.NaN;
    private volatile boolean inWorld;
    private boolean stopping;
    private float viewRadius;

    Bot(int index, Fleet fleet, long seed) {
        this.index = index;
        this.fleet = fleet;
        this.rnd = new SplittableRandom(seed);
    }

    public int index() {
        return index;
    }

    /** The client, once connected (null before). */
    public MmoClient client() {
        return client;
    }

    float viewRadius() {
        return viewRadius;
    }

    /**
     * Connects, logs in, creates the character if needed and enters the world.
     *
     * @return completes (on the event loop) when the bot is in the world; fails with the first error
     */
    CompletableFuture<WorldEntered> start(URI server, ClientOptions base, String key) {
        ClientOptions options = base.toBuilder().listener(this).trackWorld(false).clientName("bot").build();
        return MmoClient.connect(server, options)
                .thenCompose(c -> {
                    client = c;
                    return c.login("bot" + index, key);
                })
                .thenCompose(this::characterOf)
                .thenCompose(ch -> client.enterWorld(ch.getId()))
                .thenApply(entered -> {
                    viewRadius = entered.getViewRadius();
                    inWorld = true;
                    return entered;
                });
    }

    private CompletableFuture<CharacterSummary> characterOf(LoginOk ok) {
        if (ok.getCharactersCount() > 0) return CompletableFuture.completedFuture(ok.getCharacters(0));
        CharacterClass[] classes = {CharacterClass.WARRIOR, CharacterClass.MAGE, CharacterClass.RANGER, CharacterClass.HEALER};
        return client.createCharacter(CreateCharacter.newBuilder()
                .setName("Bot" + index)
                .setCharacterClass(classes[index % classes.length])
                .setStart(StartChoice.START_RANDOM)
                .setAppearance(Appearance.newBuilder()
                        .setBody(index & 1).setSkinColor(rnd.nextInt(0x1000000)).setHairColor(rnd.nextInt(0x1000000))
                        .setHairStyle(rnd.nextInt(4))
                        .setOutfit(Outfit.newBuilder().setTop(rnd.nextInt(3)).setTopColor(rnd.nextInt(0x1000000))
                                .setBottom(rnd.nextInt(3)).setBottomColor(rnd.nextInt(0x1000000))
                                .setShoesColor(rnd.nextInt(0x1000000)).setHat(rnd.nextInt(3))
                                .setHatColor(rnd.nextInt(0x1000000))))
                .build());
    }

    /** Sends inputs every {@link #INPUT_PERIOD_MS} ms on the client's event loop, from a random phase. */
    void startWalking() {
        long phase = rnd.nextLong(INPUT_PERIOD_MS);
        ticker = client.eventLoop().scheduleAtFixedRate(() -> step(System.nanoTime()), phase, INPUT_PERIOD_MS,
                TimeUnit.MILLISECONDS);
        if (fleet.chatPeriodMs() > 0) scheduleChat();
    }

    /** The next line of local chat, after a random 0.5 to 1.5 chat periods. Event loop. */
    private void scheduleChat() {
        long period = fleet.chatPeriodMs();
        chatter = client.eventLoop().schedule(this::chat, period / 2 + rnd.nextLong(period + 1), TimeUnit.MILLISECONDS);
    }

    private void chat() {
        if (!inWorld || stopping || !client.isOpen()) return;
        String[] lines = {"hello", "anyone seen the blacksmith?", "lfg", "nice hat", "which way to the plaza?", "brb"};
        // Each line differs (a counter), as players' lines do: nothing on the way can share them.
        client.say(lines[rnd.nextInt(lines.length)] + " #" + (++said)).whenComplete((ok, err) -> {
            if (err == null) fleet.chatSent();
            else if (!stopping && client.isOpen()) fleet.chatRejected(this, err);
        });
        scheduleChat();
    }

    /** One decision: pick or keep a direction, turn back at edges or when blocked, send it. Event loop. */
    public void step(long now) {
        if (!inWorld || stopping || !client.isOpen()) {
            if (ticker != null && (stopping || !client.isOpen())) ticker.cancel(false);
            return;
        }
        LeanView v = client.leanView();
        float x = v.x(), y = v.y();
        boolean moving = dx != 0 || dy != 0;
        if (now - nextTurnNanos >= 0 || !moving) {
            newDirection(now);
        } else if (v.ackSeq() == lastSeq && !Float.isNaN(lastX)
                && Math.abs(x - lastX) + Math.abs(y - lastY) < BLOCKED_UNITS) {
            // The server has our last input and we did not get anywhere: an obstacle. Turn back.
            double a = Math.atan2(-dy, -dx) + (rnd.nextDouble() - 0.5) * Math.PI / 1.5;
            dx = (float) Math.cos(a);
            dy = (float) Math.sin(a);
            nextTurnNanos = now + turnDelay();
        }
        Workload w = fleet.workload();
        if (x < w.minX() + EDGE && dx < 0) dx = -dx;
        if (x > w.maxX() - EDGE && dx > 0) dx = -dx;
        if (y < w.minY() + EDGE && dy < 0) dy = -dy;
        if (y > w.maxY() - EDGE && dy > 0) dy = -dy;
        lastX = x;
        lastY = y;
        int seq = client.sendInput(dx, dy);
        sentNanos[seq & (RING - 1)] = now;
        lastSeq = seq;
    }

    private void newDirection(long now) {
        double a = rnd.nextDouble() * 2 * Math.PI;
        dx = (float) Math.cos(a);
        dy = (float) Math.sin(a);
        nextTurnNanos = now + turnDelay();
    }

    private long turnDelay() {
        return TimeUnit.MILLISECONDS.toNanos(2000 + rnd.nextLong(3001));
    }

    @Override
    public void onLeanUpdate(LeanView view) {
        int ack = view.ackSeq();
        if (ack != lastAck) {
            // The newest input the server applied; older ones in between were superseded.
            if (ack > 0 && lastSeq - ack < RING && ack <= lastSeq) {
                fleet.recordAck(System.nanoTime() - sentNanos[ack & (RING - 1)]);
            }
            lastAck = ack;
        }
        fleet.recordUpdate(view.visibleCount(), view.timeDilation());
    }

    @Override
    public void onChat(mmo.protocol.ChatMessage chat) {
        fleet.chatHeard();
    }

    @Override
    public void onDisconnect(Disconnect disconnect, int closeCode, String closeReason) {
        if (!stopping) fleet.disconnected(this, disconnect, closeCode, closeReason);
        inWorld = false;
        if (ticker != null) ticker.cancel(false);
        if (chatter != null) chatter.cancel(false);
    }

    /** Whether the bot is in the world and its connection open. Event loop (or after the fleet stopped). */
    public boolean inWorld() {
        return inWorld && client != null && client.isOpen();
    }

    /** Stops sending and closes without counting the close as a failure. */
    void stop() {
        stopping = true;
        if (client != null) {
            client.eventLoop().execute(() -> {
                if (ticker != null) ticker.cancel(false);
                if (chatter != null) chatter.cancel(false);
                client.close();
            });
        }
    }
}

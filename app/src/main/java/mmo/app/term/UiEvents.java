package mmo.app.term;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;

import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the terminal client's UI thread waits on: key strokes, redraw requests and the end of the
 * connection, in the order they came. Any thread adds; only the UI thread takes and waits.
 *
 * <p>While the UI thread waits for the server ({@link #waitFor}), the keys typed meanwhile are
 * kept, up to {@link #TYPE_AHEAD}, and {@link #take} hands them out first once the wait is over,
 * in order: a player who types ahead (a character's number while logging in, a move or a chat
 * line while entering the world) loses nothing. Ctrl-C or Ctrl-D still ends the wait at once.
 */
final class UiEvents {
    /**
     * How many keys typed during a wait are kept; later ones are dropped, as a full keyboard
     * buffer does: enough for a name and a password typed ahead, not an unbounded paste.
     */
    static final int TYPE_AHEAD = 64;
    /** Draw the screen again (the world or the chat changed, the terminal was resized). */
    static final Object REDRAW = new Object();
    /** The connection closed. */
    static final Object CLOSED = new Object();
    /** A future {@link #waitFor} waits on completed. */
    private static final Object WOKEN = new Object();

    private final BlockingQueue<Object> queue;
    private final AtomicBoolean redrawPending = new AtomicBoolean();
    private final ArrayDeque<KeyStroke> typedAhead = new ArrayDeque<>(); // UI thread only

    UiEvents() {
        this(new LinkedBlockingQueue<>());
    }

    /** @param queue an empty unbounded queue the events go through (a test sees them taken) */
    UiEvents(BlockingQueue<Object> queue) {
        this.queue = queue;
    }

    /** Ctrl-C or Ctrl-D while the client waited for the server: the player quits now. */
    static final class Quit extends RuntimeException {
        Quit() {
            super("quit", null, false, false);
        }
    }

    /** @return whether {@code k} ends the session: Ctrl-C, Ctrl-D, the end of the input (or none) */
    static boolean quits(KeyStroke k) {
        return k == null || k.getKeyType() == KeyType.EOF
                || (k.getKeyType() == KeyType.Character && k.isCtrlDown() && (k.getCharacter() == 'c' || k.getCharacter() == 'd'));
    }

    /** A key stroke read from the terminal. Any thread. */
    void key(KeyStroke k) {
        queue.offer(k);
    }

    /** Asks for a redraw, unless one is queued already. Any thread. */
    void requestRedraw() {
        if (redrawPending.compareAndSet(false, true)) queue.offer(REDRAW);
    }

    /** The screen was just drawn: the next change needs a redraw again. */
    void redrawn() {
        redrawPending.set(false);
    }

    /** The connection closed. Any thread. */
    void closed() {
        queue.offer(CLOSED);
    }

    /**
     * The next event, waiting for one: a key typed during the last wait first, else a
     * {@link KeyStroke}, {@link #REDRAW} or {@link #CLOSED} as it came.
     */
    Object take() throws InterruptedException {
        KeyStroke ahead = typedAhead.poll();
        if (ahead != null) return ahead;
        while (true) {
            Object e = queue.take();
            if (e == WOKEN) continue;
            if (e == REDRAW) redrawPending.set(false);
            return e;
        }
    }

    /** Drops the redraws next in line: the redraw about to happen covers them. */
    void skipRedraws() {
        if (!typedAhead.isEmpty()) return;
        Object next;
        while ((next = queue.peek()) == REDRAW || next == WOKEN) queue.poll();
    }

    /**
     * Forgets the keys typed during the last wait. For a request that failed: they were typed
     * for the screen its answer would have led to, not for the error screen the player gets
     * instead (letters meant as moves in the world must not fill the name prompt shown again
     * after "name taken"); the error tells the player to look before typing on.
     */
    void dropTypedAhead() {
        typedAhead.clear();
    }

    /**
     * {@code f}'s result, waited for at most {@code timeoutNanos} while the keys still count:
     * Ctrl-C or Ctrl-D throws {@link Quit} at once; other keys are kept for {@link #take} (up to
     * {@link #TYPE_AHEAD}); a closed connection stays queued for whoever takes next; the screen
     * is not redrawn meanwhile (it shows what it waits for).
     */
    <T> T waitFor(CompletableFuture<T> f, long timeoutNanos)
            throws ExecutionException, TimeoutException, InterruptedException {
        f.whenComplete((result, failure) -> queue.offer(WOKEN));
        long deadline = System.nanoTime() + timeoutNanos;
        boolean closed = false;
        try {
            while (!f.isDone()) {
                Object e = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (e == null) throw new TimeoutException();
                if (e == CLOSED) {
                    closed = true;
                } else if (e == REDRAW) {
                    redrawPending.set(false);
                } else if (e instanceof KeyStroke k) {
                    if (quits(k)) throw new Quit();
                    if (typedAhead.size() < TYPE_AHEAD) typedAhead.add(k);
                }
            }
        } finally {
            if (closed) queue.offer(CLOSED);
        }
        return f.get();
    }
}

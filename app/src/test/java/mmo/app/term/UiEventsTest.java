package mmo.app.term;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The terminal client's event queue: keys typed while the client waits for the server are kept
 * and come after the wait, in order; Ctrl-C still ends the wait at once. No threads: the answer
 * arrives when the waiting loop takes a given event ({@link AnswerAt}), so the keys before it
 * were typed during the wait.
 */
class UiEventsTest {
    static final long MINUTE = TimeUnit.MINUTES.toNanos(1); // never reached: every wait here ends by an event

    /** The queue of a {@link UiEvents}: taking {@code at} completes {@code answer}, as the server's answer would. */
    static final class AnswerAt extends LinkedBlockingQueue<Object> {
        final CompletableFuture<String> answer = new CompletableFuture<>();
        Object at;

        @Override
        public Object poll(long timeout, TimeUnit unit) throws InterruptedException {
            Object e = super.poll(timeout, unit);
            if (e != null && e == at) answer.complete("answer");
            return e;
        }
    }

    final AnswerAt queue = new AnswerAt();
    final UiEvents events = new UiEvents(queue);

    static KeyStroke ch(char c) {
        return new KeyStroke(c, false, false);
    }

    static KeyStroke ctrl(char c) {
        return new KeyStroke(c, true, false);
    }

    /** Types {@code keys}; the answer comes as the waiting loop takes the last of them. */
    void typeDuringTheWait(List<KeyStroke> keys) {
        for (KeyStroke k : keys) events.key(k);
        queue.at = keys.getLast();
    }

    /** What {@link UiEvents#take} gives until the {@link UiEvents#REDRAW} queued after the keys. */
    List<Object> takeUntilRedraw() throws InterruptedException {
        List<Object> taken = new ArrayList<>();
        Object e;
        while ((e = events.take()) != UiEvents.REDRAW) taken.add(e);
        return taken;
    }

    @Test
    void keysTypedDuringAWaitComeAfterItInOrder() throws Exception {
        List<KeyStroke> typed = List.of(ch('1'), new KeyStroke(KeyType.ArrowRight), new KeyStroke(KeyType.Enter), ch('h'),
                ch('i'), new KeyStroke(KeyType.Enter));
        typeDuringTheWait(typed);
        events.requestRedraw(); // after the answer: marks the end of what was typed before it

        assertThat(events.waitFor(queue.answer, MINUTE)).isEqualTo("answer");
        assertThat(takeUntilRedraw()).containsExactlyElementsOf(typed);
    }

    @Test
    void ctrlCEndsTheWaitAtOnceEvenBehindTypedKeys() {
        events.key(ch('a'));
        events.key(ctrl('c'));
        events.key(ch('b'));
        assertThatThrownBy(() -> events.waitFor(new CompletableFuture<String>(), MINUTE)).isInstanceOf(UiEvents.Quit.class);
        assertThat(queue.answer).isNotDone();
    }

    @Test
    void ctrlDAndTheEndOfTheInputEndTheWaitToo() {
        events.key(ctrl('d'));
        assertThatThrownBy(() -> events.waitFor(new CompletableFuture<String>(), MINUTE)).isInstanceOf(UiEvents.Quit.class);
        events.key(new KeyStroke(KeyType.EOF));
        assertThatThrownBy(() -> events.waitFor(new CompletableFuture<String>(), MINUTE)).isInstanceOf(UiEvents.Quit.class);
    }

    @Test
    void typingAheadIsBounded() throws Exception {
        List<KeyStroke> typed = new ArrayList<>();
        for (int i = 0; i < UiEvents.TYPE_AHEAD + 5; i++) typed.add(ch((char) ('a' + i % 26)));
        typeDuringTheWait(typed);
        events.requestRedraw();

        events.waitFor(queue.answer, MINUTE);
        // the first TYPE_AHEAD are kept, the rest dropped as by a full keyboard buffer
        assertThat(takeUntilRedraw()).containsExactlyElementsOf(typed.subList(0, UiEvents.TYPE_AHEAD));
    }

    @Test
    void aClosedConnectionDuringAWaitComesAfterTheKeys() throws Exception {
        events.key(ch('a'));
        events.closed();
        typeDuringTheWait(List.of(ch('b')));

        events.waitFor(queue.answer, MINUTE);
        assertThat(events.take()).isEqualTo(ch('a'));
        assertThat(events.take()).isEqualTo(ch('b'));
        assertThat(events.take()).isSameAs(UiEvents.CLOSED);
    }

    @Test
    void aFailedRequestDropsTheKeysTypedForItsAnswer() throws Exception {
        typeDuringTheWait(List.of(ch('w'), ch('a')));
        events.requestRedraw();

        events.waitFor(queue.answer, MINUTE);
        events.dropTypedAhead();
        assertThat(takeUntilRedraw()).isEmpty();
    }

    @Test
    void keysOutsideAWaitPassStraightThroughAndRedrawsCoalesce() throws Exception {
        events.requestRedraw();
        events.requestRedraw(); // one pending at most
        events.key(ch('x'));
        assertThat(events.take()).isSameAs(UiEvents.REDRAW);
        assertThat(events.take()).isEqualTo(ch('x'));
        events.requestRedraw();
        events.skipRedraws();
        events.key(ch('y'));
        assertThat(events.take()).isEqualTo(ch('y'));
    }
}

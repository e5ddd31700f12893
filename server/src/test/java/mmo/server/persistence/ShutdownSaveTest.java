package mmo.server.persistence;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The final save of a graceful stop, against a saver whose failures the test decides and a
 * clock the pauses between tries move (no sleeping).
 */
class ShutdownSaveTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<List<CharacterState>> tried = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(ShutdownSave.class);

    private static final List<CharacterState> WALKED = List.of(
            new CharacterState(1, 3, "Aldoria", 10.5f, 20.25f),
            new CharacterState(2, 7, "Aldoria", 30f, 40f));

    @BeforeEach
    void capture() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void release() {
        log.detachAppender(logged);
    }

    private ShutdownSave shutdownSave(Duration retry, java.util.function.Function<Integer, RuntimeException> failTry) {
        return new ShutdownSave((Collection<CharacterState> states) -> {
            tried.add(List.copyOf(states));
            RuntimeException e = failTry.apply(tried.size());
            return e == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(e);
        }, retry, now::get, nanos -> now.addAndGet(nanos));
    }

    private static PersistenceException down() {
        return new PersistenceException("cannot save 2 character states",
                new java.sql.SQLException("Connection to 127.0.0.1:5432 refused"));
    }

    private List<String> at(Level level) {
        return logged.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aDatabaseBackWithinTheRetryTimeGetsTheSameBatchSaved() {
        ShutdownSave.Outcome out = shutdownSave(Duration.ofSeconds(30), n -> n <= 2 ? down() : null)
                .run(List.of(new ShutdownSave.Batch("Aldoria", WALKED)));

        assertThat(out).isEqualTo(new ShutdownSave.Outcome(2, 0, 0, 3));
        assertThat(tried).hasSize(3).allSatisfy(batch -> assertThat(batch).isEqualTo(WALKED));
        assertThat(at(Level.WARN)).hasSize(2).allSatisfy(m -> assertThat(m)
                .contains("shutdown save of world 'Aldoria' failed", "2 characters' positions not saved yet", "refused"));
        assertThat(at(Level.WARN).get(1)).contains("try 2", "another 29000 ms");
        assertThat(at(Level.INFO)).containsExactly("shutdown save of world 'Aldoria': 2 characters saved after 3 tries");
        assertThat(at(Level.ERROR)).isEmpty();
    }

    @Test
    void aDatabaseDownPastTheRetryTimeIsGivenUpThenAndSaysWhatWasLost() {
        long start = now.get();
        ShutdownSave.Outcome out = shutdownSave(Duration.ofSeconds(3), n -> down())
                .run(List.of(new ShutdownSave.Batch("Aldoria", WALKED)));

        // tries at 0, 1, 2 and 3 s: the last at the retry time itself
        assertThat(out).isEqualTo(new ShutdownSave.Outcome(0, 0, 2, 4));
        assertThat(now.get() - start).isEqualTo(TimeUnit.SECONDS.toNanos(3));
        assertThat(at(Level.WARN)).hasSize(3);
        assertThat(at(Level.ERROR)).singleElement().asString()
                .contains("given up after 4 tries in 3000 ms", "the positions of 2 characters", "not saved");
    }

    @Test
    void aFencedSaveIsFinalAndNotTriedAgain() {
        FencedException fenced = new FencedException(List.of(new FencedSave(WALKED.get(1), 8)));
        ShutdownSave.Outcome out = shutdownSave(Duration.ofSeconds(30), n -> fenced)
                .run(List.of(new ShutdownSave.Batch("Aldoria", WALKED)));

        assertThat(out).isEqualTo(new ShutdownSave.Outcome(1, 1, 0, 1));
        assertThat(tried).hasSize(1);
        assertThat(at(Level.WARN)).isEmpty();
        assertThat(at(Level.INFO)).singleElement().asString()
                .contains("1 characters saved after 1 try", "1 refused: claimed by a newer owner (not retried)");
    }

    @Test
    void zeroMeansOneTry() {
        ShutdownSave.Outcome out = shutdownSave(Duration.ZERO, n -> down())
                .run(List.of(new ShutdownSave.Batch("Aldoria", WALKED), new ShutdownSave.Batch("Borea", List.of())));

        assertThat(out).isEqualTo(new ShutdownSave.Outcome(0, 0, 2, 1));
        assertThat(tried).hasSize(1);
        assertThat(at(Level.ERROR)).singleElement().asString().contains("world 'Aldoria' given up after 1 try");
    }
}

package mmo.server.metrics;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseProbeTest {
    final AtomicLong now = new AtomicLong(1_000);
    final AtomicInteger queries = new AtomicInteger();
    final Queue<Runnable> pending = new ArrayDeque<>();
    final Executor byHand = pending::add; // the test runs the queries when it wants

    @Test
    void aResultIsKeptWhileFreshThenQueriedAgain() throws Exception {
        DatabaseProbe p = new DatabaseProbe(queries::incrementAndGet, byHand, now::get);
        CompletableFuture<Health.Check> first = p.check(1000);
        assertThat(first).isNotDone();
        pending.remove().run();
        assertThat(first.get(1, TimeUnit.SECONDS).isUp()).isTrue();
        now.addAndGet(DatabaseProbe.FRESH_NANOS - 1);
        assertThat(p.check(1000).getNow(null)).isEqualTo(Health.Check.up("database"));
        assertThat(queries).hasValue(1);
        assertThat(pending).isEmpty();
        now.addAndGet(1);
        CompletableFuture<Health.Check> again = p.check(1000);
        assertThat(pending).hasSize(1);
        pending.remove().run();
        assertThat(again.get(1, TimeUnit.SECONDS).isUp()).isTrue();
        assertThat(queries).hasValue(2);
    }

    @Test
    void probesWhileAQueryRunsJoinItAndADatabaseThatHangsIsDownAfterTheWait() throws Exception {
        DatabaseProbe p = new DatabaseProbe(queries::incrementAndGet, byHand, now::get);
        CompletableFuture<Health.Check> a = p.check(50), b = p.check(50);
        assertThat(pending).as("one query, not one per probe").hasSize(1);
        Health.Check late = a.get(5, TimeUnit.SECONDS); // the query never ran: the wait ends it
        assertThat(late.isUp()).isFalse();
        assertThat(late.problem()).isEqualTo("no answer within 50 ms");
        assertThat(b.get(5, TimeUnit.SECONDS).isUp()).isFalse();
        // the hung query answers at last: its answer is used from then on
        pending.remove().run();
        assertThat(p.check(50).getNow(null).isUp()).isTrue();
    }

    @Test
    void aFailingQueryIsDownWithItsReason() throws Exception {
        DatabaseProbe p = new DatabaseProbe(() -> {
            throw new SQLException("Connection to 127.0.0.1:5 refused");
        }, Runnable::run, now::get);
        Health.Check c = p.check(1000).get(1, TimeUnit.SECONDS);
        assertThat(c.isUp()).isFalse();
        assertThat(c.name()).isEqualTo("database");
        assertThat(c.problem()).isEqualTo("Connection to 127.0.0.1:5 refused");
    }

    @Test
    void anExecutorThatRefusesIsDownNotAnError() throws Exception {
        DatabaseProbe p = new DatabaseProbe(queries::incrementAndGet, r -> {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }, now::get);
        Health.Check c = p.check(1000).get(1, TimeUnit.SECONDS);
        assertThat(c.isUp()).isFalse();
        assertThat(c.problem()).contains("not checked");
    }
}

package mmo.server.persistence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs n tasks released together by a barrier and sorts what they returned from what they threw. */
public final class Concurrently {
    public record Outcome<T>(List<T> successes, List<Throwable> failures) {
    }

    public static <T> Outcome<T> run(int n, IntFunction<T> task, Duration timeout) throws Exception {
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    return task.apply(index);
                }));
            }
            List<T> ok = new ArrayList<>();
            List<Throwable> failed = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    ok.add(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
                } catch (ExecutionException e) {
                    failed.add(e.getCause());
                }
            }
            return new Outcome<>(ok, failed);
        } finally {
            pool.shutdownNow();
        }
    }

    private Concurrently() {
    }
}

package mmo.server.account;

import mmo.server.game.GameException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Waiting on AccountService's futures in tests: the value, or the GameException it failed with. */
final class AccountFutures {
    private AccountFutures() {}

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return fail("expected success, got " + e.getCause(), e.getCause());
        } catch (Exception e) {
            return fail("future did not complete", e);
        }
    }

    /** The GameException the future failed with (any other outcome fails the test). */
    static GameException failure(CompletableFuture<?> f) {
        try {
            Object value = f.get(10, TimeUnit.SECONDS);
            return fail("expected a GameException, got the result " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(GameException.class);
            return (GameException) e.getCause();
        } catch (Exception e) {
            return fail("future did not complete", e);
        }
    }
}

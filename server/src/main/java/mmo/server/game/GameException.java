package mmo.server.game;

import mmo.protocol.ErrorCode;
import org.slf4j.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * A request the server refuses, with the protocol error code and a message that is safe to
 * show to a player. Thrown (or completed exceptionally) by services; turned into an
 * {@code Error} reply by the network layer. Immutable, any thread.
 */
public final class GameException extends RuntimeException {
    private final ErrorCode code;

    public GameException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** What a player is told when the server failed (details are logged, never sent). */
    public static final String SERVER_ERROR_MESSAGE = "The server could not do that right now, try again";

    /**
     * Runs {@code body} on {@code worker} (slow work off the tick: database, hashing). A
     * GameException completes the result as it is; any other failure, or a worker that refuses
     * the task, is logged to {@code log} as {@code what} and becomes SERVER_ERROR, so no SQL or
     * stack detail reaches a player.
     */
    public static <T> CompletableFuture<T> async(Executor worker, Logger log, String what, Supplier<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            worker.execute(() -> {
                try {
                    result.complete(body.get());
                } catch (GameException e) {
                    result.completeExceptionally(e);
                } catch (RuntimeException e) {
                    log.error("{} failed", what, e);
                    result.completeExceptionally(new GameException(ErrorCode.SERVER_ERROR, SERVER_ERROR_MESSAGE));
                } catch (Error e) {
                    result.completeExceptionally(new GameException(ErrorCode.SERVER_ERROR, SERVER_ERROR_MESSAGE));
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            log.error("{} rejected by the worker executor", what, e);
            result.completeExceptionally(new GameException(ErrorCode.SERVER_ERROR, SERVER_ERROR_MESSAGE));
        }
        return result;
    }
}

package mmo.client;

import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.protocol.LoginOk;
import mmo.protocol.WorldEntered;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A player that stays in the world across lost connections. When the connection ends without
 * the server sending it away (a server node crashed, the network dropped, or the server is
 * shutting down), it connects again, to the next address of its list in turn, resumes the
 * session with its token (no password, no new login) and enters the world with the same
 * character. A server that says why it closes (logged in elsewhere, logged out, a protocol
 * error, ...) is obeyed: no reconnect.
 *
 * <p>{@link #client()} is the current connection; it changes on each reconnect. Retries back
 * off from 100 ms to 2 s and stop after {@code giveUpAfter} without success, or at once when
 * the server refuses the session (expired): {@link #ended()} then completes.
 */
public final class ResumingClient implements AutoCloseable {
    private static final long FIRST_BACKOFF_MS = 100, MAX_BACKOFF_MS = 2_000;

    private final List<URI> servers;
    private final ClientOptions options;
    private final long characterId;
    private final Duration giveUpAfter;
    private final AtomicInteger reconnects = new AtomicInteger();
    private final CompletableFuture<CloseInfo> ended = new CompletableFuture<>();
    private final Object lock = new Object();
    private MmoClient current;          // guarded by lock
    private String token;               // guarded by lock
    private int serverIndex;            // guarded by lock
    private WorldEntered entered;       // guarded by lock
    private CompletableFuture<MmoClient> nextReconnect = new CompletableFuture<>(); // guarded by lock
    private volatile boolean closed;

    private ResumingClient(List<URI> servers, ClientOptions options, long characterId, Duration giveUpAfter) {
        this.servers = List.copyOf(servers);
        this.options = options;
        this.characterId = characterId;
        this.giveUpAfter = giveUpAfter;
    }

    /**
     * Connects to the first server of {@code servers} that answers, authenticates with
     * {@code authenticate} (login or register; its {@link LoginOk} token is what later
     * reconnects resume), and enters the world with {@code characterId}.
     */
    public static CompletableFuture<ResumingClient> start(List<URI> servers, ClientOptions options, long characterId,
                                                          Duration giveUpAfter,
                                                          Function<MmoClient, CompletableFuture<LoginOk>> authenticate) {
        if (servers.isEmpty()) throw new IllegalArgumentException("no servers");
        Objects.requireNonNull(authenticate, "authenticate");
        ResumingClient rc = new ResumingClient(servers, options, characterId, giveUpAfter);
        CompletableFuture<ResumingClient> result = new CompletableFuture<>();
        rc.connectAny(0, servers.size()).thenCompose(c -> authenticate.apply(c)
                        .thenCompose(ok -> {
                            synchronized (rc.lock) {
                                rc.token = ok.getSessionToken();
                            }
                            return c.enterWorld(characterId);
                        })
                        .whenComplete((entered, err) -> {
                            if (err != null) c.close();
                        })
                        .thenApply(entered -> {
                            rc.adopt(c, entered);
                            return rc;
                        }))
                .whenComplete((ok, err) -> {
                    if (err != null) result.completeExceptionally(unwrap(err));
                    else result.complete(ok);
                });
        return result;
    }

    /** The current connection (a new one after each reconnect). */
    public MmoClient client() {
        synchronized (lock) {
            return current;
        }
    }

    /** The last WorldEntered, from the first entry or the latest reconnect. */
    public WorldEntered entered() {
        synchronized (lock) {
            return entered;
        }
    }

    /** How many times the connection was re-established. */
    public int reconnects() {
        return reconnects.get();
    }

    /** Completes with the new connection once the next reconnect has entered the world. */
    public CompletableFuture<MmoClient> nextReconnect() {
        synchronized (lock) {
            return nextReconnect;
        }
    }

    /** Completes when this client stops for good: closed, sent away, or out of retries (exceptionally). */
    public CompletableFuture<CloseInfo> ended() {
        return ended;
    }

    @Override
    public void close() {
        closed = true;
        MmoClient c = client();
        if (c != null) c.close();
        ended.complete(new CloseInfo(null, CloseInfo.NORMAL, "closed by the client"));
    }

    // ------------------------------------------------------------------ internals

    private void adopt(MmoClient c, WorldEntered worldEntered) {
        synchronized (lock) {
            current = c;
            entered = worldEntered;
        }
        c.closed().thenAccept(info -> onClosed(c, info));
    }

    private void onClosed(MmoClient c, CloseInfo info) {
        if (closed || ended.isDone()) return;
        if (!shouldResume(info)) {
            ended.complete(info);
            return;
        }
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        retry(deadline, FIRST_BACKOFF_MS, 0);
    }

    /** Whether a connection that ended like this is worth resuming. */
    static boolean shouldResume(CloseInfo info) {
        if (info.disconnect() != null) return info.disconnect().getReason() == DisconnectReason.SERVER_SHUTDOWN;
        if (info.code() == 4000 + DisconnectReason.SERVER_SHUTDOWN_VALUE) return true;
        // no reason given: a dropped connection (1006), a server going away (1001), an internal error (1011)
        return info.code() == CloseInfo.ABNORMAL || info.code() == 1001 || info.code() == 1011;
    }

    private void retry(long deadline, long backoffMs, int attempt) {
        if (closed) return;
        int index;
        String resumeToken;
        synchronized (lock) {
            serverIndex = (serverIndex + 1) % servers.size(); // the next server: the last one just failed us
            index = serverIndex;
            resumeToken = token;
        }
        URI uri = servers.get(index);
        MmoClient.connect(uri, options).thenCompose(c -> c.resume(resumeToken)
                        .thenCompose(ok -> {
                            synchronized (lock) {
                                token = ok.getSessionToken();
                            }
                            return c.enterWorld(characterId);
                        })
                        .whenComplete((e, err) -> {
                            if (err != null) c.close();
                        })
                        .thenApply(e -> {
                            if (closed) {
                                c.close();
                                return c;
                            }
                            CompletableFuture<MmoClient> done;
                            synchronized (lock) {
                                done = nextReconnect;
                                nextReconnect = new CompletableFuture<>();
                            }
                            reconnects.incrementAndGet();
                            adopt(c, e);
                            done.complete(c);
                            return c;
                        }))
                .whenComplete((c, err) -> {
                    if (err == null || closed) return;
                    Throwable cause = unwrap(err);
                    if (cause instanceof ServerError se && se.code() == ErrorCode.SESSION_EXPIRED) {
                        ended.completeExceptionally(cause);
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        ended.completeExceptionally(new ConnectionClosedException(
                                new CloseInfo(null, CloseInfo.ABNORMAL, "could not reconnect: " + cause)));
                        return;
                    }
                    Executor later = CompletableFuture.delayedExecutor(backoffMs, TimeUnit.MILLISECONDS);
                    later.execute(() -> retry(deadline, Math.min(MAX_BACKOFF_MS, backoffMs * 2), attempt + 1));
                });
    }

    /** Connects to servers[from], then the next ones in turn, until one welcomes us. */
    private CompletableFuture<MmoClient> connectAny(int from, int left) {
        synchronized (lock) {
            serverIndex = from;
        }
        return MmoClient.connect(servers.get(from), options).handle((c, err) -> {
            if (err == null) return CompletableFuture.completedFuture(c);
            if (left <= 1) return CompletableFuture.<MmoClient>failedFuture(unwrap(err));
            return connectAny((from + 1) % servers.size(), left - 1);
        }).thenCompose(f -> f);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}

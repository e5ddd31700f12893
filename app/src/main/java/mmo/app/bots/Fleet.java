package mmo.app.bots;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import mmo.client.ClientOptions;
import mmo.client.ConnectionClosedException;
import mmo.client.ServerError;
import mmo.protocol.Disconnect;
import mmo.protocol.WorldEntered;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many {@link Bot}s in one JVM on one shared event loop group (one thread by default, epoll
 * where available): no thread per bot. Ramps them up, and measures a steady phase: input to
 * acknowledgement latency (HdrHistogram), bytes received, entities in view, failures.
 *
 * <p>Counters are updated on the event loop(s) and read by the thread that drives the fleet;
 * everything shared is atomic or a concurrent recorder.
 */
public final class Fleet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Fleet.class);
    private static final int LOGGED_FAILURES = 5;

    private final URI server;
    private final String key;
    private final Workload workload;
    private final EventLoopGroup group;
    private final ClientOptions options;
    private final long seed;
    private final List<Bot> bots = new ArrayList<>();

    private final Recorder ackMicros = new Recorder(3);
    private final LongAdder updates = new LongAdder();
    private final LongAdder visibleSum = new LongAdder();
    private final DoubleAdder dilationSum = new DoubleAdder();
    private final AtomicInteger entered = new AtomicInteger();
    private final AtomicInteger connectFailures = new AtomicInteger();
    private final AtomicInteger loginFailures = new AtomicInteger();
    private final AtomicInteger disconnects = new AtomicInteger();
    private final AtomicInteger loggedFailures = new AtomicInteger();
    private final LongAdder chatsSent = new LongAdder();
    private final LongAdder chatsHeard = new LongAdder();
    private final AtomicInteger chatsRejected = new AtomicInteger();
    private volatile long chatPeriodMs;
    private final List<URI> servers;
    private volatile boolean measuring;
    private volatile float viewRadius;

    private long steadyStartNanos;
    private long steadyStartBytes;

    /**
     * @param threads event-loop threads shared by all bots (1 is the standard setting)
     */
    public Fleet(URI server, String key, Workload workload, int threads, long seed) {
        this(List.of(server), key, workload, threads, seed);
    }

    /** Bots spread over {@code servers} (bot i connects to server i mod n): the nodes of a cluster. */
    public Fleet(List<URI> servers, String key, Workload workload, int threads, long seed) {
        this(servers, key, workload, threads, seed, null);
    }

    /** @param trustCertificates for wss servers with a self-signed certificate: the PEM file to trust; null: the JDK's */
    public Fleet(List<URI> servers, String key, Workload workload, int threads, long seed, java.nio.file.Path trustCertificates) {
        if (servers.isEmpty()) throw new IllegalArgumentException("no servers");
        this.servers = List.copyOf(servers);
        this.server = servers.get(0);
        this.key = key;
        this.workload = workload;
        this.seed = seed;
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bots", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        ClientOptions.Builder options = ClientOptions.builder()
                .eventLoopGroup(group)
                .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .connectTimeout(java.time.Duration.ofSeconds(30));
        if (trustCertificates != null) options.trustCertificates(trustCertificates);
        this.options = options.build();
    }

    public Workload workload() {
        return workload;
    }

    /**
     * Bots launched from now on also chat (local "say") about once per {@code period} each, at
     * random moments; zero (the standard workloads) turns it off.
     */
    public void chatEvery(java.time.Duration period) {
        this.chatPeriodMs = period.toMillis();
    }

    long chatPeriodMs() {
        return chatPeriodMs;
    }

    void chatSent() {
        chatsSent.increment();
    }

    void chatHeard() {
        chatsHeard.increment();
    }

    /** The server refused a chat line (e.g. RATE_LIMITED): a failure of the run. */
    void chatRejected(Bot bot, Throwable err) {
        chatsRejected.incrementAndGet();
        if (loggedFailures.incrementAndGet() <= LOGGED_FAILURES) {
            log.warn("bot{}'s chat line was refused: {}", bot.index(), err.toString());
        }
    }

    /** Lines of chat sent, heard (own echoes included) and refused so far. Any thread. */
    public Map<String, Object> chatCounts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chats_sent", chatsSent.sum());
        m.put("chats_heard", chatsHeard.sum());
        m.put("chats_rejected", chatsRejected.get());
        return m;
    }

    /** Disconnects (not asked for by the fleet) so far. Any thread. */
    public int disconnects() {
        return disconnects.get();
    }

    public List<Bot> bots() {
        return bots;
    }

    /**
     * Starts bot number {@code index}: connect, log in, create the character if needed, enter.
     *
     * @param walk whether it starts wandering on its own once in the world (false: the caller steps it)
     * @return completes when it is in the world; failures are counted here and fail the future
     */
    public CompletableFuture<WorldEntered> launch(int index, boolean walk) {
        Bot bot = new Bot(index, this, seed * 1_000_003L + index);
        synchronized (bots) {
            bots.add(bot);
        }
        return bot.start(servers.get(index % servers.size()), options, key).whenComplete((entered, err) -> {
            if (err == null) {
                this.entered.incrementAndGet();
                viewRadius = entered.getViewRadius();
                if (walk) bot.startWalking();
                return;
            }
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            if (bot.client() == null) connectFailures.incrementAndGet();
            else loginFailures.incrementAndGet();
            if (loggedFailures.incrementAndGet() <= LOGGED_FAILURES) {
                log.warn("bot{} failed to {}: {}", index, bot.client() == null ? "connect" : "enter the world",
                        cause instanceof ServerError || cause instanceof ConnectionClosedException
                                ? cause.getMessage() : cause.toString());
            }
            if (bot.client() != null) bot.stop();
        });
    }

    /**
     * Launches bots {@code 0..players-1} at {@code perSecond}, each wandering once in, and waits
     * until every one is in the world or has failed (or {@code timeout} passed).
     *
     * @param progress called about every 2 s with a progress line
     */
    public void ramp(int players, double perSecond, long timeoutSeconds, java.util.function.Consumer<String> progress)
            throws InterruptedException {
        long start = System.nanoTime();
        long nextReport = start + TimeUnit.SECONDS.toNanos(2);
        List<CompletableFuture<WorldEntered>> all = new ArrayList<>(players);
        for (int i = 0; i < players; i++) {
            long due = start + (long) (i * 1e9 / perSecond);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) TimeUnit.NANOSECONDS.sleep(Math.min(wait, 10_000_000));
            all.add(launch(i, true));
            if (System.nanoTime() - nextReport >= 0) {
                progress.accept(progress("ramp"));
                nextReport += TimeUnit.SECONDS.toNanos(2);
            }
        }
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        CompletableFuture<Void> done = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        while (!done.isDone() && System.nanoTime() < deadline) {
            try {
                done.get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // reported below or by the failure counters
            }
            if (!done.isDone()) progress.accept(progress("ramp"));
        }
    }

    /** A human progress line. Any thread. */
    public String progress(String phase) {
        return String.format(java.util.Locale.ROOT, "bots %s: %d/%d in world, %d connected now, failures %d"
                        + " (connect %d, login/enter %d, disconnect %d)", phase, entered.get(), bots.size(),
                connectedNow(), failures(), connectFailures.get(), loginFailures.get(), disconnects.get());
    }

    /** Bots in the world with an open connection right now. */
    public int connectedNow() {
        int n = 0;
        synchronized (bots) {
            for (Bot b : bots) if (b.inWorld()) n++;
        }
        return n;
    }

    public int failures() {
        return connectFailures.get() + loginFailures.get() + disconnects.get() + chatsRejected.get();
    }

    void recordAck(long nanos) {
        if (measuring) ackMicros.recordValue(Math.max(0, nanos / 1000));
    }

    void recordUpdate(int visible, float dilation) {
        if (measuring) {
            updates.increment();
            visibleSum.add(visible);
            dilationSum.add(dilation);
        }
    }

    void recordUpdate(int visible) {
        recordUpdate(visible, 1f);
    }

    void disconnected(Bot bot, Disconnect disconnect, int code, String reason) {
        disconnects.incrementAndGet();
        if (loggedFailures.incrementAndGet() <= LOGGED_FAILURES) {
            log.warn("bot{} disconnected: {} {} {}", bot.index(), code, reason,
                    disconnect == null ? "" : disconnect.getReason());
        }
    }

    private long bytesReceived() {
        long sum = 0;
        synchronized (bots) {
            for (Bot b : bots) if (b.client() != null) sum += b.client().bytesReceived();
        }
        return sum;
    }

    /** Starts the measured phase: counters and the latency histogram start from zero. */
    public void beginSteady() {
        ackMicros.getIntervalHistogram();
        updates.reset();
        visibleSum.reset();
        dilationSum.reset();
        steadyStartBytes = bytesReceived();
        steadyStartNanos = System.nanoTime();
        measuring = true;
    }

    /** Ends the measured phase and returns its figures (bot side of the JSON line). */
    public Map<String, Object> endSteady() {
        measuring = false;
        double seconds = (System.nanoTime() - steadyStartNanos) / 1e9;
        long bytes = bytesReceived() - steadyStartBytes;
        Histogram h = ackMicros.getIntervalHistogram();
        int n = connectedNow();
        long u = updates.sum();
        long protocolErrors = 0;
        synchronized (bots) {
            for (Bot b : bots) if (b.client() != null) protocolErrors += b.client().protocolErrors();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", workload.id());
        r.put("n", n);
        r.put("players", bots.size());
        r.put("ack_p50_ms", round(h.getValueAtPercentile(50) / 1000.0));
        r.put("ack_p99_ms", round(h.getValueAtPercentile(99) / 1000.0));
        r.put("ack_max_ms", round(h.getMaxValue() / 1000.0));
        r.put("acks", h.getTotalCount());
        r.put("bytes_per_client_s", round(n == 0 ? 0 : bytes / (double) n / seconds));
        r.put("avg_visible", round(u == 0 ? 0 : visibleSum.sum() / (double) u));
        r.put("updates_per_client_s", round(n == 0 ? 0 : u / (double) n / seconds));
        r.put("time_dilation", round(u == 0 ? 1 : dilationSum.sum() / u));
        r.put("view_radius", viewRadius);
        r.put("failures", failures() + (int) Math.min(Integer.MAX_VALUE, protocolErrors));
        r.put("failures_connect", connectFailures.get());
        r.put("failures_login", loginFailures.get());
        r.put("failures_disconnect", disconnects.get());
        r.put("failures_protocol", protocolErrors);
        r.put("steady_s", round(seconds));
        if (chatPeriodMs > 0) r.putAll(chatCounts());
        return r;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Closes every connection (without counting it as a failure) and the event loop group. */
    @Override
    public void close() {
        synchronized (bots) {
            for (Bot b : bots) {
                try {
                    b.stop();
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the loop is already gone
                }
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}

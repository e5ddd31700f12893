package mmo.server.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import mmo.server.net.BindFailed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The operator's HTTP listener ({@code mmo.management.port}, 8081 by default), apart from the
 * game's port so that nothing here is ever served to players:
 * <ul>
 *   <li>{@code GET /metrics}: every metric, Prometheus text (OpenMetrics when the Accept header asks);
 *   <li>{@code GET /health/live}: 200 {@code {"status":"UP"}} while the tick loop lives, else 503;
 *   <li>{@code GET /health/ready}: 200 when the server can take players, else 503 naming what is not ready.
 * </ul>
 * Runs on the game server's event loops, which only parse and answer: the scrape and the database
 * query run on this listener's own threads ({@code management}, {@code management-probe}).
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
    public static final String METRICS = "/metrics", LIVE = "/health/live", READY = "/health/ready";
    /** How long readiness waits for the database before it answers DOWN. */
    static final long DATABASE_WAIT_MS = 1000;

    /** What the endpoints read. Any thread. */
    public interface Source {
        ServerMetrics metrics();

        Health.Report liveness();

        /** Readiness, given the database's state. */
        Health.Report readiness(Health.Check database);

        DatabaseProbe database();
    }

    private final Source source;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("management").daemon(true).factory());
    // apart from the scrapes: a database that hangs holds this one, and /metrics still answers
    private final ExecutorService probes = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("management-probe").daemon(true).factory());
    private Channel channel;

    public ManagementServer(Source source) {
        this.source = source;
    }

    /** The thread for the {@link DatabaseProbe}'s queries. */
    public java.util.concurrent.Executor probes() {
        return probes;
    }

    /**
     * Binds {@code host:port} with {@code bootstrap} (the game server's event loops and
     * transport) and returns the port bound.
     *
     * @throws BindFailed naming the setting when the address cannot be bound
     */
    public int start(ServerBootstrap bootstrap, String host, int port) {
        bootstrap.childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ReadTimeoutHandler(30), new HttpServerCodec(), new HttpObjectAggregator(8192),
                        new Handler());
            }
        });
        try {
            channel = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (Exception e) {
            worker.shutdownNow();
            probes.shutdownNow();
            throw new BindFailed("cannot open the management listener on " + host + ":" + port + " (" + e
                    + "): set another port with mmo.management.port / MMO_MANAGEMENT_PORT / --management-port (0 = off)", e);
        }
        int bound = ((InetSocketAddress) channel.localAddress()).getPort();
        log.info("management listener on {}:{} ({}, {}, {})", host, bound, METRICS, LIVE, READY);
        return bound;
    }

    /** Stops listening (open scrapes are cut off with the event loops). */
    @Override
    public void close() {
        if (channel != null) channel.close().syncUninterruptibly();
        worker.shutdownNow();
        probes.shutdownNow();
    }

    /** What an answer needs of its request, kept past the request's release. */
    private record Ask(boolean head, boolean keepAlive) {}

    /** One connection's requests; on its event loop, except the answers of work done on the worker. */
    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            Ask req = new Ask(request.method() == HttpMethod.HEAD, HttpUtil.isKeepAlive(request));
            if (!request.decoderResult().isSuccess()) {
                respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad request\n", "text/plain; charset=utf-8");
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            boolean known = path.equals(METRICS) || path.equals(LIVE) || path.equals(READY);
            if (!known) {
                respond(ctx, req, HttpResponseStatus.NOT_FOUND, "not found: the paths here are " + METRICS + ", " + LIVE
                        + " and " + READY + "\n", "text/plain; charset=utf-8");
                return;
            }
            if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
                respond(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n", "text/plain; charset=utf-8");
                return;
            }
            switch (path) {
                case METRICS -> {
                    String type = ServerMetrics.contentTypeFor(request.headers().get(HttpHeaderNames.ACCEPT));
                    answerLater(ctx, req, CompletableFuture.supplyAsync(() -> source.metrics().scrape(type), worker), type);
                }
                case LIVE -> health(ctx, req, source.liveness(), false);
                default -> source.database().check(DATABASE_WAIT_MS).whenComplete((db, failure) -> {
                    Health.Check d = failure == null ? db : new Health.Check(DatabaseProbe.NAME, failure.toString());
                    Health.Report r;
                    try {
                        r = source.readiness(d);
                    } catch (RuntimeException e) {
                        r = new Health.Report(java.util.List.of(new Health.Check("readiness", e.toString())));
                    }
                    Health.Report report = r;
                    ctx.executor().execute(() -> health(ctx, req, report, true));
                });
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a client that went away or sent garbage: it alone is closed
            log.debug("management connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        private void health(ChannelHandlerContext ctx, Ask req, Health.Report r, boolean withChecks) {
            respond(ctx, req, HttpResponseStatus.valueOf(r.httpStatus()), r.json(withChecks), "application/json");
        }

        private void answerLater(ChannelHandlerContext ctx, Ask req, CompletableFuture<byte[]> body, String type) {
            body.whenComplete((bytes, failure) -> ctx.executor().execute(() -> {
                if (failure != null) {
                    log.warn("scrape failed", failure);
                    respond(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "scrape failed: " + failure + "\n",
                            "text/plain; charset=utf-8");
                } else {
                    respond(ctx, req, HttpResponseStatus.OK, bytes, type);
                }
            }));
        }
    }

    private static void respond(ChannelHandlerContext ctx, Ask req, HttpResponseStatus status, String body, String type) {
        respond(ctx, req, status, body.getBytes(StandardCharsets.UTF_8), type);
    }

    private static void respond(ChannelHandlerContext ctx, Ask req, HttpResponseStatus status, byte[] body, String type) {
        boolean head = req.head();
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        boolean keepAlive = req.keepAlive();
        if (keepAlive) HttpUtil.setKeepAlive(res, true);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
    }
}

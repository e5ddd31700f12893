package mmo.server.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;

/**
 * Plain HTTP requests (everything but the WebSocket upgrade): serves the browser client and
 * the maps. Runs on the channel's event loop.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final StaticFiles files;
    private final StatsEndpoint stats;

    HttpHandler(StaticFiles files) {
        this(files, null);
    }

    /** @param stats answers {@code /stats}, or null where the endpoint is off (then it is a 404) */
    HttpHandler(StaticFiles files, StatsEndpoint stats) {
        this.files = files;
        this.stats = stats;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad request".getBytes(StandardCharsets.UTF_8), "text/plain");
            return;
        }
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            respond(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed".getBytes(StandardCharsets.UTF_8), "text/plain");
            return;
        }
        if (stats != null) {
            QueryStringDecoder query = new QueryStringDecoder(req.uri());
            if (query.path().equals(StatsEndpoint.PATH)) {
                String json = stats.respond(query);
                if (json == null) {
                    respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "from must be a tick number".getBytes(StandardCharsets.UTF_8), "text/plain");
                } else {
                    respond(ctx, req, HttpResponseStatus.OK, json.getBytes(StandardCharsets.UTF_8), "application/json");
                }
                return;
            }
        }
        var file = files.lookup(req.uri());
        if (file.isEmpty()) {
            respond(ctx, req, HttpResponseStatus.NOT_FOUND, "not found".getBytes(StandardCharsets.UTF_8), "text/plain");
            return;
        }
        respond(ctx, req, HttpResponseStatus.OK, file.get().bytes(), file.get().contentType());
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status,
                                byte[] body, String type) {
        boolean head = req.method() == HttpMethod.HEAD;
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        res.headers().set("X-Content-Type-Options", "nosniff");
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (keepAlive) HttpUtil.setKeepAlive(res, true);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
    }
}

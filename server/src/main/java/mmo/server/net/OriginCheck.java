package mmo.server.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Refuses a WebSocket upgrade from a browser page of another site (cross-site WebSocket
 * hijacking: a page elsewhere opening the game's socket with the player's browser): a request
 * with an {@code Origin} header must come from the server's own origin (its host and port equal
 * the {@code Host} the request was sent to) or from one of the configured origins. A request
 * without {@code Origin} is not from a browser page and passes (the Java client, bots). Sits
 * before the WebSocket handshake; plain HTTP requests pass untouched. Stateless: one instance
 * serves every connection.
 */
@io.netty.channel.ChannelHandler.Sharable
final class OriginCheck extends ChannelInboundHandlerAdapter {
    private final List<String> allowed;

    OriginCheck(List<String> allowedOrigins) {
        this.allowed = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT).replaceAll("/+$", "")).toList();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest req && req.headers().contains(HttpHeaderNames.UPGRADE)) {
            String origin = req.headers().get(HttpHeaderNames.ORIGIN);
            if (origin != null && !allowed(origin, req.headers().get(HttpHeaderNames.HOST))) {
                ReferenceCountUtil.release(req);
                byte[] body = "origin not allowed".getBytes(StandardCharsets.UTF_8);
                var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN, Unpooled.wrappedBuffer(body));
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Whether a page of {@code origin} may connect to {@code host} (the Host header). */
    boolean allowed(String origin, String host) {
        String o = origin.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        if (allowed.contains(o)) return true;
        if (host == null) return false;
        try {
            URI u = URI.create(o);
            if (u.getHost() == null) return false;
            String originHost = u.getPort() >= 0 ? u.getHost() + ":" + u.getPort() : u.getHost();
            String h = host.toLowerCase(Locale.ROOT);
            // the default port may be left out on either side
            String defaultPort = "https".equals(u.getScheme()) ? ":443" : ":80";
            return originHost.equals(h) || (originHost + defaultPort).equals(h) || originHost.equals(h + defaultPort);
        } catch (IllegalArgumentException e) {
            return false; // not a URI: not a real browser's Origin
        }
    }
}

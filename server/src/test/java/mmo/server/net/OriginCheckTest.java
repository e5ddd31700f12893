package mmo.server.net;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A WebSocket upgrade from another site's page is refused (cross-site WebSocket hijacking). */
class OriginCheckTest {
    static FullHttpRequest upgrade(String host, String origin) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws");
        req.headers().set(HttpHeaderNames.HOST, host);
        req.headers().set(HttpHeaderNames.UPGRADE, "websocket");
        req.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
        if (origin != null) req.headers().set(HttpHeaderNames.ORIGIN, origin);
        return req;
    }

    /** Whether the request passed on to the handshake (true) or was answered 403 (false). */
    static boolean passes(OriginCheck check, FullHttpRequest req) {
        EmbeddedChannel ch = new EmbeddedChannel(check);
        ch.pipeline().fireChannelRead(req);
        ch.runPendingTasks();
        Object passed = ch.readInbound();
        FullHttpResponse res = ch.readOutbound();
        if (passed != null) {
            ((FullHttpRequest) passed).release();
            assertThat(res).isNull();
            return true;
        }
        assertThat(res.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(ch.isOpen()).as("closed after the 403").isFalse();
        res.release();
        return false;
    }

    @Test
    void onlyTheServersOwnPageAndConfiguredOnesMayOpenTheSocket() {
        OriginCheck check = new OriginCheck(List.of("https://play.example.com/"));
        assertThat(passes(check, upgrade("mmo.example.com:8080", "http://mmo.example.com:8080"))).isTrue();
        assertThat(passes(check, upgrade("mmo.example.com", "https://mmo.example.com"))).as("default ports").isTrue();
        assertThat(passes(check, upgrade("mmo.example.com:443", "https://mmo.example.com"))).isTrue();
        assertThat(passes(check, upgrade("mmo.example.com:8080", "https://PLAY.example.com"))).as("configured").isTrue();
        assertThat(passes(check, upgrade("mmo.example.com:8080", null))).as("no Origin: not a browser page").isTrue();

        assertThat(passes(check, upgrade("mmo.example.com:8080", "https://evil.example.net"))).isFalse();
        assertThat(passes(check, upgrade("mmo.example.com:8080", "http://mmo.example.com:9090"))).as("another port").isFalse();
        assertThat(passes(check, upgrade("mmo.example.com:8080", "null"))).as("a sandboxed page").isFalse();
        assertThat(passes(check, upgrade("mmo.example.com:8080", "not a uri ::"))).isFalse();
    }

    @Test
    void plainHttpRequestsAreNotChecked() {
        OriginCheck check = new OriginCheck(List.of());
        FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/index.html");
        get.headers().set(HttpHeaderNames.ORIGIN, "https://evil.example.net");
        assertThat(passes(check, get)).isTrue();
    }
}

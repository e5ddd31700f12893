package mmo.server;

import mmo.protocol.ChatMessage;
import mmo.protocol.ClientMessage;
import mmo.protocol.Constants;
import mmo.protocol.Hello;
import mmo.protocol.ServerMessage;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A bare protocol client over the JDK's WebSocket, for socket tests of the server module
 * (the Java client library lives in a module that depends on this one): sends a
 * {@link ClientMessage} with a fresh request id and completes the reply's future with the
 * {@link ServerMessage} carrying that id (an {@code Error} included); keeps every chat it
 * received. World updates are not kept.
 */
final class RawClient implements WebSocket.Listener, AutoCloseable {
    static final long TIMEOUT_S = 20;

    private final AtomicInteger rids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<ServerMessage>> replies = new ConcurrentHashMap<>();
    final List<ChatMessage> chats = new CopyOnWriteArrayList<>();
    private final List<Map.Entry<Predicate<ChatMessage>, CompletableFuture<ChatMessage>>> chatWaiters =
            new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private WebSocket ws;

    /** Connects and says hello; returns once the server's Welcome arrived. */
    static RawClient connect(int port) throws Exception {
        RawClient c = new RawClient();
        c.ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), c).get(TIMEOUT_S, TimeUnit.SECONDS);
        ServerMessage welcome = c.call(ClientMessage.newBuilder().setHello(Hello.newBuilder()
                .setProtocolVersion(Constants.PROTOCOL_VERSION_VALUE).setClient("raw-test")));
        if (!welcome.hasWelcome()) throw new AssertionError("expected Welcome, got " + welcome);
        return c;
    }

    /** Sends {@code m} with a new request id; the future completes with the reply carrying it. */
    CompletableFuture<ServerMessage> request(ClientMessage.Builder m) throws Exception {
        int rid = rids.incrementAndGet();
        CompletableFuture<ServerMessage> reply = new CompletableFuture<>();
        replies.put(rid, reply);
        ws.sendBinary(ByteBuffer.wrap(m.setRid(rid).build().toByteArray()), true).get(TIMEOUT_S, TimeUnit.SECONDS);
        return reply;
    }

    /** A request whose reply needs no tick (login, character creation, world list). */
    ServerMessage call(ClientMessage.Builder m) throws Exception {
        return request(m).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Completes with the first chat received (before or after this call) that matches. */
    CompletableFuture<ChatMessage> chat(Predicate<ChatMessage> condition) {
        CompletableFuture<ChatMessage> f = new CompletableFuture<>();
        chatWaiters.add(Map.entry(condition, f));
        for (ChatMessage m : chats) {
            if (condition.test(m)) f.complete(m);
        }
        return f;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        partial.writeBytes(b);
        if (last) {
            ServerMessage m;
            try {
                m = ServerMessage.parseFrom(partial.toByteArray());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                partial.reset();
            }
            if (m.hasChat()) {
                chats.add(m.getChat());
                for (var w : chatWaiters) {
                    if (w.getKey().test(m.getChat())) w.getValue().complete(m.getChat());
                }
            }
            if (m.getRid() != 0) {
                CompletableFuture<ServerMessage> f = replies.remove(m.getRid());
                if (f != null) f.complete(m);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public void close() {
        ws.abort();
    }
}

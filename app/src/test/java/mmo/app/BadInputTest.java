package mmo.app;

import mmo.client.ClientOptions;
import mmo.client.MmoClient;
import mmo.client.ServerError;
import mmo.protocol.CharacterClass;
import mmo.protocol.ClientMessage;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.protocol.Hello;
import mmo.protocol.Login;
import mmo.protocol.ServerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed frames, text frames, oversized frames and wrong versions, sent with the JDK's own
 * WebSocket client (so nothing of ours smooths them over): each closes that connection with
 * a reason, and a player already in the world carries on.
 */
class BadInputTest {
    @TempDir
    Path dir;
    TestServer server;
    MmoClient player;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir.resolve("mmo.db"));
        player = server.connect();
        server.play(player, "henry", "Henry", CharacterClass.WARRIOR);
    }

    @AfterEach
    void stop() {
        player.close();
        server.close();
    }

    /** A raw WebSocket that records binary messages and the close. */
    static final class Raw implements WebSocket.Listener {
        final List<ServerMessage> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<int[]> closed = new CompletableFuture<>();
        final CompletableFuture<String> closeReason = new CompletableFuture<>();
        WebSocket ws;
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

        static Raw open(TestServer server) throws Exception {
            Raw raw = new Raw();
            raw.ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(server.uri(), raw).get(TIMEOUT_S, TimeUnit.SECONDS);
            return raw;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                try {
                    received.add(ServerMessage.parseFrom(partial.toByteArray()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new int[]{statusCode});
            closeReason.complete(reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        void send(ClientMessage m) throws Exception {
            ws.sendBinary(ByteBuffer.wrap(m.toByteArray()), true).get(TIMEOUT_S, TimeUnit.SECONDS);
        }

        int closeCode() throws Exception {
            return closed.get(TIMEOUT_S, TimeUnit.SECONDS)[0];
        }

        DisconnectReason disconnectReason() {
            return received.stream().filter(ServerMessage::hasDisconnect).map(m -> m.getDisconnect().getReason())
                    .findFirst().orElse(null);
        }
    }

    static ClientMessage hello(int version) {
        return ClientMessage.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(version).setClient("raw")).build();
    }

    void playerStillPlays() throws Exception {
        int before = player.snapshot().tick();
        server.tick(player);
        assertThat(player.snapshot().tick()).isGreaterThan(before);
        assertThat(player.isOpen()).isTrue();
    }

    @Test
    void textFrameIsAProtocolError() throws Exception {
        Raw raw = Raw.open(server);
        raw.send(hello(mmo.protocol.Constants.PROTOCOL_VERSION_VALUE));
        raw.ws.sendText("{\"hello\":1}", true).get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(raw.closeCode()).isEqualTo(4000 + DisconnectReason.PROTOCOL_ERROR_VALUE);
        assertThat(raw.disconnectReason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        playerStillPlays();
    }

    @Test
    void undecodableBytesAreAProtocolError() throws Exception {
        Raw raw = Raw.open(server);
        raw.send(hello(mmo.protocol.Constants.PROTOCOL_VERSION_VALUE));
        raw.ws.sendBinary(ByteBuffer.wrap(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02}), true)
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(raw.closeCode()).isEqualTo(4000 + DisconnectReason.PROTOCOL_ERROR_VALUE);
        playerStillPlays();
    }

    @Test
    void oversizedFrameIsRefused() throws Exception {
        Raw raw = Raw.open(server);
        raw.send(hello(mmo.protocol.Constants.PROTOCOL_VERSION_VALUE));
        try {
            raw.ws.sendBinary(ByteBuffer.allocate(70 * 1024), true).get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException closedWhileSending) {
            // the server may close before the whole frame is written
        }
        // The server answers the frame header with close 1009 and closes at once; a client still
        // writing the rest may see the TCP reset (the kernel resets a socket closed with unread
        // data) before it reads the close frame. Either way this connection ends.
        try {
            assertThat(raw.closeCode()).isIn(1009, 4000 + DisconnectReason.PROTOCOL_ERROR_VALUE);
        } catch (ExecutionException reset) {
            assertThat(reset).hasRootCauseInstanceOf(java.io.IOException.class);
        }
        playerStillPlays();
    }

    @Test
    void firstMessageMustBeHello() throws Exception {
        Raw raw = Raw.open(server);
        raw.send(ClientMessage.newBuilder().setLogin(Login.newBuilder().setUsername("henry").setPassword("x")).build());
        assertThat(raw.closeCode()).isEqualTo(4000 + DisconnectReason.PROTOCOL_ERROR_VALUE);
        playerStillPlays();
    }

    @Test
    void wrongProtocolVersionGetsAClearError() throws Exception {
        Raw raw = Raw.open(server);
        raw.send(hello(99));
        assertThat(raw.closeCode()).isEqualTo(4000 + DisconnectReason.VERSION_MISMATCH_CLOSE_VALUE);
        assertThat(raw.received).anySatisfy(m -> {
            assertThat(m.getError().getCode()).isEqualTo(ErrorCode.VERSION_MISMATCH);
            assertThat(m.getError().getMessage()).contains("server speaks " + mmo.protocol.Constants.PROTOCOL_VERSION_VALUE).contains("client 99");
        });

        CompletableFuture<MmoClient> viaLibrary = MmoClient.connect(server.uri(),
                ClientOptions.builder().protocolVersion(mmo.protocol.Constants.PROTOCOL_VERSION_VALUE + 1).build());
        assertThat(viaLibrary).failsWithin(TIMEOUT_S, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(ServerError.class);
        playerStillPlays();
    }

    @Test
    void inputBeforeEnteringTheWorldIsRefused() throws Exception {
        MmoClient c = server.connect();
        try {
            c.register("ivan", "password-ivan").get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(c.say("hi")).failsWithin(TIMEOUT_S, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(ServerError.class);
            assertThat(c.isOpen()).isTrue();
        } finally {
            c.close();
        }
        playerStillPlays();
    }

    /** A client that sends faster than the tick applies fills its bounded inbox and is closed. */
    @Test
    void floodingInputsFillsTheInboxAndClosesThatClientOnly() throws Exception {
        MmoClient c = server.connect();
        try {
            server.play(c, "flood", "Flood", CharacterClass.RANGER);
            // no tick runs meanwhile: the inbox (mmo.net.input-queue = 128) overflows
            for (int i = 0; i < 300 && c.isOpen(); i++) c.sendInput(1, 0);
            var closed = c.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(closed.disconnect().getReason()).isEqualTo(DisconnectReason.INPUT_OVERFLOW);
            assertThat(closed.code()).isEqualTo(4000 + DisconnectReason.INPUT_OVERFLOW_VALUE);
        } finally {
            c.close();
        }
        playerStillPlays();
    }
}

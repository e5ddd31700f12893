package mmo.app;

import mmo.client.MmoClient;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.ClientMessage;
import mmo.protocol.Constants;
import mmo.protocol.EnterWorld;
import mmo.protocol.Hello;
import mmo.protocol.Login;
import mmo.protocol.ServerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that stops reading, on a real TCP socket: a raw WebSocket client with a small
 * receive buffer logs in, enters the world and then never reads again, while another player
 * floods world chat. The server closes it once its unsent bytes pass
 * {@code mmo.net.max-pending-bytes} (64 KiB here), never holding much more than that for it,
 * and the players who read keep playing.
 */
class SlowReaderTest {
    private static final int CAP = 65_536;
    private static final int CHATS_PER_TICK = 40;

    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("jdbc:sqlite:" + dir.resolve("mmo.db"), Map.of(
                "mmo.net.max-pending-bytes", CAP,
                // a small kernel buffer too (Linux would grow it to megabytes before the cap counts)
                "mmo.net.socket-send-buffer", 32_768,
                // the flood is one player's world chat: let it through, all in one tick
                "mmo.net.rate-limits.chat.per-second", 100_000,
                "mmo.net.rate-limits.chat.burst", 100_000,
                "mmo.net.input-queue", 1_000,
                "mmo.net.inputs-per-tick", 500));
    }

    @AfterEach
    void stop() {
        server.close(); // and the clients it connected
    }

    MmoClient client() throws Exception {
        return server.connect();
    }

    @Test
    void aClientThatStopsReadingIsClosedAndTheOthersPlayOn() throws Exception {
        MmoClient watcher = client(), spammer = client(), setup = client();
        server.play(watcher, "watcher", "Watcher", CharacterClass.WARRIOR);
        server.play(spammer, "spammer", "Spammer", CharacterClass.WARRIOR);
        setup.register("slowpoke", "password-slowpoke").get(TIMEOUT_S, TimeUnit.SECONDS);
        CharacterSummary slowChar = setup.createCharacter(TestServer.character("Slowpoke", CharacterClass.WARRIOR, 0x884400))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        setup.close();
        setup.closed().get(TIMEOUT_S, TimeUnit.SECONDS);

        try (RawWebSocket slow = RawWebSocket.open(server.server.port())) {
            slow.send(ClientMessage.newBuilder().setRid(1).setHello(Hello.newBuilder()
                    .setProtocolVersion(Constants.PROTOCOL_VERSION_VALUE).setClient("slow-reader")));
            assertThat(slow.next(m -> m.getRid() == 1).hasWelcome()).isTrue();
            slow.send(ClientMessage.newBuilder().setRid(2).setLogin(Login.newBuilder()
                    .setUsername("slowpoke").setPassword("password-slowpoke")));
            assertThat(slow.next(m -> m.getRid() == 2).hasLoginOk()).isTrue();
            slow.send(ClientMessage.newBuilder().setRid(3).setEnterWorld(EnterWorld.newBuilder().setCharacterId(slowChar.getId())));
            // entering completes on a tick: tick until the reply is in
            ServerMessage entered = null;
            for (int i = 0; i < 200 && entered == null; i++) {
                server.tick(watcher);
                entered = slow.poll(m -> m.getRid() == 3);
            }
            assertThat(entered).isNotNull();
            assertThat(entered.hasWorldEntered()).as("%s", entered).isTrue();
            int online = server.server.sessions().online();
            assertThat(online).isEqualTo(3);

            // From here on it reads nothing: its reader stops after the frame it is reading.
            slow.stopReading();
            server.tickUntil(() -> !slow.reading(), 200, watcher);

            // The flood: 40 world chat lines a tick (about 12 KB for each player).
            int rounds = 0;
            while (server.server.sessions().online() == online) {
                assertThat(rounds++).as("rounds until the slow reader is closed").isLessThan(500);
                String[] lines = new String[CHATS_PER_TICK];
                for (int i = 0; i < CHATS_PER_TICK; i++) {
                    lines[i] = (rounds + "/" + i + " " + "x".repeat(256)).substring(0, 256); // the longest chat line
                }
                String last = lines[CHATS_PER_TICK - 1];
                // the watcher reads everything: it hears this round's last line. (Its wait is
                // registered on the client's event loop; the snapshot after it, a round trip
                // through that loop, makes sure it is in place before the line can arrive.)
                CompletableFuture<ChatMessage> heard = watcher.nextChat(m -> m.getText().equals(last));
                watcher.snapshot();
                for (String line : lines) spammer.worldChat(line);
                server.tickUntilDone(heard);
            }
            // closed from the server's side: what the socket still holds, then the end (a read
            // that times out instead fails the test)
            slow.readUntilClosed();
            // never much more than the cap waiting for it: the cap plus one tick's frames
            long oneTick = CHATS_PER_TICK * (256L + 40) + 4_096;
            assertThat(server.server.sessions().peakPendingBytes()).isBetween(CAP - 4_096L, CAP + oneTick);
        }

        // the players who read play on: a ping, a move, a chat line
        assertThat(watcher.ping().get(TIMEOUT_S, TimeUnit.SECONDS)).isNotNull();
        int seq = watcher.sendInput(1, 0);
        server.tickUntil(() -> watcher.snapshot().ackSeq() == seq, 200, watcher);
        CompletableFuture<ChatMessage> heard = watcher.nextChat(m -> m.getText().equals("still here"));
        watcher.snapshot(); // the wait is in place before the line can arrive
        server.tickUntilDone(spammer.worldChat("still here"));
        assertThat(heard.get(TIMEOUT_S, TimeUnit.SECONDS).getFrom()).isEqualTo("Spammer");
    }

    /**
     * A minimal WebSocket client on a plain {@link Socket} with a 4 KiB receive buffer: sends
     * masked binary frames; a reader thread decodes the server's frames into a queue until told
     * to stop, after which nothing reads the socket.
     */
    static final class RawWebSocket implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final BlockingQueue<ServerMessage> received = new LinkedBlockingQueue<>();
        private final Thread reader;
        private volatile boolean stop;
        private volatile boolean reading = true;

        private RawWebSocket(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.reader = Thread.ofPlatform().name("raw-reader").daemon(true).start(this::readLoop);
        }

        static RawWebSocket open(int port) throws IOException {
            Socket s = new Socket();
            s.setReceiveBufferSize(4096); // before connecting: the window it offers stays small
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) TimeUnit.SECONDS.toMillis(TIMEOUT_S));
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(60)); // a failure guard only
            String upgrade = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            s.getOutputStream().write(upgrade.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            StringBuilder head = new StringBuilder();
            InputStream in = s.getInputStream();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new EOFException("closed during the upgrade: " + head);
                head.append((char) b);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
            return new RawWebSocket(s);
        }

        void send(ClientMessage.Builder m) throws IOException {
            byte[] payload = m.build().toByteArray();
            assertThat(payload.length).isLessThan(126);
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            byte[] frame = new byte[2 + 4 + payload.length];
            frame[0] = (byte) 0x82;
            frame[1] = (byte) (0x80 | payload.length);
            System.arraycopy(mask, 0, frame, 2, 4);
            for (int i = 0; i < payload.length; i++) frame[6 + i] = (byte) (payload[i] ^ mask[i & 3]);
            out.write(frame);
            out.flush();
        }

        private void readLoop() {
            try {
                while (!stop) {
                    int b0 = in.readUnsignedByte(), b1 = in.readUnsignedByte();
                    long len = b1 & 0x7F;
                    if (len == 126) len = in.readUnsignedShort();
                    else if (len == 127) len = in.readLong();
                    byte[] payload = new byte[(int) len];
                    in.readFully(payload);
                    if ((b0 & 0x0F) == 0x2) received.add(ServerMessage.parseFrom(payload));
                    else if ((b0 & 0x0F) == 0x8) return;
                }
            } catch (IOException e) {
                // closed
            } finally {
                reading = false;
            }
        }

        /** The next message matching {@code condition} (others are skipped); waits for the server's reply. */
        ServerMessage next(java.util.function.Predicate<ServerMessage> condition) throws InterruptedException {
            while (true) {
                ServerMessage m = received.poll(TIMEOUT_S, TimeUnit.SECONDS);
                if (m == null) throw new AssertionError("no reply within " + TIMEOUT_S + " s");
                if (condition.test(m)) return m;
            }
        }

        /** A message matching {@code condition} received so far, or null (others are skipped). */
        ServerMessage poll(java.util.function.Predicate<ServerMessage> condition) throws InterruptedException {
            ServerMessage m;
            while ((m = received.poll(2, TimeUnit.MILLISECONDS)) != null) {
                if (condition.test(m)) return m;
            }
            return null;
        }

        void stopReading() {
            stop = true;
        }

        boolean reading() {
            return reading;
        }

        /** Reads (and drops) everything left, until the stream ends or is reset. */
        void readUntilClosed() throws IOException {
            byte[] buf = new byte[65536];
            try {
                while (in.read(buf) != -1) {
                    // what the server had sent before closing
                }
            } catch (SocketException reset) {
                // closed with a reset: closed all the same
            }
        }

        @Override
        public void close() throws IOException {
            stop = true;
            socket.close();
        }
    }
}

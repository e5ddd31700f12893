package mmo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterList;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.ClientMessage;
import mmo.protocol.Constants;
import mmo.protocol.CreateCharacter;
import mmo.protocol.Disconnect;
import mmo.protocol.DisconnectReason;
import mmo.protocol.Emote;
import mmo.protocol.EntityEnter;
import mmo.protocol.ErrorCode;
import mmo.protocol.LoginOk;
import mmo.protocol.Pong;
import mmo.protocol.ServerMessage;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client over a real socket against {@link FakeServer}. */
class MmoClientTest {
    private FakeServer server;
    private final List<MmoClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() throws InterruptedException {
        server = new FakeServer();
    }

    @AfterEach
    void stop() {
        clients.forEach(MmoClient::close);
        server.close();
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("future neither completed nor failed within 5 s", e);
        }
        throw new AssertionError("expected the future to fail but it completed");
    }

    private MmoClient connect(ClientOptions options) throws Exception {
        MmoClient c = await(MmoClient.connect(server.uri(), options));
        clients.add(c);
        return c;
    }

    private MmoClient connect(RecordingListener listener) throws Exception {
        return connect(ClientOptions.builder().listener(listener).build());
    }

    @Test
    void connectSendsHelloAndCompletesOnWelcome() throws Exception {
        MmoClient client = connect(ClientOptions.builder().clientName("test-bot").build());

        ClientMessage hello = server.nextSession().take();
        assertThat(hello.getHello().getProtocolVersion()).isEqualTo(Constants.PROTOCOL_VERSION_VALUE);
        assertThat(hello.getHello().getClient()).isEqualTo("test-bot");
        assertThat(hello.getRid()).isNotZero();
        assertThat(client.welcome().getServer()).isEqualTo("fake/0");
        assertThat(client.welcome().getTickRate()).isEqualTo(20);
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void versionMismatchFailsTheConnectWithTheServersError() {
        RecordingListener listener = new RecordingListener();
        CompletableFuture<MmoClient> connect = MmoClient.connect(server.uri(),
                ClientOptions.builder().protocolVersion(99).listener(listener).build());

        assertThat(failureOf(connect)).isInstanceOfSatisfying(ServerError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.VERSION_MISMATCH));
        assertThat(listener.errors).extracting(mmo.protocol.Error::getCode).containsExactly(ErrorCode.VERSION_MISMATCH);
        assertThat(listener.disconnects).as("never connected, so never disconnected").isEmpty();
    }

    @Test
    void connectToAClosedPortFails() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CompletableFuture<MmoClient> connect = MmoClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"));

        assertThat(failureOf(connect)).isInstanceOf(ConnectException.class);
    }

    @Test
    void aTeleportToNoNumberFailsWithoutAskingTheServer() throws Exception {
        MmoClient client = connect(ClientOptions.defaults());
        for (float[] xy : new float[][]{{Float.NaN, 1}, {1, Float.POSITIVE_INFINITY}, {Float.NEGATIVE_INFINITY, 1}, {1e10f, 1}}) {
            assertThat(failureOf(client.teleport("Bobby", xy[0], xy[1]))).as("(%s, %s)", xy[0], xy[1])
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a place to teleport to");
        }
    }

    @Test
    void rejectsUrisThatAreNotWebSockets() {
        assertThat(failureOf(MmoClient.connect(URI.create("http://localhost/ws"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void loginCompletesWithLoginOkAndBadCredentialsFailWithServerError() throws Exception {
        RecordingListener listener = new RecordingListener();
        MmoClient client = connect(listener);

        LoginOk ok = await(client.login(FakeServer.USER, FakeServer.PASSWORD));
        Throwable bad = failureOf(client.login(FakeServer.USER, "wrong-password"));

        assertThat(ok.getSessionToken()).isEqualTo(FakeServer.TOKEN);
        assertThat(ok.getCharactersList()).containsExactly(FakeServer.ALIA);
        assertThat(bad).isInstanceOfSatisfying(ServerError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
            assertThat(e.serverMessage()).isEqualTo("unknown user or wrong password");
        });
        assertThat(listener.loginOks).containsExactly(ok);
        assertThat(listener.errors).extracting(mmo.protocol.Error::getCode).containsExactly(ErrorCode.BAD_CREDENTIALS);
    }

    @Test
    void registerAndResume() throws Exception {
        MmoClient client = connect(ClientOptions.defaults());

        assertThat(await(client.register("newbie", "longenough")).getUsername()).isEqualTo("newbie");
        assertThat(((ServerError) failureOf(client.register("newbie", "short"))).code())
                .isEqualTo(ErrorCode.INVALID_PASSWORD);
        assertThat(await(client.resume(FakeServer.TOKEN)).getUsername()).isEqualTo(FakeServer.USER);
        assertThat(((ServerError) failureOf(client.resume("stale"))).code()).isEqualTo(ErrorCode.SESSION_EXPIRED);
    }

    @Test
    void worldsComeWithLoginAndAgainOnRequestAndCharactersAreCreatedInANamedWorld() throws Exception {
        RecordingListener listener = new RecordingListener();
        MmoClient client = connect(listener);
        assertThat(client.worlds()).isEmpty();

        LoginOk ok = await(client.login(FakeServer.USER, FakeServer.PASSWORD));
        assertThat(ok.getWorldsList()).containsExactly(FakeServer.OVERWORLD, FakeServer.UNDERWORLD);
        assertThat(client.worlds()).containsExactly(FakeServer.OVERWORLD, FakeServer.UNDERWORLD);

        List<mmo.protocol.WorldInfo> again = await(client.listWorlds());
        assertThat(again).extracting(mmo.protocol.WorldInfo::getPopulation).containsExactly(4, 0);
        assertThat(client.worlds()).isEqualTo(again);
        assertThat(listener.worldLists).hasSize(1);

        CreateCharacter bob = CreateCharacter.newBuilder().setName("Bob").setCharacterClass(CharacterClass.RANGER).build();
        assertThat(await(client.createCharacter(bob, "underworld")).getWorld()).isEqualTo("underworld");
        assertThat(await(client.createCharacter(bob)).getWorld()).as("no world: the server's first").isEqualTo("overworld");
        assertThat(failureOf(client.createCharacter(bob, "nowhere"))).isInstanceOfSatisfying(ServerError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_SUCH_WORLD));
    }

    @Test
    void repliesAreMatchedByRidEvenOutOfOrder() throws Exception {
        MmoClient client = connect(ClientOptions.defaults());
        FakeServer.Session session = server.nextSession();
        session.take();
        server.autoReply = false;

        CompletableFuture<Pong> first = client.ping();
        CompletableFuture<Pong> second = client.ping();
        CompletableFuture<LoginOk> third = client.login("x", "y");
        int rid1 = session.take().getRid();
        int rid2 = session.take().getRid();
        int rid3 = session.take().getRid();
        assertThat(Set.of(rid1, rid2, rid3)).hasSize(3);

        session.error(rid3, ErrorCode.RATE_LIMITED, "slow down");
        session.send(ServerMessage.newBuilder().setRid(rid2).setPong(Pong.newBuilder().setTick(2)).build());
        session.send(ServerMessage.newBuilder().setRid(rid1).setPong(Pong.newBuilder().setTick(1)).build());

        assertThat(await(first).getTick()).isEqualTo(1);
        assertThat(await(second).getTick()).isEqualTo(2);
        assertThat(((ServerError) failureOf(third)).code()).isEqualTo(ErrorCode.RATE_LIMITED);
    }

    @Test
    void aReplyOfTheWrongTypeFailsTheRequest() throws Exception {
        MmoClient client = connect(ClientOptions.defaults());
        FakeServer.Session session = server.nextSession();
        session.take();
        server.autoReply = false;

        CompletableFuture<Pong> ping = client.ping();
        session.send(ServerMessage.newBuilder().setRid(session.take().getRid())
                .setCharacters(CharacterList.getDefaultInstance()).build());

        assertThat(failureOf(ping)).isInstanceOf(ProtocolException.class).hasMessageContaining("PONG");
    }

    @Test
    void createEnterAndFollowTheWorld() throws Exception {
        RecordingListener listener = new RecordingListener();
        MmoClient client = connect(listener);
        FakeServer.Session session = server.nextSession();
        await(client.login(FakeServer.USER, FakeServer.PASSWORD));

        assertThat(await(client.createCharacter(CreateCharacter.newBuilder().setName("Brom")
                .setCharacterClass(CharacterClass.WARRIOR).build())).getName()).isEqualTo("Brom");
        assertThat(((ServerError) failureOf(client.createCharacter(CreateCharacter.newBuilder().setName("Taken")
                .build()))).code()).isEqualTo(ErrorCode.NAME_TAKEN);

        WorldEntered entered = await(client.enterWorld(FakeServer.ALIA.getId()));
        assertThat(entered.getEntityId()).isEqualTo(FakeServer.OWN_ENTITY);
        WorldView.Snapshot atEntry = client.snapshot();
        assertThat(atEntry.inWorld()).isTrue();
        assertThat(atEntry.ownEntityId()).isEqualTo(FakeServer.OWN_ENTITY);
        assertThat(atEntry.x()).isEqualTo(10f);
        assertThat(atEntry.y()).isEqualTo(20f);

        CompletableFuture<WorldView.Snapshot> tick2 = client.awaitTick(FakeServer.ENTER_TICK + 2);
        session.send(ServerMessage.newBuilder().setWorldUpdate(WorldUpdate.newBuilder().setTick(FakeServer.ENTER_TICK + 1)
                .setAckSeq(1).setX(176).setY(320).setTimeDilation(1f)
                .addEnters(EntityEnter.newBuilder().setId(5).setName("Bob").setX(0).setY(0))).build());
        session.send(ServerMessage.newBuilder().setWorldUpdate(WorldUpdate.newBuilder().setTick(FakeServer.ENTER_TICK + 2)
                .setAckSeq(2).setX(192).setY(320).setTimeDilation(1f).addAllMoves(List.of(5, 16, 32))).build());

        WorldView.Snapshot s = await(tick2);
        assertThat(s.ackSeq()).isEqualTo(2);
        assertThat(s.x()).isEqualTo(12f);
        assertThat(s.entity(5)).extracting(RemoteEntity::name, RemoteEntity::x, RemoteEntity::y)
                .containsExactly("Bob", 1f, 2f);
        assertThat(listener.updateTicks).containsExactly(FakeServer.ENTER_TICK + 1, FakeServer.ENTER_TICK + 2);
        Thread loopThread = client.eventLoop().submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
        assertThat(listener.callbackThreads).containsOnly(loopThread);

        CharacterList list = await(client.leaveWorld());
        assertThat(list.getCharactersList()).containsExactly(FakeServer.ALIA);
        assertThat(client.snapshot().inWorld()).isFalse();
        assertThat(client.snapshot().entities()).isEmpty();
    }

    @Test
    void awaitUpdateIsSatisfiedAtOnceWhenTheViewAlreadyMatches() throws Exception {
        MmoClient client = connect(ClientOptions.defaults());
        await(client.enterWorld(FakeServer.ALIA.getId()));

        assertThat(await(client.awaitTick(FakeServer.ENTER_TICK)).tick()).isEqualTo(FakeServer.ENTER_TICK);
    }

    @Test
    void inputsCarryIncreasingSeqs() throws Exception {
        MmoClient client = connect(ClientOptions.defaults());
        FakeServer.Session session = server.nextSession();

        int a = client.sendInput(1f, 0f);
        int b = client.sendInput(0f, -1f);

        assertThat(b).isEqualTo(a + 1);
        assertThat(client.lastInputSeq()).isEqualTo(b);
        ClientMessage first = session.take(ClientMessage::hasInput);
        ClientMessage second = session.take(ClientMessage::hasInput);
        assertThat(first.getInput().getSeq()).isEqualTo(a);
        assertThat(first.getInput().getDx()).isEqualTo(1f);
        assertThat(second.getInput().getSeq()).isEqualTo(b);
        assertThat(second.getInput().getDy()).isEqualTo(-1f);
        assertThat(first.getRid()).as("inputs carry no rid").isZero();
    }

    @Test
    void chatIsConfirmedByItsEchoAndRejectionsFailTheFuture() throws Exception {
        RecordingListener listener = new RecordingListener();
        MmoClient client = connect(listener);

        CompletableFuture<ChatMessage> whisperEcho = client.nextChat(c -> c.getChannel() == ChatChannel.WHISPER);
        await(client.say("hello"));
        await(client.worldChat("hello world"));
        await(client.whisper("Bob", "psst"));
        Throwable rejected = failureOf(client.say("bad"));

        assertThat(await(whisperEcho).getTo()).isEqualTo("Bob");
        assertThat(rejected).isInstanceOfSatisfying(ServerError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CHAT_REJECTED));
        assertThat(listener.chats).extracting(ChatMessage::getChannel, ChatMessage::getText).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ChatChannel.SAY, "hello"),
                org.assertj.core.groups.Tuple.tuple(ChatChannel.WORLD, "hello world"),
                org.assertj.core.groups.Tuple.tuple(ChatChannel.WHISPER, "psst"));
    }

    @Test
    void aLineReadWhileTheLoopIsBusyStillReachesAWaitStartedJustBefore() throws Exception {
        // The loop is held inside the listener for the first line; the second came in the same
        // write, so the loop reads it as soon as the listener returns. A wait started meanwhile
        // from this thread must see it (a registration queued as a task on the loop would run
        // after the read, and the line would be lost to it: CI saw that once).
        java.util.concurrent.CountDownLatch firstArrived = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        ClientListener holding = new ClientListener() {
            @Override
            public void onChat(ChatMessage chat) {
                if (!chat.getText().equals("first")) return;
                firstArrived.countDown();
                try {
                    waiting.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        MmoClient client = connect(ClientOptions.builder().listener(holding).build());
        FakeServer.Session session = server.nextSession();
        ServerMessage first = ServerMessage.newBuilder().setChat(ChatMessage.newBuilder()
                .setChannel(ChatChannel.SYSTEM).setText("first")).build();
        ServerMessage second = ServerMessage.newBuilder().setChat(ChatMessage.newBuilder()
                .setChannel(ChatChannel.WORLD).setFrom("Ann").setText("second")).build();
        session.channel.write(new io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame(
                io.netty.buffer.Unpooled.wrappedBuffer(first.toByteArray())));
        session.send(second);

        assertThat(firstArrived.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<ChatMessage> worldLine = client.nextChat(c -> c.getChannel() == ChatChannel.WORLD);
        // started while the loop still handles "first" (it offers a message to nextMessage's waiters
        // after its listener): counts only what comes after it
        CompletableFuture<ServerMessage> anyChat = client.nextMessage(ServerMessage::hasChat);
        waiting.countDown();

        assertThat(await(worldLine).getText()).isEqualTo("second");
        assertThat(await(anyChat).getChat().getText()).isEqualTo("second");
    }

    @Test
    void aWaitStartedOnAClosedClientFailsAtOnce() throws Exception {
        MmoClient client = connect(ClientOptions.defaults());
        server.nextSession().disconnect(DisconnectReason.SERVER_SHUTDOWN, "bye");
        await(client.closed());
        assertThat(failureOf(client.nextChat(c -> true))).isInstanceOf(ConnectionClosedException.class);
        assertThat(failureOf(client.nextMessage(m -> true))).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void emoteFailsOnlyWhenRejected() throws Exception {
        MmoClient client = connect(ClientOptions.defaults());
        FakeServer.Session session = server.nextSession();
        server.autoReply = false;

        CompletableFuture<Void> wave = client.emote(Emote.WAVE);
        CompletableFuture<Void> dance = client.emote(Emote.DANCE);
        ClientMessage waveSent = session.take(ClientMessage::hasEmote);
        ClientMessage danceSent = session.take(ClientMessage::hasEmote);
        assertThat(waveSent.getEmote().getEmote()).isEqualTo(Emote.WAVE);
        session.error(danceSent.getRid(), ErrorCode.BAD_REQUEST, "not in the world");

        assertThat(((ServerError) failureOf(dance)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(wave).as("no verdict yet").isNotDone();
        session.disconnect(DisconnectReason.SERVER_SHUTDOWN, "bye");
        await(wave);
    }

    @Test
    void serverDisconnectReachesTheListenerWithReasonAndCloseCode() throws Exception {
        RecordingListener listener = new RecordingListener();
        MmoClient client = connect(listener);
        FakeServer.Session session = server.nextSession();
        server.autoReply = false;
        CompletableFuture<Pong> unanswered = client.ping();
        CompletableFuture<ChatMessage> chat = client.nextChat(c -> true);
        session.take(ClientMessage::hasPing);

        session.disconnect(DisconnectReason.LOGGED_IN_ELSEWHERE, "logged in elsewhere");

        CloseInfo info = await(client.closed());
        assertThat(info.code()).isEqualTo(4001);
        assertThat(info.reason()).isEqualTo("logged in elsewhere");
        assertThat(info.disconnect().getReason()).isEqualTo(DisconnectReason.LOGGED_IN_ELSEWHERE);
        assertThat(listener.disconnects).containsExactly(info);
        assertThat(failureOf(unanswered)).isInstanceOfSatisfying(ConnectionClosedException.class,
                e -> assertThat(e.closeInfo()).isEqualTo(info));
        assertThat(failureOf(chat)).isInstanceOf(ConnectionClosedException.class);
        assertThat(failureOf(client.ping())).as("requests after the close fail at once")
                .isInstanceOf(ConnectionClosedException.class);
        assertThat(client.isOpen()).isFalse();
        assertThat(session.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void logoutCompletesWhenTheServerCloses() throws Exception {
        RecordingListener listener = new RecordingListener();
        MmoClient client = connect(listener);
        await(client.login(FakeServer.USER, FakeServer.PASSWORD));

        await(client.logout());

        CloseInfo info = await(client.closed());
        assertThat(info.code()).isEqualTo(4000 + DisconnectReason.LOGGED_OUT_VALUE);
        assertThat(listener.disconnects).containsExactly(info);
    }

    @Test
    void clientCloseSendsANormalCloseFrame() throws Exception {
        RecordingListener listener = new RecordingListener();
        MmoClient client = connect(listener);
        FakeServer.Session session = server.nextSession();

        client.close();

        CloseInfo info = await(client.closed());
        assertThat(info.code()).isEqualTo(CloseInfo.NORMAL);
        assertThat(info.disconnect()).isNull();
        assertThat(listener.disconnects).containsExactly(info);
        assertThat(session.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(client.eventLoop().isShuttingDown()).as("the client owned its event loop").isTrue();
        client.close();
    }

    @Test
    void garbageFramesAreCountedNotFatal() throws Exception {
        RecordingListener listener = new RecordingListener();
        MmoClient client = connect(listener);
        FakeServer.Session session = server.nextSession();

        session.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
        // Written before the ping is sent, so they reach the client before the pong.
        assertThat(session.send(ServerMessage.newBuilder().setWorldUpdate(WorldUpdate.newBuilder()
                .addAllMoves(List.of(1, 2))).build()).await(5, TimeUnit.SECONDS)).isTrue();
        await(client.ping());

        assertThat(client.protocolErrors()).isEqualTo(2);
        assertThat(listener.protocolErrors).hasSize(2);
        assertThat(listener.protocolErrors.get(0)).contains("undecodable");
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void connectsOverTlsAndVerifiesTheCertificate() throws Exception {
        SslContext serverSsl;
        SslContext trustTestCert;
        try (InputStream cert = resource("test-cert.pem"); InputStream key = resource("test-key.pem");
             InputStream trusted = resource("test-cert.pem")) {
            serverSsl = SslContextBuilder.forServer(cert, key).build();
            trustTestCert = SslContextBuilder.forClient().trustManager(trusted).build();
        }
        try (FakeServer tlsServer = new FakeServer(serverSsl)) {
            assertThat(tlsServer.uri().getScheme()).isEqualTo("wss");

            MmoClient client = await(MmoClient.connect(tlsServer.uri(),
                    ClientOptions.builder().sslContext(trustTestCert).build()));
            clients.add(client);
            assertThat(await(client.login(FakeServer.USER, FakeServer.PASSWORD)).getUsername())
                    .isEqualTo(FakeServer.USER);

            assertThat(failureOf(MmoClient.connect(tlsServer.uri())))
                    .as("the JDK's default trust does not know the test certificate")
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    private static InputStream resource(String name) {
        return Objects.requireNonNull(MmoClientTest.class.getResourceAsStream("/" + name), name);
    }

    @Test
    void manyClientsShareOneEventLoopThread() throws Exception {
        EventLoopGroup shared = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            int n = 200;
            // Recorded by the listener, which always runs on the event loop: a dependent stage
            // added after its future completed would run on the caller instead.
            Set<Thread> threads = ConcurrentHashMap.newKeySet();
            ClientOptions options = ClientOptions.builder().eventLoopGroup(shared).clientName("bot")
                    .listener(new ClientListener() {
                        @Override
                        public void onPong(Pong pong) {
                            threads.add(Thread.currentThread());
                        }
                    }).build();
            List<CompletableFuture<MmoClient>> connects = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                connects.add(MmoClient.connect(server.uri(), options));
            }
            List<MmoClient> bots = new ArrayList<>();
            for (CompletableFuture<MmoClient> f : connects) {
                bots.add(await(f));
            }
            clients.addAll(bots);

            List<CompletableFuture<Pong>> pongs = new ArrayList<>();
            for (MmoClient bot : bots) {
                pongs.add(bot.ping());
            }
            for (CompletableFuture<Pong> p : pongs) {
                await(p);
            }
            // (a callback on a future that is already complete runs on the caller's thread, so
            // ask each client's loop for its thread instead)
            for (MmoClient bot : bots) {
                threads.add(bot.eventLoop().submit(Thread::currentThread).get(5, java.util.concurrent.TimeUnit.SECONDS));
            }

            assertThat(bots).extracting(MmoClient::eventLoop).containsOnly(shared.next());
            assertThat(threads).hasSize(1);

            bots.forEach(MmoClient::close);
            for (MmoClient bot : bots) {
                assertThat(await(bot.closed()).code()).isEqualTo(CloseInfo.NORMAL);
            }
            assertThat(shared.isShuttingDown()).as("a shared group belongs to its creator").isFalse();
        } finally {
            shared.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Records what the listener saw; written on the event loop, read by the test thread. */
    static final class RecordingListener implements ClientListener {
        final List<LoginOk> loginOks = new CopyOnWriteArrayList<>();
        final List<mmo.protocol.WorldList> worldLists = new CopyOnWriteArrayList<>();
        final List<mmo.protocol.Error> errors = new CopyOnWriteArrayList<>();
        final List<ChatMessage> chats = new CopyOnWriteArrayList<>();
        final List<Integer> updateTicks = new CopyOnWriteArrayList<>();
        final List<String> protocolErrors = new CopyOnWriteArrayList<>();
        final List<CloseInfo> disconnects = new CopyOnWriteArrayList<>();
        final Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();

        @Override
        public void onWorldList(mmo.protocol.WorldList worlds) {
            worldLists.add(worlds);
        }

        @Override
        public void onLoginOk(LoginOk loginOk) {
            loginOks.add(loginOk);
        }

        @Override
        public void onWorldUpdate(WorldUpdate update, WorldView view) {
            updateTicks.add(view.tick());
            callbackThreads.add(Thread.currentThread());
        }

        @Override
        public void onWorldEntered(WorldEntered entered, WorldView view) {
            callbackThreads.add(Thread.currentThread());
        }

        @Override
        public void onChat(ChatMessage chat) {
            chats.add(chat);
        }

        @Override
        public void onError(mmo.protocol.Error error, int rid) {
            errors.add(error);
        }

        @Override
        public void onProtocolError(String problem) {
            protocolErrors.add(problem);
        }

        @Override
        public void onDisconnect(Disconnect disconnect, int closeCode, String closeReason) {
            disconnects.add(new CloseInfo(disconnect, closeCode, closeReason));
        }
    }
}

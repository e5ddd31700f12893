package mmo.app;

import mmo.client.CloseInfo;
import mmo.client.MmoClient;
import mmo.client.ServerError;
import mmo.client.WorldView;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.DisconnectReason;
import mmo.protocol.Emote;
import mmo.protocol.ErrorCode;
import mmo.protocol.LoginOk;
import mmo.protocol.WorldEntered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Two and more players over real WebSockets with the Java client library, against a real
 * server on a real SQLite file, the tick stepped by the test.
 */
class PlayOverSocketsTest {
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir.resolve("mmo.db"));
    }

    @AfterEach
    void stop() {
        server.close(); // and the clients it connected
    }

    MmoClient client() throws Exception {
        return server.connect();
    }

    /** Walks {@code walker} straight at {@code target} until each sees the other. */
    void meet(MmoClient walker, MmoClient target) throws Exception {
        int targetId = target.snapshot().ownEntityId();
        int walkerId = walker.snapshot().ownEntityId();
        server.tickUntil(() -> {
            WorldView.Snapshot w = walker.snapshot(), t = target.snapshot();
            if (w.entity(targetId) != null && t.entity(walkerId) != null) {
                walker.sendInput(0, 0);
                return true;
            }
            walker.sendInput(t.x() - w.x(), t.y() - w.y());
            return false;
        }, 2000, walker, target);
    }

    @Test
    void playersSeeEachOtherMoveAndTalk() throws Exception {
        MmoClient alice = client(), bob = client(), carol = client();
        server.play(alice, "alice", "Alice", CharacterClass.WARRIOR);
        server.play(bob, "bob", "Bob", CharacterClass.WARRIOR);
        server.play(carol, "carol", "Carol", CharacterClass.HEALER); // another home town, far away
        server.tick(alice, bob, carol);
        meet(bob, alice);

        // Alice sees Bob where Bob is, with his name and clothes
        int bobId = bob.snapshot().ownEntityId();
        var seen = alice.snapshot().entity(bobId);
        assertThat(seen.name()).isEqualTo("Bob");
        assertThat(seen.appearance().getOutfit().getTopColor()).isEqualTo(0x118811);
        // (at the edge of the view the interest policy updates every 4th tick)
        server.tickUntil(() -> Math.abs(alice.snapshot().entity(bobId).x() - bob.snapshot().x()) < 0.07f
                && Math.abs(alice.snapshot().entity(bobId).y() - bob.snapshot().y()) < 0.07f, 4, alice, bob);
        assertThat(carol.snapshot().entity(bobId)).isNull();

        // Bob moves; Alice's picture follows
        int seq = bob.sendInput(1, 0);
        server.tickUntil(() -> bob.snapshot().ackSeq() == seq, 200, alice, bob);
        server.tick(alice, bob);
        server.tick(alice, bob);
        int stop = bob.sendInput(0, 0);
        server.tickUntil(() -> bob.snapshot().ackSeq() == stop, 200, alice, bob);
        server.tickUntil(() -> Math.abs(alice.snapshot().entity(bobId).x() - bob.snapshot().x()) < 0.07f, 4, alice, bob);

        // say: heard nearby only; world: everyone
        CompletableFuture<ChatMessage> bobHears = bob.nextChat(m -> m.getChannel() == ChatChannel.SAY);
        CompletableFuture<ChatMessage> carolHearsSay = carol.nextChat(m -> m.getChannel() == ChatChannel.SAY);
        server.tickUntilDone(alice.say("hello Bob"));
        assertThat(bobHears.get(TIMEOUT_S, TimeUnit.SECONDS).getFrom()).isEqualTo("Alice");
        CompletableFuture<ChatMessage> carolHearsWorld = carol.nextChat(m -> m.getChannel() == ChatChannel.WORLD);
        server.tickUntilDone(alice.worldChat("hello world"));
        assertThat(carolHearsWorld.get(TIMEOUT_S, TimeUnit.SECONDS).getText()).isEqualTo("hello world");
        assertThat(carolHearsSay).isNotDone();

        // whisper: reaches Carol wherever she is, not Bob; unknown names say so
        CompletableFuture<ChatMessage> carolWhisper = carol.nextChat(m -> m.getChannel() == ChatChannel.WHISPER);
        CompletableFuture<ChatMessage> bobWhisper = bob.nextChat(m -> m.getChannel() == ChatChannel.WHISPER);
        server.tickUntilDone(alice.whisper("carol", "secret"));
        assertThat(carolWhisper.get(TIMEOUT_S, TimeUnit.SECONDS).getText()).isEqualTo("secret");
        CompletableFuture<Void> toNobody = alice.whisper("Nobody", "hi");
        assertThatThrownBy(() -> server.tickUntilDone(toNobody))
                .hasCauseInstanceOf(ServerError.class)
                .cause().satisfies(e -> assertThat(((ServerError) e).code()).isEqualTo(ErrorCode.NOT_ONLINE));
        server.tick(alice, bob, carol);
        assertThat(bobWhisper).isNotDone();

        // chat over 256 characters is refused with a clear error
        CompletableFuture<Void> tooLong = alice.say("x".repeat(257));
        assertThatThrownBy(() -> server.tickUntilDone(tooLong)).hasCauseInstanceOf(ServerError.class);

        // emotes are seen by players nearby
        // (an accepted emote has no reply of its own: its effect is the event viewers get)
        CompletableFuture<Void> wave = alice.emote(Emote.WAVE);
        int aliceId = alice.snapshot().ownEntityId();
        server.tickUntil(() -> bob.snapshot().entity(aliceId).emote() == Emote.WAVE, 5, alice, bob);
        assertThat(wave).isNotCompletedExceptionally();
    }

    @Test
    void leavingViewSendsLeave() throws Exception {
        MmoClient alice = client(), bob = client();
        server.play(alice, "alice", "Alice", CharacterClass.MAGE);
        server.play(bob, "bob", "Bob", CharacterClass.MAGE);
        server.tick(alice, bob);
        meet(bob, alice);
        int bobId = bob.snapshot().ownEntityId();
        bob.close();
        server.tickUntil(() -> alice.snapshot().entity(bobId) == null, 20, alice);
    }

    @Test
    void reloginRestoresPositionAndLook() throws Exception {
        MmoClient first = client();
        CharacterSummary created = server.play(first, "dora", "Dora", CharacterClass.RANGER);
        int seq = first.sendInput(0, 1);
        server.tickUntil(() -> first.snapshot().ackSeq() == seq, 200, first);
        for (int i = 0; i < 10; i++) server.tick(first);
        int stop = first.sendInput(0, 0);
        server.tickUntil(() -> first.snapshot().ackSeq() == stop, 200, first);
        server.tick(first);
        float x = first.snapshot().x(), y = first.snapshot().y();
        first.close();
        server.tick();

        MmoClient again = client();
        LoginOk ok = again.login("dora", "password-dora").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(ok.getCharactersList()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("Dora");
            assertThat(c.getAppearance()).isEqualTo(created.getAppearance());
            assertThat(c.getCharacterClass()).isEqualTo(CharacterClass.RANGER);
        });
        WorldEntered entered = server.tickUntilDone(again.enterWorld(created.getId()));
        assertThat(entered.getX() / 16f).isCloseTo(x, within(0.07f));
        assertThat(entered.getY() / 16f).isCloseTo(y, within(0.07f));
    }

    @Test
    void secondLoginTakesOverAndTheFirstIsToldWhy() throws Exception {
        MmoClient first = client();
        CharacterSummary c = server.play(first, "erin", "Erin", CharacterClass.HEALER);
        server.tick(first);
        MmoClient second = client();
        second.login("erin", "password-erin").get(TIMEOUT_S, TimeUnit.SECONDS);
        CloseInfo closed = first.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(closed.disconnect().getReason()).isEqualTo(DisconnectReason.LOGGED_IN_ELSEWHERE);
        assertThat(closed.code()).isEqualTo(4000 + DisconnectReason.LOGGED_IN_ELSEWHERE_VALUE);
        server.tickUntilDone(second.enterWorld(c.getId()));
        server.tick(second);
        assertThat(server.server.world().currentTick()).isPositive();
    }

    @Test
    void logoutEverywhereEndsEverySessionAndClosesThePlayingConnection() throws Exception {
        MmoClient earlier = client();
        String earlierToken = earlier.register("hank", "password-hank").get(TIMEOUT_S, TimeUnit.SECONDS).getSessionToken();
        earlier.close(); // gone without logging out: its token would still resume
        MmoClient playing = client();
        String playingToken = playing.login("hank", "password-hank").get(TIMEOUT_S, TimeUnit.SECONDS).getSessionToken();
        CharacterSummary c = playing.createCharacter(TestServer.character("Hank", CharacterClass.WARRIOR, 0))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        server.tickUntilDone(playing.enterWorld(c.getId()));
        server.tick(playing);

        CompletableFuture<Void> done = playing.logoutEverywhere();
        CloseInfo closed = playing.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(closed.disconnect().getReason()).isEqualTo(DisconnectReason.LOGGED_OUT);
        assertThat(closed.code()).isEqualTo(4000 + DisconnectReason.LOGGED_OUT_VALUE);
        done.get(TIMEOUT_S, TimeUnit.SECONDS);
        server.tick();
        MmoClient later = client();
        assertCode(later.resume(earlierToken), ErrorCode.SESSION_EXPIRED);
        assertCode(later.resume(playingToken), ErrorCode.SESSION_EXPIRED);
        later.login("hank", "password-hank").get(TIMEOUT_S, TimeUnit.SECONDS); // the account itself is fine
    }

    @Test
    void changingThePasswordInTheWorldKeepsThisSessionOnly() throws Exception {
        MmoClient earlier = client();
        String earlierToken = earlier.register("ivy", "password-ivy").get(TIMEOUT_S, TimeUnit.SECONDS).getSessionToken();
        earlier.close();
        MmoClient playing = client();
        String playingToken = playing.login("ivy", "password-ivy").get(TIMEOUT_S, TimeUnit.SECONDS).getSessionToken();
        CharacterSummary c = playing.createCharacter(TestServer.character("Ivy", CharacterClass.MAGE, 0))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        server.tickUntilDone(playing.enterWorld(c.getId()));

        assertCode(playing.changePassword("not-my-password", "new-password-ivy"), ErrorCode.BAD_CREDENTIALS);
        playing.changePassword("password-ivy", "new-password-ivy").get(TIMEOUT_S, TimeUnit.SECONDS);
        server.tick(playing);
        assertThat(playing.closed()).isNotDone();
        MmoClient other = client();
        assertCode(other.resume(earlierToken), ErrorCode.SESSION_EXPIRED);
        assertCode(other.login("ivy", "password-ivy"), ErrorCode.BAD_CREDENTIALS);
        other.login("ivy", "new-password-ivy").get(TIMEOUT_S, TimeUnit.SECONDS); // takes the account over
        MmoClient third = client();
        third.resume(playingToken).get(TIMEOUT_S, TimeUnit.SECONDS); // the changing session's token still works
    }

    @Test
    void repeatedWrongPasswordsAreRefusedForAWhile() throws Exception {
        MmoClient c = client();
        c.register("jack", "password-jack").get(TIMEOUT_S, TimeUnit.SECONDS);
        MmoClient guesser = client();
        for (int i = 0; i < 5; i++) assertCode(guesser.login("jack", "guess-" + i), ErrorCode.BAD_CREDENTIALS);
        ServerError known = errorOf(guesser.login("jack", "password-jack"));
        // a second connection: one connection's account requests are rate limited too (burst 8)
        MmoClient guesser2 = client();
        for (int i = 0; i < 5; i++) assertCode(guesser2.login("nobody", "guess-" + i), ErrorCode.BAD_CREDENTIALS);
        ServerError unknown = errorOf(guesser2.login("nobody", "guess"));
        assertThat(known.code()).isEqualTo(ErrorCode.TOO_MANY_ATTEMPTS);
        assertThat(unknown.code()).isEqualTo(ErrorCode.TOO_MANY_ATTEMPTS);
        assertThat(known.serverMessage()).startsWith("Too many attempts; try again in ");
    }

    @Test
    void accountAndCharacterRulesGiveClearErrors() throws Exception {
        MmoClient c = client();
        assertCode(c.register("ab", "password1"), ErrorCode.INVALID_NAME);
        assertCode(c.register("bad name!", "password1"), ErrorCode.INVALID_NAME);
        assertCode(c.register("frank", "short"), ErrorCode.INVALID_PASSWORD);
        c.register("frank", "password-frank").get(TIMEOUT_S, TimeUnit.SECONDS);
        MmoClient other = client();
        assertCode(other.register("FRANK", "password-other"), ErrorCode.NAME_TAKEN);
        ServerError wrongPassword = errorOf(other.login("frank", "wrong-password"));
        ServerError unknownUser = errorOf(other.login("nobody", "wrong-password"));
        assertThat(wrongPassword.code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        assertThat(unknownUser.code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);
        assertThat(wrongPassword.serverMessage()).isEqualTo(unknownUser.serverMessage());

        assertCode(c.createCharacter(TestServer.character("x", CharacterClass.MAGE, 0)), ErrorCode.INVALID_NAME);
        assertCode(c.createCharacter(TestServer.character("Seventeen_chars_x", CharacterClass.MAGE, 0)), ErrorCode.INVALID_NAME);
        c.createCharacter(TestServer.character("Frankie", CharacterClass.MAGE, 0)).get(TIMEOUT_S, TimeUnit.SECONDS);
        other.register("gina", "password-gina").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertCode(other.createCharacter(TestServer.character("FRANKIE", CharacterClass.MAGE, 0)), ErrorCode.NAME_TAKEN);
        // nothing wrong was saved: Gina has no characters
        MmoClient gina = client();
        assertThat(gina.login("gina", "password-gina").get(TIMEOUT_S, TimeUnit.SECONDS).getCharactersList()).isEmpty();
    }

    private static void assertCode(CompletableFuture<?> f, ErrorCode code) {
        assertThat(errorOf(f).code()).isEqualTo(code);
    }

    private static ServerError errorOf(CompletableFuture<?> f) {
        try {
            f.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ServerError se) return se;
            throw new AssertionError("expected a ServerError, got " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected an error reply");
    }

    /** The same play over each network transport the machine has (io_uring, nio; epoll is the default above). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"io_uring", "nio"})
    void playsOverEveryTransport(String transport) throws Exception {
        server.close();
        server = TestServer.start("jdbc:sqlite:" + dir.resolve(transport + ".db"), java.util.Map.of("mmo.net.transport", transport));
        MmoClient alice = client(), bob = client();
        server.play(alice, "alice", "Alice", CharacterClass.WARRIOR);
        server.play(bob, "bob", "Bob", CharacterClass.WARRIOR);
        meet(bob, alice);
        CompletableFuture<ChatMessage> heard = alice.nextChat(m -> m.getChannel() == ChatChannel.SAY);
        server.tickUntilDone(bob.say("over " + transport));
        assertThat(heard.get(TIMEOUT_S, TimeUnit.SECONDS).getText()).isEqualTo("over " + transport);
    }
}

package mmo.app;

import mmo.client.CloseInfo;
import mmo.client.MmoClient;
import mmo.client.ServerError;
import mmo.protocol.AdminResult;
import mmo.protocol.CharacterClass;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.protocol.LoginOk;
import mmo.protocol.ServerMessage;
import mmo.server.persistence.AccountRepository;
import mmo.server.persistence.Database;
import mmo.server.persistence.ModerationRepository;
import mmo.server.persistence.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Moderation over real WebSockets against a real server on a real SQLite file: an operator
 * makes an admin with {@code mmo admin grant}, the admin bans, kicks, mutes and broadcasts,
 * players ignore each other. Time is a clock the test moves, so no test waits for a ban to end.
 */
class ModerationOverSocketsTest {
    @TempDir
    Path dir;
    TestServer server;
    String dbUrl;
    final MutableClock clock = new MutableClock(); // 2030-01-01T00:00Z

    @BeforeEach
    void start() throws Exception {
        dbUrl = "jdbc:sqlite:" + dir.resolve("mmo.db");
        server = TestServer.start(dbUrl, Map.of(), clock);
    }

    @AfterEach
    void stop() {
        server.close(); // and the clients it connected
    }

    MmoClient client() throws Exception {
        return server.connect();
    }

    /** Runs {@code mmo <args>}; returns the exit code and what it printed. */
    static Object[] mmo(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            int code = new CommandLine(new Main()).execute(args);
            return new Object[]{code, captured.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** Registers "boss" and makes it an admin the way an operator does, with the CLI on the server's database. */
    MmoClient admin() throws Exception {
        MmoClient boss = client();
        server.play(boss, "boss", "Warden", CharacterClass.WARRIOR);
        assertThat(mmo("admin", "grant", "boss", "--db", dbUrl)[0]).isEqualTo(0);
        return boss;
    }

    static ServerError serverError(CompletableFuture<?> f) {
        try {
            f.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ServerError se) return se;
            throw new AssertionError("failed otherwise", e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("did not fail");
    }

    /** Waits until everything the server sent {@code c} up to now has arrived (a ping's answer comes after it). */
    static void drain(MmoClient c) throws Exception {
        c.ping().get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Test
    void anAdminBansAnOnlinePlayerWhoIsDisconnectedAndRefusedUntilTheBanEnds() throws Exception {
        MmoClient boss = admin();
        MmoClient bob = client();
        server.play(bob, "bob", "Bobby", CharacterClass.MAGE);

        AdminResult r = boss.ban("bobby", Duration.ofHours(1), "botting").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(r.getMessage()).isEqualTo("Banned Bobby's account until 2030-01-01 01:00 UTC");

        CloseInfo closed = bob.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(closed.disconnect().getReason()).isEqualTo(DisconnectReason.BANNED_CLOSE);
        assertThat(closed.disconnect().getMessage()).isEqualTo("This account is banned until 2030-01-01 01:00 UTC: botting");
        assertThat(closed.code()).isEqualTo(4000 + DisconnectReason.BANNED_CLOSE_VALUE);

        MmoClient again = client();
        ServerError refused = serverError(again.login("bob", "password-bob"));
        assertThat(refused.code()).isEqualTo(ErrorCode.BANNED);
        assertThat(refused.serverMessage()).isEqualTo("This account is banned until 2030-01-01 01:00 UTC: botting");
        // a wrong password still says only that: the ban is not told to someone guessing
        assertThat(serverError(again.login("bob", "wrong-password")).code()).isEqualTo(ErrorCode.BAD_CREDENTIALS);

        clock.advance(Duration.ofMinutes(59));
        assertThat(serverError(again.login("bob", "password-bob")).code()).isEqualTo(ErrorCode.BANNED);
        clock.advance(Duration.ofMinutes(1));
        LoginOk ok = again.login("bob", "password-bob").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(ok.getUsername()).isEqualTo("bob");

        try (Database db = Database.open(dbUrl)) {
            List<ModerationRepository.AuditEntry> log = new ModerationRepository(db).auditLog(10);
            assertThat(log).singleElement().satisfies(row -> {
                assertThat(row.action()).isEqualTo("BAN");
                assertThat(row.actorName()).isEqualTo("boss");
                assertThat(row.target()).isEqualTo("Bobby");
                assertThat(row.durationS()).isEqualTo(3600L);
                assertThat(row.reason()).isEqualTo("botting");
                assertThat(row.outcome()).isEqualTo("done");
            });
        }
    }

    @Test
    void aBannedSessionTokenDoesNotResumeEither() throws Exception {
        MmoClient boss = admin();
        MmoClient bob = client();
        String token = bob.register("bob", "password-bob").get(TIMEOUT_S, TimeUnit.SECONDS).getSessionToken();
        bob.createCharacter(TestServer.character("Bobby", CharacterClass.MAGE, 0x118811)).get(TIMEOUT_S, TimeUnit.SECONDS);
        boss.ban("Bobby", Duration.ZERO, "").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(bob.closed().get(TIMEOUT_S, TimeUnit.SECONDS).disconnect().getMessage())
                .isEqualTo("This account is banned for good");

        ServerError refused = serverError(client().resume(token));
        assertThat(refused.code()).isEqualTo(ErrorCode.BANNED);
        clock.advance(Duration.ofDays(3650));
        assertThat(serverError(client().login("bob", "password-bob")).code()).isEqualTo(ErrorCode.BANNED);
        boss.unban("Bobby").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(client().login("bob", "password-bob").get(TIMEOUT_S, TimeUnit.SECONDS).getUsername()).isEqualTo("bob");
    }

    @Test
    void aPlayerWithoutTheRoleIsRefusedAndNothingHappens() throws Exception {
        MmoClient ann = client(), bob = client();
        server.play(ann, "ann", "Annie", CharacterClass.WARRIOR);
        server.play(bob, "bob", "Bobby", CharacterClass.WARRIOR);
        // one account request at a time per connection: each waits for the previous answer
        for (java.util.function.Supplier<CompletableFuture<AdminResult>> attempt : List.<java.util.function.Supplier<CompletableFuture<AdminResult>>>of(
                () -> ann.kick("Bobby", ""), () -> ann.ban("Bobby", Duration.ZERO, "x"),
                () -> ann.mute("Bobby", Duration.ofMinutes(5), ""), () -> ann.broadcast("I am the admin now"))) {
            ServerError e = serverError(attempt.get());
            assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(e.serverMessage()).isEqualTo("Only admins can do that");
        }
        CompletableFuture<ChatMessage> still = ann.nextChat(c -> c.getText().equals("still here"));
        bob.worldChat("still here");
        ChatMessage heard = server.tickUntilDone(still);
        assertThat(heard.getFrom()).isEqualTo("Bobby");
        assertThat(bob.isOpen()).isTrue();
        assertThat(client().login("bob", "password-bob").get(TIMEOUT_S, TimeUnit.SECONDS).getUsername()).isEqualTo("bob");
        try (Database db = Database.open(dbUrl)) {
            assertThat(new ModerationRepository(db).auditLog(10)).hasSize(4)
                    .allSatisfy(row -> assertThat(row.outcome()).isEqualTo("refused: Only admins can do that"));
        }
    }

    @Test
    void kickMuteAndBroadcastWorkOverTheWire() throws Exception {
        MmoClient boss = admin();
        MmoClient ann = client(), bob = client();
        server.play(ann, "ann", "Annie", CharacterClass.WARRIOR);
        server.play(bob, "bob", "Bobby", CharacterClass.WARRIOR);

        // mute: Bob is told, his chat is refused saying until when, and Ann hears nothing of it
        CompletableFuture<ChatMessage> notice = bob.nextSystemMessage();
        boss.mute("Bobby", Duration.ofMinutes(10), "caps lock").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(notice.get(TIMEOUT_S, TimeUnit.SECONDS).getText()).isEqualTo("You are muted until 2030-01-01 00:10 UTC: caps lock");
        ExecutionException muted = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> server.tickUntilDone(bob.worldChat("HELLO")));
        assertThat(muted.getCause()).isInstanceOfSatisfying(ServerError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CHAT_REJECTED);
            assertThat(e.serverMessage()).isEqualTo("You are muted until 2030-01-01 00:10 UTC");
        });
        clock.advance(Duration.ofMinutes(10));
        CompletableFuture<ChatMessage> quiet = ann.nextChat(c -> c.getText().equals("quiet now"));
        bob.worldChat("quiet now");
        assertThat(server.tickUntilDone(quiet).getFrom()).isEqualTo("Bobby");

        // broadcast: everyone in the world gets it as SYSTEM chat
        CompletableFuture<ChatMessage> annSees = ann.nextSystemMessage(), bobSees = bob.nextSystemMessage();
        boss.broadcast("Restart in 5 minutes").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(server.tickUntilDone(annSees).getText()).isEqualTo("Restart in 5 minutes");
        assertThat(server.tickUntilDone(bobSees).getChannel()).isEqualTo(ChatChannel.SYSTEM);

        // kick: closed with the reason, and may log in again
        boss.kick("annie", "take a break").get(TIMEOUT_S, TimeUnit.SECONDS);
        CloseInfo closed = ann.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(closed.disconnect().getReason()).isEqualTo(DisconnectReason.KICKED);
        assertThat(closed.disconnect().getMessage()).isEqualTo("An admin removed you from the game: take a break");
        assertThat(client().login("ann", "password-ann").get(TIMEOUT_S, TimeUnit.SECONDS).getUsername()).isEqualTo("ann");
        assertThat(serverError(boss.kick("Nobody", "")).code()).isEqualTo(ErrorCode.NO_SUCH_CHARACTER);

        try (Database db = Database.open(dbUrl)) {
            assertThat(new ModerationRepository(db).auditLog(10)).extracting(ModerationRepository.AuditEntry::action)
                    .containsExactly("KICK", "KICK", "BROADCAST", "MUTE");
        }
    }

    @Test
    void anIgnoredPlayerIsNotHeardAndTheListSurvivesRelog() throws Exception {
        MmoClient ann = client(), bob = client(), cat = client();
        server.play(ann, "ann", "Annie", CharacterClass.WARRIOR);
        server.play(bob, "bob", "Bobby", CharacterClass.WARRIOR);
        server.play(cat, "cat", "Cathy", CharacterClass.WARRIOR);

        assertThat(ann.ignore("BOBBY").get(TIMEOUT_S, TimeUnit.SECONDS)).containsExactly("Bobby");
        assertThat(ann.ignoreList()).containsExactly("Bobby");
        assertThat(serverError(ann.ignore("Annie")).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(serverError(ann.ignore("Ghost")).code()).isEqualTo(ErrorCode.NO_SUCH_CHARACTER);

        List<ChatMessage> annHeard = new java.util.concurrent.CopyOnWriteArrayList<>();
        ann.nextChat(c -> { annHeard.add(c); return false; });
        CompletableFuture<ChatMessage> catHears = cat.nextChat(c -> c.getText().equals("can you hear me"));
        CompletableFuture<ChatMessage> bobSeesWhisper = bob.nextChat(c -> c.getText().equals("psst"));
        bob.worldChat("can you hear me");
        bob.whisper("Annie", "psst");
        server.tickUntilDone(catHears);
        assertThat(server.tickUntilDone(bobSeesWhisper).getTo()).isEqualTo("Annie"); // Bob sees it go out
        drain(ann);
        assertThat(annHeard).isEmpty();

        // Ann logs in again: the list comes with the login and still holds
        ann.close();
        MmoClient ann2 = client();
        CompletableFuture<ServerMessage> list = ann2.nextMessage(ServerMessage::hasIgnoreList);
        ann2.login("ann", "password-ann").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(list.get(TIMEOUT_S, TimeUnit.SECONDS).getIgnoreList().getNamesList()).containsExactly("Bobby");
        assertThat(ann2.ignoreList()).containsExactly("Bobby");

        assertThat(ann2.unignore("bobby").get(TIMEOUT_S, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void anAdminReachesPlayersInTheOtherWorldsOfTheServer() throws Exception {
        server.close();
        server = TestServer.start("jdbc:sqlite:" + dir.resolve("worlds.db"), Map.of("mmo.worlds", List.of(
                Map.of("name", "Aldoria", "map", "maps/world.tmj", "capacity", 100),
                Map.of("name", "Borea", "map", "maps/test.tmj", "capacity", 100))), clock);
        dbUrl = "jdbc:sqlite:" + dir.resolve("worlds.db");
        MmoClient boss = admin(); // in Aldoria, the first world
        MmoClient bob = client(), cat = client();
        for (Object[] p : List.of(new Object[]{bob, "bob", "Bobby"}, new Object[]{cat, "cat", "Cathy"})) {
            MmoClient c = (MmoClient) p[0];
            c.register((String) p[1], "password-" + p[1]).get(TIMEOUT_S, TimeUnit.SECONDS);
            long id = c.createCharacter(TestServer.character((String) p[2], CharacterClass.RANGER, 0x118811), "Borea")
                    .get(TIMEOUT_S, TimeUnit.SECONDS).getId();
            assertThat(server.tickUntilDone(c.enterWorld(id)).getWorld()).isEqualTo("Borea");
        }

        CompletableFuture<ChatMessage> bossSees = boss.nextSystemMessage(), catSees = cat.nextSystemMessage();
        boss.broadcast("Both worlds restart at noon").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(server.tickUntilDone(catSees).getText()).isEqualTo("Both worlds restart at noon");
        assertThat(server.tickUntilDone(bossSees).getText()).isEqualTo("Both worlds restart at noon");

        boss.ban("Bobby", Duration.ofDays(1), "").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(bob.closed().get(TIMEOUT_S, TimeUnit.SECONDS).disconnect().getReason())
                .isEqualTo(DisconnectReason.BANNED_CLOSE);
        boss.kick("Cathy", "").get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(cat.closed().get(TIMEOUT_S, TimeUnit.SECONDS).disconnect().getReason()).isEqualTo(DisconnectReason.KICKED);
    }

    @Test
    void theGrantCommandWorksOnATempSqliteDatabase() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("other.db");
        try (Database db = Database.open(url)) {
            new AccountRepository(db).create("Operator", "h");
        }
        Object[] grant = mmo("admin", "grant", "operator", "--db", url);
        assertThat(grant[0]).isEqualTo(0);
        assertThat((String) grant[1]).contains("'operator' is an admin now");
        try (Database db = Database.open(url)) {
            assertThat(new ModerationRepository(db).standingByUsername("Operator").orElseThrow().role())
                    .isEqualTo(ModerationRepository.Role.ADMIN);
        }
        Object[] missing = mmo("admin", "grant", "nobody", "--db", url);
        assertThat(missing[0]).isEqualTo(1);
        assertThat((String) missing[1]).contains("no account is called 'nobody'");
        assertThat(mmo("admin", "revoke", "Operator", "--db", url)[0]).isEqualTo(0);
        try (Database db = Database.open(url)) {
            assertThat(new ModerationRepository(db).standingByUsername("Operator").orElseThrow().role())
                    .isEqualTo(ModerationRepository.Role.PLAYER);
        }
        Object[] bad = mmo("admin", "grant", "x", "--db", "mysql://nope");
        assertThat(bad[0]).isEqualTo(2);
        assertThat((String) bad[1]).contains("unsupported database URL");
    }
}

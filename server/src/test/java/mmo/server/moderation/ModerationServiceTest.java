package mmo.server.moderation;

import mmo.protocol.AdminAction;
import mmo.protocol.AdminCommand;
import mmo.protocol.AdminResult;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.server.game.GameException;
import mmo.server.persistence.AccountRepository;
import mmo.server.persistence.CharacterRepository;
import mmo.server.persistence.Database;
import mmo.server.persistence.ModerationRepository;
import mmo.server.persistence.ModerationRepository.AuditEntry;
import mmo.server.persistence.ModerationRepository.Role;
import mmo.server.persistence.MutableClock;
import mmo.server.persistence.TestDatabases;
import mmo.server.persistence.TestDatabases.Backend;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Admin commands, bans at login, mutes and ignore lists against a real database (both backends). */
class ModerationServiceTest {
    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);
    private final MutableClock clock = new MutableClock(); // 2030-01-01T00:00Z

    /** What the service asked the server to do. */
    static final class RecordingEffects implements ModerationService.Effects {
        final List<String> done = new ArrayList<>();
        final java.util.Set<Long> online = new java.util.HashSet<>();

        @Override public boolean disconnect(long accountId, DisconnectReason reason, String message) {
            if (!online.remove(accountId)) return false;
            done.add("disconnect " + accountId + " " + reason + " " + message);
            return true;
        }

        @Override public void notify(long accountId, String text) { done.add("notify " + accountId + " " + text); }

        @Override public void broadcast(String text) { done.add("broadcast " + text); }

        @Override public void muteChangedElsewhere(long accountId, long mutedUntil, String notice) {
            done.add("elsewhere " + accountId + " " + mutedUntil + " " + notice);
        }
    }

    private final RecordingEffects effects = new RecordingEffects();
    private ModerationRepository repo;
    private ModerationService service;
    private long admin, bob, ann;

    private void open(Backend backend) {
        Database db = dbs.open(backend);
        AccountRepository accounts = new AccountRepository(db);
        CharacterRepository characters = new CharacterRepository(db);
        repo = new ModerationRepository(db);
        service = new ModerationService(repo, Runnable::run, clock, effects);
        admin = accounts.create("Boss", "h").id();
        bob = accounts.create("Bob", "h").id();
        ann = accounts.create("Ann", "h").id();
        characters.create(admin, "Warden", 0, new byte[0], "Testland", 1, 1);
        characters.create(bob, "Bobby", 0, new byte[0], "Testland", 1, 1);
        characters.create(ann, "Annie", 0, new byte[0], "Testland", 1, 1);
        repo.setRole("Boss", Role.ADMIN);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static GameException failure(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GameException g) return g;
            throw new AssertionError("failed otherwise", e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("did not fail");
    }

    private static AdminCommand cmd(AdminAction action, String target, long seconds, String reason) {
        return AdminCommand.newBuilder().setAction(action).setTarget(target).setDurationS(seconds).setReason(reason).build();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aPlayerIsRefusedEveryCommandNothingHappensAndTheAttemptIsAudited(Backend backend) throws Exception {
        open(backend);
        effects.online.add(ann);
        for (AdminAction a : List.of(AdminAction.KICK, AdminAction.BAN, AdminAction.MUTE, AdminAction.UNBAN,
                AdminAction.UNMUTE, AdminAction.BROADCAST, AdminAction.TELEPORT)) {
            GameException e = failure(service.admin(bob, cmd(a, "Annie", 60, "x").toBuilder().setText("hi all").build()));
            assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(e.getMessage()).isEqualTo("Only admins can do that");
        }
        assertThat(effects.done).isEmpty();
        assertThat(repo.standing(ann).orElseThrow().bannedUntil()).isZero();
        assertThat(repo.standing(ann).orElseThrow().mutedUntil()).isZero();
        List<AuditEntry> log = repo.auditLog(10);
        assertThat(log).hasSize(7).allSatisfy(row -> {
            assertThat(row.actorAccountId()).isEqualTo(bob);
            assertThat(row.actorName()).isEqualTo("Bob");
            assertThat(row.outcome()).isEqualTo("refused: Only admins can do that");
        });
        assertThat(log).extracting(AuditEntry::action)
                .containsExactly("TELEPORT", "BROADCAST", "UNMUTE", "UNBAN", "MUTE", "BAN", "KICK");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBanDisconnectsRefusesLoginUntilItEndsAndIsAudited(Backend backend) throws Exception {
        open(backend);
        effects.online.add(bob);
        AdminResult r = await(service.admin(admin, cmd(AdminAction.BAN, "bobby", 3600, "botting")));
        assertThat(r.getTarget()).isEqualTo("Bobby");
        assertThat(r.getUntilMs()).isEqualTo(clock.millis() + 3_600_000);
        assertThat(r.getMessage()).isEqualTo("Banned Bobby's account until 2030-01-01 01:00 UTC");
        assertThat(effects.done).containsExactly("disconnect " + bob + " BANNED_CLOSE"
                + " This account is banned until 2030-01-01 01:00 UTC: botting");

        GameException refused = failure(service.admit(bob));
        assertThat(refused.code()).isEqualTo(ErrorCode.BANNED);
        assertThat(refused.getMessage()).isEqualTo("This account is banned until 2030-01-01 01:00 UTC: botting");
        assertThat(await(service.admit(ann)).accountId()).isEqualTo(ann);

        clock.advance(Duration.ofMinutes(59));
        assertThat(failure(service.admit(bob)).code()).isEqualTo(ErrorCode.BANNED);
        clock.advance(Duration.ofMinutes(1));
        assertThat(await(service.admit(bob)).accountId()).isEqualTo(bob);

        assertThat(repo.auditLog(1)).singleElement().satisfies(row -> {
            assertThat(row.action()).isEqualTo("BAN");
            assertThat(row.actorAccountId()).isEqualTo(admin);
            assertThat(row.actorName()).isEqualTo("Boss");
            assertThat(row.target()).isEqualTo("Bobby");
            assertThat(row.targetAccountId()).isEqualTo(bob);
            assertThat(row.durationS()).isEqualTo(3600L);
            assertThat(row.reason()).isEqualTo("botting");
            assertThat(row.outcome()).isEqualTo("done");
            assertThat(row.at()).isEqualTo(java.time.Instant.parse("2030-01-01T00:00:00Z").toEpochMilli());
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBanWithoutDurationIsForGoodUntilUnbanned(Backend backend) throws Exception {
        open(backend);
        AdminResult r = await(service.admin(admin, cmd(AdminAction.BAN, "Bobby", 0, "")));
        assertThat(r.getUntilMs()).isZero();
        assertThat(r.getMessage()).isEqualTo("Banned Bobby's account for good");
        clock.advance(Duration.ofDays(3650));
        assertThat(failure(service.admit(bob)).getMessage()).isEqualTo("This account is banned for good");
        assertThat(await(service.admin(admin, cmd(AdminAction.UNBAN, "Bobby", 0, ""))).getMessage())
                .isEqualTo("Unbanned Bobby's account");
        assertThat(await(service.admit(bob)).accountId()).isEqualTo(bob);
        assertThat(await(service.admin(admin, cmd(AdminAction.UNBAN, "Bobby", 0, ""))).getMessage())
                .isEqualTo("Bobby's account was not banned");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aMuteReachesChatAtOnceSurvivesRelogAndEnds(Backend backend) throws Exception {
        open(backend);
        service.remember(await(service.admit(bob)));
        assertThat(service.mutedUntil(bob)).isZero();
        AdminResult r = await(service.admin(admin, cmd(AdminAction.MUTE, "Bobby", 600, "caps lock")));
        long until = clock.millis() + 600_000;
        assertThat(r.getUntilMs()).isEqualTo(until);
        assertThat(service.mutedUntil(bob)).isEqualTo(until);
        assertThat(service.mutedNow(bob)).isEqualTo(until);
        // and the other servers of a cluster are told, for the one holding bob's session
        assertThat(effects.done).containsExactly("notify " + bob + " You are muted until 2030-01-01 00:10 UTC: caps lock",
                "elsewhere " + bob + " " + until + " You are muted until 2030-01-01 00:10 UTC: caps lock");

        service.forget(bob);
        assertThat(service.mutedUntil(bob)).isZero(); // not online: nothing in memory
        service.remember(await(service.admit(bob))); // logs in again
        assertThat(service.mutedUntil(bob)).isEqualTo(until);

        effects.done.clear();
        await(service.admin(admin, cmd(AdminAction.UNMUTE, "bobby", 0, "")));
        assertThat(service.mutedUntil(bob)).isZero();
        assertThat(service.mutedNow(bob)).isZero();
        assertThat(effects.done).containsExactly("notify " + bob + " You may chat again", "elsewhere " + bob + " 0 You may chat again");
        assertThat(repo.standing(bob).orElseThrow().mutedUntil()).isZero();
        assertThat(repo.auditLog(5)).extracting(AuditEntry::action).containsExactly("UNMUTE", "MUTE");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void badCommandsAreRefusedWithAClearErrorAndAudited(Backend backend) throws Exception {
        open(backend);
        assertThat(failure(service.admin(admin, cmd(AdminAction.KICK, "Bobby", 0, ""))))
                .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ONLINE));
        assertThat(failure(service.admin(admin, cmd(AdminAction.BAN, "Nobody", 60, ""))).code())
                .isEqualTo(ErrorCode.NO_SUCH_CHARACTER);
        assertThat(failure(service.admin(admin, cmd(AdminAction.BAN, "x'; DROP TABLE accounts;--", 60, ""))).code())
                .isEqualTo(ErrorCode.NO_SUCH_CHARACTER);
        assertThat(failure(service.admin(admin, cmd(AdminAction.MUTE, "Bobby", 0, ""))).getMessage())
                .isEqualTo("Say how long, e.g. 10m");
        assertThat(failure(service.admin(admin, cmd(AdminAction.BAN, "Bobby", -1, ""))).code())
                .isEqualTo(ErrorCode.BAD_REQUEST); // a uint64 past 2^63
        assertThat(failure(service.admin(admin, cmd(AdminAction.BAN, "Bobby", ModerationService.MAX_DURATION_S + 1, ""))).code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(service.admin(admin, cmd(AdminAction.BAN, "Bobby", 60, "r".repeat(201)))).code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(service.admin(admin, cmd(AdminAction.BAN, "Warden", 60, ""))).getMessage())
                .isEqualTo("You cannot do that to your own account");
        assertThat(failure(service.admin(admin, cmd(AdminAction.ADMIN_ACTION_UNSPECIFIED, "Bobby", 0, ""))).code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(service.admin(admin, AdminCommand.newBuilder().setAction(AdminAction.BROADCAST)
                .setText("\u200B\u202E").build())).code()).isEqualTo(ErrorCode.CHAT_REJECTED);
        assertThat(effects.done).isEmpty();
        assertThat(repo.standing(bob).orElseThrow().bannedUntil()).isZero();
        assertThat(repo.standing(admin).orElseThrow().bannedUntil()).isZero();
        assertThat(repo.auditLog(20)).hasSize(10).allSatisfy(row -> assertThat(row.outcome()).startsWith("refused: "));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBroadcastIsCleanedSentAndAuditedAndARevokedAdminIsRefusedAtOnce(Backend backend) throws Exception {
        open(backend);
        assertThat(await(service.admin(admin, AdminCommand.newBuilder().setAction(AdminAction.BROADCAST)
                .setText("  Restart\u200B in 5 min\u202E ").build())).getMessage()).isEqualTo("Broadcast sent");
        assertThat(effects.done).containsExactly("broadcast Restart in 5 min");
        assertThat(repo.auditLog(1)).singleElement().satisfies(row -> {
            assertThat(row.action()).isEqualTo("BROADCAST");
            assertThat(row.reason()).isEqualTo("Restart in 5 min");
        });

        repo.setRole("Boss", Role.PLAYER);
        assertThat(failure(service.admin(admin, AdminCommand.newBuilder().setAction(AdminAction.BROADCAST)
                .setText("again").build())).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(effects.done).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void ignoreListsReachChatAtOnceAndSurviveRelog(Backend backend) throws Exception {
        open(backend);
        service.remember(await(service.admit(ann)));
        assertThat(await(service.ignore(ann, "bobby"))).containsExactly("Bobby");
        assertThat(service.ignores(ann, "Bobby")).isTrue();
        assertThat(service.ignores(ann, "BOBBY")).isTrue();
        assertThat(service.ignores(bob, "Annie")).isFalse();
        assertThat(failure(service.ignore(ann, "Annie")).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure(service.ignore(ann, "Nobody")).code()).isEqualTo(ErrorCode.NO_SUCH_CHARACTER);
        assertThat(failure(service.ignore(ann, "bad name!")).code()).isEqualTo(ErrorCode.NO_SUCH_CHARACTER);

        service.forget(ann);
        assertThat(service.ignores(ann, "Bobby")).isFalse();
        ModerationService.Admission again = await(service.admit(ann));
        assertThat(again.ignored()).containsExactly("Bobby");
        service.remember(again);
        assertThat(service.ignores(ann, "Bobby")).isTrue();

        assertThat(await(service.unignore(ann, "Bobby"))).isEmpty();
        assertThat(service.ignores(ann, "Bobby")).isFalse();
        assertThat(await(service.unignore(ann, "Bobby"))).isEmpty(); // not on it: no error
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void twoConnectionsOfOneAccountKeepItsChatDataUntilBothClose(Backend backend) throws Exception {
        open(backend);
        await(service.ignore(ann, "Bobby"));
        service.remember(await(service.admit(ann)));
        service.remember(await(service.admit(ann))); // logged in again elsewhere before the old one closed
        service.forget(ann);
        assertThat(service.ignores(ann, "Bobby")).isTrue();
        service.forget(ann);
        assertThat(service.ignores(ann, "Bobby")).isFalse();
    }
    /**
     * A teleport waits for the world's tick; the worker does not. With one worker thread and a
     * world that has not answered yet, the next request (the dashboard's role check, a login's
     * ban check) is served at once; the teleport completes, and is audited, when the world answers.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aTeleportWaitingForTheTickHoldsNoWorker(Backend backend) throws Exception {
        open(backend);
        CompletableFuture<String> world = new CompletableFuture<>();
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            ModerationService s = new ModerationService(repo, one, clock, new ModerationService.Effects() {
                @Override public boolean disconnect(long accountId, DisconnectReason reason, String message) { return false; }

                @Override public void notify(long accountId, String text) { }

                @Override public void broadcast(String text) { }

                @Override
                public CompletableFuture<String> teleport(String characterName, float x, float y) {
                    asked.add(characterName + " " + x + " " + y);
                    return world;
                }
            });
            CompletableFuture<AdminResult> teleport = s.admin(admin, cmd(AdminAction.TELEPORT, "bobby", 0, "")
                    .toBuilder().setX(16 * 10 + 8).setY(-16 * 3).build());
            // served while the teleport waits (it would wait behind it for TELEPORT_WAIT_MS otherwise)
            s.requireAdmin(admin).get(2, TimeUnit.SECONDS);
            assertThat(asked).containsExactly("Bobby 10.5 -3.0");
            assertThat(teleport).isNotDone();

            world.complete("Testland");
            assertThat(await(teleport).getMessage()).isEqualTo("Teleported Bobby to (10.5, -3.0) in Testland");
            assertThat(repo.auditLog(1)).singleElement().satisfies(row -> {
                assertThat(row.action()).isEqualTo("TELEPORT");
                assertThat(row.outcome()).isEqualTo("done: to (10.5, -3.0) in Testland");
            });
        } finally {
            one.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anOpenFeedReadsTheRoleOncePerFiveSecondsAndARevokeStopsItWithinThem(Backend backend) throws Exception {
        open(backend);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        ModerationService s = new ModerationService(repo, r -> { // each task is one role read
            reads.incrementAndGet();
            r.run();
        }, clock, effects);
        await(s.requireAdmin(admin)); // the watch request
        // a minute of an open feed's re-checks, two a second, from two tabs of the same admin
        for (int i = 0; i < 120; i++) {
            await(s.recheckAdmin(admin));
            await(s.recheckAdmin(admin));
            clock.advance(Duration.ofMillis(500));
        }
        assertThat(reads).as("1 + one per 5 s, not 1 + 240").hasValue(1 + 12);

        await(s.recheckAdmin(admin)); // at 60 s: a fresh read
        repo.setRole("Boss", Role.PLAYER);
        int passed = 0;
        while (s.recheckAdmin(admin).handle((v, e) -> e == null).get(10, TimeUnit.SECONDS)) {
            passed++;
            clock.advance(Duration.ofMillis(500));
        }
        assertThat(passed).as("the feeds still let through on the read before the revoke: 5 s of them").isEqualTo(1 + 9);
        assertThat(failure(s.recheckAdmin(admin)).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);

        repo.setRole("Boss", Role.ADMIN); // granted again: a new watch is let in, and its feed is not stopped by the old refusal
        await(s.requireAdmin(admin));
        await(s.recheckAdmin(admin));
        assertThat(reads).hasValue(1 + 12 + 1 + 1 + 1);
    }
}

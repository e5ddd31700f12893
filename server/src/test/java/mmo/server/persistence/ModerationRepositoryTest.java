package mmo.server.persistence;

import mmo.server.persistence.ModerationRepository.IgnoreOutcome;
import mmo.server.persistence.ModerationRepository.Role;
import mmo.server.persistence.TestDatabases.Backend;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Roles, bans, mutes, ignore lists and the audit log (migration V4) on SQLite and PostgreSQL. */
class ModerationRepositoryTest {
    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);

    private Database db;
    private AccountRepository accounts;
    private CharacterRepository characters;
    private ModerationRepository moderation;

    private void open(Backend backend) {
        db = dbs.open(backend);
        accounts = new AccountRepository(db);
        characters = new CharacterRepository(db);
        moderation = new ModerationRepository(db);
    }

    private CharacterRecord character(long account, String name) {
        return characters.create(account, name, 0, new byte[0], "Testland", 1, 1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void newAccountsArePlayersNeitherBannedNorMutedAndRolesChangeByUsername(Backend backend) {
        open(backend);
        long alice = accounts.create("Alice", "h").id();
        assertThat(moderation.standing(alice)).hasValueSatisfying(s -> {
            assertThat(s.role()).isEqualTo(Role.PLAYER);
            assertThat(s.bannedUntil()).isZero();
            assertThat(s.mutedUntil()).isZero();
            assertThat(s.banReason()).isEmpty();
        });
        assertThat(moderation.setRole("ALICE", Role.ADMIN)).isTrue();
        assertThat(moderation.standingByUsername("alice").orElseThrow().role()).isEqualTo(Role.ADMIN);
        assertThat(moderation.setRole("alice", Role.PLAYER)).isTrue();
        assertThat(moderation.standing(alice).orElseThrow().role()).isEqualTo(Role.PLAYER);
        assertThat(moderation.setRole("Nobody", Role.ADMIN)).isFalse();
        assertThat(moderation.standing(alice + 100)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void bansAndMutesAreStoredUntilLifted(Backend backend) {
        open(backend);
        long bob = accounts.create("Bob", "h").id();
        moderation.ban(bob, 1_000_000L, "spam", audit("BAN"));
        moderation.mute(bob, ModerationRepository.FOREVER, audit("MUTE"));
        ModerationRepository.Standing s = moderation.standing(bob).orElseThrow();
        assertThat(s.bannedUntil()).isEqualTo(1_000_000L);
        assertThat(s.banReason()).isEqualTo("spam");
        assertThat(s.bannedAt(999_999L)).isTrue();
        assertThat(s.bannedAt(1_000_000L)).isFalse();
        assertThat(s.mutedUntil()).isEqualTo(Long.MAX_VALUE);

        assertThat(moderation.unban(bob, audit("UNBAN"))).isTrue();
        assertThat(moderation.unban(bob, audit("UNBAN"))).isFalse();
        assertThat(moderation.unmute(bob, audit("UNMUTE"))).isTrue();
        assertThat(moderation.unmute(bob, audit("UNMUTE"))).isFalse();
        s = moderation.standing(bob).orElseThrow();
        assertThat(s.bannedUntil()).isZero();
        assertThat(s.mutedUntil()).isZero();
        // each change wrote its audit row with it
        assertThat(moderation.auditLog(10)).extracting(ModerationRepository.AuditEntry::action)
                .containsExactly("UNMUTE", "UNMUTE", "UNBAN", "UNBAN", "MUTE", "BAN");
    }

    private static ModerationRepository.Audit audit(String action) {
        return new ModerationRepository.Audit(1, 1, "Admin", action, "Bob", null, null, "", "done");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aChangeWhoseAuditRowCannotBeWrittenIsNotMade(Backend backend) {
        open(backend);
        long bob = accounts.create("Bob", "h").id();
        // a NULL actor name breaks the audit table's NOT NULL: the ban goes with it
        ModerationRepository.Audit broken = new ModerationRepository.Audit(1, 1, null, "BAN", "Bob", null, null, "", "done");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> moderation.ban(bob, 1_000_000L, "spam", broken))
                .isInstanceOf(PersistenceException.class);
        assertThat(moderation.standing(bob).orElseThrow().bannedUntil()).isZero();
        assertThat(moderation.auditLog(10)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void ignoreListsHoldCharactersOfOtherAccountsUpToTheCap(Backend backend) {
        open(backend);
        long ann = accounts.create("Ann", "h").id(), troll = accounts.create("Troll", "h").id();
        character(ann, "AnnChar");
        CharacterRecord t1 = character(troll, "Troll1");
        character(troll, "Troll2");
        character(troll, "Troll3");

        assertThat(moderation.ignore(ann, "troll1", 2, 5)).isEqualTo(IgnoreOutcome.ADDED);
        assertThat(moderation.ignore(ann, "TROLL1", 2, 5)).isEqualTo(IgnoreOutcome.ALREADY);
        assertThat(moderation.ignore(ann, "Troll2", 2, 5)).isEqualTo(IgnoreOutcome.ADDED);
        assertThat(moderation.ignore(ann, "Troll3", 2, 5)).isEqualTo(IgnoreOutcome.FULL);
        assertThat(moderation.ignore(ann, "Nobody", 2, 5)).isEqualTo(IgnoreOutcome.NO_SUCH_CHARACTER);
        assertThat(moderation.ignore(ann, "annchar", 2, 5)).isEqualTo(IgnoreOutcome.OWN_CHARACTER);
        assertThat(moderation.ignoredNames(ann)).containsExactly("Troll1", "Troll2");
        assertThat(moderation.ignoredNames(troll)).isEmpty();

        assertThat(moderation.unignore(ann, "TROLL2")).isTrue();
        assertThat(moderation.unignore(ann, "Troll2")).isFalse();
        assertThat(moderation.ignore(ann, "Troll3", 2, 5)).isEqualTo(IgnoreOutcome.ADDED);
        assertThat(moderation.ignoredNames(ann)).containsExactly("Troll1", "Troll3");

        // a deleted character drops out of every list
        try (var c = db.dataSource().getConnection(); var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM characters WHERE id = " + t1.id());
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        assertThat(moderation.ignoredNames(ann)).containsExactly("Troll3");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theAuditLogKeepsEveryFieldNewestFirst(Backend backend) {
        open(backend);
        long first = moderation.audit(new ModerationRepository.Audit(100, 1, "Admin", "BAN", "Bob", 2L, 3600L, "spam", "done"));
        long second = moderation.audit(new ModerationRepository.Audit(200, 3, "Mallory", "KICK", "Bob", null, null, "",
                "refused: Only admins can do that"));
        assertThat(second).isGreaterThan(first);
        assertThat(moderation.auditLog(10)).containsExactly(
                new ModerationRepository.AuditEntry(second, 200, 3, "Mallory", "KICK", "Bob", null, null, "",
                        "refused: Only admins can do that"),
                new ModerationRepository.AuditEntry(first, 100, 1, "Admin", "BAN", "Bob", 2L, 3600L, "spam", "done"));
        assertThat(moderation.auditLog(1)).hasSize(1);
    }
}

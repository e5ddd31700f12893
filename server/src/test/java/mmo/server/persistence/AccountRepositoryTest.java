package mmo.server.persistence;

import mmo.server.persistence.TestDatabases.Backend;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The accounts table on SQLite and PostgreSQL. */
class AccountRepositoryTest {
    @TempDir Path dir;
    @RegisterExtension final TestDatabases dbs = new TestDatabases(() -> dir);
    private final MutableClock clock = new MutableClock();

    @ParameterizedTest
    @EnumSource(Backend.class)
    void createsAndFindsAccounts(Backend backend) {
        AccountRepository accounts = new AccountRepository(dbs.open(backend), clock);
        AccountRecord alice = accounts.create("Alice", "$argon2id$hash-a");
        AccountRecord bob = accounts.create("Bob", "$argon2id$hash-b");

        assertThat(alice.id()).isNotEqualTo(bob.id());
        assertThat(alice.username()).isEqualTo("Alice");
        assertThat(alice.createdAt()).isEqualTo(clock.instant());
        assertThat(accounts.findById(alice.id())).contains(alice);
        assertThat(accounts.findByUsername("Alice")).contains(alice);
        assertThat(accounts.findByUsername("bob")).contains(bob);
        assertThat(accounts.findById(bob.id() + 1000)).isEmpty();
        assertThat(accounts.findByUsername("Carol")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void usernamesKeepTheirSpellingAndAreFoundIgnoringCase(Backend backend) {
        AccountRepository accounts = new AccountRepository(dbs.open(backend), clock);
        AccountRecord a = accounts.create("MixedCase9", "h");
        assertThat(accounts.findByUsername("mixedcase9")).contains(a);
        assertThat(accounts.findByUsername("MIXEDCASE9").orElseThrow().username()).isEqualTo("MixedCase9");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void duplicateUsernameDifferingOnlyInCaseIsRejected(Backend backend) {
        AccountRepository accounts = new AccountRepository(dbs.open(backend), clock);
        AccountRecord alice = accounts.create("Alice", "h1");

        assertThatThrownBy(() -> accounts.create("ALICE", "h2"))
                .isInstanceOf(NameTakenException.class)
                .satisfies(e -> assertThat(((NameTakenException) e).name()).isEqualTo("ALICE"));
        assertThatThrownBy(() -> accounts.create("Alice", "h3")).isInstanceOf(NameTakenException.class);
        assertThat(accounts.findByUsername("alice")).contains(alice);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentRegistrationsOfOneNameLetExactlyOneWin(Backend backend) throws Exception {
        AccountRepository accounts = new AccountRepository(dbs.open(backend), clock);
        List<String> spellings = List.of("racer", "RACER", "Racer", "rAcEr", "racer", "RaCeR");
        Concurrently.Outcome<AccountRecord> out = Concurrently.run(spellings.size(),
                i -> accounts.create(spellings.get(i), "h" + i), Duration.ofSeconds(30));

        assertThat(out.successes()).hasSize(1);
        assertThat(out.failures()).hasSize(spellings.size() - 1).allMatch(e -> e instanceof NameTakenException);
        assertThat(accounts.findByUsername("racer")).contains(out.successes().get(0));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void toStringHidesThePasswordHash(Backend backend) {
        AccountRecord a = new AccountRepository(dbs.open(backend), clock).create("Alice", "$argon2id$secret");
        assertThat(a.toString()).contains("Alice").doesNotContain("secret");
    }
}

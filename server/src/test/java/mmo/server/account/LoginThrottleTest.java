package mmo.server.account;

import mmo.server.persistence.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The throttle alone, its clock stepped by the test. */
class LoginThrottleTest {
    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle = new LoginThrottle(clock);

    private void allowed(String name, String address) {
        assertThat(throttle.tryAttempt(name, address)).isZero();
    }

    private void refusedFor(String name, String address, Duration wait) {
        assertThat(throttle.tryAttempt(name, address)).isEqualTo(wait);
    }

    @Test
    void fiveFreeAttemptsPerNameThenABackOffThatDoublesUpToFifteenMinutes() {
        for (int i = 0; i < 5; i++) allowed("Alice", null);
        refusedFor("alice", null, Duration.ofSeconds(1)); // the name ignoring case
        refusedFor("ALICE", null, Duration.ofSeconds(1)); // a refusal is not counted
        clock.advance(Duration.ofMillis(400));
        refusedFor("Alice", null, Duration.ofMillis(600));
        long wait = 1;
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofSeconds(wait));
            allowed("Alice", null);
            wait = Math.min(wait * 2, 15 * 60);
            refusedFor("Alice", null, Duration.ofSeconds(wait));
        }
        assertThat(wait).isEqualTo(15 * 60); // 2^10 s passed the cap
        allowed("Bob", null); // other names are not touched
    }

    @Test
    void successStartsTheNameAfresh() {
        for (int i = 0; i < 4; i++) allowed("Alice", null);
        allowed("Alice", null);
        throttle.succeeded("Alice", null); // the fifth was right
        for (int i = 0; i < 5; i++) allowed("Alice", null);
        refusedFor("Alice", null, Duration.ofSeconds(1));
    }

    @Test
    void oneAddressSprayingManyNamesIsBrakedAfterTwenty() {
        for (int i = 0; i < 20; i++) allowed("user" + i, "10.0.0.1");
        refusedFor("fresh", "10.0.0.1", Duration.ofSeconds(1));
        allowed("fresh", "10.0.0.2"); // another address is not
        clock.advance(Duration.ofSeconds(1));
        allowed("fresh2", "10.0.0.1");
        refusedFor("fresh3", "10.0.0.1", Duration.ofSeconds(2));
    }

    @Test
    void aSuccessGivesTheAddressItsOwnAttemptBackOnly() {
        for (int i = 0; i < 19; i++) allowed("user" + i, "10.0.0.1");
        // many good logins from one address (players behind one NAT) never add up
        for (int i = 0; i < 50; i++) {
            allowed("good", "10.0.0.1");
            throttle.succeeded("good", "10.0.0.1");
        }
        allowed("user19", "10.0.0.1"); // the 20th failure
        refusedFor("good", "10.0.0.1", Duration.ofSeconds(1));
    }

    @Test
    void quietKeysForgetTheirFailures() {
        for (int i = 0; i < 5; i++) allowed("Alice", "10.0.0.1");
        clock.advance(Duration.ofSeconds(1).plusMinutes(15)); // blocked 1 s, then 15 min quiet
        for (int i = 0; i < 5; i++) allowed("Alice", "10.0.0.1");
        refusedFor("Alice", "10.0.0.1", Duration.ofSeconds(1));
    }

    @Test
    void theMapsStayBounded() {
        LoginThrottle small = new LoginThrottle(clock, LoginThrottle.PER_ACCOUNT, LoginThrottle.PER_ADDRESS, 2);
        for (int i = 0; i < 5; i++) small.tryAttempt("Alice", null);
        assertThat(small.tryAttempt("Alice", null)).isPositive();
        small.tryAttempt("Bob", null);
        small.tryAttempt("Carol", null); // Alice, least recently used, is dropped
        assertThat(small.tryAttempt("Alice", null)).isZero();
    }
}

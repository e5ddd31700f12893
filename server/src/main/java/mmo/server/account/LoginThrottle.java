package mmo.server.account;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Password guessing brakes, per account name and per client address. Every attempt counts as
 * a failure when it starts (so parallel attempts cannot slip past the limit while their hashes
 * run); a success takes its count back. After {@link Policy#freeAttempts} counted attempts the
 * key is refused for {@link Policy#firstBackoff}, doubling with each further attempt up to
 * {@link Policy#maxBackoff}. Refused attempts are not counted and cost nothing: the caller
 * checks here before any lookup or hash. A key forgets its failures once it has been quiet
 * (not blocked, no attempt) for {@link Policy#forgetAfter}.
 *
 * <p>In memory, per server: each map keeps at most {@code maxEntries} keys, dropping the least
 * recently used. Thread-safe (one lock; every operation is a map lookup or two).
 */
public final class LoginThrottle {
    /** How many attempts a key gets free, and how the wait grows after them. */
    public record Policy(int freeAttempts, Duration firstBackoff, Duration maxBackoff, Duration forgetAfter) {
        public Policy {
            if (freeAttempts < 1 || firstBackoff.isNegative() || firstBackoff.isZero()
                    || maxBackoff.compareTo(firstBackoff) < 0 || forgetAfter.isNegative()) {
                throw new IllegalArgumentException("bad throttle policy " + freeAttempts + " " + firstBackoff
                        + " " + maxBackoff + " " + forgetAfter);
            }
        }

        long backoffMillis(int failures) {
            int doublings = failures - freeAttempts;
            long first = firstBackoff.toMillis();
            long max = maxBackoff.toMillis();
            // past 62 doublings (or long before) the cap holds anyway
            if (doublings >= 62 || first > (max >> doublings)) return max;
            return Math.min(max, first << doublings);
        }
    }

    /** Five tries per account name, then 1 s, 2 s, 4 s ... up to 15 min. */
    public static final Policy PER_ACCOUNT =
            new Policy(5, Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofMinutes(15));
    /**
     * More per address: players behind one NAT share it, and a success there is taken back
     * rather than wiping the count, so spraying many names from one address still slows down.
     */
    public static final Policy PER_ADDRESS =
            new Policy(20, Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofMinutes(15));
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    private static final class Tally {
        int failures;
        long blockedUntil;
        long lastAttempt;
    }

    private final Clock clock;
    private final Policy perAccount;
    private final Policy perAddress;
    private final Map<String, Tally> accounts;
    private final Map<String, Tally> addresses;

    public LoginThrottle(Clock clock) {
        this(clock, PER_ACCOUNT, PER_ADDRESS, DEFAULT_MAX_ENTRIES);
    }

    public LoginThrottle(Clock clock, Policy perAccount, Policy perAddress, int maxEntries) {
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries " + maxEntries);
        this.clock = Objects.requireNonNull(clock);
        this.perAccount = Objects.requireNonNull(perAccount);
        this.perAddress = Objects.requireNonNull(perAddress);
        this.accounts = lru(maxEntries);
        this.addresses = lru(maxEntries);
    }

    /**
     * Counts an attempt for the account name (ignoring case) and the address, either may be
     * null; or, if either is blocked, counts nothing and returns how long to wait.
     *
     * @return {@link Duration#ZERO} if the attempt may go ahead
     */
    public synchronized Duration tryAttempt(String account, String address) {
        long now = clock.millis();
        Tally byName = account == null ? null : live(accounts, perAccount, key(account), now);
        Tally byAddress = address == null ? null : live(addresses, perAddress, address, now);
        long wait = Math.max(waitMillis(byName, now), waitMillis(byAddress, now));
        if (wait > 0) {
            return Duration.ofMillis(wait);
        }
        if (account != null) count(accounts, perAccount, key(account), byName, now);
        if (address != null) count(addresses, perAddress, address, byAddress, now);
        return Duration.ZERO;
    }

    /**
     * The attempt succeeded: the account name starts afresh and the address gets this
     * attempt's count back (its earlier failures stay, so one good login does not open the
     * way for another run of guesses on other names).
     */
    public synchronized void succeeded(String account, String address) {
        if (account != null) accounts.remove(key(account));
        if (address == null) return;
        Tally e = addresses.get(address);
        if (e == null) return;
        e.failures = Math.max(0, e.failures - 1);
        if (e.failures < perAddress.freeAttempts()) e.blockedUntil = 0;
        if (e.failures == 0) addresses.remove(address);
    }

    private static String key(String account) {
        return account.toLowerCase(Locale.ROOT);
    }

    /** The key's entry, or null if it has none or has been quiet long enough to be forgotten. */
    private static Tally live(Map<String, Tally> map, Policy policy, String key, long now) {
        Tally e = map.get(key);
        if (e != null && now >= e.blockedUntil
                && now - Math.max(e.lastAttempt, e.blockedUntil) >= policy.forgetAfter().toMillis()) {
            map.remove(key);
            return null;
        }
        return e;
    }

    private static long waitMillis(Tally e, long now) {
        return e == null ? 0 : Math.max(0, e.blockedUntil - now);
    }

    private static void count(Map<String, Tally> map, Policy policy, String key, Tally e, long now) {
        if (e == null) {
            e = new Tally();
            map.put(key, e);
        }
        e.failures++;
        e.lastAttempt = now;
        if (e.failures >= policy.freeAttempts()) {
            e.blockedUntil = now + policy.backoffMillis(e.failures);
        }
    }

    private static Map<String, Tally> lru(int maxEntries) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Tally> eldest) {
                return size() > maxEntries;
            }
        };
    }
}

package mmo.server.account;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.CreateCharacter;
import mmo.protocol.ErrorCode;
import mmo.protocol.Outfit;
import mmo.protocol.StartChoice;
import mmo.server.game.GameException;
import mmo.server.persistence.AccountRecord;
import mmo.server.persistence.AccountRepository;
import mmo.server.persistence.CharacterClaim;
import mmo.server.persistence.CharacterRecord;
import mmo.server.persistence.CharacterRepository;
import mmo.server.persistence.NameTakenException;
import mmo.server.persistence.SessionRepository;
import mmo.server.persistence.TooManyCharactersException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts, sessions and characters as the protocol sees them: validates requests, hashes
 * passwords and talks to the repositories. Every method returns at once and does its work on
 * the {@code worker} executor (hashing and JDBC block), so event loops and the tick may call it.
 * Futures complete on a worker thread, exceptionally only with a {@link GameException} whose
 * message is safe to show to the player. Thread-safe.
 */
public final class AccountService {
    public static final int MAX_CHARACTERS_PER_ACCOUNT = 8;
    public static final Duration DEFAULT_SESSION_TTL = Duration.ofDays(7);

    private static final Logger log = LoggerFactory.getLogger(AccountService.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]{3,16}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 128;
    // Tokens we issue are 43 characters; anything much longer is not worth hashing.
    private static final int MAX_TOKEN = 256;
    private static final int MAX_COLOR = 0xFFFFFF;

    private static final String BAD_CREDENTIALS = "Wrong username or password";
    private static final String SERVER_ERROR = GameException.SERVER_ERROR_MESSAGE;

    private final AccountRepository accounts;
    private final CharacterRepository characters;
    private final SessionRepository sessions;
    private final PasswordHasher hasher;
    private final WorldChoice worlds;
    private final Executor worker;
    private final Duration sessionTtl;
    private final BotFleet bots;
    private final LoginThrottle throttle;
    // Unknown usernames are checked against this so a failed login costs one hash either way
    // and its timing does not tell whether the account exists.
    private final String dummyHash;

    public AccountService(AccountRepository accounts, CharacterRepository characters, SessionRepository sessions,
                          PasswordHasher hasher, StartPointPicker startPoints, String worldName, Executor worker) {
        this(accounts, characters, sessions, hasher, startPoints, worldName, worker, DEFAULT_SESSION_TTL);
    }

    /** As the main constructor, with sessions lasting {@code sessionTtl}. Hashes once, so call it at startup. */
    public AccountService(AccountRepository accounts, CharacterRepository characters, SessionRepository sessions,
                          PasswordHasher hasher, StartPointPicker startPoints, String worldName, Executor worker,
                          Duration sessionTtl) {
        this(accounts, characters, sessions, hasher, startPoints, worldName, worker, sessionTtl, BotFleet.disabled());
    }

    /** As above, with the load-test bot fleet's fast login (see {@link BotFleet}). */
    public AccountService(AccountRepository accounts, CharacterRepository characters, SessionRepository sessions,
                          PasswordHasher hasher, StartPointPicker startPoints, String worldName, Executor worker,
                          Duration sessionTtl, BotFleet bots) {
        this(accounts, characters, sessions, hasher,
                WorldChoice.only(Objects.requireNonNull(worldName), Objects.requireNonNull(startPoints)),
                worker, sessionTtl, bots);
    }

    /** A deployment of several worlds: characters are created in the one {@code worlds} chooses. */
    public AccountService(AccountRepository accounts, CharacterRepository characters, SessionRepository sessions,
                          PasswordHasher hasher, WorldChoice worlds, Executor worker,
                          Duration sessionTtl, BotFleet bots) {
        this(accounts, characters, sessions, hasher, worlds, worker, sessionTtl, bots,
                new LoginThrottle(Clock.systemUTC()));
    }

    /** As above, with the brakes on password guessing (tests give it a clock they move). */
    public AccountService(AccountRepository accounts, CharacterRepository characters, SessionRepository sessions,
                          PasswordHasher hasher, WorldChoice worlds, Executor worker,
                          Duration sessionTtl, BotFleet bots, LoginThrottle throttle) {
        this.throttle = Objects.requireNonNull(throttle);
        this.bots = Objects.requireNonNull(bots);
        this.accounts = Objects.requireNonNull(accounts);
        this.characters = Objects.requireNonNull(characters);
        this.sessions = Objects.requireNonNull(sessions);
        this.hasher = Objects.requireNonNull(hasher);
        this.worlds = Objects.requireNonNull(worlds);
        this.worker = Objects.requireNonNull(worker);
        if (sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("session ttl must be positive: " + sessionTtl);
        }
        this.sessionTtl = sessionTtl;
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        this.dummyHash = hasher.hash(Base64.getEncoder().encodeToString(secret));
    }

    /** Creates an account and logs it in. INVALID_NAME, INVALID_PASSWORD, NAME_TAKEN. */
    public CompletableFuture<LoginResult> register(String username, String password) {
        return async("register", () -> {
            requireValidName(username, "Usernames are 3 to 16 letters or digits");
            if (BotFleet.isReservedName(username)) {
                throw new GameException(ErrorCode.INVALID_NAME, "Names like bot123 are kept for load-test bots");
            }
            if (password == null || !lengthBetween(password, MIN_PASSWORD, MAX_PASSWORD)) {
                throw new GameException(ErrorCode.INVALID_PASSWORD,
                        "Passwords are " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
            }
            // Saves a hash for the common case; the unique index still settles races.
            if (accounts.findByUsername(username).isPresent()) {
                throw nameTaken();
            }
            AccountRecord account;
            try {
                account = accounts.create(username, hasher.hash(password));
            } catch (NameTakenException e) {
                throw nameTaken();
            }
            log.info("account {} registered as {}", account.id(), account.username());
            return new LoginResult(account, sessions.create(account.id(), sessionTtl), List.of());
        });
    }

    /** As {@link #login(String, String, String)} from no known address (throttled per name only). */
    public CompletableFuture<LoginResult> login(String username, String password) {
        return login(username, password, null);
    }

    /**
     * Checks the password and starts a session. BAD_CREDENTIALS, the same for every failure;
     * TOO_MANY_ATTEMPTS after too many failures for the name or from {@code address} (null:
     * unknown), decided before any lookup or hash, alike for names with and without an account.
     */
    public CompletableFuture<LoginResult> login(String username, String password, String address) {
        return async("login", () -> {
            boolean wellFormed = username != null && password != null && NAME.matcher(username).matches()
                    && password.length() <= 4 * MAX_PASSWORD;
            // The fleet's key is a constant-time compare, no hash: bots logging in by the
            // thousand from one load generator are not password guesses.
            if (wellFormed && bots.admits(username, password)) {
                AccountRecord bot = botAccount(username, accounts.findByUsername(username).orElse(null));
                if (bot != null) {
                    return new LoginResult(bot, sessions.create(bot.id(), sessionTtl), characters.listByAccount(bot.id()));
                }
                // A normally registered account with a bot-like name: the key does not open it.
            }
            String throttled = wellFormed ? username : null;
            refuseIfThrottled(throttled, address);
            // Such names and passwords can never have been registered; nothing to hide by hashing.
            if (!wellFormed) {
                throw new GameException(ErrorCode.BAD_CREDENTIALS, BAD_CREDENTIALS);
            }
            AccountRecord account = accounts.findByUsername(username).orElse(null);
            boolean ok = hasher.verify(password, account != null ? account.passwordHash() : dummyHash);
            if (account == null || !ok) {
                throw new GameException(ErrorCode.BAD_CREDENTIALS, BAD_CREDENTIALS);
            }
            throttle.succeeded(throttled, address);
            String token = sessions.create(account.id(), sessionTtl);
            return new LoginResult(account, token, characters.listByAccount(account.id()));
        });
    }

    /**
     * Sets a new password for a logged-in account after checking the old one (throttled like a
     * login, under the account's name), and ends every other session of the account: the one of
     * {@code currentToken} stays. INVALID_PASSWORD (the new one breaks the rules),
     * TOO_MANY_ATTEMPTS, BAD_CREDENTIALS (the old one is wrong), SESSION_EXPIRED (no such
     * account any more).
     */
    public CompletableFuture<Void> changePassword(long accountId, String currentToken, String oldPassword,
                                                  String newPassword, String address) {
        return async("change password", () -> {
            GameException gone = new GameException(ErrorCode.SESSION_EXPIRED, "Your session has ended, please log in again");
            if (newPassword == null || !lengthBetween(newPassword, MIN_PASSWORD, MAX_PASSWORD)) {
                throw new GameException(ErrorCode.INVALID_PASSWORD,
                        "Passwords are " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
            }
            AccountRecord account = accounts.findById(accountId).orElseThrow(() -> gone);
            refuseIfThrottled(account.username(), address);
            if (oldPassword == null || oldPassword.length() > 4 * MAX_PASSWORD
                    || !hasher.verify(oldPassword, account.passwordHash())) {
                throw new GameException(ErrorCode.BAD_CREDENTIALS, "Wrong password");
            }
            throttle.succeeded(account.username(), address);
            if (!accounts.changePassword(accountId, hasher.hash(newPassword), currentToken)) {
                throw gone;
            }
            log.info("account {} changed its password; its other sessions are revoked", accountId);
            return null;
        });
    }

    /** Ends every session of the account: no token of it resumes any more. */
    public CompletableFuture<Void> logoutEverywhere(long accountId) {
        return async("log out everywhere", () -> {
            sessions.revokeAll(accountId);
            log.info("account {} logged out everywhere", accountId);
            return null;
        });
    }

    /** Counts an attempt for the name and address, or refuses it with how long to wait. */
    private void refuseIfThrottled(String username, String address) {
        Duration wait = throttle.tryAttempt(username, address);
        if (!wait.isZero()) {
            throw tooManyAttempts(wait);
        }
    }

    /** TOO_MANY_ATTEMPTS saying how long to wait, rounded up to whole seconds (minutes past two). */
    static GameException tooManyAttempts(Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        String when = seconds < 120 ? seconds + (seconds == 1 ? " second" : " seconds")
                : (seconds + 59) / 60 + " minutes";
        return new GameException(ErrorCode.TOO_MANY_ATTEMPTS, "Too many attempts; try again in " + when);
    }

    /** The fleet's account of that name, created if missing; null if a real account holds the name. */
    private AccountRecord botAccount(String username, AccountRecord existing) {
        if (existing == null) {
            try {
                AccountRecord created = accounts.create(username, BotFleet.BOT_HASH);
                log.debug("bot account {} created", username);
                return created;
            } catch (NameTakenException e) {
                existing = accounts.findByUsername(username).orElse(null);
            }
        }
        return existing != null && BotFleet.isBotAccount(existing.passwordHash()) ? existing : null;
    }

    /** The bot fleet settings (off unless the server has a bots key). */
    public BotFleet botFleet() {
        return bots;
    }

    /** Logs in again with a session token; the result carries the same token. SESSION_EXPIRED. */
    public CompletableFuture<LoginResult> resume(String token) {
        return async("resume", () -> {
            GameException expired = new GameException(ErrorCode.SESSION_EXPIRED,
                    "Your session has ended, please log in again");
            if (token == null || token.isEmpty() || token.length() > MAX_TOKEN) {
                throw expired;
            }
            long accountId = sessions.accountFor(token).orElseThrow(() -> expired);
            AccountRecord account = accounts.findById(accountId).orElseThrow(() -> expired);
            return new LoginResult(account, token, characters.listByAccount(accountId));
        });
    }

    /** Revokes the session; an unknown or expired token is not an error. */
    public CompletableFuture<Void> logout(String token) {
        return async("logout", () -> {
            if (token != null && !token.isEmpty() && token.length() <= MAX_TOKEN) {
                sessions.revoke(token);
            }
            return null;
        });
    }

    /**
     * Creates a character in the world it asks for ({@link CreateCharacter#getWorld()}, "" for
     * the first) at a point from that world's {@link StartPointPicker}. INVALID_NAME, BAD_REQUEST
     * (class, start choice or appearance out of range), NO_SUCH_WORLD, NAME_TAKEN,
     * TOO_MANY_CHARACTERS.
     */
    public CompletableFuture<CharacterRecord> createCharacter(long accountId, CreateCharacter req) {
        return async("create character", () -> {
            requireValidName(req.getName(), "Character names are 3 to 16 letters or digits");
            CharacterClass cls = req.getCharacterClass();
            if (cls == CharacterClass.UNRECOGNIZED) {
                throw new GameException(ErrorCode.BAD_REQUEST, "Unknown character class");
            }
            StartChoice start = req.getStart();
            if (start == StartChoice.UNRECOGNIZED) {
                throw new GameException(ErrorCode.BAD_REQUEST, "Unknown start choice");
            }
            Appearance appearance = validAppearance(req.getAppearance());
            WorldChoice.Choice world = worlds.choose(req.getWorld());
            StartPointPicker.Position at = world.startPoints().pick(cls, start);
            try {
                CharacterRecord created = characters.create(accountId, req.getName(), cls.getNumber(),
                        appearance.toByteArray(), world.world(), at.x(), at.y(), MAX_CHARACTERS_PER_ACCOUNT);
                log.info("account {} created character {} ({}) in {}", accountId, created.id(), created.name(), created.world());
                return created;
            } catch (NameTakenException e) {
                throw nameTaken();
            } catch (TooManyCharactersException e) {
                throw new GameException(ErrorCode.TOO_MANY_CHARACTERS,
                        "You already have " + MAX_CHARACTERS_PER_ACCOUNT + " characters");
            }
        });
    }

    /** The account's characters, oldest first. */
    public CompletableFuture<List<CharacterRecord>> listCharacters(long accountId) {
        return async("list characters", () -> characters.listByAccount(accountId));
    }

    /**
     * Claims the character for entering the world, if it belongs to the account: the result
     * carries the record and the new epoch the world saves it under; any earlier owner (another
     * connection or node still simulating it) is fenced out. NO_SUCH_CHARACTER otherwise, and
     * then nothing is claimed.
     */
    public CompletableFuture<CharacterClaim> loadCharacter(long accountId, long characterId) {
        return async("load character", () -> characters.claim(characterId, accountId)
                .orElseThrow(() -> new GameException(ErrorCode.NO_SUCH_CHARACTER, "No such character")));
    }

    /** The character as the protocol lists it. */
    public static CharacterSummary toSummary(CharacterRecord c) {
        return CharacterSummary.newBuilder()
                .setId(c.id())
                .setName(c.name())
                .setCharacterClassValue(c.characterClass())
                .setAppearance(appearance(c))
                .setWorld(c.world())
                .build();
    }

    /** The stored appearance; the default look if the stored bytes do not parse. */
    public static Appearance appearance(CharacterRecord c) {
        try {
            return Appearance.parseFrom(c.appearance());
        } catch (InvalidProtocolBufferException e) {
            log.warn("character {} has an unreadable appearance, showing the default", c.id(), e);
            return Appearance.getDefaultInstance();
        }
    }

    private static void requireValidName(String name, String rule) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new GameException(ErrorCode.INVALID_NAME, rule);
        }
    }

    private static boolean lengthBetween(String s, int min, int max) {
        int n = s.codePointCount(0, s.length());
        return n >= min && n <= max;
    }

    private static GameException nameTaken() {
        return new GameException(ErrorCode.NAME_TAKEN, "That name is taken");
    }

    /** Checks every field's range and drops unknown fields so only known data is stored. */
    private static Appearance validAppearance(Appearance a) {
        Outfit o = a.getOutfit();
        requireAtMost(a.getBody(), 1, "body");
        requireAtMost(a.getHairStyle(), 3, "hair style");
        requireAtMost(o.getTop(), 2, "top");
        requireAtMost(o.getBottom(), 2, "bottom");
        requireAtMost(o.getHat(), 2, "hat");
        requireAtMost(a.getSkinColor(), MAX_COLOR, "skin colour");
        requireAtMost(a.getHairColor(), MAX_COLOR, "hair colour");
        requireAtMost(o.getTopColor(), MAX_COLOR, "top colour");
        requireAtMost(o.getBottomColor(), MAX_COLOR, "bottom colour");
        requireAtMost(o.getShoesColor(), MAX_COLOR, "shoes colour");
        requireAtMost(o.getHatColor(), MAX_COLOR, "hat colour");
        return a.toBuilder()
                .setUnknownFields(UnknownFieldSet.getDefaultInstance())
                .setOutfit(o.toBuilder().setUnknownFields(UnknownFieldSet.getDefaultInstance()))
                .build();
    }

    /** {@code value} is a protobuf uint32, so compare it unsigned. */
    private static void requireAtMost(int value, int max, String what) {
        if (Integer.compareUnsigned(value, max) > 0) {
            throw new GameException(ErrorCode.BAD_REQUEST, "Appearance " + what + " is out of range");
        }
    }

    /** Runs {@code body} on the worker (see {@link GameException#async}). */
    private <T> CompletableFuture<T> async(String what, Supplier<T> body) {
        return GameException.async(worker, log, what, body);
    }
}

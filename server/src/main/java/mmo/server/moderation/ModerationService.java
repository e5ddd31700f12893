package mmo.server.moderation;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import mmo.protocol.AdminAction;
import mmo.protocol.AdminCommand;
import mmo.protocol.AdminResult;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.server.game.Chat;
import mmo.server.game.GameException;
import mmo.server.persistence.ModerationRepository;
import mmo.server.persistence.ModerationRepository.CharacterRef;
import mmo.server.persistence.ModerationRepository.IgnoreOutcome;
import mmo.server.persistence.ModerationRepository.Role;
import mmo.server.persistence.ModerationRepository.Standing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bans, mutes, ignore lists and admin commands. Database work runs on the {@code worker}
 * executor; every method returns at once and its future completes on a worker thread,
 * exceptionally only with a {@link GameException} safe to show to the player.
 *
 * <p>Chat asks, on the tick thread, who is muted and who ignores whom ({@link Chat.Moderation}):
 * that is answered from an in-memory copy of each logged-in account's mute and ignore list,
 * loaded at login ({@link #admit}, {@link #remember}) and replaced whole (immutable values in a
 * concurrent map) when a command changes it, so the tick never waits for the database. The
 * connection asks the same before passing chat on ({@link #mutedNow}) and before sending its
 * client a chat line ({@link #ignores}): in a cluster only the node holding the session has the
 * account's copy, and a mute set on another node replaces it there ({@link #muteChanged}). The
 * database stays the truth: bans are checked there at every login, so they hold on every server
 * sharing it. Thread-safe.
 */
public final class ModerationService implements Chat.Moderation {
    /** Most names on one account's ignore list. */
    public static final int MAX_IGNORES = 100;
    /** Longest reason an admin may give (it is shown to the player). */
    public static final int MAX_REASON = 200;
    /** Longest ban or mute with an end: ten years; longer is "for good" (duration 0). */
    public static final long MAX_DURATION_S = 10L * 366 * 24 * 3600;

    /** How old the role read that answers {@link #recheckAdmin} may be: a revoke stops an open dashboard feed within it. */
    public static final long ROLE_RECHECK_MILLIS = 5_000;

    private static final Logger log = LoggerFactory.getLogger(ModerationService.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]{3,16}");
    private static final String SERVER_ERROR = GameException.SERVER_ERROR_MESSAGE;

    /**
     * What commands do beyond the database, on this server: implemented by the server over its
     * sessions and worlds. Called on a worker thread; must not block.
     */
    public interface Effects {
        /** Closes the account's connection to this server; false if it has none. */
        boolean disconnect(long accountId, DisconnectReason reason, String message);

        /** Tells the account's player something as a SYSTEM chat, if it is connected here. */
        void notify(long accountId, String text);

        /** A SYSTEM chat to everyone in every world. */
        void broadcast(String text);

        /**
         * Tells the other servers (of a cluster) that the account's mute changed (0: lifted), so
         * the one holding its connection enforces it at once and shows the player {@code notice}
         * (none if empty). Nothing by default: a lone server's own copy is the only one.
         */
        default void muteChangedElsewhere(long accountId, long mutedUntil, String notice) {
        }

        /**
         * Moves the character, if it is in a world here (in a cluster: simulated on any node), to
         * (x, y) units, on the tick thread of its world; completes with the world's name, or
         * exceptionally with a {@link GameException}: NOT_ONLINE, BAD_REQUEST for a spot that is
         * not walkable, SERVER_ERROR for a node that did not answer. None here by default.
         */
        default CompletableFuture<String> teleport(String characterName, float x, float y) {
            return CompletableFuture.failedFuture(new GameException(ErrorCode.NOT_ONLINE, characterName + " is not in a world here"));
        }
    }

    /** How long a teleport waits for the world's tick thread before giving up. */
    static final long TELEPORT_WAIT_MS = 5_000;

    /** What a logged-in account's chat needs: its mute and whom it ignores (lower-case names). */
    private record Listening(int connections, long mutedUntil, Set<String> ignored) {}

    /** The result of {@link #admit}: what the connection remembers for chat, and the ignore list to send. */
    public record Admission(long accountId, long mutedUntil, List<String> ignored) {}

    private final ModerationRepository repo;
    private final Executor worker;
    private final Clock clock;
    private final Effects effects;
    private final ConcurrentHashMap<Long, Listening> online = new ConcurrentHashMap<>();

    /** An account's last role read for {@link #recheckAdmin}: when (the service's clock), and its outcome. */
    private record RoleCheck(long atMillis, CompletableFuture<Void> outcome) {}

    /** Only accounts whose dashboard feed was open (admins, a handful): never pruned. */
    private final ConcurrentHashMap<Long, RoleCheck> roleChecks = new ConcurrentHashMap<>();

    public ModerationService(ModerationRepository repo, Executor worker, Clock clock, Effects effects) {
        this.repo = Objects.requireNonNull(repo);
        this.worker = Objects.requireNonNull(worker);
        this.clock = Objects.requireNonNull(clock);
        this.effects = Objects.requireNonNull(effects);
    }

    // ------------------------------------------------------------------ login

    /**
     * Checks that the account may log in now: BANNED (saying until when and why) if it is
     * banned. Otherwise returns its mute and ignore list, for {@link #remember}.
     */
    public CompletableFuture<Admission> admit(long accountId) {
        return async("admit", () -> {
            Standing s = repo.standing(accountId)
                    .orElseThrow(() -> new GameException(ErrorCode.SESSION_EXPIRED, "Your session has ended, please log in again"));
            if (s.bannedAt(clock.millis())) {
                throw new GameException(ErrorCode.BANNED, bannedText(s.bannedUntil(), s.banReason()));
            }
            return new Admission(accountId, s.mutedUntil(), repo.ignoredNames(accountId));
        });
    }

    /** A connection of the account logged in with this admission: chat now follows it. Any thread. */
    public void remember(Admission a) {
        Set<String> names = lowerCase(a.ignored());
        online.merge(a.accountId(), new Listening(1, a.mutedUntil(), names),
                (old, fresh) -> new Listening(old.connections() + 1, fresh.mutedUntil(), fresh.ignored()));
    }

    /**
     * The account's mute changed (0: lifted), set here or by an admin on another server: chat
     * here enforces it from now on, if the account is logged in here. Any thread.
     */
    public void muteChanged(long accountId, long mutedUntil) {
        online.computeIfPresent(accountId, (id, l) -> new Listening(l.connections(), mutedUntil, l.ignored()));
    }

    /** One connection of the account closed; its chat data goes with the last one. Any thread. */
    public void forget(long accountId) {
        online.computeIfPresent(accountId, (id, l) -> l.connections() <= 1 ? null
                : new Listening(l.connections() - 1, l.mutedUntil(), l.ignored()));
    }

    private static String bannedText(long until, String reason) {
        return "This account is banned " + Chat.until(until) + (reason == null || reason.isEmpty() ? "" : ": " + reason);
    }

    // ------------------------------------------------------------------ chat (tick thread)

    @Override
    public long mutedUntil(long accountId) {
        Listening l = online.get(accountId);
        return l == null ? 0 : l.mutedUntil();
    }

    /** Until when the logged-in account is muted (epoch ms), or 0 if it is not now. Any thread. */
    public long mutedNow(long accountId) {
        long until = mutedUntil(accountId);
        return until > clock.millis() ? until : 0;
    }

    @Override
    public boolean ignores(long listenerAccountId, String speakerName) {
        Listening l = online.get(listenerAccountId);
        return l != null && !l.ignored().isEmpty() && l.ignored().contains(speakerName.toLowerCase(Locale.ROOT));
    }

    /** Whether the logged-in account ignores anybody: a cheap test before a chat line is decoded to ask {@link #ignores}. Any thread. */
    public boolean ignoresAnyone(long listenerAccountId) {
        Listening l = online.get(listenerAccountId);
        return l != null && !l.ignored().isEmpty();
    }

    // ------------------------------------------------------------------ ignore list

    /**
     * Adds a character to the account's ignore list; returns the new list. NO_SUCH_CHARACTER;
     * BAD_REQUEST for the account's own character or a full list ({@value #MAX_IGNORES}).
     */
    public CompletableFuture<List<String>> ignore(long accountId, String name) {
        return async("ignore", () -> {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new GameException(ErrorCode.NO_SUCH_CHARACTER, "No character is called that");
            }
            IgnoreOutcome outcome = repo.ignore(accountId, name, MAX_IGNORES, clock.millis());
            switch (outcome) {
                case NO_SUCH_CHARACTER -> throw new GameException(ErrorCode.NO_SUCH_CHARACTER, "No character is called " + name);
                case OWN_CHARACTER -> throw new GameException(ErrorCode.BAD_REQUEST, "You cannot ignore your own characters");
                case FULL -> throw new GameException(ErrorCode.BAD_REQUEST,
                        "Your ignore list is full (" + MAX_IGNORES + " names); unignore someone first");
                case ADDED, ALREADY -> { }
            }
            return refreshIgnores(accountId);
        });
    }

    /** Takes a character off the account's ignore list (not being on it is no error); returns the new list. */
    public CompletableFuture<List<String>> unignore(long accountId, String name) {
        return async("unignore", () -> {
            if (name != null && NAME.matcher(name).matches()) repo.unignore(accountId, name);
            return refreshIgnores(accountId);
        });
    }

    private List<String> refreshIgnores(long accountId) {
        List<String> names = repo.ignoredNames(accountId);
        Set<String> lower = lowerCase(names);
        online.computeIfPresent(accountId, (id, l) -> new Listening(l.connections(), l.mutedUntil(), lower));
        return names;
    }

    private static Set<String> lowerCase(List<String> names) {
        Set<String> out = new HashSet<>();
        for (String n : names) out.add(n.toLowerCase(Locale.ROOT));
        return Set.copyOf(out);
    }

    // ------------------------------------------------------------------ admin commands

    /**
     * Completes if the account has the admin role (read from the database, so a revoke holds at
     * the next check), else exceptionally with PERMISSION_DENIED. For a request to watch the
     * dashboard.
     */
    public CompletableFuture<Void> requireAdmin(long accountId) {
        long now = clock.millis();
        CompletableFuture<Void> outcome = readAdminRole(accountId);
        // the freshest read answers the feed's re-checks: a re-granted admin's new feed is not
        // stopped by the refusal that stopped the old one
        roleChecks.computeIfPresent(accountId, (id, last) -> new RoleCheck(now, outcome));
        return outcome;
    }

    /**
     * As {@link #requireAdmin}, for the dashboard's open feed, which asks at every feed (twice a
     * second): the database is read again only once the account's last read here is
     * {@link #ROLE_RECHECK_MILLIS} old (or the clock went back); until then that read's outcome,
     * perhaps still pending, is the answer, shared by all the account's connections. So a revoke
     * stops an open feed within 5 s, at one query per watching admin per 5 s. Any thread.
     */
    public CompletableFuture<Void> recheckAdmin(long accountId) {
        long now = clock.millis();
        RoleCheck last = roleChecks.get(accountId);
        if (last != null && now >= last.atMillis() && now - last.atMillis() < ROLE_RECHECK_MILLIS) return last.outcome();
        CompletableFuture<Void> outcome = readAdminRole(accountId);
        roleChecks.put(accountId, new RoleCheck(now, outcome));
        return outcome;
    }

    private CompletableFuture<Void> readAdminRole(long accountId) {
        return async("admin check", () -> {
            Role role = repo.standing(accountId).map(Standing::role).orElse(Role.PLAYER);
            if (role != Role.ADMIN) throw new GameException(ErrorCode.PERMISSION_DENIED, "Only admins can do that");
            return null;
        });
    }

    /**
     * Carries out an admin command of the account {@code actorId} and records it (refused ones
     * too) in the audit log. PERMISSION_DENIED unless the account is an admin (read from the
     * database each time, so a revoke holds at once); BAD_REQUEST, NO_SUCH_CHARACTER,
     * NOT_ONLINE (KICK of a character not connected here), CHAT_REJECTED (a broadcast's text).
     */
    public CompletableFuture<AdminResult> admin(long actorId, AdminCommand cmd) {
        // a TELEPORT's result waits for the world's tick: composed, so that no worker is held meanwhile
        return this.<CompletableFuture<AdminResult>>async("admin command", () -> {
            Standing actor = repo.standing(actorId).orElse(new Standing(actorId, "", Role.PLAYER, 0, "", 0));
            AdminAction action = cmd.getAction();
            String target = cmd.getTarget();
            Long duration = action == AdminAction.BAN || action == AdminAction.MUTE ? cmd.getDurationS() : null;
            String reason = cmd.getReason();
            Long targetAccount = null;
            try {
                if (actor.role() != Role.ADMIN) {
                    throw new GameException(ErrorCode.PERMISSION_DENIED, "Only admins can do that");
                }
                reason = cleanReason(reason);
                if (action == AdminAction.BROADCAST) {
                    String text = Chat.clean(cmd.getText());
                    target = "";
                    repo.audit(audit(actor, action, "", null, null, text, "done"));
                    effects.broadcast(text);
                    log.info("admin {} broadcast: {}", actor.username(), text);
                    return CompletableFuture.completedFuture(AdminResult.newBuilder().setAction(action).setMessage("Broadcast sent").build());
                }
                if (action == AdminAction.ADMIN_ACTION_UNSPECIFIED || action == AdminAction.UNRECOGNIZED) {
                    throw new GameException(ErrorCode.BAD_REQUEST, "Unknown admin action");
                }
                if (!NAME.matcher(target).matches()) {
                    throw new GameException(ErrorCode.NO_SUCH_CHARACTER, "No character is called that");
                }
                String typed = target;
                CharacterRef ch = repo.findCharacter(target)
                        .orElseThrow(() -> new GameException(ErrorCode.NO_SUCH_CHARACTER, "No character is called " + typed));
                target = ch.name();
                targetAccount = ch.accountId();
                if (action == AdminAction.TELEPORT) return teleport(actor, ch, cmd, reason);
                if (ch.accountId() == actorId && action != AdminAction.UNBAN && action != AdminAction.UNMUTE) {
                    throw new GameException(ErrorCode.BAD_REQUEST, "You cannot do that to your own account");
                }
                ModerationRepository.Audit done = audit(actor, action, target, targetAccount, duration, reason, "done");
                AdminResult result = apply(action, ch, duration == null ? 0 : duration, reason, done);
                log.info("admin {}: {} {} ({})", actor.username(), action, target, result.getMessage());
                return CompletableFuture.completedFuture(result);
            } catch (GameException e) {
                if (e.code() != ErrorCode.SERVER_ERROR) {
                    repo.audit(audit(actor, action, target, targetAccount, duration, cmd.getReason(), "refused: " + e.getMessage()));
                }
                throw e;
            }
        }).thenCompose(result -> result);
    }

    /** Carries out a command; the database changes are written with {@code audit} in one transaction. */
    private AdminResult apply(AdminAction action, CharacterRef ch, long durationS, String reason, ModerationRepository.Audit audit) {
        AdminResult.Builder r = AdminResult.newBuilder().setAction(action).setTarget(ch.name());
        String why = reason.isEmpty() ? "" : ": " + reason;
        switch (action) {
            case KICK -> {
                if (!effects.disconnect(ch.accountId(), DisconnectReason.KICKED, "An admin removed you from the game" + why)) {
                    throw new GameException(ErrorCode.NOT_ONLINE, ch.name() + " is not online");
                }
                repo.audit(audit); // after the fact: a kick cannot wait for, or be undone by, the database
                return r.setMessage("Kicked " + ch.name()).build();
            }
            case BAN -> {
                long until = untilAfter(durationS, true);
                repo.ban(ch.accountId(), until, reason, audit);
                effects.disconnect(ch.accountId(), DisconnectReason.BANNED_CLOSE, bannedText(until, reason));
                return r.setMessage("Banned " + ch.name() + "'s account " + Chat.until(until))
                        .setUntilMs(until == ModerationRepository.FOREVER ? 0 : until).build();
            }
            case UNBAN -> {
                boolean was = repo.unban(ch.accountId(), audit);
                return r.setMessage(was ? "Unbanned " + ch.name() + "'s account" : ch.name() + "'s account was not banned").build();
            }
            case MUTE -> {
                long until = untilAfter(durationS, false);
                repo.mute(ch.accountId(), until, audit);
                muteChanged(ch.accountId(), until);
                String notice = "You are muted " + Chat.until(until) + why;
                effects.notify(ch.accountId(), notice);
                effects.muteChangedElsewhere(ch.accountId(), until, notice);
                return r.setMessage("Muted " + ch.name() + " " + Chat.until(until)).setUntilMs(until).build();
            }
            case UNMUTE -> {
                boolean was = repo.unmute(ch.accountId(), audit);
                muteChanged(ch.accountId(), 0);
                String notice = was ? "You may chat again" : "";
                if (was) effects.notify(ch.accountId(), notice);
                effects.muteChangedElsewhere(ch.accountId(), 0, notice);
                return r.setMessage(was ? "Unmuted " + ch.name() : ch.name() + " was not muted").build();
            }
            default -> throw new GameException(ErrorCode.BAD_REQUEST, "Unknown admin action");
        }
    }

    /**
     * Moves the character on its world's tick; the outcome is audited on a worker once the world
     * answers (or has not within {@link #TELEPORT_WAIT_MS}). Called on a worker; does not wait.
     */
    private CompletableFuture<AdminResult> teleport(Standing actor, CharacterRef ch, AdminCommand cmd, String reason) {
        float x = cmd.getX() / 16f, y = cmd.getY() / 16f;
        return effects.teleport(ch.name(), x, y)
                .orTimeout(TELEPORT_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
                .handleAsync((world, err) -> {
                    if (err == null) {
                        String done = String.format(Locale.ROOT, "to (%.1f, %.1f) in %s", x, y, world);
                        repo.audit(audit(actor, AdminAction.TELEPORT, ch.name(), ch.accountId(), null, reason, "done: " + done));
                        log.info("admin {}: teleported {} {}", actor.username(), ch.name(), done);
                        return AdminResult.newBuilder().setAction(AdminAction.TELEPORT).setTarget(ch.name())
                                .setMessage("Teleported " + ch.name() + " " + done).build();
                    }
                    Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                            ? err.getCause() : err;
                    GameException refused;
                    if (cause instanceof GameException ge) {
                        refused = ge;
                    } else if (cause instanceof java.util.concurrent.TimeoutException) {
                        refused = new GameException(ErrorCode.SERVER_ERROR, "The world did not answer in time; try again");
                    } else {
                        log.error("teleport of {} failed", ch.name(), cause);
                        refused = new GameException(ErrorCode.SERVER_ERROR, SERVER_ERROR);
                    }
                    if (refused.code() != ErrorCode.SERVER_ERROR) {
                        repo.audit(audit(actor, AdminAction.TELEPORT, ch.name(), ch.accountId(), null, cmd.getReason(),
                                "refused: " + refused.getMessage()));
                    }
                    throw refused;
                }, worker);
    }

    /** Epoch ms {@code durationS} from now; 0 = for good (bans only). */
    private long untilAfter(long durationS, boolean zeroIsForever) {
        if (durationS == 0) {
            if (zeroIsForever) return ModerationRepository.FOREVER;
            throw new GameException(ErrorCode.BAD_REQUEST, "Say how long, e.g. 10m");
        }
        if (durationS < 0 || durationS > MAX_DURATION_S) { // a uint64 past 2^63 is negative here
            throw new GameException(ErrorCode.BAD_REQUEST, "At most ten years; 0 bans for good");
        }
        return clock.millis() + durationS * 1000;
    }

    private static String cleanReason(String reason) {
        if (reason == null || reason.isBlank()) return "";
        if (reason.codePointCount(0, reason.length()) > MAX_REASON) {
            throw new GameException(ErrorCode.BAD_REQUEST, "The reason is longer than " + MAX_REASON + " characters");
        }
        return Chat.clean(reason);
    }

    private ModerationRepository.Audit audit(Standing actor, AdminAction action, String target, Long targetAccount,
                                             Long duration, String reason, String outcome) {
        return new ModerationRepository.Audit(clock.millis(), actor.accountId(), actor.username(), action.name(),
                target == null ? "" : truncate(target), targetAccount, duration, reason == null ? "" : truncate(reason),
                truncate(outcome));
    }

    private static String truncate(String s) {
        return s.length() > 2 * MAX_REASON ? s.substring(0, 2 * MAX_REASON) : s;
    }

    /** Runs {@code body} on the worker (see {@link GameException#async}). */
    private <T> CompletableFuture<T> async(String what, Supplier<T> body) {
        return GameException.async(worker, log, what, body);
    }
}

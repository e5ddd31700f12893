package mmo.server.account;

import java.util.Locale;
import mmo.protocol.ErrorCode;
import mmo.server.game.GameException;

/**
 * Which world a new character belongs to, and where in it it starts: the deployment's list of
 * worlds as {@link AccountService} needs it. Called on the service's worker threads, so
 * implementations must be thread-safe.
 */
public interface WorldChoice {
    /**
     * The world named {@code requested} (ignoring case), or the first world for "".
     *
     * @throws GameException NO_SUCH_WORLD when no world has that name
     */
    Choice choose(String requested);

    /** A world as configured (its exact name) and its start points. */
    record Choice(String world, StartPointPicker startPoints) {
    }

    /** A deployment of one world. */
    static WorldChoice only(String world, StartPointPicker startPoints) {
        Choice only = new Choice(world, startPoints);
        return requested -> {
            if (requested == null || requested.isEmpty() || requested.equalsIgnoreCase(world)) return only;
            throw noSuchWorld(requested);
        };
    }

    /** The refusal for a world name that is not configured (the name shortened for the message). */
    static GameException noSuchWorld(String requested) {
        String shown = requested.length() > 40 ? requested.substring(0, 40) + "…" : requested;
        return new GameException(ErrorCode.NO_SUCH_WORLD, "There is no world named '" + shown + "'");
    }

    /** The key world names are compared by: names are unique ignoring case. */
    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}

package mmo.server.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import mmo.server.world.map.TileMap;

/**
 * The load-test bot fleet: which logins may skip password hashing, and where bot characters
 * appear. Off unless the server was started with a bots key ({@code mmo.bots.key}).
 *
 * <p>The rule that keeps real accounts safe: the fast path only ever logs into accounts it
 * created itself, recognised by {@link #BOT_HASH} in the password-hash column. That value is
 * not an Argon2 encoding, so no password ever verifies against it through the normal login;
 * and an account registered normally (even one named {@code bot5}) never has it, so the key
 * does not open it. Immutable; any thread.
 */
public final class BotFleet {
    /** Password-hash column value of accounts the fleet created; never a valid hash. */
    public static final String BOT_HASH = "!bot-fleet";
    private static final Pattern BOT_NAME = Pattern.compile("bot\\d{1,7}");
    private static final Pattern RESERVED = Pattern.compile("(?i)bot\\d{1,7}");

    /**
     * Whether a username belongs to the bot fleet's range ({@code bot1} .. {@code bot9999999},
     * in any case): never registered by people, so turning the fleet on later can never meet
     * a real account in its range.
     */
    public static boolean isReservedName(String username) {
        return username != null && RESERVED.matcher(username).matches();
    }

    /** Where bot characters appear on entering the world. */
    public sealed interface Spawn permits Random, Square {
    }

    /** A uniformly random walkable point of the whole map. */
    public record Random() implements Spawn {
    }

    /** A uniformly random walkable point inside the square [x, x+size) x [y, y+size), in world units. */
    public record Square(int x, int y, int size) implements Spawn {
    }

    private final byte[] key;
    private final Spawn spawn;
    private final TileMap map;

    private BotFleet(String key, Spawn spawn, TileMap map) {
        this.key = key == null || key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
        this.spawn = spawn;
        this.map = map;
    }

    /** A fleet that admits no one. */
    public static BotFleet disabled() {
        return new BotFleet(null, new Random(), null);
    }

    /**
     * @param key   the bots key; empty or null turns the fleet off
     * @param spawn {@code random} or {@code square:X,Y,SIZE}
     * @param map   the first world's map, for {@link #spawnPoint()}
     */
    public static BotFleet of(String key, String spawn, TileMap map) {
        return new BotFleet(key, parseSpawn(spawn), map);
    }

    /** Parses a spawn setting; throws {@link IllegalArgumentException} with the rule if malformed. */
    public static Spawn parseSpawn(String s) {
        if (s == null || s.isEmpty() || s.equals("random")) return new Random();
        if (s.startsWith("square:")) {
            String[] p = s.substring("square:".length()).split(",", -1);
            if (p.length == 3) {
                try {
                    int x = Integer.parseInt(p[0].trim()), y = Integer.parseInt(p[1].trim());
                    int size = Integer.parseInt(p[2].trim());
                    if (x >= 0 && y >= 0 && size >= 1) return new Square(x, y, size);
                } catch (NumberFormatException e) {
                    // falls through to the error below
                }
            }
        }
        throw new IllegalArgumentException("mmo.bots.spawn must be \"random\" or \"square:X,Y,SIZE\", got \"" + s + "\"");
    }

    public boolean enabled() {
        return key != null;
    }

    public Spawn spawn() {
        return spawn;
    }

    /** Whether this login may take the fast path: fleet on, a bot name, the right key (constant time). */
    boolean admits(String username, String password) {
        if (key == null || username == null || password == null || !BOT_NAME.matcher(username).matches()) {
            return false;
        }
        return MessageDigest.isEqual(key, password.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the account was created by the fleet. */
    public static boolean isBotAccount(String passwordHash) {
        return BOT_HASH.equals(passwordHash);
    }

    /**
     * A spawn point for a bot character entering the world: walkable, chosen uniformly among
     * the walkable tiles of the map or of the square (tile centres).
     */
    public TileMap.Point spawnPoint() {
        return spawnPoint(map);
    }

    /** As {@link #spawnPoint()}, on {@code map}: the map of the world the bot enters. */
    public TileMap.Point spawnPoint(TileMap map) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (spawn instanceof Square sq) {
            int x0 = Math.max(0, sq.x()), y0 = Math.max(0, sq.y());
            int x1 = Math.min(map.width(), sq.x() + sq.size()), y1 = Math.min(map.height(), sq.y() + sq.size());
            if (x1 > x0 && y1 > y0) {
                for (int i = 0; i < 1000; i++) {
                    int tx = x0 + rnd.nextInt(x1 - x0), ty = y0 + rnd.nextInt(y1 - y0);
                    if (!map.isBlocked(tx, ty)) return new TileMap.Point(tx + 0.5f, ty + 0.5f);
                }
            }
            // A square without walkable tiles is a configuration mistake; do not strand the bot.
        }
        return map.randomWalkablePoint(rnd);
    }
}

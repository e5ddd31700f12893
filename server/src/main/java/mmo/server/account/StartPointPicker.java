package mmo.server.account;

import mmo.protocol.CharacterClass;
import mmo.protocol.StartChoice;

/**
 * Chooses where a new character first stands in the world. Implemented by the game (it knows
 * the map). Called on {@link AccountService}'s worker thread, possibly from several at once, so
 * implementations must be thread-safe.
 */
public interface StartPointPicker {
    /** A free, walkable position for a new character of {@code cls}, per the player's choice. */
    Position pick(CharacterClass cls, StartChoice choice);

    /** A point in world units (tiles). */
    record Position(float x, float y) {
    }
}

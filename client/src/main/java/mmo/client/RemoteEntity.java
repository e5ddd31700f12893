package mmo.client;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.Emote;
import mmo.protocol.EntityKind;

/**
 * An entity the client currently sees, as of one moment of the {@link WorldView}.
 *
 * <p>Immutable; any thread.
 *
 * @param id             entity id, unique within the world
 * @param kind           what kind of entity it is
 * @param name           display name
 * @param characterClass class of a player character
 * @param appearance     how it looks (updated by appearance events)
 * @param x              position in world units (one unit = one tile)
 * @param y              position in world units
 * @param emote          the most recent emote it did, {@code EMOTE_NONE} once it moved since
 * @param emoteTick      server tick at which {@code emote} was seen (for timing out short
 *                       emotes such as WAVE), 0 if unknown or none
 */
public record RemoteEntity(int id, EntityKind kind, String name, CharacterClass characterClass,
                           Appearance appearance, float x, float y, Emote emote, int emoteTick,
                           GameState game) {
    /**
     * What the game shows of an entity: level and health (players and creatures), whether it is
     * dead, what a player wears, a creature's kind, what a loot entity holds.
     */
    public record GameState(int level, int health, int maxHealth, boolean dead, mmo.protocol.Equipment equipment,
                            String creature, mmo.protocol.Item item, long gold) {
        /** The game state of an entity in a world without a game (or a player before its stats arrive). */
        public static final GameState NONE = new GameState(0, 0, 0, false, mmo.protocol.Equipment.getDefaultInstance(),
                "", null, 0);
    }

    /** An entity of a world without a game. */
    public RemoteEntity(int id, EntityKind kind, String name, CharacterClass characterClass,
                        Appearance appearance, float x, float y, Emote emote, int emoteTick) {
        this(id, kind, name, characterClass, appearance, x, y, emote, emoteTick, GameState.NONE);
    }
}

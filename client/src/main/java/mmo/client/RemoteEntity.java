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
                           Appearance appearance, float x, float y, Emote emote, int emoteTick) {
}

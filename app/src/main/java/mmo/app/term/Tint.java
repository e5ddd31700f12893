package mmo.app.term;

/** The colour role of a cell of the terminal screen; the Lanterna layer maps each to a colour. */
public enum Tint {
    TEXT, DIM, GROUND, GRASS, ROAD, SAND, SNOW, WATER, TREE, WALL,
    SELF, PLAYER, CREATURE, LOOT, DEAD,
    STATUS, SAY, WORLD, WHISPER, SYSTEM, ERROR, INPUT
}

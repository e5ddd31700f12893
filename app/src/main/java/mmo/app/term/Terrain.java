package mmo.app.term;

import java.util.Locale;

/** What a map tile is, as far as a terminal shows it: its glyph and its colour. */
public enum Terrain {
    GROUND('.', Tint.GROUND),
    GRASS(',', Tint.GRASS),
    ROAD(':', Tint.ROAD),
    SAND('.', Tint.SAND),
    SNOW('.', Tint.SNOW),
    BRIDGE('=', Tint.ROAD),
    WATER('~', Tint.WATER),
    TREE('^', Tint.TREE),
    ROCK('*', Tint.WALL),
    WALL('#', Tint.WALL),
    FENCE('+', Tint.WALL),
    /** Any other blocking tile. */
    OBSTACLE('#', Tint.WALL),
    /** Beyond the map's edges. */
    OUTSIDE(' ', Tint.TEXT);

    public final char glyph;
    public final Tint tint;

    Terrain(char glyph, Tint tint) {
        this.glyph = glyph;
        this.tint = tint;
    }

    /** The terrain of a tileset tile, from its {@code name} property (e.g. "water_deep") and whether it blocks. */
    static Terrain classify(String name, boolean collides) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("water")) return WATER;
        if (n.contains("bridge")) return n.contains("rail") ? FENCE : BRIDGE;
        if (n.contains("tree") || n.contains("pine") || n.contains("bush") || n.contains("hedge")
                || n.contains("stump")) return TREE;
        if (n.contains("rock")) return ROCK;
        if (n.contains("fence") || n.contains("palisade")) return FENCE;
        if (n.contains("wall") || n.contains("roof") || n.contains("window") || n.contains("door")) return WALL;
        if (collides) return OBSTACLE;
        if (n.contains("grass") || n.contains("flower") || n.contains("reed") || n.contains("farm")) return GRASS;
        if (n.contains("cobble") || n.contains("plaza") || n.contains("dirt") || n.contains("road")) return ROAD;
        if (n.contains("sand")) return SAND;
        if (n.contains("snow")) return SNOW;
        return GROUND;
    }
}

package mmo.app.bots;

import java.util.Locale;

/**
 * The standard workloads of WORKLOADS.md: where bots spawn (a server setting) and the area
 * they keep to (the bots' own rule). The world is 1024 x 1024 units.
 */
public enum Workload {
    /** Spawn anywhere walkable, wander the whole map. */
    OPEN_WORLD_WALK("open-world-walk", "random", 0, 0, 1024),
    /** Spawn and stay in one 48 x 48 square around the central plaza (512, 512). */
    CROWD("crowd", "square:488,488,48", 488, 488, 48);

    private final String id;
    private final String spawn;
    private final int x, y, size;

    Workload(String id, String spawn, int x, int y, int size) {
        this.id = id;
        this.spawn = spawn;
        this.x = x;
        this.y = y;
        this.size = size;
    }

    /** The name used on the command line and in the report. */
    public String id() {
        return id;
    }

    /** The server's {@code mmo.bots.spawn} setting for this workload. */
    public String spawn() {
        return spawn;
    }

    public float minX() { return x; }
    public float minY() { return y; }
    public float maxX() { return x + size; }
    public float maxY() { return y + size; }

    public static Workload parse(String s) {
        for (Workload w : values()) {
            if (w.id.equals(s.toLowerCase(Locale.ROOT))) return w;
        }
        throw new IllegalArgumentException("unknown workload '" + s + "' (open-world-walk or crowd)");
    }

    /** Picocli converter. */
    public static final class Converter implements picocli.CommandLine.ITypeConverter<Workload> {
        @Override
        public Workload convert(String value) {
            return parse(value);
        }
    }
}

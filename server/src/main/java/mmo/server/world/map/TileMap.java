package mmo.server.world.map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import mmo.protocol.CharacterClass;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The collision map of a world, read from a Tiled JSON map ({@code .tmj}). One tile is one
 * world unit. A tile is blocked when any tile layer holds, at that position, a tile whose
 * tileset entry has the property {@code collides = true}. Spawn areas come from the object
 * layer {@code spawns}: rectangles (in pixels) of type {@code home} (with a {@code class}
 * property) and {@code safe}.
 *
 * <p>Immutable after loading; any thread may read it.
 */
public final class TileMap {
    /** A point in world units. */
    public record Point(float x, float y) {}

    /** A spawn rectangle in world units (tiles). {@code characterClass} is set for home areas. */
    public record SpawnArea(String name, String kind, CharacterClass characterClass,
                            int x, int y, int width, int height) {
        public boolean contains(float px, float py) {
            return px >= x && py >= y && px < x + width && py < y + height;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GID_MASK = 0x0FFFFFFF; // Tiled keeps flip flags in the top bits

    private final String resourcePath;
    private final int width;
    private final int height;
    private final int tileWidthPx;
    private final BitSet blocked;
    private final List<SpawnArea> spawnAreas;
    private final Map<CharacterClass, SpawnArea> homes;
    private final List<SpawnArea> safeAreas;

    private TileMap(String resourcePath, int width, int height, int tileWidthPx, BitSet blocked,
                    List<SpawnArea> spawnAreas) {
        this.resourcePath = resourcePath;
        this.width = width;
        this.height = height;
        this.tileWidthPx = tileWidthPx;
        this.blocked = blocked;
        this.spawnAreas = List.copyOf(spawnAreas);
        this.homes = new EnumMap<>(CharacterClass.class);
        List<SpawnArea> safe = new ArrayList<>();
        for (SpawnArea a : spawnAreas) {
            if (a.kind().equals("home") && a.characterClass() != null) homes.putIfAbsent(a.characterClass(), a);
            if (a.kind().equals("safe")) safe.add(a);
        }
        this.safeAreas = List.copyOf(safe);
    }

    /** Loads a map from a file if {@code location} names one, else from the classpath. */
    public static TileMap loadFileOrResource(String location) {
        Path file = Path.of(location);
        return Files.isRegularFile(file) ? load(file) : loadResource(location);
    }

    /** Loads a map from the classpath, e.g. {@code maps/world.tmj}. */
    public static TileMap loadResource(String resource) {
        String name = resource.startsWith("/") ? resource.substring(1) : resource;
        try (InputStream in = TileMap.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalArgumentException("map not found on the classpath: " + name);
            return parse(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read map " + name, e);
        }
    }

    /**
     * Loads a map from a file; its {@link #resourcePath()} is {@code maps/<file name>}, where the
     * HTTP side serves the file's directory.
     */
    public static TileMap load(Path file) {
        try {
            return parse("maps/" + file.getFileName(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read map " + file, e);
        }
    }

    static TileMap parse(String resourcePath, byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("map " + resourcePath + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!"orthogonal".equals(root.path("orientation").asText("orthogonal"))) {
            throw bad(resourcePath, "only orthogonal maps are supported");
        }
        if (root.path("infinite").asBoolean(false)) throw bad(resourcePath, "infinite maps are not supported");
        int width = root.path("width").asInt();
        int height = root.path("height").asInt();
        int tw = root.path("tilewidth").asInt();
        int th = root.path("tileheight").asInt();
        if (width <= 0 || height <= 0 || tw <= 0 || tw != th) {
            throw bad(resourcePath, "width, height and square tiles are required");
        }

        BitSet collidingGids = new BitSet();
        for (JsonNode ts : root.path("tilesets")) {
            if (ts.has("source")) throw bad(resourcePath, "external tilesets are not supported; embed the tileset");
            int first = ts.path("firstgid").asInt(1);
            for (JsonNode tile : ts.path("tiles")) {
                for (JsonNode p : tile.path("properties")) {
                    if ("collides".equals(p.path("name").asText()) && p.path("value").asBoolean(false)) {
                        collidingGids.set(first + tile.path("id").asInt());
                    }
                }
            }
        }

        BitSet blocked = new BitSet(width * height);
        List<SpawnArea> spawns = new ArrayList<>();
        int tileLayers = 0;
        for (JsonNode layer : root.path("layers")) {
            switch (layer.path("type").asText()) {
                case "tilelayer" -> {
                    tileLayers++;
                    if (layer.path("width").asInt(width) != width || layer.path("height").asInt(height) != height) {
                        throw bad(resourcePath, "layer '" + layer.path("name").asText() + "' is not the map's size");
                    }
                    int[] gids = layerData(resourcePath, layer, width * height);
                    for (int i = 0; i < gids.length; i++) {
                        if (collidingGids.get(gids[i] & GID_MASK)) blocked.set(i);
                    }
                }
                case "objectgroup" -> {
                    if (!"spawns".equals(layer.path("name").asText())) continue;
                    for (JsonNode o : layer.path("objects")) spawns.add(spawnArea(resourcePath, o, tw));
                }
                default -> { }
            }
        }
        if (tileLayers == 0) throw bad(resourcePath, "no tile layer");
        return new TileMap(resourcePath, width, height, tw, blocked, spawns);
    }

    private static SpawnArea spawnArea(String map, JsonNode o, int tilePx) {
        String kind = o.hasNonNull("type") && !o.path("type").asText().isEmpty()
                ? o.path("type").asText() : o.path("class").asText();
        kind = kind.toLowerCase(Locale.ROOT);
        CharacterClass cls = null;
        for (JsonNode p : o.path("properties")) {
            if ("class".equals(p.path("name").asText())) {
                String v = p.path("value").asText().toUpperCase(Locale.ROOT);
                try {
                    cls = CharacterClass.valueOf(v);
                } catch (IllegalArgumentException e) {
                    throw bad(map, "spawn '" + o.path("name").asText() + "' names an unknown class " + v);
                }
            }
        }
        if (kind.equals("home") && cls == null) {
            throw bad(map, "home spawn '" + o.path("name").asText() + "' has no class property");
        }
        int x = (int) Math.floor(o.path("x").asDouble() / tilePx);
        int y = (int) Math.floor(o.path("y").asDouble() / tilePx);
        int w = Math.max(1, (int) Math.round(o.path("width").asDouble() / tilePx));
        int h = Math.max(1, (int) Math.round(o.path("height").asDouble() / tilePx));
        return new SpawnArea(o.path("name").asText(), kind, cls, x, y, w, h);
    }

    private static int[] layerData(String map, JsonNode layer, int count) {
        JsonNode data = layer.path("data");
        int[] out = new int[count];
        if (data.isArray()) {
            if (data.size() != count) throw bad(map, "layer '" + layer.path("name").asText() + "' has " + data.size() + " tiles, expected " + count);
            for (int i = 0; i < count; i++) out[i] = (int) data.get(i).asLong();
            return out;
        }
        if (!"base64".equals(layer.path("encoding").asText())) {
            throw bad(map, "layer '" + layer.path("name").asText() + "': unsupported encoding");
        }
        byte[] raw = Base64.getDecoder().decode(data.asText().strip());
        String compression = layer.path("compression").asText("");
        try {
            raw = switch (compression) {
                case "" -> raw;
                case "zlib" -> new InflaterInputStream(new ByteArrayInputStream(raw)).readAllBytes();
                case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(raw)).readAllBytes();
                default -> throw bad(map, "unsupported compression " + compression);
            };
        } catch (IOException e) {
            throw bad(map, "layer '" + layer.path("name").asText() + "' does not decompress: " + e.getMessage());
        }
        if (raw.length != count * 4) throw bad(map, "layer '" + layer.path("name").asText() + "' has the wrong size");
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) out[i] = buf.getInt();
        return out;
    }

    private static IllegalArgumentException bad(String map, String what) {
        return new IllegalArgumentException("map " + map + ": " + what);
    }

    public String resourcePath() { return resourcePath; }
    public int width() { return width; }
    public int height() { return height; }
    public int tileWidthPx() { return tileWidthPx; }
    public List<SpawnArea> spawnAreas() { return spawnAreas; }

    /** True for tiles that block movement; everything outside the map is blocked. */
    public boolean isBlocked(int tx, int ty) {
        if (tx < 0 || ty < 0 || tx >= width || ty >= height) return true;
        return blocked.get(ty * width + tx);
    }

    /** True if the tile under the point (world units) can be walked on. */
    public boolean isWalkable(float x, float y) {
        return !isBlocked((int) Math.floor(x), (int) Math.floor(y));
    }

    /** The home area of a class; falls back to the first safe area, then the map centre. */
    public SpawnArea home(CharacterClass cls) {
        SpawnArea a = cls == null ? null : homes.get(cls);
        if (a != null) return a;
        if (!safeAreas.isEmpty()) return safeAreas.get(0);
        return new SpawnArea("centre", "safe", null, width / 2 - 1, height / 2 - 1, 2, 2);
    }

    /**
     * A walkable point (a tile centre) inside the area, found by trying random tiles and then
     * scanning it; throws if the area holds no walkable tile.
     */
    public Point randomPointIn(SpawnArea area, RandomGenerator rnd) {
        for (int i = 0; i < 64; i++) {
            int tx = area.x() + rnd.nextInt(area.width());
            int ty = area.y() + rnd.nextInt(area.height());
            if (!isBlocked(tx, ty)) return new Point(tx + 0.5f, ty + 0.5f);
        }
        for (int ty = area.y(); ty < area.y() + area.height(); ty++) {
            for (int tx = area.x(); tx < area.x() + area.width(); tx++) {
                if (!isBlocked(tx, ty)) return new Point(tx + 0.5f, ty + 0.5f);
            }
        }
        throw new IllegalStateException("spawn area '" + area.name() + "' of map " + resourcePath + " has no walkable tile");
    }

    /** A walkable point in a random safe area (or, without safe areas, in a random home). */
    public Point randomSafeStart(RandomGenerator rnd) {
        List<SpawnArea> pool = !safeAreas.isEmpty() ? safeAreas : List.copyOf(homes.values());
        if (pool.isEmpty()) return randomWalkablePoint(rnd);
        return randomPointIn(pool.get(rnd.nextInt(pool.size())), rnd);
    }

    /** A random walkable tile centre anywhere on the map. */
    public Point randomWalkablePoint(RandomGenerator rnd) {
        for (int i = 0; i < 10_000; i++) {
            int tx = rnd.nextInt(width);
            int ty = rnd.nextInt(height);
            if (!isBlocked(tx, ty)) return new Point(tx + 0.5f, ty + 0.5f);
        }
        int first = blocked.nextClearBit(0);
        if (first >= width * height) throw new IllegalStateException("map " + resourcePath + " has no walkable tile");
        return new Point(first % width + 0.5f, first / width + 0.5f);
    }
}

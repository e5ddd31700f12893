package mmo.app.term;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * A world map reduced to what a terminal shows: one {@link Terrain} per tile, read from the
 * same Tiled JSON map ({@code .tmj}) the browser draws. The terrain of a tile is the one of its
 * topmost non-empty layer, unless a layer beneath blocks (as the server decides, a tile blocks
 * if any layer's tile has {@code collides}): then the topmost blocking one. Tiles are
 * classified by the tileset tile's {@code name} property (water, tree, wall, ...) and, failing
 * a name, by whether they collide.
 *
 * <p>Immutable after loading; any thread.
 */
public final class TerminalMap {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GID_MASK = 0x0FFFFFFF;

    private final int width;
    private final int height;
    private final Terrain[] tiles;

    /** A map of {@code width} x {@code height} tiles, row-major; for tests and for {@link #parse}. */
    public TerminalMap(int width, int height, Terrain[] tiles) {
        if (width <= 0 || height <= 0 || tiles.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " map needs " + width * height
                    + " tiles, got " + tiles.length);
        }
        this.width = width;
        this.height = height;
        this.tiles = tiles.clone();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The terrain at tile (tx, ty); {@link Terrain#OUTSIDE} beyond the map's edges. */
    public Terrain at(int tx, int ty) {
        if (tx < 0 || ty < 0 || tx >= width || ty >= height) return Terrain.OUTSIDE;
        return tiles[ty * width + tx];
    }

    /**
     * Reads a Tiled JSON map: tile layers as CSV arrays or base64 (raw, zlib or gzip), tilesets
     * embedded.
     *
     * @throws IOException for anything that is not such a map, with what was wrong
     */
    public static TerminalMap parse(byte[] json) throws IOException {
        JsonNode doc;
        try {
            doc = JSON.readTree(json);
        } catch (IOException e) {
            throw new IOException("not a Tiled JSON map: " + e.getMessage(), e);
        }
        if (doc == null || !doc.isObject()) throw new IOException("not a Tiled JSON map: no object at the top");
        int width = doc.path("width").asInt(0);
        int height = doc.path("height").asInt(0);
        if (width <= 0 || height <= 0 || (long) width * height > 16L << 20) {
            throw new IOException("map size " + width + "x" + height + " is missing or too large");
        }
        Map<Integer, Terrain> byGid = new HashMap<>();
        java.util.Set<Integer> colliding = new java.util.HashSet<>();
        for (JsonNode ts : doc.path("tilesets")) {
            int first = ts.path("firstgid").asInt(1);
            for (JsonNode tile : ts.path("tiles")) {
                String name = "";
                boolean collides = false;
                for (JsonNode p : tile.path("properties")) {
                    if (p.path("name").asText().equals("name")) name = p.path("value").asText("");
                    if (p.path("name").asText().equals("collides")) collides = p.path("value").asBoolean(false);
                }
                byGid.put(first + tile.path("id").asInt(), Terrain.classify(name, collides));
                if (collides) colliding.add(first + tile.path("id").asInt());
            }
        }
        Terrain[] tiles = new Terrain[width * height];
        java.util.Arrays.fill(tiles, Terrain.GROUND);
        // as the server decides: a tile blocks if any layer's tile collides (visible or not)
        java.util.BitSet blocked = new java.util.BitSet(width * height);
        for (JsonNode layer : doc.path("layers")) {
            if (!layer.path("type").asText().equals("tilelayer")) continue;
            int[] gids = layerData(layer, width * height);
            boolean visible = layer.path("visible").asBoolean(true);
            for (int i = 0; i < gids.length; i++) {
                int gid = gids[i] & GID_MASK;
                if (gid == 0) continue;
                boolean collides = colliding.contains(gid);
                // the topmost tile shows, except that a walkable one does not hide a blocking one beneath
                if ((visible || collides) && (collides || !blocked.get(i))) {
                    tiles[i] = byGid.getOrDefault(gid, collides ? Terrain.OBSTACLE : Terrain.GROUND);
                }
                if (collides) blocked.set(i);
            }
        }
        return new TerminalMap(width, height, tiles);
    }

    private static int[] layerData(JsonNode layer, int count) throws IOException {
        JsonNode data = layer.path("data");
        int[] gids = new int[count];
        if (data.isArray()) {
            if (data.size() != count) throw new IOException("layer " + layer.path("name").asText() + " has "
                    + data.size() + " tiles, not " + count);
            for (int i = 0; i < count; i++) gids[i] = (int) data.get(i).asLong();
            return gids;
        }
        if (!layer.path("encoding").asText().equals("base64")) {
            throw new IOException("layer " + layer.path("name").asText() + ": unsupported encoding "
                    + layer.path("encoding").asText("(none)"));
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(data.asText().trim());
        } catch (IllegalArgumentException e) {
            throw new IOException("layer " + layer.path("name").asText() + ": bad base64", e);
        }
        String compression = layer.path("compression").asText("").toLowerCase(Locale.ROOT);
        InputStream in = switch (compression) {
            case "" -> new ByteArrayInputStream(raw);
            case "zlib" -> new InflaterInputStream(new ByteArrayInputStream(raw));
            case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(raw));
            default -> throw new IOException("layer " + layer.path("name").asText() + ": unsupported compression "
                    + compression);
        };
        byte[] bytes;
        try (in) {
            bytes = in.readNBytes(count * 4 + 1);
        }
        if (bytes.length != count * 4) {
            throw new IOException("layer " + layer.path("name").asText() + " has " + bytes.length / 4
                    + " tiles, not " + count);
        }
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(gids);
        return gids;
    }
}

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/**
 * Generates the shipped world map: a 1024 x 1024 Tiled JSON map (world.tmj) with an embedded
 * tileset, and the tileset image (tiles.png). Deterministic for a seed; JDK only.
 *
 * <pre>
 * java tools/mapgen/MapGen.java [--seed N] [--out server/src/main/resources/maps]
 *                               [--preview /tmp/mapgen-preview.png] [--town /tmp/mapgen-town.png]
 * </pre>
 *
 * Exits with status 1 (and a message) when the generated world breaks a constraint: less than
 * 75% walkable, a spawn rectangle not fully walkable, or a spawn / road / square tile that the
 * central plaza cannot reach.
 */
public final class MapGen {

    static final int N = 1024;
    static final int TS = 16;
    static final int COLS = 8;

    // ---------------------------------------------------------------- tiles (id = gid - 1)
    static final List<String> NAMES = new ArrayList<>();
    static final List<Boolean> COLLIDES = new ArrayList<>();

    static int tile(String name, boolean collides) {
        NAMES.add(name);
        COLLIDES.add(collides);
        return NAMES.size(); // gid
    }

    // ground (opaque)
    static final int GRASS = tile("grass", false);
    static final int GRASS_LIGHT = tile("grass_light", false);
    static final int FLOWERS = tile("flowers", false);
    static final int GRASS_DARK = tile("grass_dark", false);
    static final int DIRT = tile("dirt", false);
    static final int COBBLE = tile("cobblestone", false);
    static final int PLAZA = tile("plaza", false);
    static final int PLAZA_INLAY = tile("plaza_inlay", false);
    static final int SAND = tile("sand", false);
    static final int WATER = tile("water_shallow", true);
    static final int DEEP = tile("water_deep", true);
    static final int BRIDGE = tile("bridge", false);
    static final int FARMLAND = tile("farmland", false);
    static final int SNOW = tile("snow", false);
    // obstacles (transparent where the ground shows through)
    static final int TREE = tile("tree", true);
    static final int PINE = tile("pine", true);
    static final int PINE_SNOW = tile("pine_snow", true);
    static final int BUSH = tile("bush", true);
    static final int ROCK = tile("rock", true);
    static final int WALL_STONE = tile("wall_stone", true);
    static final int PALISADE = tile("palisade", true);
    static final int HEDGE = tile("hedge", true);
    static final int HOUSE_WALL = tile("house_wall", true);
    static final int HOUSE_WINDOW = tile("house_window", true);
    static final int DOOR = tile("door", true);
    static final int ROOF_RED = tile("roof_red", true);
    static final int ROOF_RED_EAVE = tile("roof_red_eave", true);
    static final int ROOF_BLUE = tile("roof_blue", true);
    static final int ROOF_BLUE_EAVE = tile("roof_blue_eave", true);
    static final int ROOF_GREEN = tile("roof_green", true);
    static final int ROOF_GREEN_EAVE = tile("roof_green_eave", true);
    static final int ROOF_GOLD = tile("roof_gold", true);
    static final int ROOF_GOLD_EAVE = tile("roof_gold_eave", true);
    static final int FENCE = tile("fence", true);
    static final int FOUNTAIN = tile("fountain", true);
    static final int WELL = tile("well", true);
    static final int LAMP = tile("lamp", true);
    static final int BRIDGE_RAIL = tile("bridge_rail", true);
    static final int REEDS = tile("reeds", false);
    static final int STUMP = tile("stump", true);

    static boolean collides(int gid) {
        return gid > 0 && COLLIDES.get(gid - 1);
    }

    // ---------------------------------------------------------------- state
    final long seed;
    final int[] ground = new int[N * N];
    final int[] obst = new int[N * N];
    /** 0 free wilderness; 1 keep clear of trees/rocks/water (roads, towns, plaza and margins). */
    final byte[] reserved = new byte[N * N];
    /** tiles that must be reachable from the plaza (roads, squares). */
    final boolean[] mustReach = new boolean[N * N];
    final SplittableRandom rnd;

    record Spawn(String type, String name, String cls, int x, int y, int w, int h) {}
    final List<Spawn> spawns = new ArrayList<>();

    record Town(String name, String cls, int cx, int cy, int wall, int roof, int eave) {}

    MapGen(long seed) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
    }

    static int idx(int x, int y) {
        return y * N + x;
    }

    static boolean in(int x, int y) {
        return x >= 0 && y >= 0 && x < N && y < N;
    }

    // ---------------------------------------------------------------- noise
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    double hash01(long a, long b, long c) {
        long h = mix(seed * 0x9E3779B97F4A7C15L + a * 0x632BE59BD9B4E019L + b * 0x85157AF5L + c * 0x2545F4914F6CDD1DL);
        return (h >>> 11) * 0x1.0p-53;
    }

    double value(double x, double y, int ch) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double fx = x - x0, fy = y - y0;
        double sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
        double a = hash01(x0, y0, ch), b = hash01(x0 + 1, y0, ch);
        double c = hash01(x0, y0 + 1, ch), d = hash01(x0 + 1, y0 + 1, ch);
        return (a + (b - a) * sx) + ((c + (d - c) * sx) - (a + (b - a) * sx)) * sy;
    }

    /** fractal value noise in [0,1). */
    double fbm(double x, double y, double scale, int oct, int ch) {
        double sum = 0, amp = 1, norm = 0, f = 1 / scale;
        for (int o = 0; o < oct; o++) {
            sum += amp * value(x * f, y * f, ch * 31 + o);
            norm += amp;
            amp *= 0.5;
            f *= 2;
        }
        return sum / norm;
    }

    // ---------------------------------------------------------------- world
    static final int PX = 512, PY = 512;

    void generate() {
        baseTerrain();
        List<Town> towns = List.of(
                new Town("Ironhold", "warrior", 200, 200, WALL_STONE, ROOF_RED, ROOF_RED_EAVE),
                new Town("Starfall", "mage", 824, 200, WALL_STONE, ROOF_BLUE, ROOF_BLUE_EAVE),
                new Town("Greenwatch", "ranger", 200, 824, PALISADE, ROOF_GREEN, ROOF_GREEN_EAVE),
                new Town("Dawnrest", "healer", 824, 824, HEDGE, ROOF_GOLD, ROOF_GOLD_EAVE));

        // road network: a ring joining the four towns, and a cross from the plaza to the ring
        List<double[][]> roads = new ArrayList<>();
        int R = TOWN_R;
        Town w = towns.get(0), m = towns.get(1), r = towns.get(2), h = towns.get(3);
        roads.add(line(w.cx + R, w.cy, PX, w.cy));
        roads.add(line(PX, m.cy, m.cx - R, m.cy));
        roads.add(line(r.cx + R, r.cy, PX, r.cy));
        roads.add(line(PX, h.cy, h.cx - R, h.cy));
        roads.add(line(w.cx, w.cy + R, w.cx, PY));
        roads.add(line(r.cx, PY, r.cx, r.cy - R));
        roads.add(line(m.cx, m.cy + R, m.cx, PY));
        roads.add(line(h.cx, PY, h.cx, h.cy - R));
        roads.add(line(PX, PY - PLAZA_R, PX, w.cy));
        roads.add(line(PX, PY + PLAZA_R, PX, r.cy));
        roads.add(line(PX - PLAZA_R, PY, w.cx, PY));
        roads.add(line(PX + PLAZA_R, PY, m.cx, PY));
        // dirt trails from the outward gates into the wilds
        List<double[][]> trails = new ArrayList<>();
        trails.add(line(w.cx, w.cy - R, w.cx + 30, 40));
        trails.add(line(w.cx - R, w.cy, 40, w.cy + 40));
        trails.add(line(m.cx, m.cy - R, m.cx - 40, 40));
        trails.add(line(m.cx + R, m.cy, N - 40, m.cy + 50));
        trails.add(line(r.cx, r.cy + R, r.cx + 50, N - 40));
        trails.add(line(r.cx - R, r.cy, 40, r.cy - 60));
        trails.add(line(h.cx, h.cy + R, h.cx - 30, N - 40));
        trails.add(line(h.cx + R, h.cy, N - 40, h.cy - 40));
        trails.add(line(PX - 20, PY - 20, 330, 340)); // a shortcut through the middle woods
        trails.add(line(PX - 20, PY + 20, 345, 690));

        // reserve the built-up areas before water and forests
        for (Town t : towns) reserveBox(t.cx - R - 10, t.cy - R - 10, t.cx + R + 10, t.cy + R + 10);
        reserveBox(PX - PLAZA_R - 6, PY - PLAZA_R - 6, PX + PLAZA_R + 6, PY + PLAZA_R + 6);
        for (double[][] p : roads) stampPath(p, 5, (x, y) -> reserved[idx(x, y)] = 1);
        for (double[][] p : trails) stampPath(p, 2, (x, y) -> reserved[idx(x, y)] = 1);

        water();
        snow();

        for (double[][] p : trails) stampPath(p, 1, (x, y) -> {
            int g = ground[idx(x, y)];
            if (g != WATER && g != DEEP) ground[idx(x, y)] = DIRT;
        });
        // dirt shoulders in patches
        for (double[][] p : roads) stampPath(p, 2, (x, y) -> {
            int g = ground[idx(x, y)];
            if ((g == GRASS || g == GRASS_LIGHT || g == GRASS_DARK || g == FLOWERS)
                    && fbm(x, y, 6, 2, 40) > 0.5) ground[idx(x, y)] = DIRT;
        });
        for (double[][] p : roads) stampPath(p, 1, (x, y) -> {
            int i = idx(x, y);
            int g = ground[i];
            ground[i] = (g == WATER || g == DEEP || g == BRIDGE) ? BRIDGE : COBBLE;
            mustReach[i] = true;
        });
        bridgeRails();

        plaza();
        int[] wp = {PX, w.cy, w.cx, PY, m.cx, PY, PX, r.cy};
        String[] wpNames = {"North Crossing", "West Crossing", "East Crossing", "South Crossing"};
        for (int i = 0; i < 4; i++) waypoint(wpNames[i], wp[2 * i], wp[2 * i + 1]);
        for (Town t : towns) town(t);

        // forests: thin them out until at least 77% of the map is walkable (the hard limit is 75%)
        int[] before = obst.clone();
        for (double shift = 0; ; shift += 0.015) {
            System.arraycopy(before, 0, obst, 0, obst.length);
            vegetation(shift);
            border();
            long walk = 0;
            for (int i = 0; i < N * N; i++) if (walkable(i)) walk++;
            if (walk >= 0.77 * N * N || shift > 0.3) break;
        }
    }

    static final int TOWN_R = 34;   // walls at offsets +-33..34 (2 thick); gates in the middle of each side
    static final int PLAZA_R = 28;  // paved plaza half-size

    /** a road from (x0,y0) to (x1,y1) with a gentle meander that vanishes at both ends. */
    double[][] line(double x0, double y0, double x1, double y1) {
        double len = Math.hypot(x1 - x0, y1 - y0);
        int n = (int) Math.ceil(len * 3);
        double nx = -(y1 - y0) / len, ny = (x1 - x0) / len;
        double[][] pts = new double[n + 1][2];
        long ch = (long) (x0 * 7 + y0 * 13 + x1 * 17 + y1 * 19);
        for (int i = 0; i <= n; i++) {
            double t = (double) i / n;
            double x = x0 + (x1 - x0) * t, y = y0 + (y1 - y0) * t;
            double taper = Math.sin(Math.PI * t);
            taper = Math.min(1, taper * 2.2);
            double riverDist = Math.abs(x - riverX(y));
            double calm = Math.max(0, Math.min(1, (riverDist - 14) / 25));
            double off = (fbm(t * len, 0, 90, 3, (int) (ch & 1023) + 100) - 0.5) * 2 * 26 * taper * calm;
            pts[i][0] = x + nx * off;
            pts[i][1] = y + ny * off;
        }
        return pts;
    }

    interface TileOp {
        void apply(int x, int y);
    }

    /** apply op to every tile within rad + 0.5 of the path (each tile once). */
    void stampPath(double[][] pts, int rad, TileOp op) {
        java.util.BitSet seen = new java.util.BitSet(N * N);
        for (double[] p : pts) {
            int px = (int) Math.round(p[0]), py = (int) Math.round(p[1]);
            for (int dy = -rad; dy <= rad; dy++)
                for (int dx = -rad; dx <= rad; dx++) {
                    int x = px + dx, y = py + dy;
                    if (!in(x, y) || seen.get(idx(x, y)) || Math.hypot(x - p[0], y - p[1]) > rad + 0.5) continue;
                    seen.set(idx(x, y));
                    op.apply(x, y);
                }
        }
    }

    void reserveBox(int x0, int y0, int x1, int y1) {
        for (int y = Math.max(0, y0); y <= Math.min(N - 1, y1); y++)
            for (int x = Math.max(0, x0); x <= Math.min(N - 1, x1); x++) reserved[idx(x, y)] = 1;
    }

    void baseTerrain() {
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++) {
                double moist = fbm(x, y, 90, 4, 1);
                double meadow = fbm(x, y, 40, 3, 2);
                double fine = hash01(x, y, 3);
                double patch = fbm(x, y, 7, 2, 4);
                int g = GRASS;
                if (moist + (hash01(x, y, 5) - 0.5) * 0.03 > 0.60) g = GRASS_DARK; // dithered edge
                else if (patch > 0.6 || (moist < 0.4 && patch > 0.45)) g = GRASS_LIGHT;
                if (meadow > 0.66 && fine > 0.8) g = FLOWERS;
                ground[idx(x, y)] = g;
            }
    }

    double riverX(double y) {
        return 640 + 55 * Math.sin(y / 150 + 0.5) + (fbm(0, y, 60, 3, 7) - 0.5) * 50;
    }

    record Lake(int x, int y, int r) {}

    void water() {
        // the river, north to south, east of the plaza
        for (int y = 0; y < N; y++) {
            double cx = riverX(y);
            double half = 3.5 + 2.5 * fbm(y, 0, 50, 2, 8);
            for (int x = (int) (cx - half - 4); x <= (int) (cx + half + 4); x++) {
                if (!in(x, y)) continue;
                double d = Math.abs(x + 0.5 - cx);
                int i = idx(x, y);
                if (d <= half) ground[i] = d <= half - 1.6 ? DEEP : WATER;
            }
        }
        List<Lake> lakes = List.of(new Lake(400, 345, 27), new Lake(310, 655, 30), new Lake(770, 405, 24),
                new Lake(720, 690, 21), new Lake(120, 470, 24), new Lake(905, 590, 22), new Lake(430, 930, 20),
                new Lake(560, 90, 18));
        for (Lake l : lakes) {
            for (int y = l.y - l.r * 2; y <= l.y + l.r * 2; y++)
                for (int x = l.x - l.r * 2; x <= l.x + l.r * 2; x++) {
                    if (!in(x, y) || reserved[idx(x, y)] != 0) continue;
                    double a = Math.atan2(y - l.y, x - l.x);
                    double rr = l.r * (0.75 + 0.5 * fbm(Math.cos(a) * 3 + l.x, Math.sin(a) * 3 + l.y, 1.5, 2, 9));
                    double d = Math.hypot(x - l.x, y - l.y);
                    if (d <= rr) ground[idx(x, y)] = d <= rr - 3 ? DEEP : WATER;
                }
        }
        // sandy banks and reeds
        int[] copy = ground.clone();
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++) {
                int i = idx(x, y);
                if (copy[i] == WATER || copy[i] == DEEP) continue;
                double reach = 1.2 + 2.2 * fbm(x, y, 12, 2, 10);
                int ri = (int) Math.ceil(reach);
                boolean near = false;
                for (int dy = -ri; dy <= ri && !near; dy++)
                    for (int dx = -ri; dx <= ri && !near; dx++) {
                        int xx = x + dx, yy = y + dy;
                        if (in(xx, yy) && (copy[idx(xx, yy)] == WATER) && dx * dx + dy * dy <= reach * reach) near = true;
                    }
                if (near) {
                    ground[i] = SAND;
                    if (reserved[i] == 0 && hash01(x, y, 11) < 0.05) obst[i] = REEDS;
                }
            }
    }

    void snow() {
        for (int y = 0; y < 80; y++)
            for (int x = 0; x < N; x++) {
                double edge = 26 + 30 * fbm(x, 0, 70, 3, 12);
                int i = idx(x, y);
                if (y < edge && ground[i] != WATER && ground[i] != DEEP) ground[i] = SNOW;
                else if (y < edge + 3 && ground[i] != WATER && ground[i] != DEEP && hash01(x, y, 13) < (edge + 3 - y) / 4) ground[i] = SNOW;
            }
    }

    void bridgeRails() {
        for (int y = 1; y < N - 1; y++)
            for (int x = 0; x < N; x++) {
                int i = idx(x, y);
                int g = ground[i];
                if (g != WATER && g != DEEP) continue;
                if (ground[idx(x, y - 1)] == BRIDGE || ground[idx(x, y + 1)] == BRIDGE) obst[i] = BRIDGE_RAIL;
            }
    }

    void fill(int x0, int y0, int w, int h, int g) {
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++) {
                ground[idx(x, y)] = g;
                obst[idx(x, y)] = 0;
            }
    }

    void plaza() {
        int x0 = PX - PLAZA_R, y0 = PY - PLAZA_R, s = 2 * PLAZA_R;
        for (int y = y0; y < y0 + s; y++)
            for (int x = x0; x < x0 + s; x++) {
                int dx = x - PX, dy = y - PY;
                // rounded corners
                double cd = Math.hypot(Math.max(0, Math.abs(dx + 0.5) - (PLAZA_R - 8)), Math.max(0, Math.abs(dy + 0.5) - (PLAZA_R - 8)));
                if (cd > 8) continue;
                int i = idx(x, y);
                obst[i] = 0;
                boolean ring = (dx == -17 || dx == 16) && dy >= -17 && dy <= 16 || (dy == -17 || dy == 16) && dx >= -17 && dx <= 16;
                boolean diag = (Math.abs(dx + 0.5) == Math.abs(dy + 0.5)) && Math.abs(dx + 0.5) < 6;
                ground[i] = ring || diag || (Math.abs(dx + 0.5) + Math.abs(dy + 0.5) == 9) ? PLAZA_INLAY : PLAZA;
                mustReach[i] = true;
                boolean edge = cd > 6.9 || Math.abs(dx + 0.5) > PLAZA_R - 1.5 || Math.abs(dy + 0.5) > PLAZA_R - 1.5;
                boolean gap = Math.abs(dx) <= 3 || Math.abs(dy) <= 3;
                if (edge && !gap && ((dx + dy) & 1) == 0) obst[i] = TREE;
            }
        // flower beds between the safe square and the edge, each with a small tree
        for (int sx = -1; sx <= 1; sx += 2)
            for (int sy = -1; sy <= 1; sy += 2)
                for (int k = 0; k < 2; k++) {
                    int bx = k == 0 ? PX + sx * 11 : PX + sx * 22, by = k == 0 ? PY + sy * 22 : PY + sy * 11;
                    for (int y = by - 2; y <= by + 1; y++)
                        for (int x = bx - 2; x <= bx + 1; x++) ground[idx(x, y)] = hash01(x, y, 22) < 0.6 ? FLOWERS : GRASS;
                    obst[idx(bx + (sx < 0 ? -1 : 0), by + (sy < 0 ? -1 : 0))] = BUSH;
                }
        for (int sx = -1; sx <= 1; sx += 2)
            for (int sy = -1; sy <= 1; sy += 2) {
                obst[idx(PX + sx * 22 - (sx < 0 ? 1 : 0), PY + sy * 22 - (sy < 0 ? 1 : 0))] = FOUNTAIN;
                obst[idx(PX + sx * 18 - (sx < 0 ? 1 : 0), PY + sy * 5 - (sy < 0 ? 1 : 0))] = LAMP;
                obst[idx(PX + sx * 5 - (sx < 0 ? 1 : 0), PY + sy * 18 - (sy < 0 ? 1 : 0))] = LAMP;
            }
        spawns.add(new Spawn("safe", "Crossroads Plaza", null, PX - 16, PY - 16, 32, 32));
    }

    void waypoint(String name, int cx, int cy) {
        for (int y = cy - 7; y <= cy + 7; y++)
            for (int x = cx - 7; x <= cx + 7; x++) {
                double d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
                if (d > 7) continue;
                int i = idx(x, y);
                obst[i] = 0;
                ground[i] = d > 5.8 ? PLAZA_INLAY : PLAZA;
                mustReach[i] = true;
            }
        for (int y = cy - 10; y <= cy + 10; y++)
            for (int x = cx - 10; x <= cx + 10; x++) reserved[idx(x, y)] = 1;
        obst[idx(cx + 6, cy - 7)] = LAMP;
        obst[idx(cx - 7, cy + 6)] = LAMP;
        spawns.add(new Spawn("safe", name, null, cx - 4, cy - 4, 8, 8));
    }

    void town(Town t) {
        int R = TOWN_R, cx = t.cx, cy = t.cy;
        SplittableRandom tr = new SplittableRandom(seed ^ mix(cx * 31L + cy));
        // clear the town and a margin around it to lawn
        for (int y = cy - R - 8; y <= cy + R + 8; y++)
            for (int x = cx - R - 8; x <= cx + R + 8; x++) {
                int i = idx(x, y);
                int g = ground[i];
                if (g != COBBLE && g != DIRT && g != GRASS && g != GRASS_LIGHT && g != GRASS_DARK) ground[i] = GRASS;
                if (obst[i] != BRIDGE_RAIL) obst[i] = 0;
            }
        // walls (2 thick) with 5-wide gates
        for (int d = -R; d <= R; d++)
            for (int k = 0; k < 2; k++) {
                boolean gate = Math.abs(d) <= 2;
                int[][] cells = {{cx + d, cy - R + k}, {cx + d, cy + R - k}, {cx - R + k, cy + d}, {cx + R - k, cy + d}};
                for (int[] c : cells) {
                    int i = idx(c[0], c[1]);
                    if (gate) {
                        ground[i] = COBBLE;
                        obst[i] = 0;
                        mustReach[i] = true;
                    } else obst[i] = t.wall;
                }
            }
        // streets: ring around the square and a cross to the four gates
        for (int y = cy - 15; y <= cy + 14; y++)
            for (int x = cx - 15; x <= cx + 14; x++) setStreet(x, y);
        for (int d = -R + 2; d <= R - 2; d++)
            for (int k = -1; k <= 1; k++) {
                setStreet(cx + k, cy + d);
                setStreet(cx + d, cy + k);
            }
        for (int d : new int[] {-R + 2, -R + 3, R - 2, R - 3})
            for (int k = -2; k <= 2; k++) {
                setStreet(cx + k, cy + d);
                setStreet(cx + d, cy + k);
            }
        // the square (home spawn, 24 x 24)
        int sx0 = cx - 12, sy0 = cy - 12;
        for (int y = sy0; y < sy0 + 24; y++)
            for (int x = sx0; x < sx0 + 24; x++) {
                int dx = x - sx0, dy = y - sy0;
                boolean border = dx == 0 || dy == 0 || dx == 23 || dy == 23;
                boolean star = (dx == dy || dx == 23 - dy) && dx >= 8 && dx <= 15;
                boolean center = dx >= 10 && dx <= 13 && dy >= 10 && dy <= 13 && (dx == 10 || dx == 13 || dy == 10 || dy == 13);
                ground[idx(x, y)] = border || star || center ? PLAZA_INLAY : PLAZA;
                obst[idx(x, y)] = 0;
                mustReach[idx(x, y)] = true;
            }
        obst[idx(cx - 15, cy - 15)] = WELL;
        obst[idx(cx + 14, cy - 15)] = LAMP;
        obst[idx(cx - 15, cy + 14)] = LAMP;
        obst[idx(cx + 14, cy + 14)] = LAMP;
        spawns.add(new Spawn("home", t.name, t.cls, sx0, sy0, 24, 24));
        spawns.add(new Spawn("safe", t.name + " Square", null, sx0, sy0, 24, 24));

        // houses in the four quarters
        boolean[] used = new boolean[(2 * R + 1) * (2 * R + 1)];
        java.util.function.IntBinaryOperator li = (dx, dy) -> (dy + R) * (2 * R + 1) + (dx + R);
        for (int qy = -1; qy <= 1; qy += 2)
            for (int qx = -1; qx <= 1; qx += 2) {
                int placed = 0;
                for (int attempt = 0; attempt < 1500 && placed < 9; attempt++) {
                    int hw = 5 + tr.nextInt(4), hh = 5 + tr.nextInt(3);
                    int dx0 = qx > 0 ? 3 + tr.nextInt(R - 3 - hw - 2) : -R + 3 + tr.nextInt(R - 3 - hw - 2);
                    int dy0 = qy > 0 ? 3 + tr.nextInt(R - 3 - hh - 3) : -R + 3 + tr.nextInt(R - 3 - hh - 3);
                    // footprint with a margin of 1 (2 below, where the door is) must be free lawn
                    boolean ok = true;
                    for (int dy = dy0 - 1; dy <= dy0 + hh + 1 && ok; dy++)
                        for (int dx = dx0 - 1; dx <= dx0 + hw && ok; dx++) {
                            if (Math.abs(dx) > R - 3 || Math.abs(dy) > R - 3) { ok = false; break; }
                            int i = idx(cx + dx, cy + dy);
                            if (used[li.applyAsInt(dx, dy)] || ground[i] == COBBLE || ground[i] == PLAZA || ground[i] == PLAZA_INLAY || obst[i] != 0) ok = false;
                        }
                    if (!ok) continue;
                    for (int dy = dy0 - 1; dy <= dy0 + hh + 1; dy++)
                        for (int dx = dx0 - 1; dx <= dx0 + hw; dx++) used[li.applyAsInt(dx, dy)] = true;
                    house(cx + dx0, cy + dy0, hw, hh, t, tr);
                    placed++;
                }
            }
        // gardens: a few trees, bushes, flowers and a fenced field on the free lawn
        for (int dy = -R + 3; dy <= R - 3; dy++)
            for (int dx = -R + 3; dx <= R - 3; dx++) {
                int i = idx(cx + dx, cy + dy);
                if (used[li.applyAsInt(dx, dy)] || obst[i] != 0 || ground[i] == COBBLE || ground[i] == PLAZA || ground[i] == PLAZA_INLAY) continue;
                if (Math.abs(dx) <= 16 && Math.abs(dy) <= 16) continue;
                if (Math.abs(dx) <= 2 || Math.abs(dy) <= 2) continue;
                double p = tr.nextDouble();
                if (p < 0.035) obst[i] = TREE;
                else if (p < 0.05) obst[i] = BUSH;
                else if (p < 0.09) ground[i] = FLOWERS;
            }
        // fenced fields outside the walls on the outer sides
        int fx = cx + (cx < PX ? -R - 7 : R + 2), fy = cy + (cy < PY ? -R + 4 : 8);
        field(fx, fy, 6, R - 12);
        // trees along the inside of the walls
        for (int d = -R + 3; d <= R - 3; d += 3) {
            if (Math.abs(d) <= 4) continue;
            int[][] cells = {{cx + d, cy - R + 2}, {cx + d, cy + R - 2}, {cx - R + 2, cy + d}, {cx + R - 2, cy + d}};
            for (int[] c : cells) {
                int i = idx(c[0], c[1]);
                int dx = c[0] - cx, dy = c[1] - cy;
                if (!used[li.applyAsInt(dx, dy)] && obst[i] == 0 && ground[i] != COBBLE && hash01(c[0], c[1], 21) < 0.5)
                    obst[i] = tr.nextDouble() < 0.7 ? TREE : BUSH;
            }
        }
    }

    void setStreet(int x, int y) {
        int i = idx(x, y);
        ground[i] = COBBLE;
        obst[i] = 0;
        mustReach[i] = true;
    }

    void field(int x0, int y0, int w, int h) {
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++) {
                int i = idx(x, y);
                boolean edge = x == x0 || y == y0 || x == x0 + w - 1 || y == y0 + h - 1;
                if (edge) {
                    if (y == y0 + h - 1 && x == x0 + w / 2) continue; // gap in the fence
                    obst[i] = FENCE;
                } else {
                    ground[i] = FARMLAND;
                    obst[i] = 0;
                }
            }
    }

    void house(int x0, int y0, int w, int h, Town t, SplittableRandom tr) {
        int roofRows = h - 2;
        int door = x0 + 1 + tr.nextInt(w - 2);
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++) {
                int i = idx(x, y);
                int row = y - y0;
                if (row < roofRows - 1) obst[i] = t.roof;
                else if (row == roofRows - 1) obst[i] = t.eave;
                else if (row == h - 1 && x == door) obst[i] = DOOR;
                else if (row == roofRows && (x - x0) % 2 == 1 && x != door) obst[i] = HOUSE_WINDOW;
                else obst[i] = HOUSE_WALL;
            }
        // a little path from the door
        ground[idx(door, y0 + h)] = DIRT;
    }

    void vegetation(double shift) {
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++) {
                int i = idx(x, y);
                if (reserved[i] != 0 || obst[i] != 0) continue;
                int g = ground[i];
                if (g != GRASS && g != GRASS_LIGHT && g != GRASS_DARK && g != FLOWERS && g != SNOW && g != DIRT) continue;
                if (g == DIRT) continue; // trails stay open
                double forest = fbm(x, y, 70, 4, 30) - shift;
                double edgeDist = Math.min(Math.min(x, y), Math.min(N - 1 - x, N - 1 - y));
                forest += Math.max(0, (30 - edgeDist) / 30) * 0.35;
                double rocky = fbm(x, y, 45, 3, 31);
                double h = hash01(x, y, 32);
                double p;
                if (forest > 0.64) p = 0.6 + (forest - 0.64) * 1.6;
                else if (forest > 0.57) p = (forest - 0.57) / 0.07 * 0.45;
                else p = 0.008;
                double pineBias = fbm(x, y, 120, 2, 33) + (N / 2.0 - y) / N * 0.5;
                if (h < p) {
                    if (g == SNOW) obst[i] = PINE_SNOW;
                    else obst[i] = pineBias > 0.62 ? PINE : (hash01(x, y, 34) < 0.12 ? PINE : TREE);
                    if (g == FLOWERS) ground[i] = GRASS_DARK;
                    continue;
                }
                if (forest > 0.5 && h < p + 0.03) { obst[i] = BUSH; continue; }
                if (rocky > 0.7 && h > 0.88) { obst[i] = ROCK; continue; }
                if (h > 0.9975) obst[i] = ROCK;
                else if (h > 0.9965) obst[i] = STUMP;
                else if (h > 0.994 && g != SNOW) obst[i] = BUSH;
            }
    }

    void border() {
        for (int d = 0; d < N; d++) {
            int[][] cells = {{d, 0}, {d, N - 1}, {0, d}, {N - 1, d}};
            for (int[] c : cells) {
                int i = idx(c[0], c[1]);
                if (!collides(ground[i]) && !collides(obst[i])) obst[i] = ground[i] == SNOW ? PINE_SNOW : PINE;
            }
        }
    }

    // ---------------------------------------------------------------- checks
    boolean walkable(int i) {
        return !collides(ground[i]) && !collides(obst[i]);
    }

    String check() {
        long walk = 0;
        for (int i = 0; i < N * N; i++) if (walkable(i)) walk++;
        boolean[] seen = new boolean[N * N];
        ArrayDeque<Integer> q = new ArrayDeque<>();
        int start = idx(PX, PY);
        List<String> errors = new ArrayList<>();
        if (!walkable(start)) errors.add("plaza centre is blocked");
        else {
            seen[start] = true;
            q.add(start);
        }
        long reached = 0;
        while (!q.isEmpty()) {
            int i = q.poll();
            reached++;
            int x = i % N, y = i / N;
            int[] nb = {x > 0 ? i - 1 : -1, x < N - 1 ? i + 1 : -1, y > 0 ? i - N : -1, y < N - 1 ? i + N : -1};
            for (int j : nb)
                if (j >= 0 && !seen[j] && walkable(j)) {
                    seen[j] = true;
                    q.add(j);
                }
        }
        double walkPct = 100.0 * walk / (N * N);
        double reachPct = 100.0 * reached / walk;
        System.out.printf(Locale.ROOT, "map %dx%d, seed %d%n", N, N, seed);
        System.out.printf(Locale.ROOT, "walkable: %d tiles (%.2f%%)%n", walk, walkPct);
        System.out.printf(Locale.ROOT, "reachable from the plaza: %d tiles (%.2f%% of walkable)%n", reached, reachPct);
        if (walkPct < 75) errors.add(String.format(Locale.ROOT, "only %.2f%% of the map is walkable (< 75%%)", walkPct));
        for (Spawn s : spawns) {
            int blocked = 0, unreached = 0;
            for (int y = s.y; y < s.y + s.h; y++)
                for (int x = s.x; x < s.x + s.w; x++) {
                    int i = idx(x, y);
                    if (!walkable(i)) blocked++;
                    else if (!seen[i]) unreached++;
                }
            boolean edge = s.x < 16 || s.y < 16 || s.x + s.w > N - 16 || s.y + s.h > N - 16;
            System.out.printf(Locale.ROOT, "  %-5s %-20s %-8s tiles (%d,%d) %dx%d  px (%d,%d) %dx%d%s%n", s.type, s.name,
                    s.cls == null ? "" : s.cls, s.x, s.y, s.w, s.h, s.x * TS, s.y * TS, s.w * TS, s.h * TS,
                    blocked + unreached == 0 ? "" : "  BLOCKED " + blocked + " UNREACHED " + unreached);
            if (blocked > 0) errors.add(s.name + ": " + blocked + " blocked tiles in the spawn rectangle");
            if (unreached > 0) errors.add(s.name + ": " + unreached + " tiles unreachable from the plaza");
            if (edge) errors.add(s.name + ": spawn too close to the map edge");
        }
        int roadBad = 0, firstBad = -1;
        for (int i = 0; i < N * N; i++)
            if (mustReach[i] && walkable(i) && !seen[i]) {
                roadBad++;
                if (firstBad < 0) firstBad = i;
            }
        if (roadBad > 0) errors.add(roadBad + " road/square tiles unreachable from the plaza, e.g. (" + firstBad % N + "," + firstBad / N + ")");
        int[] counts = new int[NAMES.size() + 1];
        for (int i = 0; i < N * N; i++) {
            counts[ground[i]]++;
            counts[obst[i]]++;
        }
        StringBuilder sb = new StringBuilder("tile use:");
        for (int g = 1; g <= NAMES.size(); g++) if (counts[g] > 0) sb.append(' ').append(NAMES.get(g - 1)).append('=').append(counts[g]);
        System.out.println(sb);
        return errors.isEmpty() ? null : String.join("\n", errors);
    }

    // ---------------------------------------------------------------- output
    static String layerData(int[] data) {
        byte[] raw = new byte[data.length * 4];
        for (int i = 0; i < data.length; i++) {
            int v = data[i];
            raw[4 * i] = (byte) v;
            raw[4 * i + 1] = (byte) (v >>> 8);
            raw[4 * i + 2] = (byte) (v >>> 16);
            raw[4 * i + 3] = (byte) (v >>> 24);
        }
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, false);
        d.setInput(raw);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    static String q(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    String tmj(int rows) {
        StringBuilder s = new StringBuilder();
        s.append("{\n");
        s.append(" \"type\":\"map\",\n \"version\":\"1.10\",\n \"tiledversion\":\"1.11.0\",\n");
        s.append(" \"orientation\":\"orthogonal\",\n \"renderorder\":\"right-down\",\n \"infinite\":false,\n \"compressionlevel\":-1,\n");
        s.append(" \"width\":").append(N).append(",\n \"height\":").append(N).append(",\n");
        s.append(" \"tilewidth\":").append(TS).append(",\n \"tileheight\":").append(TS).append(",\n");
        s.append(" \"properties\":[{\"name\":\"seed\",\"type\":\"int\",\"value\":").append(seed).append("}],\n");
        s.append(" \"layers\":[\n");
        String[] names = {"ground", "obstacles"};
        int[][] data = {ground, obst};
        for (int l = 0; l < 2; l++) {
            s.append("  {\"id\":").append(l + 1).append(",\"name\":").append(q(names[l]))
                    .append(",\"type\":\"tilelayer\",\"x\":0,\"y\":0,\"width\":").append(N).append(",\"height\":").append(N)
                    .append(",\"opacity\":1,\"visible\":true,\"encoding\":\"base64\",\"compression\":\"zlib\",\n   \"data\":\"")
                    .append(layerData(data[l])).append("\"},\n");
        }
        s.append("  {\"id\":3,\"name\":\"spawns\",\"type\":\"objectgroup\",\"x\":0,\"y\":0,\"opacity\":1,\"visible\":true,\"draworder\":\"topdown\",\"objects\":[\n");
        int id = 1;
        for (int k = 0; k < spawns.size(); k++) {
            Spawn sp = spawns.get(k);
            s.append("   {\"id\":").append(id++).append(",\"name\":").append(q(sp.name)).append(",\"type\":").append(q(sp.type))
                    .append(",\"x\":").append(sp.x * TS).append(",\"y\":").append(sp.y * TS)
                    .append(",\"width\":").append(sp.w * TS).append(",\"height\":").append(sp.h * TS)
                    .append(",\"rotation\":0,\"visible\":true");
            if (sp.cls != null) s.append(",\"properties\":[{\"name\":\"class\",\"type\":\"string\",\"value\":").append(q(sp.cls)).append("}]");
            s.append('}').append(k + 1 < spawns.size() ? ",\n" : "\n");
        }
        s.append("  ]}\n ],\n");
        s.append(" \"nextlayerid\":4,\n \"nextobjectid\":").append(id).append(",\n");
        s.append(" \"tilesets\":[{\"firstgid\":1,\"name\":\"world\",\"image\":\"tiles.png\",\"tilewidth\":").append(TS)
                .append(",\"tileheight\":").append(TS).append(",\"columns\":").append(COLS).append(",\"tilecount\":").append(rows * COLS)
                .append(",\"imagewidth\":").append(COLS * TS).append(",\"imageheight\":").append(rows * TS)
                .append(",\"margin\":0,\"spacing\":0,\n  \"tiles\":[\n");
        for (int t = 0; t < rows * COLS; t++) {
            String name = t < NAMES.size() ? NAMES.get(t) : "unused";
            s.append("   {\"id\":").append(t).append(",\"properties\":[");
            if (t < NAMES.size() && COLLIDES.get(t)) s.append("{\"name\":\"collides\",\"type\":\"bool\",\"value\":true},");
            s.append("{\"name\":\"name\",\"type\":\"string\",\"value\":").append(q(name)).append("}]}");
            s.append(t + 1 < rows * COLS ? ",\n" : "\n");
        }
        s.append("  ]}]\n}\n");
        return s.toString();
    }

    // ---------------------------------------------------------------- previews
    static BufferedImage composite(BufferedImage sheet, int gGid, int oGid) {
        BufferedImage img = new BufferedImage(TS, TS, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        if (gGid > 0) g.drawImage(sub(sheet, gGid), 0, 0, null);
        if (oGid > 0) g.drawImage(sub(sheet, oGid), 0, 0, null);
        g.dispose();
        return img;
    }

    static BufferedImage sub(BufferedImage sheet, int gid) {
        int t = gid - 1;
        return sheet.getSubimage((t % COLS) * TS, (t / COLS) * TS, TS, TS);
    }

    void preview(BufferedImage sheet, String path) throws IOException {
        BufferedImage img = new BufferedImage(N, N, BufferedImage.TYPE_INT_RGB);
        Map<Integer, Integer> cache = new HashMap<>();
        for (int y = 0; y < N; y++)
            for (int x = 0; x < N; x++) {
                int i = idx(x, y);
                int key = ground[i] * 256 + obst[i];
                Integer c = cache.get(key);
                if (c == null) {
                    BufferedImage t = composite(sheet, ground[i], obst[i]);
                    long r = 0, gg = 0, b = 0;
                    for (int py = 0; py < TS; py++)
                        for (int px = 0; px < TS; px++) {
                            int p = t.getRGB(px, py);
                            r += (p >> 16) & 255;
                            gg += (p >> 8) & 255;
                            b += p & 255;
                        }
                    c = (int) (r / 256) << 16 | (int) (gg / 256) << 8 | (int) (b / 256);
                    cache.put(key, c);
                }
                img.setRGB(x, y, c);
            }
        ImageIO.write(img, "png", new File(path));
    }

    void crop(BufferedImage sheet, String path, int x0, int y0, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w * TS, h * TS, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int i = idx(x0 + x, y0 + y);
                g.drawImage(sub(sheet, ground[i]), x * TS, y * TS, null);
                if (obst[i] > 0) g.drawImage(sub(sheet, obst[i]), x * TS, y * TS, null);
            }
        g.dispose();
        ImageIO.write(img, "png", new File(path));
    }

    // ---------------------------------------------------------------- main
    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        long seed = 20240601L;
        String out = "server/src/main/resources/maps";
        String preview = "/tmp/mapgen-preview.png";
        String townPng = "/tmp/mapgen-town.png";
        String cropArg = null;
        for (int a = 0; a < args.length; a++) {
            switch (args[a]) {
                case "--seed" -> seed = Long.parseLong(args[++a]);
                case "--out" -> out = args[++a];
                case "--preview" -> preview = args[++a];
                case "--town" -> townPng = args[++a];
                case "--crop" -> cropArg = args[++a];
                default -> {
                    System.err.println("usage: MapGen [--seed N] [--out DIR] [--preview PNG] [--town PNG] [--crop x,y,w,h]");
                    System.exit(2);
                }
            }
        }
        MapGen gen = new MapGen(seed);
        gen.generate();
        String err = gen.check();
        BufferedImage sheet = Tiles.draw(seed, NAMES);
        if (err != null) {
            if (!preview.isEmpty()) gen.preview(sheet, preview);
            System.err.println("mapgen: constraint violated:\n" + err);
            System.exit(1);
        }
        int rows = sheet.getHeight() / TS;
        Path dir = Path.of(out);
        Files.createDirectories(dir);
        ImageIO.write(sheet, "png", dir.resolve("tiles.png").toFile());
        byte[] json = gen.tmj(rows).getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("world.tmj"), json);
        System.out.printf(Locale.ROOT, "wrote %s (%d bytes) and %s%n", dir.resolve("world.tmj"), json.length, dir.resolve("tiles.png"));
        if (!preview.isEmpty()) gen.preview(sheet, preview);
        if (!townPng.isEmpty()) gen.crop(sheet, townPng, 200 - 36, 200 - 34, 60, 40);
        if (!townPng.isEmpty()) { // the tileset at 4x over grass, for a look at the art
            BufferedImage big = new BufferedImage(sheet.getWidth() * 4, sheet.getHeight() * 4, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = big.createGraphics();
            for (int t = 0; t < NAMES.size(); t++) {
                int x = (t % COLS) * TS * 4, y = (t / COLS) * TS * 4;
                g.drawImage(sub(sheet, GRASS), x, y, TS * 4, TS * 4, null);
                g.drawImage(sub(sheet, t + 1), x, y, TS * 4, TS * 4, null);
            }
            g.dispose();
            ImageIO.write(big, "png", new File("/tmp/mapgen-tiles.png"));
        }
        if (cropArg != null) {
            String[] c = cropArg.split(",");
            gen.crop(sheet, "/tmp/mapgen-crop.png", Integer.parseInt(c[0]), Integer.parseInt(c[1]), Integer.parseInt(c[2]), Integer.parseInt(c[3]));
        }
        System.out.println("tiles (gid name collides):");
        for (int t = 0; t < NAMES.size(); t++) System.out.printf(Locale.ROOT, "  %2d %-16s %s%n", t + 1, NAMES.get(t), COLLIDES.get(t) ? "collides" : "");
    }

    // ================================================================ tileset painter
    static final class Tiles {
        final SplittableRandom r;
        int[] px; // current tile, ARGB

        Tiles(long seed) {
            r = new SplittableRandom(seed * 31 + 7);
        }

        static int rgb(int r, int g, int b) {
            return 0xff000000 | clamp(r) << 16 | clamp(g) << 8 | clamp(b);
        }

        static int clamp(int v) {
            return Math.max(0, Math.min(255, v));
        }

        static int shade(int c, int d) {
            return (c & 0xff000000) | clamp(((c >> 16) & 255) + d) << 16 | clamp(((c >> 8) & 255) + d) << 8 | clamp((c & 255) + d);
        }

        static int alpha(int c, int a) {
            return (a & 255) << 24 | (c & 0xffffff);
        }

        void set(int x, int y, int c) {
            if (x < 0 || y < 0 || x >= TS || y >= TS) return;
            px[y * TS + x] = c;
        }

        void wset(int x, int y, int c) { // wrapping set, keeps textures seamless
            px[Math.floorMod(y, TS) * TS + Math.floorMod(x, TS)] = c;
        }

        int get(int x, int y) {
            return px[y * TS + x];
        }

        /** alpha-blend c over the pixel. */
        void blend(int x, int y, int c) {
            if (x < 0 || y < 0 || x >= TS || y >= TS) return;
            int a = (c >>> 24) & 255;
            int d = px[y * TS + x];
            int da = (d >>> 24) & 255;
            int oa = a + da * (255 - a) / 255;
            if (oa == 0) return;
            int[] o = new int[3];
            for (int k = 0; k < 3; k++) {
                int sc = (c >> (16 - 8 * k)) & 255, dc = (d >> (16 - 8 * k)) & 255;
                o[k] = (sc * a + dc * da * (255 - a) / 255) / oa;
            }
            px[y * TS + x] = oa << 24 | o[0] << 16 | o[1] << 8 | o[2];
        }

        void clear() {
            px = new int[TS * TS];
        }

        /** speckled texture: base with some darker and lighter pixels. */
        void texture(int base, int dark, int light, double pd, double pl) {
            for (int i = 0; i < TS * TS; i++) {
                double v = r.nextDouble();
                px[i] = v < pd ? dark : v < pd + pl ? light : base;
            }
        }

        void disc(double cx, double cy, double rad, int c) {
            for (int y = 0; y < TS; y++)
                for (int x = 0; x < TS; x++)
                    if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= rad) set(x, y, c);
        }

        void ellipseBlend(double cx, double cy, double rx, double ry, int c) {
            for (int y = 0; y < TS; y++)
                for (int x = 0; x < TS; x++) {
                    double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
                    if (dx * dx + dy * dy <= 1) blend(x, y, c);
                }
        }

        // ---------------------------------------------------------- ground
        void grass(int base, int dark, int light, int blade) {
            texture(base, dark, light, 0.16, 0.10);
            for (int k = 0; k < 10; k++) { // little blades: a light tip over a dark root
                int x = r.nextInt(TS), y = r.nextInt(TS);
                wset(x, y, blade);
                wset(x, y + 1, dark);
            }
        }

        void flowers() {
            grass(rgb(91, 156, 62), rgb(76, 138, 54), rgb(106, 170, 70), rgb(128, 188, 82));
            int[][] cols = {{250, 250, 255}, {255, 214, 64}, {236, 84, 100}, {170, 120, 240}};
            int[][] spots = {{3, 3}, {11, 2}, {7, 8}, {2, 12}, {12, 11}};
            for (int[] sp : spots) {
                int x = sp[0] + r.nextInt(2), y = sp[1] + r.nextInt(2);
                int[] c = cols[r.nextInt(cols.length)];
                int col = rgb(c[0], c[1], c[2]);
                set(x, y - 1, col);
                set(x - 1, y, col);
                set(x + 1, y, col);
                set(x, y + 1, shade(col, -50));
                set(x, y, rgb(250, 226, 110));
            }
        }

        void dirt() {
            texture(rgb(156, 116, 74), rgb(138, 100, 62), rgb(172, 132, 88), 0.2, 0.12);
            for (int k = 0; k < 4; k++) {
                int x = r.nextInt(TS), y = r.nextInt(TS);
                wset(x, y, rgb(182, 160, 128));
                wset(x + 1, y + 1, rgb(112, 82, 52));
            }
        }

        void sand() {
            texture(rgb(224, 204, 146), rgb(208, 186, 128), rgb(238, 222, 170), 0.18, 0.12);
            for (int k = 0; k < 3; k++) wset(r.nextInt(TS), r.nextInt(TS), rgb(186, 164, 112));
        }

        void snowTile() {
            texture(rgb(234, 240, 248), rgb(214, 224, 240), rgb(246, 250, 255), 0.14, 0.08);
            for (int k = 0; k < 4; k++) {
                int x = r.nextInt(TS), y = r.nextInt(TS);
                wset(x, y, rgb(196, 210, 232));
                wset(x + 1, y, rgb(206, 218, 238));
            }
        }

        /** staggered stones in rows; mortar lines wrap so the tile is seamless. */
        void stones(int rowH, int minW, int maxW, int[] base, int var, int mortar, boolean slabs) {
            clear();
            for (int row = 0; row < TS / rowH; row++) {
                int y0 = row * rowH;
                int x = (row % 2) * (minW / 2 + 1);
                int start = x;
                while (x < start + TS) {
                    int w = minW + r.nextInt(maxW - minW + 1);
                    if (x + w > start + TS) w = start + TS - x;
                    int d = r.nextInt(2 * var + 1) - var;
                    int c = rgb(base[0] + d, base[1] + d, base[2] + d);
                    for (int yy = 0; yy < rowH; yy++)
                        for (int xx = 0; xx < w; xx++) {
                            int col;
                            if (yy == rowH - 1 || xx == w - 1) col = mortar;
                            else if (yy == 0 || xx == 0) col = shade(c, 16);
                            else if (yy == rowH - 2 || xx == w - 2) col = shade(c, -14);
                            else col = r.nextDouble() < 0.18 ? shade(c, r.nextBoolean() ? 8 : -8) : c;
                            if (!slabs && (yy == rowH - 1 && xx == w - 1)) col = shade(mortar, -10);
                            wset(x + xx, y0 + yy, col);
                        }
                    x += w;
                }
            }
        }

        void water(int base, int dark, int light, int foam) {
            texture(base, dark, light, 0.12, 0.06);
            for (int k = 0; k < 3; k++) { // wave crests
                int x = r.nextInt(TS), y = r.nextInt(TS);
                int len = 3 + r.nextInt(3);
                for (int i = 0; i < len; i++) wset(x + i, y + (i == 0 || i == len - 1 ? 1 : 0), i == 0 || i == len - 1 ? light : foam);
            }
        }

        void bridge() {
            clear();
            int[] planks = {rgb(158, 110, 64), rgb(150, 104, 60), rgb(166, 118, 70), rgb(146, 100, 58)};
            for (int x = 0; x < TS; x++) {
                int p = x / 4;
                int c = planks[p];
                for (int y = 0; y < TS; y++) {
                    int col = c;
                    if (x % 4 == 3) col = rgb(92, 62, 36);
                    else if (x % 4 == 0) col = shade(c, 14);
                    else if (r.nextDouble() < 0.15) col = shade(c, -12);
                    if (((y + p * 5) % 16) == 0 && x % 4 != 3) col = shade(c, -26); // plank ends
                    set(x, y, col);
                }
            }
            for (int p = 0; p < 4; p++) { // nails
                set(p * 4 + 1, 2, rgb(70, 60, 56));
                set(p * 4 + 1, 13, rgb(70, 60, 56));
            }
        }

        void farmland() {
            texture(rgb(124, 86, 54), rgb(110, 76, 46), rgb(136, 96, 62), 0.2, 0.1);
            for (int y = 0; y < TS; y++) {
                if (y % 4 == 3) for (int x = 0; x < TS; x++) set(x, y, rgb(94, 64, 40));
                if (y % 4 == 0) for (int x = 0; x < TS; x++) if (r.nextDouble() < 0.5) set(x, y, rgb(146, 106, 70));
            }
            for (int k = 0; k < 8; k++) { // sprouts along the furrows
                int x = 1 + r.nextInt(14), y = 4 * r.nextInt(4) + 1;
                set(x, y, rgb(108, 170, 66));
                set(x, y + 1, rgb(84, 140, 52));
            }
        }

        // ---------------------------------------------------------- obstacles
        void shadow(double cx, double cy, double rx, double ry) {
            ellipseBlend(cx, cy, rx, ry, alpha(rgb(20, 30, 20), 80));
        }

        void tree() {
            clear();
            shadow(9, 13, 7.5, 3);
            for (int y = 12; y < 16; y++) { // trunk
                set(7, y, rgb(104, 70, 40));
                set(8, y, rgb(84, 56, 32));
            }
            canopy(new double[][] {{8, 7, 7}, {4.5, 9, 4.3}, {11.5, 9, 4.3}, {8, 4.5, 4.8}, {8, 10, 4.5}},
                    rgb(28, 66, 32), rgb(46, 100, 44), rgb(66, 132, 54), rgb(98, 166, 68), rgb(136, 194, 84));
        }

        /** union of circles, lit from the top-left, dithered, with a dark outline. */
        void canopy(double[][] blobs, int outline, int dark, int mid, int light, int hi) {
            boolean[] in = new boolean[TS * TS];
            for (int y = 0; y < TS; y++)
                for (int x = 0; x < TS; x++)
                    for (double[] b : blobs)
                        if (Math.hypot(x + 0.5 - b[0], y + 0.5 - b[1]) <= b[2]) in[y * TS + x] = true;
            for (int y = 0; y < TS; y++)
                for (int x = 0; x < TS; x++) {
                    if (!in[y * TS + x]) continue;
                    boolean edge = x == 0 || y == 0 || x == TS - 1 || y == TS - 1 || !in[y * TS + x - 1] || !in[y * TS + x + 1]
                            || !in[(y - 1) * TS + x] || !in[(y + 1) * TS + x];
                    // light: distance from an upper-left point within the nearest blob
                    double best = 9;
                    for (double[] b : blobs) {
                        double d = Math.hypot(x + 0.5 - b[0], y + 0.5 - b[1]);
                        if (d <= b[2]) best = Math.min(best, Math.hypot(x + 0.5 - (b[0] - b[2] * 0.35), y + 0.5 - (b[1] - b[2] * 0.4)) / b[2]);
                    }
                    double v = best + (r.nextDouble() - 0.5) * 0.35;
                    int c = v < 0.28 ? hi : v < 0.62 ? light : v < 1.0 ? mid : dark;
                    if (edge) c = (y > 8 || x > 11) ? outline : dark;
                    set(x, y, c);
                }
        }

        void pine(boolean snowy) {
            clear();
            shadow(9, 13, 5.5, 2.5);
            set(7, 14, rgb(96, 64, 36));
            set(8, 14, rgb(78, 52, 30));
            set(7, 15, rgb(96, 64, 36));
            set(8, 15, rgb(78, 52, 30));
            int outline = rgb(20, 52, 40), dark = rgb(32, 82, 58), mid = rgb(44, 106, 70), light = rgb(66, 134, 86);
            int[][] tiers = {{0, 5, 4}, {3, 10, 6}, {7, 14, 8}}; // top, bottom, half width at bottom
            for (int[] t : tiers)
                for (int y = t[0]; y <= t[1]; y++) {
                    double hw = 0.8 + (double) (y - t[0]) / (t[1] - t[0]) * (t[2] - 0.3);
                    for (int x = 0; x < TS; x++) {
                        double dx = x + 0.5 - 8;
                        if (Math.abs(dx) > hw) continue;
                        int c = dx < -hw * 0.2 ? light : dx < hw * 0.45 ? mid : dark;
                        if (r.nextDouble() < 0.12) c = dark;
                        if (Math.abs(dx) > hw - 1 || y == t[1]) c = outline;
                        if (snowy && (y - t[0] <= 1 || (y - t[0] == 2 && dx < 0) || (y == t[1] - 1 && r.nextDouble() < 0.4) ) && Math.abs(dx) <= hw - 0.5)
                            c = y - t[0] == 0 ? rgb(250, 252, 255) : rgb(222, 232, 246);
                        set(x, y, c);
                    }
                }
        }

        void bush() {
            clear();
            shadow(8.5, 12.5, 6, 2.6);
            canopy(new double[][] {{8, 10, 4.6}, {5, 11, 3.2}, {11, 11, 3.2}, {8, 8, 3.5}},
                    rgb(30, 72, 34), rgb(50, 108, 46), rgb(70, 138, 56), rgb(100, 168, 70), rgb(132, 190, 86));
            for (int k = 0; k < 3; k++) set(5 + r.nextInt(7), 8 + r.nextInt(5), rgb(210, 60, 70)); // berries
        }

        void rock() {
            clear();
            shadow(9, 12.5, 7, 3);
            int outline = rgb(62, 62, 68), dark = rgb(102, 102, 108), mid = rgb(132, 132, 138), light = rgb(164, 164, 168), hi = rgb(194, 194, 196);
            for (int y = 0; y < TS; y++)
                for (int x = 0; x < TS; x++) {
                    double dx = (x + 0.5 - 8) / 6.5, dy = (y + 0.5 - 9.5) / 5.2;
                    double d = dx * dx + dy * dy;
                    if (d > 1) continue;
                    double l = (x + 0.5 - 5.5) * 0.12 + (y + 0.5 - 6.5) * 0.16 + (r.nextDouble() - 0.5) * 0.3;
                    int c = l < -0.35 ? hi : l < 0.2 ? light : l < 0.8 ? mid : dark;
                    if (d > 0.78) c = outline;
                    set(x, y, c);
                }
            for (int k = 0; k < 4; k++) set(8 + k, 8 + k / 2, dark); // crack
        }

        void stump() {
            clear();
            shadow(8.5, 11.5, 5.5, 2.5);
            for (int y = 8; y < 13; y++) for (int x = 4; x < 12; x++) set(x, y, x < 6 ? rgb(120, 82, 48) : rgb(96, 64, 36));
            ellipseBlend(8, 8, 4, 2.5, rgb(196, 160, 108));
            ellipseBlend(8, 8, 2.2, 1.3, rgb(170, 132, 84));
            set(8, 8, rgb(150, 112, 70));
        }

        void wallStone() {
            stones(8, 7, 9, new int[] {128, 126, 122}, 10, rgb(70, 68, 66), true);
            for (int i = 0; i < TS * TS; i++) if (r.nextDouble() < 0.05) px[i] = shade(px[i], -12);
        }

        void palisade() {
            clear();
            for (int l = 0; l < 4; l++) {
                int x0 = l * 4;
                int c = rgb(136 + r.nextInt(12), 92 + r.nextInt(8), 52);
                for (int y = 0; y < TS; y++)
                    for (int x = x0; x < x0 + 4; x++) {
                        int col = x == x0 ? shade(c, 18) : x == x0 + 3 ? rgb(74, 48, 26) : c;
                        if (r.nextDouble() < 0.12) col = shade(col, -12);
                        if (y % 8 == 5 && x != x0 + 3) col = shade(c, -30); // bark rings
                        set(x, y, col);
                    }
                set(x0 + 1, 0, rgb(170, 130, 86)); // pointed tip
                set(x0 + 2, 0, rgb(150, 110, 70));
            }
            for (int x = 0; x < TS; x++) { // binding rope
                set(x, 10, rgb(196, 170, 110));
                set(x, 11, rgb(150, 124, 78));
            }
        }

        void hedge() {
            texture(rgb(52, 112, 50), rgb(38, 88, 40), rgb(70, 136, 60), 0.3, 0.16);
            for (int k = 0; k < 10; k++) { // leaf clumps
                int x = r.nextInt(TS), y = r.nextInt(TS);
                wset(x, y, rgb(96, 160, 74));
                wset(x + 1, y, rgb(80, 148, 64));
                wset(x, y + 1, rgb(30, 76, 36));
            }
            for (int k = 0; k < 2; k++) wset(r.nextInt(TS), r.nextInt(TS), rgb(240, 236, 246)); // blossoms
        }

        void houseWall() {
            clear();
            for (int y = 0; y < TS; y++)
                for (int x = 0; x < TS; x++) {
                    int c = rgb(198, 164, 116);
                    if (y % 4 == 3) c = rgb(132, 98, 62);
                    else if (y % 4 == 0) c = rgb(216, 184, 136);
                    else if (r.nextDouble() < 0.15) c = rgb(184, 150, 104);
                    set(x, y, c);
                }
            for (int y = 0; y < TS; y++) { // timber posts at the tile edges
                set(0, y, rgb(110, 76, 44));
                set(15, y, rgb(96, 64, 36));
            }
        }

        void houseWindow() {
            houseWall();
            for (int y = 3; y < 12; y++)
                for (int x = 3; x < 13; x++) {
                    int c;
                    if (x == 3 || x == 12 || y == 3 || y == 11) c = rgb(96, 62, 34);
                    else if (x == 7 || x == 8 || y == 7) c = rgb(120, 82, 48);
                    else c = (x - y) > -2 && (x - y) < 2 ? rgb(170, 210, 236) : rgb(80, 128, 176);
                    set(x, y, c);
                }
            for (int x = 2; x < 14; x++) set(x, 12, rgb(150, 112, 70)); // sill
        }

        void door() {
            houseWall();
            for (int y = 2; y < TS; y++)
                for (int x = 3; x < 13; x++) {
                    boolean arch = y < 4 && (x == 3 || x == 12 || (y == 2 && (x == 4 || x == 11)));
                    if (arch) continue;
                    int c = (x == 3 || x == 12 || y == 2 || (y == 3 && (x == 4 || x == 11))) ? rgb(70, 44, 24)
                            : x % 3 == 2 ? rgb(96, 60, 32) : rgb(122, 80, 44);
                    set(x, y, c);
                }
            set(10, 9, rgb(230, 200, 90));
            set(10, 10, rgb(170, 140, 60));
        }

        void roof(int base, boolean eave) {
            clear();
            int rows = eave ? 3 : 4;
            for (int row = 0; row < rows; row++) {
                int off = (row % 2) * 2;
                for (int y = row * 4; y < row * 4 + 4; y++)
                    for (int x = 0; x < TS; x++) {
                        int d = 0;
                        if (y % 4 == 3) d = -44;
                        else if (y % 4 == 0) d = 18;
                        else if (y % 4 == 2) d = -10;
                        if ((x + off) % 4 == 0 && y % 4 != 3) d -= 26;
                        if (r.nextDouble() < 0.12) d += r.nextBoolean() ? 8 : -8;
                        set(x, y, shade(base, d));
                    }
            }
            if (eave) {
                for (int x = 0; x < TS; x++) {
                    set(x, 12, shade(base, 26));
                    set(x, 13, shade(base, -20));
                    set(x, 14, shade(base, -56));
                    set(x, 15, rgb(58, 40, 30)); // shadow on the wall below
                }
            }
        }

        void fence() {
            clear();
            int wood = rgb(168, 122, 72), dark = rgb(104, 70, 40), light = rgb(196, 152, 98);
            for (int x = 0; x < TS; x++) {
                for (int y : new int[] {5, 10}) {
                    set(x, y, light);
                    set(x, y + 1, wood);
                    blend(x, y + 2, alpha(rgb(20, 20, 10), 70));
                }
            }
            for (int p : new int[] {2, 12}) {
                for (int y = 3; y < 14; y++) {
                    set(p, y, y == 3 ? light : wood);
                    set(p + 1, y, dark);
                }
                blend(p, 14, alpha(rgb(20, 20, 10), 80));
                blend(p + 1, 14, alpha(rgb(20, 20, 10), 80));
            }
        }

        void fountain() {
            clear();
            shadow(8.5, 9.5, 8, 7);
            for (int y = 0; y < TS; y++)
                for (int x = 0; x < TS; x++) {
                    double d = Math.hypot(x + 0.5 - 8, y + 0.5 - 8);
                    if (d > 7.6) continue;
                    int c;
                    if (d > 6.6) c = rgb(110, 108, 112);
                    else if (d > 5.2) c = (y < 8 ? rgb(210, 206, 198) : rgb(176, 172, 166));
                    else if (d > 1.8) c = r.nextDouble() < 0.15 ? rgb(150, 206, 236) : rgb(74, 146, 206);
                    else c = rgb(196, 192, 186);
                    set(x, y, c);
                }
            set(8, 7, rgb(230, 244, 255));
            set(7, 7, rgb(200, 230, 250));
            for (int k = 0; k < 6; k++) { // splashes
                double a = k * Math.PI / 3;
                set((int) (8 + Math.cos(a) * 3.3), (int) (8 + Math.sin(a) * 3.3), rgb(214, 238, 252));
            }
        }

        void well() {
            clear();
            shadow(9, 10, 7, 5.5);
            for (int y = 0; y < TS; y++)
                for (int x = 0; x < TS; x++) {
                    double d = Math.hypot(x + 0.5 - 8, y + 0.5 - 9);
                    if (d > 6) continue;
                    int c = d > 5 ? rgb(96, 94, 98) : d > 3.4 ? ((x + y) % 3 == 0 ? rgb(128, 126, 124) : rgb(158, 156, 150)) : rgb(26, 44, 70);
                    set(x, y, c);
                }
            for (int y = 1; y < 12; y++) { set(2, y, rgb(112, 76, 42)); set(13, y, rgb(96, 64, 36)); }
            for (int x = 1; x < 15; x++) { set(x, 2, rgb(150, 104, 60)); set(x, 3, rgb(104, 70, 40)); }
            for (int y = 4; y < 8; y++) set(8, y, rgb(190, 170, 130)); // rope
            set(8, 8, rgb(120, 84, 50));
        }

        void lamp() {
            clear();
            shadow(8.5, 14.5, 3, 1.3);
            ellipseBlend(8, 4, 5.5, 5.5, alpha(rgb(255, 230, 140), 50));
            for (int y = 6; y < 15; y++) { set(7, y, rgb(60, 60, 66)); set(8, y, rgb(40, 40, 46)); }
            for (int x = 6; x < 10; x++) set(x, 14, rgb(50, 50, 56));
            for (int y = 2; y < 6; y++) for (int x = 6; x < 10; x++) set(x, y, (x == 6 || x == 9) ? rgb(50, 50, 56) : rgb(255, 222, 120));
            for (int x = 5; x < 11; x++) set(x, 1, rgb(40, 40, 46));
            set(7, 3, rgb(255, 250, 210));
        }

        void rail() {
            clear();
            int wood = rgb(150, 104, 60), dark = rgb(92, 62, 36), light = rgb(184, 136, 84);
            for (int x = 0; x < TS; x++) {
                set(x, 6, light);
                set(x, 7, wood);
                set(x, 8, dark);
                blend(x, 9, alpha(rgb(10, 30, 50), 90));
            }
            for (int p : new int[] {3, 11}) {
                for (int y = 5; y < 13; y++) { set(p, y, wood); set(p + 1, y, dark); }
                set(p, 5, light);
                blend(p, 13, alpha(rgb(10, 30, 50), 90));
                blend(p + 1, 13, alpha(rgb(10, 30, 50), 90));
            }
        }

        void reeds() {
            clear();
            for (int k = 0; k < 6; k++) {
                int x = 2 + r.nextInt(12), top = 3 + r.nextInt(6);
                for (int y = top; y < 15; y++) set(x, y, y < top + 2 ? rgb(120, 80, 44) : (x % 2 == 0 ? rgb(70, 130, 56) : rgb(58, 112, 48)));
                set(x, top - 1, rgb(150, 104, 60));
                blend(x + 1, 15, alpha(rgb(20, 40, 20), 70));
            }
        }

        // ---------------------------------------------------------- sheet
        static BufferedImage draw(long seed, List<String> names) {
            Tiles t = new Tiles(seed);
            int rows = (names.size() + COLS - 1) / COLS;
            BufferedImage sheet = new BufferedImage(COLS * TS, rows * TS, BufferedImage.TYPE_INT_ARGB);
            for (int i = 0; i < names.size(); i++) {
                t.clear();
                t.paint(names.get(i));
                sheet.setRGB((i % COLS) * TS, (i / COLS) * TS, TS, TS, t.px, 0, TS);
            }
            return sheet;
        }

        void paint(String name) {
            switch (name) {
                case "grass" -> grass(rgb(91, 156, 62), rgb(76, 138, 54), rgb(106, 170, 70), rgb(128, 188, 82));
                case "grass_light" -> grass(rgb(99, 163, 66), rgb(84, 146, 58), rgb(114, 177, 74), rgb(136, 194, 88));
                case "grass_dark" -> grass(rgb(78, 140, 56), rgb(66, 124, 50), rgb(90, 152, 62), rgb(110, 170, 74));
                case "flowers" -> flowers();
                case "dirt" -> dirt();
                case "cobblestone" -> stones(4, 4, 6, new int[] {142, 140, 134}, 14, rgb(92, 90, 86), false);
                case "plaza" -> stones(8, 8, 8, new int[] {204, 192, 166}, 6, rgb(160, 148, 124), true);
                case "plaza_inlay" -> stones(8, 8, 8, new int[] {176, 128, 100}, 6, rgb(130, 92, 70), true);
                case "sand" -> sand();
                case "water_shallow" -> water(rgb(78, 164, 206), rgb(68, 150, 196), rgb(110, 190, 226), rgb(176, 222, 242));
                case "water_deep" -> water(rgb(44, 104, 172), rgb(36, 90, 156), rgb(60, 124, 190), rgb(104, 160, 214));
                case "bridge" -> bridge();
                case "farmland" -> farmland();
                case "snow" -> snowTile();
                case "tree" -> tree();
                case "pine" -> pine(false);
                case "pine_snow" -> pine(true);
                case "bush" -> bush();
                case "rock" -> rock();
                case "stump" -> stump();
                case "wall_stone" -> wallStone();
                case "palisade" -> palisade();
                case "hedge" -> hedge();
                case "house_wall" -> houseWall();
                case "house_window" -> houseWindow();
                case "door" -> door();
                case "roof_red" -> roof(rgb(184, 70, 56), false);
                case "roof_red_eave" -> roof(rgb(184, 70, 56), true);
                case "roof_blue" -> roof(rgb(72, 96, 176), false);
                case "roof_blue_eave" -> roof(rgb(72, 96, 176), true);
                case "roof_green" -> roof(rgb(66, 130, 82), false);
                case "roof_green_eave" -> roof(rgb(66, 130, 82), true);
                case "roof_gold" -> roof(rgb(206, 158, 64), false);
                case "roof_gold_eave" -> roof(rgb(206, 158, 64), true);
                case "fence" -> fence();
                case "fountain" -> fountain();
                case "well" -> well();
                case "lamp" -> lamp();
                case "bridge_rail" -> rail();
                case "reeds" -> reeds();
                default -> throw new IllegalStateException("no painter for " + name);
            }
        }
    }
}

package mmo.server.world;

import java.util.List;
import java.util.function.Consumer;

/**
 * A uniform grid over the world, rebuilt from every player's and ghost's position once per
 * tick by a counting sort (no allocation once warmed up), for "who is within r of (x, y)"
 * queries. Tick thread only.
 */
final class SpatialGrid {
    private final float cellSize;
    private final int cols, rows;
    private final int[] cellStart;
    private final int[] cursor;
    private Entity[] entries = new Entity[64];
    // The same entries as flat arrays (cell order), which the per-viewer scan reads: no
    // pointer chasing into Player objects in the tick's hottest loop.
    private float[] ex = new float[64], ey = new float[64];
    private int[] eid = new int[64];
    private int[] cellOf = new int[64];
    private int count; // entries indexed by the last rebuild

    SpatialGrid(int worldWidth, int worldHeight, float cellSize) {
        this.cellSize = cellSize;
        this.cols = Math.max(1, (int) Math.ceil(worldWidth / cellSize));
        this.rows = Math.max(1, (int) Math.ceil(worldHeight / cellSize));
        this.cellStart = new int[cols * rows + 1];
        this.cursor = new int[cols * rows];
    }

    private int cellIndex(float x, float y) {
        int cx = Math.min(cols - 1, Math.max(0, (int) (x / cellSize)));
        int cy = Math.min(rows - 1, Math.max(0, (int) (y / cellSize)));
        return cy * cols + cx;
    }

    /** Indexes {@code players} and the {@code others} (ghosts, creatures, loot: all seen by viewers alike). */
    void rebuild(List<Player> players, List<? extends Entity> ghosts) {
        int np = players.size();
        int n = np + ghosts.size();
        count = n;
        if (entries.length < n) {
            entries = new Entity[Math.max(n, entries.length * 2)];
            cellOf = new int[entries.length];
            ex = new float[entries.length];
            ey = new float[entries.length];
            eid = new int[entries.length];
        }
        int cells = cols * rows;
        java.util.Arrays.fill(cellStart, 0);
        for (int i = 0; i < n; i++) {
            Entity p = i < np ? players.get(i) : ghosts.get(i - np);
            int c = cellIndex(p.x, p.y);
            cellOf[i] = c;
            cellStart[c + 1]++;
        }
        for (int c = 0; c < cells; c++) cellStart[c + 1] += cellStart[c];
        System.arraycopy(cellStart, 0, cursor, 0, cells);
        for (int i = 0; i < n; i++) {
            Entity p = i < np ? players.get(i) : ghosts.get(i - np);
            int k = cursor[cellOf[i]]++;
            entries[k] = p;
            ex[k] = p.x;
            ey[k] = p.y;
            eid[k] = p.id;
        }
        java.util.Arrays.fill(entries, n, entries.length, null);
    }

    /** Calls {@code action} for every player simulated here (no ghost, creature or loot) within {@code r} of (x, y), the centre's own player included. */
    void forEachWithin(float x, float y, float r, Consumer<Player> action) {
        float r2 = r * r;
        int cx0 = Math.max(0, (int) ((x - r) / cellSize)), cx1 = Math.min(cols - 1, (int) ((x + r) / cellSize));
        int cy0 = Math.max(0, (int) ((y - r) / cellSize)), cy1 = Math.min(rows - 1, (int) ((y + r) / cellSize));
        for (int cy = cy0; cy <= cy1; cy++) {
            for (int cx = cx0; cx <= cx1; cx++) {
                int c = cy * cols + cx;
                for (int i = cellStart[c], end = cellStart[c + 1]; i < end; i++) {
                    if (!(entries[i] instanceof Player p)) continue;
                    float dx = p.x - x, dy = p.y - y;
                    if (dx * dx + dy * dy <= r2) action.accept(p);
                }
            }
        }
    }

    /** Players and ghosts in cell order after {@link #rebuild}: neighbours in space are neighbours here. */
    Entity entry(int k) {
        return entries[k];
    }

    /** How many entries the last {@link #rebuild} indexed. */
    int count() {
        return count;
    }

    /**
     * Writes into {@code out} the entry indexes of everything in the cells overlapping the box
     * [x0, x1] x [y0, y1] whose position is inside the box, and returns how many.
     */
    int collectInBox(float x0, float y0, float x1, float y1, Ids out) {
        int n = 0;
        if (x1 < 0 || y1 < 0 || x0 > cols * cellSize || y0 > rows * cellSize) return 0;
        int cx0 = Math.max(0, (int) (x0 / cellSize)), cx1 = Math.min(cols - 1, (int) (x1 / cellSize));
        int cy0 = Math.max(0, (int) (y0 / cellSize)), cy1 = Math.min(rows - 1, (int) (y1 / cellSize));
        cx0 = Math.min(cx0, cx1);
        cy0 = Math.min(cy0, cy1);
        for (int cy = cy0; cy <= cy1; cy++) {
            int start = cellStart[cy * cols + cx0], end = cellStart[cy * cols + cx1 + 1];
            out.ensure(n + (end - start));
            int[] o = out.a;
            for (int i = start; i < end; i++) {
                float x = ex[i], y = ey[i];
                if (x >= x0 && x <= x1 && y >= y0 && y <= y1) o[n++] = i;
            }
        }
        return n;
    }

    /** Growable scratch for {@link #collectVisible}: one per thread that queries. */
    static final class Ids {
        int[] a = new int[64];

        void ensure(int n) {
            if (a.length < n) a = java.util.Arrays.copyOf(a, Math.max(n, a.length * 2));
        }
    }

    /**
     * Writes the ids of every player other than {@code self} within {@code r} of (x, y) into
     * {@code out} (unsorted) and returns how many.
     */
    int collectVisible(float x, float y, int self, float r, Ids out) {
        float r2 = r * r;
        int n = 0;
        int cx0 = Math.max(0, (int) ((x - r) / cellSize)), cx1 = Math.min(cols - 1, (int) ((x + r) / cellSize));
        int cy0 = Math.max(0, (int) ((y - r) / cellSize)), cy1 = Math.min(rows - 1, (int) ((y + r) / cellSize));
        for (int cy = cy0; cy <= cy1; cy++) {
            // the cells of one row are contiguous in entry order: one run per row
            int start = cellStart[cy * cols + cx0], end = cellStart[cy * cols + cx1 + 1];
            out.ensure(n + (end - start));
            int[] o = out.a;
            for (int i = start; i < end; i++) {
                float dx = ex[i] - x, dy = ey[i] - y;
                if (dx * dx + dy * dy <= r2 && eid[i] != self) o[n++] = eid[i];
            }
        }
        return n;
    }
}

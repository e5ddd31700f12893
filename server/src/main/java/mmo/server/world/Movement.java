package mmo.server.world;

import mmo.server.world.map.TileMap;

/**
 * The movement rule every client predicts with, so it must stay exactly this: the player is
 * an axis-aligned box of half-size {@link #HALF_SIZE} around its position; each tick it
 * moves along x, then along y; an axis move that would overlap a blocked tile (or leave the
 * map) stops flush against it instead, which lets players slide along walls. Stateless.
 */
public final class Movement {
    public static final float HALF_SIZE = 0.3f;
    private static final float EPS = 1e-4f;

    private Movement() {}

    /** Moves the player one tick along its direction; returns whether its position changed. */
    static boolean step(TileMap map, Player p, float distance) {
        if (p.dirX == 0 && p.dirY == 0) return false;
        boolean moved = false;
        float nx = axisMove(map, p.x, p.dirX * distance, p.y, true);
        if (nx != p.x) {
            p.x = nx;
            moved = true;
        }
        float ny = axisMove(map, p.y, p.dirY * distance, p.x, false);
        if (ny != p.y) {
            p.y = ny;
            moved = true;
        }
        return moved;
    }

    /**
     * Where a move of {@code delta} along one axis ends: the full move if the box is free
     * there, else flush against the tile (or map edge) it would enter, if that is still a
     * step forward; else no move.
     */
    static float axisMove(TileMap map, float from, float delta, float other, boolean alongX) {
        if (delta == 0) return from;
        float to = from + delta;
        if (alongX ? boxFree(map, to, other) : boxFree(map, other, to)) return to;
        float contact = delta > 0
                ? (float) Math.floor(to + HALF_SIZE - EPS) - HALF_SIZE
                : (float) Math.floor(to - HALF_SIZE) + 1 + HALF_SIZE;
        boolean forward = delta > 0 ? contact > from : contact < from;
        if (forward && (alongX ? boxFree(map, contact, other) : boxFree(map, other, contact))) return contact;
        return from;
    }

    /** Whether a player box centred at (x, y) overlaps no blocked tile and stays on the map. */
    public static boolean boxFree(TileMap map, float x, float y) {
        float minX = x - HALF_SIZE + EPS, maxX = x + HALF_SIZE - EPS;
        float minY = y - HALF_SIZE + EPS, maxY = y + HALF_SIZE - EPS;
        if (minX < 0 || minY < 0 || maxX >= map.width() || maxY >= map.height()) return false;
        int tx0 = (int) minX, tx1 = (int) maxX, ty0 = (int) minY, ty1 = (int) maxY;
        for (int ty = ty0; ty <= ty1; ty++) {
            for (int tx = tx0; tx <= tx1; tx++) {
                if (map.isBlocked(tx, ty)) return false;
            }
        }
        return true;
    }
}

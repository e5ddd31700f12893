package mmo.server.world;

import mmo.server.world.map.TileMap;

/**
 * The movement rule every client predicts with, so it must stay exactly this: the player is
 * an axis-aligned box of half-size {@link #HALF_SIZE} around its position; each tick it
 * moves along x, then along y, and an axis move that would overlap a blocked tile (or leave
 * the map) is dropped, which lets players slide along walls. Stateless.
 */
public final class Movement {
    public static final float HALF_SIZE = 0.3f;
    private static final float EPS = 1e-4f;

    private Movement() {}

    /** Moves the player one tick along its direction; returns whether its position changed. */
    static boolean step(TileMap map, Player p, float distance) {
        if (p.dirX == 0 && p.dirY == 0) return false;
        boolean moved = false;
        float nx = p.x + p.dirX * distance;
        if (nx != p.x && boxFree(map, nx, p.y)) {
            p.x = nx;
            moved = true;
        }
        float ny = p.y + p.dirY * distance;
        if (ny != p.y && boxFree(map, p.x, ny)) {
            p.y = ny;
            moved = true;
        }
        return moved;
    }

    /** Whether a player box centred at (x, y) overlaps no blocked tile and stays on the map. */
    public static boolean boxFree(TileMap map, float x, float y) {
        float minX = x - HALF_SIZE, maxX = x + HALF_SIZE - EPS;
        float minY = y - HALF_SIZE, maxY = y + HALF_SIZE - EPS;
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

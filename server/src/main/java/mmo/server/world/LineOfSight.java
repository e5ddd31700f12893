package mmo.server.world;

import mmo.server.world.map.TileMap;

/**
 * Whether one point sees another across the tile map: no blocked tile (wall, tree, rock, water)
 * lies on the segment between them. Walks the tiles the segment crosses, one by one (Amanatides
 * and Woo's grid traversal), so a segment grazing a corner is tested exactly. Stateless.
 */
final class LineOfSight {
    private LineOfSight() {}

    static boolean clear(TileMap map, float x0, float y0, float x1, float y1) {
        int tx = (int) Math.floor(x0), ty = (int) Math.floor(y0);
        int endX = (int) Math.floor(x1), endY = (int) Math.floor(y1);
        float dx = x1 - x0, dy = y1 - y0;
        int stepX = dx > 0 ? 1 : dx < 0 ? -1 : 0, stepY = dy > 0 ? 1 : dy < 0 ? -1 : 0;
        // distance along the segment (as a fraction) to the first vertical / horizontal tile edge, and between edges
        float tMaxX = stepX == 0 ? Float.POSITIVE_INFINITY : ((stepX > 0 ? tx + 1 - x0 : x0 - tx) / Math.abs(dx));
        float tMaxY = stepY == 0 ? Float.POSITIVE_INFINITY : ((stepY > 0 ? ty + 1 - y0 : y0 - ty) / Math.abs(dy));
        float tDeltaX = stepX == 0 ? Float.POSITIVE_INFINITY : 1f / Math.abs(dx);
        float tDeltaY = stepY == 0 ? Float.POSITIVE_INFINITY : 1f / Math.abs(dy);
        int guard = Math.abs(endX - tx) + Math.abs(endY - ty) + 2;
        while ((tx != endX || ty != endY) && guard-- > 0) {
            if (tMaxX < tMaxY) {
                tMaxX += tDeltaX;
                tx += stepX;
            } else {
                tMaxY += tDeltaY;
                ty += stepY;
            }
            if ((tx != endX || ty != endY) && map.isBlocked(tx, ty)) return false;
        }
        return true;
    }
}

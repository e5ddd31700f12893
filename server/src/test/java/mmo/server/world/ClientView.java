package mmo.server.world;

import mmo.protocol.EntityEnter;
import mmo.protocol.WorldUpdate;

import java.util.HashMap;
import java.util.Map;

/**
 * What a client believes from the updates it was sent: entity id to position (1/16 units),
 * applied exactly as mmo.proto says. Tests compare it with the server's truth.
 */
public final class ClientView {
    public final Map<Integer, int[]> positions = new HashMap<>();
    public final Map<Integer, EntityEnter> enters = new HashMap<>();

    public void apply(WorldUpdate u) {
        for (int id : u.getLeavesList()) {
            if (positions.remove(id) == null) throw new AssertionError("leave for unknown entity " + id);
            enters.remove(id);
        }
        for (EntityEnter e : u.getEntersList()) {
            if (positions.put(e.getId(), new int[]{e.getX(), e.getY()}) != null) {
                throw new AssertionError("enter for already known entity " + e.getId());
            }
            enters.put(e.getId(), e);
        }
        var moves = u.getMovesList();
        if (moves.size() % 3 != 0) throw new AssertionError("moves not in triples");
        int id = 0;
        for (int i = 0; i < moves.size(); i += 3) {
            id += moves.get(i);
            int[] p = positions.get(id);
            if (p == null) throw new AssertionError("move for unknown entity " + id);
            p[0] += moves.get(i + 1);
            p[1] += moves.get(i + 2);
        }
    }
}

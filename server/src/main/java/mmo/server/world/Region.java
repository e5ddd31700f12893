package mmo.server.world;

import java.util.ArrayList;
import java.util.List;

/**
 * One square of the world grid (regionSize x regionSize units) and the players standing in
 * it. A region's state is changed only by the thread ticking it; a player crossing into
 * another region is handed off between simulate and interest, never mid-step.
 */
public final class Region {
    final int rx, ry;
    final int index; // ry * columns + rx: the number topologies and the cluster layer use
    final ArrayList<Player> players = new ArrayList<>();

    Region(int rx, int ry, int index) {
        this.rx = rx;
        this.ry = ry;
        this.index = index;
    }

    public int rx() { return rx; }
    public int ry() { return ry; }
    public int index() { return index; }

    /** Players in this region (live view; tick thread only). */
    public List<Player> players() {
        return players;
    }

    void add(Player p) {
        players.add(p);
        p.region = this;
    }

    void remove(Player p) {
        int i = players.indexOf(p);
        if (i >= 0) {
            int last = players.size() - 1;
            players.set(i, players.get(last));
            players.remove(last);
        }
        p.region = null;
    }

    @Override
    public String toString() {
        return "Region(" + rx + "," + ry + ")";
    }
}

package mmo.server.world.map;

import mmo.protocol.CharacterClass;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.BitSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped world map (tools/mapgen): size, walkable share, homes, and that every spawn is reachable. */
class WorldMapTest {
    final TileMap map = TileMap.loadResource("maps/world.tmj");

    @Test
    void isLargeMostlyWalkableAndHasAHomePerClass() {
        assertThat(map.width()).isEqualTo(1024);
        assertThat(map.height()).isEqualTo(1024);
        long walkable = 0;
        for (int y = 0; y < map.height(); y++) {
            for (int x = 0; x < map.width(); x++) if (!map.isBlocked(x, y)) walkable++;
        }
        assertThat(walkable / (double) (map.width() * map.height())).isGreaterThanOrEqualTo(0.75);
        for (CharacterClass c : new CharacterClass[]{CharacterClass.WARRIOR, CharacterClass.MAGE,
                CharacterClass.RANGER, CharacterClass.HEALER}) {
            TileMap.SpawnArea home = map.home(c);
            assertThat(home.characterClass()).as("home of %s", c).isEqualTo(c);
        }
        // four homes in four different corners
        assertThat(map.home(CharacterClass.WARRIOR).x()).isLessThan(512);
        assertThat(map.home(CharacterClass.MAGE).x()).isGreaterThan(512);
        assertThat(map.home(CharacterClass.RANGER).y()).isGreaterThan(512);
        assertThat(map.home(CharacterClass.HEALER).y()).isGreaterThan(512);
        assertThat(map.spawnAreas()).anyMatch(a -> a.kind().equals("safe"));
    }

    @Test
    void everySpawnAreaIsWalkableAndReachableFromEveryOther() {
        TileMap.SpawnArea first = map.spawnAreas().get(0);
        BitSet reached = new BitSet(map.width() * map.height());
        ArrayDeque<int[]> queue = new ArrayDeque<>();
        queue.add(new int[]{first.x(), first.y()});
        reached.set(first.y() * map.width() + first.x());
        int[][] steps = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        while (!queue.isEmpty()) {
            int[] p = queue.poll();
            for (int[] s : steps) {
                int x = p[0] + s[0], y = p[1] + s[1];
                if (map.isBlocked(x, y) || reached.get(y * map.width() + x)) continue;
                reached.set(y * map.width() + x);
                queue.add(new int[]{x, y});
            }
        }
        for (TileMap.SpawnArea a : map.spawnAreas()) {
            for (int y = a.y(); y < a.y() + a.height(); y++) {
                for (int x = a.x(); x < a.x() + a.width(); x++) {
                    assertThat(map.isBlocked(x, y)).as("%s tile %d,%d blocked", a.name(), x, y).isFalse();
                    assertThat(reached.get(y * map.width() + x)).as("%s tile %d,%d reachable", a.name(), x, y).isTrue();
                }
            }
        }
    }
}

package mmo.server.game;

import mmo.protocol.CharacterClass;
import mmo.protocol.StartChoice;
import mmo.server.account.StartPointPicker;
import mmo.server.world.map.TileMap;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Where new characters start: a random walkable point in their class's home area, or with
 * {@link StartChoice#START_RANDOM} a random point in any safe area of the map. Stateless;
 * any thread (the map is immutable).
 */
public final class MapStartPoints implements StartPointPicker {
    private final TileMap map;

    public MapStartPoints(TileMap map) {
        this.map = map;
    }

    @Override
    public Position pick(CharacterClass cls, StartChoice choice) {
        var rnd = ThreadLocalRandom.current();
        TileMap.Point p = choice == StartChoice.START_RANDOM
                ? map.randomSafeStart(rnd)
                : map.randomPointIn(map.home(cls), rnd);
        return new Position(p.x(), p.y());
    }
}

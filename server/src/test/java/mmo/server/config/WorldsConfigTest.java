package mmo.server.config;

import mmo.server.MmoServer;
import mmo.server.config.ServerConfig.WorldConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code mmo.worlds}: the list, its defaults, the one-world fallback, and mistakes that stop the start. */
class WorldsConfigTest {
    @TempDir
    Path dir;

    static Map<String, Object> world(String name, String map, int capacity) {
        return Map.of("name", name, "map", map, "capacity", capacity);
    }

    @Test
    void withoutAListTheOneWorldComesFromWorldNameAndMap() {
        ServerConfig c = ServerConfig.defaults(Map.of("mmo.world.name", "Old Realm", "mmo.world.map", "maps/test.tmj"));
        assertThat(c.worlds()).containsExactly(new WorldConfig("Old Realm", "maps/test.tmj", 10000));
        assertThat(ServerConfig.defaults(Map.of()).worlds()).containsExactly(new WorldConfig("Aldoria", "maps/world.tmj", 10000));
    }

    @Test
    void theListFromAFileWithMapAndCapacityDefaulted() throws Exception {
        Path file = dir.resolve("mmo.conf");
        Files.writeString(file, """
                mmo.world.capacity = 500
                mmo.worlds = [
                  { name = "Aldoria", map = "maps/world.tmj", capacity = 2000 }
                  { name = "Borea" }
                ]
                """);
        ServerConfig c = ServerConfig.load(file, Map.of());
        assertThat(c.worlds()).containsExactly(
                new WorldConfig("Aldoria", "maps/world.tmj", 2000),
                new WorldConfig("Borea", "maps/world.tmj", 500));
    }

    @Test
    void mistakesInTheListSayWhichWorldAndWhat() throws Exception {
        assertThatThrownBy(() -> ServerConfig.defaults(Map.of("mmo.worlds",
                List.of(world("Aldoria", "maps/world.tmj", 10), world("aldoria", "maps/test.tmj", 10)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Aldoria' and 'aldoria' are the same name");
        assertThatThrownBy(() -> ServerConfig.defaults(Map.of("mmo.worlds", List.of(world("Bad/Name", "maps/world.tmj", 10)))))
                .hasMessageContaining("mmo.worlds[0]").hasMessageContaining("'Bad/Name'").hasMessageContaining("letters, digits");
        assertThatThrownBy(() -> ServerConfig.defaults(Map.of("mmo.worlds",
                List.of(world("Aldoria", "maps/world.tmj", 10), world("Borea", "maps/world.tmj", 0)))))
                .hasMessageContaining("mmo.worlds[1]").hasMessageContaining("capacity must be > 0, got 0");
        assertThatThrownBy(() -> ServerConfig.defaults(Map.of("mmo.world.name", "")))
                .hasMessageContaining("mmo.world").hasMessageContaining("world name ''");

        Path file = dir.resolve("mmo.conf");
        Files.writeString(file, """
                mmo.worlds = [
                  { name = "Aldoria" }
                  { name = "Borea", capcity = 3 }
                ]
                """);
        assertThatThrownBy(() -> ServerConfig.load(file, Map.of()))
                .hasMessageContaining("mmo.worlds[1]").hasMessageContaining("mmo.conf: 3")
                .hasMessageContaining("unknown setting 'capcity'");
        Files.writeString(file, """
                mmo.worlds = [ { map = "maps/world.tmj" } ]
                """);
        assertThatThrownBy(() -> ServerConfig.load(file, Map.of())).hasMessageContaining("the world has no name");
        Files.writeString(file, """
                mmo.worlds = [ { name = "Aldoria", capacity = lots } ]
                """);
        assertThatThrownBy(() -> ServerConfig.load(file, Map.of())).hasMessageContaining("mmo.worlds[0]")
                .hasMessageContaining("capacity");
        Files.writeString(file, """
                mmo.worlds = [ "Aldoria" ]
                """);
        assertThatThrownBy(() -> ServerConfig.load(file, Map.of())).hasMessageContaining("each world is an object");
    }

    @Test
    void aClusterRunsOneWorld() {
        assertThatThrownBy(() -> ServerConfig.defaults(Map.of("mmo.cluster.enabled", true, "mmo.worlds",
                List.of(world("Aldoria", "maps/world.tmj", 10), world("Borea", "maps/test.tmj", 10)))))
                .hasMessageContaining("cluster mode (mmo.cluster.enabled) runs one world")
                .hasMessageContaining("Aldoria, Borea");
        assertThat(ServerConfig.defaults(Map.of("mmo.cluster.enabled", true, "mmo.worlds",
                List.of(world("Solo", "maps/world.tmj", 10)))).worlds()).hasSize(1);
    }

    @Test
    void aMapThatDoesNotLoadStopsTheStartNamingTheWorld() throws Exception {
        Map<String, Object> cfg = new HashMap<>(Map.of(
                "mmo.net.port", 0, "mmo.net.host", "127.0.0.1", "mmo.tick.manual", true,
                "mmo.db.url", "jdbc:sqlite:" + dir.resolve("mmo.db")));
        cfg.put("mmo.worlds", List.of(world("Aldoria", "maps/world.tmj", 10), world("Borea", "maps/nowhere.tmj", 10)));
        assertThatThrownBy(() -> MmoServer.start(ServerConfig.defaults(cfg)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("world 'Borea': map 'maps/nowhere.tmj' does not load")
                .hasMessageContaining("not found");

        // a file map served under the same name as the shipped one
        Path other = dir.resolve("world.tmj");
        Files.copy(getClass().getClassLoader().getResourceAsStream("maps/test.tmj"), other);
        cfg.put("mmo.worlds", List.of(world("Aldoria", "maps/world.tmj", 10), world("Borea", other.toString(), 10)));
        assertThatThrownBy(() -> MmoServer.start(ServerConfig.defaults(cfg)))
                .hasMessageContaining("world 'Borea'").hasMessageContaining("/maps/world.tmj")
                .hasMessageContaining("different names");
    }
}

package mmo.server.world.map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import mmo.protocol.CharacterClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TileMapTest {
    @TempDir
    Path dir;

    static final ObjectMapper JSON = new ObjectMapper();

    static byte[] testMapBytes() throws Exception {
        try (InputStream in = TileMapTest.class.getClassLoader().getResourceAsStream("maps/test.tmj")) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsSizeCollisionAndSpawnsOfTheTestMap() {
        TileMap map = TileMap.loadResource("maps/test.tmj");
        assertThat(map.width()).isEqualTo(64);
        assertThat(map.height()).isEqualTo(64);
        assertThat(map.tileWidthPx()).isEqualTo(16);
        assertThat(map.resourcePath()).isEqualTo("maps/test.tmj");
        // the wall at x = 20 for y < 40, open below
        assertThat(map.isBlocked(20, 0)).isTrue();
        assertThat(map.isBlocked(20, 39)).isTrue();
        assertThat(map.isBlocked(20, 40)).isFalse();
        assertThat(map.isBlocked(19, 10)).isFalse();
        assertThat(map.isWalkable(19.9f, 10f)).isTrue();
        assertThat(map.isWalkable(20.1f, 10f)).isFalse();
        // outside the map is blocked
        assertThat(map.isBlocked(-1, 5)).isTrue();
        assertThat(map.isBlocked(64, 5)).isTrue();
        assertThat(map.isBlocked(5, 64)).isTrue();
        // pixels become tiles: the warriors' home is at (80, 80) px, 128 px wide
        TileMap.SpawnArea warriors = map.home(CharacterClass.WARRIOR);
        assertThat(warriors).isEqualTo(new TileMap.SpawnArea("Warriors", "home", CharacterClass.WARRIOR, 5, 5, 8, 8));
        for (CharacterClass c : new CharacterClass[]{CharacterClass.MAGE, CharacterClass.RANGER, CharacterClass.HEALER}) {
            assertThat(map.home(c).characterClass()).isEqualTo(c);
        }
        assertThat(map.spawnAreas()).filteredOn(a -> a.kind().equals("safe")).extracting(TileMap.SpawnArea::name)
                .containsExactly("Plaza");
    }

    @Test
    void randomPointsAreWalkableAndInsideTheirArea() {
        TileMap map = TileMap.loadResource("maps/test.tmj");
        SplittableRandom rnd = new SplittableRandom(7);
        TileMap.SpawnArea plaza = map.spawnAreas().stream().filter(a -> a.kind().equals("safe")).findFirst().orElseThrow();
        for (int i = 0; i < 200; i++) {
            TileMap.Point p = map.randomPointIn(map.home(CharacterClass.HEALER), rnd);
            assertThat(map.home(CharacterClass.HEALER).contains(p.x(), p.y())).isTrue();
            assertThat(map.isWalkable(p.x(), p.y())).isTrue();
            TileMap.Point s = map.randomSafeStart(rnd);
            assertThat(plaza.contains(s.x(), s.y())).isTrue();
            TileMap.Point w = map.randomWalkablePoint(rnd);
            assertThat(map.isWalkable(w.x(), w.y())).isTrue();
        }
    }

    /** The same layers written as base64 + zlib and base64 + gzip give the same collision map. */
    @Test
    void base64LayersWithZlibOrGzipMatchCsv() throws Exception {
        TileMap csv = TileMap.loadResource("maps/test.tmj");
        for (String compression : new String[]{"zlib", "gzip", ""}) {
            ObjectNode root = (ObjectNode) JSON.readTree(testMapBytes());
            for (var layer : root.withArray("layers")) {
                if (!layer.path("type").asText().equals("tilelayer")) continue;
                ArrayNode data = (ArrayNode) layer.get("data");
                ByteBuffer raw = ByteBuffer.allocate(data.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                data.forEach(n -> raw.putInt(n.asInt()));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                var z = switch (compression) {
                    case "zlib" -> new DeflaterOutputStream(out);
                    case "gzip" -> new GZIPOutputStream(out);
                    default -> out;
                };
                z.write(raw.array());
                z.close();
                ((ObjectNode) layer).put("encoding", "base64");
                if (!compression.isEmpty()) ((ObjectNode) layer).put("compression", compression);
                ((ObjectNode) layer).put("data", Base64.getEncoder().encodeToString(out.toByteArray()));
            }
            Path file = dir.resolve("encoded-" + compression + ".tmj");
            JSON.writeValue(file.toFile(), root);
            TileMap encoded = TileMap.load(file);
            assertThat(encoded.resourcePath()).isEqualTo("maps/" + file.getFileName());
            for (int y = -1; y <= 64; y++) {
                for (int x = -1; x <= 64; x++) {
                    assertThat(encoded.isBlocked(x, y)).as("%s at %d,%d", compression, x, y).isEqualTo(csv.isBlocked(x, y));
                }
            }
        }
    }

    @Test
    void badMapsFailWithAMessageNamingTheMap() throws Exception {
        Path notJson = dir.resolve("broken.tmj");
        Files.writeString(notJson, "{ not json");
        assertThatThrownBy(() -> TileMap.load(notJson)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maps/broken.tmj").hasMessageContaining("JSON");

        ObjectNode root = (ObjectNode) JSON.readTree(testMapBytes());
        ((ArrayNode) root.withArray("layers").get(0).get("data")).remove(0);
        Path shortLayer = dir.resolve("short.tmj");
        JSON.writeValue(shortLayer.toFile(), root);
        assertThatThrownBy(() -> TileMap.load(shortLayer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ground").hasMessageContaining("4095");

        ObjectNode badClass = (ObjectNode) JSON.readTree(testMapBytes());
        ((ObjectNode) badClass.withArray("layers").get(2).get("objects").get(0).get("properties").get(0)).put("value", "pirate");
        Path unknown = dir.resolve("class.tmj");
        JSON.writeValue(unknown.toFile(), badClass);
        assertThatThrownBy(() -> TileMap.load(unknown)).hasMessageContaining("PIRATE");

        assertThatThrownBy(() -> TileMap.loadResource("maps/none.tmj")).hasMessageContaining("not found");
    }
}

package mmo.server.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class StaticFilesTest {
    @TempDir
    Path dir;

    @Test
    void servesTheMapFolderFirstThenTheClasspathAndNothingOutside() throws Exception {
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("custom.tmj"), "{\"tilesets\":[]}");
        Files.writeString(dir.resolve("secret.txt"), "secret");
        StaticFiles files = new StaticFiles(maps);

        var custom = files.lookup("/maps/custom.tmj?v=1").orElseThrow();
        assertThat(new String(custom.bytes())).contains("tilesets");
        assertThat(custom.contentType()).isEqualTo("application/json");
        // classpath maps still come through (the test map of the server's test resources)
        assertThat(files.lookup("/maps/test.tmj")).isPresent();
        assertThat(files.lookup("/maps/../secret.txt")).isEmpty();
        assertThat(files.lookup("/maps/%2e%2e/secret.txt")).isEmpty();
        assertThat(files.lookup("/protocol/mmo.proto").orElseThrow().bytes().length).isPositive();
        assertThat(files.lookup("/nothing-here.js")).isEmpty();
    }

    @Test
    void servesEveryWorldsMapFolder() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(a.resolve("aldoria.tmj"), "{\"a\":1}");
        Files.writeString(b.resolve("borea.tmj"), "{\"b\":2}");
        StaticFiles files = new StaticFiles(java.util.List.of(a, b));

        assertThat(new String(files.lookup("/maps/aldoria.tmj").orElseThrow().bytes())).contains("\"a\"");
        assertThat(new String(files.lookup("/maps/borea.tmj").orElseThrow().bytes())).contains("\"b\"");
        assertThat(files.lookup("/maps/test.tmj")).isPresent();
        assertThat(files.lookup("/maps/../a/aldoria.tmj")).isEmpty();
    }
}

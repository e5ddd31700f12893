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
}

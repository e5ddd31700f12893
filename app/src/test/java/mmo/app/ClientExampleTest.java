package mmo.app;

import mmo.client.example.ExampleBot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client library's example program (docs/CLIENT.md) against a real server, so the
 * documented code keeps working: the first run registers and creates a character, the second
 * logs in and plays the same character.
 */
class ClientExampleTest {
    @TempDir
    Path dir;
    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void theExampleBotPlaysTwice() throws Exception {
        server = TestServer.start(dir.resolve("mmo.db"));
        ExampleBot.Report first = server.tickUntilDone(run());
        assertThat(first.character()).isEqualTo("Example");
        assertThat(first.echo()).isEqualTo("hello from the example bot");
        // it walked (east, or the way it turned to where a wall stood: start points are random)
        assertThat(Math.hypot(first.endX() - first.startX(), first.endY() - first.startY())).isGreaterThan(1);

        ExampleBot.Report second = server.tickUntilDone(run());
        assertThat(second.character()).isEqualTo("Example");
        // the character was saved where the first run left it
        assertThat(second.startX()).isEqualTo(first.endX(), org.assertj.core.api.Assertions.within(0.5f));
        assertThat(Math.hypot(second.endX() - second.startX(), second.endY() - second.startY())).isGreaterThan(1);
    }

    CompletableFuture<ExampleBot.Report> run() {
        java.net.URI uri = server.uri();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ExampleBot.run(uri, "example", "example-password");
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }
}

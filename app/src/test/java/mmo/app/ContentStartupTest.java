package mmo.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** An invalid content file stops `mmo serve` before it listens, with the file, line and problem. */
class ContentStartupTest {
    @TempDir
    Path dir;

    @Test
    void serveRefusesInvalidContentNamingFileAndLine() throws Exception {
        Path content = TestServer.shippedContent(dir, null);
        Path items = content.resolve("items.conf");
        String text = Files.readString(items).replace("slot = head,      type = armor", "slot = helmet,    type = armor");
        Files.writeString(items, text);
        int line = 1 + (int) text.substring(0, text.indexOf("slot = helmet")).chars().filter(c -> c == '\n').count();

        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new Main()).execute("serve", "--content", content.toString(), "--port", "0",
                    "--host", "127.0.0.1", "--db", "jdbc:sqlite:" + dir.resolve("mmo.db"));
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("mmo: the game content is invalid: " + items + ":" + line
                + ": item 'leather-cap': slot 'helmet' is not one of head, chest, legs, feet, main-hand, off-hand, none");
    }
}

package mmo.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mmo play}'s arguments: what it says without --terminal, and bad input refused before the terminal is touched. */
class PlayCommandTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    PrintStream oldOut, oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    int play(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "play";
        System.arraycopy(args, 0, all, 1, args.length);
        return new CommandLine(new Main()).execute(all);
    }

    @Test
    void withoutTerminalItPrintsTheBrowserAddress() {
        assertThat(play("--host", "game.example", "--port", "8443", "--tls")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Open https://game.example:8443/ in a browser")
                .contains("mmo play --terminal --host game.example --port 8443 --tls");
    }

    @Test
    void badArgumentsAreClearErrors() throws Exception {
        assertThat(play("--terminal", "--port", "70000")).isEqualTo(2);
        assertThat(play("--terminal", "--trust-cert", "cert.pem")).isEqualTo(2);
        assertThat(play("--terminal", "--password-file", dir.resolve("missing").toString())).isEqualTo(2);
        assertThat(play("--terminal", "--password-file", Files.writeString(dir.resolve("empty"), "\n").toString()))
                .isEqualTo(2);
        assertThat(play("--terminal", "--tls", "--trust-cert", Files.writeString(dir.resolve("junk.pem"), "junk")
                .toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--port must be 1-65535, not 70000")
                .contains("--trust-cert needs --tls")
                .contains("cannot read the password file")
                .contains("is empty")
                .contains("junk.pem");
        assertThat(play("--terminal", "--port", "nope")).isEqualTo(2); // picocli: not a number
    }
}

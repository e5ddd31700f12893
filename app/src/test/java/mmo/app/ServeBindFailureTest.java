package mmo.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `mmo serve` on a port that is taken stops with the address and the setting to change, and
 * leaves nothing its start had opened running: the database pool, the save, ledger and
 * account threads, the event loops.
 */
class ServeBindFailureTest {
    /** Name prefixes of the threads a server start opens (Hikari names its own after the pool, "sqlite:"). */
    private static final List<String> SERVER_THREADS = List.of("sqlite:", "save", "ledger", "accounts-", "housekeeping",
            "encode-", "management", "multiThreadIoEventLoopGroup");

    @TempDir
    Path dir;

    @Test
    void aTakenGamePortStopsTheStartAndClosesTheDatabaseAndThreads() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String err = serveExpectingFailure("--port", String.valueOf(port), "--management-port", "0");
            assertThat(err).contains("mmo: cannot open the game listener on 127.0.0.1:" + port)
                    .contains("set another port with mmo.net.port / MMO_PORT / --port");
        }
    }

    @Test
    void aTakenManagementPortStopsTheStartAndClosesTheGameListenerToo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String err = serveExpectingFailure("--port", "0", "--management-host", "127.0.0.1",
                    "--management-port", String.valueOf(port));
            assertThat(err).contains("mmo: cannot open the management listener on 127.0.0.1:" + port);
        }
    }

    /** Runs `serve` with these options, expects exit code 2 and no server thread left; returns stderr. */
    private String serveExpectingFailure(String... options) throws InterruptedException {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        List<String> args = new ArrayList<>(List.of("serve", "--host", "127.0.0.1", "--db", "jdbc:sqlite:" + dir.resolve("mmo.db")));
        args.addAll(List.of(options));
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new Main()).execute(args.toArray(String[]::new));
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        // the start got as far as the database (it migrated the file) before the port stopped it
        assertThat(dir.resolve("mmo.db")).exists();
        List<String> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (before.contains(t) || SERVER_THREADS.stream().noneMatch(t.getName()::startsWith)) continue;
            t.join(Duration.ofSeconds(10)); // an executor's thread ends just after its shutdown
            if (t.isAlive()) left.add(t.getName());
        }
        assertThat(left).as("threads of the failed start still running").isEmpty();
        return captured.toString(StandardCharsets.UTF_8);
    }
}

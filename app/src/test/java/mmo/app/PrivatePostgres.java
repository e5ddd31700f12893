package mmo.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL instance of a test's own, in a temporary directory, on a free port: the test may
 * stop and start it under a running server without touching the machine's shared instance.
 * Made with the machine's own binaries (/usr/lib/postgresql/N/bin). PostgreSQL refuses to run as
 * root, so under root (CI) its directory belongs to the postgres user and every command runs as
 * that user through runuser.
 */
final class PrivatePostgres implements AutoCloseable {
    final Path dir;
    final int port;
    private final Path bin;
    private final boolean asPostgres;

    private PrivatePostgres(Path dir, int port, Path bin, boolean asPostgres) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
        this.asPostgres = asPostgres;
    }

    /** initdb (trust authentication) and start. */
    static PrivatePostgres create() throws Exception {
        Path bin;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries under /usr/lib/postgresql"));
        }
        Path dir = Files.createTempDirectory("mmo-pg-");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
        }
        PrivatePostgres pg = new PrivatePostgres(dir, ServerProcessIT.freePort(), bin, root);
        try {
            pg.run("initdb", "-D", pg.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync");
            pg.start();
        } catch (Exception e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    private String data() {
        return dir.resolve("data").toString();
    }

    /** Starts and waits until it accepts connections. */
    void start() throws Exception {
        run("pg_ctl", "-D", data(), "-l", dir.resolve("log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start");
    }

    /** Stops in {@code mode}: fast (sessions are ended, a checkpoint written) or immediate (as a crash). */
    void stop(String mode) throws Exception {
        run("pg_ctl", "-D", data(), "-m", mode, "-w", "-t", "60", "stop");
    }

    private void run(String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    /** Stops it if it runs and deletes its directory. */
    @Override
    public void close() throws IOException {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) stop("immediate");
        } catch (Exception e) {
            System.err.println("stopping the private PostgreSQL: " + e.getMessage());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

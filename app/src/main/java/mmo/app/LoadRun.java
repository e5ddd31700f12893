package mmo.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The machinery {@code mmo bench} and {@code mmo soak} share: child JVM command lines (server
 * and bots), the server's {@code /stats} over HTTP, and following the bot process's event lines
 * ({@value BotsCommand#EVENT_PREFIX}). Used by the one thread that drives a run; the HTTP
 * client and the JSON mapper are thread-safe, so a sampler thread may call {@link #getJson} too.
 */
final class LoadRun {
    /**
     * Flags every child JVM of the load tools gets: Netty's native transport, and no Unsafe
     * warning where the JDK (23+) knows the option; JDK 21 and 22 refuse to start with it.
     */
    static final List<String> CHILD_JVM_FLAGS = Runtime.version().feature() >= 23
            ? List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
            : List.of("--enable-native-access=ALL-UNNAMED");

    final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;

    LoadRun() {
        this(null);
    }

    /** With {@code ssl} (null: the JDK's trust store) for an https server's {@code /stats}. */
    LoadRun(SSLContext ssl) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (ssl != null) b.sslContext(ssl);
        http = b.build();
    }

    /** Handles one event line of the bot process ({@code event} is its "event" field). */
    interface BotEvents {
        /** @return true to stop following (the caller has what it waited for) */
        boolean on(String event, JsonNode body) throws Exception;
    }

    /**
     * The collector flags for {@code gc} (G1, Parallel, Serial or Z) on a JVM of feature version
     * {@code jdk}: Z means generational ZGC, which JDK 21 and 22 need {@code -XX:+ZGenerational}
     * for (JDK 23 deprecated the flag and made it the default, JDK 24 removed single-generation ZGC).
     */
    static List<String> gcFlags(String gc, int jdk) {
        String g = gc.strip();
        String canonical = switch (g.toUpperCase(Locale.ROOT)) {
            case "G1" -> "G1";
            case "Z", "ZGC" -> "Z";
            case "PARALLEL" -> "Parallel";
            case "SERIAL" -> "Serial";
            default -> throw new IllegalArgumentException("unknown garbage collector '" + gc + "' (G1, Parallel, Serial or Z)");
        };
        List<String> flags = new ArrayList<>(List.of("-XX:+Use" + canonical + "GC"));
        if (canonical.equals("Z") && jdk < 23) flags.add("-XX:+ZGenerational");
        return flags;
    }

    /** {@code java <jvm flags> -jar <jar> <args>}, after {@code prefix} (e.g. taskset). */
    static List<String> javaCommand(List<String> prefix, String java, List<String> jvm, Path jar, List<String> args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(java);
        cmd.addAll(jvm);
        cmd.addAll(CHILD_JVM_FLAGS);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        return cmd;
    }

    /** This JVM's java binary: child processes run on the same JDK. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Echoes the bot process's output (also into bots.log) to {@code echo} until {@code events}
     * says stop; event lines go to {@code events}. Returns false if the process ended first.
     */
    boolean followBots(Process bots, Path dir, PrintStream echo, BotEvents events) throws Exception {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(bots.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter botLog = new PrintWriter(Files.newBufferedWriter(dir.resolve("bots.log")))) {
            String line;
            while ((line = in.readLine()) != null) {
                botLog.println(line);
                botLog.flush();
                if (!line.startsWith(BotsCommand.EVENT_PREFIX)) {
                    echo.println("  " + line);
                    continue;
                }
                JsonNode ev = json.readTree(line.substring(BotsCommand.EVENT_PREFIX.length()));
                if (events.on(ev.path("event").asText(), ev)) return true;
            }
        }
        return false;
    }

    JsonNode waitForStats(URI stats, Process server, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (server != null && !server.isAlive()) {
                throw new IllegalStateException("the server exited with " + server.exitValue() + " before it was up");
            }
            try {
                return getJson(stats);
            } catch (IOException e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException("the server did not answer " + stats + " within " + seconds + " s", last);
    }

    JsonNode getJson(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) throw new IOException(uri + " answered " + res.statusCode());
        return json.readTree(res.body());
    }

    /** A daemon thread running {@code sample} once a second until interrupted (memory peaks). */
    static Thread everySecond(Runnable sample) {
        return Thread.ofPlatform().daemon(true).name("sampler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sample.run();
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    static List<String> redact(List<String> cmd, String secret) {
        return cmd.stream().map(s -> s.equals(secret) ? "<key>" : s).toList();
    }

    static void stop(Process p, int seconds) throws InterruptedException {
        if (p == null || !p.isAlive()) return;
        p.destroy();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Every port {@link #freePort} has handed out in this process. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port nothing listens on now, and never one handed out before in this process: the ports
     * of all the processes of a run are picked before any of them binds, and the kernel may give
     * a port just closed again (a cluster run's node 2 got node 1's cluster port as its game port).
     */
    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) return s.getLocalPort();
            }
        }
    }

    /** The jar this command runs from (or app/target/mmo.jar when run from classes). */
    static Path ownJar() {
        try {
            Path p = Path.of(LoadRun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(p)) return p;
        } catch (Exception e) {
            // fall through
        }
        Path built = Path.of("app/target/mmo.jar");
        if (Files.isRegularFile(built)) return built;
        throw new IllegalStateException("cannot find the mmo jar; give it with --jar");
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}

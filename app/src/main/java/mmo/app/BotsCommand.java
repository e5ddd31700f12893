package mmo.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import mmo.app.bots.Fleet;
import mmo.app.bots.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code mmo bots}: fills a running server (started with a bots key) with wandering bots, all
 * in this JVM on one event-loop thread. Without {@code --steady} it runs until stopped, for
 * people to watch in the browser; with it, it measures a steady phase after the ramp and
 * prints the figures (this is the bot half of {@code mmo bench}).
 *
 * <p>Lines starting with {@value #EVENT_PREFIX} are for {@code mmo bench}: one JSON object each.
 */
@Command(name = "bots", mixinStandardHelpOptions = true,
        description = "Fill a running server with wandering load bots (the server needs --bots-key).")
final class BotsCommand implements Callable<Integer> {
    static final String EVENT_PREFIX = "@bench ";

    @Option(names = "--server", required = true, split = ",",
            description = "The server's WebSocket URL, e.g. ws://localhost:8080/ws; several (comma-separated) spread the bots over a cluster's nodes.")
    java.util.List<URI> server;

    @Option(names = "--trust-cert", description = "For a wss:// server with a self-signed certificate: the PEM certificate (or CA) to trust. Default: the JDK's trusted authorities.")
    Path trustCert;

    @Option(names = "--players", defaultValue = "100", description = "Number of bots (default ${DEFAULT-VALUE}).")
    int players;

    @Option(names = "--key", defaultValue = "${env:MMO_BOTS_KEY}", description = "The server's bots key (default: env MMO_BOTS_KEY).")
    String key;

    @Option(names = "--workload", defaultValue = "open-world-walk", converter = Workload.Converter.class,
            description = "open-world-walk (wander the whole map) or crowd (stay in the 48x48 square at the centre). "
                    + "Where bots appear is the server's --bots-spawn.")
    Workload workload;

    @Option(names = "--ramp-rate", defaultValue = "200", description = "New connections per second (default ${DEFAULT-VALUE}).")
    double rampRate;

    @Option(names = "--threads", defaultValue = "1", description = "Event-loop threads for all bots (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--steady", description = "Measure a steady phase of this many seconds after the ramp, report and exit.")
    Integer steady;

    @Option(names = "--settle", defaultValue = "3", description = "Seconds between the end of the ramp and the steady phase (default ${DEFAULT-VALUE}).")
    int settle;

    @Option(names = "--report", description = "With --steady: also write the report (JSON) to this file.")
    Path report;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed of the bots' walks.")
    long seed;

    @Option(names = "--chat-every", defaultValue = "0", description = "Each bot also says a line in local chat about this often, in seconds (default 0: never, as in the standard workloads).")
    double chatEvery;

    @Override
    public Integer call() throws Exception {
        if (key == null || key.isBlank()) {
            System.err.println("mmo bots: give the server's bots key with --key or MMO_BOTS_KEY");
            return 2;
        }
        if (players < 1 || rampRate <= 0 || threads < 1 || chatEvery < 0) {
            System.err.println("mmo bots: --players, --ramp-rate and --threads must be positive, --chat-every not negative");
            return 2;
        }
        ObjectMapper json = new ObjectMapper();
        try (Fleet fleet = new Fleet(server, key, workload, threads, seed, trustCert)) {
            fleet.chatEvery(java.time.Duration.ofMillis(Math.round(chatEvery * 1000)));
            long rampTimeout = (long) Math.ceil(players / rampRate) + 60;
            System.out.println("bots: " + players + " " + workload.id() + " bots -> " + server + " at " + rampRate + "/s");
            fleet.ramp(players, rampRate, rampTimeout, System.out::println);
            System.out.println(fleet.progress("ramp done"));
            System.out.println(EVENT_PREFIX + json.writeValueAsString(Map.of("event", "ramped",
                    "in_world", fleet.connectedNow(), "failures", fleet.failures())));
            if (steady == null) {
                while (!Thread.currentThread().isInterrupted()) {
                    TimeUnit.SECONDS.sleep(5);
                    System.out.println(fleet.progress("running"));
                }
                return 0;
            }
            TimeUnit.SECONDS.sleep(settle);
            fleet.beginSteady();
            System.out.println(EVENT_PREFIX + json.writeValueAsString(Map.of("event", "steady-start")));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(steady);
            long left;
            while ((left = end - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.SECONDS.toNanos(5)));
                if (end - System.nanoTime() > 0) {
                    System.out.println(fleet.progress("steady"));
                    Map<String, Object> p = new java.util.LinkedHashMap<>(Map.of("event", "progress",
                            "in_world", fleet.connectedNow(), "failures", fleet.failures(), "disconnects", fleet.disconnects()));
                    p.putAll(fleet.chatCounts());
                    System.out.println(EVENT_PREFIX + json.writeValueAsString(p));
                }
            }
            Map<String, Object> r = fleet.endSteady();
            String line = json.writeValueAsString(r);
            if (report != null) Files.writeString(report, line + "\n");
            System.out.println(EVENT_PREFIX + "{\"event\":\"report\",\"report\":" + line + "}");
            return 0;
        }
    }
}

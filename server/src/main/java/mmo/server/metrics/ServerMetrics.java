package mmo.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import mmo.server.cluster.ClusterGame;
import mmo.server.cluster.ClusterNode;
import mmo.server.game.WorldDirectory;
import mmo.server.net.NetTraffic;
import mmo.server.net.SessionRegistry;
import mmo.server.net.TlsCertificates;
import mmo.server.persistence.SaveService;
import mmo.server.world.Refusals;
import mmo.server.world.World;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The server process's metrics: one Prometheus registry with the JVM's figures and the game's
 * (players per world and region, tick durations, time dilation, traffic, saves, refusals,
 * sessions, and a cluster node's membership). Every figure is read from what its owner already
 * publishes (atomics, volatiles, adders) when scraped, or recorded by its owner's thread through
 * a listener set here: the tick thread's {@link World#tickStats()}, the save thread's
 * {@link SaveService}. Nothing here locks the tick or runs on it beyond one timer record per
 * tick. Bind once at start-up (one thread); {@link #scrape} from any thread.
 *
 * <p>Names are Micrometer's, written as Prometheus names: {@code mmo.tick.duration} is scraped as
 * {@code mmo_tick_duration_seconds_bucket}, {@code _count}, {@code _sum}, {@code _max}.
 */
public final class ServerMetrics implements AutoCloseable {
    /** Prometheus' classic text format, the default. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics text, for a scraper whose Accept header asks for it. */
    public static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> binders = new ArrayList<>();
    private final List<WorldTicks> worlds = new ArrayList<>();

    /** A world's ticks as the metrics saw them: for liveness and readiness. Any thread. */
    public static final class WorldTicks {
        private final String name;
        private volatile long lastTickAt; // System.nanoTime() after the last tick; 0: none yet

        WorldTicks(String name) {
            this.name = name;
        }

        public String name() { return name; }

        /** The tick thread ended a tick at {@code at} ({@link System#nanoTime()}). */
        void ticked(long at) {
            lastTickAt = at == 0 ? 1 : at;
        }

        /** Whether the world has run a tick. */
        public boolean started() { return lastTickAt != 0; }

        /** Nanoseconds since the end of its last tick, at {@code now} ({@link System#nanoTime()}); -1 before the first. */
        public long sinceLastTick(long now) {
            long at = lastTickAt;
            return at == 0 ? -1 : now - at;
        }
    }

    public ServerMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * A world: its players (the seats taken through this process), the players standing in each
     * of its regions, its time dilation, and its tick durations (recorded by its tick thread).
     */
    public WorldTicks bindWorld(World world, WorldDirectory.Entry entry) {
        String name = world.name();
        Gauge.builder("mmo.players", entry, WorldDirectory.Entry::population)
                .description("Players in the world through this process (seats taken)")
                .tag("world", name).register(registry);
        int size = world.settings().regionSize();
        for (int ry = 0; ry < world.regionRows(); ry++) {
            for (int rx = 0; rx < world.regionCols(); rx++) {
                var region = world.regionAt(rx * size, ry * size);
                Gauge.builder("mmo.region.players", region, r -> r.population())
                        .description("Players standing in the region (index = row * columns + column), as of the last tick")
                        .tags("world", name, "region", Integer.toString(region.index()))
                        .register(registry);
                Gauge.builder("mmo.region.simulate.time", region, r -> r.lastStepNanos() / 1e9)
                        .description("Time the last tick took to simulate the region's players (0 when it has none)")
                        .baseUnit("seconds")
                        .tags("world", name, "region", Integer.toString(region.index()))
                        .register(registry);
            }
        }
        Gauge.builder("mmo.time.dilation", world, World::timeDilation)
                .description("The world's clock rate: 1 = real time; below 1 while ticks overrun their budget")
                .tag("world", name).register(registry);
        Duration budget = Duration.ofNanos(1_000_000_000L / world.settings().tickRate());
        Timer ticks = Timer.builder("mmo.tick.duration")
                .description("Work of one tick of the world (inputs to flush and save hand-off); the budget is one tick period")
                .tag("world", name)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(1))
                .serviceLevelObjectives(budget.dividedBy(4), budget.dividedBy(2), budget.multipliedBy(4).dividedBy(5), budget,
                        budget.multipliedBy(2))
                .register(registry);
        WorldTicks seen = new WorldTicks(name);
        world.tickStats().listen((tick, nanos) -> {
            ticks.record(nanos, TimeUnit.NANOSECONDS);
            seen.ticked(System.nanoTime());
        });
        worlds.add(seen);
        return seen;
    }

    /** The game connections' messages and bytes, in and out. */
    public void bindTraffic(NetTraffic traffic) {
        FunctionCounter.builder("mmo.net.in.messages", traffic, NetTraffic::messagesIn)
                .description("Game messages received from clients").register(registry);
        FunctionCounter.builder("mmo.net.out.messages", traffic, NetTraffic::messagesOut)
                .description("Game messages sent to clients").register(registry);
        FunctionCounter.builder("mmo.net.in.bytes", traffic, NetTraffic::bytesIn).baseUnit("bytes")
                .description("Payload bytes of the game messages received").register(registry);
        FunctionCounter.builder("mmo.net.out.bytes", traffic, NetTraffic::bytesOut).baseUnit("bytes")
                .description("WebSocket frame bytes written to clients' sockets (before TLS)").register(registry);
    }

    /** Sessions online and logins since start. */
    public void bindSessions(SessionRegistry sessions) {
        Gauge.builder("mmo.sessions.online", sessions, SessionRegistry::online)
                .description("Accounts logged in through this process").register(registry);
        FunctionCounter.builder("mmo.logins", sessions, SessionRegistry::logins)
                .description("Sessions claimed (logins and resumes)").register(registry);
    }

    /** The anti-cheat refusals, one counter per kind. */
    public void bindRefusals(Refusals refusals) {
        for (Refusals.Kind k : Refusals.Kind.values()) {
            FunctionCounter.builder("mmo.refusals", refusals, r -> r.count(k))
                    .description("Requests refused that an honest client does not make, by kind (docs/SECURITY.md)")
                    .tag("kind", k.name().toLowerCase(Locale.ROOT)).register(registry);
        }
    }

    /** The save batches' latency (on the save thread), by outcome. */
    public void bindSaves(SaveService saves) {
        // a few fixed buckets (three outcomes of a full percentile histogram would be 200 series)
        Duration[] buckets = java.util.stream.LongStream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000)
                .mapToObj(Duration::ofMillis).toArray(Duration[]::new);
        Timer.Builder b = Timer.builder("mmo.save.duration")
                .description("Writing one batch of character states (periodic, logout, shutdown)")
                .serviceLevelObjectives(buckets);
        Timer ok = b.tag("outcome", "ok").register(registry);
        Timer fenced = b.tag("outcome", "fenced").register(registry);
        Timer failed = b.tag("outcome", "failed").register(registry);
        saves.listen((characters, nanos, outcome) -> (switch (outcome) {
            case "ok" -> ok;
            case "fenced" -> fenced;
            default -> failed;
        }).record(nanos, TimeUnit.NANOSECONDS));
    }

    /** The TLS certificate: renewals loaded or not, and when the one served expires. */
    public void bindTls(TlsCertificates tls) {
        FunctionCounter.builder("mmo.tls.reloads", tls, TlsCertificates::reloads).tag("outcome", "ok")
                .description("Renewed TLS certificate files found by the periodic check: ok, loaded; failed, not loaded (the old stays)").register(registry);
        FunctionCounter.builder("mmo.tls.reloads", tls, TlsCertificates::failures).tag("outcome", "failed")
                .description("Renewed TLS certificate files found by the periodic check: ok, loaded; failed, not loaded (the old stays)").register(registry);
        // a renewal that never reaches the server shows as this date coming close
        Gauge.builder("mmo.tls.certificate.expiry", tls, t -> t.expires().getEpochSecond()).baseUnit("seconds")
                .description("When the served TLS certificate expires, in seconds since 1970").register(registry);
    }

    /** A cluster node: the members up as it sees them, and the regions it owns. */
    public void bindCluster(ClusterGame cluster) {
        Gauge.builder("mmo.cluster.members", cluster, c -> {
            ClusterNode n = c.node();
            return n == null ? 0 : n.members().size();
        }).description("Cluster members that are up, as this node sees them").register(registry);
        Gauge.builder("mmo.cluster.regions.owned", cluster, c -> {
            ClusterNode n = c.node();
            if (n == null) return 0;
            String self = n.self();
            return n.regionOwners().values().stream().filter(self::equals).count();
        }).description("Regions this node simulates").register(registry);
    }

    /** The worlds bound so far, with their last ticks. */
    public List<WorldTicks> worlds() {
        return List.copyOf(worlds);
    }

    /** The registry (tests, and anything that wants to add its own meters). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The content type to answer a scraper's {@code Accept} header (null: none) with. */
    public static String contentTypeFor(String accept) {
        return accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
    }

    /** Every metric in the exposition format of {@code contentType} ({@link #contentTypeFor}). Any thread. */
    public byte[] scrape(String contentType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        try {
            registry.scrape(out, contentType);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        for (AutoCloseable b : binders) {
            try {
                b.close();
            } catch (Exception ignored) {
                // a GC listener that will not unregister: the registry goes anyway
            }
        }
        registry.close();
    }
}

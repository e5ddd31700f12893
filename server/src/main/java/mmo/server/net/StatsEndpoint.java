package mmo.server.net;

import io.netty.handler.codec.http.QueryStringDecoder;
import mmo.server.world.TickStats;
import mmo.server.world.World;

import java.util.List;
import java.util.Locale;

/**
 * {@code GET /stats?from=<tick>}: the world's name, accounts online, the current tick and the
 * tick durations since {@code from} (all held ticks without it), as one JSON object. Read by
 * {@code mmo bench}. Served only when {@link mmo.server.config.ServerConfig#statsEndpoint()}
 * is on, because it tells anyone how loaded the server is. Stateless; any thread.
 */
final class StatsEndpoint {
    static final String PATH = "/stats";

    private final World world;
    private final SessionRegistry sessions;
    private final WorldGateway gateway;

    StatsEndpoint(World world, SessionRegistry sessions, WorldGateway gateway) {
        this.world = world;
        this.sessions = sessions;
        this.gateway = gateway;
    }

    /** The JSON body for a request URI whose path is {@link #PATH}; null if {@code from} is malformed. */
    String respond(QueryStringDecoder query) {
        int from = 0;
        List<String> f = query.parameters().get("from");
        if (f != null && !f.isEmpty()) {
            try {
                from = Integer.parseInt(f.get(0));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        TickStats.Summary s = world.tickStats().since(from);
        return String.format(Locale.ROOT,
                "{\"world\":\"%s\",\"players\":%d,\"tick\":%d,\"from\":%d,\"ticks\":%d,\"p50_ms\":%.3f,"
                        + "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"mean_ms\":%.3f,\"hz\":%.3f,\"time_dilation\":%.3f,"
                        + "\"cpu_p50_ms\":%.3f,\"cpu_p99_ms\":%.3f,\"cpu_max_ms\":%.3f,"
                        + "\"interest\":\"%s\",\"refused\":%s%s}",
                escape(world.name()), sessions.online(), world.currentTick(), from, s.ticks(), s.p50Ms(), s.p99Ms(),
                s.maxMs(), s.meanMs(), s.hz(), world.timeDilation(), s.cpuP50Ms(), s.cpuP99Ms(), s.cpuMaxMs(),
                escape(describeInterest()), world.refusals().json(), cluster(from));
    }

    /** The gateway's own figures (a cluster node's membership, region owners, traffic), as a field. */
    private String cluster(int from) {
        String json = gateway.statsJson(from);
        return json == null ? "" : ",\"cluster\":" + json;
    }

    private String describeInterest() {
        World.WorldSettings w = world.settings();
        if (w.transportOnly()) return "none: transport-only baseline, one " + w.transportOnlyFrameBytes() + "-byte frame per client per tick";
        var p = w.interest();
        String r = String.format(Locale.ROOT, "players within %.0f units", w.viewRadius());
        if (!p.tiered()) return r + ", every move every tick";
        return r + String.format(Locale.ROOT, "; moves beyond %.0f every 2nd tick, beyond %.0f every 4th, within %d B/tick",
                w.viewRadius() * 0.5, w.viewRadius() * 0.75, p.bytesPerTick());
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}

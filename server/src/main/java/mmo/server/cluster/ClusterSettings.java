package mmo.server.cluster;

import mmo.server.config.ServerConfig;

import java.time.Duration;
import java.util.List;

/**
 * Where this node listens, whom it joins through, and the region grid every node must agree on.
 * Immutable; any thread.
 *
 * @param host       the address other nodes reach this one at (Artery TCP); must be routable from
 *                   them, so not 0.0.0.0
 * @param port       Artery TCP port; 0 picks a free one (tests)
 * @param seedNodes  {@code "host:port"} of nodes to join through, the same list on every node;
 *                   the first one forms the cluster if it finds no other. Empty: this node forms
 *                   a new cluster by itself and others join through it.
 * @param regionCols regions across the map (map width / region size, rounded up)
 * @param regionRows regions down the map
 * @param downAfter  the split brain resolver's stable-after: how long the membership must stay
 *                   unchanged with a member unreachable before the side with the majority downs it
 * @param discovery  finding the nodes by DNS with Cluster Bootstrap instead of {@code seedNodes} (off: an empty name)
 */
public record ClusterSettings(String host, int port, List<String> seedNodes, int regionCols, int regionRows,
                              Duration downAfter, ServerConfig.ClusterDiscovery discovery) {

    /** Settings joining through a fixed seed list. */
    public ClusterSettings(String host, int port, List<String> seedNodes, int regionCols, int regionRows, Duration downAfter) {
        this(host, port, seedNodes, regionCols, regionRows, downAfter, ServerConfig.ClusterDiscovery.OFF);
    }

    public ClusterSettings {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("cluster host must be set");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("cluster port must be 0..65535, got " + port);
        if (regionCols < 1 || regionRows < 1) {
            throw new IllegalArgumentException("region grid must be at least 1x1, got " + regionCols + "x" + regionRows);
        }
        if (downAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("cluster down-after must be at least 1s, got " + downAfter);
        }
        if (discovery.enabled() && !seedNodes.isEmpty()) {
            throw new IllegalArgumentException("set either cluster seed nodes or cluster discovery, not both");
        }
        seedNodes = List.copyOf(seedNodes);
        for (String s : seedNodes) hostPort(s);
    }

    /** The cluster settings of {@code config} ({@code mmo.cluster.*}) for a map of this size in world units. */
    public static ClusterSettings of(ServerConfig config, int mapWidth, int mapHeight) {
        int size = config.regionSize();
        return new ClusterSettings(config.clusterHost(), config.clusterPort(), config.clusterSeedNodes(),
                (mapWidth + size - 1) / size, (mapHeight + size - 1) / size, config.clusterDownAfter(),
                config.clusterDiscovery());
    }

    /** Regions in the grid; region indexes are {@code ry * regionCols + rx}, 0 to this minus one. */
    public int regionCount() {
        return regionCols * regionRows;
    }

    /** Splits {@code "host:port"}; the host may be a bracketed IPv6 literal. */
    static HostPort hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) throw new IllegalArgumentException("seed node must be host:port, got '" + s + "'");
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("seed node must be host:port, got '" + s + "'");
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("seed node port must be 1..65535, got '" + s + "'");
        return new HostPort(host, port);
    }

    record HostPort(String host, int port) {}
}

package mmo.server.cluster;

import mmo.server.cluster.ClusterMessage.NodeEnvelope;
import mmo.server.cluster.ClusterMessage.Ownership;
import mmo.server.cluster.ClusterMessage.RegionEnvelope;
import mmo.server.cluster.ClusterMessage.TopicEnvelope;
import mmo.server.cluster.ClusterMessage.Touch;
import mmo.server.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cluster's settings, shard layout and wire codec, without starting Pekko. */
class ClusterSettingsTest {

    @Test
    void settingsComeFromServerConfigAndTheMapSize() {
        ServerConfig config = ServerConfig.defaults(Map.of(
                "mmo.cluster.seed-nodes", "10.0.0.1:25520, 10.0.0.2:25520",
                "mmo.cluster.down-after", "7s"));
        ClusterSettings s = ClusterSettings.of(config, 1024, 1000);
        assertThat(config.clusterEnabled()).isFalse();
        assertThat(s.seedNodes()).containsExactly("10.0.0.1:25520", "10.0.0.2:25520");
        assertThat(s.port()).isEqualTo(25520);
        assertThat(s.downAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(s.regionCols()).isEqualTo(8);
        assertThat(s.regionRows()).isEqualTo(8);

        ServerConfig asList = ServerConfig.defaults(Map.of("mmo.cluster.seed-nodes", List.of("a:1")));
        assertThat(asList.clusterSeedNodes()).containsExactly("a:1");
        assertThatThrownBy(() -> new ClusterSettings("h", 0, List.of("nohost"), 8, 8, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aShardIsA2x2BlockOfRegions() {
        ClusterNode.BlockShards shards = new ClusterNode.BlockShards(8, 8);
        assertThat(shards.shard(0)).isEqualTo(0);
        assertThat(shards.shard(1)).isEqualTo(0);
        assertThat(shards.shard(8)).isEqualTo(0);
        assertThat(shards.shard(9)).isEqualTo(0);
        assertThat(shards.shard(2)).isEqualTo(1);
        assertThat(shards.shard(16)).isEqualTo(4);
        assertThat(shards.shard(63)).isEqualTo(15);
        // an odd grid: the last column's blocks are half blocks
        ClusterNode.BlockShards odd = new ClusterNode.BlockShards(3, 3);
        assertThat(odd.shard(2)).isEqualTo(1);
        assertThat(odd.shard(8)).isEqualTo(3);
    }

    @Test
    void everyMessageSurvivesTheCodec() throws Exception {
        ClusterSerializer codec = new ClusterSerializer();
        byte[] payload = {1, 2, 3, -1};
        for (Object m : List.of(new RegionEnvelope(42, 7, payload), Touch.INSTANCE,
                new NodeEnvelope("pekko://mmo@127.0.0.1:25520", -3, payload),
                new TopicEnvelope("chätt", 9, new byte[0]),
                new Ownership("pekko://mmo@10.0.0.1:1", new int[] {0, 5, 63}))) {
            Object back = codec.fromBinary(codec.toBinary(m), codec.manifest(m));
            assertThat(back).usingRecursiveComparison().isEqualTo(m);
        }
        assertThat(codec.toBinary(new RegionEnvelope(1, 2, payload))).hasSize(8 + payload.length);
    }
}

package mmo.server.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagementConfigTest {
    @Test
    void theListenerIsOn8081OnLoopbackByDefault() {
        ServerConfig c = ServerConfig.load(null, Map.of("mmo.db.url", "jdbc:sqlite::memory:"));
        // unless this machine's environment sets them (MMO_MANAGEMENT_PORT / MMO_MANAGEMENT_HOST)
        if (System.getenv("MMO_MANAGEMENT_PORT") == null) assertThat(c.managementPort()).isEqualTo(8081);
        if (System.getenv("MMO_MANAGEMENT_HOST") == null) assertThat(c.managementHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void testsDefaultsLeaveItOffUnlessAsked() {
        assertThat(ServerConfig.defaults(Map.of()).managementPort()).isZero();
        ServerConfig c = ServerConfig.defaults(Map.of("mmo.management.port", 9100, "mmo.management.host", "0.0.0.0"));
        assertThat(c.managementPort()).isEqualTo(9100);
        assertThat(c.managementHost()).isEqualTo("0.0.0.0");
    }

    @Test
    void aBadPortIsRefusedWithTheSettingsName() {
        assertThatThrownBy(() -> ServerConfig.defaults(Map.of("mmo.management.port", 70000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mmo.management.port must be 0..65535");
        assertThatThrownBy(() -> ServerConfig.defaults(Map.of("mmo.management.port", 8080, "mmo.net.port", 8080)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mmo.management.port must differ from mmo.net.port");
    }
}

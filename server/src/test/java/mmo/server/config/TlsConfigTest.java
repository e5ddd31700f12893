package mmo.server.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsConfigTest {
    @Test
    void theFilesAreCheckedForARenewalEveryMinuteUnlessSetOtherwise() {
        // unless this machine's environment sets it (MMO_TLS_CHECK_INTERVAL)
        if (System.getenv("MMO_TLS_CHECK_INTERVAL") == null) {
            assertThat(ServerConfig.defaults(Map.of()).tls().checkInterval()).isEqualTo(Duration.ofSeconds(60));
        }
        assertThat(ServerConfig.defaults(Map.of("mmo.net.tls.check-interval", "0")).tls().checkInterval()).isZero();
        assertThat(ServerConfig.defaults(Map.of("mmo.net.tls.check-interval", "1h")).tls().checkInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(ServerConfig.withEnvironment(Map.of("MMO_TLS_CHECK_INTERVAL", "5m")).tls().checkInterval())
                .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aNegativeOrSubSecondIntervalIsRefusedWithTheSettingsName() {
        for (String bad : new String[] {"-1s", "500ms"}) {
            assertThatThrownBy(() -> ServerConfig.defaults(Map.of("mmo.net.tls.check-interval", bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mmo.net.tls.check-interval must be 0 (off) or at least 1s");
        }
    }
}

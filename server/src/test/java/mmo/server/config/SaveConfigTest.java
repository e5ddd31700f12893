package mmo.server.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaveConfigTest {
    @Test
    void theShutdownSaveIsRetriedForThirtySecondsUnlessSetOtherwise() {
        // unless this machine's environment sets it (MMO_SAVE_SHUTDOWN_RETRY)
        if (System.getenv("MMO_SAVE_SHUTDOWN_RETRY") == null) {
            assertThat(ServerConfig.defaults(Map.of()).saveShutdownRetry()).isEqualTo(Duration.ofSeconds(30));
        }
        assertThat(ServerConfig.defaults(Map.of("mmo.save.shutdown-retry", "0")).saveShutdownRetry()).isZero();
        assertThat(ServerConfig.defaults(Map.of("mmo.save.shutdown-retry", "2m")).saveShutdownRetry()).isEqualTo(Duration.ofMinutes(2));
        assertThat(ServerConfig.withEnvironment(Map.of("MMO_SAVE_SHUTDOWN_RETRY", "45s")).saveShutdownRetry())
                .isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void aNegativeRetryTimeIsRefusedWithTheSettingsName() {
        assertThatThrownBy(() -> ServerConfig.defaults(Map.of("mmo.save.shutdown-retry", "-1s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mmo.save.shutdown-retry must be >= 0");
    }
}

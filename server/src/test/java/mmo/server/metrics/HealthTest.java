package mmo.server.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HealthTest {
    static ServerMetrics.WorldTicks world(String name, long lastTickAt) {
        ServerMetrics.WorldTicks w = new ServerMetrics.WorldTicks(name);
        if (lastTickAt != 0) w.ticked(lastTickAt);
        return w;
    }

    @Test
    void readyWhenEveryCheckPasses() {
        Health.Report r = Health.readiness(false, Health.Check.up("database"), List.of(world("A", 5), world("B", 7)), false, null);
        assertThat(r.up()).isTrue();
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.json(true)).isEqualTo("{\"status\":\"UP\",\"checks\":{\"shutdown\":{\"status\":\"UP\"},"
                + "\"database\":{\"status\":\"UP\"},\"worlds\":{\"status\":\"UP\"}}}");
        assertThat(r.json(false)).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void notReadyNamesEveryFailingCheck() {
        Health.Report r = Health.readiness(true, new Health.Check("database", "Connection refused"),
                List.of(world("A", 5), world("B", 0)), true, "this node is not Up in the cluster");
        assertThat(r.up()).isFalse();
        assertThat(r.httpStatus()).isEqualTo(503);
        String json = r.json(false); // a DOWN report always says why
        assertThat(json).startsWith("{\"status\":\"DOWN\"")
                .contains("\"shutdown\":{\"status\":\"DOWN\",\"reason\":\"the server is shutting down (draining)\"}")
                .contains("\"database\":{\"status\":\"DOWN\",\"reason\":\"Connection refused\"}")
                .contains("\"worlds\":{\"status\":\"DOWN\",\"reason\":\"not started yet: B\"}")
                .contains("\"cluster\":{\"status\":\"DOWN\",\"reason\":\"this node is not Up in the cluster\"}");
    }

    @Test
    void oneFailingCheckIsEnough() {
        assertThat(Health.readiness(false, new Health.Check("database", "x"), List.of(world("A", 1)), false, null).up()).isFalse();
        assertThat(Health.readiness(true, Health.Check.up("database"), List.of(world("A", 1)), false, null).up()).isFalse();
        assertThat(Health.readiness(false, Health.Check.up("database"), List.of(world("A", 0)), false, null).up()).isFalse();
        assertThat(Health.readiness(false, Health.Check.up("database"), List.of(world("A", 1)), true, "joining").up()).isFalse();
        assertThat(Health.readiness(false, Health.Check.up("database"), List.of(world("A", 1)), true, null).up()).isTrue();
    }

    @Test
    void liveUnlessTheTickThreadDiedOrAWorldStalls() {
        long now = 1_000_000_000_000L;
        List<ServerMetrics.WorldTicks> fresh = List.of(world("A", now - 1_000_000));
        assertThat(Health.liveness(false, fresh, true, now).up()).isTrue();
        assertThat(Health.liveness(true, fresh, true, now).json(false)).contains("the tick thread died");
        List<ServerMetrics.WorldTicks> stuck = List.of(world("A", now - 1), world("B", now - Health.STALLED_AFTER_NANOS - 1_000_000_000L));
        Health.Report r = Health.liveness(false, stuck, true, now);
        assertThat(r.httpStatus()).isEqualTo(503);
        assertThat(r.json(false)).contains("world 'B' has not finished a tick for 61 s");
        // ticked by hand (tests) or stopped on shutdown: nothing stalls
        assertThat(Health.liveness(false, stuck, false, now).up()).isTrue();
        // a world that has not ticked yet is not stalled (readiness waits for it)
        assertThat(Health.liveness(false, List.of(world("A", 0)), true, now).up()).isTrue();
    }
}

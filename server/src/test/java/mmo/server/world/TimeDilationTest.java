package mmo.server.world;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TimeDilationTest {
    static final long MS = 1_000_000;

    @Test
    void staysAtOneWhileTicksFitTheBudget() {
        TimeDilation d = new TimeDilation(20, 0.1);
        for (int i = 0; i < 200; i++) assertThat(d.update(30 * MS)).isEqualTo(1f);
        assertThat(d.periodNanos()).isEqualTo(50 * MS);
    }

    @Test
    void slowsEvenlyToTheRateTheWorkAllowsAndRecovers() {
        TimeDilation d = new TimeDilation(20, 0.1);
        float previous = 1f;
        for (int i = 0; i < 300; i++) {
            float f = d.update(100 * MS); // twice the period: 40 ms budget / 100 ms = 0.4
            assertThat(f).isLessThanOrEqualTo(previous);
            assertThat(previous - f).isLessThanOrEqualTo(0.05f + 1e-6f); // no sudden jumps
            previous = f;
        }
        assertThat(d.factor()).isCloseTo(0.4f, within(0.01f));
        assertThat(d.periodNanos()).isCloseTo(125 * MS, within(3 * MS));
        for (int i = 0; i < 300; i++) d.update(10 * MS);
        assertThat(d.factor()).isEqualTo(1f);
    }

    @Test
    void neverBelowTheMinimum() {
        TimeDilation d = new TimeDilation(20, 0.25);
        for (int i = 0; i < 500; i++) d.update(10_000 * MS);
        assertThat(d.factor()).isEqualTo(0.25f);
    }

    @Test
    void theWorldSendsTheFactorToItsClients() {
        World world = TestWorlds.world(new TestWorlds.RecordingSaver());
        FakeLink link = new FakeLink();
        TestWorlds.join(world, "Slowpoke", 10.5f, 10.5f, link);
        world.tick();
        assertThat(link.lastUpdate().getTimeDilation()).isEqualTo(1f);
        world.setTimeDilation(0.5f);
        world.tick();
        assertThat(link.lastUpdate().getTimeDilation()).isEqualTo(0.5f);
        assertThat(world.timeDilation()).isEqualTo(0.5f);
    }
}

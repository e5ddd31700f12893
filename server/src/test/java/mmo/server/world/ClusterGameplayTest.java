package mmo.server.world;

import mmo.protocol.CharacterClass;
import mmo.protocol.ClientMessage;
import mmo.protocol.EntityEvent;
import mmo.protocol.UseAbility;
import mmo.server.game.content.Content;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Combat across a region border, between two worlds that split one map as cluster nodes do
 * (A owns x < 32, B the rest; wired by {@link PartialWorldTest.Bus}): a player on A shoots a
 * creature simulated by B, the creature bites back across the border, the kill's experience
 * reaches A and the loot on B belongs to the player; viewers on A see the hits.
 */
class ClusterGameplayTest {
    @Test
    void aPlayerFightsACreatureSimulatedByAnotherNode() {
        MemoryLedger ledger = new MemoryLedger(); // one shared database, as PostgreSQL is for a cluster
        Content content = GameTest.withSpawns(new Content.SpawnDef("wolf", 34, 50, 1, 1, "test"));
        World a = TestWorlds.world(new TestWorlds.RecordingSaver());
        World b = TestWorlds.world(new TestWorlds.RecordingSaver());
        PartialWorldTest.Bus bus = new PartialWorldTest.Bus(a, b);
        a.setGame(content, ledger, 1);
        b.setGame(content, ledger, 1);
        assertThat(a.creatures().get(0).active).as("its home region is B's").isFalse();
        Creature wolf = b.creatures().get(0);
        assertThat(wolf.active).isTrue();

        FakeLink rangerLink = new FakeLink(), watcherLink = new FakeLink();
        int ranger = bus.join(a, "Ranger", 70_001, 31.5f, 50.5f, rangerLink, CharacterClass.RANGER);
        bus.join(a, "Watcher", 70_002, 27.5f, 50.5f, watcherLink);
        Player rp = a.player(ranger);
        rp.maxHealth = 10_000; // a long fight: it must not die of the bites
        rp.health = 10_000;
        bus.rounds(3);
        assertThat(a.isGhost(wolf.id())).as("B reports its wolf to A").isTrue();

        int full = wolf.def().health();
        for (int round = 0; round < 400 && !wolf.dead(); round++) {
            if (round % 25 == 0) {
                bus.inbox(ranger).offer(ClientMessage.newBuilder().setUseAbility(UseAbility.newBuilder().setTarget(wolf.id())).build());
            }
            bus.round();
        }
        assertThat(wolf.dead()).as("killed from the other node; ranger errors %s, wolf health %d at (%s, %s)",
                GameTest.errors(rangerLink), wolf.health(), wolf.x(), wolf.y()).isTrue();
        // it came to the border and bit back: the ranger, simulated by A, was hurt by it
        List<EntityEvent> seen = rangerLink.updates().stream().flatMap(u -> u.getEventsList().stream()).toList();
        assertThat(seen).anySatisfy(e -> {
            assertThat(e.getId()).isEqualTo(ranger);
            assertThat(e.getHit().getSource()).isEqualTo(wolf.id());
        });
        assertThat(rp.health()).isLessThan(10_000);
        bus.rounds(2); // B's last batch, with the death, reaches A
        // hits on the wolf and its death, seen on A by a bystander though simulated on B
        List<EntityEvent> watched = watcherLink.updates().stream().flatMap(u -> u.getEventsList().stream()).toList();
        assertThat(watched).anySatisfy(e -> {
            assertThat(e.getId()).isEqualTo(wolf.id());
            assertThat(e.getHit().getAmount()).isPositive();
        });
        assertThat(watched).anySatisfy(e -> assertThat(e.hasDeath()).isTrue());
        // the experience went to A, where the ranger is
        assertThat(rp.xp()).isEqualTo(wolf.def().xp());
        assertThat(ledger.progress.get(70_001L)).containsExactly(1, wolf.def().xp());
        // the loot lies on B, the ranger's first
        assertThat(b.loot()).isNotEmpty().allSatisfy(l -> assertThat(l.owner).isEqualTo(70_001L));
        assertThat(full).isPositive();
    }
}

package mmo.app.term;

import mmo.client.RemoteEntity;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterStats;
import mmo.protocol.Emote;
import mmo.protocol.EntityKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static mmo.app.term.GameRendererTest.creature;
import static mmo.app.term.GameRendererTest.player;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whom the terminal client's ability key aims at: the nearest live creature within the range the
 * character's stats give (a healer: the nearest other live player within it, else itself), and
 * "nothing in range" rather than a use the server would refuse.
 */
class AimTest {
    static final int SELF = 1;

    static GameRenderer.View view(RemoteEntity... others) {
        List<RemoteEntity> all = new ArrayList<>(List.of(others));
        all.add(player(SELF, "Tess", 10, 10));
        return new GameRenderer.View(10, 10, "main", 100, 1, SELF, all);
    }

    static CharacterStats ability(String name, float range) {
        return CharacterStats.newBuilder().setAbility(name).setAbilityRange(range).build();
    }

    static RemoteEntity dead(RemoteEntity e) {
        RemoteEntity.GameState g = e.game();
        return new RemoteEntity(e.id(), e.kind(), e.name(), e.characterClass(), e.appearance(), e.x(), e.y(), e.emote(),
                e.emoteTick(), new RemoteEntity.GameState(g.level(), 0, g.maxHealth(), true, g.equipment(), g.creature(),
                g.item(), g.gold()));
    }

    static RemoteEntity loot(int id, float x, float y) {
        return new RemoteEntity(id, EntityKind.ENTITY_LOOT, "gold", CharacterClass.WARRIOR, Appearance.getDefaultInstance(),
                x, y, Emote.EMOTE_NONE, 0);
    }

    @Test
    void aCreatureBeyondTheRangeIsNotAimedAt() {
        // a warrior's Cleave reaches 1.6: the wolf 2 tiles away is out of it, the boar at 1 tile is dead
        TerminalClient.Aim aim = TerminalClient.aim(view(creature(7, "wolf", 12, 10), dead(creature(8, "boar", 11, 10))),
                false, ability("Cleave", 1.6f));
        assertThat(aim.target()).isEqualTo(-1);
        assertThat(aim.why()).isEqualTo("nothing in range of Cleave (1.6 tiles)");
    }

    @Test
    void theNearestLiveCreatureWithinTheRange() {
        GameRenderer.View v = view(dead(creature(7, "boar", 10.5f, 10)), creature(8, "wolf", 13, 14),
                creature(9, "bandit", 14, 10.5f), player(4, "Bob", 10.2f, 10), creature(10, "wolf", 20, 10));
        // the boar (0.5 tiles away) is dead and Bob (0.2) a player: of the live creatures, the bandit
        // (4.03) is nearer than the wolves (5 and 10)
        assertThat(TerminalClient.aim(v, false, ability("Firebolt", 9)).target()).isEqualTo(9);
        // a range of 4 falls just short of the bandit: nothing
        assertThat(TerminalClient.aim(v, false, ability("Firebolt", 4)).target()).isEqualTo(-1);
        // a creature exactly at the range is in it, as the server counts it (the wolf at 3, 4: 5 tiles)
        assertThat(TerminalClient.aim(view(creature(8, "wolf", 13, 14)), false, ability("Arrow", 5)).target()).isEqualTo(8);
    }

    @Test
    void aHealerHealsTheNearestPlayerWithinTheRangeElseItself() {
        CharacterStats mend = ability("Mend", 8);
        assertThat(TerminalClient.aim(view(player(4, "Bob", 19, 10)), true, mend).target()).isEqualTo(SELF);
        assertThat(TerminalClient.aim(view(player(4, "Bob", 19, 10), player(5, "Ann", 15, 10)), true, mend).target())
                .isEqualTo(5);
        assertThat(TerminalClient.aim(view(dead(player(5, "Ann", 11, 10)), creature(8, "wolf", 10, 11)), true, mend).target())
                .isEqualTo(SELF);
    }

    @Test
    void beforeTheStatsArriveTheRangeIsUnknownAndTheServerJudges() {
        TerminalClient.Aim aim = TerminalClient.aim(view(creature(8, "wolf", 40, 10)), false, CharacterStats.getDefaultInstance());
        assertThat(aim.target()).isEqualTo(8);
        TerminalClient.Aim none = TerminalClient.aim(view(), false, CharacterStats.getDefaultInstance());
        assertThat(none.target()).isEqualTo(-1);
        assertThat(none.why()).isEqualTo("nothing to use the ability on");
    }

    @Test
    void lootIsPickedUpWithinThePickUpRangeOnly() {
        float reach = mmo.protocol.Constants.PICKUP_RANGE_VALUE;
        assertThat(TerminalClient.nearest(view(loot(20, 10 + reach + 0.5f, 10)), EntityKind.ENTITY_LOOT, reach)).isNull();
        assertThat(TerminalClient.nearest(view(loot(20, 10 + reach + 0.5f, 10), loot(21, 10, 10 + reach - 0.5f)),
                EntityKind.ENTITY_LOOT, reach).id()).isEqualTo(21);
    }
}

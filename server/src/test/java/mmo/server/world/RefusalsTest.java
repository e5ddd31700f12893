package mmo.server.world;

import mmo.protocol.CharacterClass;
import mmo.protocol.ClientMessage;
import mmo.protocol.DropItem;
import mmo.protocol.Equip;
import mmo.protocol.Input;
import mmo.protocol.PickUp;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static mmo.server.world.GameTest.gameWorld;
import static mmo.server.world.GameTest.join;
import static mmo.server.world.GameTest.send;
import static mmo.server.world.GameTest.ticks;
import static mmo.server.world.GameTest.use;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests an honest client does not make are refused (or, for movement, normalised) and
 * counted by kind; a player who keeps making them is flagged, once per window. Tick-stepped,
 * on the 64 x 64 test map (a wall at x = 20 for y &lt; 40).
 */
class RefusalsTest {
    static void input(Player p, float dx, float dy) {
        send(p, ClientMessage.newBuilder().setInput(Input.newBuilder().setSeq(p.ackSeq() + 1).setDx(dx).setDy(dy)));
    }

    /** Puts {@code e} at (x, y) between ticks (a player into the region it belongs to). */
    static void place(World w, Entity e, float x, float y) {
        if (e instanceof Player p) {
            w.teleport(p, x, y);
        } else {
            e.x = x;
            e.y = y;
        }
    }

    @Test
    void eachKindOfCheatIsCountedAndHonestPlayIsNot() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger, GameTest.WOLF);
        Creature wolf = w.creatures().get(0); // at (27, 20)
        FakeLink honestLink = new FakeLink(), cheatLink = new FakeLink();
        Player honest = join(w, ledger, "Honest", CharacterClass.WARRIOR, 40, 50, honestLink);
        Player cheat = join(w, ledger, "Cheat", CharacterClass.MAGE, 15, 20, cheatLink);

        // honest play: keys (diagonals included), a stick, stopping, one input a tick
        float[][] honestInputs = {{1, 0}, {1, 1}, {-1, 1}, {0.6f, -0.8f}, {0, 0}, {0, -1}};
        for (float[] d : honestInputs) {
            input(honest, d[0], d[1]);
            w.tick();
        }
        assertThat(w.refusals().snapshot()).as("nothing counted for honest play").allSatisfy((k, n) -> assertThat(n).isZero());

        // speed: a huge direction still moves one step a tick
        float x0 = cheat.x();
        input(cheat, 0, 1_000_000f);
        w.tick();
        assertThat(cheat.y() - 20).isLessThanOrEqualTo(w.settings().speed() / w.settings().tickRate() + 1e-4f);
        assertThat(w.refusals().count(Refusals.Kind.SPEED)).isEqualTo(1);
        // not a number: it stops
        input(cheat, Float.NaN, 1);
        w.tick();
        assertThat(w.refusals().count(Refusals.Kind.BAD_INPUT)).isEqualTo(1);
        assertThat(cheat.x()).isEqualTo(x0);
        // a flood: ten inputs in a tick count once
        for (int i = 0; i < 10; i++) input(cheat, 0, 0);
        w.tick();
        assertThat(w.refusals().count(Refusals.Kind.INPUT_FLOOD)).isEqualTo(1);

        // abilities: through the wall, out of range, on nothing, faster than the cooldown
        place(w, cheat, 17, 20);
        place(w, wolf, 25, 20);
        use(cheat, wolf.id(), 1); // 8 units (in range) through the wall at x = 20
        w.tick();
        assertThat(w.refusals().count(Refusals.Kind.NO_LINE_OF_SIGHT)).isEqualTo(1);
        place(w, cheat, 5, 44);
        place(w, wolf, 27, 44); // 22 units: beyond the mage's range (9)
        use(cheat, wolf.id(), 2);
        w.tick();
        assertThat(w.refusals().count(Refusals.Kind.OUT_OF_RANGE)).isEqualTo(1);
        use(cheat, 12_345, 3);
        w.tick();
        assertThat(w.refusals().count(Refusals.Kind.BAD_TARGET)).isEqualTo(1);
        place(w, cheat, 24, 44); // below the wall's end: in sight and in range of the wolf
        place(w, wolf, 27, 44);
        for (int i = 0; i < 3; i++) use(cheat, wolf.id(), 10 + i);
        w.tick();
        assertThat(w.refusals().count(Refusals.Kind.COOLDOWN)).isEqualTo(2);

        // items it does not have, loot out of reach
        send(cheat, ClientMessage.newBuilder().setRid(20).setEquip(Equip.newBuilder().setBagSlot(7)));
        send(cheat, ClientMessage.newBuilder().setRid(21).setDropItem(DropItem.newBuilder().setBagSlot(-5)));
        send(cheat, ClientMessage.newBuilder().setRid(22).setPickUp(PickUp.newBuilder().setEntity(honest.id())));
        w.tick();
        assertThat(w.refusals().count(Refusals.Kind.NOT_OWNED)).isEqualTo(2);
        assertThat(w.refusals().count(Refusals.Kind.OUT_OF_REACH)).isEqualTo(1);

        assertThat(cheat.timesFlagged()).as("a few tries are not flagged").isZero();
        assertThat(honest.timesFlagged()).isZero();
        assertThat(w.refusals().json()).contains("\"speed\":1", "\"cooldown\":2", "\"not_owned\":2", "\"rate_limited\":0");
    }

    @Test
    void aPlayerRefusedOverAndOverIsFlaggedOncePerWindow() {
        MemoryLedger ledger = new MemoryLedger();
        World w = gameWorld(ledger);
        FakeLink link = new FakeLink();
        Player p = join(w, ledger, "Spammer", CharacterClass.WARRIOR, 40, 50, link);
        // 60 equips of an empty slot in one window: flagged once
        for (int t = 0; t < 6; t++) {
            for (int i = 0; i < 10; i++) send(p, ClientMessage.newBuilder().setRid(1).setEquip(Equip.newBuilder().setBagSlot(9)));
            w.tick();
        }
        assertThat(w.refusals().count(Refusals.Kind.NOT_OWNED)).isEqualTo(60);
        assertThat(p.timesFlagged()).isEqualTo(1);
        // the next window starts from nothing: 40 more are not flagged ...
        ticks(w, Refusals.WINDOW_TICKS);
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < 10; i++) send(p, ClientMessage.newBuilder().setRid(1).setEquip(Equip.newBuilder().setBagSlot(9)));
            w.tick();
        }
        assertThat(p.timesFlagged()).isEqualTo(1);
        // ... 20 more are
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < 10; i++) send(p, ClientMessage.newBuilder().setRid(1).setEquip(Equip.newBuilder().setBagSlot(9)));
            w.tick();
        }
        assertThat(p.timesFlagged()).isEqualTo(2);
        Map<Refusals.Kind, Long> counts = w.refusals().snapshot();
        assertThat(counts.get(Refusals.Kind.NOT_OWNED)).isEqualTo(120);
    }
}

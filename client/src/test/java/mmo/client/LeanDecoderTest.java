package mmo.client;

import com.google.protobuf.CodedInputStream;
import java.util.HashSet;
import java.util.Set;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.ChatMessage;
import mmo.protocol.EntityEnter;
import mmo.protocol.EntityEvent;
import mmo.protocol.Emote;
import mmo.protocol.ServerMessage;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldUpdate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The lean decoder reads what protobuf wrote, skips the rest, and leaves other messages alone. */
class LeanDecoderTest {
    private static int decode(ServerMessage m, LeanView v) throws Exception {
        return LeanDecoder.decode(CodedInputStream.newInstance(m.toByteArray()), v);
    }

    private static Set<Integer> ids(LeanView v) {
        Set<Integer> s = new HashSet<>();
        v.forEachVisible(s::add);
        return s;
    }

    private static EntityEnter enter(int id) {
        return EntityEnter.newBuilder().setId(id).setX(-5).setY(99).setName("Name" + id)
                .setCharacterClass(CharacterClass.MAGE)
                .setAppearance(Appearance.newBuilder().setHairColor(0xFFFFFF)).build();
    }

    @Test
    void readsOwnStateEntersAndLeaves() throws Exception {
        LeanView v = new LeanView();
        v.enter(WorldEntered.newBuilder().setEntityId(3).setX(160).setY(320).setTick(9).build());
        int problems = decode(ServerMessage.newBuilder().setWorldUpdate(WorldUpdate.newBuilder()
                .setTick(10).setAckSeq(4).setTicksSinceAck(2).setX(-17).setY(1_000_000)
                .addEnters(enter(5)).addEnters(enter(700)).addEnters(enter(70_000))
                .addMoves(5).addMoves(-1).addMoves(2)
                .addEvents(EntityEvent.newBuilder().setId(5).setEmote(Emote.WAVE))
                .setTimeDilation(0.5f)).build(), v);
        assertThat(problems).isZero();
        assertThat(v.tick()).isEqualTo(10);
        assertThat(v.ackSeq()).isEqualTo(4);
        assertThat(v.ticksSinceAck()).isEqualTo(2);
        assertThat(v.rawX()).isEqualTo(-17);
        assertThat(v.rawY()).isEqualTo(1_000_000);
        assertThat(v.timeDilation()).isEqualTo(0.5f);
        assertThat(ids(v)).containsExactlyInAnyOrder(5, 700, 70_000);
        assertThat(v.ownEntityId()).isEqualTo(3);

        // Leaves come before enters: an id may leave and enter again in one update.
        problems = decode(ServerMessage.newBuilder().setWorldUpdate(WorldUpdate.newBuilder()
                .setTick(11).addLeaves(700).addLeaves(5).addEnters(enter(5))).build(), v);
        assertThat(problems).isZero();
        assertThat(ids(v)).containsExactlyInAnyOrder(5, 70_000);
        assertThat(v.timeDilation()).isEqualTo(1f); // not sent = normal speed
        assertThat(v.updates()).isEqualTo(2);
    }

    @Test
    void inconsistenciesAreCounted() throws Exception {
        LeanView v = new LeanView();
        int problems = decode(ServerMessage.newBuilder().setWorldUpdate(WorldUpdate.newBuilder()
                .setTick(1).addLeaves(8).addEnters(enter(2)).addEnters(enter(2))).build(), v);
        assertThat(problems).isEqualTo(2);
        assertThat(v.protocolErrors()).isEqualTo(2);
        assertThat(v.visibleCount()).isEqualTo(1);
    }

    @Test
    void manyLeavesAndEntersGrowTheScratchSpace() throws Exception {
        LeanView v = new LeanView();
        WorldUpdate.Builder in = WorldUpdate.newBuilder().setTick(1);
        for (int i = 1; i <= 100; i++) in.addEnters(enter(i));
        decode(ServerMessage.newBuilder().setWorldUpdate(in).build(), v);
        assertThat(v.visibleCount()).isEqualTo(100);
        WorldUpdate.Builder out = WorldUpdate.newBuilder().setTick(2);
        for (int i = 1; i <= 100; i += 2) out.addLeaves(i);
        assertThat(decode(ServerMessage.newBuilder().setWorldUpdate(out).build(), v)).isZero();
        assertThat(v.visibleCount()).isEqualTo(50);
    }

    @Test
    void otherMessagesAreLeftToTheFullDecoder() throws Exception {
        LeanView v = new LeanView();
        assertThat(decode(ServerMessage.newBuilder().setRid(3)
                .setChat(ChatMessage.newBuilder().setText("hi")).build(), v)).isEqualTo(-1);
        assertThat(v.updates()).isZero();
    }
}

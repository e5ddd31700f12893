package mmo.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.Emote;
import mmo.protocol.EntityEnter;
import mmo.protocol.EntityEvent;
import mmo.protocol.EntityKind;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldUpdate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorldViewTest {
    private final List<String> errors = new ArrayList<>();
    private WorldView view;

    @BeforeEach
    void enterWorld() {
        view = new WorldView(errors::add);
        view.enter(WorldEntered.newBuilder()
                .setEntityId(7).setWorld("overworld").setMap("/maps/world.tmj")
                .setX(160).setY(-32).setTick(500).setTickRate(20).setSpeed(4f).setViewRadius(30f)
                .build());
    }

    private static EntityEnter enter(int id, int x, int y) {
        return EntityEnter.newBuilder().setId(id).setKind(EntityKind.ENTITY_PLAYER).setName("e" + id)
                .setCharacterClass(CharacterClass.MAGE).setX(x).setY(y).build();
    }

    private static WorldUpdate.Builder tick(int tick) {
        return WorldUpdate.newBuilder().setTick(tick).setTimeDilation(1f);
    }

    @Test
    void enteringSetsOwnStateAndStartsEmpty() {
        assertThat(view.inWorld()).isTrue();
        assertThat(view.ownEntityId()).isEqualTo(7);
        assertThat(view.world()).isEqualTo("overworld");
        assertThat(view.map()).isEqualTo("/maps/world.tmj");
        assertThat(view.x()).isEqualTo(10f);
        assertThat(view.y()).isEqualTo(-2f);
        assertThat(view.tick()).isEqualTo(500);
        assertThat(view.tickRate()).isEqualTo(20);
        assertThat(view.entityCount()).isZero();
    }

    @Test
    void ownStateComesFromEachUpdate() {
        view.apply(tick(501).setAckSeq(3).setTicksSinceAck(2).setX(168).setY(-24).setTimeDilation(0.5f).build());

        assertThat(view.tick()).isEqualTo(501);
        assertThat(view.ackSeq()).isEqualTo(3);
        assertThat(view.ticksSinceAck()).isEqualTo(2);
        assertThat(view.x()).isEqualTo(10.5f);
        assertThat(view.y()).isEqualTo(-1.5f);
        assertThat(view.timeDilation()).isEqualTo(0.5f);

        view.apply(WorldUpdate.newBuilder().setTick(502).build());
        assertThat(view.timeDilation()).as("unset dilation reads as normal speed").isEqualTo(1f);
    }

    @Test
    void entersCarryFullState() {
        view.apply(tick(501).addEnters(EntityEnter.newBuilder().setId(12).setKind(EntityKind.ENTITY_PLAYER)
                .setName("Bob").setCharacterClass(CharacterClass.RANGER)
                .setAppearance(Appearance.newBuilder().setHairColor(0xff0000))
                .setX(32).setY(48).setEmote(Emote.SIT)).build());

        RemoteEntity bob = view.entity(12);
        assertThat(bob).isEqualTo(new RemoteEntity(12, EntityKind.ENTITY_PLAYER, "Bob", CharacterClass.RANGER,
                Appearance.newBuilder().setHairColor(0xff0000).build(), 2f, 3f, Emote.SIT, 501));
        assertThat(errors).isEmpty();
    }

    @Test
    void movesUseCumulativeIdDeltasAndPositionDeltas() {
        view.apply(tick(501).addEnters(enter(3, 0, 0)).addEnters(enter(10, 16, 16)).addEnters(enter(11, -16, 0))
                .build());
        // (3: +1,+2) (10: +16,0) (11: 0,-8): ids 3, 3+7, 10+1
        view.apply(tick(502).addAllMoves(List.of(3, 1, 2, 7, 16, 0, 1, 0, -8)).build());
        // deltas are against the last position sent, so a second move adds up
        view.apply(tick(503).addAllMoves(List.of(10, 16, 16)).build());

        assertThat(view.entity(3)).extracting(RemoteEntity::x, RemoteEntity::y).containsExactly(1 / 16f, 2 / 16f);
        assertThat(view.entity(10)).extracting(RemoteEntity::x, RemoteEntity::y).containsExactly(3f, 2f);
        assertThat(view.entity(11)).extracting(RemoteEntity::x, RemoteEntity::y).containsExactly(-1f, -0.5f);
        assertThat(errors).isEmpty();
    }

    @Test
    void leavesThenEntersThenMovesWithinOneUpdate() {
        view.apply(tick(501).addEnters(enter(5, 0, 0)).addEnters(enter(6, 0, 0)).build());

        // 5 leaves and comes back elsewhere in the same tick and then moves relative to the
        // re-entered position; 6 leaves for good.
        view.apply(tick(502).addLeaves(5).addLeaves(6).addEnters(enter(5, 160, 160))
                .addAllMoves(List.of(5, 16, -16)).build());

        assertThat(view.entity(6)).isNull();
        assertThat(view.entity(5)).extracting(RemoteEntity::x, RemoteEntity::y).containsExactly(11f, 9f);
        assertThat(view.entityCount()).isEqualTo(1);
        assertThat(errors).isEmpty();
    }

    @Test
    void moveOfUnknownEntityIsCountedAndTheRestStillApplies() {
        view.apply(tick(501).addEnters(enter(2, 0, 0)).addEnters(enter(9, 0, 0)).build());

        // ids 2, 4 (unknown), 9: the id chain continues past the unknown one
        view.apply(tick(502).addAllMoves(List.of(2, 16, 0, 2, 16, 0, 5, 0, 16)).build());

        assertThat(view.protocolErrors()).isEqualTo(1);
        assertThat(errors).singleElement().asString().contains("unknown entity 4");
        assertThat(view.entity(2).x()).isEqualTo(1f);
        assertThat(view.entity(9).y()).isEqualTo(1f);
        assertThat(view.entity(4)).isNull();
    }

    @Test
    void movesNotInTriplesAreDroppedWholeButTheUpdateIsNot() {
        view.apply(tick(501).addEnters(enter(2, 0, 0)).build());

        view.apply(tick(502).setAckSeq(9).addEnters(enter(3, 32, 32)).addAllMoves(List.of(2, 16, 0, 1)).build());

        assertThat(view.protocolErrors()).isEqualTo(1);
        assertThat(errors).singleElement().asString().contains("multiple of 3");
        assertThat(view.entity(2).x()).as("no move applied").isZero();
        assertThat(view.entity(3)).isNotNull();
        assertThat(view.ackSeq()).isEqualTo(9);
        assertThat(view.tick()).isEqualTo(502);
    }

    @Test
    void leaveOfUnknownEntityIsAProtocolError() {
        view.apply(tick(501).addLeaves(44).build());

        assertThat(view.protocolErrors()).isEqualTo(1);
        assertThat(errors).singleElement().asString().contains("leave of unknown entity 44");
    }

    @Test
    void emoteEventsLastUntilTheEntityMoves() {
        view.apply(tick(501).addEnters(enter(4, 0, 0)).build());
        view.apply(tick(502).addEvents(EntityEvent.newBuilder().setId(4).setEmote(Emote.SIT)).build());
        assertThat(view.entity(4)).extracting(RemoteEntity::emote, RemoteEntity::emoteTick)
                .containsExactly(Emote.SIT, 502);

        view.apply(tick(503).addAllMoves(List.of(4, 0, 0)).build());
        assertThat(view.entity(4).emote()).as("a zero move is no movement").isEqualTo(Emote.SIT);

        view.apply(tick(504).addAllMoves(List.of(4, 1, 0)).build());
        assertThat(view.entity(4)).extracting(RemoteEntity::emote, RemoteEntity::emoteTick)
                .containsExactly(Emote.EMOTE_NONE, 0);
    }

    @Test
    void appearanceEventsReplaceTheAppearance() {
        view.apply(tick(501).addEnters(enter(4, 0, 0)).build());
        Appearance hat = Appearance.newBuilder().setHairStyle(2).build();

        view.apply(tick(502).addEvents(EntityEvent.newBuilder().setId(4).setAppearance(hat))
                .addEvents(EntityEvent.newBuilder().setId(7).setEmote(Emote.WAVE)).build());

        assertThat(view.entity(4).appearance()).isEqualTo(hat);
        assertThat(errors).as("an event about ourselves is not an error").isEmpty();
    }

    @Test
    void snapshotsAreImmutableAndReusedUntilTheNextChange() {
        view.apply(tick(501).addEnters(enter(4, 16, 16)).build());
        WorldView.Snapshot before = view.snapshot();
        assertThat(view.snapshot()).isSameAs(before);

        view.apply(tick(502).addAllMoves(List.of(4, 16, 0)).addEnters(enter(5, 0, 0)).build());
        WorldView.Snapshot after = view.snapshot();

        assertThat(before.tick()).isEqualTo(501);
        assertThat(before.entities()).containsOnlyKeys(4);
        assertThat(before.entity(4).x()).isEqualTo(1f);
        assertThat(after).isNotSameAs(before);
        assertThat(after.tick()).isEqualTo(502);
        assertThat(after.entities()).containsOnlyKeys(4, 5);
        assertThat(after.entity(4).x()).isEqualTo(2f);
    }

    @Test
    void leavingTheWorldForgetsEverything() {
        view.apply(tick(501).addEnters(enter(4, 16, 16)).build());

        view.leave();

        assertThat(view.inWorld()).isFalse();
        assertThat(view.ownEntityId()).isZero();
        assertThat(view.entityCount()).isZero();
        assertThat(view.snapshot().inWorld()).isFalse();
    }

    @Test
    void enteringAgainStartsFromScratch() {
        view.apply(tick(501).setAckSeq(4).addEnters(enter(4, 16, 16)).build());

        view.enter(WorldEntered.newBuilder().setEntityId(8).setTick(900).build());

        assertThat(view.ownEntityId()).isEqualTo(8);
        assertThat(view.entityCount()).isZero();
        assertThat(view.ackSeq()).isZero();
        assertThat(view.tick()).isEqualTo(900);
    }
}

package mmo.server.world;

import mmo.protocol.ChatChannel;
import mmo.protocol.ChatSend;
import mmo.protocol.ClientMessage;
import mmo.protocol.DisconnectReason;
import mmo.protocol.Emote;
import mmo.protocol.EmoteSend;
import mmo.protocol.ErrorCode;
import mmo.protocol.WorldUpdate;
import mmo.server.persistence.CharacterState;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static mmo.server.world.TestWorlds.input;
import static mmo.server.world.TestWorlds.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The world stepped tick by tick: movement, collision, interest, chat, emotes, saves. */
class WorldTickTest {
    private final TestWorlds.RecordingSaver saver = new TestWorlds.RecordingSaver();
    private final World world = TestWorlds.world(saver);

    @Test
    void inputMovesAtSpeedAndIsAcknowledged() {
        FakeLink link = new FakeLink();
        Player p = join(world, "Alice", 10.5f, 10.5f, link);
        input(p, 7, 3f, 0f); // any length: normalised
        world.tick();
        assertThat(p.x()).isCloseTo(10.7f, within(1e-4f));
        WorldUpdate u = link.lastUpdate();
        assertThat(u.getAckSeq()).isEqualTo(7);
        assertThat(u.getTicksSinceAck()).isEqualTo(1);
        assertThat(u.getX()).isEqualTo(World.quantize(p.x()));
        for (int i = 0; i < 19; i++) world.tick();
        assertThat(p.x()).isCloseTo(14.5f, within(1e-3f)); // 4 units in one second
        assertThat(link.lastUpdate().getTicksSinceAck()).isEqualTo(20);
        input(p, 8, 0, 0);
        world.tick();
        float stopped = p.x();
        world.tick();
        assertThat(p.x()).isEqualTo(stopped);
    }

    @Test
    void diagonalInputIsNormalised() {
        Player p = join(world, "Alice", 10.5f, 10.5f, new FakeLink());
        input(p, 1, 1, 1);
        world.tick();
        float d = (float) Math.hypot(p.x() - 10.5f, p.y() - 10.5f);
        assertThat(d).isCloseTo(0.2f, within(1e-4f));
    }

    @Test
    void wallsBlockAndPlayersSlideAlongThem() {
        Player p = join(world, "Alice", 18.5f, 10.5f, new FakeLink());
        input(p, 1, 1, 0);
        for (int i = 0; i < 40; i++) world.tick();
        // the wall is the tile column x = 20: the box's right edge stops before it
        assertThat(p.x()).isLessThanOrEqualTo(20f - Movement.HALF_SIZE + 1e-3f).isGreaterThan(19.4f);
        float y0 = p.y();
        input(p, 2, 1, 1);
        for (int i = 0; i < 10; i++) world.tick();
        assertThat(p.x()).isLessThanOrEqualTo(20f - Movement.HALF_SIZE + 1e-3f);
        assertThat(p.y()).isGreaterThan(y0 + 1f); // slid down along the wall
    }

    @Test
    void stopsFlushAgainstWallsFromEitherSide() {
        Player right = join(world, "Lefty", 22.5f, 10.5f, new FakeLink());
        Player down = join(world, "Uppy", 31.5f, 36.5f, new FakeLink()); // below the block at 30..33
        input(right, 1, -1, 0);
        input(down, 2, 0, -1);
        for (int i = 0; i < 40; i++) world.tick();
        assertThat(right.x()).isCloseTo(21f + Movement.HALF_SIZE, within(1e-3f));
        assertThat(down.y()).isCloseTo(34f + Movement.HALF_SIZE, within(1e-3f));
    }

    @Test
    void cannotLeaveTheMap() {
        Player p = join(world, "Alice", 0.5f, 0.5f, new FakeLink());
        input(p, 1, -1, -1);
        for (int i = 0; i < 20; i++) world.tick();
        assertThat(p.x()).isGreaterThanOrEqualTo(Movement.HALF_SIZE);
        assertThat(p.y()).isGreaterThanOrEqualTo(Movement.HALF_SIZE);
    }

    @Test
    void interestSendsEnterUpdatesAndLeave() {
        FakeLink aLink = new FakeLink(), bLink = new FakeLink();
        Player a = join(world, "Alice", 5.5f, 50.5f, aLink);
        Player b = join(world, "Bob", 20.5f, 50.5f, bLink); // 15 apart: out of view (10)
        world.tick();
        assertThat(aLink.lastUpdate().getEntersList()).isEmpty();

        ClientView aView = new ClientView();
        for (WorldUpdate u : aLink.updates()) aView.apply(u);
        input(b, 1, -1, 0); // Bob walks towards Alice
        int ticksToEnter = 0;
        while (aView.positions.isEmpty()) {
            aLink.clear();
            world.tick();
            for (WorldUpdate u : aLink.updates()) aView.apply(u);
            assertThat(++ticksToEnter).isLessThan(40);
        }
        assertThat(Math.hypot(a.x() - b.x(), a.y() - b.y())).isLessThanOrEqualTo(TestWorlds.VIEW);
        var enter = aView.enters.get(b.id());
        assertThat(enter.getName()).isEqualTo("Bob");

        // moves keep Alice's picture of Bob exactly at Bob's quantised position
        for (int i = 0; i < 10; i++) {
            aLink.clear();
            world.tick();
            for (WorldUpdate u : aLink.updates()) aView.apply(u);
            assertThat(aView.positions.get(b.id())).containsExactly(World.quantize(b.x()), World.quantize(b.y()));
        }

        input(b, 2, 1, 0); // and away again
        int ticksToLeave = 0;
        while (aView.positions.containsKey(b.id())) {
            aLink.clear();
            world.tick();
            for (WorldUpdate u : aLink.updates()) aView.apply(u);
            assertThat(++ticksToLeave).isLessThan(80);
        }
        assertThat(Math.hypot(a.x() - b.x(), a.y() - b.y())).isGreaterThan(TestWorlds.VIEW);
        assertThat(aLink.lastUpdate().getLeavesList()).containsExactly(b.id());
    }

    @Test
    void visibleSetIsExactlyThoseWithinTheViewRadius() {
        FakeLink viewer = new FakeLink();
        Player v = join(world, "Viewer", 40.5f, 50.5f, viewer);
        float[][] spots = {{45, 50.5f}, {50.4f, 50.5f}, {50.6f, 50.5f}, {40.5f, 41}, {33, 57}, {52, 52}};
        Player[] others = new Player[spots.length];
        for (int i = 0; i < spots.length; i++) others[i] = join(world, "P" + i, spots[i][0], spots[i][1], new FakeLink());
        world.tick();
        ClientView view = new ClientView();
        view.apply(viewer.lastUpdate());
        for (Player o : others) {
            boolean inside = Math.hypot(o.x() - v.x(), o.y() - v.y()) <= TestWorlds.VIEW;
            assertThat(view.positions.containsKey(o.id())).as(o.name()).isEqualTo(inside);
        }
    }

    @Test
    void eachConnectionIsFlushedOncePerTick() {
        FakeLink a = new FakeLink(), b = new FakeLink();
        Player pa = join(world, "Alice", 5.5f, 50.5f, a);
        join(world, "Bob", 6.5f, 50.5f, b);
        pa.inbox().offer(chat(ChatChannel.SAY, "hello", ""));
        pa.inbox().offer(chat(ChatChannel.WORLD, "all", ""));
        world.tick();
        world.tick();
        assertThat(a.flushes).isEqualTo(2);
        assertThat(b.flushes).isEqualTo(2);
    }

    @Test
    void sayReachesOnlyPlayersInViewWorldReachesAll() {
        FakeLink a = new FakeLink(), near = new FakeLink(), far = new FakeLink();
        Player pa = join(world, "Alice", 5.5f, 50.5f, a);
        join(world, "Near", 9.5f, 50.5f, near);
        join(world, "Far", 45.5f, 50.5f, far);
        pa.inbox().offer(chat(ChatChannel.SAY, "hi there", ""));
        world.tick();
        assertThat(a.chats()).extracting(c -> c.getText()).containsExactly("hi there");
        assertThat(near.chats()).singleElement().satisfies(c -> {
            assertThat(c.getFrom()).isEqualTo("Alice");
            assertThat(c.getFromEntity()).isEqualTo(pa.id());
            assertThat(c.getChannel()).isEqualTo(ChatChannel.SAY);
        });
        assertThat(far.chats()).isEmpty();

        pa.inbox().offer(chat(ChatChannel.WORLD, "hello world", ""));
        world.tick();
        assertThat(far.chats()).extracting(c -> c.getText()).containsExactly("hello world");
        assertThat(near.chats()).extracting(c -> c.getText()).containsExactly("hi there", "hello world");
    }

    @Test
    void whisperReachesTheTargetWherever() {
        FakeLink a = new FakeLink(), b = new FakeLink(), c = new FakeLink();
        Player pa = join(world, "Alice", 5.5f, 5.5f, a);
        join(world, "Bob", 60.5f, 60.5f, b);
        join(world, "Carol", 6.5f, 5.5f, c);
        pa.inbox().offer(chat(ChatChannel.WHISPER, "psst", "bOB"));
        world.tick();
        assertThat(b.chats()).singleElement().satisfies(m -> {
            assertThat(m.getText()).isEqualTo("psst");
            assertThat(m.getTo()).isEqualTo("Bob");
            assertThat(m.getChannel()).isEqualTo(ChatChannel.WHISPER);
        });
        assertThat(a.chats()).singleElement().satisfies(m -> assertThat(m.getTo()).isEqualTo("Bob"));
        assertThat(c.chats()).isEmpty();

        pa.inbox().offer(ClientMessage.newBuilder().setRid(42)
                .setChat(ChatSend.newBuilder().setChannel(ChatChannel.WHISPER).setTarget("Nobody").setText("hi")).build());
        world.tick();
        assertThat(a.errors()).singleElement().satisfies(e -> assertThat(e.getCode()).isEqualTo(ErrorCode.NOT_ONLINE));
        assertThat(a.delivered.stream().filter(m -> m.hasError()).findFirst().orElseThrow().getRid()).isEqualTo(42);
    }

    @Test
    void badChatIsRejectedOrCleanedBeforeDelivery() {
        FakeLink a = new FakeLink(), b = new FakeLink();
        Player pa = join(world, "Alice", 5.5f, 5.5f, a);
        join(world, "Bob", 6.5f, 5.5f, b);
        pa.inbox().offer(chat(ChatChannel.SAY, "x".repeat(257), ""));
        pa.inbox().offer(chat(ChatChannel.SAY, "bell\u0007", ""));
        pa.inbox().offer(chat(ChatChannel.SAY, "hidden\u200Btext", ""));
        pa.inbox().offer(chat(ChatChannel.SAY, "   ", ""));
        pa.inbox().offer(chat(ChatChannel.SAY, "x".repeat(256), ""));
        world.tick();
        assertThat(a.errors()).hasSize(2).allSatisfy(e -> assertThat(e.getCode()).isEqualTo(ErrorCode.CHAT_REJECTED));
        // control and invisible characters are removed, the rest delivered
        assertThat(b.chats()).extracting(m -> m.getText()).containsExactly("bell", "hiddentext", "x".repeat(256));
    }

    @Test
    void emotesAreSeenNearbyAndSitLastsUntilMoving() {
        FakeLink a = new FakeLink(), near = new FakeLink(), far = new FakeLink();
        Player pa = join(world, "Alice", 5.5f, 50.5f, a);
        join(world, "Near", 9.5f, 50.5f, near);
        join(world, "Far", 45.5f, 50.5f, far);
        pa.inbox().offer(ClientMessage.newBuilder().setEmote(EmoteSend.newBuilder().setEmote(Emote.WAVE)).build());
        world.tick();
        assertThat(near.lastUpdate().getEventsList()).singleElement()
                .satisfies(e -> assertThat(e.getEmote()).isEqualTo(Emote.WAVE));
        assertThat(a.lastUpdate().getEventsList()).hasSize(1);
        assertThat(far.lastUpdate().getEventsList()).isEmpty();

        pa.inbox().offer(ClientMessage.newBuilder().setEmote(EmoteSend.newBuilder().setEmote(Emote.SIT)).build());
        world.tick();
        assertThat(pa.lastingEmote()).isEqualTo(Emote.SIT);
        FakeLink late = new FakeLink();
        join(world, "Late", 7.5f, 50.5f, late);
        world.tick();
        assertThat(late.lastUpdate().getEntersList()).filteredOn(e -> e.getId() == pa.id())
                .singleElement().satisfies(e -> assertThat(e.getEmote()).isEqualTo(Emote.SIT));
        input(pa, 1, 0, 1);
        world.tick();
        assertThat(pa.lastingEmote()).isEqualTo(Emote.EMOTE_NONE);
    }

    @Test
    void crossingARegionBorderHandsThePlayerOver() {
        Player p = join(world, "Alice", 31.5f, 50.5f, new FakeLink());
        assertThat(p.region).isSameAs(world.regionAt(31.5f, 50.5f));
        input(p, 1, 1, 0);
        for (int i = 0; i < 10; i++) world.tick();
        assertThat(p.x()).isGreaterThan(32f);
        assertThat(p.region).isSameAs(world.regionAt(p.x(), p.y()));
        assertThat(world.regionAt(31.5f, 50.5f).players()).doesNotContain(p);
        assertThat(p.region.players()).containsExactly(p);
    }

    @Test
    void dirtyPlayersAreSavedPeriodicallyAndOnLeave() throws Exception {
        FakeLink link = new FakeLink();
        Player p = join(world, "Alice", 5.5f, 50.5f, link);
        join(world, "Idle", 9.5f, 50.5f, new FakeLink());
        input(p, 1, 1, 0);
        for (int i = 0; i < 200; i++) world.tick();
        assertThat(saver.saves).hasSize(1);
        assertThat(saver.saves.get(0)).extracting(CharacterState::characterId).containsExactly(p.characterId());
        assertThat(saver.saves.get(0).get(0).x()).isEqualTo(p.x());

        input(p, 2, 0, 0);
        world.tick();
        world.leave(link).get();
        assertThat(saver.saves).hasSize(2);
        assertThat(saver.saves.get(1).get(0).x()).isEqualTo(p.x());
        assertThat(world.players()).doesNotContain(p);
    }

    @Test
    void failedSavesAreRetried() {
        Player p = join(world, "Alice", 5.5f, 50.5f, new FakeLink());
        input(p, 1, 1, 0);
        saver.fail = true;
        for (int i = 0; i < 200; i++) world.tick();
        saver.fail = false;
        input(p, 2, 0, 0);
        for (int i = 0; i < 200; i++) world.tick();
        assertThat(saver.saves).hasSize(1);
        assertThat(saver.saves.get(0).get(0).x()).isEqualTo(p.x());
    }

    @Test
    void aFailedSaveOfALeftCharacterIsRetriedByThePeriodicSave() throws Exception {
        FakeLink link = new FakeLink();
        Player p = join(world, "Alice", 5.5f, 50.5f, link);
        input(p, 1, 1, 0);
        for (int i = 0; i < 10; i++) world.tick();
        saver.fail = true;
        assertThatThrownBy(() -> world.leave(link).get()).hasCauseInstanceOf(IllegalStateException.class);
        saver.fail = false;
        while (world.currentTick() < 200) world.tick();
        assertThat(saver.all()).extracting(CharacterState::characterId).containsExactly(p.characterId());
        assertThat(saver.all().get(0).x()).isEqualTo(p.x());
        // Saved now: neither the next periodic save nor the shutdown writes it again.
        while (world.currentTick() < 400) world.tick();
        world.shutdown(DisconnectReason.SERVER_SHUTDOWN, "bye").get();
        assertThat(saver.all()).hasSize(1);
    }

    @Test
    void aLeftCharacterIsNotSavedAgainWhileItsSaveIsInFlight() {
        CompletableFuture<Void> slowSave = new CompletableFuture<>();
        java.util.List<java.util.List<CharacterState>> calls = new java.util.ArrayList<>();
        World w = TestWorlds.world(states -> {
            calls.add(java.util.List.copyOf(states));
            return calls.size() == 1 ? slowSave : CompletableFuture.completedFuture(null);
        });
        FakeLink link = new FakeLink();
        Player p = join(w, "Alice", 5.5f, 50.5f, link);
        input(p, 1, 1, 0);
        w.tick();
        w.leave(link);
        while (w.currentTick() < 200) w.tick();
        assertThat(calls).hasSize(1);
        slowSave.completeExceptionally(new IllegalStateException("database down"));
        while (w.currentTick() < 400) w.tick();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1)).extracting(CharacterState::x).containsExactly(p.x());
    }

    @Test
    void aPeriodicSaveWaitsWhileThePreviousOneIsStillBeingWrittenThenSavesTheNewestState() {
        // a database that is gone: each save hangs until the pool gives up on it
        java.util.List<CompletableFuture<Void>> pending = new java.util.ArrayList<>();
        java.util.List<java.util.List<CharacterState>> calls = new java.util.ArrayList<>();
        World w = TestWorlds.world(states -> {
            calls.add(java.util.List.copyOf(states));
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        Player p = join(w, "Alice", 5.5f, 50.5f, new FakeLink());
        int seq = 1;
        for (int i = 0; i < 2000; i++) {
            if (i % 70 == 0) input(p, seq++, (i / 70) % 2 == 0 ? 1 : -1, 0); // never where it was saved
            w.tick();
        }
        assertThat(calls).as("ten save intervals, one save in flight").hasSize(1);

        pending.getFirst().completeExceptionally(new IllegalStateException("database down"));
        input(p, seq, 0, 0);
        while (w.currentTick() < 2400) w.tick();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1)).extracting(CharacterState::x).containsExactly(p.x());
    }

    @Test
    void aFencedSaveIsNotRetriedAndItsPlayerIsDisconnected() throws Exception {
        FakeLink link = new FakeLink(), other = new FakeLink();
        Player p = join(world, "Alice", 5.5f, 50.5f, link);
        Player bob = join(world, "Bob", 9.5f, 50.5f, other);
        saver.fenced.add(p.characterId()); // another owner claimed Alice
        input(p, 1, 1, 0);
        input(bob, 1, 1, 0);
        while (world.currentTick() < 200) world.tick();
        // Bob's state, in the same batch, was saved; Alice's was rejected, and she is gone.
        assertThat(saver.all()).extracting(CharacterState::characterId).containsExactly(bob.characterId());
        assertThat(link.disconnected).isNull();
        world.tick();
        assertThat(link.disconnected).isEqualTo(DisconnectReason.LOGGED_IN_ELSEWHERE);
        assertThat(other.disconnected).isNull();
        assertThat(world.players()).containsExactly(bob);
        // Nothing tries Alice again: not the periodic save, not her link closing, not the shutdown.
        saver.fenced.clear();
        world.leave(link).get();
        while (world.currentTick() < 400) world.tick();
        world.shutdown(DisconnectReason.SERVER_SHUTDOWN, "bye").get();
        assertThat(saver.all()).extracting(CharacterState::characterId).doesNotContain(p.characterId());
    }

    @Test
    void aFencedSaveOfALeftCharacterIsFinal() throws Exception {
        FakeLink link = new FakeLink();
        Player p = join(world, "Alice", 5.5f, 50.5f, link);
        input(p, 1, 1, 0);
        world.tick();
        saver.fenced.add(p.characterId());
        assertThatThrownBy(() -> world.leave(link).get()).hasCauseInstanceOf(mmo.server.persistence.FencedException.class);
        saver.fenced.clear();
        while (world.currentTick() < 400) world.tick();
        world.shutdown(DisconnectReason.SERVER_SHUTDOWN, "bye").get();
        assertThat(saver.all()).isEmpty();
    }

    @Test
    void aFencedSaveOfAnEarlierClaimLeavesTheNewerPlayerAlone() {
        CompletableFuture<Void> slowSave = new CompletableFuture<>();
        java.util.List<CharacterState> saved = new java.util.ArrayList<>();
        World w = TestWorlds.world(states -> {
            if (saved.isEmpty()) {
                saved.addAll(states);
                return slowSave;
            }
            return CompletableFuture.completedFuture(null);
        });
        FakeLink first = new FakeLink(), second = new FakeLink();
        Player p = w.join(request(7, 1, 5.5f, 50.5f, first));
        input(p, 1, 1, 0);
        while (w.currentTick() < 200) w.tick(); // a save under epoch 1 is in flight
        Player again = w.join(request(7, 2, 1.5f, 1.5f, second)); // claimed again from a new connection
        assertThat(first.disconnected).isEqualTo(DisconnectReason.LOGGED_IN_ELSEWHERE);
        assertThat(again.x()).isEqualTo(p.x()); // no claim in between: this world's state is the newest
        slowSave.completeExceptionally(new mmo.server.persistence.FencedException(
                java.util.List.of(new mmo.server.persistence.FencedSave(saved.get(0), 2))));
        w.tick();
        assertThat(second.disconnected).isNull();
        assertThat(w.players()).containsExactly(again);
    }

    @Test
    void aJoinAfterAnotherOwnersClaimKeepsTheStateReadWithItsClaim() {
        FakeLink first = new FakeLink(), second = new FakeLink();
        Player p = world.join(request(8, 1, 5.5f, 50.5f, first));
        input(p, 1, 1, 0);
        for (int i = 0; i < 10; i++) world.tick();
        world.leave(first);
        world.tick();
        // Epoch 2 went to another node, which may have saved newer state: the read at epoch 3 wins.
        Player back = world.join(request(8, 3, 12.5f, 50.5f, second));
        assertThat(back.x()).isEqualTo(12.5f);
        FakeLink third = new FakeLink();
        Player taken = world.join(request(8, 5, 14.5f, 50.5f, third));
        assertThat(second.disconnected).isEqualTo(DisconnectReason.LOGGED_IN_ELSEWHERE);
        assertThat(taken.x()).isEqualTo(14.5f);
    }

    private static World.JoinRequest request(long characterId, long epoch, float x, float y, FakeLink link) {
        return new World.JoinRequest(characterId, epoch, characterId, "Char" + characterId, mmo.protocol.CharacterClass.WARRIOR,
                mmo.protocol.Appearance.getDefaultInstance(), x, y, link, new Inbox(16), 0,
                mmo.protocol.CharacterSummary.getDefaultInstance());
    }

    @Test
    void rejoiningTheSameCharacterTakesOverWithTheNewestState() {
        FakeLink first = new FakeLink(), second = new FakeLink();
        Player p = join(world, "Alice", 5.5f, 50.5f, first);
        input(p, 1, 1, 0);
        for (int i = 0; i < 10; i++) world.tick();
        float x = p.x();
        Player again = world.join(new World.JoinRequest(p.characterId(), p.epoch(), p.accountId(), "Alice", p.characterClass(),
                p.appearance(), 1.5f, 1.5f, second, new Inbox(16), 0, mmo.protocol.CharacterSummary.getDefaultInstance()));
        assertThat(first.disconnected).isEqualTo(DisconnectReason.LOGGED_IN_ELSEWHERE);
        assertThat(again.x()).isEqualTo(x);
        assertThat(world.players()).containsExactly(again);
    }

    @Test
    void aCharacterJoiningBeforeItsLastSaveFinishedGetsItsNewestState() {
        CompletableFuture<Void> slowSave = new CompletableFuture<>();
        World w = new World("Slow", TestWorlds.testMap(), new World.WorldSettings(20, 32, 10, 4, 16, 200),
                states -> slowSave, new mmo.server.game.Chat());
        FakeLink link = new FakeLink();
        Player p = join(w, "Alice", 5.5f, 50.5f, link);
        input(p, 1, 1, 0);
        for (int i = 0; i < 10; i++) w.tick();
        float x = p.x();
        w.leave(link);
        Player back = w.join(new World.JoinRequest(p.characterId(), p.epoch(), p.accountId(), "Alice", p.characterClass(),
                p.appearance(), 5.5f, 50.5f, new FakeLink(), new Inbox(16), 0, mmo.protocol.CharacterSummary.getDefaultInstance()));
        assertThat(back.x()).isEqualTo(x);
    }

    /**
     * The race the socket test met: the database read for coming back was taken before the
     * leave's save committed, but the join runs after it completed. The world still knows.
     */
    @Test
    void aCharacterJoiningWithAReadFromBeforeItsLastSaveGetsItsNewestState() {
        FakeLink link = new FakeLink();
        Player p = join(world, "Alice", 5.5f, 50.5f, link);
        input(p, 1, 1, 0);
        for (int i = 0; i < 10; i++) world.tick();
        float x = p.x();
        world.leave(link);
        world.tick(); // the save has completed and been acknowledged
        assertThat(saver.saves).isNotEmpty();
        Player back = world.join(new World.JoinRequest(p.characterId(), p.epoch(), p.accountId(), "Alice", p.characterClass(),
                p.appearance(), 5.5f, 50.5f, new FakeLink(), new Inbox(16), 0, mmo.protocol.CharacterSummary.getDefaultInstance()));
        assertThat(back.x()).isEqualTo(x);
    }

    @Test
    void shutdownDisconnectsAndSavesEveryone() throws ExecutionException, InterruptedException {
        FakeLink a = new FakeLink(), b = new FakeLink();
        join(world, "Alice", 5.5f, 50.5f, a);
        join(world, "Bob", 9.5f, 50.5f, b);
        world.tick();
        world.shutdown(DisconnectReason.SERVER_SHUTDOWN, "bye").get();
        assertThat(a.disconnected).isEqualTo(DisconnectReason.SERVER_SHUTDOWN);
        assertThat(b.disconnected).isEqualTo(DisconnectReason.SERVER_SHUTDOWN);
        assertThat(saver.saves).hasSize(1);
        assertThat(saver.saves.get(0)).hasSize(2);
        assertThat(world.players()).isEmpty();
    }

    @Test
    void onlyTheOwningThreadMayTick() throws Exception {
        world.tick(); // this thread now owns the world
        var error = CompletableFuture.runAsync(world::tick).handle((ok, e) -> e).get();
        assertThat(error).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> CompletableFuture.runAsync(() -> world.players()).join())
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void idsAreNotReusedInTheTickTheyWereFreed() throws Exception {
        FakeLink viewer = new FakeLink(), leaver = new FakeLink();
        join(world, "Viewer", 5.5f, 50.5f, viewer);
        Player gone = join(world, "Gone", 6.5f, 50.5f, leaver);
        world.tick();
        world.leave(leaver).get();
        Player next = join(world, "Next", 7.5f, 50.5f, new FakeLink());
        assertThat(next.id()).isNotEqualTo(gone.id());
        world.tick();
        ClientView v = new ClientView();
        for (WorldUpdate u : viewer.updates()) v.apply(u);
        assertThat(v.positions).containsOnlyKeys(next.id());
    }

    private static ClientMessage chat(ChatChannel channel, String text, String target) {
        return ClientMessage.newBuilder().setChat(ChatSend.newBuilder().setChannel(channel).setText(text).setTarget(target)).build();
    }
}

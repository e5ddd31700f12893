package mmo.server.world;

import mmo.protocol.ChatChannel;
import mmo.protocol.ChatSend;
import mmo.protocol.ClientMessage;
import mmo.protocol.ErrorCode;
import mmo.server.game.Chat;
import mmo.server.persistence.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Mutes and ignore lists as chat applies them, the tick stepped by hand. */
class ChatModerationTest {
    /** Moderation as the test sets it: accounts muted until, and who ignores whom. */
    static final class Rules implements Chat.Moderation {
        final Map<Long, Long> muted = new HashMap<>();
        final Map<Long, Set<String>> ignoring = new HashMap<>();

        void ignore(Player listener, String speaker) {
            ignoring.computeIfAbsent(listener.accountId(), k -> new HashSet<>()).add(speaker.toLowerCase(Locale.ROOT));
        }

        @Override public long mutedUntil(long accountId) { return muted.getOrDefault(accountId, 0L); }

        @Override public boolean ignores(long listener, String speakerName) {
            return ignoring.getOrDefault(listener, Set.of()).contains(speakerName.toLowerCase(Locale.ROOT));
        }
    }

    final Rules rules = new Rules();
    final MutableClock clock = new MutableClock();

    World world(String name, Chat.Reach reach) {
        World w = new World(name, TestWorlds.testMap(), new World.WorldSettings(20, 32, TestWorlds.VIEW, 4f, 16, 200,
                InterestPolicy.EVERY_TICK), new TestWorlds.RecordingSaver(), new Chat(reach, rules, clock));
        w.claimOwnership();
        return w;
    }

    static ClientMessage chat(ChatChannel channel, String text, String target) {
        return ClientMessage.newBuilder().setRid(7)
                .setChat(ChatSend.newBuilder().setChannel(channel).setText(text).setTarget(target)).build();
    }

    @Test
    void anIgnoredSpeakerIsNotHeardOnAnyChannelAndIsNotTold() {
        World world = world("Testland", Chat.Reach.NONE);
        FakeLink troll = new FakeLink(), ann = new FakeLink(), bea = new FakeLink();
        Player pt = TestWorlds.join(world, "Troll", 5.5f, 50.5f, troll);
        Player pa = TestWorlds.join(world, "Ann", 6.5f, 50.5f, ann);
        TestWorlds.join(world, "Bea", 7.5f, 50.5f, bea);
        rules.ignore(pa, "TROLL"); // any case

        pt.inbox().offer(chat(ChatChannel.SAY, "near", ""));
        pt.inbox().offer(chat(ChatChannel.WORLD, "everyone", ""));
        pt.inbox().offer(chat(ChatChannel.WHISPER, "psst", "ann"));
        world.tick();

        assertThat(ann.chats()).isEmpty();
        assertThat(bea.chats()).extracting(c -> c.getText()).containsExactly("near", "everyone");
        // the troll sees all three go out, the whisper too: nothing tells it it is ignored
        assertThat(troll.chats()).extracting(c -> c.getText()).containsExactly("near", "everyone", "psst");
        assertThat(troll.errors()).isEmpty();

        // Ann still hears everyone else, and the troll hears Ann
        world.playerByName("Bea").inbox().offer(chat(ChatChannel.SAY, "hi Ann", ""));
        pa.inbox().offer(chat(ChatChannel.WHISPER, "stop it", "Troll"));
        world.tick();
        assertThat(ann.chats()).extracting(c -> c.getText()).containsExactlyInAnyOrder("hi Ann", "stop it");
        assertThat(troll.chats()).extracting(c -> c.getText()).contains("hi Ann", "stop it");
    }

    @Test
    void aWhisperToAnotherWorldIsNotDeliveredToWhoIgnoresTheSpeaker() {
        List<World> worlds = new java.util.ArrayList<>();
        Chat.Reach reach = Chat.Reach.otherWorlds(worlds, rules);
        World one = world("One", reach), two = world("Two", reach);
        worlds.add(one);
        worlds.add(two);
        FakeLink troll = new FakeLink(), ann = new FakeLink(), bea = new FakeLink();
        Player pt = TestWorlds.join(one, "Troll", 5.5f, 50.5f, troll);
        Player pa = TestWorlds.join(two, "Ann", 5.5f, 50.5f, ann);
        TestWorlds.join(two, "Bea", 5.5f, 52.5f, bea);
        rules.ignore(pa, "Troll");

        pt.inbox().offer(chat(ChatChannel.WHISPER, "psst", "Ann"));
        pt.inbox().offer(chat(ChatChannel.WHISPER, "hello", "Bea"));
        one.tick();
        two.tick();
        assertThat(ann.chats()).isEmpty();
        assertThat(bea.chats()).extracting(c -> c.getText()).containsExactly("hello");
        assertThat(troll.chats()).extracting(c -> c.getTo()).containsExactly("Ann", "Bea");
        assertThat(troll.errors()).isEmpty();
    }

    @Test
    void aMutedPlayerIsRefusedSayingUntilWhenAndSpeaksAgainAfterwards() {
        World world = world("Testland", Chat.Reach.NONE);
        FakeLink loud = new FakeLink(), ann = new FakeLink();
        Player pl = TestWorlds.join(world, "Loud", 5.5f, 50.5f, loud);
        TestWorlds.join(world, "Ann", 6.5f, 50.5f, ann);
        rules.muted.put(pl.accountId(), clock.millis() + Duration.ofMinutes(10).toMillis());

        for (ChatChannel ch : List.of(ChatChannel.SAY, ChatChannel.WORLD, ChatChannel.WHISPER)) {
            pl.inbox().offer(chat(ch, "spam", "Ann"));
        }
        world.tick();
        assertThat(ann.chats()).isEmpty();
        assertThat(loud.chats()).isEmpty();
        assertThat(loud.errors()).hasSize(3).allSatisfy(e -> {
            assertThat(e.getCode()).isEqualTo(ErrorCode.CHAT_REJECTED);
            assertThat(e.getMessage()).isEqualTo("You are muted until 2030-01-01 00:10 UTC");
        });
        assertThat(loud.delivered.stream().filter(m -> m.hasError()).map(m -> m.getRid())).containsOnly(7);

        clock.advance(Duration.ofMinutes(10));
        pl.inbox().offer(chat(ChatChannel.SAY, "sorry", ""));
        world.tick();
        assertThat(ann.chats()).extracting(c -> c.getText()).containsExactly("sorry");
    }

    @Test
    void aPermanentMuteSaysForGood() {
        World world = world("Testland", Chat.Reach.NONE);
        FakeLink loud = new FakeLink();
        Player pl = TestWorlds.join(world, "Loud", 5.5f, 50.5f, loud);
        rules.muted.put(pl.accountId(), Long.MAX_VALUE);
        pl.inbox().offer(chat(ChatChannel.WORLD, "spam", ""));
        world.tick();
        assertThat(loud.errors()).singleElement().satisfies(e -> assertThat(e.getMessage()).isEqualTo("You are muted for good"));
    }

    @Test
    void aBroadcastReachesEveryPlayerAsSystemChat() {
        World world = world("Testland", Chat.Reach.NONE);
        FakeLink near = new FakeLink(), far = new FakeLink();
        TestWorlds.join(world, "Near", 5.5f, 50.5f, near);
        TestWorlds.join(world, "Far", 60.5f, 5.5f, far);
        Chat chat = new Chat(Chat.Reach.NONE, rules, clock);
        world.execute(() -> chat.broadcast(world, "Restart in 5 minutes"));
        world.tick();
        for (FakeLink l : List.of(near, far)) {
            assertThat(l.chats()).singleElement().satisfies(c -> {
                assertThat(c.getChannel()).isEqualTo(ChatChannel.SYSTEM);
                assertThat(c.getFrom()).isEmpty();
                assertThat(c.getText()).isEqualTo("Restart in 5 minutes");
            });
        }
    }
}

package mmo.server;

import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.ChatSend;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ClientMessage;
import mmo.protocol.CreateCharacter;
import mmo.protocol.EnterWorld;
import mmo.protocol.ErrorCode;
import mmo.protocol.LeaveWorld;
import mmo.protocol.ListWorlds;
import mmo.protocol.LoginOk;
import mmo.protocol.Register;
import mmo.protocol.ServerMessage;
import mmo.protocol.StartChoice;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldInfo;
import mmo.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static mmo.server.RawClient.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several worlds in one server, over real sockets with the tick stepped by hand: a character
 * lives in the world it was created in, world chat stays in its world, whispers cross worlds,
 * the world list carries live populations, and a full world refuses entry.
 */
class MultiWorldTest {
    @TempDir
    Path dir;
    MmoServer server;
    final List<RawClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(RawClient::close);
        if (server != null) server.close();
    }

    static Map<String, Object> world(String name, String map, int capacity) {
        return Map.of("name", name, "map", map, "capacity", capacity);
    }

    /** Aldoria on the shipped map, Borea on the test map, and Tiny that takes one player. */
    void startThreeWorlds() throws Exception {
        Map<String, Object> cfg = new HashMap<>(Map.of(
                "mmo.net.port", 0,
                "mmo.net.host", "127.0.0.1",
                "mmo.db.url", "jdbc:sqlite:" + dir.resolve("mmo.db"),
                "mmo.tick.manual", true,
                "mmo.tick.encode-threads", 1));
        cfg.put("mmo.worlds", List.of(
                world("Aldoria", "maps/world.tmj", 100),
                world("Borea", "maps/test.tmj", 100),
                world("Tiny", "maps/test.tmj", 1)));
        server = MmoServer.start(ServerConfig.defaults(cfg));
    }

    RawClient connect() throws Exception {
        RawClient c = RawClient.connect(server.port());
        clients.add(c);
        return c;
    }

    /** Ticks until {@code reply} arrives (replies the tick produces); the short wait only keeps the loop from spinning. */
    <T> T tickUntil(CompletableFuture<T> reply) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (System.nanoTime() < deadline) {
            server.tick();
            try {
                return reply.get(2, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                // tick again
            }
        }
        return reply.get(1, TimeUnit.MILLISECONDS);
    }

    static ClientMessage.Builder register(String user) {
        return ClientMessage.newBuilder().setRegister(Register.newBuilder().setUsername(user).setPassword("password-" + user));
    }

    static ClientMessage.Builder create(String name, String world) {
        return ClientMessage.newBuilder().setCreateCharacter(CreateCharacter.newBuilder()
                .setName(name).setCharacterClass(CharacterClass.RANGER).setStart(StartChoice.START_HOME).setWorld(world));
    }

    static ClientMessage.Builder enter(long characterId) {
        return ClientMessage.newBuilder().setEnterWorld(EnterWorld.newBuilder().setCharacterId(characterId));
    }

    static ClientMessage.Builder chat(ChatChannel channel, String text, String target) {
        return ClientMessage.newBuilder().setChat(ChatSend.newBuilder().setChannel(channel).setText(text).setTarget(target));
    }

    /** A logged-in client with a character created in {@code world} (not entered yet). */
    record Account(RawClient client, LoginOk login, CharacterSummary character) {}

    Account account(String user, String name, String world) throws Exception {
        RawClient c = connect();
        ServerMessage ok = c.call(register(user));
        assertThat(ok.hasLoginOk()).as("%s", ok).isTrue();
        ServerMessage created = c.call(create(name, world));
        assertThat(created.hasCharacterCreated()).as("%s", created).isTrue();
        return new Account(c, ok.getLoginOk(), created.getCharacterCreated().getCharacter());
    }

    /** Registers, creates a character in {@code world} and enters with it. */
    Account play(String user, String name, String world) throws Exception {
        Account a = account(user, name, world);
        ServerMessage entered = tickUntil(a.client().request(enter(a.character().getId())));
        assertThat(entered.hasWorldEntered()).as("%s", entered).isTrue();
        return a;
    }

    static Map<String, Integer> populations(List<WorldInfo> worlds) {
        Map<String, Integer> m = new HashMap<>();
        for (WorldInfo w : worlds) m.put(w.getName(), w.getPopulation());
        return m;
    }

    @Test
    void aCharacterCreatedInAWorldEntersThatWorldOnly() throws Exception {
        startThreeWorlds();
        Account bea = account("bea", "Bea", "borea"); // any case
        assertThat(bea.character().getWorld()).isEqualTo("Borea");
        assertThat(bea.login().getWorldsList()).extracting(WorldInfo::getName).containsExactly("Aldoria", "Borea", "Tiny");
        assertThat(bea.login().getWorlds(1).getMap()).isEqualTo("/maps/test.tmj");
        assertThat(bea.login().getWorlds(2).getCapacity()).isEqualTo(1);

        WorldEntered entered = tickUntil(bea.client().request(enter(bea.character().getId()))).getWorldEntered();

        assertThat(entered.getWorld()).isEqualTo("Borea");
        assertThat(entered.getMap()).isEqualTo("/maps/test.tmj");
        assertThat(entered.getCharacter().getWorld()).isEqualTo("Borea");
        server.tick(); // manual ticks: this thread owns the worlds
        assertThat(server.world("Borea").playerByName("Bea")).isNotNull();
        assertThat(server.world("Aldoria").playerByName("Bea")).isNull();
        assertThat(server.world("Tiny").playerByName("Bea")).isNull();

        // created without a choice: the first world
        Account ann = play("ann", "Ann", "");
        assertThat(ann.character().getWorld()).isEqualTo("Aldoria");
        assertThat(server.world().name()).isEqualTo("Aldoria");
        server.tick();
        assertThat(server.world("Aldoria").playerByName("Ann")).isNotNull();
        assertThat(server.world("Borea").playerByName("Ann")).isNull();
    }

    @Test
    void worldChatStaysInItsWorldAndWhispersCrossWorlds() throws Exception {
        startThreeWorlds();
        RawClient ann = play("ann", "Ann", "Aldoria").client();
        RawClient abe = play("abe", "Abe", "Aldoria").client();
        RawClient bea = play("bea", "Bea", "Borea").client();

        ServerMessage echo = tickUntil(ann.request(chat(ChatChannel.WORLD, "hello Aldoria", "")));
        assertThat(echo.getChat().getText()).isEqualTo("hello Aldoria");
        // Bea's own world chat comes after, on the same ordered connection: had Ann's reached
        // her, it would be in her log before it.
        ServerMessage beaEcho = tickUntil(bea.request(chat(ChatChannel.WORLD, "hello Borea", "")));
        assertThat(beaEcho.getChat().getText()).isEqualTo("hello Borea");
        ServerMessage abeEcho = tickUntil(abe.request(chat(ChatChannel.WORLD, "Abe here", "")));
        assertThat(abeEcho.getChat().getText()).isEqualTo("Abe here");
        // a ping answered on each connection comes after everything that tick flushed to it
        for (RawClient c : List.of(ann, bea)) {
            tickUntil(c.request(ClientMessage.newBuilder().setPing(mmo.protocol.Ping.newBuilder().setClientTime(1))));
        }

        assertThat(abe.chats).extracting(ChatMessage::getText).contains("hello Aldoria").doesNotContain("hello Borea");
        assertThat(bea.chats).extracting(ChatMessage::getText).containsExactly("hello Borea");
        assertThat(ann.chats).extracting(ChatMessage::getText).contains("hello Aldoria", "Abe here").doesNotContain("hello Borea");

        // whispers reach a character by name in another world, both ways
        ServerMessage toBea = tickUntil(ann.request(chat(ChatChannel.WHISPER, "psst, Bea", "bea")));
        assertThat(toBea.hasChat()).as("%s", toBea).isTrue();
        ServerMessage toAnn = tickUntil(bea.request(chat(ChatChannel.WHISPER, "hi Ann", "Ann")));
        assertThat(toAnn.hasChat()).as("%s", toAnn).isTrue();
        ChatMessage heard = bea.chats.stream().filter(m -> m.getText().equals("psst, Bea")).findFirst().orElseThrow();
        assertThat(heard.getChannel()).isEqualTo(ChatChannel.WHISPER);
        assertThat(heard.getFrom()).isEqualTo("Ann");
        assertThat(heard.getTo()).isEqualTo("Bea");
        assertThat(heard.getFromEntity()).as("Ann's entity id means nothing in Borea").isZero();
        // Borea ticks after Aldoria: Ann's copy goes out with Aldoria's next flush
        ChatMessage toAnnHeard = tickUntil(ann.chat(m -> m.getText().equals("hi Ann")));
        assertThat(toAnnHeard.getFrom()).isEqualTo("Bea");
        assertThat(abe.chats).extracting(ChatMessage::getText).doesNotContain("psst, Bea", "hi Ann");

        // nobody of that name in any world
        ServerMessage nobody = tickUntil(ann.request(chat(ChatChannel.WHISPER, "anyone?", "Nobody")));
        assertThat(nobody.getError().getCode()).isEqualTo(ErrorCode.NOT_ONLINE);
    }

    @Test
    void theWorldListShowsLivePopulations() throws Exception {
        startThreeWorlds();
        Account cid = account("cid", "Cid", "Tiny");
        assertThat(populations(cid.login().getWorldsList())).isEqualTo(Map.of("Aldoria", 0, "Borea", 0, "Tiny", 0));
        RawClient ann = play("ann", "Ann", "Aldoria").client();
        play("abe", "Abe", "Aldoria");
        play("bea", "Bea", "Borea");

        // a login after they entered sees them
        LoginOk login = connect().call(register("dee")).getLoginOk();
        assertThat(populations(login.getWorldsList())).isEqualTo(Map.of("Aldoria", 2, "Borea", 1, "Tiny", 0));
        assertThat(login.getWorlds(0).getCapacity()).isEqualTo(100);

        // ListWorlds, from the character screen and from inside a world
        ServerMessage list = cid.client().call(ClientMessage.newBuilder().setListWorlds(ListWorlds.getDefaultInstance()));
        assertThat(populations(list.getWorlds().getWorldsList())).isEqualTo(Map.of("Aldoria", 2, "Borea", 1, "Tiny", 0));
        tickUntil(cid.client().request(enter(cid.character().getId())));
        ServerMessage inWorld = ann.call(ClientMessage.newBuilder().setListWorlds(ListWorlds.getDefaultInstance()));
        assertThat(populations(inWorld.getWorlds().getWorldsList())).isEqualTo(Map.of("Aldoria", 2, "Borea", 1, "Tiny", 1));

        // leaving frees the place
        ServerMessage left = tickUntil(ann.request(ClientMessage.newBuilder().setLeaveWorld(LeaveWorld.getDefaultInstance())));
        assertThat(left.hasCharacters()).as("%s", left).isTrue();
        assertThat(left.getCharacters().getCharacters(0).getWorld()).isEqualTo("Aldoria");
        ServerMessage after = ann.call(ClientMessage.newBuilder().setListWorlds(ListWorlds.getDefaultInstance()));
        assertThat(populations(after.getWorlds().getWorldsList())).containsEntry("Aldoria", 1);
    }

    @Test
    void aFullWorldRefusesEntryUntilSomeoneLeaves() throws Exception {
        startThreeWorlds();
        Account tia = play("tia", "Tia", "Tiny");
        RawClient first = tia.client();
        Account second = account("tom", "Tom", "Tiny");

        ServerMessage refused = second.client().call(enter(second.character().getId()));
        assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.WORLD_FULL);
        assertThat(refused.getError().getMessage()).contains("Tiny");

        // the refused player is still on the character screen and may try again
        tickUntil(first.request(ClientMessage.newBuilder().setLeaveWorld(LeaveWorld.getDefaultInstance())));
        ServerMessage entered = tickUntil(second.client().request(enter(second.character().getId())));
        assertThat(entered.getWorldEntered().getWorld()).isEqualTo("Tiny");
        // and now the first one is refused
        ServerMessage refusedAgain = first.call(enter(tia.character().getId()));
        assertThat(refusedAgain.getError().getCode()).isEqualTo(ErrorCode.WORLD_FULL);
    }

    @Test
    void anUnknownWorldAtCreationIsRefused() throws Exception {
        startThreeWorlds();
        RawClient c = connect();
        c.call(register("eve"));

        ServerMessage refused = c.call(create("Eve", "Atlantis"));

        assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.NO_SUCH_WORLD);
        assertThat(refused.getError().getMessage()).contains("Atlantis");
        ServerMessage created = c.call(create("Eve", "Tiny"));
        assertThat(created.getCharacterCreated().getCharacter().getWorld()).isEqualTo("Tiny");
    }
}

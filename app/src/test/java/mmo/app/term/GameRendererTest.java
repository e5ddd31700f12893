package mmo.app.term;

import mmo.client.RemoteEntity;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterStats;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.Emote;
import mmo.protocol.EntityKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The char-grid renderer of the terminal client, on hand-made maps and views. */
class GameRendererTest {
    static final int COLS = 100, ROWS = 35;

    /** A 40x30 map of ground with a wall column at x = 12 and water at (20, 10). */
    static TerminalMap map() {
        Terrain[] tiles = new Terrain[40 * 30];
        Arrays.fill(tiles, Terrain.GROUND);
        for (int y = 0; y < 30; y++) tiles[y * 40 + 12] = Terrain.WALL;
        tiles[10 * 40 + 20] = Terrain.WATER;
        return new TerminalMap(40, 30, tiles);
    }

    static RemoteEntity player(int id, String name, float x, float y) {
        return new RemoteEntity(id, EntityKind.ENTITY_PLAYER, name, CharacterClass.MAGE, Appearance.getDefaultInstance(),
                x, y, Emote.EMOTE_NONE, 0);
    }

    static RemoteEntity creature(int id, String kind, float x, float y) {
        return new RemoteEntity(id, EntityKind.ENTITY_CREATURE, kind, CharacterClass.WARRIOR,
                Appearance.getDefaultInstance(), x, y, Emote.EMOTE_NONE, 0,
                new RemoteEntity.GameState(2, 10, 10, false, mmo.protocol.Equipment.getDefaultInstance(), kind, null, 0));
    }

    static GameRenderer.Frame frame(float x, float y, List<RemoteEntity> others, List<ChatLine> chat, String input) {
        List<RemoteEntity> all = new ArrayList<>(others);
        all.add(player(1, "Tess", x, y)); // the own entity, drawn as '@' and not as its letter
        return new GameRenderer.Frame(map(), new GameRenderer.View(x, y, "main", 1234, 0.9f, 1, all), "Tess",
                "warrior", CharacterStats.newBuilder().setLevel(3).setHealth(80).setMaxHealth(100).build(),
                chat, input, "");
    }

    @Test
    void theViewportIsCentredOnThePlayer() {
        CharGrid g = GameRenderer.render(frame(15.5f, 10.2f, List.of(), List.of(), null), COLS, ROWS);
        GameRenderer.Layout l = GameRenderer.layout(COLS, ROWS);
        assertThat(g.charAt(l.centreCol(), l.centreRow())).isEqualTo('@');
        // the wall column x = 12 is 3 tiles left of the player's tile 15, on every map row
        for (int r = l.mapTop(); r < l.mapTop() + l.mapHeight(); r++) {
            int ty = 10 + r - l.centreRow();
            char expected = ty < 0 || ty >= 30 ? ' ' : '#';
            assertThat(g.charAt(l.centreCol() - 3, r)).as("row " + r).isEqualTo(expected);
        }
        // the water tile (20, 10): 5 right, same row
        assertThat(g.charAt(l.centreCol() + 5, l.centreRow())).isEqualTo('~');
        assertThat(g.tintAt(l.centreCol() + 5, l.centreRow())).isEqualTo(Tint.WATER);
        assertThat(g.charAt(l.centreCol() + 1, l.centreRow())).isEqualTo('.');
    }

    @Test
    void beyondTheMapsEdgesIsBlank() {
        CharGrid g = GameRenderer.render(frame(0.5f, 0.5f, List.of(), List.of(), null), COLS, ROWS);
        GameRenderer.Layout l = GameRenderer.layout(COLS, ROWS);
        assertThat(g.charAt(l.centreCol() - 1, l.centreRow())).isEqualTo(' ');
        assertThat(g.charAt(l.centreCol(), l.centreRow() - 1)).isEqualTo(' ');
        assertThat(g.charAt(l.centreCol() + 1, l.centreRow() + 1)).isEqualTo('.');
        // the far edge: tile 39 is the last column of the map
        CharGrid far = GameRenderer.render(frame(39.9f, 29.9f, List.of(), List.of(), null), COLS, ROWS);
        assertThat(far.charAt(l.centreCol() - 1, l.centreRow())).isEqualTo('.');
        assertThat(far.charAt(l.centreCol() + 1, l.centreRow())).isEqualTo(' ');
        assertThat(far.charAt(l.centreCol(), l.centreRow() + 1)).isEqualTo(' ');
    }

    @Test
    void othersShowAsLettersAtTheirOffsetsWithALegend() {
        List<RemoteEntity> others = List.of(player(2, "bob", 18.9f, 7.0f), creature(3, "wolf", 13.0f, 14.5f),
                new RemoteEntity(4, EntityKind.ENTITY_LOOT, "gold", CharacterClass.WARRIOR, Appearance.getDefaultInstance(),
                        15.2f, 11.9f, Emote.EMOTE_NONE, 0, new RemoteEntity.GameState(0, 0, 0, false,
                        mmo.protocol.Equipment.getDefaultInstance(), "", null, 25)),
                player(5, "Zed", 300f, 300f)); // far off screen: not drawn, no crash
        CharGrid g = GameRenderer.render(frame(15.5f, 10.2f, others, List.of(), null), COLS, ROWS);
        GameRenderer.Layout l = GameRenderer.layout(COLS, ROWS);
        assertThat(g.charAt(l.colOf(18, 15), l.rowOf(7, 10))).isEqualTo('B');
        assertThat(g.tintAt(l.colOf(18, 15), l.rowOf(7, 10))).isEqualTo(Tint.PLAYER);
        assertThat(g.charAt(l.colOf(13, 15), l.rowOf(14, 10))).isEqualTo('w');
        assertThat(g.tintAt(l.colOf(13, 15), l.rowOf(14, 10))).isEqualTo(Tint.CREATURE);
        assertThat(g.charAt(l.colOf(15, 15), l.rowOf(11, 10))).isEqualTo('$');
        String screen = g.toString();
        for (int r = l.mapTop(); r < l.mapTop() + l.mapHeight(); r++) {
            assertThat(g.row(r).substring(0, l.mapWidth())).doesNotContain("Z"); // off the map area
        }
        assertThat(screen).contains("Z Zed mage", "@ Tess", "B bob mage", "w wolf L2", "$ 25 gold");
        // the nearest first: the loot (1.7 away) before bob (4.6) before the wolf (4.8)
        assertThat(screen.indexOf("$ 25 gold")).isLessThan(screen.indexOf("B bob")).isLessThan(screen.indexOf("w wolf"));
        assertThat(l.legendCol()).isEqualTo(COLS - GameRenderer.LEGEND_COLS);
        assertThat(g.charAt(l.legendCol(), l.mapTop())).isEqualTo('|');
    }

    @Test
    void theStatusLineSaysWhoWhereAndWhen() {
        CharGrid g = GameRenderer.render(frame(15.5f, 10.25f, List.of(), List.of(), null), COLS, ROWS);
        assertThat(g.row(0)).contains("Tess  L3 warrior  HP 80/100  at 15.5,10.3  world main  tick 1234  x0.90");
        assertThat(g.tintAt(COLS - 1, 0)).isEqualTo(Tint.STATUS);
    }

    @Test
    void chatShowsTheNewestLinesWrappedAtTheBottom() {
        List<ChatLine> chat = new ArrayList<>();
        for (int i = 1; i <= 10; i++) chat.add(new ChatLine(Tint.SAY, "Bob: line " + i));
        chat.add(ChatLine.of(ChatMessage.newBuilder().setChannel(ChatChannel.WORLD).setFrom("Ann")
                .setText("word ".repeat(30).strip()).build(), "Tess"));
        CharGrid g = GameRenderer.render(frame(15.5f, 10.2f, List.of(), chat, null), COLS, ROWS);
        GameRenderer.Layout l = GameRenderer.layout(COLS, ROWS);
        // 6 rows: lines 7..10 and the long world line in two rows, cut at a space
        assertThat(g.row(l.chatTop()).strip()).isEqualTo("Bob: line 7");
        assertThat(g.row(l.chatTop() + 3).strip()).isEqualTo("Bob: line 10");
        String first = g.row(l.chatTop() + 4).stripTrailing(), second = g.row(l.chatTop() + 5).stripTrailing();
        assertThat(first).startsWith("[world] Ann: word word").endsWith("word").hasSizeLessThanOrEqualTo(COLS);
        assertThat(second).startsWith("  word");
        assertThat((first + " " + second.strip()).split(" word", -1)).hasSize(31);
        assertThat(g.tintAt(0, l.chatTop() + 4)).isEqualTo(Tint.WORLD);
        assertThat(g.row(l.inputRow())).startsWith("Enter: chat");
    }

    @Test
    void theInputLineShowsWhatIsTyped() {
        CharGrid g = GameRenderer.render(frame(15.5f, 10.2f, List.of(), List.of(), "/w Bob hi"), COLS, ROWS);
        assertThat(g.row(ROWS - 1).stripTrailing()).isEqualTo("> /w Bob hi_");
        assertThat(g.tintAt(0, ROWS - 1)).isEqualTo(Tint.INPUT);
    }

    @Test
    void whispersReadFromTheirSendersSide() {
        ChatMessage toBob = ChatMessage.newBuilder().setChannel(ChatChannel.WHISPER).setFrom("Tess").setTo("Bob")
                .setText("hi").build();
        assertThat(ChatLine.of(toBob, "Tess").text()).isEqualTo("[to Bob] hi");
        assertThat(ChatLine.of(toBob, "Bob").text()).isEqualTo("[from Tess] hi");
        assertThat(ChatLine.of(ChatMessage.newBuilder().setChannel(ChatChannel.SYSTEM).setText("restart").build(), "Tess"))
                .isEqualTo(new ChatLine(Tint.SYSTEM, "[server] restart"));
    }

    @Test
    void serverTextCannotCorruptTheTerminal() {
        // an escape sequence (clear the screen), a bell, a bidi override and a zero-width space
        String evil = "\u001b[2J\u0007x\u202e\u200b\u009b";
        ChatLine said = ChatLine.of(ChatMessage.newBuilder().setChannel(ChatChannel.SAY).setFrom("Eve" + evil)
                .setText("hi" + evil).build(), "Tess");
        CharGrid g = GameRenderer.render(frame(15.5f, 10.2f, List.of(player(2, "Eve" + evil, 16f, 10f)), List.of(said), null),
                COLS, ROWS);
        for (int r = 0; r < ROWS; r++) {
            for (char c : g.row(r).toCharArray()) {
                assertThat(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)
                        .as("row %d: %s", r, g.row(r)).isFalse();
            }
        }
        GameRenderer.Layout l = GameRenderer.layout(COLS, ROWS);
        assertThat(g.row(l.chatTop() + 5).strip()).isEqualTo("Eve?[2J?x???: hi?[2J?x???");
        assertThat(CharGrid.printable("closed: " + evil)).isEqualTo("closed: ?[2J?x???");
    }

    @Test
    void aTinyTerminalStillRenders() {
        CharGrid g = GameRenderer.render(frame(15.5f, 10.2f, List.of(player(2, "bob", 16f, 10f)), List.of(), null), 10, 4);
        assertThat(g.rows()).isEqualTo(4);
        GameRenderer.Layout l = GameRenderer.layout(10, 4);
        assertThat(l.legendCol()).isEqualTo(-1);
        assertThat(g.charAt(l.centreCol(), l.centreRow())).isEqualTo('@');
    }

    @Test
    void theShippedMapParses() throws Exception {
        byte[] json;
        try (var in = getClass().getResourceAsStream("/maps/world.tmj")) {
            json = in.readAllBytes();
        }
        TerminalMap m = TerminalMap.parse(json);
        assertThat(m.width()).isEqualTo(1024);
        int water = 0, trees = 0, walls = 0;
        for (int y = 0; y < m.height(); y += 4) {
            for (int x = 0; x < m.width(); x += 4) {
                switch (m.at(x, y)) {
                    case WATER -> water++;
                    case TREE -> trees++;
                    case WALL -> walls++;
                    default -> { }
                }
            }
        }
        assertThat(water).isPositive();
        assertThat(trees).isPositive();
        assertThat(walls).isPositive();
        assertThat(m.at(-1, 0)).isEqualTo(Terrain.OUTSIDE);
    }

    @Test
    void aBlockingTileUnderAWalkableOneShowsAsBlocking() throws Exception {
        // ground layer: water (gid 1, collides) and grass (gid 2); the layer above: reeds (gid 3) over both
        String json = """
                {"width":2,"height":1,
                 "tilesets":[{"firstgid":1,"tiles":[
                   {"id":0,"properties":[{"name":"name","value":"water_deep"},{"name":"collides","value":true}]},
                   {"id":1,"properties":[{"name":"name","value":"grass"}]},
                   {"id":2,"properties":[{"name":"name","value":"reeds"}]}]}],
                 "layers":[{"type":"tilelayer","data":[1,2]},{"type":"tilelayer","data":[3,3]}]}""";
        TerminalMap m = TerminalMap.parse(json.getBytes());
        assertThat(m.at(0, 0)).isEqualTo(Terrain.WATER);
        assertThat(m.at(1, 0)).isEqualTo(Terrain.GRASS);
    }

    @Test
    void aBrokenMapIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TerminalMap.parse("{\"width\":2}".getBytes()))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("map size");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TerminalMap.parse("not json".getBytes()))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("not a Tiled JSON map");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TerminalMap.parse(
                "{\"width\":2,\"height\":1,\"layers\":[{\"type\":\"tilelayer\",\"data\":[1]}]}".getBytes()))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("has 1 tiles, not 2");
    }
}

package mmo.app.term;

import mmo.client.RemoteEntity;
import mmo.client.WorldView;
import mmo.protocol.CharacterStats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Turns what the player knows (the map, the client's {@link WorldView.Snapshot}, the chat log,
 * the status) into a {@link CharGrid}: the status line on top, the map around the player in
 * the middle with a legend on the right, the chat log and the input line at the bottom.
 * Pure: the same frame gives the same grid, on any thread.
 */
public final class GameRenderer {
    /** Rows of chat log above the input line. */
    public static final int CHAT_ROWS = 6;
    /** Width of the legend on the right, separator included, when the terminal is wide enough. */
    public static final int LEGEND_COLS = 24;

    private GameRenderer() {
    }

    /**
     * Everything one screen shows.
     *
     * @param map    the world's map, or null while it is not loaded (the ground is then blank)
     * @param view   the client's view of the world: own position, world, tick, what it sees
     * @param self   own character name
     * @param cls    own class, lower case ("warrior")
     * @param stats  own level and health as last sent by the server
     * @param chat   the chat log, oldest first
     * @param input  the chat line being typed, or null when not typing
     * @param notice a short message for the status line ("" for none)
     */
    public record Frame(TerminalMap map, View view, String self, String cls, CharacterStats stats,
                        List<ChatLine> chat, String input, String notice) {}

    /** What the renderer reads of a {@link WorldView}: own state and the entities in view. */
    public record View(float x, float y, String world, int tick, float timeDilation, int ownEntityId,
                       List<RemoteEntity> entities) {
        public static View of(WorldView.Snapshot s) {
            return new View(s.x(), s.y(), s.world(), s.tick(), s.timeDilation(), s.ownEntityId(),
                    List.copyOf(s.entities().values()));
        }
    }

    /** Where each part of the screen is, for a terminal of {@code cols} x {@code rows}. */
    public record Layout(int cols, int rows, int mapWidth, int mapTop, int mapHeight, int centreCol, int centreRow,
                         int legendCol, int chatTop, int chatRows, int inputRow) {
        /** The screen cell tile (tx, ty) is drawn at when the player stands on tile (px, py); may be off the map area. */
        public int colOf(int tx, int px) {
            return centreCol + (tx - px);
        }

        public int rowOf(int ty, int py) {
            return centreRow + (ty - py);
        }
    }

    public static Layout layout(int cols, int rows) {
        int chatRows = Math.max(0, Math.min(CHAT_ROWS, rows - 6));
        int inputRow = rows - 1;
        int chatTop = inputRow - chatRows;
        int mapTop = 1;
        int mapHeight = Math.max(0, chatTop - mapTop);
        int legend = cols >= 2 * LEGEND_COLS ? LEGEND_COLS : 0;
        int mapWidth = cols - legend;
        return new Layout(cols, rows, mapWidth, mapTop, mapHeight, mapWidth / 2, mapTop + mapHeight / 2,
                legend == 0 ? -1 : mapWidth, chatTop, chatRows, inputRow);
    }

    /** The tile a position in world units is on. */
    public static int tile(float units) {
        return (int) Math.floor(units);
    }

    /** The letter an entity is shown as: a player's initial upper case, a creature's kind lower case, loot '$'. */
    public static char glyph(RemoteEntity e) {
        return switch (e.kind()) {
            case ENTITY_LOOT -> '$';
            case ENTITY_CREATURE -> {
                String kind = e.game().creature().isEmpty() ? e.name() : e.game().creature();
                yield kind.isEmpty() ? 'c' : Character.toLowerCase(firstLetter(kind, 'c'));
            }
            default -> Character.toUpperCase(firstLetter(e.name(), '?'));
        };
    }

    private static char firstLetter(String s, char otherwise) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isLetterOrDigit(s.charAt(i)) && s.charAt(i) < 0x250) return s.charAt(i);
        }
        return otherwise;
    }

    public static CharGrid render(Frame f, int cols, int rows) {
        CharGrid g = new CharGrid(cols, rows);
        Layout l = layout(cols, rows);
        status(g, f);
        int px = tile(f.view().x()), py = tile(f.view().y());
        // terrain
        for (int r = 0; r < l.mapHeight(); r++) {
            for (int c = 0; c < l.mapWidth(); c++) {
                int tx = px + c - l.centreCol(), ty = py + (l.mapTop() + r) - l.centreRow();
                Terrain t = f.map() == null ? Terrain.OUTSIDE : f.map().at(tx, ty);
                g.put(c, l.mapTop() + r, t.glyph, t.tint);
            }
        }
        // entities: loot under creatures under players, the own '@' on top
        List<RemoteEntity> shown = new ArrayList<>(f.view().entities());
        shown.removeIf(e -> e.id() == f.view().ownEntityId());
        shown.sort(Comparator.comparingInt((RemoteEntity e) -> switch (e.kind()) {
            case ENTITY_LOOT -> 0;
            case ENTITY_CREATURE -> 1;
            default -> 2;
        }).thenComparingInt(RemoteEntity::id));
        for (RemoteEntity e : shown) {
            int c = l.colOf(tile(e.x()), px), r = l.rowOf(tile(e.y()), py);
            if (c < 0 || c >= l.mapWidth() || r < l.mapTop() || r >= l.mapTop() + l.mapHeight()) continue;
            g.put(c, r, glyph(e), tintOf(e));
        }
        if (l.mapHeight() > 0 && l.mapWidth() > 0) g.put(l.centreCol(), l.centreRow(), '@', Tint.SELF);
        if (l.legendCol() >= 0) legend(g, l, f, shown);
        chat(g, l, f.chat());
        input(g, l, f.input());
        return g;
    }

    private static Tint tintOf(RemoteEntity e) {
        if (e.game().dead()) return Tint.DEAD;
        return switch (e.kind()) {
            case ENTITY_LOOT -> Tint.LOOT;
            case ENTITY_CREATURE -> Tint.CREATURE;
            default -> Tint.PLAYER;
        };
    }

    private static void status(CharGrid g, Frame f) {
        View v = f.view();
        CharacterStats s = f.stats();
        String hp = s.getMaxHealth() > 0 ? "  HP " + s.getHealth() + "/" + s.getMaxHealth() : "";
        String level = s.getLevel() > 0 ? "  L" + s.getLevel() : "";
        String line = String.format(Locale.ROOT, " %s%s %s%s  at %.1f,%.1f  world %s  tick %d  x%.2f%s",
                f.self(), level, f.cls(), hp, v.x(), v.y(), v.world().isEmpty() ? "-" : v.world(),
                Integer.toUnsignedLong(v.tick()), v.timeDilation(),
                f.notice().isEmpty() ? "" : "  | " + f.notice());
        for (int c = 0; c < g.cols(); c++) g.put(c, 0, ' ', Tint.STATUS);
        g.text(0, 0, line, Tint.STATUS, g.cols());
    }

    private static void legend(CharGrid g, Layout l, Frame f, List<RemoteEntity> shown) {
        int col = l.legendCol();
        int width = l.cols() - col - 2;
        for (int r = l.mapTop(); r < l.mapTop() + l.mapHeight(); r++) g.put(col, r, '|', Tint.DIM);
        int row = l.mapTop();
        g.text(col + 2, row++, "@ " + f.self(), Tint.SELF, width);
        List<RemoteEntity> near = new ArrayList<>(shown);
        float x = f.view().x(), y = f.view().y();
        near.sort(Comparator.comparingDouble((RemoteEntity e) -> Math.hypot(e.x() - x, e.y() - y))
                .thenComparingInt(RemoteEntity::id));
        int keyRows = 3;
        int last = l.mapTop() + l.mapHeight() - keyRows - 1;
        for (RemoteEntity e : near) {
            if (row > last) break;
            String what = switch (e.kind()) {
                case ENTITY_LOOT -> e.game().gold() > 0 ? e.game().gold() + " gold"
                        : e.game().item() != null ? e.game().item().getName() : e.name();
                case ENTITY_CREATURE -> (e.game().creature().isEmpty() ? e.name() : e.game().creature())
                        + level(e);
                default -> e.name() + " " + e.characterClass().name().toLowerCase(Locale.ROOT) + level(e);
            };
            if (e.game().dead()) what += " (dead)";
            g.put(col + 2, row, glyph(e), tintOf(e));
            g.text(col + 4, row++, what, Tint.TEXT, width - 2);
        }
        int keyRow = l.mapTop() + l.mapHeight() - keyRows;
        if (keyRow > l.mapTop()) {
            g.text(col + 2, keyRow, "~ water  ^ tree", Tint.DIM, width);
            g.text(col + 2, keyRow + 1, "# wall   : road", Tint.DIM, width);
            g.text(col + 2, keyRow + 2, "$ loot   a-z beast", Tint.DIM, width);
        }
    }

    private static String level(RemoteEntity e) {
        return e.game().level() > 0 ? " L" + e.game().level() : "";
    }

    private static void chat(CharGrid g, Layout l, List<ChatLine> log) {
        if (l.chatRows() == 0) return;
        List<ChatLine> wrapped = new ArrayList<>();
        // only the newest lines can show: wrap from the end until the rows are full
        for (int i = log.size() - 1; i >= 0 && wrapped.size() < l.chatRows(); i--) {
            List<ChatLine> parts = wrap(log.get(i), l.cols());
            for (int k = parts.size() - 1; k >= 0; k--) wrapped.addFirst(parts.get(k));
        }
        while (wrapped.size() > l.chatRows()) wrapped.removeFirst();
        int row = l.chatTop() + l.chatRows() - wrapped.size();
        for (ChatLine line : wrapped) g.text(0, row++, line.text(), line.tint(), l.cols());
    }

    /** Splits a chat line into rows of at most {@code width} characters, at spaces where it can. */
    public static List<ChatLine> wrap(ChatLine line, int width) {
        List<ChatLine> rows = new ArrayList<>();
        String rest = line.text();
        String indent = "";
        while (indent.length() + rest.length() > width) {
            int room = width - indent.length();
            int cut = rest.lastIndexOf(' ', room);
            if (cut <= room / 2) cut = room;
            rows.add(new ChatLine(line.tint(), indent + rest.substring(0, cut).stripTrailing()));
            rest = rest.substring(cut).stripLeading();
            indent = "  ";
        }
        rows.add(new ChatLine(line.tint(), indent + rest));
        return rows;
    }

    private static void input(CharGrid g, Layout l, String input) {
        if (input == null) {
            g.text(0, l.inputRow(), "Enter: chat (/w name text, /world text)  arrows/wasd/hjkl: move  space: ability"
                    + "  g: pick up  q: quit", Tint.DIM, l.cols());
            return;
        }
        String shown = "> " + input;
        // keep the end of a long line in view
        if (shown.length() >= l.cols()) shown = shown.substring(shown.length() - l.cols() + 1);
        g.text(0, l.inputRow(), shown + "_", Tint.INPUT, l.cols());
    }
}

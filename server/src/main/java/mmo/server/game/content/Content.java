package mmo.server.game.content;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import mmo.protocol.CharacterClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The game's content: classes, items, creatures and their spawn areas, read from data files
 * (HOCON: {@code classes.conf}, {@code items.conf}, {@code creatures.conf}, {@code spawns.conf})
 * and checked whole at
 * start-up. Anything wrong stops the server with a {@link ContentException} naming the file,
 * the line and the problem; a server never runs on half-valid content. Immutable; any thread.
 */
public record Content(Map<CharacterClass, ClassDef> classes, Map<String, ItemDef> items,
                      Map<String, CreatureDef> creatures, Map<String, List<SpawnDef>> spawns) {

    public static final List<String> FILES = List.of("classes.conf", "items.conf", "creatures.conf", "spawns.conf");
    /** Most creatures all spawn areas together may hold (their entity ids are 1 .. this). */
    public static final int MAX_CREATURES = 32_767;
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** Equipment slots; {@code NONE}: carried, not worn. */
    public enum Slot { HEAD, CHEST, LEGS, FEET, MAIN_HAND, OFF_HAND, NONE }

    public enum ItemType { WEAPON, ARMOR, CLOTHING, TRINKET, JUNK }

    public enum Rarity { COMMON, UNCOMMON, RARE, EPIC }

    public enum AbilityKind { DAMAGE, HEAL }

    public record Ability(String name, AbilityKind kind, int amount, float range, Duration cooldown) {}

    public record ClassDef(CharacterClass id, String name, int health, int healthPerLevel, int power, int armor,
                           Ability ability) {}

    /** {@code look}: the Outfit fields this item sets when worn (e.g. hat = 2), empty if none. */
    public record ItemDef(String id, String name, Slot slot, ItemType type, Rarity rarity, int damage, int armor,
                          int value, Map<String, Integer> look) {}

    public record Drop(String item, double chance) {}

    public record CreatureDef(String id, String name, int level, int health, int damage, float attackRange,
                              Duration attackCooldown, float speed, float notice, float leash, Duration respawn,
                              int xp, int goldMin, int goldMax, List<Drop> drops) {}

    /**
     * A spawn area: {@code count} creatures of kind {@code creature} living within
     * {@code radius} units of ({@code x}, {@code y}). {@code origin} is "file:line", for errors
     * found later against the map.
     */
    public record SpawnDef(String creature, int x, int y, int radius, int count, String origin) {}

    /** Outfit fields an item may set, with their largest value (mmo.proto Outfit). */
    private static final Map<String, Integer> LOOK_FIELDS = Map.of("top", 2, "bottom", 2, "hat", 2);

    /** The content shipped with the server (classpath {@code content/}). */
    public static Content loadDefault() {
        Map<String, String> texts = new LinkedHashMap<>();
        for (String f : FILES) {
            try (var in = Content.class.getClassLoader().getResourceAsStream("content/" + f)) {
                if (in == null) throw new ContentException("content/" + f + ": missing from the server's resources");
                texts.put("content/" + f, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                throw new ContentException("content/" + f + ": unreadable: " + e.getMessage());
            }
        }
        return parse(texts);
    }

    /** The content in a directory holding the four files. */
    public static Content load(Path dir) {
        Map<String, String> texts = new LinkedHashMap<>();
        for (String f : FILES) {
            Path p = dir.resolve(f);
            try {
                texts.put(p.toString(), Files.readString(p));
            } catch (java.io.IOException e) {
                throw new ContentException(p + ": cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        return parse(texts);
    }

    /** Parses and checks the four files, given as name → text in {@link #FILES} order. */
    public static Content parse(Map<String, String> texts) {
        List<String> names = new ArrayList<>(texts.keySet());
        if (names.size() != FILES.size()) throw new IllegalArgumentException("expected " + FILES);
        Config classes = read(names.get(0), texts.get(names.get(0)));
        Config items = read(names.get(1), texts.get(names.get(1)));
        Config creatures = read(names.get(2), texts.get(names.get(2)));
        Config spawns = read(names.get(3), texts.get(names.get(3)));
        Map<String, ItemDef> itemDefs = items(new Reader(names.get(1), items));
        Map<String, CreatureDef> creatureDefs = creatures(new Reader(names.get(2), creatures), itemDefs);
        return new Content(classes(new Reader(names.get(0), classes)), itemDefs, creatureDefs,
                spawns(new Reader(names.get(3), spawns), creatureDefs));
    }

    /** The same content with no creature spawns. */
    public Content withoutSpawns() {
        return new Content(classes, items, creatures, Map.of());
    }

    /**
     * The spawn areas of a map, by the map's name: its file name without {@code .tmj}
     * ({@code maps/world.tmj} is "world"). A map without an entry has no creatures.
     */
    public List<SpawnDef> spawnsFor(String mapName) {
        return spawns.getOrDefault(mapName, List.of());
    }

    /** The name spawns.conf knows a map by: its file name without the extension. */
    public static String mapName(String mapPath) {
        String f = mapPath.substring(Math.max(mapPath.lastIndexOf('/'), mapPath.lastIndexOf('\\')) + 1);
        return f.endsWith(".tmj") ? f.substring(0, f.length() - 4) : f;
    }

    /** An item definition by id, or null. */
    public ItemDef item(String id) {
        return items.get(id);
    }

    private static Map<String, List<SpawnDef>> spawns(Reader r, Map<String, CreatureDef> creatures) {
        ConfigObject maps = r.object(r.root, "spawns");
        Map<String, List<SpawnDef>> out = new LinkedHashMap<>();
        for (String map : maps.keySet()) {
            ConfigValue list = maps.get(map);
            if (list.valueType() != ConfigValueType.LIST) {
                throw r.error(list, "spawns of map '" + map + "' must be a list [ { creature = ..., ... } ]");
            }
            out.put(map, spawnList(r, (com.typesafe.config.ConfigList) list, creatures));
        }
        return Collections.unmodifiableMap(out);
    }

    private static List<SpawnDef> spawnList(Reader r, com.typesafe.config.ConfigList list, Map<String, CreatureDef> creatures) {
        List<SpawnDef> out = new ArrayList<>();
        int total = 0;
        for (ConfigValue v : list) {
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw r.error(v, "each spawn area is { creature = ..., x = ..., y = ..., radius = ..., count = ... }");
            }
            Config c = ((ConfigObject) v).toConfig();
            String at = "spawn area";
            String creature = r.string(c, "creature", at);
            if (!creatures.containsKey(creature)) {
                throw r.error(c.getValue("creature"), at + ": creature '" + creature + "' is not defined in creatures.conf");
            }
            int count = r.positiveInt(c, "count", at);
            if (count > 1000) throw r.error(c.getValue("count"), at + ": count must be at most 1000, got " + count);
            total += count;
            if (total > MAX_CREATURES) throw r.error(v, "more than " + MAX_CREATURES + " creatures in all spawn areas");
            int line = v.origin().lineNumber();
            out.add(new SpawnDef(creature, r.nonNegativeInt(c, "x", at), r.nonNegativeInt(c, "y", at),
                    r.positiveInt(c, "radius", at), count, r.file() + (line > 0 ? ":" + line : "")));
        }
        return List.copyOf(out);
    }

    private static Config read(String file, String text) {
        try {
            return ConfigFactory.parseString(text, ConfigParseOptions.defaults()
                    .setSyntax(ConfigSyntax.CONF).setOriginDescription(file)).resolve();
        } catch (ConfigException e) {
            // the library's message already names the file and the line
            throw new ContentException(e.getMessage());
        }
    }

    private static Map<CharacterClass, ClassDef> classes(Reader r) {
        ConfigObject all = r.object(r.root, "classes");
        Map<CharacterClass, ClassDef> out = new LinkedHashMap<>();
        for (String key : all.keySet()) {
            CharacterClass cls;
            try {
                cls = CharacterClass.valueOf(key.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                cls = null;
            }
            if (cls == null || cls == CharacterClass.UNRECOGNIZED) {
                throw r.error(all.get(key), "class '" + key + "' is not a class of the protocol (" + protocolClasses() + ")");
            }
            Config c = r.config(all, key);
            String at = "class '" + key + "'";
            Config a = r.sub(c, "ability", at);
            String aat = at + " ability";
            Ability ability = new Ability(r.string(a, "name", aat), r.enumValue(a, "kind", AbilityKind.class, aat),
                    r.positiveInt(a, "amount", aat), r.positiveFloat(a, "range", aat), r.duration(a, "cooldown", aat));
            out.put(cls, new ClassDef(cls, r.string(c, "name", at), r.positiveInt(c, "health", at),
                    r.nonNegativeInt(c, "health-per-level", at), r.positiveInt(c, "power", at),
                    r.nonNegativeInt(c, "armor", at), ability));
        }
        List<String> missing = new ArrayList<>();
        for (CharacterClass cls : CharacterClass.values()) {
            if (cls != CharacterClass.UNRECOGNIZED && !out.containsKey(cls)) {
                missing.add(cls.name().toLowerCase(Locale.ROOT));
            }
        }
        if (!missing.isEmpty()) throw r.error(all, "no entry for the class(es) " + String.join(", ", missing));
        return Collections.unmodifiableMap(out);
    }

    private static String protocolClasses() {
        List<String> names = new ArrayList<>();
        for (CharacterClass c : CharacterClass.values()) {
            if (c != CharacterClass.UNRECOGNIZED) names.add(c.name().toLowerCase(Locale.ROOT));
        }
        return String.join(", ", names);
    }

    private static Map<String, ItemDef> items(Reader r) {
        ConfigObject all = r.object(r.root, "items");
        Map<String, ItemDef> out = new LinkedHashMap<>();
        for (String id : all.keySet()) {
            r.checkId(all.get(id), "item", id);
            Config c = r.config(all, id);
            String at = "item '" + id + "'";
            Map<String, Integer> look = new LinkedHashMap<>();
            if (c.hasPath("look")) {
                ConfigObject l = r.object(c, "look");
                for (String field : l.keySet()) {
                    Integer max = LOOK_FIELDS.get(field);
                    if (max == null) throw r.error(l.get(field), at + ": look field '" + field + "' is not one of " + LOOK_FIELDS.keySet());
                    ConfigValue v = l.get(field);
                    if (v.valueType() != ConfigValueType.NUMBER || ((Number) v.unwrapped()).intValue() < 0
                            || ((Number) v.unwrapped()).intValue() > max) {
                        throw r.error(v, at + ": look " + field + " must be a whole number from 0 to " + max);
                    }
                    look.put(field, ((Number) v.unwrapped()).intValue());
                }
            }
            ItemDef item = new ItemDef(id, r.string(c, "name", at), r.enumValue(c, "slot", Slot.class, at),
                    r.enumValue(c, "type", ItemType.class, at), r.enumValue(c, "rarity", Rarity.class, at),
                    c.hasPath("damage") ? r.nonNegativeInt(c, "damage", at) : 0,
                    c.hasPath("armor") ? r.nonNegativeInt(c, "armor", at) : 0,
                    r.nonNegativeInt(c, "value", at), Collections.unmodifiableMap(look));
            if (item.type() == ItemType.WEAPON && item.slot() != Slot.MAIN_HAND && item.slot() != Slot.OFF_HAND) {
                throw r.error(c.getValue("slot"), at + ": a weapon is held: slot must be main-hand or off-hand");
            }
            if (!look.isEmpty() && item.slot() == Slot.NONE) {
                throw r.error(c.getValue("look"), at + ": only a worn item (a slot other than none) can change the look");
            }
            out.put(id, item);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, CreatureDef> creatures(Reader r, Map<String, ItemDef> items) {
        ConfigObject all = r.object(r.root, "creatures");
        Map<String, CreatureDef> out = new LinkedHashMap<>();
        for (String id : all.keySet()) {
            r.checkId(all.get(id), "creature", id);
            Config c = r.config(all, id);
            String at = "creature '" + id + "'";
            List<? extends ConfigValue> gold = r.list(c, "gold", at);
            if (gold.size() != 2 || gold.stream().anyMatch(v -> v.valueType() != ConfigValueType.NUMBER)) {
                throw r.error(c.getValue("gold"), at + ": gold must be [min, max]");
            }
            int goldMin = ((Number) gold.get(0).unwrapped()).intValue(), goldMax = ((Number) gold.get(1).unwrapped()).intValue();
            if (goldMin < 0 || goldMax < goldMin) throw r.error(c.getValue("gold"), at + ": gold must be [min, max] with 0 <= min <= max");
            List<Drop> drops = new ArrayList<>();
            if (c.hasPath("drops")) {
                for (ConfigValue v : r.list(c, "drops", at)) {
                    if (v.valueType() != ConfigValueType.OBJECT) throw r.error(v, at + ": each drop is { item = ..., chance = ... }");
                    Config d = ((ConfigObject) v).toConfig();
                    String item = r.string(d, "item", at + " drop");
                    if (!items.containsKey(item)) throw r.error(d.getValue("item"), at + ": drops item '" + item + "', which items.conf does not define");
                    double chance = r.number(d, "chance", at + " drop");
                    if (!(chance > 0 && chance <= 1)) throw r.error(d.getValue("chance"), at + ": a drop's chance must be in (0, 1]");
                    drops.add(new Drop(item, chance));
                }
            }
            float notice = r.positiveFloat(c, "notice", at), leash = r.positiveFloat(c, "leash", at);
            if (leash < notice) throw r.error(c.getValue("leash"), at + ": leash (" + leash + ") must be at least notice (" + notice + ")");
            out.put(id, new CreatureDef(id, r.string(c, "name", at), r.positiveInt(c, "level", at), r.positiveInt(c, "health", at),
                    r.nonNegativeInt(c, "damage", at), r.positiveFloat(c, "attack-range", at), r.duration(c, "attack-cooldown", at),
                    r.positiveFloat(c, "speed", at), notice, leash, r.duration(c, "respawn", at), r.nonNegativeInt(c, "xp", at),
                    goldMin, goldMax, List.copyOf(drops)));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Typed reads of one file, each failure a {@link ContentException} at the offending line. */
    private record Reader(String file, Config root) {
        ContentException error(ConfigValue at, String problem) {
            int line = at == null ? -1 : at.origin().lineNumber();
            return new ContentException(file + (line > 0 ? ":" + line : "") + ": " + problem);
        }

        private ConfigValue valueOr(Config c, String path) {
            return c.hasPath(path) ? c.getValue(path) : c.root();
        }

        ConfigObject object(Config c, String path) {
            if (!c.hasPath(path)) throw error(c.root(), "missing '" + path + " { ... }'");
            ConfigValue v = c.getValue(path);
            if (v.valueType() != ConfigValueType.OBJECT) throw error(v, "'" + path + "' must be an object { ... }");
            return (ConfigObject) v;
        }

        Config config(ConfigObject parent, String key) {
            ConfigValue v = parent.get(key);
            if (v.valueType() != ConfigValueType.OBJECT) throw error(v, "'" + key + "' must be an object { ... }");
            return ((ConfigObject) v).toConfig();
        }

        Config sub(Config c, String path, String at) {
            if (!c.hasPath(path)) throw error(c.root(), at + ": missing '" + path + " { ... }'");
            ConfigValue v = c.getValue(path);
            if (v.valueType() != ConfigValueType.OBJECT) throw error(v, at + ": '" + path + "' must be an object { ... }");
            return ((ConfigObject) v).toConfig();
        }

        void checkId(ConfigValue at, String what, String id) {
            if (!ID.matcher(id).matches()) {
                throw error(at, what + " id '" + id + "' must be lower-case letters, digits and dashes, starting with a letter (at most 32)");
            }
        }

        private ConfigValue required(Config c, String path, String at) {
            if (!c.hasPath(path)) throw error(c.root(), at + ": missing '" + path + "'");
            return c.getValue(path);
        }

        String string(Config c, String path, String at) {
            ConfigValue v = required(c, path, at);
            if (v.valueType() != ConfigValueType.STRING || ((String) v.unwrapped()).isBlank()) {
                throw error(v, at + ": '" + path + "' must be a non-empty text");
            }
            return (String) v.unwrapped();
        }

        double number(Config c, String path, String at) {
            ConfigValue v = required(c, path, at);
            if (v.valueType() != ConfigValueType.NUMBER) throw error(v, at + ": '" + path + "' must be a number, got " + v.render());
            return ((Number) v.unwrapped()).doubleValue();
        }

        int nonNegativeInt(Config c, String path, String at) {
            double d = number(c, path, at);
            if (d < 0 || d != Math.rint(d) || d > Integer.MAX_VALUE) {
                throw error(c.getValue(path), at + ": '" + path + "' must be a whole number >= 0, got " + c.getValue(path).render());
            }
            return (int) d;
        }

        int positiveInt(Config c, String path, String at) {
            int n = nonNegativeInt(c, path, at);
            if (n == 0) throw error(c.getValue(path), at + ": '" + path + "' must be more than 0");
            return n;
        }

        float positiveFloat(Config c, String path, String at) {
            double d = number(c, path, at);
            if (!(d > 0) || Double.isInfinite(d)) throw error(c.getValue(path), at + ": '" + path + "' must be more than 0, got " + c.getValue(path).render());
            return (float) d;
        }

        Duration duration(Config c, String path, String at) {
            ConfigValue v = required(c, path, at);
            try {
                Duration d = c.getDuration(path);
                if (d.isNegative() || d.isZero()) throw error(v, at + ": '" + path + "' must be a duration more than 0");
                return d;
            } catch (ConfigException.BadValue | ConfigException.WrongType e) {
                throw error(v, at + ": '" + path + "' must be a duration such as 1.5s or 500ms, got " + v.render());
            }
        }

        List<? extends ConfigValue> list(Config c, String path, String at) {
            ConfigValue v = required(c, path, at);
            if (v.valueType() != ConfigValueType.LIST) throw error(v, at + ": '" + path + "' must be a list [ ... ]");
            return c.getList(path);
        }

        <E extends Enum<E>> E enumValue(Config c, String path, Class<E> type, String at) {
            ConfigValue v = required(c, path, at);
            String s = v.valueType() == ConfigValueType.STRING ? (String) v.unwrapped() : "";
            try {
                return Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                List<String> names = new ArrayList<>();
                for (E x : type.getEnumConstants()) names.add(x.name().toLowerCase(Locale.ROOT).replace('_', '-'));
                throw error(v, at + ": " + path + " '" + v.unwrapped() + "' is not one of " + String.join(", ", names));
            }
        }
    }
}

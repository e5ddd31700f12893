package mmo.server.game.content;

import mmo.protocol.CharacterClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContentTest {
    static final String CLASSES = """
            classes {
              warrior { name = "Warrior", health = 120, health-per-level = 14, power = 12, armor = 4
                        ability { name = "Cleave", kind = damage, amount = 18, range = 1.6, cooldown = 1.5s } }
              mage    { name = "Mage", health = 80, health-per-level = 8, power = 18, armor = 1
                        ability { name = "Firebolt", kind = damage, amount = 24, range = 9, cooldown = 2.5s } }
              ranger  { name = "Ranger", health = 95, health-per-level = 10, power = 14, armor = 2
                        ability { name = "Arrow", kind = damage, amount = 16, range = 12, cooldown = 1.2s } }
              healer  { name = "Healer", health = 90, health-per-level = 9, power = 10, armor = 2
                        ability { name = "Mend", kind = heal, amount = 22, range = 8, cooldown = 3s } }
            }
            """;
    static final String ITEMS = """
            items {
              rusty-sword { name = "Rusty sword", slot = main-hand, type = weapon, rarity = common, damage = 3, value = 4 }
              leather-cap { name = "Leather cap", slot = head, type = armor, rarity = common, armor = 1, value = 3, look { hat = 2 } }
              wolf-pelt   { name = "Wolf pelt", slot = none, type = junk, rarity = common, value = 2 }
            }
            """;
    static final String CREATURES = """
            creatures {
              wolf {
                name = "Wolf", level = 2, health = 40, damage = 6, attack-range = 1.2, attack-cooldown = 1.5s
                speed = 3.5, notice = 8, leash = 20, respawn = 30s, xp = 15, gold = [1, 5]
                drops = [ { item = wolf-pelt, chance = 0.6 }, { item = leather-cap, chance = 0.05 } ]
              }
            }
            """;

    static final String SPAWNS = """
            spawns {
              world = [
                { creature = wolf, x = 100, y = 120, radius = 10, count = 4 }
              ]
            }
            """;

    static Content parse(String classes, String items, String creatures) {
        return parse(classes, items, creatures, SPAWNS);
    }

    static Content parse(String classes, String items, String creatures, String spawns) {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("classes.conf", classes);
        texts.put("items.conf", items);
        texts.put("creatures.conf", creatures);
        texts.put("spawns.conf", spawns);
        return Content.parse(texts);
    }

    @Test
    void spawnAreasNameTheirCreatureAndLine() {
        Content c = parse(CLASSES, ITEMS, CREATURES);
        assertThat(c.spawnsFor("other")).isEmpty();
        assertThat(Content.mapName("maps/world.tmj")).isEqualTo("world");
        assertThat(c.spawnsFor("world")).singleElement().satisfies(s -> {
            assertThat(s.creature()).isEqualTo("wolf");
            assertThat(s.count()).isEqualTo(4);
            assertThat(s.origin()).isEqualTo("spawns.conf:3");
        });
        assertThatThrownBy(() -> parse(CLASSES, ITEMS, CREATURES, SPAWNS.replace("creature = wolf", "creature = dragon")))
                .isInstanceOf(ContentException.class)
                .hasMessage("spawns.conf:3: spawn area: creature 'dragon' is not defined in creatures.conf");
        assertThatThrownBy(() -> parse(CLASSES, ITEMS, CREATURES, SPAWNS.replace("count = 4", "count = 0")))
                .hasMessage("spawns.conf:3: spawn area: 'count' must be more than 0");
    }

    @Test
    void theShippedContentIsValidAndCoversEveryClass() {
        Content c = Content.loadDefault();
        for (CharacterClass cls : CharacterClass.values()) {
            if (cls == CharacterClass.UNRECOGNIZED) continue;
            assertThat(c.classes()).containsKey(cls);
        }
        assertThat(c.items()).isNotEmpty();
        assertThat(c.creatures()).isNotEmpty();
        for (Content.CreatureDef cr : c.creatures().values()) {
            for (Content.Drop d : cr.drops()) assertThat(c.items()).containsKey(d.item());
        }
    }

    @Test
    void readsEveryField() {
        Content c = parse(CLASSES, ITEMS, CREATURES);
        Content.ClassDef healer = c.classes().get(CharacterClass.HEALER);
        assertThat(healer.ability().kind()).isEqualTo(Content.AbilityKind.HEAL);
        assertThat(healer.ability().cooldown()).isEqualTo(Duration.ofSeconds(3));
        Content.ItemDef cap = c.items().get("leather-cap");
        assertThat(cap.slot()).isEqualTo(Content.Slot.HEAD);
        assertThat(cap.look()).containsEntry("hat", 2);
        assertThat(c.items().get("rusty-sword").slot()).isEqualTo(Content.Slot.MAIN_HAND);
        Content.CreatureDef wolf = c.creatures().get("wolf");
        assertThat(wolf.goldMin()).isEqualTo(1);
        assertThat(wolf.goldMax()).isEqualTo(5);
        assertThat(wolf.drops()).extracting(Content.Drop::item).containsExactly("wolf-pelt", "leather-cap");
        assertThat(wolf.attackCooldown()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aBadSlotNamesTheFileTheLineAndTheChoices() {
        String items = ITEMS.replace("slot = head", "slot = hand");
        assertThatThrownBy(() -> parse(CLASSES, items, CREATURES))
                .isInstanceOf(ContentException.class)
                .hasMessageStartingWith("items.conf:3: item 'leather-cap': slot 'hand' is not one of head, chest, legs, feet, main-hand, off-hand, none");
    }

    @Test
    void aDropOfAnUnknownItemIsRefused() {
        String creatures = CREATURES.replace("item = wolf-pelt", "item = wolf-fang");
        assertThatThrownBy(() -> parse(CLASSES, ITEMS, creatures))
                .isInstanceOf(ContentException.class)
                .hasMessage("creatures.conf:5: creature 'wolf': drops item 'wolf-fang', which items.conf does not define");
    }

    @Test
    void aMissingClassIsNamed() {
        String classes = CLASSES.replaceAll("(?s)  healer .*?heal, amount = 22, range = 8, cooldown = 3s \\} \\}\\n", "");
        assertThatThrownBy(() -> parse(classes, ITEMS, CREATURES))
                .isInstanceOf(ContentException.class)
                .hasMessageContaining("classes.conf:")
                .hasMessageContaining("no entry for the class(es) healer");
    }

    @Test
    void badNumbersDurationsAndSyntaxAreRefusedWithTheirLine() {
        assertThatThrownBy(() -> parse(CLASSES.replace("health = 80", "health = -5"), ITEMS, CREATURES))
                .hasMessage("classes.conf:4: class 'mage': 'health' must be a whole number >= 0, got -5");
        assertThatThrownBy(() -> parse(CLASSES, ITEMS, CREATURES.replace("respawn = 30s", "respawn = soon")))
                .hasMessageStartingWith("creatures.conf:4: creature 'wolf': 'respawn' must be a duration such as 1.5s or 500ms, got \"soon\"");
        assertThatThrownBy(() -> parse(CLASSES, ITEMS, CREATURES.replace("leash = 20", "leash = 3")))
                .hasMessage("creatures.conf:4: creature 'wolf': leash (3.0) must be at least notice (8.0)");
        assertThatThrownBy(() -> parse(CLASSES, ITEMS.replace("rarity = common, damage = 3", "rarity = common damage = 3 {"), CREATURES))
                .isInstanceOf(ContentException.class)
                .hasMessageContaining("items.conf");
        assertThatThrownBy(() -> parse(CLASSES.replace("warrior {", "knight {"), ITEMS, CREATURES))
                .hasMessageStartingWith("classes.conf:2: class 'knight' is not a class of the protocol");
    }

    @Test
    void aDirectoryWithAMissingFileSaysWhich(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("classes.conf"), CLASSES);
        Files.writeString(dir.resolve("items.conf"), ITEMS);
        assertThatThrownBy(() -> Content.load(dir))
                .isInstanceOf(ContentException.class)
                .hasMessageContaining("creatures.conf: cannot be read");
        Files.writeString(dir.resolve("creatures.conf"), CREATURES);
        assertThatThrownBy(() -> Content.load(dir)).hasMessageContaining("spawns.conf: cannot be read");
        Files.writeString(dir.resolve("spawns.conf"), SPAWNS);
        assertThat(Content.load(dir).creatures()).containsKey("wolf");
    }
}

package mmo.app;

import mmo.client.MmoClient;
import mmo.client.RemoteEntity;
import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.CharacterSummary;
import mmo.protocol.CreateCharacter;
import mmo.protocol.Outfit;
import mmo.protocol.StartChoice;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeStatus;
import mmo.server.game.content.Content;
import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.ItemRow;
import mmo.server.persistence.Ledger;
import mmo.server.world.Creature;
import mmo.server.world.Player;
import mmo.server.world.map.TileMap;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static mmo.app.BrowserPlayIT.num;
import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The game in a real headless Chromium against an in-process server whose tick the test steps:
 * a character of each start choice the creation screen offers starts where it should; a
 * browser player and a Java-client player see each other's clothing change as each puts on a
 * cap, and trade; and the browser player fights wolves living next to its home town, kills one
 * and picks up its gold. Screenshots under target/screenshots (browser-clothing.png, browser-fight.png,
 * browser-loot.png).
 */
class GameBrowserIT {
    /**
     * The shipped content, but for spawns: two wolves just south of Ironhold, the warriors' town
     * (188..212), a few units apart, so both notice a player at (200, 211) and come from two sides.
     */
    static final String SPAWNS = """
            spawns {
              world = [
                { creature = wolf, x = 195, y = 216, radius = 1, count = 1 }
                { creature = wolf, x = 205, y = 216, radius = 1, count = 1 }
              ]
            }
            """;

    @TempDir
    Path dir;
    TestServer server;
    WebDriver browser;
    MmoClient java;

    @BeforeEach
    void start() throws Exception {
        Path content = TestServer.shippedContent(dir, SPAWNS);
        server = TestServer.start("jdbc:sqlite:" + dir.resolve("mmo.db"), Map.of("mmo.world.content", content.toString()));
        browser = BrowserPlayIT.headlessChromium(dir);
    }

    @AfterEach
    void stop() {
        if (java != null) java.close();
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    // ------------------------------------------------------------------ helpers

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    Map<String, Object> state() {
        return BrowserPlayIT.mmoState(browser);
    }

    String phase() {
        return String.valueOf(state().get("state"));
    }

    /** Waits for a browser-side condition that needs no tick (HTTP, login, account work). */
    void await(BooleanSupplier condition, String what) {
        BrowserPlayIT.await(browser, condition, what);
    }

    /** Steps the server one tick at a time (the Java client, if any, receiving each) until the condition holds. */
    void tickUntil(BooleanSupplier condition, int maxTicks, String what) throws Exception {
        BrowserPlayIT.tickUntil(server, java == null ? List.of() : List.of(java), condition, maxTicks,
                () -> what + ": not within " + maxTicks + " ticks; browser state " + state());
    }

    /** Waits (no ticks) until the browser has taken every tick the server ran so far. */
    void caughtUp() {
        int t = server.server.world().currentTick();
        await(() -> ((Number) js("return window.__mmo.tick;")).intValue() >= t, "the browser at tick " + t);
    }

    void ticks(int n) throws Exception {
        int[] left = {n};
        tickUntil(() -> --left[0] <= 0, n, "ticks");
    }

    void type(String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    void screenshot(String name) throws Exception {
        Path out = Path.of(System.getProperty("mmo.screenshots", "target/screenshots"));
        Files.createDirectories(out);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> entities() {
        return (List<Map<String, Object>>) js("return window.__mmo.entities();");
    }

    Map<String, Object> browserSees(String name) {
        return entities().stream().filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
    }

    Map<String, Object> browserSees(long id) {
        return entities().stream().filter(e -> id == ((Number) e.get("id")).longValue()).findFirst().orElse(null);
    }

    RemoteEntity javaSees(String name) {
        return java.snapshot().entities().values().stream().filter(e -> name.equals(e.name())).findFirst().orElse(null);
    }

    Player serverPlayer(String name) {
        return server.server.world().playerByName(name);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> inventory() {
        return (Map<String, Object>) state().get("inventory");
    }

    void openAndRegister(String user) {
        browser.get("http://127.0.0.1:" + server.server.port() + "/");
        await(() -> "login".equals(phase()), "the login screen");
        type("username", user);
        type("password", "password-" + user);
        browser.findElement(By.id("register-btn")).click();
        await(() -> "characters".equals(phase()), "the character screen after registering");
    }

    /** Creates a character on the creation screen; returns its id (from the character list). */
    long createInBrowser(String name, String cls, boolean randomStart) {
        browser.findElement(By.id("new-char-btn")).click();
        type("char-name", name);
        new Select(browser.findElement(By.id("char-class"))).selectByValue(cls);
        // the world picker lists the server's world (with its population) and has it chosen
        Select world = new Select(browser.findElement(By.id("char-world")));
        assertThat(world.getOptions()).extracting(WebElement::getText).anyMatch(t -> t.startsWith(server.server.world().name()));
        world.selectByValue(server.server.world().name());
        browser.findElement(By.id(randomStart ? "start-random" : "start-home")).click();
        browser.findElement(By.id("create-btn")).click();
        By entry = By.cssSelector("#char-list .char-entry[data-name='" + name + "']");
        await(() -> !browser.findElements(entry).isEmpty(), "the new character " + name + " in the list");
        return Long.parseLong(browser.findElement(entry).getDomAttribute("data-id"));
    }

    void enterInBrowser(String name) throws Exception {
        browser.findElement(By.cssSelector("#char-list .char-entry[data-name='" + name + "']")).click();
        tickUntil(() -> "world".equals(phase()) && name.equals(state().get("character")), 400, "entering the world as " + name);
    }

    /** A Java-client warrior (bare-headed) holding {@code items} in its bag, in the world. */
    CharacterSummary javaPlayer(String user, String name, String... items) throws Exception {
        java = server.connect();
        java.register(user, "password-" + user).get(TIMEOUT_S, TimeUnit.SECONDS);
        CharacterSummary c = java.createCharacter(CreateCharacter.newBuilder()
                .setName(name).setCharacterClass(CharacterClass.WARRIOR).setStart(StartChoice.START_HOME)
                .setAppearance(Appearance.newBuilder().setBody(0).setSkinColor(0xE0AC69).setHairColor(0x222222).setHairStyle(1)
                        .setOutfit(Outfit.newBuilder().setTop(0).setTopColor(0x2266aa).setBottom(0).setBottomColor(0x333333)
                                .setShoesColor(0x442200).setHat(0)))
                .build()).get(TIMEOUT_S, TimeUnit.SECONDS);
        give(c.getId(), items);
        server.tickUntilDone(java.enterWorld(c.getId()));
        return c;
    }

    void give(long characterId, String... items) throws Exception {
        List<Ledger.NewItem> list = new ArrayList<>();
        for (int i = 0; i < items.length; i++) list.add(new Ledger.NewItem(items[i], ItemPlace.BAG, i));
        server.server.ledger().create(characterId, 0, list, 0).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    /**
     * Holds the movement keys that take the browser player {@code name} towards (x, y) until
     * the server has it within {@code near}. Steered by the server's position, so the browser
     * is asked only when a key changes; after each change the server ticks only until it has
     * taken a newer input from the browser, so the walk never runs on far under the old keys.
     */
    void walkBrowserTo(String name, float x, float y, float near) throws Exception {
        Player me = serverPlayer(name);
        Set<String> held = new HashSet<>();
        tickUntil(() -> {
            float dx = x - me.x(), dy = y - me.y();
            boolean there = dx * dx + dy * dy <= near * near;
            Set<String> want = new HashSet<>();
            if (!there) {
                if (dx > 0.4f) want.add("d");
                if (dx < -0.4f) want.add("a");
                if (dy > 0.4f) want.add("s");
                if (dy < -0.4f) want.add("w");
            }
            if (want.equals(held)) return there;
            Actions keys = new Actions(browser);
            for (String k : held) if (!want.contains(k)) keys.keyUp(k);
            for (String k : want) if (!held.contains(k)) keys.keyDown(k);
            int seq = me.ackSeq();
            keys.perform();
            held.clear();
            held.addAll(want);
            for (int i = 0; i < 20 && me.ackSeq() == seq; i++) server.server.tick();
            return false;
        }, 2000, name + " walking to " + x + ", " + y);
        ticks(3);
    }

    static boolean inSafeArea(TileMap map, float x, float y) {
        return map.spawnAreas().stream().anyMatch(a -> a.kind().equals("safe") && a.contains(x, y));
    }

    // ------------------------------------------------------------------ tests

    @Test
    void eachStartChoiceOfTheCreationScreenStartsWhereItShould() throws Exception {
        openAndRegister("starter");
        Map<String, CharacterClass> homes = new LinkedHashMap<>();
        homes.put("Ironfist", CharacterClass.WARRIOR);
        homes.put("Starmind", CharacterClass.MAGE);
        homes.put("Greeneye", CharacterClass.RANGER);
        homes.put("Dawnhand", CharacterClass.HEALER);
        for (var e : homes.entrySet()) createInBrowser(e.getKey(), e.getValue().name().toLowerCase(), false);
        createInBrowser("Roamer", "ranger", true);
        assertThat(browser.findElements(By.cssSelector("#char-list .char-entry"))).hasSize(5);

        TileMap map = server.server.world().map();
        for (String name : List.of("Ironfist", "Starmind", "Greeneye", "Dawnhand", "Roamer")) {
            enterInBrowser(name);
            Player p = serverPlayer(name);
            assertThat(p).as(name + " in the server's world").isNotNull();
            Map<String, Object> s = state();
            // the browser shows the position the server has
            assertThat(num(s.get("serverX"))).isEqualTo(p.x());
            assertThat(num(s.get("serverY"))).isEqualTo(p.y());
            assertThat(((Number) s.get("entityId")).intValue()).isEqualTo(p.id());
            // its class's stats and ability reach the action bar
            CharacterClass cls = homes.getOrDefault(name, CharacterClass.RANGER);
            String ability = server.server.content().classes().get(cls).ability().name();
            tickUntil(() -> state().get("stats") instanceof Map<?, ?> st && ability.equals(st.get("ability")), 50, name + "'s stats");
            await(() -> browser.findElement(By.id("ability-btn")).getText().contains(ability), name + "'s ability on the action bar");
            if (homes.containsKey(name)) {
                TileMap.SpawnArea home = map.home(homes.get(name));
                assertThat(home.characterClass()).isEqualTo(homes.get(name));
                assertThat(home.contains(p.x(), p.y())).as(name + " at " + p.x() + ", " + p.y() + " in " + home).isTrue();
            } else {
                assertThat(inSafeArea(map, p.x(), p.y())).as(name + " at " + p.x() + ", " + p.y() + " in a safe area").isTrue();
            }
            browser.findElement(By.id("leave-btn")).click();
            tickUntil(() -> "characters".equals(phase()), 200, "back to the character list from " + name);
            assertThat(serverPlayer(name)).isNull();
        }
        // the four homes are four different towns
        assertThat(homes.keySet().stream().map(n -> map.home(homes.get(n)).name()).distinct()).hasSize(4);
    }

    @Test
    void clothingShowsBothWaysThenATradeThenAFightWithWolvesPaysGold() throws Exception {
        // --- a browser warrior and a Java-client warrior, each with a leather cap, meet in Ironhold
        openAndRegister("webwar");
        long webId = createInBrowser("Webwar", "warrior", false);
        give(webId, "leather-cap");
        enterInBrowser("Webwar");
        tickUntil(() -> inventory() != null, 100, "the browser's inventory");
        assertThat(num(inventory().get("gold"))).isZero();

        javaPlayer("javwar", "Javwar", "leather-cap");
        tickUntil(() -> java.inventory().getBagCount() == 1, 100, "the Java client's inventory");
        // the Java player walks over (steered by where the server has the two), then both see each other
        tickUntil(() -> {
            Player w = serverPlayer("Webwar"), j = serverPlayer("Javwar");
            float dx = w.x() - j.x(), dy = w.y() - j.y();
            if (dx * dx + dy * dy < 4) {
                java.sendInput(0, 0);
                return true;
            }
            java.sendInput(dx, dy);
            return false;
        }, 3000, "the Java player walking to the browser player");
        tickUntil(() -> javaSees("Webwar") != null && browserSees("Javwar") != null, 50, "the two warriors seeing each other");
        ticks(5);
        int javaEntity = java.snapshot().ownEntityId();
        assertThat(javaSees("Webwar").game().equipment().getHead()).isEmpty();

        // (a) the browser player puts its cap on through the inventory window (key I, a click)
        new Actions(browser).sendKeys("i").perform();
        await(() -> browser.findElement(By.id("inventory")).isDisplayed(), "the inventory window");
        WebElement bag0 = browser.findElement(By.id("inv-bag-0"));
        assertThat(bag0.getDomAttribute("data-kind")).isEqualTo("leather-cap");
        bag0.click();
        tickUntil(() -> "leather-cap".equals(javaSees("Webwar").game().equipment().getHead()), 100,
                "the Java client seeing the browser player's cap");
        Player web = serverPlayer("Webwar");
        assertThat(web.inventory().worn(Content.Slot.HEAD).def().id()).isEqualTo("leather-cap");
        assertThat(web.inventory().bag(0)).isNull();
        tickUntil(() -> {
            Map<String, Object> worn = worn();
            return worn.get("head") instanceof Map<?, ?> head && "leather-cap".equals(head.get("kind"));
        }, 50, "the browser's inventory showing the cap worn");
        await(() -> browser.findElement(By.id("inv-bag-0")).getDomAttribute("class").contains("empty"), "bag slot 0 empty");
        assertThat(browser.findElement(By.id("inv-worn-head")).getDomAttribute("data-kind")).isEqualTo("leather-cap");
        assertThat(js("return window.__mmo.equipmentOf(window.__mmo.entityId).head;")).isEqualTo("leather-cap");
        // written to the database as worn
        tickUntil(() -> stored(webId).stream().anyMatch(i -> i.kind().equals("leather-cap") && i.place() == ItemPlace.WORN),
                100, "the cap stored as worn");

        // (b) the Java player puts its cap on: the browser draws it
        java.equip(0);
        tickUntil(() -> {
            Object head = js("const e = window.__mmo.equipmentOf(arguments[0]); return e && e.drawn ? e.head + '/' + e.shapes.head : null;",
                    javaEntity);
            return "leather-cap/cap".equals(head);
        }, 100, "the browser drawing the Java player's cap");
        assertThat(browserSees("Javwar").get("equipment")).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("head", "leather-cap");
        ticks(3);
        caughtUp();
        screenshot("browser-clothing.png");

        // (c) the browser player takes its cap off again (a click on the worn slot)
        browser.findElement(By.id("inv-worn-head")).click();
        tickUntil(() -> javaSees("Webwar").game().equipment().getHead().isEmpty(), 100, "the Java client seeing the cap taken off");
        await(() -> "leather-cap".equals(browser.findElement(By.id("inv-bag-0")).getDomAttribute("data-kind")), "the cap back in the bag");

        // (d) and trades it to the Java player: invited by it, accepts, offers by clicking the item, confirms
        int webEntity = serverPlayer("Webwar").id();
        java.trade(TradeAction.newBuilder().setInvite(webEntity).build());
        tickUntil(() -> browser.findElement(By.id("trade-invite")).isDisplayed(), 100, "the browser's trade invitation");
        browser.findElement(By.id("trade-accept")).click();
        tickUntil(() -> java.tradeState().getStatus() == TradeStatus.OPEN
                && "open".equals(browser.findElement(By.id("trade")).getDomAttribute("data-status")), 100, "the trade open on both sides");
        browser.findElement(By.id("inv-bag-0")).click();
        tickUntil(() -> java.tradeState().getTheirsCount() == 1, 100, "the Java client seeing the cap offered");
        assertThat(java.tradeState().getTheirs(0).getKind()).isEqualTo("leather-cap");
        java.trade(TradeAction.newBuilder().setConfirm(true).build());
        tickUntil(() -> browser.findElement(By.id("trade-their-tick")).getDomAttribute("class").contains("on"), 100,
                "the browser showing the Java player's confirmation");
        browser.findElement(By.id("trade-confirm")).click();
        tickUntil(() -> java.tradeState().getStatus() == TradeStatus.DONE
                && "done".equals(browser.findElement(By.id("trade")).getDomAttribute("data-status")), 200, "the trade done");
        tickUntil(() -> java.inventory().getBagCount() == 1 && ((List<?>) inventory().get("bag")).isEmpty(), 100,
                "the cap in the Java player's bag, gone from the browser's");
        assertThat(java.inventory().getBag(0).getItem().getKind()).isEqualTo("leather-cap");
        assertThat(stored(webId)).isEmpty();
        browser.findElement(By.id("trade-cancel")).click(); // closes the finished trade
        await(() -> !browser.findElement(By.id("trade")).isDisplayed(), "the trade window closed");
        new Actions(browser).sendKeys(Keys.ESCAPE).perform();
        await(() -> !browser.findElement(By.id("inventory")).isDisplayed(), "the inventory window closed");

        // --- the fight, alone (wolves that took to the Java player give up when it leaves):
        // walk to the south edge of town, where the wolves notice the browser player and come
        server.tickUntilDone(java.leaveWorld());
        java.close();
        java = null;
        tickUntil(() -> browserSees("Javwar") == null, 50, "the Java player gone from the browser's view");
        walkBrowserTo("Webwar", 200, 211, 0.8f);
        Player me = serverPlayer("Webwar");
        List<Creature> wolves = server.server.world().creatures();
        assertThat(wolves).hasSize(2);
        tickUntil(() -> wolves.stream().anyMatch(c -> !c.dead() && Math.hypot(c.x() - me.x(), c.y() - me.y()) < 1.4), 600,
                "a wolf coming within reach");
        caughtUp();
        // Tab targets the nearest wolf, 1 uses Cleave
        new Actions(browser).sendKeys(Keys.TAB).perform();
        tickUntil(() -> state().get("target") instanceof Map<?, ?> t && "creature".equals(t.get("kind")), 50, "a wolf targeted");
        int wolfId = ((Number) ((Map<?, ?>) state().get("target")).get("id")).intValue();
        Creature wolf = wolves.stream().filter(c -> c.id() == wolfId).findFirst().orElseThrow();
        int full = wolf.def().health();
        tickUntil(() -> Math.hypot(wolf.x() - me.x(), wolf.y() - me.y()) < 1.4, 200, "the targeted wolf within reach");
        new Actions(browser).sendKeys("1").perform();
        tickUntil(() -> {
            Map<String, Object> w = browserSees(wolfId);
            return w != null && num(w.get("health")) < full;
        }, 100, "the browser seeing its first Cleave land");
        assertThat(wolf.health()).isLessThan(full);
        // mid-fight: the wolf hurt, the damage number floating
        ticks(2);
        caughtUp();
        screenshot("browser-fight.png");
        assertThat(js("return document.getElementById('target-frame').hidden;")).isEqualTo(false);
        assertThat(browser.findElement(By.id("target-frame")).getDomAttribute("data-id")).isEqualTo(String.valueOf(wolfId));

        // hit again each time Cleave is ready (1.5 s: 30 ticks), until it dies
        int[] since = {0};
        tickUntil(() -> {
            if (wolf.dead()) return true;
            if (++since[0] % 31 == 0) js("window.__mmo.attack(arguments[0]);", wolfId);
            return false;
        }, 600, "the wolf dying");
        tickUntil(() -> {
            Map<String, Object> w = browserSees(wolfId);
            return w != null && Boolean.TRUE.equals(w.get("dead"));
        }, 20, "the browser seeing the wolf dead");
        tickUntil(() -> state().get("stats") instanceof Map<?, ?> st && num(st.get("xp")) >= 15, 50, "experience for the kill");

        // its gold lies on the ground: pick it up, the purse shows it
        tickUntil(() -> entities().stream().anyMatch(e -> "loot".equals(e.get("kind")) && e.get("item") == null), 20, "the gold dropped");
        Map<String, Object> pile = entities().stream().filter(e -> "loot".equals(e.get("kind")) && e.get("item") == null)
                .findFirst().orElseThrow();
        long gold = ((Number) pile.get("gold")).longValue();
        assertThat(gold).isBetween(1L, 5L);
        new Actions(browser).sendKeys("i").perform();
        await(() -> browser.findElement(By.id("gold")).isDisplayed(), "the purse");
        assertThat(browser.findElement(By.id("gold")).getText()).isEqualTo("0");
        js("window.__mmo.pickUp(arguments[0]);", ((Number) pile.get("id")).intValue());
        tickUntil(() -> browser.findElement(By.id("gold")).getText().equals(String.valueOf(gold)), 100, "the purse showing the gold");
        assertThat(num(inventory().get("gold"))).isEqualTo(gold);
        // the purse is in view without scrolling, even on this short window (the bag scrolls instead)
        assertThat(js("const r = document.getElementById('gold').getBoundingClientRect();"
                + " return r.height > 0 && r.bottom <= window.innerHeight;")).isEqualTo(true);
        screenshot("browser-loot.png");
        assertThat(server.server.ledger().load(webId).get(TIMEOUT_S, TimeUnit.SECONDS).gold()).isEqualTo(gold);
        assertThat(state().get("errors")).asInstanceOf(InstanceOfAssertFactories.LIST).isEmpty();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> worn() {
        Map<String, Object> inv = inventory();
        return inv == null ? Map.of() : (Map<String, Object>) inv.get("worn");
    }

    List<ItemRow> stored(long characterId) {
        try {
            return server.server.ledger().load(characterId).get(TIMEOUT_S, TimeUnit.SECONDS).items();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

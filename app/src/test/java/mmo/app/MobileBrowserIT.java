package mmo.app;

import mmo.client.MmoClient;
import mmo.protocol.CharacterClass;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.TradeAction;
import mmo.protocol.TradeStatus;
import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.Ledger;
import mmo.server.world.Creature;
import mmo.server.world.Player;
import mmo.server.world.map.TileMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static mmo.app.BrowserPlayIT.num;
import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser client on a phone: headless Chromium in mobile emulation (390 x 844, pixel
 * ratio 3, touch, a phone's user agent) against an in-process server whose tick the test
 * steps. Everything the player does goes through real touch input (CDP
 * Input.dispatchTouchEvent): register, create and enter by taps; walk with the on-screen
 * stick, a second finger opening the bag meanwhile; a long press on a bag item for its
 * tooltip; tap another player and a wolf to target them; chat both ways with a Java client
 * through the chat button and the compact log; then the phone turns to landscape and the controls must still be inside the screen and apart.
 * Screenshots under target/screenshots/mobile-*.png.
 */
class MobileBrowserIT {
    static final int WIDTH = 390, HEIGHT = 844;
    static final String PHONE_AGENT = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/130.0.0.0 Mobile Safari/537.36";
    /** The controls that are always on the world screen, which must neither leave the screen nor overlap. */
    static final List<String> CONTROLS = List.of("stick", "action-bar", "chat", "player-frame", "target-frame", "world-buttons");

    /** One wolf south of Ironhold, the warriors' town (188..212), beyond noticing anyone in the town. */
    static final String SPAWNS = """
            spawns {
              world = [
                { creature = wolf, x = 200, y = 222, radius = 1, count = 1 }
              ]
            }
            """;

    @TempDir
    Path dir;
    TestServer server;
    ChromeDriver browser;
    MmoClient java;

    @BeforeEach
    void start() throws Exception {
        Path content = TestServer.shippedContent(dir, SPAWNS);
        server = TestServer.start("jdbc:sqlite:" + dir.resolve("mmo.db"), Map.of("mmo.world.content", content.toString()));
        ChromeOptions options = BrowserPlayIT.chromiumOptions(dir);
        options.setExperimentalOption("mobileEmulation", Map.of(
                "deviceMetrics", Map.of("width", WIDTH, "height", HEIGHT, "pixelRatio", 3.0, "touch", true, "mobile", true),
                "userAgent", PHONE_AGENT));
        browser = BrowserPlayIT.headlessChromium(options);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) screenshot("mobile-last.png"); // what the phone showed at the end (or at a failure)
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

    void ticks(int n) throws Exception {
        int[] left = {n};
        tickUntil(() -> --left[0] <= 0, n, "ticks");
    }

    void screenshot(String name) throws Exception {
        Path out = Path.of(System.getProperty("mmo.screenshots", "target/screenshots"));
        Files.createDirectories(out);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    static Map<String, Object> finger(int id, double x, double y) {
        return Map.of("id", id, "x", x, "y", y, "radiusX", 4, "radiusY", 4, "force", 1);
    }

    /** One touch event for {@code fingers} (by id: pressed, moved or lifted; touchEnd with none lifts all). */
    void touch(String type, List<Map<String, Object>> fingers) {
        browser.executeCdpCommand("Input.dispatchTouchEvent", Map.of("type", type, "touchPoints", fingers));
    }

    /** The middle of an element, CSS pixels. */
    double[] centre(String id) {
        @SuppressWarnings("unchecked")
        List<Number> c = (List<Number>) js("const r = document.getElementById(arguments[0]).getBoundingClientRect();"
                + "return [r.left + r.width / 2, r.top + r.height / 2];", id);
        return new double[] {c.get(0).doubleValue(), c.get(1).doubleValue()};
    }

    /** A finger's tap at (x, y). */
    void tapAt(double x, double y) {
        touch("touchStart", List.of(finger(1, x, y)));
        touch("touchEnd", List.of());
    }

    void tap(String id) {
        assertThat(browser.findElement(By.id(id)).isDisplayed()).as("#" + id + " shown").isTrue();
        double[] c = centre(id);
        tapAt(c[0], c[1]);
    }

    void tapEntry(String name) {
        WebElement e = browser.findElement(By.cssSelector("#char-list .char-entry[data-name='" + name + "']"));
        String id = "entry-" + name;
        js("arguments[0].id = arguments[1];", e, id);
        tap(id);
    }

    void type(String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    /** The page's rectangle of each shown element of {@code ids}: [left, top, right, bottom]. */
    @SuppressWarnings("unchecked")
    Map<String, List<Number>> rects(List<String> ids) {
        return (Map<String, List<Number>>) js("const out = {};"
                + "for (const id of arguments[0]) { const e = document.getElementById(id);"
                + "  if (!e || e.hidden || e.offsetParent === null && getComputedStyle(e).position !== 'fixed') continue;"
                + "  const r = e.getBoundingClientRect(); if (r.width === 0 || r.height === 0) continue;"
                + "  out[id] = [r.left, r.top, r.right, r.bottom]; }"
                + "return out;", ids);
    }

    /** Every control shown is inside the viewport and overlaps none of the others. */
    void controlsFitAndApart(String orientation) {
        @SuppressWarnings("unchecked")
        List<Number> vp = (List<Number>) js("return [window.innerWidth, window.innerHeight];");
        double w = vp.get(0).doubleValue(), h = vp.get(1).doubleValue();
        Map<String, List<Number>> r = rects(CONTROLS);
        assertThat(r.keySet()).as(orientation + ": the controls shown").containsAll(List.of("stick", "action-bar", "chat", "player-frame"));
        List<String> shown = new ArrayList<>(r.keySet());
        for (String id : shown) {
            List<Number> a = r.get(id);
            assertThat(a.get(0).doubleValue()).as(orientation + " #" + id + " left").isGreaterThanOrEqualTo(0);
            assertThat(a.get(1).doubleValue()).as(orientation + " #" + id + " top").isGreaterThanOrEqualTo(0);
            assertThat(a.get(2).doubleValue()).as(orientation + " #" + id + " right").isLessThanOrEqualTo(w);
            assertThat(a.get(3).doubleValue()).as(orientation + " #" + id + " bottom").isLessThanOrEqualTo(h);
        }
        for (int i = 0; i < shown.size(); i++) {
            for (int j = i + 1; j < shown.size(); j++) {
                List<Number> a = r.get(shown.get(i)), b = r.get(shown.get(j));
                boolean apart = a.get(2).doubleValue() <= b.get(0).doubleValue() || b.get(2).doubleValue() <= a.get(0).doubleValue()
                        || a.get(3).doubleValue() <= b.get(1).doubleValue() || b.get(3).doubleValue() <= a.get(1).doubleValue();
                assertThat(apart).as(orientation + ": #" + shown.get(i) + " " + a + " and #" + shown.get(j) + " " + b + " overlap").isTrue();
            }
        }
        // thumb-sized buttons
        for (String id : List.of("ability-btn", "pickup-btn", "inventory-btn", "chat-btn")) {
            List<Number> a = rects(List.of(id)).get(id);
            assertThat(a).as(orientation + " #" + id + " shown").isNotNull();
            assertThat(a.get(2).doubleValue() - a.get(0).doubleValue()).as(orientation + " #" + id + " width").isGreaterThanOrEqualTo(44);
            assertThat(a.get(3).doubleValue() - a.get(1).doubleValue()).as(orientation + " #" + id + " height").isGreaterThanOrEqualTo(44);
        }
    }

    /** Holds the stick pushed by (ox, oy) px from its centre with finger 0. */
    double[] pressStick(double ox, double oy) {
        double[] c = centre("stick");
        touch("touchStart", List.of(finger(0, c[0], c[1])));
        touch("touchMove", List.of(finger(0, c[0] + ox / 2, c[1] + oy / 2)));
        touch("touchMove", List.of(finger(0, c[0] + ox, c[1] + oy)));
        return new double[] {c[0] + ox, c[1] + oy};
    }

    /** The target frame shows {@code name}. */
    boolean targetShows(String name) {
        WebElement frame = browser.findElement(By.id("target-frame"));
        return frame.isDisplayed() && name.equals(browser.findElement(By.id("target-name")).getText());
    }

    /** Taps entity {@code id} where it is drawn; false if it is not drawn in the free middle of the screen. */
    boolean tapEntity(long id) {
        @SuppressWarnings("unchecked")
        Map<String, Number> at = (Map<String, Number>) js("return window.__mmo.screenOf(arguments[0]);", id);
        if (at == null) return false;
        double x = at.get("x").doubleValue(), y = at.get("y").doubleValue();
        // not under a control: those take the tap
        for (List<Number> r : rects(CONTROLS).values()) {
            if (x >= r.get(0).doubleValue() - 8 && x <= r.get(2).doubleValue() + 8 && y >= r.get(1).doubleValue() - 8
                    && y <= r.get(3).doubleValue() + 8) return false;
        }
        @SuppressWarnings("unchecked")
        List<Number> vp = (List<Number>) js("return [window.innerWidth, window.innerHeight];");
        if (x < 10 || y < 10 || x > vp.get(0).doubleValue() - 10 || y > vp.get(1).doubleValue() - 10) return false;
        tapAt(x, y);
        return true;
    }

    /** Whether a player's box goes from (x, y) along the unit (dx, dy) for {@code dist} units without a blocked tile. */
    boolean clear(float x, float y, float dx, float dy, float dist) {
        TileMap map = server.server.world().map();
        for (float d = 0; d <= dist; d += 0.25f) {
            float px = x + dx * d, py = y + dy * d;
            for (float ox = -0.3f; ox <= 0.3f; ox += 0.6f) {
                for (float oy = -0.3f; oy <= 0.3f; oy += 0.6f) {
                    if (map.isBlocked((int) Math.floor(px + ox), (int) Math.floor(py + oy))) return false;
                }
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> entities() {
        return (List<Map<String, Object>>) js("return window.__mmo.entities();");
    }

    // ------------------------------------------------------------------ the test

    @Test
    void aPhonePlaysByTouchInPortraitAndLandscape() throws Exception {
        browser.get("http://127.0.0.1:" + server.server.port() + "/");
        await(() -> "login".equals(phase()), "the login screen");
        assertThat(js("return document.documentElement.dataset.touch")).as("the touch UI on").isEqualTo("true");
        assertThat(js("return document.querySelector('meta[name=viewport]').content").toString())
                .contains("width=device-width").contains("initial-scale=1");
        assertThat(js("return getComputedStyle(document.documentElement).touchAction")).as("no double-tap zoom")
                .isEqualTo("manipulation");
        assertThat(((Number) js("return window.innerWidth")).intValue()).isEqualTo(WIDTH);
        // the login form fits the phone's width, the buttons thumb-sized
        Map<String, List<Number>> login = rects(List.of("auth-form", "login-btn", "register-btn"));
        assertThat(login.get("auth-form").get(2).doubleValue()).isLessThanOrEqualTo(WIDTH);
        assertThat(login.get("register-btn").get(3).doubleValue() - login.get("register-btn").get(1).doubleValue()).isGreaterThanOrEqualTo(44);
        screenshot("mobile-login.png");

        // register, create and enter, by taps
        type("username", "phoney");
        type("password", "password-phoney");
        tap("register-btn");
        await(() -> "characters".equals(phase()), "the character screen after registering");
        tap("new-char-btn");
        await(() -> browser.findElement(By.id("create-screen")).isDisplayed(), "the creation screen");
        type("char-name", "Phoney");
        new Select(browser.findElement(By.id("char-class"))).selectByValue("warrior");
        Map<String, List<Number>> create = rects(List.of("create-form"));
        assertThat(create.get("create-form").get(2).doubleValue()).as("the creation form fits the width").isLessThanOrEqualTo(WIDTH);
        screenshot("mobile-create.png");
        js("document.getElementById('create-btn').scrollIntoView({block: 'center'});");
        tap("create-btn");
        await(() -> !browser.findElements(By.cssSelector("#char-list .char-entry[data-name='Phoney']")).isEmpty(),
                "the new character in the list");
        screenshot("mobile-characters.png");
        // a cap in the bag, for its tooltip
        long phoney = Long.parseLong(browser.findElement(By.cssSelector("#char-list .char-entry[data-name='Phoney']"))
                .getDomAttribute("data-id"));
        server.server.ledger().create(phoney, 0, List.of(new Ledger.NewItem("leather-cap", ItemPlace.BAG, 0)), 0)
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        tapEntry("Phoney");
        tickUntil(() -> "world".equals(phase()) && "Phoney".equals(state().get("character")), 400, "entering the world");
        Player me = server.server.world().playerByName("Phoney");
        assertThat(me).isNotNull();
        tickUntil(() -> !String.valueOf(state().get("renderer")).isEmpty(), 200, "the renderer");

        // a Java-client warrior starts in the same town
        java = server.connect();
        server.play(java, "javan", "Javan", CharacterClass.WARRIOR);
        Player javan = server.server.world().playerByName("Javan");
        tickUntil(() -> entities().stream().anyMatch(e -> "Javan".equals(e.get("name"))), 200, "the phone seeing Javan");
        // Javan walks over, into the free middle of the phone's screen
        tickUntil(() -> {
            float dx = me.x() - javan.x(), dy = me.y() - javan.y();
            float d = (float) Math.hypot(dx, dy);
            boolean there = d < 2.5f;
            java.sendInput(there ? 0 : dx / d, there ? 0 : dy / d);
            return there;
        }, 400, "Javan walking over");
        ticks(5);
        controlsFitAndApart("portrait");

        // tap on the other player: the target frame shows it
        tickUntil(() -> tapEntity(javan.id()) && targetShows("Javan"), 100, "Javan targeted by a tap");

        // the stick pushed right (or left, if a wall is near on the right): the player walks that way on the server, only that way
        float x0 = me.x(), y0 = me.y();
        int side = clear(x0, y0, 1, 0, 5) ? 1 : -1;
        assertThat(clear(x0, y0, side, 0, 5)).as("room to walk at " + x0 + ", " + y0).isTrue();
        pressStick(60 * side, 0);
        // the page sends one input per client tick, 20 a second on its own clock: once its prediction
        // has gone that far, the server holds the inputs that take the player there (however slowly
        // a busy machine ran the page), and the ticks below apply them
        await(() -> (num(state().get("x")) - x0) * side > 1.5f, "the page predicting the walk");
        tickUntil(() -> (me.x() - x0) * side > 1.5f, 200, "the server moving the player " + (side > 0 ? "right" : "left"));
        assertThat(me.y()).as("no drift up or down").isEqualTo(y0);
        await(() -> browser.findElement(By.id("stick")).getDomAttribute("class").contains("held"), "the stick drawn held");

        // a second finger taps the bag while the first holds the stick: the bag opens, the walk goes on
        double[] bag = centre("inventory-btn");
        touch("touchStart", List.of(finger(1, bag[0], bag[1])));
        touch("touchEnd", List.of(finger(1, bag[0], bag[1])));
        await(() -> browser.findElement(By.id("inventory")).isDisplayed(), "the bag opened by the second finger");
        float x1 = me.x();
        await(() -> (num(state().get("x")) - x1) * side > 0.5f, "the page predicting the walk on");
        tickUntil(() -> (me.x() - x1) * side > 0.5f, 100, "the walk going on while the bag opened");
        Map<String, List<Number>> sheet = rects(List.of("inventory", "inventory-close"));
        assertThat(sheet.get("inventory").get(3).doubleValue()).as("the bag inside the screen").isLessThanOrEqualTo(HEIGHT);
        assertThat(sheet.get("inventory").get(2).doubleValue()).isLessThanOrEqualTo(WIDTH);
        assertThat(sheet.get("inventory-close").get(1).doubleValue()).as("its close button on screen").isGreaterThanOrEqualTo(0);
        screenshot("mobile-inventory-portrait.png");

        // release: the player stops
        touch("touchEnd", List.of());
        tickUntil(() -> Math.abs(num(state().get("x")) - num(state().get("serverX"))) < 0.05f, 100, "the prediction settling");
        float stopped = me.x();
        ticks(10);
        assertThat(me.x()).as("stopped after the release").isEqualTo(stopped);

        // a phone cannot hover: a finger resting on a bag item shows its tooltip, on the screen,
        // and lifting it wears nothing; a tap elsewhere hides it
        assertThat(browser.findElement(By.id("inv-bag-0")).getDomAttribute("data-kind")).isEqualTo("leather-cap");
        double[] cap = centre("inv-bag-0");
        touch("touchStart", List.of(finger(1, cap[0], cap[1])));
        WebElement tip = browser.findElement(By.id("item-tooltip"));
        await(tip::isDisplayed, "the cap's tooltip under the resting finger");
        touch("touchEnd", List.of());
        assertThat(tip.getText()).contains("Leather cap", "1 armor", "Tap to wear");
        List<Number> box = rects(List.of("item-tooltip")).get("item-tooltip");
        assertThat(box.get(0).doubleValue()).as("the tooltip's left on the screen").isGreaterThanOrEqualTo(0);
        assertThat(box.get(1).doubleValue()).as("its top").isGreaterThanOrEqualTo(0);
        assertThat(box.get(2).doubleValue()).as("its right").isLessThanOrEqualTo(WIDTH);
        assertThat(box.get(3).doubleValue()).as("its bottom").isLessThanOrEqualTo(HEIGHT);
        screenshot("mobile-tooltip.png");
        ticks(5);
        assertThat(me.inventory().bag(0)).as("the cap still in the bag after the long press").isNotNull();
        assertThat(tip.isDisplayed()).as("the tooltip still there to read after the lift").isTrue();
        tap("inv-free");
        await(() -> !tip.isDisplayed(), "the tooltip hidden by a tap elsewhere");

        tap("inventory-close");
        await(() -> !browser.findElement(By.id("inventory")).isDisplayed(), "the bag closed");

        // Javan invites the phone to trade: the invitation and the trade window fit, by taps
        java.trade(TradeAction.newBuilder().setInvite(me.id()).build());
        tickUntil(() -> browser.findElement(By.id("trade-invite")).isDisplayed(), 100, "the trade invitation");
        tap("trade-accept");
        tickUntil(() -> browser.findElement(By.id("trade")).isDisplayed(), 100, "the trade window");
        Map<String, List<Number>> trade = rects(List.of("trade", "trade-cancel", "trade-confirm"));
        for (String id : trade.keySet()) {
            assertThat(trade.get(id).get(2).doubleValue()).as("#" + id + " right").isLessThanOrEqualTo(WIDTH);
            assertThat(trade.get(id).get(3).doubleValue()).as("#" + id + " bottom").isLessThanOrEqualTo(HEIGHT);
        }
        screenshot("mobile-trade.png");
        tap("trade-cancel");
        tickUntil(() -> java.tradeState().getStatus() != TradeStatus.OPEN, 100, "the trade cancelled");
        tickUntil(() -> "cancelled".equals(browser.findElement(By.id("trade-status")).getDomAttribute("data-status"))
                || !browser.findElement(By.id("trade")).isDisplayed(), 100, "the phone seeing it cancelled");
        if (browser.findElement(By.id("trade")).isDisplayed()) tap("trade-cancel"); // closes the finished trade
        await(() -> !browser.findElement(By.id("trade")).isDisplayed() && !browser.findElement(By.id("inventory")).isDisplayed(),
                "the trade window and the bag it opened closed");

        // chat: the button opens the entry at the top; a line goes to the Java client
        CompletableFuture<ChatMessage> heard = java.nextChat(m -> m.getChannel() == ChatChannel.SAY
                && m.getText().equals("hello from the phone"));
        tap("chat-btn");
        await(() -> browser.findElement(By.id("chat-input")).isDisplayed(), "the chat entry");
        assertThat(js("return document.activeElement && document.activeElement.id")).isEqualTo("chat-input");
        assertThat(rects(List.of("chat-entry")).get("chat-entry").get(1).doubleValue()).as("the entry at the top").isLessThan(60);
        browser.findElement(By.id("chat-input")).sendKeys("hello from the phone");
        screenshot("mobile-chat-open.png");
        tap("chat-send");
        tickUntil(heard::isDone, 200, "the Java client hearing the phone");
        assertThat(heard.get().getFrom()).isEqualTo("Phoney");
        await(() -> !browser.findElement(By.id("chat-input")).isDisplayed(), "the entry closed after sending");

        // a world line from the Java client shows in the compact log
        server.tickUntilDone(java.worldChat("hello from Java"));
        server.tickUntilDone(java.whisper("Phoney", "psst, phone"));
        tickUntil(() -> browser.findElements(By.cssSelector("#chat-log .chat-line")).stream()
                .anyMatch(e -> e.isDisplayed() && e.getText().contains("hello from Java")), 100, "the Java line in the log");
        tickUntil(() -> browser.findElements(By.cssSelector("#chat-log .chat-line[data-channel='whisper']")).stream()
                .anyMatch(e -> e.getText().contains("psst, phone")), 100, "the Java whisper in the log");
        List<Number> log = rects(List.of("chat-log")).get("chat-log");
        assertThat(log.get(3).doubleValue() - log.get(1).doubleValue()).as("a compact log").isLessThan(90);
        // the newest line is in view (scrolled to the bottom)
        assertThat((Boolean) js("const l = document.getElementById('chat-log');"
                + "const r = l.lastElementChild.getBoundingClientRect(), b = l.getBoundingClientRect();"
                + "return r.bottom <= b.bottom + 1 && r.top >= b.top - 1;")).isTrue();
        // a whisper from the phone still works: to someone offline, a clear notice
        tap("chat-btn");
        browser.findElement(By.id("chat-input")).sendKeys("/w Nobody are you there");
        tap("chat-send");
        tickUntil(() -> browser.findElements(By.cssSelector("#chat-log .chat-line")).stream()
                .anyMatch(e -> e.getText().toLowerCase().contains("not online")), 100, "the not-online notice");
        // tapping the log makes it taller, and again shorter
        tap("chat-log");
        await(() -> rects(List.of("chat-log")).get("chat-log").get(3).doubleValue()
                - rects(List.of("chat-log")).get("chat-log").get(1).doubleValue() > 150, "the log expanded");
        tap("chat-log");
        await(() -> rects(List.of("chat-log")).get("chat-log").get(3).doubleValue()
                - rects(List.of("chat-log")).get("chat-log").get(1).doubleValue() < 90, "the log compact again");

        // the stick steered south of the town towards the wolves, then to just north of the nearest
        // live creature in view (they wander), until one is in the middle of the screen; a tap on it targets it
        double[] c = centre("stick");
        touch("touchStart", List.of(finger(0, c[0], c[1])));
        boolean[] holding = {true};
        long[] wolf = {0};
        tickUntil(() -> {
            float tx = 200, ty = 214.5f;
            double nearest = Double.MAX_VALUE;
            for (Map<String, Object> e : entities()) {
                if (!"creature".equals(e.get("kind")) || Boolean.TRUE.equals(e.get("dead"))) continue;
                float ex = num(e.get("x")), ey = num(e.get("y"));
                double de = Math.hypot(ex - me.x(), ey - me.y());
                if (de < nearest) {
                    nearest = de;
                    tx = ex;
                    ty = ey - 2;
                }
            }
            float dx = tx - me.x(), dy = ty - me.y();
            double d = Math.hypot(dx, dy);
            if (d < 0.75) {
                if (holding[0]) touch("touchEnd", List.of());
                holding[0] = false;
            } else {
                if (!holding[0]) touch("touchStart", List.of(finger(0, c[0], c[1])));
                holding[0] = true;
                touch("touchMove", List.of(finger(0, c[0] + 60 * dx / d, c[1] + 60 * dy / d)));
            }
            for (Map<String, Object> e : entities()) {
                if ("creature".equals(e.get("kind")) && !Boolean.TRUE.equals(e.get("dead"))) {
                    long id = ((Number) e.get("id")).longValue();
                    @SuppressWarnings("unchecked")
                    Map<String, Number> at = (Map<String, Number>) js("return window.__mmo.screenOf(arguments[0]);", id);
                    if (at != null && at.get("y").doubleValue() < HEIGHT - 260 && at.get("y").doubleValue() > 200) {
                        wolf[0] = id;
                        return true;
                    }
                }
            }
            return false;
        }, 800, "a wolf in the middle of the screen");
        if (holding[0]) touch("touchEnd", List.of());
        String wolfName = entities().stream().filter(e -> ((Number) e.get("id")).longValue() == wolf[0])
                .map(e -> String.valueOf(e.get("name"))).findFirst().orElseThrow();
        tickUntil(() -> tapEntity(wolf[0]) && targetShows(wolfName), 100, "the wolf targeted by a tap");
        assertThat(browser.findElement(By.id("target-frame")).getDomAttribute("data-kind")).isEqualTo("creature");
        // the wolf comes to bite; the ability button strikes it, and shows its cooldown as on the desktop
        Creature beast = server.server.world().creatures().stream().filter(k -> k.id() == wolf[0]).findFirst().orElseThrow();
        tickUntil(() -> Math.hypot(beast.x() - me.x(), beast.y() - me.y()) < 1.5, 400, "the wolf at the player");
        tap("ability-btn");
        tickUntil(() -> browser.findElement(By.id("ability-btn")).getDomAttribute("class").contains("cooling")
                && beast.health() < 40, 100, "the wolf struck and the ability cooling down");
        // the cooldown's number, not drawn over the ability's name (both sit in the middle of the round button)
        @SuppressWarnings("unchecked")
        List<String> cd = (List<String>) js("return [document.getElementById('ability-cd').textContent,"
                + " getComputedStyle(document.getElementById('ability-name')).visibility];");
        if (!cd.get(0).isEmpty()) assertThat(cd.get(1)).as("the ability's name while %s counts down", cd.get(0)).isEqualTo("hidden");
        ticks(3);
        controlsFitAndApart("portrait, a target");
        screenshot("mobile-portrait.png");

        // turn the phone: landscape
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
                "width", HEIGHT, "height", WIDTH, "deviceScaleFactor", 3, "mobile", true,
                "screenOrientation", Map.of("type", "landscapePrimary", "angle", 90)));
        await(() -> ((Number) js("return window.innerWidth")).intValue() == HEIGHT, "the landscape viewport");
        ticks(5);
        controlsFitAndApart("landscape");
        screenshot("mobile-landscape.png");
        tap("inventory-btn");
        await(() -> browser.findElement(By.id("inventory")).isDisplayed(), "the bag in landscape");
        sheet = rects(List.of("inventory", "inventory-close", "inv-bag"));
        assertThat(sheet.get("inventory").get(3).doubleValue()).isLessThanOrEqualTo(WIDTH);
        assertThat(sheet.get("inventory-close").get(2).doubleValue()).isLessThanOrEqualTo(HEIGHT);
        screenshot("mobile-inventory-landscape.png");
        tap("inventory-close");
        await(() -> !browser.findElement(By.id("inventory")).isDisplayed(), "the bag closed in landscape");

        // the stick still walks: left
        float lx = me.x();
        pressStick(-60, 0);
        await(() -> num(state().get("x")) < lx - 1f, "the page predicting the walk left");
        tickUntil(() -> me.x() < lx - 1f, 200, "the server moving the player left in landscape");
        touch("touchEnd", List.of());

        // the character list and the login screen fit the landscape phone too (scrolling, if at all, inside the screen)
        tap("leave-btn");
        tickUntil(() -> "characters".equals(phase()), 200, "back to the character list");
        fitsWidthAndReaches("chars-panel", "chars-logout-btn", HEIGHT, WIDTH);
        screenshot("mobile-characters-landscape.png");
        tap("chars-logout-btn");
        await(() -> "login".equals(phase()), "the login screen after logging out");
        fitsWidthAndReaches("auth-form", "register-btn", HEIGHT, WIDTH);
        screenshot("mobile-login-landscape.png");
    }

    /** {@code panel} (a class or id) is no wider than the screen, and {@code button} scrolls fully into view. */
    void fitsWidthAndReaches(String panel, String button, int w, int h) {
        @SuppressWarnings("unchecked")
        List<Number> p = (List<Number>) js("const e = document.getElementById(arguments[0]) || document.querySelector('.' + arguments[0]);"
                + "const r = e.getBoundingClientRect(); return [r.left, r.right];", panel);
        assertThat(p.get(0).doubleValue()).as(panel + " left").isGreaterThanOrEqualTo(0);
        assertThat(p.get(1).doubleValue()).as(panel + " right").isLessThanOrEqualTo(w);
        js("document.getElementById(arguments[0]).scrollIntoView({block: 'nearest'});", button);
        List<Number> b = rects(List.of(button)).get(button);
        assertThat(b).as("#" + button + " shown").isNotNull();
        assertThat(b.get(1).doubleValue()).as("#" + button + " top").isGreaterThanOrEqualTo(0);
        assertThat(b.get(3).doubleValue()).as("#" + button + " bottom").isLessThanOrEqualTo(h);
    }
}

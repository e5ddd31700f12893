package mmo.app;

import mmo.client.MmoClient;
import mmo.client.WorldView;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.CharacterClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser client in a real headless Chromium (Debian's chromium + chromium-driver),
 * against an in-process server whose tick the test steps by hand: a player registers,
 * creates a character, enters the world, meets a character driven by the Java client
 * library, walks, and chats both ways. Leaves a screenshot under target/screenshots.
 */
class BrowserPlayIT {
    @TempDir
    Path dir;
    TestServer server;
    WebDriver browser;
    MmoClient java;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir.resolve("mmo.db"));
        browser = headlessChromium(dir);
    }

    /** Debian's headless Chromium through chromedriver, its profile under {@code dir}, with {@code extraArguments}. */
    static WebDriver headlessChromium(Path dir, String... extraArguments) throws java.io.IOException {
        return headlessChromium(chromiumOptions(dir, extraArguments));
    }

    /** The options {@link #headlessChromium(Path, String...)} starts Chromium with, for a test to add to. */
    static ChromeOptions chromiumOptions(Path dir, String... extraArguments) throws java.io.IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("mmo.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")));
        options.addArguments(extraArguments);
        return options;
    }

    /** Chromium with {@code options} through Debian's chromedriver. */
    static ChromeDriver headlessChromium(ChromeOptions options) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("mmo.chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (java != null) java.close();
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    Map<String, Object> state() {
        return mmoState(browser);
    }

    String phase() {
        return String.valueOf(state().get("state"));
    }

    /** Waits for a browser-side condition that needs no tick (HTTP, login, account work). */
    void await(BooleanSupplier condition, String what) {
        await(browser, condition, what);
    }

    /** Steps the server one tick at a time until the condition holds. */
    void tickUntil(BooleanSupplier condition, int maxTicks, String what) throws Exception {
        tickUntil(server, java == null ? List.of() : List.of(java), condition, maxTicks,
                () -> what + ": not within " + maxTicks + " ticks; browser state " + state());
    }

    // ---------------------------------------------- shared by the browser tests (Game, Mobile, AdminDashboard)

    static float num(Object o) {
        return ((Number) o).floatValue();
    }

    /** The game page's test hook {@code window.__mmo} as plain data; empty before the page set it. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> mmoState(WebDriver browser) {
        Object o = ((JavascriptExecutor) browser).executeScript(
                "return window.__mmo ? JSON.parse(JSON.stringify(window.__mmo)) : null;");
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    /** Waits (no ticks) for a browser-side condition; an element re-rendered between its find and its read is "not yet". */
    static void await(WebDriver browser, BooleanSupplier condition, String what) {
        new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S)).pollingEvery(Duration.ofMillis(20)).withMessage(what)
                .ignoring(StaleElementReferenceException.class)
                .until(d -> condition.getAsBoolean());
    }

    /**
     * Steps the server one tick at a time, each open client of {@code players} receiving it, until
     * the condition holds (an element re-rendered between its find and its read is "not yet").
     */
    static void tickUntil(TestServer server, List<MmoClient> players, BooleanSupplier condition, int maxTicks,
                          Supplier<String> failure) throws Exception {
        for (int i = 0; i < maxTicks; i++) {
            server.server.tick();
            for (MmoClient p : players) {
                if (p.isOpen()) p.awaitTick(server.server.world().currentTick()).get(TIMEOUT_S, TimeUnit.SECONDS);
            }
            try {
                if (condition.getAsBoolean()) return;
            } catch (StaleElementReferenceException rerendered) {
                // not yet
            }
        }
        throw new AssertionError(failure.get());
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
    Map<String, Object> browserSees(String name) {
        List<Map<String, Object>> entities = (List<Map<String, Object>>) state().getOrDefault("entities", List.of());
        return entities.stream().filter(e -> name.equals(e.get("name"))).findFirst().orElse(null);
    }

    mmo.client.RemoteEntity javaSees(String name) {
        return java.snapshot().entities().values().stream().filter(e -> name.equals(e.name())).findFirst().orElse(null);
    }

    @Test
    void registerCreateWalkAndChatWithAJavaClient() throws Exception {
        browser.get("http://127.0.0.1:" + server.server.port() + "/");
        await(() -> "login".equals(phase()), "the login screen");

        // a bad name gets a clear message, nothing is created
        type("username", "x!");
        type("password", "password-webby");
        browser.findElement(By.id("register-btn")).click();
        await(() -> !browser.findElement(By.id("auth-error")).getText().isBlank(), "an error for a bad username");

        type("username", "webby");
        browser.findElement(By.id("register-btn")).click();
        await(() -> "characters".equals(phase()), "the character screen after registering");

        browser.findElement(By.id("new-char-btn")).click();
        type("char-name", "Webby");
        new Select(browser.findElement(By.id("char-class"))).selectByValue("mage");
        ((JavascriptExecutor) browser).executeScript(
                "const set = (id, v) => { const e = document.getElementById(id); e.value = v;"
                        + " e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); };"
                        + "set('top-color', '#2255cc'); set('hair-color', '#ddbb44');");
        browser.findElement(By.id("start-home")).click();
        browser.findElement(By.id("create-btn")).click();
        await(() -> !browser.findElements(By.cssSelector("#char-list .char-entry[data-name='Webby']")).isEmpty(),
                "the new character in the list");
        browser.findElement(By.cssSelector("#char-list .char-entry[data-name='Webby']")).click();
        tickUntil(() -> "world".equals(phase()), 400, "entering the world");

        // a Java client character of the same class starts in the same town and walks over
        java = server.connect();
        server.play(java, "javan", "Javan", CharacterClass.MAGE);
        tickUntil(() -> {
            WorldView.Snapshot me = java.snapshot();
            mmo.client.RemoteEntity web = javaSees("Webby");
            if (web != null && browserSees("Javan") != null) {
                java.sendInput(0, 0);
                return true;
            }
            Map<String, Object> s = state();
            java.sendInput(num(s.get("x")) - me.x(), num(s.get("y")) - me.y());
            return false;
        }, 3000, "the two characters seeing each other");
        tickUntil(() -> {
            Map<String, Object> j = browserSees("Javan");
            return j != null && Math.abs(num(j.get("x")) - java.snapshot().x()) < 0.5f;
        }, 100, "the browser showing the Java character where it stands");
        assertThat(javaSees("Webby").appearance().getOutfit().getTopColor()).isEqualTo(0x2255cc);

        // the browser player walks right: immediate locally, seen by the Java client
        float webX = javaSees("Webby").x();
        browser.findElement(By.id("game")).click();
        new Actions(browser).keyDown("d").perform();
        // the page predicts and sends one input per client tick (20 a second, on its clock): once
        // its prediction is 1.5 units on, the server holds the inputs that take it there
        await(() -> num(state().get("x")) > webX + 1.5f, "the browser predicting the walk right");
        tickUntil(() -> javaSees("Webby") != null && javaSees("Webby").x() > webX + 1.5f, 200,
                "the Java client seeing the browser player walk right");
        new Actions(browser).keyUp("d").perform();
        tickUntil(() -> {
            Map<String, Object> s = state();
            return Math.abs(num(s.get("x")) - num(s.get("serverX"))) < 0.1f;
        }, 100, "the browser's prediction settling on the server position");

        // chat both ways
        CompletableFuture<ChatMessage> heard = java.nextChat(m -> m.getChannel() == ChatChannel.SAY
                && m.getText().equals("hello from the browser"));
        WebElement input = browser.findElement(By.id("chat-input"));
        input.click();
        input.sendKeys("hello from the browser", Keys.ENTER);
        tickUntil(heard::isDone, 200, "the Java client hearing the browser");
        assertThat(heard.get().getFrom()).isEqualTo("Webby");

        server.tickUntilDone(java.say("hello from Java"));
        tickUntil(() -> browser.findElements(By.cssSelector("#chat-log .chat-line")).stream()
                .anyMatch(e -> e.getText().contains("hello from Java")), 100, "the browser showing the Java client's line");

        // whisper to someone offline: a clear message in the chat log
        input.sendKeys("/w Nobody are you there", Keys.ENTER);
        tickUntil(() -> browser.findElements(By.cssSelector("#chat-log .chat-line")).stream()
                .anyMatch(e -> e.getText().toLowerCase().contains("not online")), 100, "the not-online notice");

        for (int i = 0; i < 5; i++) server.server.tick();
        screenshot("browser-world.png");
        Map<String, Object> s = state();
        assertThat(num(s.get("fps"))).isPositive();
    }
}

package mmo.app;

import mmo.client.CloseInfo;
import mmo.client.MmoClient;
import mmo.client.ServerError;
import mmo.protocol.CharacterClass;
import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ErrorCode;
import mmo.server.moderation.ModerationService;
import mmo.server.persistence.MutableClock;
import mmo.server.world.Player;
import mmo.server.world.World;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The admin dashboard (admin.html) in a real headless Chromium against an in-process server
 * whose tick the test steps, with three players on the Java client: the admin (made with
 * {@code mmo admin grant}) logs in and sees a dot per player where the server has it, the
 * players-online and per-region tick charts, the players' chat; mutes, kicks, broadcasts and
 * teleports from the page, and each shows on the Java side. A player without the role is
 * refused. Screenshot: target/admin-dashboard.png.
 */
class AdminDashboardIT {
    @TempDir
    Path dir;
    String dbUrl;
    TestServer server;
    WebDriver browser;
    final List<MmoClient> players = new ArrayList<>();
    /** The server's clock, which the feed's role re-checks go by: moved by the test, never waited for. */
    final MutableClock clock = new MutableClock(java.time.Instant.now());

    @BeforeEach
    void start() throws Exception {
        dbUrl = "jdbc:sqlite:" + dir.resolve("mmo.db");
        server = TestServer.start(dbUrl, Map.of(), clock);
        browser = BrowserPlayIT.headlessChromium(dir, "--window-size=1400,1250");
    }

    @AfterEach
    void stop() {
        players.forEach(MmoClient::close);
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    // ------------------------------------------------------------------ helpers

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    Object admin(String field) {
        return js("return window.__admin ? JSON.parse(JSON.stringify(window.__admin." + field + " ?? null)) : null;");
    }

    int adminInt(String field) {
        Object o = admin(field);
        return o == null ? 0 : ((Number) o).intValue();
    }

    /** Waits for a browser-side condition that needs no tick (HTTP, account work). */
    void await(BooleanSupplier condition, String what) {
        BrowserPlayIT.await(browser, condition, what);
    }

    /** Steps the server a tick at a time until the page shows the condition (feeds go out every 10 ticks). */
    void tickUntil(BooleanSupplier condition, int maxTicks, String what) throws Exception {
        BrowserPlayIT.tickUntil(server, players, condition, maxTicks, () -> what + ": not within " + maxTicks
                + " ticks; the page's last result: " + admin("result") + ", selected: " + admin("selected")
                + ", teleport field: " + browser.findElement(By.id("teleport-xy")).getDomProperty("value"));
    }

    MmoClient player(String user, String name, CharacterClass cls) throws Exception {
        MmoClient c = server.connect();
        players.add(c);
        server.play(c, user, name, cls);
        return c;
    }

    /** Registers "boss" (no character: an admin need not play), grants it the role with the CLI, and logs the page in. */
    void logInAsAdmin() throws Exception {
        MmoClient boss = server.connect();
        boss.register("boss", "password-boss").get(TIMEOUT_S, TimeUnit.SECONDS);
        boss.close();
        assertThat(new CommandLine(new Main()).execute("admin", "grant", "boss", "--db", dbUrl)).isEqualTo(0);
        openAndLogIn("boss", "password-boss");
    }

    void openAndLogIn(String user, String password) {
        browser.get("http://127.0.0.1:" + server.server.port() + "/admin.html");
        await(() -> !browser.findElements(By.id("username")).isEmpty(), "the login form");
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login-btn")).click();
    }

    WebElement chatButton(String from, String action) {
        return browser.findElement(By.cssSelector("#chat li[data-from='" + from + "'] button[data-action='" + action + "']"));
    }

    void screenshot(String file) throws Exception {
        Path out = Path.of("target", file);
        Files.createDirectories(out.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
    }

    static ServerError refusal(ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(ServerError.class);
        return (ServerError) e.getCause();
    }

    // ------------------------------------------------------------------ tests

    @Test
    @SuppressWarnings("unchecked")
    void anAdminWatchesThePlayersAndModeratesFromThePage() throws Exception {
        // three players, each at its class's home town
        MmoClient ann = player("ann", "Annie", CharacterClass.WARRIOR);
        MmoClient bob = player("bob", "Bobby", CharacterClass.MAGE);
        MmoClient cat = player("cat", "Cathy", CharacterClass.RANGER);
        logInAsAdmin();
        tickUntil(() -> adminInt("dots.length") == 3, 200, "three dots on the map");
        World world = server.server.world();
        List<Map<String, Object>> dots = (List<Map<String, Object>>) admin("dots");
        for (Map<String, Object> dot : dots) {
            Player p = world.playerByName((String) dot.get("name"));
            assertThat(((Number) dot.get("x")).floatValue()).isCloseTo(p.x(), within(1f / 16));
            assertThat(((Number) dot.get("y")).floatValue()).isCloseTo(p.y(), within(1f / 16));
            assertThat(((Number) dot.get("id")).intValue()).isEqualTo(p.id());
        }
        assertThat(dots).extracting(d -> d.get("name")).containsExactlyInAnyOrder("Annie", "Bobby", "Cathy");
        // the homes are in different regions: different colours
        assertThat(dots.stream().map(d -> d.get("color")).distinct().count()).isGreaterThan(1);
        await(() -> adminInt("onlinePoints") >= 2, "points on the players-online chart");
        await(() -> adminInt("tickBars") >= 1, "bars on the tick chart");

        // chat shows up in the moderation panel; mute from it refuses Annie's next line
        ann.worldChat("buy cheap gold at example.com");
        bob.say("hello everyone");
        tickUntil(() -> !browser.findElements(By.cssSelector("#chat li[data-from='Annie']")).isEmpty()
                && !browser.findElements(By.cssSelector("#chat li[data-from='Bobby']")).isEmpty(), 100, "both lines in the panel");
        assertThat(browser.findElement(By.cssSelector("#chat li[data-from='Annie'] .text")).getText())
                .isEqualTo("buy cheap gold at example.com");
        // the player is selected by a real click on its dot
        List<Number> at = (List<Number>) admin("pixelOf('Cathy')");
        WebElement map = browser.findElement(By.id("map"));
        new Actions(browser).moveToElement(map, (int) Math.round(at.get(0).doubleValue() - map.getSize().getWidth() / 2.0),
                (int) Math.round(at.get(1).doubleValue() - map.getSize().getHeight() / 2.0)).click().perform();
        await(() -> "Cathy".equals(admin("selected")), "Cathy selected by clicking her dot");
        screenshot("admin-dashboard.png");

        chatButton("Annie", "mute").click();
        await(() -> String.valueOf(admin("result")).startsWith("Muted Annie"), "the mute's result");
        ExecutionException muted = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> server.tickUntilDone(ann.worldChat("can I still talk")));
        assertThat(refusal(muted).code()).isEqualTo(ErrorCode.CHAT_REJECTED);

        // kick from the panel
        chatButton("Bobby", "kick").click();
        CloseInfo closed = bob.closed().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(closed.disconnect().getReason()).isEqualTo(DisconnectReason.KICKED);

        // broadcast
        CompletableFuture<ChatMessage> heard = cat.nextSystemMessage();
        browser.findElement(By.id("broadcast-text")).sendKeys("Restart in 5 minutes");
        browser.findElement(By.id("broadcast-btn")).click();
        ChatMessage system = server.tickUntilDone(heard);
        assertThat(system.getChannel()).isEqualTo(ChatChannel.SYSTEM);
        assertThat(system.getText()).isEqualTo("Restart in 5 minutes");
        await(() -> "Broadcast sent".equals(admin("result")), "the broadcast's result");

        // teleport the selected player: typed x, y
        Player cathy = world.playerByName("Cathy");
        float[] to = AdminDashboardTest.find(world.map(), true, cathy.x() + 20, cathy.y());
        browser.findElement(By.id("teleport-xy")).sendKeys(to[0] + ", " + to[1]);
        browser.findElement(By.id("teleport-btn")).click();
        tickUntil(() -> Math.abs(cathy.x() - to[0]) < 1e-3 && Math.abs(cathy.y() - to[1]) < 1e-3, 200, "Cathy teleported");
        await(() -> String.valueOf(admin("result")).startsWith("Teleported Cathy to ("), "the teleport's result");
        // and the page shows her there, with Bobby gone
        tickUntil(() -> adminInt("dots.length") == 2 && js("return window.__admin.dots.find(d => d.name === 'Cathy').x") instanceof Number n
                && Math.abs(n.floatValue() - to[0]) < 0.1, 40, "the map follows");
        screenshot("admin-dashboard-after.png");
    }

    @Test
    void aLostConnectionShowsAndTheDashboardReconnects() throws Exception {
        player("ann", "Annie", CharacterClass.WARRIOR);
        logInAsAdmin();
        tickUntil(() -> adminInt("dots.length") == 1, 200, "Annie's dot");
        assertThat(browser.findElement(By.id("reconnect-btn")).isDisplayed()).isFalse();

        // the server closes the page's connection: the same account logs in from elsewhere
        MmoClient elsewhere = server.connect();
        try {
            elsewhere.login("boss", "password-boss").get(TIMEOUT_S, TimeUnit.SECONDS);
            await(() -> String.valueOf(admin("status")).startsWith("Disconnected: You logged in from another place"),
                    "the page saying it lost the connection");
            assertThat(admin("connected")).isEqualTo(false);
            assertThat(browser.findElement(By.id("reconnect-btn")).isDisplayed()).isTrue();
            // a command now says why nothing happens
            browser.findElement(By.id("broadcast-text")).sendKeys("anyone?");
            browser.findElement(By.id("broadcast-btn")).click();
            await(() -> String.valueOf(admin("result")).startsWith("Not connected"), "the command refused on the page");

            // Reconnect resumes the session and the feed comes again
            int feeds = adminInt("feeds");
            browser.findElement(By.id("reconnect-btn")).click();
            tickUntil(() -> Boolean.TRUE.equals(admin("connected")) && adminInt("feeds") > feeds + 1
                    && "Logged in as boss".equals(admin("status")), 200, "the dashboard back on a new connection");
            assertThat(browser.findElement(By.id("reconnect-btn")).isDisplayed()).isFalse();
            assertThat(adminInt("dots.length")).isEqualTo(1);
            assertThat(server.server.dashboard().watchers()).isEqualTo(1);
        } finally {
            elsewhere.close();
        }
    }

    @Test
    void anAdminWhoseRoleIsRevokedSeesTheFeedStop() throws Exception {
        player("ann", "Annie", CharacterClass.WARRIOR);
        logInAsAdmin();
        tickUntil(() -> adminInt("dots.length") == 1, 200, "Annie's dot");

        assertThat(new CommandLine(new Main()).execute("admin", "revoke", "boss", "--db", dbUrl)).isEqualTo(0);
        // once the last role read is 5 s old, the next feed's check (on a worker) reads it again and refuses, and the page says so
        clock.advance(java.time.Duration.ofMillis(ModerationService.ROLE_RECHECK_MILLIS));
        tickUntil(() -> server.server.dashboard().watchers() == 0, 200, "the feed stopped on the server");
        await(() -> String.valueOf(admin("status")).startsWith("The feed stopped: Only admins can watch the dashboard"),
                "the page saying the feed stopped");
        int feeds = adminInt("feeds");
        for (int i = 0; i < 30; i++) server.tick(players.toArray(MmoClient[]::new)); // three feeds' worth, had it gone on
        await(() -> Boolean.TRUE.equals(admin("connected")), "the page still connected");
        assertThat(adminInt("feeds")).as("no feed after the revoke").isEqualTo(feeds);
    }

    @Test
    void aPlayerWithoutTheRoleIsToldItIsNotAnAdmin() throws Exception {
        MmoClient pleb = server.connect();
        pleb.register("pleb", "password-pleb").get(TIMEOUT_S, TimeUnit.SECONDS);
        pleb.close();
        openAndLogIn("pleb", "password-pleb");
        await(() -> String.valueOf(admin("error")).contains("not an admin"), "the refusal");
        assertThat(String.valueOf(admin("error")))
                .isEqualTo("pleb is not an admin. An operator grants the role with ./mmo admin grant pleb.");
        assertThat(admin("loggedIn")).isEqualTo(false);
        assertThat(server.server.dashboard().watchers()).isZero();
    }
}

package mmo.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static mmo.app.TestServer.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser client on an https page: headless Chromium (told to accept the test's
 * self-signed certificate) loads the page over TLS, and its game socket, derived from the page's
 * address, is wss: registering reaches the character screen.
 */
class BrowserTlsIT {
    @TempDir
    Path dir;
    TestServer server;
    WebDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    @Test
    void theBrowserPlaysOverWssOnAnHttpsPage() throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        TlsTest.selfSignedCertificate(cert, key);
        server = TestServer.start("jdbc:sqlite:" + dir.resolve("mmo.db"), Map.of(
                "mmo.net.tls.cert", cert.toString(), "mmo.net.tls.key", key.toString()));
        browser = BrowserPlayIT.headlessChromium(dir, "--ignore-certificate-errors");
        browser.get("https://127.0.0.1:" + server.server.port() + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(TIMEOUT_S));
        wait.until(d -> "login".equals(phase()));

        browser.findElement(By.id("username")).sendKeys("tlsweb");
        browser.findElement(By.id("password")).sendKeys("password-tlsweb");
        browser.findElement(By.id("register-btn")).click();
        wait.withMessage("the character screen after registering over wss").until(d -> "characters".equals(phase()));
        assertThat(((JavascriptExecutor) browser).executeScript("return location.protocol")).isEqualTo("https:");
        // the page's own socket: the only way it could have registered
        assertThat(((JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.startsWith('http:')).length"))
                .as("nothing loaded over plain http").isEqualTo(0L);
    }

    private String phase() {
        Object o = ((JavascriptExecutor) browser).executeScript("return window.__mmo ? window.__mmo.state : null;");
        return String.valueOf(o);
    }
}

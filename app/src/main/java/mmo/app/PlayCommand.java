package mmo.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.DefaultTerminalFactory;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import mmo.app.term.TerminalClient;
import mmo.app.term.TerminalMap;
import mmo.client.ClientOptions;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;

/**
 * {@code mmo play}: plays on a server. With {@code --terminal}, in this terminal
 * ({@link TerminalClient}); without, prints the address to open in a browser. Runs on the
 * main thread.
 */
@Command(name = "play", mixinStandardHelpOptions = true,
        description = "Play on a server: in this terminal with --terminal, else print the browser address.")
final class PlayCommand implements Callable<Integer> {
    @Option(names = "--terminal", description = "Play in this terminal (map in characters, chat at the bottom).")
    boolean terminal;

    @Option(names = "--host", defaultValue = "localhost", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Server port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--tls", description = "Connect with TLS (wss:// and https://).")
    boolean tls;

    @Option(names = "--trust-cert", description = "With --tls, for a self-signed certificate: the PEM certificate (or CA) to trust. Default: the JDK's trusted authorities.")
    Path trustCert;

    @Option(names = "--user", description = "Account name (default: asked).")
    String user;

    @Option(names = "--password-file", description = "File whose first line is the password (default: asked, not echoed).")
    Path passwordFile;

    @Option(names = "--register", description = "With --user and --password-file: create the account instead of logging in.")
    boolean register;

    @Option(names = "--log", description = "Where the client's log goes (default: mmo-play.log in the temp directory); the terminal is the game's.")
    Path logFile;

    @Override
    public Integer call() throws Exception {
        if (port <= 0 || port > 65535) {
            System.err.println("mmo play: --port must be 1-65535, not " + port);
            return 2;
        }
        if (trustCert != null && !tls) {
            System.err.println("mmo play: --trust-cert needs --tls");
            return 2;
        }
        String http = (tls ? "https" : "http") + "://" + host + ":" + port;
        if (!terminal) {
            System.out.println("Open " + http + "/ in a browser, or play here with: mmo play --terminal"
                    + (host.equals("localhost") ? "" : " --host " + host) + (port == 8080 ? "" : " --port " + port)
                    + (tls ? " --tls" : ""));
            return 0;
        }
        String password = null;
        if (passwordFile != null) {
            try {
                password = Files.readAllLines(passwordFile, StandardCharsets.UTF_8).stream().findFirst().orElse("");
            } catch (IOException e) {
                System.err.println("mmo play: cannot read the password file " + passwordFile + ": " + e.getMessage());
                return 2;
            }
            if (password.isEmpty()) {
                System.err.println("mmo play: the password file " + passwordFile + " is empty");
                return 2;
            }
        }
        ClientOptions.Builder options = ClientOptions.builder();
        SSLContext ssl = null;
        if (trustCert != null) {
            try {
                options.trustCertificates(trustCert);
                ssl = TrustedCertificates.sslContext(trustCert);
            } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
                System.err.println("mmo play: " + e.getMessage());
                return 2;
            }
        }
        logTo(logFile != null ? logFile : Path.of(System.getProperty("java.io.tmpdir"), "mmo-play.log"));
        HttpClient web = (ssl == null ? HttpClient.newBuilder() : HttpClient.newBuilder().sslContext(ssl))
                .connectTimeout(Duration.ofSeconds(10)).build();
        URI ws = URI.create((tls ? "wss" : "ws") + "://" + host + ":" + port + "/ws");
        DefaultTerminalFactory factory = new DefaultTerminalFactory()
                .setForceTextTerminal(true)
                .setUnixTerminalCtrlCBehaviour(UnixLikeTerminal.CtrlCBehaviour.TRAP);
        TerminalScreen screen = new TerminalScreen(factory.createTerminal());
        TerminalClient client = new TerminalClient(screen, ws, options, mapPath -> loadMap(web, http, mapPath));
        return client.run(new TerminalClient.Login(user, password, register));
    }

    /** The map the browser would load: over HTTP from the server, else the copy shipped in this jar. */
    static TerminalMap loadMap(HttpClient web, String base, String mapPath) {
        String path = mapPath.startsWith("/") ? mapPath : "/" + mapPath;
        IOException failure;
        try {
            HttpResponse<byte[]> r = web.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200) return TerminalMap.parse(r.body());
            failure = new IOException("HTTP " + r.statusCode() + " for " + base + path);
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the map");
        }
        try (InputStream in = PlayCommand.class.getResourceAsStream(path)) {
            if (in != null) return TerminalMap.parse(in.readAllBytes());
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        throw new UncheckedIOException("cannot load the map " + path + ": " + failure.getMessage(), failure);
    }

    /** Sends every log line to {@code file}: the terminal belongs to the game. */
    private static void logTo(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return;
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        root.addAppender(appender);
    }
}

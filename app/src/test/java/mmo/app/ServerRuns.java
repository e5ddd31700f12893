package mmo.app;

import mmo.app.ServerProcessIT.ServerProcess;
import mmo.client.MmoClient;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.ArrayList;
import java.util.List;

/**
 * The server processes (one per run: the crash tests kill and restart theirs) and clients of a
 * test, closed after each test. A failed test prints every run's output, and {@link #step}
 * logs the seconds since the start, so a slow or failed CI run shows where its time went.
 * Register with {@code @RegisterExtension}.
 */
final class ServerRuns implements AfterEachCallback, TestWatcher {
    final List<ServerProcess> servers = new ArrayList<>();
    final List<MmoClient> clients = new ArrayList<>();
    private final String test;
    private final long startedAt = System.nanoTime();

    ServerRuns(String test) {
        this.test = test;
    }

    void step(String what) {
        System.out.printf("%s %5.1f s: %s%n", test, (System.nanoTime() - startedAt) / 1e9, what);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        clients.forEach(MmoClient::close);
        servers.forEach(ServerProcess::close);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        for (int i = 0; i < servers.size(); i++) {
            System.err.println("---- output of server run " + (i + 1) + " ----\n" + servers.get(i).output);
        }
    }
}

package mmo.server.world;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * The thread that owns the worlds of a process and ticks them at a fixed rate against deadlines
 * that advance by one period per tick, so a slow tick is followed by shorter waits rather than a drifting
 * clock; with {@link TimeDilation} the period stretches while ticks overrun their budget. When it falls more than {@link #MAX_CATCH_UP} ticks behind, it gives the
 * lost time up instead of running a burst of back-to-back ticks.
 *
 * <p>Several worlds (a deployment of several, {@code mmo.worlds}) are ticked one after the
 * other by this one thread, each tick of each world whole, in the order given. One thread
 * rather than one per world because then every world still has exactly one owner, and it is
 * the same for all: game rules may reach from one world into another on the tick (a whisper
 * to a character in another world) without a queue between them, and a test's
 * {@code tick()} steps them all the same way. The worlds of one process share its cores
 * anyway, and each world's encode phase already runs on several threads. The price: the
 * worlds share one tick budget, so time dilation, computed from the sum of their ticks, slows
 * them together; worlds that each need a machine's share go in separate processes.
 */
public final class TickLoop {
    private static final Logger log = LoggerFactory.getLogger(TickLoop.class);
    static final int MAX_CATCH_UP = 5;

    private final List<World> worlds;
    private final String label;
    private final long periodNanos;
    private final Thread thread;
    private volatile boolean running = true;

    private final TimeDilation dilation;

    public TickLoop(World world, int tickRate) {
        this(world, tickRate, null);
    }

    /** @param dilation slows the clock when ticks overrun, or null for a fixed rate */
    public TickLoop(World world, int tickRate, TimeDilation dilation) {
        this(List.of(world), tickRate, dilation);
    }

    /** Ticks every one of {@code worlds} in turn, each period. */
    public TickLoop(List<World> worlds, int tickRate, TimeDilation dilation) {
        if (worlds.isEmpty()) throw new IllegalArgumentException("no worlds to tick");
        this.worlds = List.copyOf(worlds);
        this.label = worlds.size() == 1 ? "world '" + worlds.get(0).name() + "'"
                : worlds.stream().map(w -> "'" + w.name() + "'").collect(Collectors.joining(", ", "worlds ", ""));
        this.dilation = dilation;
        this.periodNanos = 1_000_000_000L / tickRate;
        this.thread = Thread.ofPlatform().name(worlds.size() == 1 ? "tick-" + worlds.get(0).name() : "tick").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /**
     * Whether the tick thread ended without being stopped: something escaped the loop's own guard
     * around each tick (an OutOfMemoryError while logging a failed tick, say). The worlds are
     * frozen and the process should be restarted (liveness). Any thread.
     */
    public boolean died() {
        return running && thread.getState() == Thread.State.TERMINATED;
    }

    /** Stops after the current tick and waits for the thread; the worlds may then be used by the caller. */
    public void stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join();
        for (World w : worlds) w.claimOwnership();
    }

    private void run() {
        for (World w : worlds) w.claimOwnership();
        long deadline = System.nanoTime();
        while (running) {
            long work = 0;
            for (int i = 0; i < worlds.size(); i++) {
                World world = worlds.get(i);
                try {
                    world.tick();
                } catch (Throwable t) {
                    // A bug in one tick must not stop the world for everyone (nor the other worlds).
                    log.error("world '{}' tick {} failed", world.name(), world.currentTick(), t);
                }
                work += world.lastTickNanos();
            }
            long period = periodNanos;
            if (dilation != null) {
                float before = dilation.factor();
                float d = dilation.update(work);
                for (int i = 0; i < worlds.size(); i++) worlds.get(i).setTimeDilation(d);
                period = dilation.periodNanos();
                if ((before >= 1f) != (d >= 1f)) {
                    log.info("{} time dilation {}", label, d >= 1f ? "ended" : String.format("%.2f", d));
                }
            }
            deadline += period;
            long now = System.nanoTime();
            if (now - deadline > MAX_CATCH_UP * periodNanos) {
                log.warn("{} {} {} ms behind; skipping ahead", label, worlds.size() == 1 ? "is" : "are",
                        (now - deadline) / 1_000_000);
                deadline = now;
                continue;
            }
            while (running && (now = System.nanoTime()) < deadline) {
                LockSupport.parkNanos(deadline - now);
            }
        }
    }
}

package mmo.server.world;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.locks.LockSupport;

/**
 * The thread that owns a world and ticks it at a fixed rate against deadlines that advance by
 * one period per tick, so a slow tick is followed by shorter waits rather than a drifting
 * clock; with {@link TimeDilation} the period stretches while ticks overrun their budget. When it falls more than {@link #MAX_CATCH_UP} ticks behind, it gives the
 * lost time up instead of running a burst of back-to-back ticks.
 */
public final class TickLoop {
    private static final Logger log = LoggerFactory.getLogger(TickLoop.class);
    static final int MAX_CATCH_UP = 5;

    private final World world;
    private final long periodNanos;
    private final Thread thread;
    private volatile boolean running = true;

    private final TimeDilation dilation;

    public TickLoop(World world, int tickRate) {
        this(world, tickRate, null);
    }

    /** @param dilation slows the clock when ticks overrun, or null for a fixed rate */
    public TickLoop(World world, int tickRate, TimeDilation dilation) {
        this.world = world;
        this.dilation = dilation;
        this.periodNanos = 1_000_000_000L / tickRate;
        this.thread = Thread.ofPlatform().name("tick-" + world.name()).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Stops after the current tick and waits for the thread; the world may then be used by the caller. */
    public void stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join();
        world.claimOwnership();
    }

    private void run() {
        world.claimOwnership();
        long deadline = System.nanoTime();
        while (running) {
            try {
                world.tick();
            } catch (Throwable t) {
                // A bug in one tick must not stop the world for everyone.
                log.error("tick {} failed", world.currentTick(), t);
            }
            long period = periodNanos;
            if (dilation != null) {
                float before = dilation.factor();
                float d = dilation.update(world.lastTickNanos());
                world.setTimeDilation(d);
                period = dilation.periodNanos();
                if ((before >= 1f) != (d >= 1f)) {
                    log.info("world '{}' time dilation {}", world.name(), d >= 1f ? "ended" : String.format("%.2f", d));
                }
            }
            deadline += period;
            long now = System.nanoTime();
            if (now - deadline > MAX_CATCH_UP * periodNanos) {
                log.warn("world '{}' is {} ms behind; skipping ahead", world.name(), (now - deadline) / 1_000_000);
                deadline = now;
                continue;
            }
            while (running && (now = System.nanoTime()) < deadline) {
                LockSupport.parkNanos(deadline - now);
            }
        }
    }
}

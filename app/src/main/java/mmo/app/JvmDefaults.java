package mmo.app;

import java.util.ArrayList;
import java.util.List;

/**
 * The server JVM's garbage collector and heap as the project ships them: {@code ./mmo serve}
 * (the mmo script passes the same flags), the nodes {@code mmo cluster-demo} starts, and the
 * default of {@code mmo soak}, which measured them (docs/BENCHMARKS.md, "Soak"). Constants only.
 */
final class JvmDefaults {
    /** -Xms and -Xmx: about 25 times the live heap of 2000 players (37 MB). */
    static final String HEAP = "1g";
    /** A collector name for {@link LoadRun#gcFlags}. */
    static final String GC = "G1";
    /** G1's pause goal: one tick at 20 Hz (G1's own default, 200 ms, is four ticks). */
    static final String G1_PAUSE_GOAL = "-XX:MaxGCPauseMillis=50";

    private JvmDefaults() {
    }

    /** The collector flags for {@code gc} on this JDK, with the project's tuning for it. */
    static List<String> gcFlags(String gc) {
        List<String> flags = new ArrayList<>(LoadRun.gcFlags(gc, Runtime.version().feature()));
        if (flags.contains("-XX:+UseG1GC")) flags.add(G1_PAUSE_GOAL);
        return flags;
    }
}

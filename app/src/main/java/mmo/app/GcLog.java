package mmo.app;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a JVM's unified GC log ({@code -Xlog:gc,gc+phases:file=...:uptime,level,tags}) as it
 * grows: the stop-the-world pauses and the heap in use after each collection, for G1, Parallel,
 * Serial and ZGC (generational or not). Only the line formats below are understood; anything
 * else in the log is skipped. Not thread-safe: one reader (the soak's sampler thread).
 *
 * <pre>
 * [8.374s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 15M-&gt;4M(256M) 91.861ms
 * [7.946s][info][gc,phases] GC(0) Y: Pause Mark Start (Major) 0.036ms
 * [8.395s][info][gc] GC(0) Major Collection (Warmup) 26M(10%)-&gt;20M(8%) 0.449s
 * </pre>
 */
final class GcLog {
    /**
     * A stop-the-world pause: when it ended (JVM uptime), how long, its name, and whether it
     * belongs to a collection someone asked for (System.gc() or {@code jcmd GC.run}).
     */
    record Pause(double uptimeS, double ms, String name, boolean requested) {}

    /** The heap in use after a collection (whole heap, all generations), in MB. */
    record HeapAfter(double uptimeS, double mb) {}

    private static final Pattern UPTIME = Pattern.compile("^\\[(\\d+(?:\\.\\d+)?)s\\]");
    private static final Pattern GC_ID = Pattern.compile("\\bGC\\((\\d+)\\) ");
    // G1 / Parallel / Serial pauses carry the heap before -> after (capacity); ZGC pauses do not.
    private static final Pattern PAUSE = Pattern.compile(
            "\\bGC\\(\\d+\\) (?:[YO]: )?(Pause .*?)(?: (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)[KMG]\\))? (\\d+(?:\\.\\d+)?)ms$");
    // ZGC's end-of-cycle line: heap before -> after, with percentages of the maximum.
    private static final Pattern Z_CYCLE = Pattern.compile(
            "\\bGC\\(\\d+\\) (?:Major Collection|Minor Collection|Garbage Collection) \\(.*?\\) (\\d+)([KMG])\\(\\d+%\\)->(\\d+)([KMG])\\(\\d+%\\)");

    private final Path file;
    private long offset;
    private final StringBuilder partial = new StringBuilder();
    private int lastGcId = -1;
    private final java.util.Set<Integer> requested = new java.util.HashSet<>();
    private String collector = "unknown";

    GcLog(Path file) {
        this.file = file;
    }

    /** What the first line names ("G1", "ZGC" for "The Z Garbage Collector", "Parallel"), else "unknown". */
    String collector() {
        return collector;
    }

    /** The highest GC(n) number seen so far (-1 before any collection). */
    int lastGcId() {
        return lastGcId;
    }

    /** Parses the lines written since the last call into {@code pauses} and {@code heapAfter}. */
    void readNew(List<Pause> pauses, List<HeapAfter> heapAfter) throws IOException {
        if (!Files.exists(file)) return;
        byte[] chunk;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            if (len <= offset) return;
            chunk = new byte[(int) Math.min(len - offset, Integer.MAX_VALUE - 16)];
            f.seek(offset);
            f.readFully(chunk);
            offset += chunk.length;
        }
        partial.append(new String(chunk, StandardCharsets.UTF_8));
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, nl).stripTrailing();
            partial.delete(0, nl + 1);
            parseLine(line, pauses, heapAfter);
        }
    }

    void parseLine(String line, List<Pause> pauses, List<HeapAfter> heapAfter) {
        if (line.contains("[gc") && line.contains("] Using ")) {
            String name = line.substring(line.indexOf("] Using ") + 8).strip();
            collector = name.equals("The Z Garbage Collector") ? "ZGC" : name;
            return;
        }
        Matcher u = UPTIME.matcher(line);
        if (!u.find()) return;
        double uptime = Double.parseDouble(u.group(1));
        Matcher id = GC_ID.matcher(line);
        if (!id.find()) return;
        int gcId = Integer.parseInt(id.group(1));
        lastGcId = Math.max(lastGcId, gcId);
        // G1 names the cause on the pause line; ZGC on the cycle's first line, before its pauses.
        if (line.contains("(System.gc())") || line.contains("(Diagnostic Command)")) requested.add(gcId);
        Matcher p = PAUSE.matcher(line);
        if (p.find()) {
            pauses.add(new Pause(uptime, Double.parseDouble(p.group(7)), p.group(1).strip(), requested.contains(gcId)));
            if (p.group(4) != null) heapAfter.add(new HeapAfter(uptime, mb(p.group(4), p.group(5))));
            return;
        }
        Matcher z = Z_CYCLE.matcher(line);
        if (z.find()) heapAfter.add(new HeapAfter(uptime, mb(z.group(3), z.group(4))));
    }

    private static double mb(String n, String unit) {
        double v = Double.parseDouble(n);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }

    /** The {@code -Xlog} option that writes what this class reads to {@code file}. */
    static String xlogOption(Path file) {
        return "-Xlog:gc,gc+phases:file=" + file + ":uptime,level,tags";
    }

    /** Durations in ms of the pauses the JVM decided on itself (requested ones left out). */
    static List<Double> durations(List<Pause> pauses) {
        List<Double> d = new ArrayList<>(pauses.size());
        for (Pause p : pauses) if (!p.requested()) d.add(p.ms());
        return d;
    }
}

package mmo.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link GcLog} on lines as JDK 21-25 write them for G1 and ZGC, read while the file grows. */
class GcLogTest {
    @TempDir Path dir;

    @Test
    void g1PausesAndHeapAfterFromAGrowingFile() throws Exception {
        Path f = dir.resolve("gc.log");
        GcLog log = new GcLog(f);
        List<GcLog.Pause> pauses = new ArrayList<>();
        List<GcLog.HeapAfter> heap = new ArrayList<>();
        Files.writeString(f, """
                [0.057s][info][gc] Using G1
                [2.062s][info][gc,phases] GC(0)   Evacuate Collection Set: 34.73ms
                [2.062s][info][gc       ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 18M->7M(64M) 36.481ms
                [9.1s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 1G->512M(2048M) 4.5ms
                [9.3s][info][gc] GC(1) Pause Remark 600M->590M(2048M) 2.25ms
                [9.4s][info][gc] GC(1) Concurrent Mark Cycle 120.1ms
                [10.0s][info][gc] GC(2) Pause Full (Diagnostic Command) 300M->120M(2048M) 150.0ms
                [11.0s][info][gc] GC(3) Pause Young (Normal) (G1 Evac""");
        log.readNew(pauses, heap);
        assertThat(log.collector()).isEqualTo("G1");
        assertThat(pauses).extracting(GcLog.Pause::ms).containsExactly(36.481, 4.5, 2.25, 150.0);
        assertThat(pauses).extracting(GcLog.Pause::name).containsExactly("Pause Young (Normal) (G1 Evacuation Pause)",
                "Pause Young (Concurrent Start) (G1 Humongous Allocation)", "Pause Remark", "Pause Full (Diagnostic Command)");
        assertThat(heap).extracting(GcLog.HeapAfter::mb).containsExactly(7.0, 512.0, 590.0, 120.0);
        assertThat(GcLog.durations(pauses)).as("the requested full GC is not the JVM's own pause").containsExactly(36.481, 4.5, 2.25);
        assertThat(log.lastGcId()).isEqualTo(2);

        // the half-written line is finished later: read once, whole
        Files.writeString(f, "uation Pause) 40M->9M(64M) 3.0ms\n", StandardOpenOption.APPEND);
        pauses.clear();
        heap.clear();
        log.readNew(pauses, heap);
        assertThat(pauses).extracting(GcLog.Pause::ms).containsExactly(3.0);
        assertThat(heap).extracting(GcLog.HeapAfter::mb).containsExactly(9.0);
        assertThat(log.lastGcId()).isEqualTo(3);
    }

    @Test
    void generationalZgcPausesComeFromThePhaseLinesAndHeapFromTheCycleLine() throws Exception {
        Path f = dir.resolve("gc.log");
        Files.writeString(f, """
                [0.293s][info][gc] Using The Z Garbage Collector
                [7.945s][info][gc] GC(0) Major Collection (Warmup)
                [7.946s][info][gc,phases] GC(0) Y: Pause Mark Start (Major) 0.036ms
                [8.212s][info][gc,phases] GC(0) Y: Concurrent Mark 265.900ms
                [8.212s][info][gc,phases] GC(0) Y: Pause Mark End 0.020ms
                [8.395s][info][gc,phases] GC(0) Y: Young Generation 26M(10%)->20M(8%) 0.449s
                [8.479s][info][gc,phases] GC(0) O: Pause Mark End 0.025ms
                [8.500s][info][gc] GC(0) Major Collection (Warmup) 26M(10%)->21M(8%) 0.555s
                [9.000s][info][gc] GC(1) Minor Collection (Allocation Rate) 1G(50%)->1G(50%) 0.050s
                [39.791s][info][gc       ] GC(2) Major Collection (Diagnostic Command)
                [39.800s][info][gc,phases] GC(2) Y: Pause Mark Start (Major) 0.040ms
                [39.916s][info][gc       ] GC(2) Major Collection (Diagnostic Command) 42M(33%)->40M(31%) 0.125s
                """);
        GcLog log = new GcLog(f);
        List<GcLog.Pause> pauses = new ArrayList<>();
        List<GcLog.HeapAfter> heap = new ArrayList<>();
        log.readNew(pauses, heap);
        assertThat(log.collector()).isEqualTo("ZGC");
        assertThat(pauses).extracting(GcLog.Pause::ms).containsExactly(0.036, 0.020, 0.025, 0.040);
        assertThat(GcLog.durations(pauses)).containsExactly(0.036, 0.020, 0.025);
        assertThat(heap).extracting(GcLog.HeapAfter::mb).containsExactly(21.0, 1024.0, 40.0);
    }

    @Test
    void zMeansGenerationalZgcOnEveryJdkFrom21() {
        assertThat(LoadRun.gcFlags("Z", 21)).containsExactly("-XX:+UseZGC", "-XX:+ZGenerational");
        assertThat(LoadRun.gcFlags("zgc", 25)).containsExactly("-XX:+UseZGC");
        assertThat(LoadRun.gcFlags("G1", 21)).containsExactly("-XX:+UseG1GC");
        assertThatThrownBy(() -> LoadRun.gcFlags("Shenandoah", 25)).hasMessageContaining("unknown garbage collector");
    }
}

package org.kpff.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A finished cell returns its heap with a concurrent G1 cycle, never with a full collection: with
 * {@code -XX:+ExplicitGCInvokesConcurrent} (as the submit scripts start JVMs) the training thread calls
 * {@code System.gc()} once, which JFR records as concurrent and which starts a concurrent cycle ({@code G1Old},
 * caused by {@code System.gc()}), and no {@code G1Full} runs; without the flag, or on another collector, where
 * {@code System.gc()} would stop the whole JVM, it calls nothing. Each case runs {@link HeapReturnProbe} in a JVM
 * of its own.
 */
class HeapReturnTest {

    private static List<String> probe(String... jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HeapReturnProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe JVM did not exit");
        assertEquals(0, p.exitValue(), "probe JVM failed:\n" + out);
        return out.lines().filter(l -> l.startsWith("PROBE ")).map(l -> l.substring(6)).toList();
    }

    @Test
    void withConcurrentExplicitGcAFinishedCellStartsAConcurrentCycleAndNoFullCollection() throws Exception {
        List<String> lines = probe("-XX:+UseG1GC", "-XX:+ExplicitGCInvokesConcurrent");
        assertTrue(lines.contains("enabled true"), lines.toString());
        List<String> fromTraining = lines.stream().filter(l -> l.startsWith("systemgc training ")).toList();
        assertEquals(List.of("systemgc training true org.kpff.core.train.HeapReturn.afterCell"), fromTraining,
                "System.gc() on the training thread: once, concurrent, from HeapReturn");
        assertTrue(lines.contains("gc G1Old System.gc()"), "a concurrent cycle started by System.gc(): " + lines);
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("gc G1Full")), "a full collection ran: " + lines);
    }

    @Test
    void withoutTheFlagOrOnAnotherCollectorAFinishedCellCallsNoSystemGc() throws Exception {
        for (String[] flags : List.of(new String[] {"-XX:+UseG1GC"},
                new String[] {"-XX:+UseParallelGC", "-XX:+ExplicitGCInvokesConcurrent"})) {
            List<String> lines = probe(flags);
            assertTrue(lines.contains("enabled false"), List.of(flags) + ": " + lines);
            assertEquals(List.of(), lines.stream().filter(l -> l.startsWith("systemgc training ")).toList(),
                    List.of(flags) + ": System.gc() on the training thread");
        }
    }

    @Test
    void thisTestJvmHasNoConcurrentExplicitGcSoNothingIsCalled() {
        assertFalse(HeapReturn.enabled());
        assertFalse(HeapReturn.afterCell());
    }
}

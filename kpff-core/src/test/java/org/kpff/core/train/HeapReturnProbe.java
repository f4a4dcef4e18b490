package org.kpff.core.train;

import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.kpff.core.fusion.FusionMethod;

/**
 * Run in a JVM of its own by {@link HeapReturnTest} (collector flags cannot change in a running JVM): trains one
 * cell with JFR recording every {@code System.gc()} and every collection, and prints them as {@code PROBE} lines.
 */
public final class HeapReturnProbe {

    private HeapReturnProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path jfr = Files.createTempFile("heap-return", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.SystemGC").withStackTrace();
            recording.enable("jdk.GarbageCollection");
            recording.start();
            CellTrainer.train(CellTrainerTest.spec(FusionMethod.KPFF, 1, 1), CellTrainerTest.data(false),
                    Checkpoints.NONE, null);
            recording.stop();
            recording.dump(jfr);
        }
        System.out.println("PROBE enabled " + HeapReturn.enabled());
        long training = Thread.currentThread().getId();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getEventType().getName().equals("jdk.SystemGC")) {
                boolean onTrainingThread = e.getThread() != null && e.getThread().getJavaThreadId() == training;
                String caller = e.getStackTrace() == null ? "?" : e.getStackTrace().getFrames().stream()
                        .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
                        .filter(m -> !m.startsWith("java.")).findFirst().orElse("?");
                System.out.println("PROBE systemgc " + (onTrainingThread ? "training" : "other") + " "
                        + e.getBoolean("invokedConcurrent") + " " + caller);
            } else {
                System.out.println("PROBE gc " + e.getString("name") + " " + e.getString("cause").replace(' ', '_'));
            }
        }
        Files.delete(jfr);
    }
}

package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kpff.job.driver.JobEndToEndTest.IMAGES;
import static org.kpff.job.driver.JobEndToEndTest.count;
import static org.kpff.job.driver.JobEndToEndTest.glob;
import static org.kpff.job.driver.JobEndToEndTest.tiny;

import java.io.IOException;
import org.kpff.job.fault.FaultPlugin;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.job.docs.ReliabilityCase;

/**
 * A lost executor on a Spark with separate executor JVMs ({@code local-cluster[2,1,1024]}: a standalone master and
 * two workers inside the test JVM, each executor its own process): the executor training a cell is killed with
 * SIGKILL after the cell's first checkpoint; Spark retries the task on another executor, which resumes from that
 * checkpoint, and the run commits exactly one row set per cell.
 */
class ExecutorLossTest {

    static final int EPOCHS = 3;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String data;
    /** Where each cell's first attempt pauses: the executors' {@link FaultPlugin} installs the pause from here. */
    static Path pause;

    @BeforeAll
    static void startCluster() throws Exception {
        String home = System.getenv("SPARK_HOME");
        assertNotNull(home, "SPARK_HOME must be set for local-cluster (spark-job's surefire configuration sets it)");
        // What Spark's launcher needs to build an executor command line from a SPARK_HOME without a distribution.
        Files.createDirectories(Path.of(home, "jars"));
        Files.createDirectories(Path.of(home, "launcher", "target", "scala-2.12"));
        pause = Files.createDirectories(tmp.resolve("pause"));
        spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("ExecutorLossTest")
                .config("spark.plugins", FaultPlugin.class.getName())
                .config(FaultPlugin.PAUSE_DIR, pause.toUri().toString())
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
                .config("spark.task.maxFailures", "4")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .getOrCreate();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) {
            assertTrue(System.nanoTime() < deadline, "two executors registered within 120 s");
            Thread.sleep(100);
        }
        data = tmp.resolve("data").toUri().toString();
        SyntheticScenes.generate(data, JobEndToEndTest.CLASSES, JobEndToEndTest.PER_CLASS, 16, 3, new Configuration());
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @ReliabilityCase(fault = "Executor JVM killed (SIGKILL) while it trains a cell (local-cluster, separate "
            + "executor processes)", outcome = "Spark retries the task on another executor; it resumes from the "
            + "cell's last checkpoint (`resumed_from` = 1, `attempts` = 2); exactly one committed row set per cell")
    void aKilledExecutorsCellIsRetriedElsewhereAndResumesFromItsCheckpoint() throws Exception {
        Path root = tmp.resolve("run");
        String out = root.toUri().toString();
        TaskLog log = TaskLog.attach(spark);
        try {
            // Two cells (kpff, folds 0 and 1), one on each executor; each first attempt stops after epoch 1's
            // checkpoint and writes its executor's pid.
            CompletableFuture<JobDriver.Report> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return new JobDriver(spark).run(tiny("model.methods=[kpff]", "train.epochs=" + EPOCHS), data, out,
                            false, List.of("run"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            List<Path> paused = awaitPaused(pause, 2, run);
            Path victimMarker = paused.get(0);
            String killedCell = victimMarker.getFileName().toString().replace(".pid", "");
            long pid = Long.parseLong(Files.readString(victimMarker).trim());
            assertNotEquals(ProcessHandle.current().pid(), pid, "the cell runs in a separate executor JVM");
            ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();
            // /proc/<pid>/cmdline in full: ProcessHandle.Info truncates this long command line.
            String command = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
            assertTrue(command.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend"),
                    "pid " + pid + " is an executor JVM");
            assertTrue(Files.exists(root.resolve("checkpoints").resolve(killedCell).resolve("LATEST")),
                    "the cell has checkpointed before it is killed");

            assertTrue(victim.destroyForcibly(), "SIGKILL sent");
            victim.onExit().get(60, TimeUnit.SECONDS);
            assertFalse(victim.isAlive());
            Files.delete(victimMarker);
            Files.delete(paused.get(1)); // release the other cell
            JobDriver.Report report = run.get(5, TimeUnit.MINUTES);
            assertEquals(2, report.ok());
            assertEquals(0, report.failed() + report.incomplete());

            try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
                assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells")));
                assertEquals(2, count(c, "SELECT count(DISTINCT cell_id) FROM " + glob(out, "cells")));
                assertEquals(1, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE cell_id = '"
                        + killedCell + "' AND attempts = 2 AND resumed_from = 1 AND epochs = " + EPOCHS));
                assertEquals(1, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE cell_id <> '"
                        + killedCell + "' AND attempts = 1 AND resumed_from = 0 AND status = 'ok'"));
                // Epoch 1 of the killed cell was restored with its checkpoint, not trained or recorded twice.
                assertEquals(2 * EPOCHS, count(c, "SELECT count(*) FROM " + glob(out, "metrics")));
                assertEquals(2 * EPOCHS, count(c, "SELECT count(DISTINCT (cell_id, epoch)) FROM "
                        + glob(out, "metrics")));
                assertEquals(IMAGES, count(c, "SELECT count(*) FROM " + glob(out, "predictions")));
                assertEquals(IMAGES, count(c, "SELECT count(DISTINCT image) FROM " + glob(out, "predictions")));
            }
            try (Stream<Path> s = Files.list(root.resolve("cells"))) {
                assertEquals(2, s.count(), "one committed folder per cell");
            }

            // Spark saw the executor die and ran the second attempt somewhere else.
            List<TaskLog.Attempt> attempts = log.of(spark, killedCell);
            assertEquals(2, attempts.size(), attempts.toString());
            assertFalse(attempts.get(0).successful());
            assertTrue(attempts.get(0).reason().contains("ExecutorLostFailure"), attempts.get(0).reason());
            assertTrue(attempts.get(1).successful());
            assertNotEquals(attempts.get(0).executorId(), attempts.get(1).executorId(), attempts.toString());
        } finally {
            log.detach(spark);
        }
    }

    /** Waits until {@code n} cells have paused, sorted by name; fails early when the run ends first. */
    static List<Path> awaitPaused(Path pause, int n, CompletableFuture<?> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (true) {
            List<Path> markers;
            try (Stream<Path> s = Files.list(pause)) {
                markers = s.filter(p -> p.getFileName().toString().endsWith(".pid")
                        && !p.getFileName().toString().startsWith("_")).sorted().toList();
            }
            if (markers.size() >= n) {
                return markers;
            }
            if (run.isDone()) {
                run.get();
                throw new AssertionError("the run ended before " + n + " cells paused: " + markers);
            }
            assertTrue(System.nanoTime() < deadline, n + " cells paused within 240 s: " + markers);
            Thread.sleep(50);
        }
    }
}

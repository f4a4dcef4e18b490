package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kpff.job.driver.JobEndToEndTest.IMAGES;
import static org.kpff.job.driver.JobEndToEndTest.count;
import static org.kpff.job.driver.JobEndToEndTest.glob;
import static org.kpff.job.driver.JobEndToEndTest.tiny;

import java.io.IOException;
import org.kpff.job.fault.ScriptedFaults;
import org.kpff.job.fault.FaultInjector;
import org.kpff.job.fault.FaultInjection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.job.docs.ReliabilityCase;
import org.kpff.job.testing.LocalSpark;

/**
 * What is retried and what is not, on a real local Spark with {@code spark.task.maxFailures = 3}: deterministic
 * failures (a diverging loss, a model that cannot be built) are recorded once with their reason; infrastructure
 * failures are retried exactly up to maxFailures; a commit that fails between writing and renaming leaves nothing
 * visible and commits once when retried.
 */
class RetryAndCommitTest {

    static final int MAX_FAILURES = 3;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static String data;
    TaskLog log;

    /** The class's local Spark and its synthetic scenes. */
    @RegisterExtension
    static final LocalSpark SPARK = LocalSpark.master("local[2," + MAX_FAILURES + "]")
            .withScenes(JobEndToEndTest.CLASSES, JobEndToEndTest.PER_CLASS, 16, 3);

    @BeforeAll
    static void bindSpark() {
        spark = SPARK.session();
        data = SPARK.data();
    }

    @BeforeEach
    void listen() {
        log = TaskLog.attach(spark);
    }

    @AfterEach
    void stopListening() {
        log.detach(spark);
    }

    @Test
    @ReliabilityCase(fault = "Training loss becomes non-finite (`train.learning-rate=1e30`)", outcome = "Cell "
            + "committed `failed` with the reason (\"Training loss became -Infinity in epoch 1 …\", or NaN), "
            + "`attempts` = 1: one task attempt, not retried; no metrics or predictions rows")
    void aDivergingLossIsRecordedOnceAndNotRetried() throws Exception {
        String out = tmp.resolve("nan").toUri().toString();
        JobDriver.Report r = new JobDriver(spark).run(tiny("model.methods=[kpff]", "train.learning-rate=1e30"), data,
                out, false, List.of("run"));
        assertEquals(2, r.failed());
        assertEquals(0, r.ok() + r.incomplete());
        // With batch norm and ReLU, 1e6 no longer diverged (the loss stayed finite); at 1e30 the parameters overflow
        // float32 in the first epoch: the loss becomes -Infinity or NaN.
        assertFailedOnceWithReason(out, "Training loss became ");
    }

    @Test
    @ReliabilityCase(fault = "A model that cannot be built (`model.projection-width=1000000000`: its parameters "
            + "cannot be allocated)", outcome = "Cell committed `failed` with the reason (\"Cannot build "
            + "alexnet/none for input 16: …\"), `attempts` = 1: one task attempt, not retried")
    void aModelThatCannotBeBuiltIsRecordedOnceAndNotRetried() throws Exception {
        String out = tmp.resolve("nobuild").toUri().toString();
        JobDriver.Report r = new JobDriver(spark).run(tiny("model.methods=[none]", "model.projection-width=1000000000"),
                data, out, false, List.of("run"));
        assertEquals(2, r.failed());
        assertFailedOnceWithReason(out, "Cannot build alexnet/none for input 16");
    }

    private void assertFailedOnceWithReason(String out, String reason) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE status = 'failed' AND "
                    + "attempts = 1 AND epochs = 0 AND final_accuracy IS NULL AND starts_with(reason, '" + reason
                    + "')"));
            assertEquals(0, count(c, "SELECT count(*) FROM " + glob(out, "metrics")));
            assertEquals(0, count(c, "SELECT count(*) FROM " + glob(out, "predictions")));
        }
        List<TaskLog.Attempt> attempts = log.all(spark);
        assertEquals(2, attempts.size(), "one task attempt per cell: " + attempts);
        assertTrue(attempts.stream().allMatch(TaskLog.Attempt::successful), attempts.toString());
    }

    @Test
    @ReliabilityCase(fault = "Infrastructure failure in every attempt of a cell (injected after epoch 1's "
            + "checkpoint)", outcome = "Retried exactly `spark.task.maxFailures` times, then reported incomplete and "
            + "not committed; `--resume` trains it from its checkpoint and commits it once")
    void infrastructureFailuresAreRetriedUpToMaxFailuresThenResumed() throws Exception {
        String out = tmp.resolve("infra").toUri().toString();
        Path root = tmp.resolve("infra");
        JobDriver.Report r;
        try (var faults = FaultInjection.install(ScriptedFaults.failAfterEpoch(1, 99))) {
            r = new JobDriver(spark).run(tiny("model.methods=[kpff]", "train.epochs=3"), data, out, false,
                    List.of("run"));
        }
        // Three epochs: every attempt has an epoch left to train (and fail after), as the last epoch is checkpointed.
        assertEquals(2, r.incomplete());
        assertEquals(0, r.ok() + r.failed());
        List<TaskLog.Attempt> attempts = log.all(spark);
        assertEquals(2 * MAX_FAILURES, attempts.size(), attempts.toString());
        for (TaskLog.Attempt a : attempts) {
            assertFalse(a.successful());
            assertTrue(a.reason().contains("Injected fault in cell " + a.cellId() + " attempt " + (a.attempt() + 1)),
                    a.reason());
        }
        assertEquals(List.of(0, 1, 2), attempts.stream().filter(a -> a.cellId().equals(attempts.get(0).cellId()))
                .map(TaskLog.Attempt::attempt).sorted().toList());
        try (Stream<Path> s = Files.list(root.resolve("cells"))) {
            assertEquals(0, s.count(), "nothing committed");
        } catch (java.nio.file.NoSuchFileException e) {
            // No cell ever committed: the folder was never made.
        }

        JobDriver.Report resumed = new JobDriver(spark).run(tiny("model.methods=[kpff]", "train.epochs=3"), data, out, true,
                List.of("run", "--resume"));
        assertEquals(2, resumed.planned());
        assertEquals(2, resumed.ok());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE attempts = 1 AND "
                    + "resumed_from = 3 AND epochs = 3 AND status = 'ok'"));
            assertEquals(6, count(c, "SELECT count(*) FROM " + glob(out, "metrics")));
        }
    }

    @Test
    @ReliabilityCase(fault = "Infrastructure failure in attempts 1 and 2 of a cell (fewer than "
            + "`spark.task.maxFailures`)", outcome = "Attempt 3 resumes from the checkpoint and the cell commits once "
            + "with `attempts` = 3")
    void infrastructureFailuresBelowTheLimitAreRetriedUntilTheCellCommits() throws Exception {
        String out = tmp.resolve("infra2").toUri().toString();
        JobDriver.Report r;
        try (var faults = FaultInjection.install(ScriptedFaults.failAfterEpoch(1, 2))) {
            r = new JobDriver(spark).run(tiny("model.methods=[kpff]"), data, out, false, List.of("run"));
        }
        assertEquals(2, r.ok());
        // Attempt 2 trained epoch 2 and checkpointed it before failing: attempt 3 only re-evaluates that model.
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells") + " WHERE attempts = 3 AND "
                    + "resumed_from = 2 AND epochs = 2"));
            assertEquals(4, count(c, "SELECT count(*) FROM " + glob(out, "metrics")));
        }
        assertEquals(2 * 3, log.all(spark).size());
    }

    @Test
    @ReliabilityCase(fault = "Commit fails between writing a cell's staged files and renaming them into place",
            outcome = "No row of the cell is visible meanwhile; the driver retries the commit, which commits the "
            + "cell exactly once; `_staging/` is left empty")
    void aCommitThatFailsBeforeRenamingLeavesNothingVisibleAndIsRetriedOnce() throws Exception {
        Path root = tmp.resolve("commit");
        String out = root.toUri().toString();
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        FaultInjector failFirstRename = new FaultInjector() {
            @Override
            public void beforeRename(String id) throws IOException {
                seen.add(id + ": visible " + visible(root, id) + ", staged " + staged(root, id));
                if (calls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() == 1) {
                    throw new IOException("injected failure before renaming " + id);
                }
            }
        };
        JobDriver.Report r;
        try (var faults = FaultInjection.install(failFirstRename)) {
            r = new JobDriver(spark).run(tiny("model.methods=[none]"), data, out, false, List.of("run"));
        }
        assertEquals(2, r.ok());
        assertEquals(2, calls.size());
        calls.values().forEach(n -> assertEquals(2, n.get(), "one failed commit, one retry per cell"));
        assertEquals(4, seen.size(), seen.toString());
        for (String s : seen) {
            assertTrue(s.endsWith("visible [], staged 3"), s);
        }
        assertCommittedOnce(root, out);
    }

    @Test
    @ReliabilityCase(fault = "Commit keeps failing before the rename (every retry)", outcome = "The run stops "
            + "with an error naming the cell; nothing of it is visible; `--resume` commits every cell exactly once")
    void aCommitThatKeepsFailingStopsTheRunAndResumeCommitsOnce() throws Exception {
        Path root = tmp.resolve("commit-fails");
        String out = root.toUri().toString();
        AtomicInteger calls = new AtomicInteger();
        FaultInjector failEveryRename = new FaultInjector() {
            @Override
            public void beforeRename(String id) throws IOException {
                calls.incrementAndGet();
                throw new IOException("injected failure before renaming " + id);
            }
        };
        RuntimeException e;
        try (var faults = FaultInjection.install(failEveryRename)) {
            e = assertThrows(RuntimeException.class, () -> new JobDriver(spark).run(
                    tiny("model.methods=[none]", "run.max-concurrent-cells=1"), data, out, false, List.of("run")));
        }
        assertTrue(e.getMessage().contains("Could not commit cell alexnet-none-f") && e.getMessage().contains(
                CellCompletion.COMMIT_ATTEMPTS + " attempts"), e.getMessage());
        assertEquals(CellCompletion.COMMIT_ATTEMPTS, calls.get(), "the run stopped at the first cell that cannot commit");
        for (String table : List.of("cells", "metrics", "predictions")) {
            assertFalse(Files.exists(root.resolve(table)) && Files.list(root.resolve(table)).findAny().isPresent(),
                    table + " is empty");
        }
        JobDriver.Report resumed = new JobDriver(spark).run(tiny("model.methods=[none]", "run.max-concurrent-cells=1"),
                data, out, true, List.of("run", "--resume"));
        assertEquals(2, resumed.ok());
        assertEquals(0, resumed.skipped());
        assertCommittedOnce(root, out);
    }

    private static void assertCommittedOnce(Path root, String out) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            assertEquals(2, count(c, "SELECT count(*) FROM " + glob(out, "cells")));
            assertEquals(2, count(c, "SELECT count(DISTINCT cell_id) FROM " + glob(out, "cells")));
            assertEquals(4, count(c, "SELECT count(*) FROM " + glob(out, "metrics")));
            assertEquals(IMAGES, count(c, "SELECT count(*) FROM " + glob(out, "predictions")));
        }
        Path staging = root.resolve("_staging");
        if (Files.exists(staging)) {
            try (Stream<Path> s = Files.list(staging)) {
                assertEquals(List.of(), s.toList(), "staging is empty");
            }
        }
    }

    /** The committed folders of a cell, in any table. */
    private static List<String> visible(Path root, String id) {
        return Stream.of("cells", "metrics", "predictions").filter(t -> Files.exists(root.resolve(t).resolve(id)))
                .toList();
    }

    /** How many of a cell's tables are staged (written completely under _staging). */
    private static long staged(Path root, String id) {
        try (Stream<Path> s = Files.walk(root.resolve("_staging").resolve(id))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".parquet")
                    && !p.getFileName().toString().startsWith(".")).count();
        } catch (IOException e) {
            return -1;
        }
    }
}

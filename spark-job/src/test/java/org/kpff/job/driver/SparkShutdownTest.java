package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.plan.GridCell;

/**
 * A cell whose Spark job fails after Spark's retries counts as finished (incomplete); cells cut off because Spark
 * itself was shut down (Ctrl-C, SIGTERM, Spark exiting after losing its executors) are left uncommitted for
 * {@code --resume} without counting as done, so the progress line does not run to "40/40 done, ETA 0s" on a run
 * that stopped.
 */
class SparkShutdownTest {

    @Test
    void cellsCutOffBySparksShutdownStayUncommittedAndAreNotCountedAsDone() {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("SparkShutdownTest")
                .config("spark.ui.enabled", "false").getOrCreate();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<GridCell> cells = List.of(GridCell.of("alexnet", FusionMethod.KPFF, 0, Map.of(), 1),
                GridCell.of("alexnet", FusionMethod.KPFF, 1, Map.of(), 1),
                GridCell.of("alexnet", FusionMethod.KPFF, 2, Map.of(), 1));
        Progress progress = new Progress(cells, c -> 1.0, 1);
        Outcomes outcomes = new Outcomes();
        CellCompletion completion = new CellCompletion(jsc);
        try {
            progress.started(cells.get(0));
            assertNull(completion.runAndCommit(cells.get(0), null, null, outcomes, progress, () -> {
                throw new IllegalStateException("Job aborted due to stage failure: Task 0 failed 4 times");
            }));
            assertEquals(1, progress.done(), "a cell that failed in Spark is finished (incomplete)");
        } finally {
            spark.stop();
        }
        for (GridCell cell : cells.subList(1, 3)) {
            progress.started(cell);
            assertNull(completion.runAndCommit(cell, null, null, outcomes, progress, () -> {
                jsc.parallelize(List.of(1, 2)).count(); // what a cell's Spark job does on a stopped context
                throw new AssertionError("a stopped SparkContext ran a job");
            }));
        }
        assertEquals(1, progress.done(), "cells cut off by the shutdown are not counted as done");
        assertEquals(cells.stream().map(GridCell::id).toList(), outcomes.incomplete,
                "all three uncommitted, for --resume");
        assertTrue(outcomes.ok.get() == 0 && outcomes.failed.get() == 0);
    }
}

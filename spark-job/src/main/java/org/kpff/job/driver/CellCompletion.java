package org.kpff.job.driver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.kpff.job.exec.CellRun;
import org.kpff.job.exec.CellTask;
import org.kpff.job.plan.GridCell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one cell as a named Spark job group and commits what it returned, retrying a commit that failed before its
 * last rename; counts the cell in the attempt's {@link Outcomes} and reports it to {@link Progress}. Shared by both
 * cell executors.
 */
final class CellCompletion {

    private static final Logger LOG = LoggerFactory.getLogger(CellCompletion.class);

    /** How often the driver tries to commit a cell's rows before it gives up on the run. */
    static final int COMMIT_ATTEMPTS = 3;

    private final JavaSparkContext jsc;
    private final AtomicBoolean shutdownReported = new AtomicBoolean();

    CellCompletion(JavaSparkContext jsc) {
        this.jsc = jsc;
    }

    /** The Spark job group of a cell's jobs (cancelled together when the run stops). */
    static String jobGroup(GridCell cell) {
        return "cell-" + cell.id();
    }

    /**
     * Runs a cell and commits it, after checking that this driver still holds the output folder's lease.
     *
     * @param training trains the cell (as a Spark job, or data-parallel) and returns its run
     * @return the run, or null when the cell failed for good in Spark or Spark was shut down under it (incomplete,
     *         nothing committed; a cell cut off by the shutdown is not reported to {@code progress} as done)
     * @throws UncheckedIOException when the cell's commit failed {@link #COMMIT_ATTEMPTS} times
     */
    CellRun runAndCommit(GridCell cell, CellTask task, RunSession session, Outcomes outcomes, Progress progress,
            Supplier<CellRun> training) {
        jsc.setJobGroup(jobGroup(cell), "KPFF cell " + cell.id() + " (" + cell.backbone() + ", "
                + cell.method().id() + ", fold " + cell.fold() + ")", true);
        CellRun run;
        try {
            run = training.get();
        } catch (Exception e) {
            outcomes.incomplete.add(cell.id());
            if (jsc.sc().isStopped()) {
                // Not the cell's failure: Spark was shut down under it (the driver JVM exiting on Ctrl-C or SIGTERM,
                // or Spark stopping itself after losing its executors). Every queued cell ends here at once, so say
                // it once, and do not count it as done: --resume trains it.
                if (shutdownReported.compareAndSet(false, true)) {
                    LOG.warn("Spark was shut down while cell {} was running or queued ({}). It and every cell not "
                            + "finished yet stay uncommitted; rerun with --resume to train only those.", cell.id(),
                            e.getMessage());
                }
                return null;
            }
            // Spark throws its (checked) SparkException through Scala when the task failed spark.task.maxFailures
            // times: that cell is incomplete, the others go on.
            LOG.error("Cell {} did not complete after Spark's retries: {}", cell.id(), e.getMessage());
            progress.finished(cell, "incomplete");
            return null;
        } finally {
            jsc.clearJobGroup();
        }
        if (session.lease() != null) {
            session.lease().checkHeld();
        }
        commit(cell, task, run, session.writer());
        (run.ok() ? outcomes.ok : outcomes.failed).incrementAndGet();
        outcomes.engines.merge(run.engine(), 1, Integer::sum);
        progress.finished(cell, run.ok()
                ? String.format(Locale.ROOT, "ok, accuracy %.4f", run.outcome().finalAccuracy())
                : "failed: " + run.reason());
        return run;
    }

    /**
     * Commits a cell, retrying a commit that failed before its last rename: each attempt stages afresh and the
     * committer replaces what a failed attempt left, so the cell becomes visible exactly once.
     */
    private static void commit(GridCell cell, CellTask task, CellRun run, ResultWriter writer) {
        for (int attempt = 1; ; attempt++) {
            try {
                writer.commit(cell, task, run);
                return;
            } catch (IOException e) {
                if (isCommitted(writer, cell)) {
                    LOG.warn("Commit of cell {} reported {} after its rows became visible; it is committed.",
                            cell.id(), e.getMessage());
                    return;
                }
                if (attempt >= COMMIT_ATTEMPTS) {
                    throw new UncheckedIOException("Could not commit cell " + cell.id() + " in " + attempt
                            + " attempts", e);
                }
                LOG.warn("Commit attempt {} of cell {} failed ({}); retrying.", attempt, cell.id(), e.getMessage());
            }
        }
    }

    private static boolean isCommitted(ResultWriter writer, GridCell cell) {
        try {
            return writer.committer().isCommitted(cell.id());
        } catch (IOException e) {
            return false;
        }
    }
}

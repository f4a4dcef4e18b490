package org.kpff.job.driver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.kpff.job.exec.CellRun;
import org.kpff.job.exec.CellTask;
import org.kpff.job.plan.GridCell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one cell as a named Spark job group and commits what it returned, retrying a commit that failed before its
 * last rename; counts the cell in the attempt's {@link Outcomes} and reports it to {@link Progress}; ends an attempt
 * stopped by a {@link StopRequest}. Shared by both cell executors.
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
        long t0 = System.nanoTime();
        try {
            if (StopRequest.requested().isPresent()) {
                outcomes.incomplete.add(cell.id());
                return null;
            }
            run = training.get();
        } catch (Exception e) {
            outcomes.incomplete.add(cell.id());
            if (StopRequest.requested().isPresent()) {
                // Cancelled by the stop request (Ctrl-C, SIGTERM): not the cell's failure, and not done.
                LOG.info("Cell {} cancelled by the stop request; it stays uncommitted for --resume", cell.id());
                return null;
            }
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
        long c0 = System.nanoTime();
        commit(cell, task, run, session.writer());
        long end = System.nanoTime();
        outcomes.driver.committed(end - c0);
        outcomes.driver.cellEnded(end - t0, run.seconds());
        (run.ok() ? outcomes.ok : outcomes.failed).incrementAndGet();
        outcomes.engines.merge(run.engine(), 1, Integer::sum);
        progress.finished(cell, run.ok()
                ? String.format(Locale.ROOT, "ok, accuracy %.4f", run.outcome().finalAccuracy())
                : "failed: " + run.reason());
        return run;
    }

    /**
     * Ends an attempt that stopped on a stop request, after every cell thread has ended: removes what a commit left
     * under {@code _staging/} (and result folders of cells that never committed, as {@code CellCommitter.cleanOrphans} does), records in the attempt's entry
     * of run.json when and why it ended, and returns the exception the driver throws.
     */
    RunStopped stopped(RunSession session, Outcomes outcomes, Progress progress, StopRequest.Reason reason) {
        awaitCancelledTasks();
        int total = session.committed().size() + outcomes.ok.get() + outcomes.failed.get();
        try {
            total = session.writer().committer().committedCells().size();
            session.writer().committer().cleanOrphans();
            ObjectNode attempt = session.attempt();
            attempt.put("ended", Instant.now().toString());
            attempt.put("stopped_by", reason.signal());
            attempt.put("wall_seconds", (System.nanoTime() - session.startNanos()) / 1e9);
            attempt.put("cells_ok", outcomes.ok.get());
            attempt.put("cells_failed", outcomes.failed.get());
            attempt.put("cells_incomplete", outcomes.incomplete.size());
            session.info().write(session.layout().runJson(), jsc.hadoopConfiguration());
        } catch (IOException e) {
            LOG.warn("Stopping: could not tidy the run folder ({}); --resume does it.", e.getMessage());
        }
        int planned = progress.planned() < 0 ? -1 : session.committed().size() + progress.planned();
        return new RunStopped(reason, outcomes.ok.get() + outcomes.failed.get(), total, planned);
    }

    /**
     * Waits (a minute at most) until the executors run no task: a cancelled cell's task ends at its next epoch,
     * and one still running when the driver exits could be cut off inside a checkpoint save.
     */
    private void awaitCancelledTasks() {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!jsc.sc().isStopped() && System.nanoTime() < deadline) {
            int runningTasks = 0;
            for (SparkExecutorInfo e : jsc.sc().statusTracker().getExecutorInfos()) {
                runningTasks += e.numRunningTasks();
            }
            if (runningTasks == 0) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("Stopping: Spark tasks still running after a minute; exiting anyway (--resume restores the newest "
                + "readable checkpoint).");
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

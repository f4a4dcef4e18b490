package org.kpff.job.driver;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.kpff.core.DaemonThreads;
import org.kpff.job.config.JobConfig;
import org.kpff.job.exec.CellRun;
import org.kpff.job.exec.CellRunner;
import org.kpff.job.exec.CellTask;
import org.kpff.job.exec.SerializableHadoopConf;
import org.kpff.job.fault.FaultInjection;
import org.kpff.job.fault.FaultInjector;
import org.kpff.job.plan.GridCell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each cell as its own Spark job of one task (one GPU), at most {@code slots} at a time: whenever a slot frees
 * up the source is asked for the next cell, so an adaptive source (a search) decides the next cells as results
 * arrive while every slot stays busy.
 */
final class TaskPerCellLauncher implements CellLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(TaskPerCellLauncher.class);

    /** How often the driver, waiting for cells, looks for a stop request. */
    private static final long STOP_POLL_MILLIS = 200;

    private final JavaSparkContext jsc;
    private final JobConfig config;
    private final int slots;
    private final CellCompletion completion;
    private final DriverStats stats;

    TaskPerCellLauncher(JavaSparkContext jsc, JobConfig config, int slots, DriverStats stats) {
        this.jsc = jsc;
        this.stats = stats;
        this.config = config;
        this.slots = slots;
        this.completion = new CellCompletion(jsc);
    }

    /** A cell that ended: its run, or null when its Spark job failed after all retries. */
    private record Ended(PlannedCell cell, CellRun run) {
    }

    @Override
    public Outcomes execute(RunSession session, CellSource source, Progress progress) {
        Outcomes outcomes = new Outcomes(stats);
        SerializableHadoopConf conf = new SerializableHadoopConf(jsc.hadoopConfiguration());
        FaultInjector faults = FaultInjection.current();
        List<GridCell> started = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(slots,
                DaemonThreads.named("kpff-cell-launcher"));
        CompletionService<Ended> ended = new ExecutorCompletionService<>(pool);
        Set<GridCell> training = ConcurrentHashMap.newKeySet();
        int running = 0;
        int committedSeen = 0;
        int stoppedAt = 0;
        boolean stopping = false;
        try {
            while (true) {
                while (!stopping && StopRequest.requested().isEmpty() && running < slots) {
                    Optional<PlannedCell> next = source.next();
                    if (next.isEmpty()) {
                        break;
                    }
                    PlannedCell planned = next.get();
                    GridCell cell = planned.cell();
                    CellTask task = session.task(config, planned, conf);
                    progress.started(cell);
                    started.add(cell);
                    training.add(cell);
                    ended.submit(() -> new Ended(planned, completion.runAndCommit(cell, task, session,
                            outcomes, progress, () -> {
                                try {
                                    return jsc.parallelize(List.of(task), 1).map(CellRunner::run).collect().get(0);
                                } finally {
                                    training.remove(cell);
                                }
                            })));
                    running++;
                }
                if (running == 0) {
                    break;
                }
                if (StopRequest.requested().isPresent()) {
                    // Cancel the cells still training (again on every poll: a cell thread may have submitted its
                    // job just after the previous cancel); commits under way go on.
                    training.forEach(c -> jsc.cancelJobGroup(CellCompletion.jobGroup(c)));
                }
                Future<Ended> done = ended.poll(STOP_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (done == null) {
                    continue;
                }
                Ended e = done.get();
                running--;
                source.finished(e.cell(), e.run());
                committedSeen += e.run() == null ? 0 : 1;
                if (!stopping && faults.stopAfter(committedSeen)) {
                    stopping = true;
                    stoppedAt = committedSeen;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for cells", e);
        } catch (ExecutionException e) {
            // A commit failed for good: stop the other cells before returning, so that nothing of this attempt
            // is still training or committing when the caller (or a resumed run) looks at the output folder.
            for (GridCell cell : started) {
                jsc.cancelJobGroup(CellCompletion.jobGroup(cell));
            }
            pool.shutdownNow();
            awaitStopped(pool);
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException unchecked) {
                throw unchecked;
            }
            throw new IllegalStateException("Committing a cell failed: " + cause.getMessage(), cause);
        } finally {
            pool.shutdownNow();
        }
        if (StopRequest.requested().isPresent()) {
            awaitCancelledCells();
            throw completion.stopped(session, outcomes, progress, StopRequest.requested().get());
        }
        if (stopping) {
            throw new IllegalStateException("Stopped after " + stoppedAt + " committed cells (fault injection),"
                    + " as if the driver had died; resume to continue.");
        }
        return outcomes;
    }

    /**
     * In local mode the cells' Spark tasks run in this JVM: a cancelled one ends at its next epoch boundary, after
     * the driver has seen its job cancelled. Waits (up to a minute) for them, so that none finishes into a
     * SparkContext already stopped (Spark then logs errors from the task's completion listeners).
     */
    private static void awaitCancelledCells() {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        try {
            while (CellRunner.runningInThisJvm() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitStopped(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
                LOG.warn("Cell threads still running 2 minutes after the run was stopped.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

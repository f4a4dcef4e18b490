package org.kpff.job.driver;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.api.java.JavaSparkContext;
import org.kpff.job.config.JobConfig;
import org.kpff.job.dataparallel.DataParallelTrainer;
import org.kpff.job.exec.CellRun;
import org.kpff.job.exec.CellTask;
import org.kpff.job.exec.SerializableHadoopConf;
import org.kpff.job.plan.GridCell;

/**
 * {@code run.mode = data-parallel}: the cells one after another, each trained over all executors from this driver
 * ({@link DataParallelTrainer}) and committed like a local cell. Executor faults do not apply (a data-parallel cell
 * has no single task to fail).
 */
final class DataParallelCellLauncher implements CellLauncher {

    private final JavaSparkContext jsc;
    private final JobConfig config;
    private final int workers;
    private final CellCompletion completion;
    private final DriverStats stats;

    DataParallelCellLauncher(JavaSparkContext jsc, JobConfig config, int workers, DriverStats stats) {
        this.jsc = jsc;
        this.stats = stats;
        this.config = config;
        this.workers = workers;
        this.completion = new CellCompletion(jsc);
    }

    @Override
    public Outcomes execute(RunSession session, CellSource source, Progress progress) {
        Outcomes outcomes = new Outcomes(stats);
        SerializableHadoopConf conf = new SerializableHadoopConf(jsc.hadoopConfiguration());
        AtomicReference<GridCell> training = new AtomicReference<>();
        // A stop request cancels the cell training now (its commit, if it got that far, goes on).
        StopRequest.Registration cancel = StopRequest.whenRequested(() -> {
            GridCell cell = training.get();
            if (cell != null) {
                jsc.cancelJobGroup(CellCompletion.jobGroup(cell));
            }
        });
        try {
            for (Optional<PlannedCell> next = source.next(); next.isPresent() && StopRequest.requested().isEmpty();
                    next = source.next()) {
                PlannedCell planned = next.get();
                CellTask task = session.task(config, planned, conf);
                progress.started(planned.cell());
                CellRun run = completion.runAndCommit(planned.cell(), task, session, outcomes, progress, () -> {
                    training.set(planned.cell());
                    try {
                        return DataParallelTrainer.run(jsc, task, config.run().dataParallel(), workers);
                    } finally {
                        training.set(null);
                    }
                });
                source.finished(planned, run);
            }
        } finally {
            cancel.close();
        }
        if (StopRequest.requested().isPresent()) {
            throw completion.stopped(session, outcomes, progress, StopRequest.requested().get());
        }
        return outcomes;
    }
}

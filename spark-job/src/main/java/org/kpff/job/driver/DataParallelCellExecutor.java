package org.kpff.job.driver;

import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.kpff.job.config.JobConfig;
import org.kpff.job.dataparallel.DataParallelTrainer;
import org.kpff.job.exec.CellRun;
import org.kpff.job.exec.CellTask;
import org.kpff.job.exec.SerializableHadoopConf;

/**
 * {@code run.mode = data-parallel}: the cells one after another, each trained over all executors from this driver
 * ({@link DataParallelTrainer}) and committed like a local cell. Executor faults do not apply (a data-parallel cell
 * has no single task to fail).
 */
final class DataParallelCellExecutor implements CellExecutor {

    private final JavaSparkContext jsc;
    private final JobConfig config;
    private final int workers;
    private final CellCompletion completion;

    DataParallelCellExecutor(JavaSparkContext jsc, JobConfig config, int workers) {
        this.jsc = jsc;
        this.config = config;
        this.workers = workers;
        this.completion = new CellCompletion(jsc);
    }

    @Override
    public Outcomes execute(RunSession session, CellSource source, Progress progress) {
        Outcomes outcomes = new Outcomes();
        SerializableHadoopConf conf = new SerializableHadoopConf(jsc.hadoopConfiguration());
        for (Optional<PlannedCell> next = source.next(); next.isPresent(); next = source.next()) {
            PlannedCell planned = next.get();
            CellTask task = session.task(config, planned, conf);
            progress.started(planned.cell());
            CellRun run = completion.runAndCommit(planned.cell(), task, session, outcomes, progress,
                    () -> DataParallelTrainer.run(jsc, task, config.run().dataParallel(), workers));
            source.finished(planned, run);
        }
        return outcomes;
    }
}

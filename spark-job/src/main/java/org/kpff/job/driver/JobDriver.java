package org.kpff.job.driver;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.kpff.core.data.ImageProblem;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.RunMode;
import org.kpff.job.exec.CellRun;
import org.kpff.job.plan.CostModel;
import org.kpff.job.plan.GridCell;
import org.kpff.job.plan.GridPlanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's one driver: opens the {@link RunFolder} (checks, pre-flight decode, run.json, folds), asks a
 * {@link CellSource} for cells (the grid's, longest first, minus those committed; or a search's, decided as results
 * arrive), hands them to a {@link CellLauncher} (one Spark task per cell on the cluster's {@link ClusterSlots}, or
 * each cell data-parallel), and aggregates the committed cells at the end.
 */
public final class JobDriver {

    private static final Logger LOG = LoggerFactory.getLogger(JobDriver.class);

    private final JavaSparkContext jsc;
    private final RunFolder folder;
    private final ClusterSlots slots;

    public JobDriver(SparkSession spark) {
        this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.folder = new RunFolder(spark, new PreflightCheck(jsc));
        this.slots = new ClusterSlots(spark.sparkContext());
    }

    /**
     * What a run did.
     *
     * @param planned    cells this attempt had to run
     * @param skipped    cells already committed by an earlier attempt
     * @param ok         cells that trained to the end in this attempt
     * @param failed     cells that failed deterministically in this attempt (committed with their reason)
     * @param incomplete cells whose Spark job failed after all retries (not committed: rerun with --resume)
     * @param summary    the Table-1-shaped Markdown of all committed cells (empty if none)
     * @param undecodable images that cannot be decoded, skipped by every cell (empty in strict mode: it refuses)
     */
    public record Report(int planned, int skipped, int ok, int failed, int incomplete, String summary,
            List<ImageProblem> undecodable) {
    }

    /**
     * Runs a grid.
     *
     * @param config  the validated job config
     * @param dataUri dataset root (any Hadoop FileSystem URI)
     * @param outUri  run output folder
     * @param resume  continue the run in {@code outUri} instead of refusing a non-empty folder
     * @param argv    the command line, recorded in run.json
     */
    public Report run(JobConfig config, String dataUri, String outUri, boolean resume, List<String> argv)
            throws IOException {
        if (config.search().enabled()) {
            throw new IllegalArgumentException("The config sets search.strategy = " + config.search().strategy().id()
                    + ": run it with the search subcommand, or set search.strategy = none for a plain run.");
        }
        return run(config, dataUri, outUri, resume, argv,
                run -> new ListSource(GridPlanner.plan(config, run.classCount(), run.committedIds())));
    }

    /**
     * Runs the cells of any source (the grid, a search, a nested search) in a run folder: opens it (checks,
     * pre-flight decode, run.json, folds), asks the factory for the source, runs its cells, aggregates the committed
     * cells, and lets the source write its own outputs.
     *
     * @param factory makes the attempt's source once the run folder is open
     */
    public Report run(JobConfig config, String dataUri, String outUri, boolean resume, List<String> argv,
            CellSource.Factory factory) throws IOException {
        try (OutputLease held = folder.lease(outUri)) {
            return runHeld(config, dataUri, outUri, resume, argv, factory);
        }
    }

    private Report runHeld(JobConfig config, String dataUri, String outUri, boolean resume, List<String> argv,
            CellSource.Factory factory) throws IOException {
        RunSession session = folder.open(config, dataUri, outUri, resume, argv);
        // Cells are built from the config without its search section: a search's point may set keys (a rung's
        // train.epochs) that the search section's checks constrain.
        JobConfig cellConfig = config.withoutSearch();
        OpenedRun opened = new OpenedRun(session, folder.hadoopConf(), config, dataUri, outUri);
        CellSource source = factory.open(opened);
        Optional<List<GridCell>> known = source.knownCells();
        known.ifPresent(cells -> session.attempt().put("cells_planned", cells.size()));
        DriverStats stats = new DriverStats();
        CellLauncher launcher;
        int concurrent;
        if (config.run().mode() == RunMode.DATA_PARALLEL) {
            int workers = slots.dataParallelWorkers(config);
            session.attempt().put("data_parallel_workers", workers);
            LOG.info("Run {}: {} ({} already committed), one cell after another, each data-parallel over {} workers",
                    outUri, known.map(c -> c.size() + " cells to train").orElse("cells decided as results arrive"),
                    session.committed().size(), workers);
            launcher = new DataParallelCellLauncher(jsc, cellConfig, workers, stats);
            concurrent = 1;
        } else {
            concurrent = slots.cells(config);
            LOG.info("Run {}: {} ({} already committed), {} at a time", outUri,
                    known.map(c -> c.size() + " cells to train").orElse("cells decided as results arrive"),
                    session.committed().size(), concurrent);
            launcher = new TaskPerCellLauncher(jsc, cellConfig, concurrent, stats);
        }
        folder.save(session);
        Progress progress = known.isPresent()
                ? new Progress(known.get(), c -> CostModel.cost(c, cellConfig), concurrent)
                : new Progress(c -> CostModel.cost(c, cellConfig));
        Counting counting = new Counting(source, stats);
        Outcomes outcomes = launcher.execute(session, counting, progress);
        session.attempt().put("cells_planned", counting.started);
        long s0 = System.nanoTime();
        String summary = folder.finish(config, session, outcomes, slots.executors());
        source.complete(opened);
        stats.summarized(System.nanoTime() - s0);
        stats.write(session.attempt());
        folder.save(session);
        LOG.info("Driver: {}", stats.describe());
        return new Report(counting.started, session.committed().size(), outcomes.ok.get(), outcomes.failed.get(),
                outcomes.incomplete.size(), summary, session.undecodable());
    }

    /** Re-aggregates the committed cells of a run folder into summary.parquet and summary.md. */
    public String summarize(String outUri) throws IOException {
        return folder.summarize(outUri);
    }

    /** Hands out a fixed list of cells in order (a plain grid). */
    private static final class ListSource implements CellSource {
        private final List<GridCell> all;
        private final Iterator<GridCell> cells;

        ListSource(List<GridCell> cells) {
            this.all = List.copyOf(cells);
            this.cells = all.iterator();
        }

        @Override
        public Optional<PlannedCell> next() {
            return cells.hasNext() ? Optional.of(PlannedCell.of(cells.next())) : Optional.empty();
        }

        @Override
        public void finished(PlannedCell cell, CellRun run) {
            // a fixed grid does not depend on results
        }

        @Override
        public Optional<List<GridCell>> knownCells() {
            return Optional.of(all);
        }
    }

    /** Counts the cells a source handed out and times its decisions ({@link DriverStats#decided}). */
    private static final class Counting implements CellSource {
        private final CellSource source;
        private final DriverStats stats;
        int started;

        Counting(CellSource source, DriverStats stats) {
            this.source = source;
            this.stats = stats;
        }

        @Override
        public Optional<PlannedCell> next() {
            long t0 = System.nanoTime();
            Optional<PlannedCell> n = source.next();
            stats.decided(System.nanoTime() - t0);
            started += n.isPresent() ? 1 : 0;
            return n;
        }

        @Override
        public void finished(PlannedCell cell, CellRun run) {
            long t0 = System.nanoTime();
            source.finished(cell, run);
            stats.decided(System.nanoTime() - t0);
        }
    }
}

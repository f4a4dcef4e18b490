package org.kpff.job.driver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.Folds;
import org.kpff.core.data.SceneDataset;
import org.kpff.core.data.StratifiedKFold;
import org.kpff.job.config.JobConfig;
import org.kpff.job.exec.CellCommitter;
import org.kpff.job.exec.CellRun;
import org.kpff.job.exec.CellRunner;
import org.kpff.job.exec.CellTask;
import org.kpff.job.exec.SerializableHadoopConf;
import org.kpff.job.plan.CostModel;
import org.kpff.job.plan.GridCell;
import org.kpff.job.plan.GridPlanner;
import org.kpff.job.results.RunLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's driver: checks the output folder (refusing to overwrite, or to resume with a different config), lists
 * the dataset and makes the folds, writes {@code run.json} and {@code folds.parquet}, plans the cells not yet
 * committed, runs each as its own named Spark job (one task, one GPU) from a pool that keeps every slot busy with
 * the longest cells first, commits each finished cell atomically, and finally aggregates all committed cells.
 */
public final class JobDriver {

    private static final Logger LOG = LoggerFactory.getLogger(JobDriver.class);

    /** Runtime conf of the test hook that makes each cell's first attempt fail after this epoch's checkpoint. */
    public static final String FAULT_CONF = "spark.kpff.test.failAfterEpoch";
    /** Runtime conf of the test hook that stops dispatching after this many committed cells and fails the attempt. */
    public static final String STOP_CONF = "spark.kpff.test.stopAfterCells";

    private final SparkSession spark;
    private final JavaSparkContext jsc;
    private final Configuration hadoopConf;

    public JobDriver(SparkSession spark) {
        this.spark = spark;
        this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.hadoopConf = spark.sparkContext().hadoopConfiguration();
    }

    /** The Hadoop configuration of the Spark session (for the run folder's FileSystem). */
    Configuration hadoopConf() {
        return hadoopConf;
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
     */
    public record Report(int planned, int skipped, int ok, int failed, int incomplete, String summary) {
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
        Session session = open(config, dataUri, outUri, resume, argv);
        List<GridCell> cells = GridPlanner.plan(config, session.listing().classCount(), session.committed());
        session.attempt().put("cells_planned", cells.size());
        session.info().write(session.layout().runJson(), hadoopConf);

        int slots = slots(config);
        LOG.info("Run {}: {} cells to train ({} already committed), {} at a time", outUri, cells.size(),
                session.committed().size(), slots);
        Progress progress = new Progress(cells, c -> CostModel.cost(c, config));
        Outcomes outcomes = execute(config, session, new ListSource(cells), slots, progress);
        String summary = finish(config, session, outcomes);
        return new Report(cells.size(), session.committed().size(), outcomes.ok.get(), outcomes.failed.get(),
                outcomes.incomplete.size(), summary);
    }

    /**
     * An opened run folder: its layout and run.json, the dataset listing and folds, the writer, the cells committed
     * before this attempt, and this attempt's entry in run.json.
     */
    record Session(RunLayout layout, RunInfo info, DatasetListing listing, Folds folds, ResultWriter writer,
            Set<String> committed, ObjectNode attempt, long startNanos) {
    }

    /**
     * Prepares a run folder for an attempt: refuses to overwrite (or to resume with a different config or dataset),
     * lists the dataset and makes the folds, removes orphans of a crashed commit, writes folds.parquet, run.json
     * (with a new attempt entry) and resolved.conf.
     */
    Session open(JobConfig config, String dataUri, String outUri, boolean resume, List<String> argv)
            throws IOException {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        RunLayout layout = new RunLayout(outUri);
        RunInfo info = prepareOutput(config, layout, resume);

        DatasetListing listing = SceneDataset.list(dataUri, hadoopConf);
        Folds folds = StratifiedKFold.split(listing, config.data().folds(), config.data().foldSeed());
        checkSameDataset(info, listing, resume);
        describeRun(info, config, listing, folds, dataUri);

        ResultWriter writer = new ResultWriter(spark, layout);
        CellCommitter committer = writer.committer();
        committer.cleanOrphans();
        if (!exists(layout.foldsParquet())) {
            writer.writeFolds(listing, folds);
        }
        Set<String> committed = committer.committedCells();
        ObjectNode attempt = info.attempts().addObject();
        attempt.put("started", started.toString());
        attempt.put("resume", resume);
        attempt.put("master", spark.sparkContext().master());
        attempt.put("application_id", spark.sparkContext().applicationId());
        attempt.put("cells_already_committed", committed.size());
        attempt.putPOJO("argv", argv);
        info.write(layout.runJson(), hadoopConf);
        writeText(layout.resolvedConfig(), config.renderResolved());
        return new Session(layout, info, listing, folds, writer, committed, attempt, t0);
    }

    /** Aggregates all committed cells and closes the attempt's entry in run.json; returns the summary Markdown. */
    String finish(JobConfig config, Session session, Outcomes outcomes) throws IOException {
        String summary = session.writer().committer().committedCells().isEmpty() ? ""
                : session.writer().aggregate(config.data().folds());
        ObjectNode attempt = session.attempt();
        attempt.put("ended", Instant.now().toString());
        attempt.put("wall_seconds", (System.nanoTime() - session.startNanos()) / 1e9);
        attempt.put("cells_ok", outcomes.ok.get());
        attempt.put("cells_failed", outcomes.failed.get());
        attempt.put("cells_incomplete", outcomes.incomplete.size());
        attempt.put("executors", Math.max(1, jsc.sc().statusTracker().getExecutorInfos().length - 1));
        session.info().write(session.layout().runJson(), hadoopConf);
        if (!outcomes.incomplete.isEmpty()) {
            LOG.error("{} cells did not complete after Spark's retries: {}. Rerun with --resume to train only those.",
                    outcomes.incomplete.size(), outcomes.incomplete);
        }
        return summary;
    }

    /** Re-aggregates the committed cells of a run folder into summary.parquet and summary.md. */
    public String summarize(String outUri) throws IOException {
        RunLayout layout = new RunLayout(outUri);
        RunInfo info = RunInfo.read(layout.runJson(), hadoopConf).orElseThrow(() -> new IllegalArgumentException(
                "No run at " + outUri + ": " + layout.runJson() + " does not exist."));
        JobConfig config = JobConfig.parse(info.text("config_hocon"), layout.runJson(), List.of());
        ResultWriter writer = new ResultWriter(spark, layout);
        if (writer.committer().committedCells().isEmpty()) {
            throw new IllegalStateException("The run at " + outUri + " has no committed cells yet.");
        }
        return writer.aggregate(config.data().folds());
    }

    private RunInfo prepareOutput(JobConfig config, RunLayout layout, boolean resume) throws IOException {
        Path root = new Path(layout.root());
        FileSystem fs = root.getFileSystem(hadoopConf);
        boolean nonEmpty = fs.exists(root) && nonEmpty(fs, root);
        if (!nonEmpty) {
            if (resume) {
                LOG.warn("--resume given but {} holds no run yet: starting a new run.", layout.root());
            }
            fs.mkdirs(root);
            RunInfo info = RunInfo.create();
            info.json().put("created", Instant.now().toString());
            return info;
        }
        RunInfo previous = RunInfo.read(layout.runJson(), hadoopConf).orElse(null);
        if (!resume) {
            throw new IllegalArgumentException("Output " + layout.root() + " is not empty"
                    + (previous != null ? " (it holds a run)" : "") + "; pass --resume to continue that run, or "
                    + "choose another --out.");
        }
        if (previous == null) {
            throw new IllegalArgumentException("Cannot resume: " + layout.root() + " is not empty but has no run.json, "
                    + "so it is not a KPFF run folder.");
        }
        if (!config.fingerprint().equals(previous.text("config_fingerprint"))) {
            JobConfig old = JobConfig.parse(previous.text("config_hocon"), layout.runJson(), List.of());
            throw new IllegalArgumentException("Cannot resume " + layout.root() + " with a different config; these "
                    + "keys differ from the run's: " + String.join(", ", old.differingKeys(config))
                    + ". Use the run's config (its run.json) or another --out.");
        }
        return previous;
    }

    private static void checkSameDataset(RunInfo info, DatasetListing listing, boolean resume) {
        String before = info.json().path("dataset").path("fingerprint").asText("");
        if (resume && !before.isEmpty() && !before.equals(listing.fingerprint())) {
            throw new IllegalArgumentException("Cannot resume: the dataset changed since the run started (listing "
                    + "fingerprint " + before + " then, " + listing.fingerprint() + " now); its folds would differ.");
        }
    }

    private void describeRun(RunInfo info, JobConfig config, DatasetListing listing, Folds folds, String dataUri) {
        ObjectNode n = info.json();
        n.put("config_fingerprint", config.fingerprint());
        n.put("config_hocon", config.renderResolved());
        n.putPOJO("config", config.canonicalValues());
        ObjectNode d = n.putObject("dataset");
        d.put("uri", dataUri);
        d.put("fingerprint", listing.fingerprint());
        d.put("images", listing.size());
        d.put("ignored_files", listing.ignoredFiles());
        d.putPOJO("classes", listing.classes());
        ObjectNode f = n.putObject("folds");
        f.put("k", folds.k());
        f.put("seed", folds.seed());
        n.put("run_seed", config.train().seed());
        ObjectNode v = n.putObject("versions");
        v.put("kpff", "0.1.0");
        v.put("java", System.getProperty("java.version"));
        v.put("spark", spark.version());
        v.put("deeplearning4j", "1.0.0-M2.1");
        v.put("nd4j_backend", org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation()
                .getProperty("backend", "unknown"));
        n.put("git_commit", GitCommit.describe());
    }

    /** Counters of one attempt's cells. */
    static final class Outcomes {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final List<String> incomplete = Collections.synchronizedList(new ArrayList<>());
    }

    /** Hands out a fixed list of cells in order (a plain grid). */
    private static final class ListSource implements CellSource {
        private final Iterator<GridCell> cells;

        ListSource(List<GridCell> cells) {
            this.cells = cells.iterator();
        }

        @Override
        public Optional<PlannedCell> next() {
            return cells.hasNext() ? Optional.of(PlannedCell.of(cells.next())) : Optional.empty();
        }

        @Override
        public void finished(PlannedCell cell, CellRun run) {
            // a fixed grid does not depend on results
        }
    }

    /** A cell that ended: its run, or null when its Spark job failed after all retries. */
    private record Ended(PlannedCell cell, CellRun run) {
    }

    /**
     * Runs the cells a source hands out, each as its own Spark job, at most {@code slots} at a time: whenever a
     * slot frees up the source is asked for the next cell, so an adaptive source (a search) decides the next cells
     * as results arrive while every slot stays busy. Each finished cell is committed before the source hears of it.
     */
    Outcomes execute(JobConfig config, Session session, CellSource source, int slots, Progress progress) {
        Outcomes outcomes = new Outcomes();
        SerializableHadoopConf conf = new SerializableHadoopConf(hadoopConf);
        int failAfterEpoch = Integer.parseInt(spark.conf().get(FAULT_CONF, "0"));
        int stopAfterCells = Integer.parseInt(spark.conf().get(STOP_CONF, "0"));
        ExecutorService pool = Executors.newFixedThreadPool(slots, r -> {
            Thread t = new Thread(r, "kpff-cell-driver");
            t.setDaemon(true);
            return t;
        });
        CompletionService<Ended> ended = new ExecutorCompletionService<>(pool);
        int running = 0;
        boolean stopping = false;
        try {
            while (true) {
                while (!stopping && running < slots) {
                    Optional<PlannedCell> next = source.next();
                    if (next.isEmpty()) {
                        break;
                    }
                    PlannedCell planned = next.get();
                    GridCell cell = planned.cell();
                    boolean checkpoint = config.run().checkpoint() || planned.checkpointLast();
                    CellTask task = new CellTask(cell.id(), cell.toCellSpec(config, session.listing().classCount()),
                            session.listing(), session.folds(), cell.fold(), config.data().normalization().id(),
                            config.data().augment(), config.data().strict(),
                            checkpoint ? session.layout().checkpointDir(planned.checkpointName()) : null, conf,
                            failAfterEpoch, planned.checkpointLast());
                    progress.started(cell);
                    ended.submit(() -> new Ended(planned, runCell(cell, task, session.writer(), outcomes, progress)));
                    running++;
                }
                if (running == 0) {
                    break;
                }
                Ended e = ended.take().get();
                running--;
                source.finished(e.cell(), e.run());
                if (stopAfterCells > 0 && outcomes.ok.get() + outcomes.failed.get() >= stopAfterCells) {
                    stopping = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for cells", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException) {
                throw (UncheckedIOException) cause;
            }
            throw new IllegalStateException("Committing a cell failed: " + cause.getMessage(), cause);
        } finally {
            pool.shutdownNow();
        }
        if (stopping) {
            throw new IllegalStateException("Stopped after " + stopAfterCells + " committed cells (test hook "
                    + STOP_CONF + "), as if the driver had died; resume to continue.");
        }
        return outcomes;
    }

    /** Runs one cell as a Spark job and commits it; returns its run, or null when Spark gave up on it. */
    private CellRun runCell(GridCell cell, CellTask task, ResultWriter writer, Outcomes outcomes, Progress progress) {
        jsc.setJobGroup("cell-" + cell.id(), "KPFF cell " + cell.id() + " (" + cell.backbone() + ", "
                + cell.method().id() + ", fold " + cell.fold() + ")", true);
        CellRun run;
        try {
            run = jsc.parallelize(List.of(task), 1).map(CellRunner::run).collect().get(0);
        } catch (RuntimeException e) {
            outcomes.incomplete.add(cell.id());
            LOG.error("Cell {} did not complete after Spark's retries: {}", cell.id(), e.getMessage());
            progress.finished(cell, "incomplete");
            return null;
        } finally {
            jsc.clearJobGroup();
        }
        try {
            writer.commit(cell, task, run);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not commit cell " + cell.id(), e);
        }
        (run.ok() ? outcomes.ok : outcomes.failed).incrementAndGet();
        progress.finished(cell, run.ok()
                ? String.format(java.util.Locale.ROOT, "ok, accuracy %.4f", run.outcome().finalAccuracy())
                : "failed: " + run.reason());
        return run;
    }

    /** Concurrent cells: run.max-concurrent-cells, else the cluster's GPU slots, else its task slots. */
    int slots(JobConfig config) {
        if (config.run().maxConcurrentCells() > 0) {
            return config.run().maxConcurrentCells();
        }
        SparkConf conf = spark.sparkContext().conf();
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        int slots = Math.max(1, spark.sparkContext().defaultParallelism() / Math.max(1, taskCpus));
        double taskGpus = conf.getDouble("spark.task.resource.gpu.amount", 0);
        int executorGpus = conf.getInt("spark.executor.resource.gpu.amount", 0);
        int instances = conf.getInt("spark.executor.instances", 0);
        if (taskGpus > 0 && executorGpus > 0 && instances > 0) {
            slots = (int) Math.max(1, Math.floor(instances * executorGpus / taskGpus));
        }
        return slots;
    }

    private void writeText(String uri, String text) throws IOException {
        Path p = new Path(uri);
        try (java.io.OutputStream out = p.getFileSystem(hadoopConf).create(p, true)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private boolean exists(String uri) throws IOException {
        Path p = new Path(uri);
        return p.getFileSystem(hadoopConf).exists(p);
    }

    private static boolean nonEmpty(FileSystem fs, Path root) throws IOException {
        for (FileStatus st : fs.listStatus(root)) {
            if (!st.getPath().getName().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}

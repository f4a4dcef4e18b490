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
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.DatasetException;
import org.kpff.core.data.Folds;
import org.kpff.core.data.ImageProblem;
import org.kpff.core.data.SceneDataset;
import org.kpff.core.data.StratifiedKFold;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.RunMode;
import org.kpff.job.exec.CellCommitter;
import org.kpff.job.exec.CellRun;
import org.kpff.job.exec.CellRunner;
import org.kpff.job.exec.CellTask;
import org.kpff.job.exec.ImageCheck;
import org.kpff.job.exec.TestHooks;
import org.kpff.job.exec.DataParallelTrainer;
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
 * the longest cells first, commits each finished cell atomically, and finally aggregates all committed cells. In
 * {@code run.mode = data-parallel} the cells run one after another instead, each trained over all executors from
 * this driver ({@link DataParallelTrainer}) and committed the same way.
 */
public final class JobDriver {

    private static final Logger LOG = LoggerFactory.getLogger(JobDriver.class);

    /** Runtime conf of the test hook that makes each cell's first attempt fail after this epoch's checkpoint. */
    public static final String FAULT_CONF = "spark.kpff.test.failAfterEpoch";
    /** Runtime conf of the test hook that stops dispatching after this many committed cells and fails the attempt. */
    public static final String STOP_CONF = "spark.kpff.test.stopAfterCells";

    /** Runtime conf of the test hook: how many attempts of each cell fail that way (default 1). */
    public static final String FAULT_ATTEMPTS_CONF = "spark.kpff.test.failAttempts";

    /** Runtime conf of the test hook that pauses each cell's first attempt after its first checkpoint. */
    public static final String PAUSE_CONF = "spark.kpff.test.pauseDir";

    /** How often the driver tries to commit a cell's rows before it gives up on the run. */
    static final int COMMIT_ATTEMPTS = 3;

    private final SparkSession spark;
    private final JavaSparkContext jsc;
    private final Configuration hadoopConf;
    private volatile CellCommitter.BeforeRename beforeRename = id -> { };
    /** The output folder's lease while a run or search holds it ({@link #lease}); null otherwise. */
    private volatile OutputLease lease;

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
        try (OutputLease held = lease(outUri)) {
            return runHeld(config, dataUri, outUri, resume, argv);
        }
    }

    /**
     * Takes the output folder's single-writer lease for this driver (refusing a folder another live driver holds)
     * until the returned lease is closed; every commit checks it first.
     */
    OutputLease lease(String outUri) throws IOException {
        java.time.Duration timeout = OutputLease.parseTimeout(spark.conf().get(OutputLease.TIMEOUT_CONF,
                OutputLease.DEFAULT_TIMEOUT.toSeconds() + "s"));
        OutputLease taken = OutputLease.acquire(outUri, hadoopConf, spark.sparkContext().applicationId(), timeout);
        lease = taken;
        return taken;
    }

    private Report runHeld(JobConfig config, String dataUri, String outUri, boolean resume, List<String> argv)
            throws IOException {
        Session session = open(config, dataUri, outUri, resume, argv);
        List<GridCell> cells = GridPlanner.plan(config, session.listing().classCount(), session.committed());
        session.attempt().put("cells_planned", cells.size());
        session.info().write(session.layout().runJson(), hadoopConf);

        Outcomes outcomes;
        if (config.run().mode() == RunMode.DATA_PARALLEL) {
            int workers = dataParallelWorkers(config);
            session.attempt().put("data_parallel_workers", workers);
            session.info().write(session.layout().runJson(), hadoopConf);
            LOG.info("Run {}: {} cells to train ({} already committed), one after another, each data-parallel over "
                    + "{} workers", outUri, cells.size(), session.committed().size(), workers);
            outcomes = executeDataParallel(config, session, cells, workers,
                    new Progress(cells, c -> CostModel.cost(c, config), 1));
        } else {
            int slots = slots(config);
            LOG.info("Run {}: {} cells to train ({} already committed), {} at a time", outUri, cells.size(),
                    session.committed().size(), slots);
            outcomes = execute(config, session, new ListSource(cells), slots,
                    new Progress(cells, c -> CostModel.cost(c, config), slots));
        }
        String summary = finish(config, session, outcomes);
        return new Report(cells.size(), session.committed().size(), outcomes.ok.get(), outcomes.failed.get(),
                outcomes.incomplete.size(), summary, session.undecodable());
    }

    /**
     * An opened run folder: its layout and run.json, the dataset listing and folds, the writer, the cells committed
     * before this attempt, and this attempt's entry in run.json.
     */
    record Session(RunLayout layout, RunInfo info, DatasetListing listing, Folds folds, ResultWriter writer,
            Set<String> committed, ObjectNode attempt, long startNanos, List<ImageProblem> undecodable) {
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
        // Everything that can refuse the run comes before the first write: the output folder, the dataset listing,
        // the folds and every image's decode. A refused run leaves the output folder as it found it.
        RunInfo previous = checkOutput(config, layout, resume);
        DatasetListing listing = SceneDataset.list(dataUri, hadoopConf);
        Folds folds = StratifiedKFold.split(listing, config.data().folds(), config.data().foldSeed());
        if (previous != null) {
            checkSameDataset(previous, listing);
        }
        List<ImageProblem> undecodable = checkImages(listing, config.data().strict());
        RunInfo info = previous != null ? previous : newRun(layout);
        describeRun(info, config, listing, folds, dataUri, undecodable);

        ResultWriter writer = new ResultWriter(spark, layout);
        CellCommitter committer = writer.committer();
        committer.setBeforeRename(beforeRename);
        committer.cleanOrphans();
        Set<String> committed = committer.committedCells();
        ObjectNode attempt = info.attempts().addObject();
        attempt.put("started", started.toString());
        attempt.put("resume", resume);
        attempt.put("master", spark.sparkContext().master());
        attempt.put("application_id", spark.sparkContext().applicationId());
        attempt.put("cells_already_committed", committed.size());
        attempt.putPOJO("argv", argv);
        // run.json first: a driver killed from here on leaves a folder that --resume continues.
        info.write(layout.runJson(), hadoopConf);
        writeText(layout.resolvedConfig(), config.renderResolved());
        if (!exists(layout.foldsParquet())) {
            writer.writeFolds(listing, folds);
        }
        return new Session(layout, info, listing, folds, writer, committed, attempt, t0, undecodable);
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
        attempt.putPOJO("engines", outcomes.engines);
        attempt.put("executors", Math.max(1, jsc.sc().statusTracker().getExecutorInfos().length - 1));
        session.info().write(session.layout().runJson(), hadoopConf);
        if (!outcomes.incomplete.isEmpty()) {
            LOG.error("{} cells did not complete after Spark's retries: {}. Rerun with --resume to train only those.",
                    outcomes.incomplete.size(), outcomes.incomplete);
        }
        return summary;
    }

    /** Test hook: runs in every commit between staging a cell's tables and renaming them into place. */
    void setBeforeRename(CellCommitter.BeforeRename hook) {
        this.beforeRename = hook;
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

    /**
     * Checks the output folder without writing: returns the run to continue, or null for a new run (the folder is
     * missing or empty); refuses a non-empty folder without {@code --resume}, a folder that holds no run, and a run
     * whose config differs in a key that defines the results (naming the keys).
     */
    private RunInfo checkOutput(JobConfig config, RunLayout layout, boolean resume) throws IOException {
        Path root = new Path(layout.root());
        FileSystem fs = root.getFileSystem(hadoopConf);
        if (!fs.exists(root) || !nonEmpty(fs, root)) {
            if (resume) {
                LOG.warn("--resume given but {} holds no run yet: starting a new run.", layout.root());
            }
            return null;
        }
        RunInfo previous = RunInfo.read(layout.runJson(), hadoopConf).orElse(null);
        if (previous == null) {
            throw new IllegalArgumentException("Output " + layout.root() + " is not empty and holds no KPFF run (no "
                    + "run.json), so there is nothing to " + (resume ? "resume" : "continue") + " there: choose a new "
                    + "or empty folder for --out.");
        }
        if (!resume) {
            throw new IllegalArgumentException("Output " + layout.root() + " is not empty (it holds a run); pass "
                    + "--resume to continue that run, or choose another --out.");
        }
        if (!config.fingerprint().equals(previous.text("config_fingerprint"))) {
            JobConfig old = JobConfig.parse(previous.text("config_hocon"), layout.runJson(), List.of());
            throw new IllegalArgumentException("Cannot resume " + layout.root() + " with a different config; these "
                    + "keys differ from the run's: " + String.join(", ", old.differingKeys(config))
                    + ". Use the run's config (its run.json) or another --out.");
        }
        return previous;
    }

    /** Creates the output folder of a new run. */
    private RunInfo newRun(RunLayout layout) throws IOException {
        Path root = new Path(layout.root());
        root.getFileSystem(hadoopConf).mkdirs(root);
        RunInfo info = RunInfo.create();
        info.json().put("created", Instant.now().toString());
        return info;
    }

    private static void checkSameDataset(RunInfo info, DatasetListing listing) {
        String before = info.json().path("dataset").path("fingerprint").asText("");
        if (!before.isEmpty() && !before.equals(listing.fingerprint())) {
            throw new IllegalArgumentException("Cannot resume: the dataset changed since the run started (listing "
                    + "fingerprint " + before + " then, " + listing.fingerprint() + " now); its folds would differ.");
        }
    }

    /**
     * Decodes every image once, spread over the executors, before anything is written: in strict mode an
     * undecodable image refuses the run (naming the files); otherwise those images are reported, recorded in
     * run.json and skipped by every cell.
     *
     * @return the images that cannot be decoded, in listing order
     * @throws DatasetException in strict mode, when any image cannot be decoded
     */
    List<ImageProblem> checkImages(DatasetListing listing, boolean strict) {
        int n = listing.size();
        int partitions = Math.max(1, Math.min(n, jsc.defaultParallelism() * 2));
        List<int[]> slices = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            slices.add(new int[] {(int) ((long) n * p / partitions), (int) ((long) n * (p + 1) / partitions)});
        }
        SerializableHadoopConf conf = new SerializableHadoopConf(hadoopConf);
        jsc.setJobGroup("kpff-image-check", "Decode check of " + n + " images of " + listing.rootUri(), true);
        List<ImageProblem> problems;
        try {
            problems = new ArrayList<>(jsc.parallelize(slices, partitions)
                    .flatMap(s -> ImageCheck.check(listing, s[0], s[1], conf).iterator()).collect());
        } finally {
            jsc.clearJobGroup();
        }
        problems.sort(java.util.Comparator.comparingInt(ImageProblem::index));
        if (problems.isEmpty()) {
            return List.of();
        }
        String shown = problems.stream().limit(10).map(ImageProblem::toString)
                .collect(java.util.stream.Collectors.joining("; "));
        String more = problems.size() > 10 ? "; ..." : "";
        if (strict) {
            throw new DatasetException("data.strict = true and " + problems.size() + " of " + n + " images of "
                    + "dataset '" + listing.rootUri() + "' cannot be decoded: " + shown + more + ". Fix or remove "
                    + "those files, or set data.strict = false to skip them.");
        }
        LOG.warn("{} of {} images cannot be decoded and are skipped by every cell: {}{}", problems.size(), n, shown,
                more);
        return List.copyOf(problems);
    }

    private void describeRun(RunInfo info, JobConfig config, DatasetListing listing, Folds folds, String dataUri,
            List<ImageProblem> undecodable) {
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
        com.fasterxml.jackson.databind.node.ArrayNode bad = d.putArray("undecodable");
        for (ImageProblem p : undecodable) {
            bad.addObject().put("image", listing.relativePath(p.index())).put("reason", p.reason());
        }
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
        /** Cells committed per compute engine (what run.json's attempt reports). */
        final java.util.Map<String, Integer> engines = new java.util.concurrent.ConcurrentSkipListMap<>();
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
        TestHooks hooks = testHooks();
        int stopAfterCells = Integer.parseInt(spark.conf().get(STOP_CONF, "0"));
        List<GridCell> started = new ArrayList<>();
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
                    CellTask task = task(config, session, planned, conf, hooks);
                    progress.started(cell);
                    started.add(cell);
                    ended.submit(() -> new Ended(planned, runCell(cell, task, session.writer(), outcomes, progress,
                            () -> jsc.parallelize(List.of(task), 1).map(CellRunner::run).collect().get(0))));
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
            // A commit failed for good: stop the other cells before returning, so that nothing of this attempt
            // is still training or committing when the caller (or a resumed run) looks at the output folder.
            for (GridCell cell : started) {
                jsc.cancelJobGroup("cell-" + cell.id());
            }
            pool.shutdownNow();
            awaitStopped(pool);
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

    private static void awaitStopped(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES)) {
                LOG.warn("Cell threads still running 2 minutes after the run was stopped.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Data-parallel mode: the cells one after another, each trained over all executors from this driver. The fault
     * hook does not apply (a data-parallel cell has no single task to fail).
     */
    private Outcomes executeDataParallel(JobConfig config, Session session, List<GridCell> cells, int workers,
            Progress progress) {
        Outcomes outcomes = new Outcomes();
        SerializableHadoopConf conf = new SerializableHadoopConf(hadoopConf);
        for (GridCell cell : cells) {
            CellTask task = task(config, session, PlannedCell.of(cell), conf, TestHooks.NONE);
            progress.started(cell);
            runCell(cell, task, session.writer(), outcomes, progress,
                    () -> DataParallelTrainer.run(jsc, task, config.run().dataParallel(), workers));
        }
        return outcomes;
    }

    /** The task of a planned cell: its spec, data, fold, checkpoint folder (or none) and test hooks. */
    private static CellTask task(JobConfig config, Session session, PlannedCell planned, SerializableHadoopConf conf,
            TestHooks hooks) {
        GridCell cell = planned.cell();
        boolean checkpoint = config.run().checkpoint() || planned.alwaysCheckpoint();
        return new CellTask(cell.id(), cell.toCellSpec(config, session.listing().classCount()), session.listing(),
                session.folds(), cell.fold(), config.data().normalization().id(), config.data().augment(),
                config.data().strict(), checkpoint ? session.layout().checkpointDir(planned.checkpointName()) : null,
                conf, hooks);
    }

    /** Runs one cell (as a Spark job, or data-parallel) and commits it; returns its run, or null when it failed
     * for good in Spark (incomplete). */
    private CellRun runCell(GridCell cell, CellTask task, ResultWriter writer, Outcomes outcomes, Progress progress,
            Supplier<CellRun> training) {
        jsc.setJobGroup("cell-" + cell.id(), "KPFF cell " + cell.id() + " (" + cell.backbone() + ", "
                + cell.method().id() + ", fold " + cell.fold() + ")", true);
        CellRun run;
        try {
            run = training.get();
        } catch (Exception e) {
            // Spark throws its (checked) SparkException through Scala when the task failed spark.task.maxFailures
            // times: that cell is incomplete, the others go on.
            outcomes.incomplete.add(cell.id());
            LOG.error("Cell {} did not complete after Spark's retries: {}", cell.id(), e.getMessage());
            progress.finished(cell, "incomplete");
            return null;
        } finally {
            jsc.clearJobGroup();
        }
        commit(cell, task, run, writer);
        (run.ok() ? outcomes.ok : outcomes.failed).incrementAndGet();
        outcomes.engines.merge(run.engine(), 1, Integer::sum);
        progress.finished(cell, run.ok()
                ? String.format(java.util.Locale.ROOT, "ok, accuracy %.4f", run.outcome().finalAccuracy())
                : "failed: " + run.reason());
        return run;
    }

    /**
     * Commits a cell, retrying a commit that failed before its last rename: each attempt stages afresh and
     * {@link CellCommitter} replaces what a failed attempt left, so the cell becomes visible exactly once.
     */
    private void commit(GridCell cell, CellTask task, CellRun run, ResultWriter writer) {
        OutputLease held = lease;
        if (held != null) {
            held.checkHeld();
        }
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

    private TestHooks testHooks() {
        int failAfterEpoch = Integer.parseInt(spark.conf().get(FAULT_CONF, "0"));
        int failAttempts = Integer.parseInt(spark.conf().get(FAULT_ATTEMPTS_CONF, "1"));
        String pauseDir = spark.conf().get(PAUSE_CONF, "");
        if (failAfterEpoch == 0 && pauseDir.isEmpty()) {
            return TestHooks.NONE;
        }
        LOG.warn("Test hooks on: {}={}, {}={}, {}={}", FAULT_CONF, failAfterEpoch, FAULT_ATTEMPTS_CONF, failAttempts,
                PAUSE_CONF, pauseDir);
        return new TestHooks(failAfterEpoch, failAttempts, pauseDir.isEmpty() ? null : pauseDir);
    }

    /** Concurrent cells: run.max-concurrent-cells, else the cluster's GPU slots, else its task slots. */
    int slots(JobConfig config) {
        if (config.run().maxConcurrentCells() > 0) {
            return config.run().maxConcurrentCells();
        }
        return clusterSlots();
    }

    /** Workers of a data-parallel cell: run.data-parallel.workers, else the cluster's GPU slots, else task slots. */
    int dataParallelWorkers(JobConfig config) {
        int workers = config.run().dataParallel().workers();
        return workers > 0 ? workers : clusterSlots();
    }

    /** The cluster's GPU slots when GPUs are scheduled, else its task slots. */
    private int clusterSlots() {
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

package org.kpff.job.driver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.Folds;
import org.kpff.core.data.ImageProblem;
import org.kpff.core.data.SceneDataset;
import org.kpff.core.data.StratifiedKFold;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.job.config.ConfigDifference;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchExtension;
import org.kpff.job.results.CellCommitter;
import org.kpff.job.results.RunLayout;
import org.kpff.job.results.SchemaVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's output folder: refuses to overwrite it (or to resume with a different config or dataset), lists the
 * dataset and makes the folds, runs the {@link PreflightCheck}, removes orphans of a crashed commit, and writes
 * run.json (one entry per attempt), resolved.conf and folds.parquet; at the end of an attempt it aggregates the
 * committed cells and closes the attempt's entry.
 */
final class RunFolder {

    private static final Logger LOG = LoggerFactory.getLogger(RunFolder.class);

    private final SparkSession spark;
    private final Configuration hadoopConf;
    private final PreflightCheck preflight;
    /** The output folder's lease while a run or search holds it ({@link #lease}); null otherwise. */
    private volatile OutputLease lease;
    /** The keys a resumed search grew in this attempt ("search.trials: 3 -> 5"), or null; set by checkOutput. */
    private String extension;

    RunFolder(SparkSession spark, PreflightCheck preflight) {
        this.spark = spark;
        this.hadoopConf = spark.sparkContext().hadoopConfiguration();
        this.preflight = preflight;
    }

    /**
     * Takes the output folder's single-writer lease for this driver (refusing a folder another live driver holds)
     * until the returned lease is closed; every commit of a session opened meanwhile checks it first.
     */
    OutputLease lease(String outUri) throws IOException {
        Duration timeout = OutputLease.parseTimeout(spark.conf().get(OutputLease.TIMEOUT_CONF,
                OutputLease.DEFAULT_TIMEOUT.toSeconds() + "s"));
        OutputLease taken = OutputLease.acquire(outUri, spark.conf().get(OutputLease.LEASE_URI_CONF, ""), hadoopConf,
                spark.sparkContext().applicationId(), timeout, java.time.Clock.systemUTC());
        lease = taken;
        return taken;
    }

    /** The Hadoop configuration of the run folder's FileSystem. */
    Configuration hadoopConf() {
        return hadoopConf;
    }

    /**
     * Prepares the run folder for an attempt: everything that can refuse the run (the output folder, the dataset
     * listing, the folds, every image's decode) comes before the first write, so a refused run leaves the folder as
     * it found it.
     */
    RunSession open(JobConfig config, String dataUri, String outUri, boolean resume, List<String> argv)
            throws IOException {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        RunLayout layout = new RunLayout(outUri);
        extension = null;
        RunInfo previous = checkOutput(config, layout, resume);
        DatasetListing listing = SceneDataset.list(dataUri, hadoopConf);
        Folds folds = StratifiedKFold.split(listing, config.data().folds(), config.data().foldSeed());
        if (previous != null) {
            RunDataset.checkSame(previous, listing, hadoopConf, "Cannot resume: the dataset changed since the run "
                    + "started");
            RunDataset.warnOldCheckpoints(previous, layout, hadoopConf);
        }
        List<ImageProblem> undecodable = preflight.check(listing, config.data().strict());
        RunInfo info = previous != null ? previous : newRun(layout);
        describe(info, config, listing, folds, dataUri, undecodable);

        ResultWriter writer = new ResultWriter(spark, layout);
        CellCommitter committer = writer.committer();
        committer.cleanOrphans();
        Set<String> committed = committer.committedCells();
        ObjectNode attempt = info.attempts().addObject();
        attempt.put("started", started.toString());
        attempt.put(SchemaVersion.RUN_JSON_FIELD, SchemaVersion.CURRENT);
        attempt.put("resume", resume);
        attempt.put("master", spark.sparkContext().master());
        attempt.put("application_id", spark.sparkContext().applicationId());
        attempt.put("git_commit", GitCommit.describe()); // attempts of one run may run different builds
        attempt.put("cells_already_committed", committed.size());
        if (extension != null) {
            attempt.put("extends_search", extension);
        }
        attempt.putPOJO("argv", Redaction.of(spark).argv(argv));
        // run.json first: a driver killed from here on leaves a folder that --resume continues.
        info.write(layout.runJson(), hadoopConf);
        writeText(layout.resolvedConfig(), Redaction.text(config.renderResolved()));
        if (!writer.foldsWritten()) {
            writer.writeFolds(listing, folds);
        }
        return new RunSession(layout, info, listing, folds, writer, committed, attempt, t0, undecodable, lease);
    }

    /** Rewrites run.json as it stands (after the attempt's entry changed). */
    void save(RunSession session) throws IOException {
        session.info().write(session.layout().runJson(), hadoopConf);
    }

    /**
     * Aggregates all committed cells and closes the attempt's entry in run.json.
     *
     * @param executors executors the cluster has now, recorded in the attempt's entry
     * @return the summary Markdown, empty when no cell is committed
     */
    String finish(JobConfig config, RunSession session, Outcomes outcomes, int executors) throws IOException {
        String summary = session.writer().committer().committedCells().isEmpty() ? ""
                : session.writer().aggregate(config.data().folds());
        // Every cell thread has ended: nothing is staged any more, and a finished run needs no empty _staging/.
        session.writer().committer().cleanOrphans();
        ObjectNode attempt = session.attempt();
        attempt.put("ended", Instant.now().toString());
        attempt.put("wall_seconds", (System.nanoTime() - session.startNanos()) / 1e9);
        attempt.put("cells_ok", outcomes.ok.get());
        attempt.put("cells_failed", outcomes.failed.get());
        attempt.put("cells_incomplete", outcomes.incomplete.size());
        attempt.putPOJO("engines", outcomes.engines);
        attempt.put("executors", executors);
        save(session);
        if (!outcomes.incomplete.isEmpty()) {
            LOG.error("{} cells did not complete after Spark's retries: {}. Rerun with --resume to train only those.",
                    outcomes.incomplete.size(), outcomes.incomplete);
        }
        return summary;
    }

    /** Re-aggregates the committed cells of a run folder into summary.parquet and summary.md. */
    String summarize(String outUri) throws IOException {
        RunLayout layout = new RunLayout(outUri);
        RunInfo info = RunInfo.read(layout.runJson(), hadoopConf).orElseThrow(() -> new IllegalArgumentException(
                "No run at " + outUri + ": " + layout.runJson() + " does not exist."));
        info.checkReadable(outUri);
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
     * whose config differs in a key that defines the results (naming the keys), except a search whose
     * {@code search.trials} grows ({@link SearchExtension}: the search is extended).
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
        int version = previous.checkReadable(layout.root());
        if (version < SchemaVersion.CURRENT) {
            LOG.info("{} was written in output schema version {}: resuming it writes version {} for the cells trained "
                    + "now; readers take both (README, Output schema).", layout.root(), version,
                    SchemaVersion.CURRENT);
        }
        if (!config.fingerprint().equals(previous.text("config_fingerprint"))) {
            JobConfig old = JobConfig.parse(previous.text("config_hocon"), layout.runJson(), List.of());
            // Refuses every difference but a search's growing trial count (which extends the search).
            List<ConfigDifference> grown = SearchExtension.check(old, config, layout.root());
            extension = String.join(", ", grown.stream().map(d -> d.key() + ": " + d.left() + " -> " + d.right())
                    .toList());
            LOG.info("Extending the search in {}: {}; its committed cells are replayed, the new trials come after "
                    + "them.", layout.root(), extension);
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

    /** Records in run.json what defines the run: config, dataset, folds, seeds, versions and commit. */
    private void describe(RunInfo info, JobConfig config, DatasetListing listing, Folds folds, String dataUri,
            List<ImageProblem> undecodable) {
        ObjectNode n = info.json();
        n.put(SchemaVersion.RUN_JSON_FIELD, SchemaVersion.CURRENT);
        n.put("config_fingerprint", config.fingerprint());
        n.put("config_hocon", Redaction.text(config.renderResolved()));
        java.util.SortedMap<String, String> values = new java.util.TreeMap<>(config.canonicalValues());
        values.replaceAll((k, v) -> Redaction.text(v));
        n.putPOJO("config", values);
        ObjectNode d = n.putObject("dataset");
        d.put("uri", Redaction.text(dataUri));
        d.put("fingerprint", listing.fingerprint());
        d.put("images", listing.size());
        d.put("ignored_files", listing.ignoredFiles());
        d.put("synthetic", SyntheticScenes.isSynthetic(dataUri, hadoopConf));
        d.putPOJO("classes", listing.classes());
        ArrayNode bad = d.putArray("undecodable");
        for (ImageProblem p : undecodable) {
            bad.addObject().put("image", listing.relativePath(p.index())).put("reason", p.reason());
        }
        ObjectNode f = n.putObject("folds");
        f.put("k", folds.k());
        f.put("seed", folds.seed());
        n.put("run_seed", config.train().seed());
        ObjectNode v = n.putObject("versions");
        Versions.current(spark.version()).forEach(v::put);
        n.put("git_commit", GitCommit.describe());
    }

    private void writeText(String uri, String text) throws IOException {
        Path p = new Path(uri);
        try (OutputStream out = p.getFileSystem(hadoopConf).create(p, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
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

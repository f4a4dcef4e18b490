package org.kpff.job.driver;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kpff.core.fs.AtomicReplace;
import org.kpff.core.fs.StoreSemantics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.Folds;
import org.kpff.core.train.CellOutcome;
import org.kpff.core.train.EpochEvaluation;
import org.kpff.core.train.Prediction;
import org.kpff.job.exec.CellRun;
import org.kpff.job.exec.CellTask;
import org.kpff.job.plan.GridCell;
import org.kpff.job.results.Aggregation;
import org.kpff.job.results.Aggregator;
import org.kpff.job.results.CellKey;
import org.kpff.job.results.CellResult;
import org.kpff.job.results.CellStatus;
import org.kpff.job.results.CellCommitter;
import org.kpff.job.results.CommitProtocols;
import org.kpff.job.results.ComparisonRow;
import org.kpff.job.results.DatasetSummary;
import org.kpff.job.results.EpochMetrics;
import org.kpff.job.results.FoldAssignment;
import org.kpff.job.results.ImagePrediction;
import org.kpff.job.results.ParquetVersionStamp;
import org.kpff.job.results.ResultSchemas;
import org.kpff.job.results.RunLayout;
import org.kpff.job.results.RunLayout.CellTable;
import org.kpff.job.results.SummaryMarkdown;
import org.kpff.job.results.SummaryPlots;
import org.kpff.job.results.SummaryRow;
import org.kpff.job.results.TrialRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns executor results into the run's Parquet tables (one small file per cell and table, committed atomically by
 * {@link CellCommitter}), writes {@code folds.parquet}, and aggregates the committed cells into
 * {@code summary.parquet}, {@code comparisons.parquet} and {@code summary.md}.
 */
final class ResultWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ResultWriter.class);

    private final SparkSession spark;
    private final RunLayout layout;
    private final Configuration conf;
    private final CellCommitter committer;

    ResultWriter(SparkSession spark, RunLayout layout) {
        this.spark = spark;
        this.layout = layout;
        this.conf = spark.sparkContext().hadoopConfiguration();
        this.committer = new CellCommitter(layout, conf);
        ResultSchemas.writeTimestampsAsMicros(spark);
        try {
            CommitProtocols.configure(spark, layout.root());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot reach the run folder " + layout.root(), e);
        }
    }

    CellCommitter committer() {
        return committer;
    }

    /** Writes {@code folds.parquet} (image path relative to the dataset root, label, fold) atomically. */
    void writeFolds(DatasetListing listing, Folds folds) throws IOException {
        List<Row> rows = new ArrayList<>(listing.size());
        for (int i = 0; i < listing.size(); i++) {
            rows.add(new FoldAssignment(listing.relativePath(i), listing.classes().get(listing.label(i)), folds.fold(i))
                    .toRow());
        }
        if (committer.direct()) {
            // No rename: written in place; its _SUCCESS, written last, says it is complete.
            overwrite(rows, ResultSchemas.FOLDS, layout.foldsParquet());
            StoreSemantics.writeFile(new Path(layout.foldsParquet(), "_SUCCESS"), new byte[0], conf);
            return;
        }
        String tmp = layout.stagingDir() + "/folds-" + System.nanoTime();
        write(rows, ResultSchemas.FOLDS, tmp);
        FileSystem fs = new Path(layout.root()).getFileSystem(conf);
        if (!fs.rename(new Path(tmp), new Path(layout.foldsParquet()))) {
            throw new IOException("Could not rename " + tmp + " to " + layout.foldsParquet());
        }
    }

    /** Whether {@code folds.parquet} is complete: it exists (renamed into place), or, direct, has its _SUCCESS. */
    boolean foldsWritten() throws IOException {
        Path folds = new Path(layout.foldsParquet());
        FileSystem fs = folds.getFileSystem(conf);
        return committer.direct() ? fs.exists(new Path(folds, "_SUCCESS")) : fs.exists(folds);
    }

    /** Converts one executor result into rows and commits them. */
    void commit(GridCell cell, CellTask task, CellRun run) throws IOException {
        CellKey key = CellKey.of(cell);
        CellOutcome o = run.outcome();
        CellResult result;
        List<Row> metrics = new ArrayList<>();
        List<Row> predictions = new ArrayList<>();
        if (run.ok()) {
            List<Double> w = null;
            if (o.learnedW() != null) {
                w = new ArrayList<>();
                for (double v : o.learnedW()) {
                    w.add(v);
                }
            }
            result = new CellResult(key, CellStatus.OK, null, o.finalAccuracy(), o.bestAccuracy(), o.bestEpoch(),
                    o.epochs(), run.seconds(), o.trainSeconds(), run.host(), gpuOrNull(run.gpu()), run.attempt(), w,
                    Arrays.stream(o.confusion()).flatMapToInt(Arrays::stream).boxed().toList(),
                    task.spec().fusionInit(), cell.seed(), o.resumedFrom(), run.jvmDecodes(), run.nativeBytes(),
                    run.rssBytes(), run.engine(), run.executorId(), run.startedAt(), run.finishedAt(), run.device(),
                    imagesPerSecond(o, task.listing().size(), run.heldOutImages().size()), cell.outerFold(),
                    cell.role());
            for (EpochEvaluation e : o.evaluations()) {
                metrics.add(new EpochMetrics(key, e.epoch(), e.trainLoss(), e.valLoss(), e.valAccuracy(), e.seconds(),
                        e.fusionW()).toRow());
            }
            List<String> classes = task.listing().classes();
            for (Prediction p : o.predictions()) {
                int image = run.heldOutImages().get(p.position());
                List<Float> probs = new ArrayList<>(p.probabilities().length);
                for (float f : p.probabilities()) {
                    probs.add(f);
                }
                predictions.add(new ImagePrediction(key, task.listing().relativePath(image), classes.get(p.label()),
                        classes.get(p.predicted()), probs).toRow());
            }
        } else {
            result = new CellResult(key, CellStatus.FAILED, run.reason(), null, null, null, 0, run.seconds(), 0,
                    run.host(), gpuOrNull(run.gpu()), run.attempt(), null, null, task.spec().fusionInit(), cell.seed(),
                    0, run.jvmDecodes(), run.nativeBytes(), run.rssBytes(), run.engine(), run.executorId(),
                    run.startedAt(), run.finishedAt(), run.device(), null, cell.outerFold(), cell.role());
        }
        if (result.gpu() != null && "cpu".equals(result.device())) {
            LOG.warn("Cell {} was assigned GPU {} by Spark but trained on the CPU: the application jar has ND4J's "
                    + "CPU backend (build it with -Pcuda). Recorded in its cells row (gpu = {}, device = cpu).",
                    cell.id(), result.gpu(), result.gpu());
        }
        Map<CellTable, CellCommitter.TableWriter> tables = new EnumMap<>(CellTable.class);
        tables.put(CellTable.METRICS, dir -> write(metrics, ResultSchemas.METRICS, dir));
        tables.put(CellTable.PREDICTIONS, dir -> write(predictions, ResultSchemas.PREDICTIONS, dir));
        tables.put(CellTable.CELLS, dir -> write(List.of(result.toRow()), ResultSchemas.CELLS, dir));
        committer.commit(cell.id(), tables);
    }

    /**
     * Images the attempt trained on and evaluated per second of its epoch loop: the epochs it trained (after the
     * checkpoint it resumed from) times the training-fold size, plus the evaluations it ran times the held-out size
     * (the trainer evaluates once more after the last epoch when that epoch was not on the schedule, or when a
     * resumed attempt had nothing left to train). Null when the loop took no measurable time.
     */
    static Double imagesPerSecond(CellOutcome o, int datasetSize, int heldOut) {
        long trained = (long) (o.epochs() - o.resumedFrom()) * (datasetSize - heldOut);
        long evaluations = o.evaluations().stream().filter(e -> e.epoch() > o.resumedFrom()).count();
        boolean lastEvaluated = o.evaluations().stream()
                .anyMatch(e -> e.epoch() == o.epochs() && e.epoch() > o.resumedFrom());
        if (!lastEvaluated) {
            evaluations++;
        }
        long images = trained + evaluations * heldOut;
        return o.trainSeconds() > 0 ? images / o.trainSeconds() : null;
    }

    private static String gpuOrNull(String gpu) {
        return gpu == null || gpu.equals("cpu") ? null : gpu;
    }

    /**
     * Writes the rows as one Parquet file into {@code dir}, which must not exist: Spark writes into a scratch folder
     * under {@code _staging/}, then the file is copied with the schema version in its footer straight to its name in
     * {@code dir} ({@link ParquetVersionStamp}; one PUT on an object store, no rename) and the scratch folder removed.
     */
    private void write(List<Row> rows, StructType schema, String dir) throws IOException {
        Path target = new Path(dir);
        FileSystem fs = target.getFileSystem(conf);
        if (fs.exists(target)) {
            throw new FileAlreadyExistsException(dir + " already exists");
        }
        String scratch = layout.stagingDir() + "/spark-" + UUID.randomUUID();
        oneFile(rows, schema).write().mode(SaveMode.ErrorIfExists).parquet(scratch);
        ParquetVersionStamp.copyStamped(scratch, dir, conf);
        fs.delete(new Path(scratch), true);
        removeStagingIfEmpty(fs);
    }

    /**
     * Removes {@code _staging/} when nothing is in it, so that a finished run keeps none. A commit that stages
     * meanwhile makes the non-recursive delete fail, which is harmless: the folder is in use.
     */
    private void removeStagingIfEmpty(FileSystem fs) {
        Path staging = new Path(layout.stagingDir());
        try {
            if (fs.exists(staging) && fs.listStatus(staging).length == 0) {
                fs.delete(staging, false);
            }
        } catch (IOException inUse) {
            LOG.debug("{} not removed: {}", staging, inUse.getMessage());
        }
    }

    /** {@link #write} after removing what {@code dir} held (Spark's overwrite: not atomic). */
    private void overwrite(List<Row> rows, StructType schema, String dir) throws IOException {
        Path target = new Path(dir);
        target.getFileSystem(conf).delete(target, true);
        write(rows, schema, dir);
    }

    /**
     * Driver-side rows as a frame of one partition, so that a write makes one small file in one task without a
     * shuffle: {@code coalesce(1)} of a local relation only merges its slices ({@code repartition(1)} shuffled them).
     * The trap of {@code coalesce(1)} (collapsing the upstream stage into one task) does not apply: the rows are
     * already on the driver, nothing runs upstream.
     */
    private Dataset<Row> oneFile(List<Row> rows, StructType schema) {
        return spark.createDataFrame(rows, schema).coalesce(1);
    }

    /** The rows of every committed cell, by cell id. */
    Map<String, CellResult> committedResults() throws IOException {
        Map<String, CellResult> out = new HashMap<>();
        var committed = committer.committedCells();
        if (committed.isEmpty()) {
            return out;
        }
        for (Row r : spark.read().schema(ResultSchemas.CELLS).parquet(layout.cellsDir() + "/*").collectAsList()) {
            CellResult c = CellResult.fromRow(r);
            if (committed.contains(c.cell().cellId())) {
                out.put(c.cell().cellId(), c);
            }
        }
        return out;
    }

    /**
     * How many of a grid's planned cells are committed: the latest attempt planned {@code cells_planned} beside its
     * {@code cells_already_committed}. Null for a search (it plans as it goes) or a run.json without them.
     */
    static SummaryMarkdown.Coverage coverage(JsonNode runJson, int committed) {
        JsonNode attempts = runJson.path("attempts");
        if (!"none".equals(runJson.path("config").path("search.strategy").asText("none")) || !attempts.isArray()
                || attempts.isEmpty() || !attempts.get(attempts.size() - 1).has("cells_planned")) {
            return null;
        }
        JsonNode last = attempts.get(attempts.size() - 1);
        return new SummaryMarkdown.Coverage(committed, last.path("cells_already_committed").asInt()
                + last.path("cells_planned").asInt());
    }

    /** Replaces {@code trials/} with these rows ({@link #writeTable}). */
    void writeTrials(List<TrialRow> trials) throws IOException {
        writeTable(layout.trialsDir(), ResultSchemas.TRIALS, trials.stream().map(TrialRow::toRow).toList());
    }

    /**
     * Replaces a whole-run table (a folder of Parquet) with these rows: written under {@code _staging/} and renamed
     * into place where rename is atomic, else written in place (not atomic: {@link StoreSemantics}).
     */
    void writeTable(String uri, StructType schema, List<Row> rows) throws IOException {
        if (committer.direct()) {
            overwrite(rows, schema, uri);
            return;
        }
        String tmp = layout.stagingDir() + "/" + new Path(uri).getName() + "-" + System.nanoTime();
        write(rows, schema, tmp);
        AtomicReplace.replace(new Path(tmp), new Path(uri), conf);
        removeStagingIfEmpty(new Path(uri).getFileSystem(conf));
    }

    /** Writes a text file atomically (a temporary file renamed into place, or one PUT: {@link StoreSemantics}). */
    void writeText(String uri, String text) throws IOException {
        StoreSemantics.writeFile(new Path(uri), text.getBytes(StandardCharsets.UTF_8), conf);
    }

    /** Reads all committed cells and their predictions, aggregates, and writes the summary files. */
    String aggregate(int folds) throws IOException {
        // The summary is the cross-validation of ordinary cells: a nested search's inner and outer cells are
        // reported in search.md and nested.parquet, and would repeat a point on a fold.
        List<CellResult> cells = new ArrayList<>();
        java.util.Set<String> nestedCells = new java.util.HashSet<>();
        for (Row r : spark.read().schema(ResultSchemas.CELLS).parquet(layout.cellsDir() + "/*").collectAsList()) {
            CellResult c = CellResult.fromRow(r);
            if (c.role() == org.kpff.job.plan.CellRole.CV) {
                cells.add(c);
            } else {
                nestedCells.add(c.cell().cellId());
            }
        }
        List<ImagePrediction> predictions = new ArrayList<>();
        FileSystem fs = new Path(layout.root()).getFileSystem(conf);
        if (fs.exists(new Path(layout.predictionsDir())) && fs.listStatus(new Path(layout.predictionsDir())).length > 0) {
            for (Row r : spark.read().schema(ResultSchemas.PREDICTIONS).parquet(layout.predictionsDir() + "/*")
                    .collectAsList()) {
                predictions.add(ImagePrediction.fromRow(r));
            }
        }
        var committed = committer.committedCells();
        predictions.removeIf(p -> !committed.contains(p.cell().cellId()) || nestedCells.contains(p.cell().cellId()));
        Aggregation agg = Aggregator.aggregate(cells, predictions, folds);
        overwrite(agg.summary().stream().map(SummaryRow::toRow).toList(), ResultSchemas.SUMMARY,
                layout.summaryParquet());
        overwrite(agg.comparisons().stream().map(ComparisonRow::toRow).toList(), ResultSchemas.COMPARISONS,
                layout.comparisonsParquet());
        Optional<RunInfo> info = RunInfo.read(layout.runJson(), conf);
        DatasetSummary dataset = info.flatMap(i -> DatasetSummary.fromRunJson(i.json())).orElse(null);
        String md = SummaryMarkdown.render(agg, dataset, info.map(i -> coverage(i.json(), committed.size()))
                .orElse(null)) + SummaryMarkdown.provenance(cells);
        writeText(layout.summaryMarkdown(), md);
        List<EpochMetrics> metrics = new ArrayList<>();
        if (fs.exists(new Path(layout.metricsDir())) && fs.listStatus(new Path(layout.metricsDir())).length > 0) {
            for (Row r : spark.read().schema(ResultSchemas.METRICS).parquet(layout.metricsDir() + "/*").collectAsList()) {
                EpochMetrics m = EpochMetrics.fromRow(r);
                if (committed.contains(m.cell().cellId()) && !nestedCells.contains(m.cell().cellId())) {
                    metrics.add(m);
                }
            }
        }
        int classes = predictions.isEmpty() ? 0 : predictions.get(0).probabilities().size();
        for (Map.Entry<String, byte[]> png : SummaryPlots.render(agg.summary(), metrics, cells, classes).entrySet()) {
            StoreSemantics.writeFile(new Path(layout.plot(png.getKey())), png.getValue(), conf);
        }
        return md;
    }
}

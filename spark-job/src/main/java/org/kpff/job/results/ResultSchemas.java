package org.kpff.job.results;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet schemas of a run's tables: a public contract that Spark, pandas/pyarrow and DuckDB readers rely on.
 * Column names and types only ever gain columns at the end, and every change bumps {@link SchemaVersion}. Each
 * column's doc is its Spark field comment, the one place it is written: {@link #markdown()} renders them for the
 * README (ReadmeTest keeps it equal), and Spark stores them in every file's schema. Accuracies are fractions in
 * [0, 1] (Markdown shows percent).
 */
public final class ResultSchemas {

    private static final DataType HP = DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false);

    private static final List<StructField> CELL_KEY = List.of(
            col("cell_id", DataTypes.StringType, false,
                    "Cell id <backbone>-<fusion>-f<fold>-<8 hex of the hp hash>, e.g. alexnet-kpff-f0-e3b0c442."),
            col("backbone", DataTypes.StringType, false, "Backbone name: alexnet, vgg16 or inception."),
            col("fusion", DataTypes.StringType, false,
                    "Fusion method of the head: none (the original network), add, concat or kpff."),
            col("fold", DataTypes.IntegerType, false, "Held-out fold, 0-based; the cell trained on all other folds."),
            col("hp", HP, false, "Hyperparameter point: the config keys this cell overrides, with canonical values;"
                    + " empty for a plain run."));

    /** {@code cells/}: one row per cell. */
    public static final StructType CELLS = struct(CELL_KEY,
            col("status", DataTypes.StringType, false, "ok or failed."),
            col("reason", DataTypes.StringType, true, "Why the cell failed (exception and message); null when ok."),
            col("final_accuracy", DataTypes.DoubleType, true,
                    "Held-out accuracy after the last epoch, in [0, 1]; null when failed."),
            col("best_accuracy", DataTypes.DoubleType, true, "Highest held-out accuracy over the evaluations, in"
                    + " [0, 1]; chosen on the test fold, so optimistic; null when failed."),
            col("best_epoch", DataTypes.IntegerType, true, "1-based epoch of best_accuracy; null when failed."),
            col("epochs", DataTypes.IntegerType, false, "Epochs completed."),
            col("seconds", DataTypes.DoubleType, false, "Wall-clock seconds of the last attempt: loading, training,"
                    + " evaluation and writing."),
            col("train_seconds", DataTypes.DoubleType, false,
                    "Seconds of the last attempt spent in the epoch loop: training steps and evaluations (not loading"
                            + " or committing)."),
            col("host", DataTypes.StringType, false, "Executor host of the last attempt."),
            col("gpu", DataTypes.StringType, true, "GPU address Spark assigned the last attempt"
                    + " (spark.task.resource.gpu.amount = 1), as the discovery script named it; null when the task got"
                    + " none. Data-parallel cells: the workers' host/device list."),
            col("attempts", DataTypes.IntegerType, false, "Task attempts used; 1 when the first one succeeded."),
            col("learned_w", DataTypes.createArrayType(DataTypes.DoubleType, false), true, "KPFF's W after"
                    + " training, row-major n x n (W[r][c] at r*n + c; column i is w_i); null for other methods and"
                    + " failed cells."),
            col("confusion", DataTypes.createArrayType(DataTypes.IntegerType, false), true, "Confusion matrix of the"
                    + " held-out fold after the last epoch (ND4J's Evaluation), row-major k x k over the classes in"
                    + " sorted order (run.json): entry t*k + p counts images of true class t predicted as p; null"
                    + " for failed cells and in runs of schema version 1 (count it from predictions)."),
            col("fusion_init", DataTypes.StringType, false,
                    "How W started: identity, add or random (recorded for every cell)."),
            col("seed", DataTypes.LongType, false, "The cell's seed, derived from the run seed and the cell identity."),
            col("resumed_from", DataTypes.IntegerType, false,
                    "Epoch the last attempt restored from its checkpoint; 0 when it trained from scratch."),
            col("jvm_decodes", DataTypes.LongType, false, "Full dataset decodes the executor JVM had done after this"
                    + " cell (1 means the dataset was decoded once and reused by every cell on that executor)."),
            col("native_bytes", DataTypes.LongType, false,
                    "Off-heap bytes (JavaCPP) the executor held when the cell ended: its network and workspaces are"
                            + " freed by then; arrays the garbage collector has not reclaimed yet are included (no GC"
                            + " is forced: it would pause every cell on the executor)."),
            col("rss_bytes", DataTypes.LongType, false,
                    "Physical memory of the executor process when the cell ended."),
            col("engine", DataTypes.StringType, true,
                    "Compute path the network ran on: cpu-onednn-<isa> (oneDNN; isa avx512, avx2, avx or sse), "
                            + "cuda-cudnn, cpu-plain or cuda-plain (DL4J's im2col path), +plain(k/n) when k of n "
                            + "conv/BN/pool layers ran the plain path; null in rows from before the column."),
            col("executor_id", DataTypes.StringType, true, "Spark executor id of the last attempt (driver in local"
                    + " mode and for data-parallel cells); null in runs written before this column."),
            col("started_at", DataTypes.TimestampType, true, "When the last attempt started on its executor"
                    + " (executor clock); Parquet TIMESTAMP_MICROS, UTC (INT96 in runs of schema version 2); null in"
                    + " runs written before this column."),
            col("finished_at", DataTypes.TimestampType, true, "When the last attempt ended on its executor: trained,"
                    + " evaluated and freed, before the driver committed it; stored as started_at; null in runs"
                    + " written before this column."),
            col("device", DataTypes.StringType, true, "What ND4J computed on in the last attempt: cpu or cuda:<n>"
                    + " (<name>). A gpu with device cpu means Spark assigned a GPU that the CPU build left idle (the CPU"
                    + " jar on a GPU cluster: build with -Pcuda); null in runs written before this column."),
            col("images_per_second", DataTypes.DoubleType, true, "Job-level throughput of the last attempt: the"
                    + " images it trained on (epochs trained in this attempt x training-fold size) and evaluated"
                    + " (evaluations it ran x held-out size), per second of train_seconds; null for failed cells and"
                    + " in runs written before this column."),
            col("outer_fold", DataTypes.IntegerType, true, "Nested search only: the outer fold of an inner or outer"
                    + " cell, never trained on by it; null for every other cell (and in runs written before this"
                    + " column)."),
            col("role", DataTypes.StringType, true, "cv for an ordinary cell, inner for a nested search's selection"
                    + " cell (trained without outer_fold and fold, tested on fold), outer for the refit of the point"
                    + " the inner search chose (trained without outer_fold, tested once on it: fold = outer_fold); a"
                    + " missing value (older runs) means cv."));

    /** {@code metrics/}: one row per cell per evaluation. */
    public static final StructType METRICS = struct(CELL_KEY,
            col("epoch", DataTypes.IntegerType, false, "1-based epoch after which the evaluation ran."),
            col("train_loss", DataTypes.DoubleType, false, "Mean training loss over the epoch's minibatches."),
            col("val_loss", DataTypes.DoubleType, false, "Mean loss on the held-out fold."),
            col("val_accuracy", DataTypes.DoubleType, false, "Accuracy on the held-out fold, in [0, 1]."),
            col("seconds", DataTypes.DoubleType, false, "Wall-clock seconds since the attempt started."),
            col("fusion_w", DataTypes.createArrayType(DataTypes.DoubleType, false), true, "KPFF's W at this"
                    + " evaluation, row-major n x n as learned_w (W[r][c] at r*n + c; column i is w_i); null for other"
                    + " methods. summary plots w-distance.png: its Frobenius distance from I (Concat) and from Add"
                    + " (every column e_1) per epoch."));

    /** {@code predictions/}: one row per cell per held-out image, after the last epoch. */
    public static final StructType PREDICTIONS = struct(CELL_KEY,
            col("image", DataTypes.StringType, false,
                    "Image path relative to the dataset root, e.g. beach/beach07.tif."),
            col("label", DataTypes.StringType, false, "The true class (its folder name)."),
            col("predicted", DataTypes.StringType, false, "The predicted class, the arg max of probabilities."),
            col("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false), false, "Softmax scores;"
                    + " index i is the i-th class name in sorted order (run.json classes)."));

    /** {@code folds.parquet}: the stratified fold of every image. */
    public static final StructType FOLDS = struct(List.of(),
            col("image", DataTypes.StringType, false, "Image path relative to the dataset root."),
            col("label", DataTypes.StringType, false, "The class (its folder name)."),
            col("fold", DataTypes.IntegerType, false, "The fold the image is held out in, 0-based."));

    /** {@code summary.parquet}: one row per backbone × fusion × hyperparameter point, over its folds. */
    public static final StructType SUMMARY = struct(List.of(),
            col("backbone", DataTypes.StringType, false, "Backbone name."),
            col("fusion", DataTypes.StringType, false, "Fusion method: none, add, concat or kpff."),
            col("hp", HP, false, "Hyperparameter point; empty for a plain run."),
            col("n_folds", DataTypes.IntegerType, false, "Folds with an ok cell."),
            col("mean_final_accuracy", DataTypes.DoubleType, false,
                    "Mean final accuracy over those folds; NaN if none."),
            col("std_final_accuracy", DataTypes.DoubleType, false,
                    "Sample standard deviation (n - 1) of the final accuracy; NaN for fewer than 2 folds."),
            col("mean_best_accuracy", DataTypes.DoubleType, false, "Mean best accuracy; NaN if none."),
            col("std_best_accuracy", DataTypes.DoubleType, false,
                    "Sample standard deviation of the best accuracy; NaN for fewer than 2 folds."));

    /**
     * {@code comparisons.parquet}: one row per backbone × hyperparameter point × (fusion, baseline) pair with
     * {@code baseline} in none, add, concat and earlier than {@code fusion} in that order, over the folds where both
     * cells are ok; {@code t_status} and {@code mcnemar_status} are {@link TTestStatus} and {@link McNemarStatus}.
     */
    public static final StructType COMPARISONS = struct(List.of(),
            col("backbone", DataTypes.StringType, false, "Backbone name."),
            col("fusion", DataTypes.StringType, false, "The fusion method compared."),
            col("baseline", DataTypes.StringType, false, "The method it is compared against: none, add or concat."),
            col("hp", HP, false, "Hyperparameter point; empty for a plain run."),
            col("n_folds", DataTypes.IntegerType, false, "Paired folds: both cells ok."),
            col("mean_diff", DataTypes.DoubleType, false,
                    "Mean of final_accuracy(fusion) - final_accuracy(baseline) over paired folds; NaN if none."),
            col("std_diff", DataTypes.DoubleType, false,
                    "Sample standard deviation of the differences; NaN for fewer than 2 folds."),
            col("t_statistic", DataTypes.DoubleType, false, "Nadeau-Bengio corrected resampled t:"
                    + " mean / sqrt((1/n + 1/(k-1)) s^2), k = config folds; NaN unless t_status is ok."),
            col("t_p_value", DataTypes.DoubleType, false,
                    "Two-sided p-value of t_statistic, Student t with n - 1 degrees of freedom; NaN unless t_status"
                            + " is ok."),
            col("n_images", DataTypes.LongType, false,
                    "Held-out images with predictions from both cells, pooled over paired folds."),
            col("mcnemar_b", DataTypes.LongType, false, "Images the fusion method gets right and the baseline wrong."),
            col("mcnemar_c", DataTypes.LongType, false, "Images the baseline gets right and the fusion method wrong."),
            col("mcnemar_p_value", DataTypes.DoubleType, false, "McNemar's exact test: two-sided binomial p of b"
                    + " among b + c at 1/2; 1 when b + c = 0, NaN when no image is paired."),
            col("t_status", DataTypes.StringType, false, "Whether the t-test is defined: ok; too-few-folds (fewer"
                    + " than 3 paired folds); zero-variance (the fold differences are all equal, all zero included:"
                    + " t would be a division by zero). t_statistic and t_p_value are NaN unless ok."),
            col("mcnemar_status", DataTypes.StringType, false, "ok; no-discordant (b + c = 0, e.g. identical"
                    + " predictions: p = 1, no evidence either way); no-images (no image predicted by both cells:"
                    + " p is NaN)."));

    /** {@code trials/}: one row per trial of a search ({@code search} subcommand), rewritten every attempt. */
    public static final StructType TRIALS = struct(List.of(),
            col("trial", DataTypes.IntegerType, false, "Trial id, 0-based in trial order."),
            col("hp", HP, false, "The trial's hyperparameter point (canonical values); the cells of an asha rung add"
                    + " train.epochs."),
            col("status", DataTypes.StringType, false, "completed, stopped (by successive halving), failed, incomplete"
                    + " (rerun with --resume) or pending."),
            col("rank", DataTypes.IntegerType, false, "1-based rank: highest rung with a fold-mean first, then"
                    + " fold-mean accuracy, then trial id."),
            col("rung", DataTypes.IntegerType, false, "The highest rung the trial entered, 0-based (0 for grid and"
                    + " random)."),
            col("epochs", DataTypes.IntegerType, false, "Epochs of that rung."),
            col("mean_accuracy", DataTypes.DoubleType, true,
                    "Fold-mean validation accuracy at that rung, in [0, 1]; null without one (failed, unfinished)."),
            col("std_accuracy", DataTypes.DoubleType, true,
                    "Sample standard deviation (n - 1) of the fold accuracies at that rung; null without 2 folds."),
            col("fold_accuracies", DataTypes.createArrayType(DataTypes.DoubleType, false), false,
                    "Validation accuracy per fold at that rung, in fold order; empty without."),
            col("rung_accuracies", DataTypes.createArrayType(DataTypes.DoubleType, false), false,
                    "Fold-mean accuracy at rungs 0 .. rung; NaN where the trial has none."),
            col("epoch_cells", DataTypes.LongType, false, "Epochs trained by the trial's cells, summed over folds and"
                    + " rungs (a promoted trial continues from its checkpoint)."),
            col("reason", DataTypes.StringType, true, "Why a failed trial failed (its first failed fold); null"
                    + " otherwise."),
            col("outer_fold", DataTypes.IntegerType, true, "Nested search only: the outer fold whose inner search"
                    + " this trial belongs to (scored on the other folds); null for the search over all folds."));

    /**
     * {@code nested.parquet}: a nested search's one row per outer fold.
     * <ul>
     * <li>{@code outer_fold} int: the outer fold, 0-based.</li>
     * <li>{@code trial} int: the trial the inner search chose; null when none could be chosen.</li>
     * <li>{@code hp} map&lt;string,string&gt;: the chosen point.</li>
     * <li>{@code inner_score} double: the chosen trial's fold-mean accuracy over the inner folds.</li>
     * <li>{@code outer_accuracy} double: the refit's accuracy on the outer fold; null until it ran, or failed.</li>
     * </ul>
     */
    public static final StructType NESTED = struct(List.of(),
            col("outer_fold", DataTypes.IntegerType, false, "The outer fold, 0-based: no selection decision of this row"
                    + " saw it."),
            col("trial", DataTypes.IntegerType, true, "The trial the inner search (on the other folds) chose; null when"
                    + " no trial had a score."),
            col("hp", HP, false, "The chosen point (canonical values), as refit; empty when none was chosen."),
            col("inner_score", DataTypes.DoubleType, true, "The chosen trial's fold-mean accuracy over the inner folds,"
                    + " in [0, 1] (the selection score: optimistic); null when none was chosen."),
            col("epochs", DataTypes.IntegerType, true, "Epochs the refit trained; null when none was chosen."),
            col("outer_accuracy", DataTypes.DoubleType, true, "The refit's held-out accuracy on the outer fold, in"
                    + " [0, 1]: trained on all other folds, tested once; null when it has not run or failed."),
            col("cell_id", DataTypes.StringType, true, "The refit cell's id in cells/; null when none was chosen."));

    private ResultSchemas() {
    }

    /**
     * Sets the session to write timestamps as schema version 3 stores them: Parquet TIMESTAMP_MICROS with UTC
     * semantics, instead of Spark's default INT96 (deprecated by the Parquet format). Before every write of a table.
     */
    public static void writeTimestampsAsMicros(org.apache.spark.sql.SparkSession spark) {
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    }

    /** Every table's schema by its name in the run folder, in documentation order. */
    public static Map<String, StructType> all() {
        Map<String, StructType> m = new LinkedHashMap<>();
        m.put("cells", CELLS);
        m.put("metrics", METRICS);
        m.put("predictions", PREDICTIONS);
        m.put("folds", FOLDS);
        m.put("summary", SUMMARY);
        m.put("comparisons", COMPARISONS);
        m.put("trials", TRIALS);
        m.put("nested", NESTED);
        return m;
    }

    /** A Markdown section per table: column, Spark SQL type, nullable, doc (the field comment). For the README. */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        all().forEach((name, schema) -> {
            sb.append("#### `").append(name).append("`\n\n| column | type | null | doc |\n|---|---|---|---|\n");
            for (StructField f : schema.fields()) {
                sb.append("| `").append(f.name()).append("` | ").append(f.dataType().simpleString()).append(" | ")
                        .append(f.nullable() ? "yes" : "no").append(" | ")
                        .append(f.getComment().isDefined() ? f.getComment().get().replace("|", "\\|") : "")
                        .append(" |\n");
            }
            sb.append('\n');
        });
        return sb.toString();
    }

    private static StructField col(String name, DataType type, boolean nullable, String doc) {
        return DataTypes.createStructField(name, type, nullable).withComment(doc);
    }

    private static StructType struct(List<StructField> prefix, StructField... rest) {
        List<StructField> all = new ArrayList<>(prefix);
        all.addAll(Arrays.asList(rest));
        return DataTypes.createStructType(all);
    }
}

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
 * Column names and types only ever gain columns at the end; every column carries its doc as a Spark field comment,
 * which {@link #markdown()} renders for the README. Accuracies are fractions in [0, 1] (Markdown shows percent).
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

    /**
     * {@code cells/}: one row per cell.
     * <ul>
     * <li>{@code cell_id} string: the cell id {@code <backbone>-<fusion>-f<fold>-<8 hex>}.</li>
     * <li>{@code backbone} string: alexnet, vgg16 or inception.</li>
     * <li>{@code fusion} string: none, add, concat or kpff.</li>
     * <li>{@code fold} int: the held-out fold, 0-based.</li>
     * <li>{@code hp} map&lt;string,string&gt;: the hyperparameter point (overridden keys), empty for plain runs.</li>
     * <li>{@code status} string: ok or failed.</li>
     * <li>{@code reason} string: why the cell failed; null when ok.</li>
     * <li>{@code final_accuracy} double: held-out accuracy after the last epoch, in [0, 1]; null when failed.</li>
     * <li>{@code best_accuracy} double: highest held-out accuracy over the evaluations (optimistic: chosen on the
     * test fold); null when failed.</li>
     * <li>{@code best_epoch} int: the 1-based epoch of {@code best_accuracy}; null when failed.</li>
     * <li>{@code epochs} int: epochs completed.</li>
     * <li>{@code seconds} double: wall-clock seconds of the last attempt, loading, training, evaluation and
     * writing included.</li>
     * <li>{@code train_seconds} double: seconds of the last attempt spent in the epoch loop (training steps and evaluations; not loading or committing).</li>
     * <li>{@code host} string: executor host of the last attempt.</li>
     * <li>{@code gpu} string: the GPU address Spark assigned the last attempt; null when it got none.</li>
     * <li>{@code attempts} int: task attempts used, 1 when the first one succeeded.</li>
     * <li>{@code learned_w} array&lt;double&gt;: KPFF's W after training, row-major n × n ({@code W[r][c]} at
     * {@code r·n + c}, column i is w_i); null for other methods and failed cells.</li>
     * <li>{@code confusion} array&lt;int&gt;: the held-out confusion matrix after the last epoch, row-major k × k
     * over the sorted classes (true class t, predicted p at {@code t·k + p}); null for failed cells.</li>
     * <li>{@code fusion_init} string: how W started: identity, add or random (recorded for every cell).</li>
     * <li>{@code seed} bigint: the cell's seed, derived from the run seed and the cell identity.</li>
     * <li>{@code resumed_from} int: epoch the last attempt restored from its checkpoint; 0 from scratch.</li>
     * <li>{@code jvm_decodes} bigint: full dataset decodes the executor JVM had done after this cell.</li>
     * <li>{@code native_bytes} bigint: off-heap bytes (JavaCPP) held after the cell was freed.</li>
     * <li>{@code rss_bytes} bigint: physical memory of the executor process after the cell was freed.</li>
     * <li>{@code engine} string: compute path the cell's network ran on.</li>
     * <li>{@code executor_id} string: Spark executor id of the last attempt.</li>
     * <li>{@code started_at}, {@code finished_at} timestamp: when the last attempt started and ended on its
     * executor.</li>
     * <li>{@code device} string: what ND4J computed on, {@code cpu} or {@code cuda:<n> (<name>)}.</li>
     * <li>{@code images_per_second} double: throughput of the last attempt.</li>
     * <li>{@code outer_fold} int: a nested search's outer fold of an inner or outer cell; null otherwise.</li>
     * <li>{@code role} string: cv, inner or outer (null in older runs: cv).</li>
     * </ul>
     */
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
                    + " for failed cells."),
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
                    + " (executor clock); null in runs written before this column."),
            col("finished_at", DataTypes.TimestampType, true, "When the last attempt ended on its executor: trained,"
                    + " evaluated and freed, before the driver committed it; null in runs written before this column."),
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

    /**
     * {@code metrics/}: one row per cell per evaluation.
     * <ul>
     * <li>{@code cell_id, backbone, fusion, fold, hp}: the cell, as in {@link #CELLS}.</li>
     * <li>{@code epoch} int: 1-based epoch after which the evaluation ran.</li>
     * <li>{@code train_loss} double: mean training loss over the epoch's minibatches.</li>
     * <li>{@code val_loss} double: mean loss on the held-out fold.</li>
     * <li>{@code val_accuracy} double: accuracy on the held-out fold, in [0, 1].</li>
     * <li>{@code seconds} double: wall-clock seconds since the attempt started.</li>
     * <li>{@code fusion_w} array&lt;double&gt;: KPFF's W at this evaluation, row-major n × n as {@code learned_w};
     * null for other methods (and for runs from before W was recorded).</li>
     * </ul>
     */
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

    /**
     * {@code predictions/}: one row per cell per held-out image, after the last epoch.
     * <ul>
     * <li>{@code cell_id, backbone, fusion, fold, hp}: the cell, as in {@link #CELLS}.</li>
     * <li>{@code image} string: image path relative to the dataset root, e.g. {@code beach/beach07.tif}.</li>
     * <li>{@code label} string: the true class (its folder name).</li>
     * <li>{@code predicted} string: the predicted class, the arg max of {@code probabilities}.</li>
     * <li>{@code probabilities} array&lt;float&gt;: softmax scores; index i is the i-th class name in sorted order
     * (the {@code classes} list of {@code run.json}).</li>
     * </ul>
     */
    public static final StructType PREDICTIONS = struct(CELL_KEY,
            col("image", DataTypes.StringType, false,
                    "Image path relative to the dataset root, e.g. beach/beach07.tif."),
            col("label", DataTypes.StringType, false, "The true class (its folder name)."),
            col("predicted", DataTypes.StringType, false, "The predicted class, the arg max of probabilities."),
            col("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false), false, "Softmax scores;"
                    + " index i is the i-th class name in sorted order (run.json classes)."));

    /**
     * {@code folds.parquet}: the stratified fold of every image.
     * <ul>
     * <li>{@code image} string: image path relative to the dataset root.</li>
     * <li>{@code label} string: the class (its folder name).</li>
     * <li>{@code fold} int: the fold the image is held out in, 0-based.</li>
     * </ul>
     */
    public static final StructType FOLDS = struct(List.of(),
            col("image", DataTypes.StringType, false, "Image path relative to the dataset root."),
            col("label", DataTypes.StringType, false, "The class (its folder name)."),
            col("fold", DataTypes.IntegerType, false, "The fold the image is held out in, 0-based."));

    /**
     * {@code summary.parquet}: one row per backbone × fusion × hyperparameter point, over its folds.
     * <ul>
     * <li>{@code backbone, fusion, hp}: the group.</li>
     * <li>{@code n_folds} int: folds with an ok cell.</li>
     * <li>{@code mean_final_accuracy} double: mean final accuracy over those folds; NaN if none.</li>
     * <li>{@code std_final_accuracy} double: its sample standard deviation (n − 1); NaN for fewer than 2 folds.</li>
     * <li>{@code mean_best_accuracy} double: mean best accuracy; NaN if none.</li>
     * <li>{@code std_best_accuracy} double: its sample standard deviation; NaN for fewer than 2 folds.</li>
     * </ul>
     */
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
     * {@code baseline} in none, add, concat and earlier than {@code fusion} in that order (so kpff against all three,
     * concat against none and add, add against none), over the folds where both cells are ok.
     * <ul>
     * <li>{@code backbone, fusion, hp}: the group; {@code baseline} string: the method compared against.</li>
     * <li>{@code n_folds} int: paired folds (both cells ok).</li>
     * <li>{@code mean_diff} double: mean of final_accuracy(fusion) − final_accuracy(baseline) over paired folds;
     * NaN if none.</li>
     * <li>{@code std_diff} double: its sample standard deviation; NaN for fewer than 2 folds.</li>
     * <li>{@code t_statistic} double: the Nadeau–Bengio corrected resampled t statistic
     * {@code mean / sqrt((1/n + 1/(k−1)) · s²)}, k the config's folds; NaN unless {@code t_status} is ok.</li>
     * <li>{@code t_p_value} double: its two-sided p-value, Student t with n − 1 degrees of freedom; NaN unless
     * {@code t_status} is ok.</li>
     * <li>{@code n_images} bigint: held-out images with predictions from both cells, pooled over paired folds.</li>
     * <li>{@code mcnemar_b} bigint: images the fusion method gets right and the baseline wrong.</li>
     * <li>{@code mcnemar_c} bigint: images the baseline gets right and the fusion method wrong.</li>
     * <li>{@code mcnemar_p_value} double: McNemar's exact test, two-sided binomial p of b among b + c at 1/2; 1 when
     * b + c = 0, NaN when no image is paired.</li>
     * <li>{@code t_status} string: ok, too-few-folds (fewer than 3 paired folds) or zero-variance (the fold
     * differences are all equal, all zero included); see {@link TTestStatus}.</li>
     * <li>{@code mcnemar_status} string: ok, no-discordant (b + c = 0: p = 1, no evidence either way) or no-images;
     * see {@link McNemarStatus}.</li>
     * </ul>
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

    /**
     * {@code trials/}: one row per trial of a search ({@code search} subcommand), rewritten at the end of every
     * attempt.
     * <ul>
     * <li>{@code trial} int: the trial id, 0-based in trial order.</li>
     * <li>{@code hp} map&lt;string,string&gt;: the trial's hyperparameter point (canonical values); the cells of an
     * asha rung add {@code train.epochs}.</li>
     * <li>{@code status} string: completed, stopped, failed, incomplete or pending.</li>
     * <li>{@code rank} int: 1-based rank (highest rung with a fold-mean, then fold-mean, then trial id).</li>
     * <li>{@code rung} int: the highest rung the trial entered, 0-based.</li>
     * <li>{@code epochs} int: the epochs of that rung.</li>
     * <li>{@code mean_accuracy} double: fold-mean validation accuracy at that rung; null without one.</li>
     * <li>{@code std_accuracy} double: its sample standard deviation over folds; null without one or with one fold.</li>
     * <li>{@code fold_accuracies} array&lt;double&gt;: validation accuracy per fold at that rung; empty without.</li>
     * <li>{@code rung_accuracies} array&lt;double&gt;: fold-mean accuracy at rungs 0 .. rung; NaN where none.</li>
     * <li>{@code epoch_cells} bigint: epochs the trial's cells trained (a promotion continues from its checkpoint).</li>
     * <li>{@code reason} string: why a failed trial failed; null otherwise.</li>
     * </ul>
     */
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

package org.kpff.job.results;

import java.io.Serializable;
import java.util.Objects;
import org.kpff.core.EnumIds;

/**
 * The layout of a run's output folder, the one place that names its paths. The root is any Hadoop FileSystem URI
 * ({@code hdfs://…}, {@code file:/…}, {@code s3a://…}); paths are joined with {@code /}.
 *
 * <pre>
 * run.json              resolved config, versions, commit, seeds, classes, start/end, cluster
 * resolved.conf         the resolved config alone (JobConfig.renderResolved()), loadable with --config
 * folds.parquet/        image, label, fold                         (ResultSchemas.FOLDS)
 * cells/&lt;cell id&gt;/       one row per cell                           (ResultSchemas.CELLS)
 * metrics/&lt;cell id&gt;/     one row per cell per evaluation            (ResultSchemas.METRICS)
 * predictions/&lt;cell id&gt;/ one row per cell per held-out image         (ResultSchemas.PREDICTIONS)
 * summary.parquet/      mean ± std per backbone × method × point    (ResultSchemas.SUMMARY)
 * comparisons.parquet/  paired tests                               (ResultSchemas.COMPARISONS)
 * summary.md            Table-1-shaped Markdown (SummaryMarkdown)
 * accuracy.png, curves-&lt;backbone&gt;.png, w-distance.png, w-&lt;cell id&gt;.png   plots beside it (SummaryPlots)
 * equivalence.md        KPFF against its W folded into Concat (EquivalenceCheck)
 * checkpoints/&lt;cell id&gt;/ model checkpoints for resume; removable after success
 * trials/               search only: one row per trial                 (ResultSchemas.TRIALS)
 * decisions.json        search only: the trials and every promotion, stop, failure and completion
 * search.md             search only: the trials ranked (SearchMarkdown)
 * best.conf             search only: the best trial's runnable config
 * nested.parquet        nested search only: one row per outer fold      (ResultSchemas.NESTED)
 * decisions-outer-i.json nested search only: the inner search of outer fold i
 * _staging/&lt;cell id&gt;/&lt;attempt&gt;/{cells,metrics,predictions}/   a cell's rows before commit (rename stores)
 * .kpff-lease/          the single-writer lease's owner files (stores with atomic exclusive rename)
 * </pre>
 *
 * <p>Commit protocol: an attempt writes its three tables under its staging folder, then renames {@code metrics} and
 * {@code predictions} into place and {@code cells} last; a cell is committed exactly when {@code cells/<cell id>}
 * exists, so a reader that starts from {@code cells/} never sees half a cell. Per-cell folders are not named
 * {@code key=value}, so Spark does not mistake them for partitions: read a table with
 * {@code spark.read().parquet(root + "/cells/*")}, DuckDB with {@code read_parquet('<root>/cells/*&#47;*.parquet')}.
 *
 * @param root the run folder URI, without a trailing slash
 */
public record RunLayout(String root) implements Serializable {

    /** A per-cell table of a run. */
    public enum CellTable {
        /** {@code cells/}. */
        CELLS,
        /** {@code metrics/}. */
        METRICS,
        /** {@code predictions/}. */
        PREDICTIONS;

        /** The table's folder name under the run root (and under a staging folder): its {@link EnumIds#id}. */
        public String folder() {
            return EnumIds.id(this);
        }
    }

    /** {@code accuracy.png}: mean final accuracy per backbone × method. */
    public static final String ACCURACY_PLOT = "accuracy.png";

    /** {@code w-distance.png}: KPFF's W over training, its distance from I and from Add. */
    public static final String W_DISTANCE_PLOT = "w-distance.png";

    /** {@code curves-<backbone>.png}: the name of a backbone's learning-curve plot in the run root. */
    public static String curvesPlot(String backbone) {
        return "curves-" + backbone + ".png";
    }

    /** {@code w-<cell id>.png}: the name of a KPFF cell's W heat map in the run root. */
    public static String wPlot(String cellId) {
        return "w-" + cellId + ".png";
    }

    /** Strips trailing slashes and checks the root is not empty. */
    public RunLayout {
        Objects.requireNonNull(root, "root");
        String r = root.strip();
        while (r.endsWith("/") && !r.endsWith("://") && r.length() > 1) {
            r = r.substring(0, r.length() - 1);
        }
        if (r.isEmpty()) {
            throw new IllegalArgumentException("RunLayout root is empty; give the run folder URI, e.g. hdfs:///runs/x");
        }
        root = r;
    }

    private String at(String... parts) {
        StringBuilder sb = new StringBuilder(root);
        for (String p : parts) {
            if (p == null || p.isEmpty() || p.contains("/") || p.equals("..") || p.equals(".")) {
                throw new IllegalArgumentException("RunLayout path part '" + p
                        + "' must be a non-empty name without '/'");
            }
            sb.append('/').append(p);
        }
        return sb.toString();
    }

    /** {@code run.json}. */
    public String runJson() {
        return at("run.json");
    }

    /** {@code resolved.conf}: the resolved config alone. */
    public String resolvedConfig() {
        return at("resolved.conf");
    }

    /** {@code folds.parquet}. */
    public String foldsParquet() {
        return at("folds.parquet");
    }

    /** {@code cells/}. */
    public String cellsDir() {
        return at(CellTable.CELLS.folder());
    }

    /** {@code metrics/}. */
    public String metricsDir() {
        return at(CellTable.METRICS.folder());
    }

    /** {@code predictions/}. */
    public String predictionsDir() {
        return at(CellTable.PREDICTIONS.folder());
    }

    /** The committed folder of one cell's table, e.g. {@code cells/alexnet-kpff-f0-e3b0c442}. */
    public String committed(CellTable table, String cellId) {
        return at(table.folder(), cellId);
    }

    /** {@code summary.parquet}. */
    public String summaryParquet() {
        return at("summary.parquet");
    }

    /** {@code comparisons.parquet}. */
    public String comparisonsParquet() {
        return at("comparisons.parquet");
    }

    /** {@code summary.md}. */
    public String summaryMarkdown() {
        return at("summary.md");
    }

    /** {@code equivalence.md}: written by the equivalence step. */
    public String equivalenceMarkdown() {
        return at("equivalence.md");
    }

    /** A plot beside {@code summary.md}, by one of the names above (e.g. {@link #ACCURACY_PLOT}). */
    public String plot(String name) {
        return at(name);
    }

    /** {@code trials/}: a search's one row per trial. */
    public String trialsDir() {
        return at("trials");
    }

    /** {@code decisions.json}: a search's trials and decisions. */
    public String decisionsJson() {
        return at("decisions.json");
    }

    /** {@code decisions-outer-<i>.json}: a nested search's inner search on the folds other than outer fold i. */
    public String decisionsJson(int outerFold) {
        return at("decisions-outer-" + outerFold + ".json");
    }

    /** {@code nested.parquet}: a nested search's one row per outer fold. */
    public String nestedParquet() {
        return at("nested.parquet");
    }

    /** {@code search.md}: a search's ranked trials. */
    public String searchMarkdown() {
        return at("search.md");
    }

    /** {@code best.conf}: the best trial's runnable config. */
    public String bestConfig() {
        return at("best.conf");
    }

    /** {@code checkpoints/}. */
    public String checkpointsDir() {
        return at("checkpoints");
    }

    /** {@code checkpoints/<cell id>}. */
    public String checkpointDir(String cellId) {
        return at("checkpoints", cellId);
    }

    /** Name of the output lease's folder in the run folder (hidden: it does not make an output folder non-empty). */
    public static final String LEASE_DIR = ".kpff-lease";

    /** {@code .kpff-lease/}: the owner files of the output's single-writer lease (driver.OutputLease). */
    public String leaseDir() {
        return at(LEASE_DIR);
    }

    /** {@code _staging/}. */
    public String stagingDir() {
        return at("_staging");
    }

    /** {@code _staging/<cell id>/<attempt>/<table>}: where an attempt writes a table before commit. */
    public String staging(CellTable table, String cellId, String attempt) {
        return at("_staging", cellId, attempt, table.folder());
    }
}

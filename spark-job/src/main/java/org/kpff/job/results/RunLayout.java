package org.kpff.job.results;

import java.io.Serializable;
import java.util.Objects;

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
 * checkpoints/&lt;cell id&gt;/ model checkpoints for resume; removable after success
 * trials/               search only: one row per trial                 (ResultSchemas.TRIALS)
 * decisions.json        search only: the trials and every promotion, stop, failure and completion
 * search.md             search only: the trials ranked (SearchMarkdown)
 * best.conf             search only: the best trial's runnable config
 * nested.parquet        nested search only: one row per outer fold      (ResultSchemas.NESTED)
 * decisions-outer-i.json nested search only: the inner search of outer fold i
 * _staging/&lt;cell id&gt;/&lt;attempt&gt;/{cells,metrics,predictions}/   a cell's rows before commit
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
        CELLS("cells"),
        /** {@code metrics/}. */
        METRICS("metrics"),
        /** {@code predictions/}. */
        PREDICTIONS("predictions");

        private final String folder;

        CellTable(String folder) {
            this.folder = folder;
        }

        /** The table's folder name under the run root (and under a staging folder). */
        public String folder() {
            return folder;
        }
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

    /** {@code _staging/}. */
    public String stagingDir() {
        return at("_staging");
    }

    /** {@code _staging/<cell id>/<attempt>/<table>}: where an attempt writes a table before commit. */
    public String staging(CellTable table, String cellId, String attempt) {
        return at("_staging", cellId, attempt, table.folder());
    }
}

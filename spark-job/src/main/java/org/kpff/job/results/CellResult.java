package org.kpff.job.results;

import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.plan.CellRole;

/**
 * One row of {@code cells/}: how a cell ended; see {@link ResultSchemas#CELLS} for every column.
 *
 * @param cell          the cell's identity columns
 * @param status        ok or failed
 * @param reason        why it failed; null when ok
 * @param finalAccuracy held-out accuracy after the last epoch in [0, 1]; null when failed
 * @param bestAccuracy  highest held-out accuracy over the evaluations; null when failed
 * @param bestEpoch     1-based epoch of the best accuracy; null when failed
 * @param epochs        epochs completed
 * @param seconds       wall-clock seconds of the last attempt
 * @param trainSeconds  seconds of the last attempt in the epoch loop (training and evaluation)
 * @param host          executor host of the last attempt
 * @param gpu           GPU address Spark assigned; null when the task got none
 * @param attempts      task attempts used (≥ 1)
 * @param learnedW      KPFF's W, row-major n × n; null for other methods and failed cells
 * @param confusion     held-out confusion matrix after the last epoch, row-major k × k (true class t, predicted
 *                      class p at t·k + p); null for failed cells and in runs of schema version 1 (not recorded;
 *                      the predictions table has what it counts)
 * @param fusionInit    how W started
 * @param seed          the cell's seed
 * @param resumedFrom   epoch the last attempt restored from a checkpoint (0 = trained from scratch)
 * @param jvmDecodes    full dataset decodes the executor JVM had done after this cell (1 = decoded once, reused)
 * @param nativeBytes   off-heap bytes (JavaCPP) the executor held when the cell ended
 * @param rssBytes      the executor process's physical memory when the cell ended
 * @param engine        compute path of the last attempt (cpu-onednn-&lt;isa&gt;, cuda-cudnn, cpu-plain, ...); null in
 *                      rows written before the column existed
 * @param executorId    Spark executor id of the last attempt; null in rows written before the column existed
 * @param startedAt     when the last attempt started on its executor; null in older runs
 * @param finishedAt    when the last attempt ended on its executor; null in older runs
 * @param device        what ND4J computed on ({@code cpu}, {@code cuda:<n> (<name>)}); null in older runs
 * @param imagesPerSecond images the last attempt trained on and evaluated per second of {@code trainSeconds}; null
 *                      for failed cells and in older runs
 * @param outerFold     a nested search's outer fold of an inner or outer cell; null otherwise and in older runs
 * @param role          cv, inner or outer ({@link CellRole#CV} for rows written before the column)
 */
public record CellResult(CellKey cell, CellStatus status, String reason, Double finalAccuracy, Double bestAccuracy,
        Integer bestEpoch, int epochs, double seconds, double trainSeconds, String host, String gpu, int attempts,
        List<Double> learnedW, List<Integer> confusion, FusionInit fusionInit, long seed, int resumedFrom,
        long jvmDecodes, long nativeBytes, long rssBytes, String engine, String executorId, Instant startedAt,
        Instant finishedAt, String device, Double imagesPerSecond, Integer outerFold, CellRole role)
        implements Serializable {

    /** An ordinary cell's row (role cv, no outer fold). */
    public CellResult(CellKey cell, CellStatus status, String reason, Double finalAccuracy, Double bestAccuracy,
            Integer bestEpoch, int epochs, double seconds, double trainSeconds, String host, String gpu, int attempts,
            List<Double> learnedW, List<Integer> confusion, FusionInit fusionInit, long seed, int resumedFrom,
            long jvmDecodes, long nativeBytes, long rssBytes, String engine, String executorId, Instant startedAt,
            Instant finishedAt, String device, Double imagesPerSecond) {
        this(cell, status, reason, finalAccuracy, bestAccuracy, bestEpoch, epochs, seconds, trainSeconds, host, gpu,
                attempts, learnedW, confusion, fusionInit, seed, resumedFrom, jvmDecodes, nativeBytes, rssBytes, engine,
                executorId, startedAt, finishedAt, device, imagesPerSecond, null, CellRole.CV);
    }

    /** Checks that the row is consistent: what ok and failed rows must and must not carry, ranges, W's shape. */
    public CellResult {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(fusionInit, "fusionInit");
        Objects.requireNonNull(role, "role");
        List<String> errors = new ArrayList<>();
        if (status == CellStatus.OK) {
            check(errors, finalAccuracy != null && finalAccuracy >= 0 && finalAccuracy <= 1, "finalAccuracy",
                    finalAccuracy, "a fraction in [0, 1] for an ok cell");
            check(errors, bestAccuracy != null && bestAccuracy >= 0 && bestAccuracy <= 1, "bestAccuracy",
                    bestAccuracy, "a fraction in [0, 1] for an ok cell");
            check(errors, bestEpoch != null && bestEpoch >= 1, "bestEpoch", bestEpoch, "at least 1 for an ok cell");
            check(errors, cell.method() != FusionMethod.KPFF || learnedW != null, "learnedW", learnedW,
                    "set for an ok kpff cell");
            check(errors, confusion == null || side(confusion.size()) > 0, "confusion", confusion == null ? null
                    : confusion.size() + " counts", "a square k x k matrix for an ok cell, or null (not recorded)");
        } else {
            check(errors, reason != null && !reason.isBlank(), "reason", reason, "non-blank for a failed cell");
            check(errors, confusion == null, "confusion", "[...]", "null for a failed cell");
        }
        if (confusion != null) {
            confusion = List.copyOf(confusion);
        }
        check(errors, cell.method() == FusionMethod.KPFF || learnedW == null, "learnedW", "[...]",
                "null for method " + cell.method().id());
        if (learnedW != null) {
            int n = (int) Math.round(Math.sqrt(learnedW.size()));
            check(errors, n >= 1 && n * n == learnedW.size(), "learnedW", learnedW.size() + " values",
                    "a non-empty square n x n matrix, row-major");
            learnedW = List.copyOf(learnedW);
        }
        check(errors, (role == CellRole.CV) == (outerFold == null), "outerFold", outerFold,
                "null exactly for a cv cell (role " + role.id() + ")");
        check(errors, epochs >= 0, "epochs", epochs, "at least 0");
        check(errors, attempts >= 1, "attempts", attempts, "at least 1");
        check(errors, startedAt == null || finishedAt == null || !finishedAt.isBefore(startedAt), "finishedAt",
                finishedAt, "not before startedAt = " + startedAt);
        check(errors, seconds >= 0 && trainSeconds >= 0, "seconds/trainSeconds", seconds + "/" + trainSeconds,
                "at least 0");
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid cell result for " + cell.cellId() + ": "
                    + String.join("; ", errors));
        }
    }

    static void check(List<String> errors, boolean ok, String field, Object value, String allowed) {
        if (!ok) {
            errors.add(field + " = " + value + " (must be " + allowed + ")");
        }
    }

    /** The side k of a square matrix of {@code size} entries, or 0 when it is not a non-empty square. */
    private static int side(int size) {
        int k = (int) Math.round(Math.sqrt(size));
        return k >= 1 && k * k == size ? k : 0;
    }

    /** The confusion matrix as {@code [true class][predicted class]}, or null when there is none. */
    public int[][] confusionMatrix() {
        if (confusion == null) {
            return null;
        }
        int k = side(confusion.size());
        int[][] m = new int[k][k];
        for (int i = 0; i < confusion.size(); i++) {
            m[i / k][i % k] = confusion.get(i);
        }
        return m;
    }

    /** Whether the cell finished ok. */
    public boolean ok() {
        return status == CellStatus.OK;
    }

    /** W as an n × n matrix ({@code w[r][c]}; column i is w_i), or null when there is none. */
    public double[][] learnedWMatrix() {
        if (learnedW == null) {
            return null;
        }
        int n = (int) Math.round(Math.sqrt(learnedW.size()));
        double[][] w = new double[n][n];
        for (int i = 0; i < learnedW.size(); i++) {
            w[i / n][i % n] = learnedW.get(i);
        }
        return w;
    }

    /** The row in {@link ResultSchemas#CELLS} column order. */
    public Row toRow() {
        Object[] k = cell.values();
        return RowFactory.create(k[0], k[1], k[2], k[3], k[4], status.id(), reason, finalAccuracy, bestAccuracy,
                bestEpoch, epochs, seconds, trainSeconds, host, gpu, attempts,
                learnedW == null ? null : new ArrayList<>(learnedW), confusion == null ? null
                : new ArrayList<>(confusion), fusionInit.id(), seed, resumedFrom, jvmDecodes, nativeBytes, rssBytes,
                engine, executorId, startedAt == null ? null : Timestamp.from(startedAt),
                finishedAt == null ? null : Timestamp.from(finishedAt), device, imagesPerSecond, outerFold, role.id());
    }

    /** Reads a row of {@link ResultSchemas#CELLS} (by column name when the row has a schema). */
    public static CellResult fromRow(Row row) {
        var s = ResultSchemas.CELLS;
        return new CellResult(CellKey.fromRow(row, s), CellStatus.parse(Rows.string(row, s, "status")),
                Rows.string(row, s, "reason"), Rows.doubleValue(row, s, "final_accuracy"),
                Rows.doubleValue(row, s, "best_accuracy"), Rows.integer(row, s, "best_epoch"),
                Rows.integer(row, s, "epochs"), Rows.doubleValue(row, s, "seconds"),
                Rows.doubleValue(row, s, "train_seconds"), Rows.string(row, s, "host"), Rows.string(row, s, "gpu"),
                Rows.integer(row, s, "attempts"), Rows.list(row, s, "learned_w", Double.class),
                Rows.list(row, s, "confusion", Integer.class),
                FusionInit.parse(Rows.string(row, s, "fusion_init")), Rows.longValue(row, s, "seed"),
                Rows.integer(row, s, "resumed_from"), Rows.longValue(row, s, "jvm_decodes"),
                Rows.longValue(row, s, "native_bytes"), Rows.longValue(row, s, "rss_bytes"),
                Rows.optionalString(row, s, "engine"), Rows.optionalString(row, s, "executor_id"),
                Rows.optionalInstant(row, s, "started_at"), Rows.optionalInstant(row, s, "finished_at"),
                Rows.optionalString(row, s, "device"), Rows.optionalDouble(row, s, "images_per_second"),
                Rows.optionalInteger(row, s, "outer_fold"), CellRole.parse(Rows.optionalString(row, s, "role")));
    }
}

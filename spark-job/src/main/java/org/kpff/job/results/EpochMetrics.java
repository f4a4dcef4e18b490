package org.kpff.job.results;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One row of {@code metrics/}: one evaluation of a cell on its held-out fold; see {@link ResultSchemas#METRICS}.
 *
 * @param cell        the cell's identity columns
 * @param epoch       1-based epoch after which the evaluation ran
 * @param trainLoss   mean training loss over the epoch's minibatches
 * @param valLoss     mean loss on the held-out fold
 * @param valAccuracy accuracy on the held-out fold, in [0, 1]
 * @param seconds     wall-clock seconds since the attempt started
 * @param fusionW     KPFF's W at this evaluation, row-major n × n; null for other methods
 */
public record EpochMetrics(CellKey cell, int epoch, double trainLoss, double valLoss, double valAccuracy,
        double seconds, List<Double> fusionW) implements Serializable {

    /** An evaluation without a fusion matrix (methods other than KPFF). */
    public EpochMetrics(CellKey cell, int epoch, double trainLoss, double valLoss, double valAccuracy,
            double seconds) {
        this(cell, epoch, trainLoss, valLoss, valAccuracy, seconds, null);
    }

    /** Checks the epoch, the accuracy range and that W is square. */
    public EpochMetrics {
        Objects.requireNonNull(cell, "cell");
        fusionW = fusionW == null ? null : List.copyOf(fusionW);
        if (fusionW != null && WDistances.side(fusionW) < 1) {
            throw new IllegalArgumentException("EpochMetrics fusionW has " + fusionW.size()
                    + " values; it must be a non-empty square matrix (n * n values)");
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("EpochMetrics epoch = " + epoch + " must be at least 1");
        }
        if (!(valAccuracy >= 0 && valAccuracy <= 1)) {
            throw new IllegalArgumentException("EpochMetrics valAccuracy = " + valAccuracy + " must be in [0, 1]");
        }
    }

    /** The row in {@link ResultSchemas#METRICS} column order. */
    public Row toRow() {
        Object[] k = cell.values();
        return RowFactory.create(k[0], k[1], k[2], k[3], k[4], epoch, trainLoss, valLoss, valAccuracy, seconds,
                fusionW == null ? null : new ArrayList<>(fusionW));
    }

    /** Reads a row of {@link ResultSchemas#METRICS}. */
    public static EpochMetrics fromRow(Row row) {
        var s = ResultSchemas.METRICS;
        return new EpochMetrics(CellKey.fromRow(row, s), Rows.integer(row, s, "epoch"),
                Rows.doubleValue(row, s, "train_loss"), Rows.doubleValue(row, s, "val_loss"),
                Rows.doubleValue(row, s, "val_accuracy"), Rows.doubleValue(row, s, "seconds"),
                Rows.list(row, s, "fusion_w", Double.class));
    }
}

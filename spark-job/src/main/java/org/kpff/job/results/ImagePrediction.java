package org.kpff.job.results;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One row of {@code predictions/}: a cell's prediction for one held-out image; see
 * {@link ResultSchemas#PREDICTIONS}.
 *
 * @param cell          the cell's identity columns
 * @param image         image path relative to the dataset root
 * @param label         true class
 * @param predicted     predicted class
 * @param probabilities softmax scores, index i = i-th class name in sorted order
 */
public record ImagePrediction(CellKey cell, String image, String label, String predicted, List<Float> probabilities)
        implements Serializable {

    /** Checks for nulls and copies the scores. */
    public ImagePrediction {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(predicted, "predicted");
        probabilities = List.copyOf(probabilities);
    }

    /** Whether the prediction is right. */
    public boolean correct() {
        return label.equals(predicted);
    }

    /** The row in {@link ResultSchemas#PREDICTIONS} column order. */
    public Row toRow() {
        Object[] k = cell.values();
        return RowFactory.create(k[0], k[1], k[2], k[3], k[4], image, label, predicted,
                new ArrayList<>(probabilities));
    }

    /** Reads a row of {@link ResultSchemas#PREDICTIONS}. */
    public static ImagePrediction fromRow(Row row) {
        var s = ResultSchemas.PREDICTIONS;
        return new ImagePrediction(CellKey.fromRow(row, s), Rows.string(row, s, "image"),
                Rows.string(row, s, "label"), Rows.string(row, s, "predicted"),
                Rows.list(row, s, "probabilities", Float.class));
    }
}

package org.kpff.job.results;

import java.io.Serializable;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One row of {@code folds.parquet}: the fold an image is held out in; see {@link ResultSchemas#FOLDS}.
 *
 * @param image image path relative to the dataset root
 * @param label class name
 * @param fold  0-based fold
 */
public record FoldAssignment(String image, String label, int fold) implements Serializable {

    /** Checks for nulls and a non-negative fold. */
    public FoldAssignment {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(label, "label");
        if (fold < 0) {
            throw new IllegalArgumentException("FoldAssignment fold = " + fold + " must be >= 0 (image " + image + ")");
        }
    }

    /** The row in {@link ResultSchemas#FOLDS} column order. */
    public Row toRow() {
        return RowFactory.create(image, label, fold);
    }

    /** Reads a row of {@link ResultSchemas#FOLDS}. */
    public static FoldAssignment fromRow(Row row) {
        var s = ResultSchemas.FOLDS;
        return new FoldAssignment(Rows.string(row, s, "image"), Rows.string(row, s, "label"),
                Rows.integer(row, s, "fold"));
    }
}

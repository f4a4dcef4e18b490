package org.kpff.job.results;

import java.io.Serializable;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.kpff.core.fusion.FusionMethod;

/**
 * One row of {@code summary.parquet}: a backbone × fusion method × hyperparameter point over its folds; see
 * {@link ResultSchemas#SUMMARY} (NaN rules included).
 *
 * @param backbone          backbone name
 * @param method            fusion method
 * @param hp                hyperparameter point
 * @param nFolds            folds with an ok cell
 * @param meanFinalAccuracy mean final accuracy; NaN if no fold
 * @param stdFinalAccuracy  sample std of the final accuracy; NaN for fewer than 2 folds
 * @param meanBestAccuracy  mean best accuracy; NaN if no fold
 * @param stdBestAccuracy   sample std of the best accuracy; NaN for fewer than 2 folds
 */
public record SummaryRow(String backbone, FusionMethod method, SortedMap<String, String> hp, int nFolds,
        double meanFinalAccuracy, double stdFinalAccuracy, double meanBestAccuracy, double stdBestAccuracy)
        implements Serializable {

    /** Checks for nulls and copies the point. */
    public SummaryRow {
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(method, "method");
        hp = Collections.unmodifiableSortedMap(new TreeMap<>(hp));
    }

    /** The row in {@link ResultSchemas#SUMMARY} column order. */
    public Row toRow() {
        return RowFactory.create(backbone, method.id(), new TreeMap<>(hp), nFolds, meanFinalAccuracy,
                stdFinalAccuracy, meanBestAccuracy, stdBestAccuracy);
    }

    /** Reads a row of {@link ResultSchemas#SUMMARY}. */
    public static SummaryRow fromRow(Row row) {
        var s = ResultSchemas.SUMMARY;
        return new SummaryRow(Rows.string(row, s, "backbone"), FusionMethod.parse(Rows.string(row, s, "fusion")),
                Rows.stringMap(row, s, "hp"), Rows.integer(row, s, "n_folds"),
                Rows.doubleValue(row, s, "mean_final_accuracy"), Rows.doubleValue(row, s, "std_final_accuracy"),
                Rows.doubleValue(row, s, "mean_best_accuracy"), Rows.doubleValue(row, s, "std_best_accuracy"));
    }
}

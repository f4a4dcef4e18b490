package org.kpff.job.results;

import java.io.Serializable;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One row of {@code nested.parquet}: what a nested search's inner search chose for an outer fold, and how the refit
 * of that choice did on the outer fold; see {@link ResultSchemas#NESTED}.
 *
 * @param outerFold     the outer fold
 * @param trial         the chosen trial; null when no trial of the inner search had a score
 * @param hp            the chosen point as refit (empty when none)
 * @param innerScore    the chosen trial's fold-mean over the inner folds; null when none
 * @param epochs        epochs of the refit; null when none
 * @param outerAccuracy the refit's accuracy on the outer fold; null until it ran, or when it failed
 * @param cellId        the refit cell's id; null when none
 */
public record NestedRow(int outerFold, Integer trial, SortedMap<String, String> hp, Double innerScore, Integer epochs,
        Double outerAccuracy, String cellId) implements Serializable {

    /** Copies the point. */
    public NestedRow {
        hp = Collections.unmodifiableSortedMap(new TreeMap<>(hp));
    }

    /** The row in {@link ResultSchemas#NESTED} column order. */
    public Row toRow() {
        return RowFactory.create(outerFold, trial, new TreeMap<>(hp), innerScore, epochs, outerAccuracy, cellId);
    }

    /** Reads a row of {@link ResultSchemas#NESTED}. */
    public static NestedRow fromRow(Row row) {
        var s = ResultSchemas.NESTED;
        return new NestedRow(Rows.integer(row, s, "outer_fold"), Rows.integer(row, s, "trial"),
                Rows.stringMap(row, s, "hp"), Rows.doubleValue(row, s, "inner_score"), Rows.integer(row, s, "epochs"),
                Rows.doubleValue(row, s, "outer_accuracy"), Rows.string(row, s, "cell_id"));
    }
}

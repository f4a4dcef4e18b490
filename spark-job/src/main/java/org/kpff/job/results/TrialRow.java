package org.kpff.job.results;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One row of {@code trials/}: a search trial, its status, where it got and how well; see
 * {@link ResultSchemas#TRIALS}.
 *
 * @param trial          trial id, 0-based
 * @param hp             the trial's hyperparameter point
 * @param status         completed, stopped, failed, incomplete or pending
 * @param rank           1-based rank
 * @param rung           the highest rung entered, 0-based
 * @param epochs         epochs of that rung
 * @param meanAccuracy   fold-mean accuracy at that rung; null without one
 * @param stdAccuracy    sample std of the fold accuracies there; null without one or with fewer than 2 folds
 * @param foldAccuracies accuracy per fold at that rung; empty without
 * @param rungAccuracies fold-mean per rung 0 .. rung; NaN where none
 * @param epochCells     epochs trained by the trial's cells
 * @param reason         why a failed trial failed; null otherwise
 * @param outerFold      the outer fold of the nested search's inner search the trial belongs to; null for the search
 *                       over all folds
 */
public record TrialRow(int trial, SortedMap<String, String> hp, String status, int rank, int rung, int epochs,
        Double meanAccuracy, Double stdAccuracy, List<Double> foldAccuracies, List<Double> rungAccuracies,
        long epochCells, String reason, Integer outerFold) implements Serializable {

    /** A trial of the search over all folds (no outer fold). */
    public TrialRow(int trial, SortedMap<String, String> hp, String status, int rank, int rung, int epochs,
            Double meanAccuracy, Double stdAccuracy, List<Double> foldAccuracies, List<Double> rungAccuracies,
            long epochCells, String reason) {
        this(trial, hp, status, rank, rung, epochs, meanAccuracy, stdAccuracy, foldAccuracies, rungAccuracies,
                epochCells, reason, null);
    }

    /** Checks for nulls and copies the collections. */
    public TrialRow {
        Objects.requireNonNull(status, "status");
        hp = Collections.unmodifiableSortedMap(new TreeMap<>(hp));
        foldAccuracies = List.copyOf(foldAccuracies);
        rungAccuracies = List.copyOf(rungAccuracies);
    }

    /** The row in {@link ResultSchemas#TRIALS} column order. */
    public Row toRow() {
        return RowFactory.create(trial, new TreeMap<>(hp), status, rank, rung, epochs, meanAccuracy, stdAccuracy,
                new ArrayList<>(foldAccuracies), new ArrayList<>(rungAccuracies), epochCells, reason, outerFold);
    }

    /** Reads a row of {@link ResultSchemas#TRIALS}. */
    public static TrialRow fromRow(Row row) {
        var s = ResultSchemas.TRIALS;
        return new TrialRow(Rows.integer(row, s, "trial"), Rows.stringMap(row, s, "hp"), Rows.string(row, s, "status"),
                Rows.integer(row, s, "rank"), Rows.integer(row, s, "rung"), Rows.integer(row, s, "epochs"),
                Rows.doubleValue(row, s, "mean_accuracy"), Rows.doubleValue(row, s, "std_accuracy"),
                Rows.list(row, s, "fold_accuracies", Double.class), Rows.list(row, s, "rung_accuracies", Double.class),
                Rows.longValue(row, s, "epoch_cells"), Rows.string(row, s, "reason"),
                Rows.optionalInteger(row, s, "outer_fold"));
    }
}

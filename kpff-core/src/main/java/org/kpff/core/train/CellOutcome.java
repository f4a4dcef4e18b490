package org.kpff.core.train;

import java.util.List;

/**
 * What training one cell produced: its evaluations, final predictions on the held-out fold, and summary figures.
 *
 * @param evaluations   every evaluation, including those restored from a checkpoint, by epoch
 * @param predictions   the final model's predictions on the held-out fold
 * @param finalAccuracy accuracy after the last epoch
 * @param bestAccuracy  best accuracy over all evaluations
 * @param bestEpoch     epoch of the best accuracy (earliest on ties)
 * @param epochs        epochs trained in total
 * @param resumedFrom   epoch restored from a checkpoint (0 when trained from scratch)
 * @param trainSeconds  wall seconds this attempt spent in the epoch loop (training and evaluation)
 * @param learnedW      the learned KPFF matrix W row-major (n·n values), or null for other methods
 * @param engine        the compute path the network ran on ({@link org.kpff.core.engine.ComputeEngine#of})
 * @param confusion     the final model's confusion matrix on the held-out fold: {@code confusion[t][p]} counts
 *                      images of true class t predicted as p (classes × classes, from ND4J's Evaluation)
 */
public record CellOutcome(List<EpochEvaluation> evaluations, List<Prediction> predictions, double finalAccuracy,
        double bestAccuracy, int bestEpoch, int epochs, int resumedFrom, double trainSeconds, double[] learnedW,
        String engine, int[][] confusion) implements java.io.Serializable {

    /** Copies the lists; checks that the confusion matrix is square. */
    public CellOutcome {
        evaluations = List.copyOf(evaluations);
        predictions = List.copyOf(predictions);
        java.util.Objects.requireNonNull(confusion, "confusion");
        for (int[] row : confusion) {
            if (row.length != confusion.length) {
                throw new IllegalArgumentException("confusion has a row of " + row.length + " counts in a "
                        + confusion.length + "-class matrix (must be square)");
            }
        }
    }
}

package org.kpff.core.train;

/**
 * One evaluation of a cell on its held-out fold, after an epoch.
 *
 * @param epoch       epochs trained so far (1-based)
 * @param trainLoss   mean cross-entropy over the epoch's training minibatches (without the L2 penalty); NaN if
 *                    the epoch ran in an earlier attempt whose record is lost
 * @param valLoss     mean cross-entropy on the held-out fold
 * @param valAccuracy fraction of held-out images classified correctly, in [0, 1]
 * @param seconds     wall seconds since the cell (this attempt) started training
 */
public record Evaluation(int epoch, double trainLoss, double valLoss, double valAccuracy, double seconds)
        implements java.io.Serializable {
}

package org.kpff.core.train;

import java.util.List;

/**
 * One evaluation of a cell on its held-out fold, after an epoch.
 *
 * @param epoch       epochs trained so far (1-based)
 * @param trainLoss   mean cross-entropy over the epoch's training minibatches (without the L2 penalty); NaN if
 *                    the epoch ran in an earlier attempt whose record is lost
 * @param valLoss     mean cross-entropy on the held-out fold
 * @param valAccuracy fraction of held-out images classified correctly, in [0, 1]
 * @param seconds     wall seconds since the cell (this attempt) started training
 * @param fusionW     KPFF's W at this evaluation, row-major n × n ({@code W[r][c]} at {@code r·n + c}, column i is
 *                    w_i); null for the other methods (and for evaluations restored from a checkpoint written
 *                    before W was recorded)
 */
public record EpochEvaluation(int epoch, double trainLoss, double valLoss, double valAccuracy, double seconds,
        List<Double> fusionW) implements java.io.Serializable {

    /** Copies W, so that the record stays immutable (and compares by value). */
    public EpochEvaluation {
        fusionW = fusionW == null ? null : List.copyOf(fusionW);
    }

    /** An evaluation without a fusion matrix (methods other than KPFF). */
    public EpochEvaluation(int epoch, double trainLoss, double valLoss, double valAccuracy, double seconds) {
        this(epoch, trainLoss, valLoss, valAccuracy, seconds, null);
    }
}

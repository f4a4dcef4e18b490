package org.kpff.job.search;

import java.util.Objects;

/**
 * How a cell of a search ended.
 *
 * @param ok       whether it trained to the end
 * @param accuracy held-out accuracy after its last epoch; NaN when failed
 * @param reason   why it failed; empty when ok
 */
public record FoldResult(boolean ok, double accuracy, String reason) {

    /** An ok cell with its final accuracy. */
    public static FoldResult ok(double accuracy) {
        return new FoldResult(true, accuracy, "");
    }

    /** A cell that failed deterministically. */
    public static FoldResult failed(String reason) {
        return new FoldResult(false, Double.NaN, Objects.requireNonNullElse(reason, ""));
    }
}

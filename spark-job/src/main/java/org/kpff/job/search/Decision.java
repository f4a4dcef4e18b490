package org.kpff.job.search;

import java.util.Locale;

/**
 * One decision of a search.
 *
 * @param trial    the trial id (0-based trial order)
 * @param rung     the rung it was decided at, 0-based
 * @param action   promote, stop, fail or complete
 * @param foldMean the trial's fold-mean accuracy at that rung; NaN for a failed or pruned trial
 * @param folds    for a prune, the folds it had completed (the look that pruned it); 0 otherwise
 * @param bracket  the trial's Hyperband bracket (0 for a search with one bracket)
 */
public record Decision(int trial, int rung, Action action, double foldMean, int folds, int bracket) {

    /** A decision other than a prune, in bracket 0. */
    public Decision(int trial, int rung, Action action, double foldMean) {
        this(trial, rung, action, foldMean, 0, 0);
    }

    /** A decision in bracket 0. */
    public Decision(int trial, int rung, Action action, double foldMean, int folds) {
        this(trial, rung, action, foldMean, folds, 0);
    }

    /** Whether two decisions decide the same thing (the accuracy is not compared). */
    public boolean sameAs(Decision other) {
        return trial == other.trial && rung == other.rung && action == other.action && folds == other.folds
                && bracket == other.bracket;
    }

    @Override
    public String toString() {
        return action.id() + " trial " + trial + " at rung " + rung + (bracket > 0 ? " of bracket " + bracket : "")
                + (folds > 0 ? " after " + folds + " folds" : "")
                + (Double.isNaN(foldMean) ? "" : String.format(Locale.ROOT, " (fold-mean %.4f)", foldMean));
    }
}

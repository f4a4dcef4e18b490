package org.kpff.job.search;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * Fold-level pruning: stops a trial inside a rung as soon as its completed folds, paired with the incumbent's scores
 * on the same folds, show it worse than the incumbent beyond the fold noise, by a sequential one-sided paired t-test
 * whose false-prune rate is at most α.
 *
 * <p><b>The test.</b> After m completed folds (the folds in the same order for both, scores larger-is-better), with
 * d_j = trial_j − incumbent_j, mean d̄ and sample standard deviation s (divisor m − 1), the statistic is the
 * Nadeau–Bengio corrected paired t (Nadeau and Bengio 2003, "Inference for the generalization error", Machine
 * Learning 52): t = d̄ / (s · sqrt(1/m + ρ)), ρ = n_test / n_train ({@code testTrainRatio}; 1/(k − 1) for k-fold
 * cross-validation, whose training sets overlap; 0 for the plain paired t-test). The trial is pruned when
 * t < t_{m−1}(α / L), the α/L lower quantile of Student's t with m − 1 degrees of freedom.
 *
 * <p><b>Looks and error rate.</b> The test looks after every fold m = {@code minFolds}, ..., k − 1 (after the last
 * fold there is nothing left to save; the rung decides), so there are L = k − minFolds looks, and each spends α/L:
 * a Bonferroni split of α over repeated significance tests (repeating a level-α test on accumulating data inflates
 * its error, Armitage, McPherson and Rowe 1969, J. R. Stat. Soc. A 132; splitting α over the looks bounds the total
 * by the union bound). Under the null that the trial is as good as the incumbent (E d = 0) and fold differences that
 * are normal and equicorrelated with correlation r, r/(1 − r) = ρ (the model behind the correction), each look's t
 * is exactly Student's t_{m−1}, so each look prunes with probability α/L and the probability of any false prune is
 * at most α (less, as the looks are positively correlated); a trial better than the incumbent is pruned less often.
 * With ρ = 0 on correlated folds the rate exceeds α: keep the correction for cross-validation folds.
 *
 * <p><b>Undefined tests never prune</b>: fewer than {@code minFolds} completed folds, all k folds completed, no
 * looks at all (k ≤ minFolds), or differences with no spread (sample standard deviation at most
 * 1e-9 · max(1, max |d_j|), as {@code PairedTests} treats them) all return a verdict that keeps the trial, with the
 * reason.
 */
public final class FoldPruner {

    private static final double ZERO_VARIANCE_TOLERANCE = 1e-9;

    /**
     * The outcome of one look.
     *
     * @param prune          whether to stop the trial now
     * @param folds          m, the paired folds the look saw
     * @param meanDifference d̄ (NaN with no folds)
     * @param statistic      the corrected t; NaN when the test is undefined
     * @param threshold      the critical value t_{m−1}(α/L); NaN when the test is undefined
     * @param reason         one sentence: why the trial is pruned or kept
     */
    public record Verdict(boolean prune, int folds, double meanDifference, double statistic, double threshold,
            String reason) {
    }

    private final int folds;
    private final int minFolds;
    private final double alpha;
    private final double testTrainRatio;

    /**
     * @param folds          k, the folds of a rung's cross-validation, at least 2
     * @param minFolds       the first look, after this many folds; at least 2 (a t-test needs two differences)
     * @param alpha          α, the bound on the false-prune rate, in (0, 1)
     * @param testTrainRatio ρ = n_test / n_train of the folds, {@code >= 0}; 1/(k − 1) for k-fold cross-validation
     * @throws IllegalArgumentException naming the argument when one is outside its range
     */
    public FoldPruner(int folds, int minFolds, double alpha, double testTrainRatio) {
        if (folds < 2) {
            throw new IllegalArgumentException("folds = " + folds + ": must be at least 2");
        }
        if (minFolds < 2) {
            throw new IllegalArgumentException("minFolds = " + minFolds + ": must be at least 2 (a t-test needs two "
                    + "paired differences)");
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha = " + alpha + ": must be in (0, 1)");
        }
        if (!(testTrainRatio >= 0) || Double.isInfinite(testTrainRatio)) {
            throw new IllegalArgumentException("testTrainRatio = " + testTrainRatio + ": must be a finite number >= 0");
        }
        this.folds = folds;
        this.minFolds = minFolds;
        this.alpha = alpha;
        this.testTrainRatio = testTrainRatio;
    }

    /** The pruner for k-fold cross-validation: looks from fold 2, ρ = 1/(k − 1). */
    public static FoldPruner forKFold(int folds, double alpha) {
        if (folds < 2) {
            throw new IllegalArgumentException("folds = " + folds + ": must be at least 2");
        }
        return new FoldPruner(folds, 2, alpha, 1.0 / (folds - 1));
    }

    /** L = max(0, k − minFolds), the number of looks. */
    public int looks() {
        return Math.max(0, folds - minFolds);
    }

    /** α/L, the level each look spends; NaN when there are no looks. */
    public double lookLevel() {
        return looks() == 0 ? Double.NaN : alpha / looks();
    }

    /**
     * Whether to stop the trial after its completed folds.
     *
     * @param trial     the trial's scores on its completed folds, in fold order
     * @param incumbent the incumbent's scores on the same folds, same order
     * @throws IllegalArgumentException when the lengths differ, exceed k, or a score is not finite
     */
    public Verdict test(double[] trial, double[] incumbent) {
        if (trial.length != incumbent.length) {
            throw new IllegalArgumentException("trial has " + trial.length + " folds, incumbent " + incumbent.length
                    + ": must be the same folds, paired");
        }
        int m = trial.length;
        if (m > folds) {
            throw new IllegalArgumentException("trial has " + m + " folds: must be at most folds = " + folds);
        }
        double[] d = new double[m];
        double maxAbs = 0;
        double sum = 0;
        for (int j = 0; j < m; j++) {
            if (!Double.isFinite(trial[j]) || !Double.isFinite(incumbent[j])) {
                throw new IllegalArgumentException("fold " + j + ": trial " + trial[j] + ", incumbent " + incumbent[j]
                        + ": scores must be finite (a failed fold has no score)");
            }
            d[j] = trial[j] - incumbent[j];
            maxAbs = Math.max(maxAbs, Math.abs(d[j]));
            sum += d[j];
        }
        double mean = m == 0 ? Double.NaN : sum / m;
        if (looks() == 0) {
            return keep(m, mean, "no look: folds = " + folds + " leaves no fold to save after minFolds = " + minFolds);
        }
        if (m < minFolds) {
            return keep(m, mean, "too few folds: " + m + " < minFolds = " + minFolds);
        }
        if (m == folds) {
            return keep(m, mean, "all " + folds + " folds done: nothing left to save, the rung decides");
        }
        double ss = 0;
        for (double x : d) {
            ss += (x - mean) * (x - mean);
        }
        double s = Math.sqrt(ss / (m - 1));
        if (s <= ZERO_VARIANCE_TOLERANCE * Math.max(1, maxAbs)) {
            return keep(m, mean, "undefined: the " + m + " paired differences have no spread");
        }
        double t = mean / (s * Math.sqrt(1.0 / m + testTrainRatio));
        double threshold = new TDistribution(null, m - 1).inverseCumulativeProbability(lookLevel());
        boolean prune = t < threshold;
        return new Verdict(prune, m, mean, t, threshold, (prune ? "worse than the incumbent: t = " : "not shown "
                + "worse: t = ") + t + (prune ? " < " : " >= ") + threshold + " (level " + lookLevel() + " of "
                + "alpha = " + alpha + " over " + looks() + " looks, " + m + " folds)");
    }

    private static Verdict keep(int m, double mean, String reason) {
        return new Verdict(false, m, mean, Double.NaN, Double.NaN, reason);
    }
}

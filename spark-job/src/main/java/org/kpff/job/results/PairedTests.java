package org.kpff.job.results;

import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Paired significance tests for comparing two methods on identical cross-validation folds: the Nadeau–Bengio
 * corrected resampled t-test on per-fold accuracy differences, and McNemar's exact test on pooled per-image
 * predictions. Distributions come from commons-math3.
 */
public final class PairedTests {

    private PairedTests() {
    }

    /** Fewest paired folds for which the corrected t-test is reported; fewer give {@link TTestStatus#TOO_FEW_FOLDS}. */
    public static final int MIN_FOLDS = 3;

    /**
     * Sample standard deviations at most this times {@code max(1, max |d_i|)} count as zero: differences of fold
     * accuracies that are equal up to floating-point rounding (0.35 − 0.30 and 0.40 − 0.35 differ in the 17th digit)
     * have no real spread, and dividing by that rounding noise would give |t| ≈ 1e15 and p ≈ 0.
     */
    static final double ZERO_VARIANCE_TOLERANCE = 1e-9;

    /**
     * A t-test result.
     *
     * @param statistic        the t statistic; NaN unless the status is {@link TTestStatus#OK}
     * @param degreesOfFreedom n − 1 (−1 for no differences)
     * @param pValue           two-sided p-value; NaN unless the status is {@link TTestStatus#OK}
     * @param status           whether the test is defined, or why not
     */
    public record TTest(double statistic, double degreesOfFreedom, double pValue, TTestStatus status) {
    }

    /**
     * The Nadeau–Bengio (2003) corrected resampled t-test: {@code t = mean(d) / sqrt((1/n + ρ) · s²)} with d the n
     * per-fold differences, s² their sample variance and ρ = n_test / n_train; for k-fold cross-validation
     * ρ = 1 / (k − 1). The p-value is two-sided from Student's t with n − 1 degrees of freedom.
     *
     * <p>Edge cases, never a p below any α without evidence: fewer than {@link #MIN_FOLDS} differences (n = 0, 1, 2)
     * give {@link TTestStatus#TOO_FEW_FOLDS}; differences that are all equal (all zero included, up to
     * {@link #ZERO_VARIANCE_TOLERANCE}) give {@link TTestStatus#ZERO_VARIANCE}; both with t = NaN and p = NaN.
     *
     * @param differences    per-fold differences, one per paired fold; finite
     * @param testTrainRatio ρ = n_test / n_train (≥ 0)
     * @throws IllegalArgumentException for a negative or NaN ρ or a non-finite difference
     */
    public static TTest correctedResampledTTest(double[] differences, double testTrainRatio) {
        if (!(testTrainRatio >= 0)) {
            throw new IllegalArgumentException("testTrainRatio = " + testTrainRatio + " must be >= 0");
        }
        double maxAbs = 0;
        for (int i = 0; i < differences.length; i++) {
            if (!Double.isFinite(differences[i])) {
                throw new IllegalArgumentException("differences[" + i + "] = " + differences[i]
                        + " must be finite (a paired fold has two finite accuracies)");
            }
            maxAbs = Math.max(maxAbs, Math.abs(differences[i]));
        }
        SampleStats s = SampleStats.of(differences);
        double df = s.n() - 1;
        if (s.n() < MIN_FOLDS) {
            return new TTest(Double.NaN, df, Double.NaN, TTestStatus.TOO_FEW_FOLDS);
        }
        if (s.std() <= ZERO_VARIANCE_TOLERANCE * Math.max(1, maxAbs)) {
            return new TTest(Double.NaN, df, Double.NaN, TTestStatus.ZERO_VARIANCE);
        }
        double variance = s.std() * s.std();
        double t = s.mean() / Math.sqrt((1.0 / s.n() + testTrainRatio) * variance);
        double p = 2 * new TDistribution(null, df).cumulativeProbability(-Math.abs(t));
        return new TTest(t, df, Math.min(1, p), TTestStatus.OK);
    }

    /**
     * McNemar's exact test: under the null the b + c discordant images split as Binomial(b + c, 1/2); the two-sided
     * p-value is {@code min(1, 2 · P(X ≤ min(b, c)))}. Exact, not the chi-square approximation, because b + c is
     * often small for a few folds of a small dataset. b + c = 0 (identical predictions, or the same images right)
     * gives p = 1: no evidence either way ({@link McNemarStatus#NO_DISCORDANT}).
     *
     * @param b images method A gets right and method B wrong
     * @param c images B gets right and A wrong
     */
    public static double mcNemarExactP(long b, long c) {
        if (b < 0 || c < 0) {
            throw new IllegalArgumentException("McNemar counts b = " + b + ", c = " + c + " must be >= 0");
        }
        long n = b + c;
        if (n == 0) {
            return 1;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("McNemar b + c = " + n + " exceeds " + Integer.MAX_VALUE);
        }
        double tail = new BinomialDistribution(null, (int) n, 0.5).cumulativeProbability((int) Math.min(b, c));
        return Math.min(1, 2 * tail);
    }
}

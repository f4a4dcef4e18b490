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

    /**
     * A t-test result.
     *
     * @param statistic        the t statistic
     * @param degreesOfFreedom n − 1
     * @param pValue           two-sided p-value
     */
    public record TTest(double statistic, double degreesOfFreedom, double pValue) {
    }

    /**
     * The Nadeau–Bengio (2003) corrected resampled t-test: {@code t = mean(d) / sqrt((1/n + ρ) · s²)} with d the n
     * per-fold differences, s² their sample variance and ρ = n_test / n_train; for k-fold cross-validation
     * ρ = 1 / (k − 1). The p-value is two-sided from Student's t with n − 1 degrees of freedom.
     *
     * <p>Edge cases: fewer than 2 differences (or any NaN) give t = NaN and p = NaN; zero variance gives t = ±∞ and
     * p = 0 when the mean is not 0, and t = 0 and p = 1 when it is.
     *
     * @param differences   per-fold differences, one per paired fold
     * @param testTrainRatio ρ = n_test / n_train (≥ 0)
     */
    public static TTest correctedResampledTTest(double[] differences, double testTrainRatio) {
        if (!(testTrainRatio >= 0)) {
            throw new IllegalArgumentException("testTrainRatio = " + testTrainRatio + " must be >= 0");
        }
        SampleStats s = SampleStats.of(differences);
        double df = s.n() - 1;
        if (s.n() < 2 || Double.isNaN(s.std())) {
            return new TTest(Double.NaN, df, Double.NaN);
        }
        double variance = s.std() * s.std();
        if (variance == 0) {
            return s.mean() == 0 ? new TTest(0, df, 1)
                    : new TTest(Math.copySign(Double.POSITIVE_INFINITY, s.mean()), df, 0);
        }
        double t = s.mean() / Math.sqrt((1.0 / s.n() + testTrainRatio) * variance);
        double p = 2 * new TDistribution(null, df).cumulativeProbability(-Math.abs(t));
        return new TTest(t, df, Math.min(1, p));
    }

    /**
     * McNemar's exact test: under the null the b + c discordant images split as Binomial(b + c, 1/2); the two-sided
     * p-value is {@code min(1, 2 · P(X ≤ min(b, c)))}. Exact, not the chi-square approximation, because b + c is
     * often small for a few folds of a small dataset. b + c = 0 gives p = 1.
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

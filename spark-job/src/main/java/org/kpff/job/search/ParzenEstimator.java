package org.kpff.job.search;

import java.util.Arrays;
import org.apache.commons.math3.special.Erf;

/**
 * A one-dimensional Parzen estimator of TPE (Bergstra, Bardenet, Bengio and Kégl 2011, "Algorithms for
 * hyper-parameter optimization", NIPS, section 4): the density of a set of observed values, mixed with the prior,
 * on a bounded interval or over a finite set of categories.
 *
 * <p><b>Numeric</b> (on [a, b], in the sampler's internal coordinate: the value, or its log for log-uniform keys):
 * m observations μ_1 ≤ ... ≤ μ_m give the mixture
 * p(x) = 1/(m+1) · [ N_[a,b](x; (a+b)/2, b−a) + Σ_j N_[a,b](x; μ_j, σ_j) ],
 * where N_[a,b](x; μ, σ) = φ((x−μ)/σ) / (σ·(Φ((b−μ)/σ) − Φ((a−μ)/σ))) is the normal density truncated to [a, b]
 * and the first term is the prior (a wide normal, weight 1 like one observation). The bandwidth of observation j is
 * the larger distance to its sorted neighbours, the bounds a and b standing in for the missing neighbour of the
 * first and last: σ_j = max(μ_j − μ_{j−1}, μ_{j+1} − μ_j), clipped to [(b−a)/min(100, m+1), b−a] (Bergstra et al.'s
 * adaptive Parzen estimator, as in hyperopt). With no observations p is the truncated prior. p(x) > 0 on [a, b]
 * because the prior term is never below φ(1/2)/(b−a) · 1/(m+1).
 *
 * <p><b>Categorical</b> (K categories): p(c) = (n_c + 1/K) / (m + 1), n_c the observations of category c: the
 * counts plus the uniform prior with weight 1.
 */
final class ParzenEstimator {

    private static final double SQRT2 = Math.sqrt(2);
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private final double low;
    private final double high;
    private final double[] mu;
    private final double[] sigma;
    private final double[] logMass;
    private final double[] categorical;

    private ParzenEstimator(double low, double high, double[] mu, double[] sigma, double[] categorical) {
        this.low = low;
        this.high = high;
        this.mu = mu;
        this.sigma = sigma;
        this.categorical = categorical;
        this.logMass = new double[mu.length];
        for (int c = 0; c < mu.length; c++) {
            logMass[c] = Math.log(Erf.erf((low - mu[c]) / (sigma[c] * SQRT2), (high - mu[c]) / (sigma[c] * SQRT2)) / 2);
        }
    }

    /**
     * The numeric estimator of observations on [low, high].
     *
     * @throws IllegalArgumentException when low >= high, either is not finite, or an observation is outside
     */
    static ParzenEstimator numeric(double low, double high, double[] observations) {
        if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException("[low, high] = [" + low + ", " + high + "]: must be finite with low "
                    + "< high");
        }
        double[] sorted = observations.clone();
        Arrays.sort(sorted);
        int m = sorted.length;
        for (double v : sorted) {
            if (!(v >= low && v <= high)) {
                throw new IllegalArgumentException("observation " + v + ": must be in [" + low + ", " + high + "]");
            }
        }
        double width = high - low;
        double minSigma = width / Math.min(100, m + 1);
        double[] mu = new double[m + 1];
        double[] sigma = new double[m + 1];
        mu[0] = (low + high) / 2;
        sigma[0] = width;
        for (int j = 0; j < m; j++) {
            double left = j == 0 ? low : sorted[j - 1];
            double right = j == m - 1 ? high : sorted[j + 1];
            double s = Math.max(sorted[j] - left, right - sorted[j]);
            mu[j + 1] = sorted[j];
            sigma[j + 1] = Math.max(minSigma, Math.min(width, s));
        }
        return new ParzenEstimator(low, high, mu, sigma, null);
    }

    /**
     * The categorical estimator of observed category indices among {@code k} categories.
     *
     * @throws IllegalArgumentException when k < 1 or an index is outside 0..k−1
     */
    static ParzenEstimator categorical(int k, int[] observations) {
        if (k < 1) {
            throw new IllegalArgumentException("k = " + k + ": must be at least 1");
        }
        double[] p = new double[k];
        Arrays.fill(p, 1.0 / k);
        for (int c : observations) {
            if (c < 0 || c >= k) {
                throw new IllegalArgumentException("observation " + c + ": must be a category index in 0.." + (k - 1));
            }
            p[c] += 1;
        }
        for (int c = 0; c < k; c++) {
            p[c] /= observations.length + 1;
        }
        return new ParzenEstimator(Double.NaN, Double.NaN, new double[0], new double[0], p);
    }

    /** The log density at x (numeric) or the log probability of category index x (categorical). */
    double logDensity(double x) {
        if (categorical != null) {
            return Math.log(categorical[(int) x]);
        }
        // log Σ_c w_c N_c(x), summed stably around the largest term.
        double[] terms = new double[mu.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < mu.length; c++) {
            double z = (x - mu[c]) / sigma[c];
            terms[c] = -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma[c]) - logMass[c];
            max = Math.max(max, terms[c]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum / mu.length);
    }

    /**
     * One draw: a component (or category) chosen by weight, then, for a numeric estimator, a normal draw of that
     * component redrawn until it falls in [low, high] (each try lands inside with probability at least
     * Φ(1) − Φ(0) ≈ 0.34, since σ ≤ b − a and μ ∈ [a, b]; after 200 tries the draw is clamped).
     */
    double sample(SearchTrials.Stream rng) {
        if (categorical != null) {
            double u = rng.nextDouble();
            double acc = 0;
            for (int c = 0; c < categorical.length; c++) {
                acc += categorical[c];
                if (u < acc) {
                    return c;
                }
            }
            return categorical.length - 1;
        }
        int c = (int) Math.min(mu.length - 1, Math.floor(rng.nextDouble() * mu.length));
        double x = mu[c];
        for (int tries = 0; tries < 200; tries++) {
            x = mu[c] + sigma[c] * gaussian(rng);
            if (x >= low && x <= high) {
                return x;
            }
        }
        return Math.max(low, Math.min(high, x));
    }

    /** A standard normal draw by the Box–Muller transform of two uniforms (portable, unlike nextGaussian). */
    private static double gaussian(SearchTrials.Stream rng) {
        double u1 = 1 - rng.nextDouble(); // (0, 1]
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}

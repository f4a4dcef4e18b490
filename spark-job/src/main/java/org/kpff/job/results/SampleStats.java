package org.kpff.job.results;

import org.apache.commons.math3.stat.StatUtils;

/**
 * Count, mean and sample standard deviation of a few values (fold accuracies, paired differences), computed by
 * commons-math3 ({@link StatUtils#mean}, and {@link StatUtils#variance}: bias-corrected, two-pass with a
 * rounding correction).
 *
 * <p>NaN and empty input: no values give mean NaN and std NaN; one value gives that mean and std NaN (a sample std
 * needs two; commons-math3 would say 0, which reads as "no spread" and is not what one value shows); a NaN among the
 * values makes both NaN. The std divides by n − 1 (sample, not population).
 *
 * @param n    number of values
 * @param mean arithmetic mean
 * @param std  sample standard deviation, sqrt(Σ(x − mean)² / (n − 1))
 */
public record SampleStats(int n, double mean, double std) {

    /** The statistics of the values. */
    public static SampleStats of(double... values) {
        int n = values.length;
        if (n == 0) {
            return new SampleStats(0, Double.NaN, Double.NaN);
        }
        double mean = StatUtils.mean(values);
        if (n == 1) {
            return new SampleStats(1, mean, Double.NaN);
        }
        return new SampleStats(n, mean, Math.sqrt(StatUtils.variance(values, mean)));
    }
}

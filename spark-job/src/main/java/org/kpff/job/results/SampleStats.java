package org.kpff.job.results;

/**
 * Count, mean and sample standard deviation of a few values (fold accuracies, paired differences).
 *
 * <p>NaN and empty input: no values give mean NaN and std NaN; one value gives that mean and std NaN (a sample std
 * needs two); a NaN among the values makes both NaN. The std divides by n − 1 (sample, not population).
 *
 * @param n    number of values
 * @param mean arithmetic mean
 * @param std  sample standard deviation, sqrt(Σ(x − mean)² / (n − 1))
 */
public record SampleStats(int n, double mean, double std) {

    /** The statistics of the values, by two passes (mean, then squared deviations) for accuracy. */
    public static SampleStats of(double... values) {
        int n = values.length;
        if (n == 0) {
            return new SampleStats(0, Double.NaN, Double.NaN);
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / n;
        if (n == 1) {
            return new SampleStats(1, mean, Double.NaN);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new SampleStats(n, mean, Math.sqrt(ss / (n - 1)));
    }
}

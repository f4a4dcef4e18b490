package org.kpff.job.results;

import java.io.Serializable;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.kpff.core.fusion.FusionMethod;

/**
 * One row of {@code comparisons.parquet}: a fusion method against a baseline on identical folds, with the corrected
 * resampled t-test and McNemar's test; see {@link ResultSchemas#COMPARISONS} (definitions and NaN rules).
 *
 * @param backbone      backbone name
 * @param method        the fusion method compared
 * @param baseline      the method it is compared against
 * @param hp            hyperparameter point
 * @param nFolds        paired folds (both cells ok)
 * @param meanDiff      mean of the per-fold final-accuracy differences (method − baseline)
 * @param stdDiff       their sample standard deviation
 * @param tStatistic    Nadeau–Bengio corrected resampled t statistic
 * @param tPValue       its two-sided p-value
 * @param nImages       held-out images predicted by both cells
 * @param mcnemarB      images the method gets right and the baseline wrong
 * @param mcnemarC      images the baseline gets right and the method wrong
 * @param mcnemarPValue exact two-sided McNemar p-value
 * @param tStatus       whether the t-test is defined, or why not (t and p are NaN unless it is)
 * @param mcnemarStatus whether McNemar's test had images and discordant images
 */
public record ComparisonRow(String backbone, FusionMethod method, FusionMethod baseline, SortedMap<String, String> hp,
        int nFolds, double meanDiff, double stdDiff, double tStatistic, double tPValue, long nImages, long mcnemarB,
        long mcnemarC, double mcnemarPValue, TTestStatus tStatus, McNemarStatus mcnemarStatus) implements Serializable {

    /** Checks for nulls and copies the point. */
    public ComparisonRow {
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(tStatus, "tStatus");
        Objects.requireNonNull(mcnemarStatus, "mcnemarStatus");
        hp = Collections.unmodifiableSortedMap(new TreeMap<>(hp));
    }

    /** The row in {@link ResultSchemas#COMPARISONS} column order. */
    public Row toRow() {
        return RowFactory.create(backbone, method.id(), baseline.id(), new TreeMap<>(hp), nFolds, meanDiff, stdDiff,
                tStatistic, tPValue, nImages, mcnemarB, mcnemarC, mcnemarPValue, tStatus.id(), mcnemarStatus.id());
    }

    /**
     * Reads a row of {@link ResultSchemas#COMPARISONS}. The two status columns, which runs of schema version 1 lack
     * (null), are derived from the row: t is defined exactly when its p-value is a number (else too few folds or
     * zero variance, told apart by {@code n_folds}), McNemar's status follows from its counts.
     */
    public static ComparisonRow fromRow(Row row) {
        var s = ResultSchemas.COMPARISONS;
        int n = Rows.integer(row, s, "n_folds");
        double tP = Rows.doubleValue(row, s, "t_p_value");
        long images = Rows.longValue(row, s, "n_images");
        long b = Rows.longValue(row, s, "mcnemar_b");
        long c = Rows.longValue(row, s, "mcnemar_c");
        String t = Rows.string(row, s, "t_status");
        String m = Rows.string(row, s, "mcnemar_status");
        TTestStatus tStatus = t != null ? TTestStatus.parse(t) : !Double.isNaN(tP) ? TTestStatus.OK
                : n < PairedTests.MIN_FOLDS ? TTestStatus.TOO_FEW_FOLDS : TTestStatus.ZERO_VARIANCE;
        return new ComparisonRow(Rows.string(row, s, "backbone"), FusionMethod.parse(Rows.string(row, s, "fusion")),
                FusionMethod.parse(Rows.string(row, s, "baseline")), Rows.stringMap(row, s, "hp"), n,
                Rows.doubleValue(row, s, "mean_diff"), Rows.doubleValue(row, s, "std_diff"),
                Rows.doubleValue(row, s, "t_statistic"), tP, images, b, c, Rows.doubleValue(row, s, "mcnemar_p_value"),
                tStatus, m != null ? McNemarStatus.parse(m) : McNemarStatus.of(images, b, c));
    }
}

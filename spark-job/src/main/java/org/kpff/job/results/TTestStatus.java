package org.kpff.job.results;

import java.util.Locale;
import org.kpff.core.EnumIds;

/**
 * Whether a paired corrected resampled t-test is defined, and if not why: the {@code t_status} column of
 * {@code comparisons.parquet}. Only {@link #OK} carries a t statistic and a p-value; every other status has both NaN,
 * so an undefined test can never read as significant.
 */
public enum TTestStatus {
    /** Defined: at least {@link PairedTests#MIN_FOLDS} paired folds and differences that vary. */
    OK,
    /** Fewer than {@link PairedTests#MIN_FOLDS} paired folds (including none): too few for the t-test. */
    TOO_FEW_FOLDS,
    /**
     * The per-fold differences are all equal (all zero included), up to floating-point rounding: their sample
     * variance is 0 and t = mean / 0 is undefined (not ±∞, which would claim p = 0 from two equal numbers).
     */
    ZERO_VARIANCE;

    /** The value stored in the {@code t_status} column ({@link EnumIds#id}). */
    public String id() {
        return EnumIds.id(this);
    }

    /** The status of a stored id; an error names the value and the allowed ids. */
    public static TTestStatus parse(String id) {
        return EnumIds.parse(TTestStatus.class, id, "t_status");
    }

    /** Why the test is undefined, for a comparison with {@code n} paired folds and mean difference {@code mean}. */
    public String reason(int n, double mean) {
        return switch (this) {
            case OK -> "";
            case TOO_FEW_FOLDS -> "t undefined: " + n + " paired fold" + (n == 1 ? "" : "s") + ", fewer than the "
                    + PairedTests.MIN_FOLDS + " the t-test needs";
            case ZERO_VARIANCE -> String.format(Locale.ROOT, "t undefined: the %d fold differences are all %+.2f pp"
                    + " (zero variance)", n, 100 * mean);
        };
    }
}

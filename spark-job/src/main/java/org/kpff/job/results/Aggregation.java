package org.kpff.job.results;

import java.io.Serializable;
import java.util.List;

/**
 * What the aggregation of a run produces: the summary rows (Table 1) and the paired comparisons.
 *
 * @param folds       k, the run's number of cross-validation folds (for the t-test's correction)
 * @param summary     one row per backbone × method × hyperparameter point, sorted
 * @param comparisons one row per backbone × point × (method, baseline) pair, sorted
 */
public record Aggregation(int folds, List<SummaryRow> summary, List<ComparisonRow> comparisons)
        implements Serializable {

    /** Copies the lists. */
    public Aggregation {
        summary = List.copyOf(summary);
        comparisons = List.copyOf(comparisons);
    }
}

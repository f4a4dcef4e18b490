package org.kpff.job.config;

import org.kpff.core.EnumIds;

/** How a hyperparameter search chooses and trains its trials; {@link #NONE} for a plain cross-validation run. */
public enum SearchStrategy {
    /** No search: the config describes a plain run (the {@code run} subcommand). */
    NONE,
    /** Every point of the Cartesian product of the space's lists, each trained to {@code train.epochs}. */
    GRID,
    /** {@code search.trials} points drawn from the space with {@code search.seed}, each trained to the end. */
    RANDOM,
    /** Asynchronous successive halving: trials start at a short budget and the best 1/eta of each rung go on. */
    ASHA,
    /**
     * Hyperband: several asha brackets side by side, bracket b starting its trials at rung b, trials dealt to the
     * brackets in Hyperband's proportions ({@code search.brackets} of them; all by default).
     */
    HYPERBAND,
    /**
     * Tree-structured Parzen estimator: after {@code search.tpe.startup-trials} random trials, each trial is proposed
     * from the finished trials' scores; with rungs ({@code search.min-epochs} x {@code search.eta} <=
     * {@code train.epochs}) the trials are promoted as by asha and proposed from the rungs' scores (BOHB).
     */
    TPE;

    /** The lower-case name used in configs. */
    public String id() {
        return EnumIds.id(this);
    }
}

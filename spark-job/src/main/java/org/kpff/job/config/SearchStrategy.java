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
    ASHA;

    /** The lower-case name used in configs. */
    public String id() {
        return EnumIds.id(this);
    }
}

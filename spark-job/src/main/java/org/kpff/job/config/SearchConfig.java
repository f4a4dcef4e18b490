package org.kpff.job.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * The {@code search.*} section: how the {@code search} subcommand chooses hyperparameter points (trials), how many,
 * and, for successive halving, how it cuts them early.
 *
 * @param strategy  none (a plain run), grid, random or asha
 * @param trials    the trial budget; 0 means every point of a discrete space (grid, asha)
 * @param seed      seed of the random draws and of the trial order
 * @param eta       successive halving's reduction factor: the best 1/eta of a rung are promoted
 * @param minEpochs successive halving's smallest budget r: the first rung trains about this many epochs
 * @param space     the searched keys and their values or distributions
 * @param nested    nested cross-validation: one inner search per outer fold besides the search over all folds
 */
public record SearchConfig(SearchStrategy strategy, int trials, long seed, int eta, int minEpochs, SearchSpace space,
        boolean nested) implements Serializable {

    /** Checks for nulls. */
    public SearchConfig {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(space, "space");
    }

    /** Whether the config describes a search (strategy other than none). */
    public boolean enabled() {
        return strategy != SearchStrategy.NONE;
    }
}

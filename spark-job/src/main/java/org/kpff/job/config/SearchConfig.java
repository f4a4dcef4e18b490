package org.kpff.job.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * The {@code search.*} section: how the {@code search} subcommand chooses hyperparameter points (trials), how many,
 * and, for successive halving, how it cuts them early.
 *
 * @param strategy  none (a plain run), grid, random, asha or tpe
 * @param trials    the trial budget; 0 means every point of a discrete space (grid, asha)
 * @param seed      seed of the random draws and of the trial order
 * @param eta       successive halving's reduction factor: the best 1/eta of a rung are promoted
 * @param minEpochs successive halving's smallest budget r: the first rung trains about this many epochs
 * @param space     the searched keys and their values or distributions
 * @param nested    nested cross-validation: one inner search per outer fold besides the search over all folds
 * @param tpeStartupTrials tpe: random trials before the model proposes
 * @param tpeInFlight      tpe: trial t is proposed from the results of trials 0 .. t − tpeInFlight
 * @param foldPruning      stop a trial inside a rung when its completed folds are worse than the incumbent's
 * @param foldPruningAlpha the bound on fold pruning's false-prune rate
 * @param budget           epoch-cells each search may spend; 0 for no budget
 * @param brackets         successive-halving brackets; 0 for the strategy's default (hyperband: all, else 1)
 */
public record SearchConfig(SearchStrategy strategy, int trials, long seed, int eta, int minEpochs, SearchSpace space,
        boolean nested, int tpeStartupTrials, int tpeInFlight, boolean foldPruning, double foldPruningAlpha,
        int budget, int brackets) implements Serializable {

    /** A search section with the tpe and fold-pruning keys at their defaults. */
    public SearchConfig(SearchStrategy strategy, int trials, long seed, int eta, int minEpochs, SearchSpace space,
            boolean nested) {
        this(strategy, trials, seed, eta, minEpochs, space, nested, ConfigKeys.SEARCH_TPE_STARTUP_TRIALS.defaultValue(),
                ConfigKeys.SEARCH_TPE_IN_FLIGHT.defaultValue(), ConfigKeys.SEARCH_FOLD_PRUNING.defaultValue(),
                ConfigKeys.SEARCH_FOLD_PRUNING_ALPHA.defaultValue(), ConfigKeys.SEARCH_BUDGET.defaultValue(),
                ConfigKeys.SEARCH_BRACKETS.defaultValue());
    }

    /** Checks for nulls. */
    public SearchConfig {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(space, "space");
    }

    /**
     * The same search with another trial count, unchecked: a resumed search replays the search its decisions were
     * recorded by (its own trial count) to check them.
     */
    public SearchConfig withTrials(int n) {
        return new SearchConfig(strategy, n, seed, eta, minEpochs, space, nested, tpeStartupTrials, tpeInFlight,
                foldPruning, foldPruningAlpha, budget, brackets);
    }

    /** The same search with another budget in epoch-cells, unchecked (the search a journal was written by). */
    public SearchConfig withBudget(int epochCells) {
        return new SearchConfig(strategy, trials, seed, eta, minEpochs, space, nested, tpeStartupTrials, tpeInFlight,
                foldPruning, foldPruningAlpha, epochCells, brackets);
    }

    /** Whether trials climb successive-halving rungs (asha, hyperband; tpe has them when its epochs allow). */
    public boolean successiveHalving() {
        return strategy == SearchStrategy.ASHA || strategy == SearchStrategy.HYPERBAND;
    }

    /** The brackets a search with this many rungs runs: search.brackets, or its default (hyperband: one per rung). */
    public int bracketCount(int rungs) {
        return rungs == 1 ? 1 : brackets > 0 ? Math.min(brackets, rungs) : strategy == SearchStrategy.HYPERBAND ? rungs : 1;
    }

    /** Whether the config describes a search (strategy other than none). */
    public boolean enabled() {
        return strategy != SearchStrategy.NONE;
    }
}

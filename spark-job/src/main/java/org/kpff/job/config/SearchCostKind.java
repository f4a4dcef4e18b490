package org.kpff.job.config;

/**
 * {@code search.cost}: the second objective of a search's Pareto front in {@code search.md} (accuracy against cost).
 * It does not change what the search trains or chooses.
 */
public enum SearchCostKind {
    /** Forward FLOPs per image of the trial's network, from {@code plan}'s cost model: deterministic. */
    FLOPS("flops"),
    /** The trial's measured training seconds ({@code train_seconds} of its cells, summed over folds and rungs). */
    SECONDS("seconds");

    private final String id;

    SearchCostKind(String id) {
        this.id = id;
    }

    /** The config value. */
    public String id() {
        return id;
    }
}

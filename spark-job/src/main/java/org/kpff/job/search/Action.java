package org.kpff.job.search;

import org.kpff.core.EnumIds;

/** What a search decided for a trial at a rung. */
public enum Action {
    /** The trial goes on to the next rung. */
    PROMOTE,
    /** The trial stops at this rung; its results stay. */
    STOP,
    /** A cell of the trial failed deterministically at this rung. */
    FAIL,
    /** The trial finished the last rung. */
    COMPLETE,
    /** Fold-level pruning stopped the trial inside a rung, before its remaining folds. */
    PRUNE,
    /** The trial was to be promoted but its next rung did not fit in {@code search.budget}: it stops at this rung. */
    OVER_BUDGET;

    /** The lower-case name used in files. */
    public String id() {
        return EnumIds.id(this);
    }

    /**
     * Parses {@link #id()}.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static Action parse(String id) {
        return EnumIds.parse(Action.class, id, "search action");
    }
}

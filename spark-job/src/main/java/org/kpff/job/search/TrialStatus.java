package org.kpff.job.search;

import org.kpff.core.EnumIds;

/** Where a trial of a search stands. */
public enum TrialStatus {
    /** Not finished: cells to run or decisions to wait for. */
    PENDING,
    /** Trained to the last rung. */
    COMPLETED,
    /** Stopped at a rung by successive halving. */
    STOPPED,
    /** A cell failed deterministically (e.g. the loss diverged). */
    FAILED,
    /** Stopped inside a rung by fold-level pruning: its completed folds were worse than the incumbent's. */
    PRUNED,
    /** A cell's Spark job failed after all retries in this attempt; rerun with --resume. */
    INCOMPLETE;

    /** The lower-case name used in files. */
    public String id() {
        return EnumIds.id(this);
    }

    /** Whether the trial will get no more cells: completed, stopped, failed or pruned. */
    public boolean isFinal() {
        return this == COMPLETED || this == STOPPED || this == FAILED || this == PRUNED;
    }
}

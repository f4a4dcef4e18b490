package org.kpff.job.fault;

import java.io.IOException;

/**
 * The points where tests inject faults into a run; every method does nothing by default, which is what a production
 * run gets ({@link #NONE}). Tests install an implementation with {@link FaultInjection#install(FaultInjector)}.
 */
public interface FaultInjector {

    /** No fault anywhere: what every production run uses. */
    FaultInjector NONE = new FaultInjector() {
    };

    /**
     * Executor side, after each evaluation of a cell and its checkpoint: may throw (an infrastructure-like failure
     * that Spark retries) or block.
     *
     * @param cellId            the cell
     * @param attempt           the Spark task attempt, from 1
     * @param epoch             the epoch just evaluated
     * @param firstEpochOfAttempt the first epoch this attempt evaluated (after a resume, later than the first)
     */
    default void afterEvaluation(String cellId, int attempt, int epoch, int firstEpochOfAttempt) {
    }

    /**
     * Driver side, in every commit between staging a cell's tables and renaming them into place: may throw to make
     * that commit attempt fail.
     */
    default void beforeRename(String cellId) throws IOException {
    }

    /**
     * Driver side, after each cell ended: whether the driver stops handing out cells and fails the attempt as if it
     * had died.
     *
     * @param cellsEnded cells of this attempt that ended and were committed (ok or failed)
     */
    default boolean stopAfter(int cellsEnded) {
        return false;
    }
}

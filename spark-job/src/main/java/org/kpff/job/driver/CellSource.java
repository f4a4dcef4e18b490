package org.kpff.job.driver;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.kpff.job.exec.CellRun;
import org.kpff.job.plan.GridCell;

/**
 * Feeds the driver the cells to run as slots free up, and hears how each ended; the driver calls it from one
 * thread only. A plain run hands out a fixed list; a search decides its next cells from the results so far.
 */
public interface CellSource {

    /** The next cell to start now, or empty when none can start until a running cell ends (or none is left). */
    Optional<PlannedCell> next();

    /**
     * A started cell ended, after it was committed.
     *
     * @param run what the executor returned (ok or a deterministic failure), or null when the cell's Spark job
     *            failed after all retries and nothing was committed
     */
    void finished(PlannedCell cell, CellRun run);

    /** The cells this attempt will run, when known in advance (progress then shows an ETA); empty for a search. */
    default Optional<List<GridCell>> knownCells() {
        return Optional.empty();
    }

    /**
     * Called once the attempt's cells have ended and the run was aggregated: writes what the source adds to the run
     * folder (a search's trials, search.md, best.conf).
     */
    default void complete(OpenedRun run) throws IOException {
    }

    /** Makes the source of an attempt once the run folder is open (committed cells known, folds made). */
    @FunctionalInterface
    interface Factory {

        /**
         * The source for this attempt.
         *
         * @throws IllegalArgumentException when the run folder's committed results contradict the source (a
         *                                  resumed search whose decisions changed)
         */
        CellSource open(OpenedRun run) throws IOException;
    }
}

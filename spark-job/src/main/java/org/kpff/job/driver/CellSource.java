package org.kpff.job.driver;

import java.util.Optional;
import org.kpff.job.exec.CellRun;

/**
 * Feeds the driver the cells to run as slots free up, and hears how each ended; the driver calls it from one
 * thread only. A plain run hands out a fixed list; a search decides its next cells from the results so far.
 */
interface CellSource {

    /** The next cell to start now, or empty when none can start until a running cell ends (or none is left). */
    Optional<PlannedCell> next();

    /**
     * A started cell ended, after it was committed.
     *
     * @param run what the executor returned (ok or a deterministic failure), or null when the cell's Spark job
     *            failed after all retries and nothing was committed
     */
    void finished(PlannedCell cell, CellRun run);
}

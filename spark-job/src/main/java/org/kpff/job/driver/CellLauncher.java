package org.kpff.job.driver;

/**
 * Launches, from the driver, the cells a {@link CellSource} hands out and commits each finished one: one Spark task per cell side by side
 * ({@link TaskPerCellLauncher}), or each cell data-parallel over the executors ({@link DataParallelCellLauncher}).
 */
interface CellLauncher {

    /**
     * Runs cells until the source has none left; each finished cell is committed before the source hears of it.
     *
     * @return the attempt's counters
     * @throws java.io.UncheckedIOException when a cell cannot be committed (the other cells are stopped first)
     */
    Outcomes execute(RunSession session, CellSource source, Progress progress);
}

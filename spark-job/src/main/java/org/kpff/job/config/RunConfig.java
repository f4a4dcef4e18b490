package org.kpff.job.config;

import java.io.Serializable;

/**
 * The {@code run.*} section: how the job uses the cluster.
 *
 * @param mode               one cell per task, or each cell data-parallel
 * @param maxConcurrentCells most cells in flight; 0 means as many as the cluster has slots
 * @param checkpoint         whether cells checkpoint so that a retry resumes
 * @param dataParallel       how a cell is spread over the executors in {@link RunMode#DATA_PARALLEL} mode
 */
public record RunConfig(RunMode mode, int maxConcurrentCells, boolean checkpoint, DataParallelConfig dataParallel)
        implements Serializable {
}

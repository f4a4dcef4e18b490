package org.kpff.job.config;

import java.io.Serializable;

/**
 * The {@code run.*} section: how the job uses the cluster.
 *
 * @param mode               one cell per task, or each cell data-parallel
 * @param maxConcurrentCells most cells in flight; 0 means as many as the cluster has slots
 * @param checkpoint         whether cells checkpoint so that a retry resumes
 */
public record RunConfig(RunMode mode, int maxConcurrentCells, boolean checkpoint) implements Serializable {
}

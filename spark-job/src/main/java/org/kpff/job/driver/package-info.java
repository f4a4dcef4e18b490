/**
 * Driver side of the job: the one {@link org.kpff.job.driver.JobDriver} runs any
 * {@link org.kpff.job.driver.CellSource} (the grid, or a search from {@code org.kpff.job.search}) with the same
 * collaborators: the run folder (checks, resume, orphans, run.json), the pre-flight
 * decode job, the cluster's slots, a cell launcher (one Spark task per cell, or data-parallel cells) with commit
 * retries, and the result writer that aggregates the committed cells into the summary. Everything here runs in the
 * driver JVM; what runs in executors is in {@code org.kpff.job.exec}.
 */
package org.kpff.job.driver;

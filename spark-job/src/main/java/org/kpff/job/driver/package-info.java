/**
 * Driver side of the job: {@link org.kpff.job.driver.JobDriver} (a grid) and {@link org.kpff.job.driver.SearchDriver}
 * (a search) orchestrate the same collaborators: the run folder (checks, resume, orphans, run.json), the pre-flight
 * decode job, the cluster's slots, a cell executor (one Spark task per cell, or data-parallel cells) with commit
 * retries, and the result writer that aggregates the committed cells into the summary.
 */
package org.kpff.job.driver;

/**
 * Hyperparameter search as a cell source of the one driver: the trials a search config describes
 * ({@link org.kpff.job.search.SearchTrials}), the rungs of successive halving, the scheduler that decides promotions
 * and stops from fold results ({@link org.kpff.job.search.SearchScheduler}), one search over a set of folds
 * ({@link org.kpff.job.search.SearchStudy}), the named {@link org.kpff.job.search.Objective}, and the
 * {@link org.kpff.job.search.SearchSource} that runs a plain or nested search through
 * {@link org.kpff.job.driver.JobDriver}; its outputs are trials/, search.md, best.conf and nested.parquet. Runs in
 * the driver JVM.
 */
package org.kpff.job.search;

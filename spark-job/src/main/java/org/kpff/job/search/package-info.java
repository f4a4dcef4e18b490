/**
 * Hyperparameter search without Spark: the trials a search config describes ({@link org.kpff.job.search.SearchTrials}),
 * the rungs of successive halving, and the scheduler that decides promotions and stops from fold results
 * ({@link org.kpff.job.search.SearchScheduler}). The driver runs what the scheduler hands out.
 */
package org.kpff.job.search;

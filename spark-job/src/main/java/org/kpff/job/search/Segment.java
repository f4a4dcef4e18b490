package org.kpff.job.search;

/**
 * One cell of a search: a trial's fold at a rung.
 *
 * @param trial the trial id
 * @param rung  the rung, 0-based
 * @param fold  the held-out fold
 */
public record Segment(int trial, int rung, int fold) {
}

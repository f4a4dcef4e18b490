/**
 * Driver side of the job: validates and lists, plans the grid, keeps one cell per GPU slot in flight, commits
 * results, writes run.json, and aggregates the committed cells into the summary.
 */
package org.kpff.job.driver;

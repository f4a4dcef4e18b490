/**
 * Fault injection for the reliability tests: one small interface whose default does nothing, and the holder of the
 * injector in force in a JVM. Production code calls it at three points (after a cell's evaluation, before a commit's
 * rename, after each cell ended); only tests install anything. The points are on both sides of Spark: the driver's
 * commit and the executors' training loop.
 */
package org.kpff.job.fault;

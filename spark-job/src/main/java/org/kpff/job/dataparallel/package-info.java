/**
 * Data-parallel cells ({@code run.mode = data-parallel}): the driver trains one cell over all executors with
 * dl4j-spark's parameter averaging; the workers build their minibatches from their own image cache and report their
 * loss through accumulators.
 */
package org.kpff.job.dataparallel;

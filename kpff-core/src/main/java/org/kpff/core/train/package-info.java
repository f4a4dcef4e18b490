/**
 * One cell's training, on the executor that runs the cell's Spark task (or the driver in local mode): the epoch loop
 * with periodic evaluation ({@link org.kpff.core.train.CellTrainer}) and checkpoints on any Hadoop FileSystem.
 * Depends on {@code model} for the cell's spec and network; nothing in {@code model} or {@code head} depends on it.
 */
package org.kpff.core.train;

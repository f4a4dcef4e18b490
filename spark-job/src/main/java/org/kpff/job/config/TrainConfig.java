package org.kpff.job.config;

import java.io.Serializable;

/**
 * The {@code train.*} section: optimisation of one cell with Adam.
 *
 * @param epochs       training epochs per cell
 * @param batchSize    minibatch size
 * @param learningRate Adam learning rate
 * @param weightDecay  weight decay coefficient
 * @param dropout      dropout probability before the classifier
 * @param seed         run seed that every cell seed derives from
 */
public record TrainConfig(int epochs, int batchSize, double learningRate, double weightDecay, double dropout,
        long seed) implements Serializable {
}

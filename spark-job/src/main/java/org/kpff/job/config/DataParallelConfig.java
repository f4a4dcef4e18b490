package org.kpff.job.config;

import java.io.Serializable;

/**
 * The {@code run.data-parallel.*} keys: how a cell is trained over the executors when {@code run.mode} is
 * {@code data-parallel}. Each worker fits minibatches of {@code train.batch-size}; between two averagings the
 * cluster fits {@code workers × averagingFrequency} of them.
 *
 * @param master             the dl4j-spark training master
 * @param workers            data-parallel workers (Spark tasks training at once); 0 means the cluster's GPU slots,
 *                           else its task slots
 * @param averagingFrequency minibatches each worker fits between two averagings of parameters and updater state
 */
public record DataParallelConfig(TrainingMasterKind master, int workers, int averagingFrequency)
        implements Serializable {
}

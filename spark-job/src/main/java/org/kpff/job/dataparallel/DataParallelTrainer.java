package org.kpff.job.dataparallel;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.kpff.core.data.DatasetException;
import org.kpff.core.data.ImageBatchIterator;
import org.kpff.core.data.ImageCache;
import org.kpff.core.engine.ComputeEngine;
import org.kpff.core.train.CellFailedException;
import org.kpff.core.train.CellOutcome;
import org.kpff.core.train.CellTrainer;
import org.kpff.core.train.Checkpoints;
import org.kpff.job.config.DataParallelConfig;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.kpff.job.exec.CellTask;
import org.kpff.job.exec.CellRunner;
import org.kpff.job.exec.CellData;
import org.kpff.job.exec.CellRun;

/**
 * Trains one cell data-parallel from the driver: the network lives on the driver, every epoch is fitted over the
 * executors by dl4j-spark's {@link SparkComputationGraph} with a {@link ParameterAveragingTrainingMaster}, and the
 * evaluation, checkpoints, predictions and outcome are those of a local cell ({@link CellTrainer}).
 *
 * <p>Data: each epoch is an RDD of that epoch's batch numbers that executors turn into minibatches through
 * {@link CellData} and their per-JVM image cache ({@link EpochBatches}), with the local cell's permutation,
 * augmentation and the driver's normalisation. Building batches on the executors ships a few integers per batch
 * instead of every epoch's pixels through the driver, and reuses the decode-once cache local cells use. The training
 * master then splits the epoch into averaging rounds of {@code workers × averagingFrequency} minibatches (in a
 * random order seeded by the cell), trains each worker from the current parameters and Adam state, and averages
 * both. The held-out fold is evaluated on the driver with the local code.
 */
public final class DataParallelTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(DataParallelTrainer.class);

    private DataParallelTrainer() {
    }

    /**
     * Trains the cell described by {@code task} over the cluster.
     *
     * @param jsc     the driver's Spark context
     * @param task    the cell, as a local cell's task would describe it
     * @param config  the training master settings
     * @param workers data-parallel workers (≥ 1), already resolved from the cluster when the config says 0
     * @return the outcome; host and gpu list every worker placement seen (comma-separated), jvmDecodes and memory
     *         are the driver's, attempt is 1 (Spark retries failed worker tasks inside an epoch)
     */
    public static CellRun run(JavaSparkContext jsc, CellTask task, DataParallelConfig config, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers = " + workers + " (must be at least 1)");
        }
        long start = System.nanoTime();
        java.time.Instant startedAt = java.time.Instant.now();
        DoubleAccumulator lossSum = jsc.sc().doubleAccumulator("kpff-" + task.cellId() + "-loss");
        LongAccumulator examples = jsc.sc().longAccumulator("kpff-" + task.cellId() + "-examples");
        CollectionAccumulator<String> placements = jsc.sc().collectionAccumulator("kpff-" + task.cellId()
                + "-placements");
        List<Integer> heldOut = new ArrayList<>();
        LOG.info("Cell {} data-parallel over {} workers, {} minibatches of {} per worker between averagings",
                task.cellId(), workers, config.averagingFrequency(), task.spec().batchSize());
        try {
            CellData data = CellData.load(task);
            for (int i : data.heldOut()) {
                heldOut.add(i);
            }
            int batches = data.training().batchesPerEpoch();
            List<Integer> batchNumbers = IntStream.range(0, batches).boxed().toList();
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers,
                    task.spec().batchSize())
                    .batchSizePerWorker(task.spec().batchSize())
                    .averagingFrequency(config.averagingFrequency())
                    .saveUpdater(true)
                    .workerPrefetchNumBatches(0)
                    // Direct: the minibatches stay in Spark's block store; Export would need a shared FS.
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .repartionData(Repartition.Always)
                    .repartitionStrategy(RepartitionStrategy.Balanced)
                    .storageLevel(StorageLevel.MEMORY_ONLY_SER())
                    .rngSeed(task.spec().seed())
                    .build();
            master.addHook(new WorkerLossHook(lossSum, examples, placements));
            SparkComputationGraph[] spark = new SparkComputationGraph[1];
            int driverThreads = Runtime.getRuntime().availableProcessors();

            CellTrainer.EpochFitter fitter = (net, epoch) -> {
                if (spark[0] == null || spark[0].getNetwork() != net) {
                    spark[0] = new SparkComputationGraph(jsc, net, master);
                }
                lossSum.reset();
                examples.reset();
                long t = System.nanoTime();
                JavaRDD<MultiDataSet> rdd = jsc.parallelize(batchNumbers, Math.min(workers, batches))
                        .mapPartitions(new EpochBatches(task, data.normalization(), epoch));
                try {
                    spark[0].fitMultiDataSet(rdd);
                } finally {
                    rdd.unpersist(false);
                }
                // In local mode the workers share this JVM and left ND4J at their task's thread count.
                CellRunner.limitThreads(driverThreads);
                if (examples.value() == 0) {
                    throw new CellFailedException("The training fold yielded no minibatches in epoch " + epoch);
                }
                double seconds = (System.nanoTime() - t) / 1e9;
                LOG.info("Cell {} epoch {} data-parallel: {} examples in {} s ({} samples/s)", task.cellId(), epoch,
                        examples.value(), CellRunner.fmt(seconds), CellRunner.fmt(examples.value() / seconds));
                return lossSum.value() / examples.value();
            };
            ImageBatchIterator validation = data.validation();
            Checkpoints checkpoints = task.checkpoints();
            CellTrainer.Listener listener = e -> LOG.info("Cell {} epoch {}: train loss {}, val loss {}, "
                    + "val accuracy {}", task.cellId(), e.epoch(), CellRunner.fmt(e.trainLoss()),
                    CellRunner.fmt(e.valLoss()), CellRunner.fmt(e.valAccuracy()));
            CellOutcome outcome = CellTrainer.train(task.spec(), fitter, () -> {
                validation.setEpoch(0);
                return validation;
            }, checkpoints, listener);
            return finish(task, true, "", outcome, heldOut, placements, start, startedAt);
        } catch (CellFailedException | DatasetException e) {
            LOG.warn("Cell {} failed deterministically: {}", task.cellId(), e.getMessage());
            return finish(task, false, e.getMessage(), null, heldOut, placements, start, startedAt);
        }
    }

    private static CellRun finish(CellTask task, boolean ok, String reason, CellOutcome outcome,
            List<Integer> heldOut, CollectionAccumulator<String> placements, long start,
            java.time.Instant startedAt) {
        TreeSet<String> hosts = new TreeSet<>();
        TreeSet<String> gpus = new TreeSet<>();
        TreeSet<String> engines = new TreeSet<>();
        for (String p : placements.value()) {
            String[] hostDeviceEngine = p.split("\t", 3);
            hosts.add(hostDeviceEngine[0]);
            if (hostDeviceEngine.length > 1 && !hostDeviceEngine[1].equals("cpu")) {
                gpus.add(hostDeviceEngine[0] + "/" + hostDeviceEngine[1]);
            }
            if (hostDeviceEngine.length > 2) {
                engines.add(hostDeviceEngine[2]);
            }
        }
        // The workers' engines (WorkerLossHook): one name when all agree, else every name seen.
        String engine = engines.isEmpty() ? ComputeEngine.plainId() : String.join(",", engines);
        String host = hosts.isEmpty() ? CellRunner.hostName() : String.join(",", hosts);
        String gpu = gpus.isEmpty() ? "cpu" : gpus.stream().collect(Collectors.joining(","));
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("Cell {} {} data-parallel in {} s on {}", task.cellId(), ok ? "done" : "failed",
                CellRunner.fmt(seconds), host);
        return new CellRun(task.cellId(), ok, reason, outcome, heldOut, host, gpu, 1, seconds,
                ImageCache.decodeCount(), Pointer.totalBytes(), Pointer.physicalBytes(),
                engine, CellRunner.executorId(),
                startedAt, java.time.Instant.now(), gpu);
    }
}

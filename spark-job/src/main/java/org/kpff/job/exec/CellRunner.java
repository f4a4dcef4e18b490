package org.kpff.job.exec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.bytedeco.javacpp.Pointer;
import org.kpff.core.data.DatasetException;
import org.kpff.core.data.ImageBatchIterator;
import org.kpff.core.data.ImageCache;
import org.kpff.core.engine.CellThreads;
import org.kpff.core.engine.ComputeEngine;
import org.kpff.core.train.CellFailedException;
import org.kpff.core.train.CellOutcome;
import org.kpff.core.train.CellTrainer;
import org.kpff.core.train.Checkpoints;
import org.kpff.job.fault.FaultInjection;
import org.kpff.job.fault.FaultInjector;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one cell inside a Spark task: binds the GPU, takes the decoded dataset from the per-JVM cache, trains with
 * checkpoints, and returns a {@link CellRun}. Deterministic failures come back as a failed run (never retried);
 * anything else is thrown so that Spark retries the task, which then resumes from the cell's last checkpoint.
 */
public final class CellRunner {

    private static final AtomicInteger RUNNING = new AtomicInteger();

    private static final Logger LOG = LoggerFactory.getLogger(CellRunner.class);

    private CellRunner() {
    }

    /** Trains the cell described by {@code task}. */
    public static CellRun run(CellTask task) {
        RUNNING.incrementAndGet();
        try {
            return runCell(task);
        } finally {
            RUNNING.decrementAndGet();
        }
    }

    /**
     * Cells running in this JVM now (the driver's own, in local mode): a stopping driver waits for them to end
     * before it stops Spark, so that a cancelled cell's task does not finish into a stopped SparkContext.
     */
    public static int runningInThisJvm() {
        return RUNNING.get();
    }

    private static CellRun runCell(CellTask task) {
        long start = System.nanoTime();
        java.time.Instant startedAt = java.time.Instant.now();
        TaskContext ctx = TaskContext.get();
        int attempt = ctx == null ? 1 : ctx.attemptNumber() + 1;
        GpuBinding.Placement gpu = GpuBinding.bind();
        limitThreads(ctx == null ? Runtime.getRuntime().availableProcessors() : ctx.cpus());
        String host = hostName();
        LOG.info("Cell {} attempt {} on {} executor {} (GPU {}, computing on {})", task.cellId(), attempt, host,
                executorId(), gpu.address() == null ? "none" : gpu.address(), gpu.device());
        List<Integer> heldOut = new ArrayList<>();
        try {
            CellData cellData = CellData.load(task);
            for (int i : cellData.heldOut()) {
                heldOut.add(i);
            }
            ImageBatchIterator trainIt = cellData.training();
            ImageBatchIterator testIt = cellData.validation();
            CellTrainer.EpochData data = new CellTrainer.EpochData() {
                @Override
                public DataSetIterator trainingEpoch(int epoch) {
                    // A cancelled cell (the driver stopping on Ctrl-C) ends here, between epochs, rather than
                    // training on to its end in the background.
                    if (ctx != null) {
                        ctx.killTaskIfInterrupted();
                    }
                    trainIt.setEpoch(epoch);
                    return trainIt;
                }

                @Override
                public DataSetIterator validation() {
                    testIt.setEpoch(0);
                    return testIt;
                }
            };
            Checkpoints checkpoints = task.checkpoints();
            FaultInjector faults = FaultInjection.current();
            int[] firstEvaluation = {0};
            CellTrainer.Listener listener = e -> {
                if (firstEvaluation[0] == 0) {
                    firstEvaluation[0] = e.epoch();
                }
                LOG.info("Cell {} epoch {}: train loss {}, val loss {}, val accuracy {}", task.cellId(), e.epoch(),
                        fmt(e.trainLoss()), fmt(e.valLoss()), fmt(e.valAccuracy()));
                faults.afterEvaluation(task.cellId(), attempt, e.epoch(), firstEvaluation[0]);
            };
            CellOutcome outcome = CellTrainer.train(task.spec(), data, checkpoints, listener);
            return finish(task, true, "", outcome, heldOut, host, gpu, attempt, start, startedAt);
        } catch (CellFailedException | DatasetException e) {
            LOG.warn("Cell {} failed deterministically (not retried): {}", task.cellId(), e.getMessage());
            return finish(task, false, e.getMessage(), null, heldOut, host, gpu, attempt, start, startedAt);
        }
    }

    private static CellRun finish(CellTask task, boolean ok, String reason, CellOutcome outcome, List<Integer> heldOut,
            String host, GpuBinding.Placement gpu, int attempt, long start, java.time.Instant startedAt) {
        // No forced GC here: a full collection stops every cell this executor runs (one per GPU). The trainer
        // closed the network and destroyed its workspaces, which frees their native memory at once; arrays outside
        // them are freed by ND4J's deallocator when the collector runs, so the figures below include those.
        double seconds = (System.nanoTime() - start) / 1e9;
        long nativeBytes = Pointer.totalBytes();
        long rss = Pointer.physicalBytes();
        LOG.info("Cell {} {} in {} s (training and evaluation {} s); executor decodes so far {}; at its end: "
                + "off-heap {} MiB, RSS {} MiB", task.cellId(), ok ? "done" : "failed", fmt(seconds),
                outcome == null ? "-" : fmt(outcome.trainSeconds()), ImageCache.decodeCount(), nativeBytes >> 20,
                rss >> 20);
        return new CellRun(task.cellId(), ok, reason, outcome, heldOut, host, gpu.address(), attempt, seconds,
                ImageCache.decodeCount(), nativeBytes, rss,
                outcome != null ? outcome.engine() : ComputeEngine.current().id(), executorId(), startedAt,
                java.time.Instant.now(), gpu.device());
    }

    /** The Spark executor id of this JVM ({@code driver} in local mode), or {@code none} outside Spark. */
    public static String executorId() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        return env == null ? "none" : env.executorId();
    }

    /**
     * ND4J's CPU threads follow the task's {@code spark.task.cpus}: several cells share an executor's cores, and
     * letting each start one OpenMP thread per core oversubscribes them (step times then vary 10-100x). The cell's
     * trainer may use fewer for a small network ({@link CellThreads}).
     */
    public static void limitThreads(int cpus) {
        CellThreads.offer(cpus);
    }

    /** This machine's host name, or {@code unknown}. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    /** A number with four decimals, for logs. */
    public static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}

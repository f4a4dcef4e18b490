package org.kpff.job.driver;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.kpff.job.config.JobConfig;

/** How many cells (or data-parallel workers) the cluster runs at once: the config's number, else its GPU slots. */
final class ClusterSlots {

    private final SparkContext sc;

    ClusterSlots(SparkContext sc) {
        this.sc = sc;
    }

    /** Concurrent cells: run.max-concurrent-cells, else the cluster's GPU slots, else its task slots. */
    int cells(JobConfig config) {
        int configured = config.run().maxConcurrentCells();
        return configured > 0 ? configured : available();
    }

    /** Workers of a data-parallel cell: run.data-parallel.workers, else the cluster's GPU slots, else task slots. */
    int dataParallelWorkers(JobConfig config) {
        int workers = config.run().dataParallel().workers();
        return workers > 0 ? workers : available();
    }

    /** Executors registered now (at least 1; the driver's own entry does not count). */
    int executors() {
        return Math.max(1, sc.statusTracker().getExecutorInfos().length - 1);
    }

    /** The cluster's GPU slots when GPUs are scheduled, else its task slots. */
    int available() {
        SparkConf conf = sc.conf();
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        int slots = Math.max(1, sc.defaultParallelism() / Math.max(1, taskCpus));
        double taskGpus = conf.getDouble("spark.task.resource.gpu.amount", 0);
        int executorGpus = conf.getInt("spark.executor.resource.gpu.amount", 0);
        int instances = conf.getInt("spark.executor.instances", 0);
        if (taskGpus > 0 && executorGpus > 0 && instances > 0) {
            slots = (int) Math.max(1, Math.floor(instances * executorGpus / taskGpus));
        }
        return slots;
    }
}

package org.kpff.job.dataparallel;

import org.apache.spark.TaskContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.kpff.job.exec.CellRunner;
import org.kpff.job.exec.GpuBinding;

/**
 * Runs inside every data-parallel worker: limits ND4J's threads to the task's cores, records where the worker ran,
 * and adds each minibatch's data loss (score minus the L2 penalty, as a local cell reports it) times its examples to
 * Spark accumulators, so that the driver gets the epoch's mean training loss over all workers.
 */
final class WorkerLossHook implements TrainingHook {

    private static final long serialVersionUID = 1L;

    private final DoubleAccumulator lossSum;
    private final LongAccumulator examples;
    private final CollectionAccumulator<String> placements;
    /** Per deserialised copy, i.e. per task: whether this task has set up and reported itself. */
    private transient boolean started;

    WorkerLossHook(DoubleAccumulator lossSum, LongAccumulator examples, CollectionAccumulator<String> placements) {
        this.lossSum = lossSum;
        this.examples = examples;
        this.placements = placements;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        start();
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        record(model, minibatch.numExamples());
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        start();
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        record(model, minibatch.getFeatures(0).size(0));
    }

    private void start() {
        if (!started) {
            started = true;
            TaskContext ctx = TaskContext.get();
            CellRunner.limitThreads(ctx == null ? Runtime.getRuntime().availableProcessors() : ctx.cpus());
            placements.add(CellRunner.hostName() + "\t" + GpuBinding.describeCurrentThread());
        }
    }

    private void record(Model model, long n) {
        double loss = model.score();
        if (model instanceof ComputationGraph g) {
            loss -= g.calcRegularizationScore(true);
        }
        lossSum.add(loss * n);
        examples.add(n);
    }
}

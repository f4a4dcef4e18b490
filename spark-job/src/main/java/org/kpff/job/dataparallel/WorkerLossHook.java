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
import org.kpff.core.engine.ComputeEngine;
import org.kpff.core.engine.FlatViewUpdater;
import org.kpff.core.engine.OneDnnHelpers;
import org.kpff.job.exec.CellRunner;
import org.kpff.job.exec.GpuBinding;

/**
 * Runs inside every data-parallel worker: puts the job's compute engine on the worker's network, limits ND4J's
 * threads to the task's cores, records where the worker ran and on which engine, and adds each minibatch's data loss
 * (score minus the L2 penalty, as a local cell reports it) times its examples to Spark accumulators, so that the
 * driver gets the epoch's mean training loss over all workers.
 *
 * <p>dl4j-spark's worker builds its network itself, outside the job's code. The hook is deserialised with the worker
 * before that network is built, so {@link #readObject} chooses the engine there ({@link ComputeEngine#initialize}:
 * DL4J's oneDNN helpers attach when the layers are instantiated), and the first minibatch puts the project's own
 * oneDNN helpers on the network ({@link OneDnnHelpers#install}). A placement is {@code host\tdevice\tengine}.
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
        start(model);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        record(model, minibatch.numExamples());
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        start(model);
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        record(model, minibatch.getFeatures(0).size(0));
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        ComputeEngine.initialize(); // before dl4j-spark's worker instantiates the network's layers
    }

    private void start(Model model) {
        if (!started) {
            started = true;
            TaskContext ctx = TaskContext.get();
            CellRunner.limitThreads(ctx == null ? Runtime.getRuntime().availableProcessors() : ctx.cpus());
            String engine = ComputeEngine.plainId();
            if (model instanceof ComputationGraph g) {
                OneDnnHelpers.install(g);
                FlatViewUpdater.install(g); // keeps the state dl4j-spark gave the worker's updater
                engine = ComputeEngine.of(g);
            }
            placements.add(CellRunner.hostName() + "\t" + GpuBinding.describeCurrentThread() + "\t" + engine);
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

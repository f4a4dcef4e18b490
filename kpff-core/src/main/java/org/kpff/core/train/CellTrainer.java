package org.kpff.core.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kpff.core.engine.CellThreads;
import org.kpff.core.engine.ComputeEngine;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.kpff.core.head.FusionHead;
import org.kpff.core.model.CellSpec;
import org.kpff.core.model.ModelFactory;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.MemoryWorkspaceManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one cell: builds (or restores) the network, runs the epochs, evaluates on the held-out fold every
 * {@code evalEvery} epochs and after the last, checkpoints at each evaluation, and returns the outcome.
 *
 * <p>A non-finite training loss and a model that cannot be built (or whose parameters do not fit in memory) are
 * deterministic failures ({@link CellFailedException}); I/O problems with the checkpoint store propagate as
 * {@link UncheckedIOException} so that the caller (a Spark task) is retried.
 */
public final class CellTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(CellTrainer.class);

    /** Receives progress as the cell trains. */
    public interface Listener {
        /** Called after every evaluation this attempt runs and its checkpoint (not for restored evaluations). */
        void onEvaluation(EpochEvaluation evaluation);
    }

    /** Supplies the training minibatches of an epoch (1-based), so shuffling can be seeded by epoch. */
    public interface EpochData {
        /** The training iterator for this epoch, positioned at its start. */
        DataSetIterator trainingEpoch(int epoch);

        /** The held-out fold in a fixed order, positioned at its start. */
        DataSetIterator validation();
    }

    /**
     * Trains a network for one epoch: over local minibatches ({@link #train(CellSpec, EpochData, Checkpoints,
     * Listener)}), or data-parallel over a cluster. The network is updated in place.
     */
    @FunctionalInterface
    public interface EpochFitter {
        /**
         * Trains {@code net} for {@code epoch} (1-based) and returns the mean training data loss over the epoch's
         * examples, without the L2 penalty (so that it compares with the validation loss).
         *
         * @throws CellFailedException for a deterministic failure (e.g. the fold yields no minibatches)
         */
        double fitEpoch(ComputationGraph net, int epoch);
    }

    private CellTrainer() {
    }

    /**
     * Trains a cell from scratch or from its last checkpoint.
     *
     * @param spec        what to build and how to train
     * @param data        training epochs and the held-out fold
     * @param checkpoints where to save and find checkpoints ({@link Checkpoints#NONE} for none)
     * @param listener    progress callback (may be null)
     */
    public static CellOutcome train(CellSpec spec, EpochData data, Checkpoints checkpoints, Listener listener) {
        return train(spec, (net, epoch) -> trainEpoch(net, data.trainingEpoch(epoch), epoch), data::validation,
                checkpoints, listener);
    }

    /**
     * Trains a cell from scratch or from its last checkpoint, with the training epochs run by {@code fitter}: the
     * evaluation schedule, checkpoints, predictions and outcome are those of a local cell.
     *
     * @param spec        what to build and how to train
     * @param fitter      runs one training epoch on the network
     * @param validation  the held-out fold in a fixed order, positioned at its start, on every call
     * @param checkpoints where to save and find checkpoints ({@link Checkpoints#NONE} for none)
     * @param listener    progress callback (may be null)
     */
    public static CellOutcome train(CellSpec spec, EpochFitter fitter, Supplier<DataSetIterator> validation,
            Checkpoints checkpoints, Listener listener) {
        long start = System.nanoTime();
        Optional<Checkpoints.Restored> restored = load(checkpoints);
        ComputationGraph net;
        List<EpochEvaluation> history = new ArrayList<>();
        int firstEpoch = 1;
        int resumedFrom = 0;
        if (restored.isPresent() && restored.get().epoch() <= spec.epochs()) {
            net = restored.get().model();
            history.addAll(restored.get().history());
            resumedFrom = restored.get().epoch();
            firstEpoch = resumedFrom + 1;
            RandomState random = restored.get().random();
            if (random != null) {
                // The dropout masks from here on are those an uninterrupted cell would have drawn.
                random.restore();
                LOG.info("Resuming {} {} from epoch {}", spec.backbone(), spec.method().id(), resumedFrom);
            } else {
                LOG.warn("Resuming {} {} from epoch {} of a checkpoint without the generator's state (an older "
                        + "format): the epochs after it draw other dropout masks than an uninterrupted cell would",
                        spec.backbone(), spec.method().id(), resumedFrom);
            }
        } else {
            try {
                net = ModelFactory.create(spec);
            } catch (RuntimeException e) {
                throw new CellFailedException("Cannot build " + spec.backbone() + "/" + spec.method().id()
                        + " for input " + spec.inputSize() + ": " + e.getMessage(), e);
            } catch (OutOfMemoryError e) {
                // The parameters alone do not fit (JavaCPP's limit or the heap): the same on every retry. Caught
                // here only, where nothing else is allocated yet; an OOM while training stays an infrastructure
                // failure (another cell on the executor may have held the memory).
                throw new CellFailedException("Cannot build " + spec.backbone() + "/" + spec.method().id()
                        + " for input " + spec.inputSize() + ": its parameters do not fit in memory ("
                        + e.getMessage() + ")", e);
            }
        }
        // Fewer threads than offered where the network is too small for more to pay; decided by the network alone,
        // so a resumed cell trains on the same threads as before.
        CellThreads.apply(net, spec.backbone() + " " + spec.inputSize() + " px w" + spec.width(), spec.inputSize());
        EvalResult fin = null;
        try {
            for (int epoch = firstEpoch; epoch <= spec.epochs(); epoch++) {
                double trainLoss = fitter.fitEpoch(net, epoch);
                if (!Double.isFinite(trainLoss)) {
                    throw new CellFailedException("Training loss became " + trainLoss + " in epoch " + epoch
                            + " (diverged: try a smaller learning rate)");
                }
                if (spec.evaluatesAfter(epoch)) {
                    // The last epoch's evaluation also yields the final predictions (one pass, not two).
                    boolean last = epoch == spec.epochs();
                    EvalResult r = evaluate(net, validation.get(), spec.classes(), last);
                    if (last) {
                        fin = r;
                    }
                    EpochEvaluation e = new EpochEvaluation(epoch, trainLoss, r.loss, r.accuracy, seconds(start),
                            FusionHead.learnedW(net));
                    history.add(e);
                    // The last epoch is saved too: the checkpoint then holds the final model (its learned W);
                    // resuming from it re-evaluates without training.
                    save(checkpoints, epoch, net, history);
                    if (listener != null) {
                        listener.onEvaluation(e);
                    }
                }
            }
            if (fin == null) {
                fin = evaluate(net, validation.get(), spec.classes(), true);
            }
            double best = Double.NEGATIVE_INFINITY;
            int bestEpoch = 0;
            for (EpochEvaluation e : history) {
                if (e.valAccuracy() > best) {
                    best = e.valAccuracy();
                    bestEpoch = e.epoch();
                }
            }
            double[] w = null;
            if (spec.method() == FusionMethod.KPFF) {
                INDArray wArr = net.paramTable().get(FusionHead.FUSE + "_" + KroneckerFusionVertex.PARAM_W);
                w = wArr.dup('c').reshape(wArr.length()).toDoubleVector();
            }
            return new CellOutcome(history, fin.predictions, fin.accuracy, best, bestEpoch, spec.epochs(),
                    resumedFrom, seconds(start), w, ComputeEngine.of(net), fin.confusion);
        } finally {
            net.clear();
            release(net);
            // The cell's garbage is in the old generation now: a concurrent cycle (not a full collection) lets G1
            // shrink the heap, where the launch scripts ask for it (HeapReturn).
            HeapReturn.afterCell();
        }
    }

    /**
     * Frees what a trained network holds off-heap, as {@code ComputationGraph.close()} does (its flattened parameters
     * and gradients, the updater's state, this thread's workspaces) but without the three {@code System.gc()} that
     * close and ND4J's {@code destroyAllWorkspacesForCurrentThread} call: each is a stop-the-world full collection of
     * the whole JVM, which on an executor stops every other cell training there (and, on a local master, the driver);
     * a JFR profile of a 500-cell search spent more than half its wall time in them. The arrays and workspaces are
     * closed explicitly, so nothing here waits for a collection to be freed. The heap the cell grew is returned
     * after this by {@link HeapReturn#afterCell()}, with a concurrent cycle.
     */
    static void release(ComputationGraph net) {
        closeIfCloseable(net.params());
        closeIfCloseable(net.getFlattenedGradients());
        if (net.getUpdater(false) != null) {
            closeIfCloseable(net.getUpdater(false).getStateViewArray());
        }
        MemoryWorkspaceManager workspaces = Nd4j.getWorkspaceManager();
        for (MemoryWorkspace ws : List.copyOf(workspaces.getAllWorkspacesForCurrentThread())) {
            workspaces.destroyWorkspace(ws);
        }
    }

    private static void closeIfCloseable(INDArray array) {
        if (array != null && array.closeable()) {
            array.close();
        }
    }

    /** Minibatches assembled ahead of the training step, on a background thread (DL4J's async iterator). */
    static final int PREFETCH = 2;

    private static double trainEpoch(ComputationGraph net, DataSetIterator source, int epoch) {
        // The next minibatches are decoded, normalised and copied on another thread while this one trains (on a
        // GPU executor the CPU is otherwise idle during the step).
        AsyncDataSetIterator it = new AsyncDataSetIterator(source, PREFETCH, false);
        try {
            return trainEpochOn(net, it, epoch);
        } finally {
            it.shutdown();
        }
    }

    private static double trainEpochOn(ComputationGraph net, DataSetIterator it, int epoch) {
        double lossSum = 0;
        long examples = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            net.fit(ds);
            // DL4J's score is data loss + L2 penalty; report the data loss so that it compares with val_loss.
            double loss = net.score() - net.calcRegularizationScore(true);
            if (!Double.isFinite(loss)) {
                throw new CellFailedException("Training loss became " + loss + " in epoch " + epoch
                        + " (diverged: try a smaller learning rate)");
            }
            lossSum += loss * ds.numExamples();
            examples += ds.numExamples();
        }
        if (examples == 0) {
            throw new CellFailedException("The training fold yielded no minibatches in epoch " + epoch);
        }
        return lossSum / examples;
    }

    private static final class EvalResult {
        double loss;
        double accuracy;
        int[][] confusion;
        List<Prediction> predictions = new ArrayList<>();
    }

    /**
     * Mean cross-entropy of the network on an iterator; accuracy and confusion matrix from ND4J's {@link
     * org.nd4j.evaluation.classification.Evaluation}; predictions (arg max and probabilities) when asked.
     */
    static EvalResult evaluate(ComputationGraph net, DataSetIterator it, int classes, boolean keepPredictions) {
        EvalResult r = new EvalResult();
        org.nd4j.evaluation.classification.Evaluation eval = new org.nd4j.evaluation.classification.Evaluation(
                classes);
        double lossSum = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            INDArray probs = net.outputSingle(false, ds.getFeatures());
            INDArray labels = ds.getLabels();
            INDArray logP = Transforms.log(Transforms.max(probs, 1e-12, true), false);
            lossSum += -labels.castTo(logP.dataType()).mul(logP).sumNumber().doubleValue();
            eval.eval(labels, probs);
            if (keepPredictions) {
                long[] predicted = probs.argMax(1).toLongVector();
                long[] truth = labels.argMax(1).toLongVector();
                for (int i = 0; i < predicted.length; i++) {
                    r.predictions.add(new Prediction(r.predictions.size(), (int) truth[i], (int) predicted[i],
                            probs.getRow(i).toFloatVector()));
                }
            }
        }
        int total = eval.getNumRowCounter();
        if (total == 0) {
            throw new CellFailedException("The held-out fold is empty");
        }
        r.loss = lossSum / total;
        r.accuracy = eval.accuracy();
        r.confusion = new int[classes][classes];
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                r.confusion[t][p] = eval.getConfusionMatrix().getCount(t, p);
            }
        }
        return r;
    }

    private static Optional<Checkpoints.Restored> load(Checkpoints checkpoints) {
        try {
            return checkpoints.load();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the cell's checkpoint", e);
        }
    }

    private static void save(Checkpoints checkpoints, int epoch, ComputationGraph net, List<EpochEvaluation> history) {
        try {
            checkpoints.save(epoch, net, history, RandomState.capture());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the cell's checkpoint at epoch " + epoch, e);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}

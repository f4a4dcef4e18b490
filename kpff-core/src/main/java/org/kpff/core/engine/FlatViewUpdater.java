package org.kpff.core.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * DL4J's {@link ComputationGraphUpdater} (the same Adam, regularization and minibatch division, on the same arrays)
 * without the per-step array views its 1.0.0-M2.1 release makes by mistake.
 *
 * <p>{@code BaseMultiLayerUpdater.update} treats a gradient as "external" (one whose flattened array is not the
 * network's own gradient view) when {@code gradient.gradient() != getFlattenedGradientsView()}, by object identity.
 * In M2.1 {@code DefaultGradient.gradient()} returns a fresh {@code reshape} of the network's gradient array on every
 * call, so every step of every network takes the external path: for each parameter, twice per step (regularization
 * before and after the updater), DL4J reshapes the whole parameter and gradient arrays and cuts an interval view of
 * each. Inception (KPFF head) has 294 parameter arrays: over 2,000 {@code INDArray}s per step, each with a native
 * shape buffer, a {@code DataBuffer}, an {@code OpaqueDataBuffer} and ND4J's and JavaCPP's deallocator references,
 * which every young collection then copies (issue 30: three quarters of the bytes a step allocates). The values are
 * the same either way: the external views and the updater blocks' own views cover the same memory.
 *
 * <p>This updater recognises a gradient whose flattened array is the network's gradient view (same buffer, offset
 * and length) and runs DL4J's non-external path itself, over the views its updater blocks made once. A genuinely
 * external gradient (another buffer) goes through DL4J's path unchanged.
 *
 * <p>Even on its non-external path M2.1's {@code UpdaterBlock.update} makes views per block and step: a rank-1
 * reshape of the whole network's gradient (unused there), one of the block's gradient (the array Adam is applied
 * to) and Adam's reshape of that to its moments' shape; each minibatch division makes a scalar array (Inception 32
 * px: 172 blocks, 1,035 of a step's ND4J buffers on this path, each with the bookkeeping above; 58 with this
 * updater, {@code BufferCensus}). This updater runs the same steps in the same
 * order (minibatch division, pre-apply, per block: regularization before the updater, the updater, regularization
 * after it) with each block's views made once and kept while the block's gradient view and Adam's moments are the
 * same arrays, and each division's op made once per minibatch size. {@link #install} puts it on a network after its
 * parameters are initialised, keeping the updater's state (Adam's moments); the job installs it wherever it installs the oneDNN helpers (network built, restored from
 * a checkpoint, instantiated by a data-parallel worker). Tested bit for bit against DL4J's updater
 * ({@code FlatViewUpdaterTest}).
 */
public final class FlatViewUpdater extends ComputationGraphUpdater {

    private long sameView;
    private long external;
    /** Per updater block, the views its update reads, made once. */
    private final Map<UpdaterBlock, BlockViews> flatBlockViews = new IdentityHashMap<>();
    private long blockViewsMade;
    /** The minibatch division's ops, for {@link #divisionBatch} and the subsets they were made for. */
    private List<ScalarDivision> divisions;
    private int divisionBatch;
    private List<INDArray> divisionSubsets;

    private FlatViewUpdater(ComputationGraph net, INDArray state) {
        super(net, state);
    }

    /**
     * Puts this updater on an initialised network, keeping the state of the updater it has (none yet: a fresh
     * state, as DL4J would make). Does nothing when it is already there.
     *
     * @return the network's updater now
     */
    public static FlatViewUpdater install(ComputationGraph net) {
        ComputationGraphUpdater current = net.getUpdater(false);
        if (current instanceof FlatViewUpdater f) {
            return f;
        }
        INDArray state = current == null ? null : current.getStateViewArray();
        FlatViewUpdater updater = state == null ? new FlatViewUpdater(net) : new FlatViewUpdater(net, state);
        net.setUpdater(updater);
        return updater;
    }

    private FlatViewUpdater(ComputationGraph net) {
        super(net);
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
            LayerWorkspaceMgr workspaceMgr) {
        INDArray view = getFlattenedGradientsView();
        INDArray flat = gradient.gradient();
        if (flat != null && view != null && sameElements(flat, view)) {
            sameView++;
            updateOwnView(gradient, iteration, epoch, batchSize, workspaceMgr);
        } else {
            external++;
            super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
        }
    }

    /** DL4J's {@code BaseMultiLayerUpdater.update} for the network's own gradient view (its non-external path). */
    private void updateOwnView(Gradient gradient, int iteration, int epoch, int batchSize,
            LayerWorkspaceMgr workspaceMgr) {
        Map<String, Gradient> layerGradients = new HashMap<>();
        for (Map.Entry<String, INDArray> e : gradient.gradientForVariable().entrySet()) {
            String key = e.getKey();
            int idx = key.lastIndexOf('_');
            if (idx == -1) {
                throw new IllegalStateException("Invalid key: gradient key has no layer separator: \"" + key + "\"");
            }
            layerGradients.computeIfAbsent(key.substring(0, idx), k -> new DefaultGradient())
                    .setGradientFor(key.substring(idx + 1), e.getValue());
        }
        if (isMiniBatch()) {
            divideByMinibatch(false, gradient, batchSize);
        }
        for (Map.Entry<String, Gradient> e : layerGradients.entrySet()) {
            preApply(layersByName.get(e.getKey()), e.getValue(), iteration);
        }
        workspaceMgr.assertNotOpen(ArrayType.UPDATER_WORKING_MEM, "Updater working memory");
        for (UpdaterBlock ub : updaterBlocks) {
            if (ub.skipDueToPretrainConfig(false)) {
                continue;
            }
            try (MemoryWorkspace ws = workspaceMgr.notifyScopeEntered(ArrayType.UPDATER_WORKING_MEM)) {
                updateBlock(ub, iteration, epoch);
            }
        }
    }

    /**
     * DL4J's division of the gradients by the minibatch size (all but batch norm's running statistics, which are
     * updates), each subset's {@code divi} op made once per minibatch size rather than with a new scalar per call.
     */
    @Override
    protected void divideByMinibatch(boolean isExternal, Gradient gradient, int batchSize) {
        if (isExternal) {
            super.divideByMinibatch(true, gradient, batchSize);
            return;
        }
        if (!initializedMinibatchDivision) {
            gradientsForMinibatchDivision = getMinibatchDivisionSubsets(getFlattenedGradientsView());
            initializedMinibatchDivision = true;
        }
        if (divisions == null || divisionBatch != batchSize || divisionSubsets != gradientsForMinibatchDivision) {
            divisions = new ArrayList<>();
            for (INDArray a : gradientsForMinibatchDivision) {
                divisions.add(new ScalarDivision(a, null, a, batchSize));
            }
            divisionBatch = batchSize;
            divisionSubsets = gradientsForMinibatchDivision;
        }
        for (ScalarDivision d : divisions) {
            Nd4j.getExecutioner().exec(d);
        }
    }

    /** DL4J's {@code UpdaterBlock.update} on the network's own gradient, the block's rank-1 view made once. */
    private void updateBlock(UpdaterBlock ub, int iteration, int epoch) {
        GradientUpdater<?> updater = ub.getGradientUpdater();
        if (ub.getLayersAndVariablesInBlock().get(0).getLayer().numParams() == 0) {
            return;
        }
        regularize(ub, updater, Regularization.ApplyStep.BEFORE_UPDATER, iteration, epoch);
        AdamUpdater adam = updater.getClass() == AdamUpdater.class ? (AdamUpdater) updater : null;
        BlockViews views = flatBlockViews.get(ub);
        if (views == null || !views.current(ub, adam)) {
            views = new BlockViews(ub, adam);
            flatBlockViews.put(ub, views);
            blockViewsMade++;
        }
        if (adam != null) {
            // AdamUpdater.applyUpdater, on its reshape of the gradient made once
            Adam c = adam.getConfig();
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater(views.adamGradient, adam.getV(),
                    adam.getM(), c.getLearningRate(iteration, epoch), c.getBeta1(), c.getBeta2(), c.getEpsilon(),
                    iteration));
        } else {
            updater.applyUpdater(views.flat, iteration, epoch);
        }
        regularize(ub, updater, Regularization.ApplyStep.POST_UPDATER, iteration, epoch);
    }

    /** DL4J's {@code UpdaterBlock.applyRegularizationAllVariables} for the block's own views. */
    private static void regularize(UpdaterBlock ub, GradientUpdater<?> updater, Regularization.ApplyStep step,
            int iteration, int epoch) {
        for (UpdaterBlock.ParamState p : ub.getLayersAndVariablesInBlock()) {
            double lr = updater.getConfig().hasLearningRate() ? updater.getConfig().getLearningRate(iteration, epoch)
                    : 1.0;
            Trainable layer = p.getLayer();
            List<Regularization> rs = layer.getConfig().getRegularizationByParam(p.getParamName());
            if (rs != null) {
                for (Regularization r : rs) {
                    if (r.applyStep() == step) {
                        r.apply(p.getParamView(), p.getGradView(), lr, iteration, epoch);
                    }
                }
            }
        }
    }

    /** Rank-1 block views made so far, and the updater blocks that have one: equal when each was made once. */
    long[] blockViews() {
        return new long[] {blockViewsMade, flatBlockViews.size()};
    }

    /** Updates made on the network's own gradient view (DL4J's non-external path). */
    public long sameViewUpdates() {
        return sameView;
    }

    /** Updates passed to DL4J's external path unchanged. */
    public long externalUpdates() {
        return external;
    }

    /** Whether two arrays are the same elements of the same memory, contiguous. */
    static boolean sameElements(INDArray a, INDArray b) {
        return a.length() == b.length() && a.dataType() == b.dataType()
                && a.elementWiseStride() == 1 && b.elementWiseStride() == 1
                && a.data().address() + a.offset() * a.dataType().width()
                        == b.data().address() + b.offset() * b.dataType().width();
    }

    /**
     * A block's gradient view, its rank-1 reshape (what DL4J applies the updater to) and, for Adam, that reshaped to
     * the moments' shape (what Adam's op reads), with the arrays they were made from.
     */
    private static final class BlockViews {
        private final INDArray gradientView;
        private final INDArray flat;
        private final INDArray adamMoment;
        private final INDArray adamGradient;

        BlockViews(UpdaterBlock ub, AdamUpdater adam) {
            gradientView = ub.getGradientView();
            flat = gradientView.reshape(gradientView.length());
            adamMoment = adam == null ? null : adam.getV();
            adamGradient = adam == null ? null : flat.reshape(adam.getV().shape());
        }

        /** Whether these views are of the block's gradient view and (for Adam) moments now. */
        boolean current(UpdaterBlock ub, AdamUpdater adam) {
            return gradientView == ub.getGradientView() && adamMoment == (adam == null ? null : adam.getV());
        }
    }
}

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
 * and length) and hands DL4J's update a gradient that returns that very view, so DL4J takes its non-external path
 * with the views its updater blocks made once. A genuinely external gradient (another buffer) goes through DL4J's
 * path unchanged.
 *
 * <p>On that path M2.1's {@code UpdaterBlock.update} still makes two views per block and step: a rank-1 reshape of the
 * whole network's gradient (unused there) and one of the block's gradient, the array Adam is applied to (Inception:
 * 172 blocks, 688 arrays per step, each with the bookkeeping above). This updater runs the same steps in the same
 * order (minibatch division, pre-apply, per block: regularization before the updater, the updater on the block's
 * rank-1 gradient, regularization after it) with each block's rank-1 view made once and kept while the block's
 * gradient view is the same array. {@link #install} puts it on a network after its parameters are initialised, keeping the updater's
 * state (Adam's moments); the job installs it wherever it installs the oneDNN helpers (network built, restored from
 * a checkpoint, instantiated by a data-parallel worker). Tested bit for bit against DL4J's updater
 * ({@code FlatViewUpdaterTest}).
 */
public final class FlatViewUpdater extends ComputationGraphUpdater {

    private long sameView;
    private long external;
    /** Per updater block: its gradient view when the rank-1 view was made, and that view. */
    private final Map<UpdaterBlock, INDArray[]> flatBlockViews = new IdentityHashMap<>();
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
            updateOwnView(new SameView(gradient, view), iteration, epoch, batchSize, workspaceMgr);
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
        INDArray[] flat = flatBlockViews.get(ub);
        if (flat == null || flat[0] != ub.getGradientView()) {
            flat = new INDArray[] {ub.getGradientView(), ub.getGradientView().reshape(ub.getGradientView().length())};
            flatBlockViews.put(ub, flat);
            blockViewsMade++;
        }
        if (updater.getClass() == AdamUpdater.class) {
            // AdamUpdater.applyUpdater, its reshape of the gradient to the moments' shape made once
            AdamUpdater adam = (AdamUpdater) updater;
            if (flat.length == 2 || flat[3] != adam.getV()) {
                flat = new INDArray[] {flat[0], flat[1], flat[1].reshape(adam.getV().shape()), adam.getV()};
                flatBlockViews.put(ub, flat);
            }
            Adam c = adam.getConfig();
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater(flat[2], adam.getV(), adam.getM(),
                    c.getLearningRate(iteration, epoch), c.getBeta1(), c.getBeta2(), c.getEpsilon(), iteration));
        } else {
            updater.applyUpdater(flat[1], iteration, epoch);
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

    /** A gradient whose flattened array is the network's gradient view itself; everything else is the original's. */
    private static final class SameView implements Gradient {
        private final Gradient g;
        private final INDArray view;

        SameView(Gradient g, INDArray view) {
            this.g = g;
            this.view = view;
        }

        @Override
        public Map<String, INDArray> gradientForVariable() {
            return g.gradientForVariable();
        }

        @Override
        public INDArray gradient(List<String> order) {
            return g.gradient(order);
        }

        @Override
        public INDArray gradient() {
            return view;
        }

        @Override
        public void clear() {
            g.clear();
        }

        @Override
        public INDArray getGradientFor(String variable) {
            return g.getGradientFor(variable);
        }

        @Override
        public INDArray setGradientFor(String variable, INDArray gradient) {
            return g.setGradientFor(variable, gradient);
        }

        @Override
        public INDArray setGradientFor(String variable, INDArray gradient, Character flatteningOrder) {
            return g.setGradientFor(variable, gradient, flatteningOrder);
        }

        @Override
        public Character flatteningOrderForVariable(String variable) {
            return g.flatteningOrderForVariable(variable);
        }
    }
}

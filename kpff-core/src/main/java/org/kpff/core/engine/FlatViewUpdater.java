package org.kpff.core.engine;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 * path unchanged. {@link #install} puts it on a network after its parameters are initialised, keeping the updater's
 * state (Adam's moments); the job installs it wherever it installs the oneDNN helpers (network built, restored from
 * a checkpoint, instantiated by a data-parallel worker). Tested bit for bit against DL4J's updater
 * ({@code FlatViewUpdaterTest}).
 */
public final class FlatViewUpdater extends ComputationGraphUpdater {

    private long sameView;
    private long external;

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
            super.update(new SameView(gradient, view), iteration, epoch, batchSize, workspaceMgr);
        } else {
            external++;
            super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
        }
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

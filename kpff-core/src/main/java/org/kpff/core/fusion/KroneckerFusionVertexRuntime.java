package org.kpff.core.fusion;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime (numerics) of the configuration {@link KroneckerFusionVertex}, made by its {@code instantiate}: forward {@link KroneckerFusion#forward} (eq. 5) and the hand-written
 * backward {@link KroneckerFusion#backward} (eqs. 10, 13), with W a view into the graph's flat parameter array.
 */
public class KroneckerFusionVertexRuntime extends BaseGraphVertex {

    private static final long serialVersionUID = 1L;

    private final KroneckerFusionVertex config;
    private final INDArray params;
    private final INDArray w;
    private INDArray gradientView;
    private INDArray gradW;

    KroneckerFusionVertexRuntime(KroneckerFusionVertex config, ComputationGraph graph, String name, int vertexIndex,
            INDArray paramsView, boolean initializeParams, DataType dataType) {
        super(graph, name, vertexIndex, null, null, dataType);
        this.config = config;
        int n = config.getNumInputs();
        this.params = paramsView;
        this.w = paramsView.reshape('c', n, n);
        if (initializeParams) {
            Map<String, INDArray> table = new LinkedHashMap<>();
            table.put(KroneckerFusionVertex.PARAM_W, w);
            config.initializeParameters(table);
        }
    }

    /** The current mixing matrix W {@code [n, n]} (a view of the network's parameters). */
    public INDArray getW() {
        return w;
    }

    @Override
    public String toString() {
        return "KroneckerFusionVertexRuntime(name=" + getVertexName() + ", n=" + config.getNumInputs() + ")";
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("KroneckerFusion vertex '" + getVertexName() + "': inputs not set.");
        }
        INDArray[] xs = asMatrices(inputs);
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, xs[0].dataType(), b,
                config.getNumInputs() * r);
        KroneckerFusion.forwardInto(w.castTo(xs[0].dataType()), xs, y);
        return inputs[0].rank() == 4
                ? y.reshape('c', b, inputs[0].size(1) * config.getNumInputs(), inputs[0].size(2), inputs[0].size(3))
                : y;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("KroneckerFusion vertex '" + getVertexName() + "': epsilon not set.");
        }
        INDArray[] xs = asMatrices(inputs);
        int n = xs.length;
        long b = xs[0].size(0);
        long r = xs[0].size(1);
        INDArray dy = epsilon.reshape('c', b, n * r);
        INDArray[] dxs = new INDArray[n];
        for (int j = 0; j < n; j++) {
            dxs[j] = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, xs[0].dataType(), b, r);
        }
        INDArray dw = gradW.dataType() == xs[0].dataType() ? gradW : gradW.castTo(xs[0].dataType());
        KroneckerFusion.backwardInto(w.castTo(xs[0].dataType()), xs, dy, dw, dxs);
        if (dw != gradW) {
            gradW.assign(dw);
        }
        Gradient g = new DefaultGradient(gradientView);
        g.gradientForVariable().put(KroneckerFusionVertex.PARAM_W, gradW);
        if (inputs[0].rank() == 4) {
            for (int j = 0; j < n; j++) {
                dxs[j] = dxs[j].reshape('c', inputs[j].shape());
            }
        }
        return new Pair<>(g, dxs);
    }

    /** Feature maps {@code [B, C, H, W]} are fused channel-wise by flattening to {@code [B, C·H·W]}. */
    private INDArray[] asMatrices(INDArray[] in) {
        if (in.length != config.getNumInputs()) {
            throw new IllegalStateException("KroneckerFusion vertex '" + getVertexName() + "' expects "
                    + config.getNumInputs() + " inputs; got " + in.length + ".");
        }
        INDArray[] xs = new INDArray[in.length];
        for (int i = 0; i < in.length; i++) {
            if (in[i].rank() == 2) {
                xs[i] = in[i];
            } else if (in[i].rank() == 4) {
                xs[i] = in[i].reshape('c', in[i].size(0), in[i].length() / in[i].size(0));
            } else {
                throw new IllegalStateException("KroneckerFusion vertex '" + getVertexName() + "': input " + i
                        + " has shape " + Arrays.toString(in[i].shape()) + "; expected [B, r] or [B, C, H, W].");
            }
        }
        KroneckerFusion.validate(w, xs);
        return xs;
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        int n = config.getNumInputs();
        this.gradientView = backpropGradientsViewArray;
        this.gradW = backpropGradientsViewArray.reshape('c', n, n);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
            int minibatchSize) {
        return config.feedForwardMaskArrays(maskArrays, currentMaskState, minibatchSize);
    }

    @Override
    public Map<String, INDArray> paramTable(boolean backpropOnly) {
        return Collections.singletonMap(KroneckerFusionVertex.PARAM_W, w);
    }

    @Override
    public TrainingConfig getConfig() {
        return config;
    }

    @Override
    public INDArray params() {
        return params;
    }

    @Override
    public long numParams() {
        return params.length();
    }

    @Override
    public INDArray getGradientsViewArray() {
        return gradientView;
    }

    @Override
    public void clearVertex() {
        clear();
    }

    /** Same as the inherited setter; declared with varargs as {@code GraphVertex} declares it (silences -Xlint). */
    @Override
    public void setInputs(INDArray... inputs) {
        super.setInputs(inputs);
    }
}

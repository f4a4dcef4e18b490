package org.kpff.core.fusion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Serializable configuration of the trainable KPFF graph vertex: n inputs, one {@code [n, n]} parameter
 * {@value #PARAM_W} (column i = w_i), output {@code Σ_i w_i ⊗ x_i}.
 *
 * <p>It extends {@link SameDiffVertex} only for DL4J's parameter bookkeeping (parameter shapes, per-parameter
 * updater and regularization, JSON). The numerics never go through SameDiff: {@link #instantiate} returns
 * {@link KroneckerFusionVertexRuntime}, whose backward pass is the hand-written {@link KroneckerFusion#backward}
 * (paper eqs. 10 and 13), because SameDiffVertex backprop is 2× wrong in DL4J 1.0.0-M2.x.
 *
 * <p>The configuration half of the pair (DL4J's convention: a {@code conf.graph} vertex and its runtime); the
 * runtime is {@link KroneckerFusionVertexRuntime}. Its class name is in every saved network's JSON, so it keeps
 * this name and package: renaming it would make earlier checkpoints unreadable.
 *
 * <p>Inputs are vectors {@code [B, r]} (output {@code [B, n·r]}) or feature maps {@code [B, C, H, W]}, fused
 * channel-wise (output {@code [B, n·C, H, W]}, channel {@code k·C + c} = Σ_i W[k, i] · x_i channel c).
 */
public class KroneckerFusionVertex extends SameDiffVertex {

    private static final long serialVersionUID = 1L;

    /** Parameter key of the mixing matrix; the graph's parameter table holds it as {@code <vertexName>_W}. */
    public static final String PARAM_W = "W";

    private int numInputs;
    private FusionInit init;
    private long seed;

    /** For JSON deserialization only. */
    public KroneckerFusionVertex() {
        this.init = FusionInit.IDENTITY;
    }

    /**
     * @param numInputs n, the number of fused sources (≥ 1)
     * @param init      how W starts
     * @param seed      seed for {@link FusionInit#RANDOM}
     */
    public KroneckerFusionVertex(int numInputs, FusionInit init, long seed) {
        if (numInputs < 1) {
            throw new IllegalArgumentException("KroneckerFusionVertex: numInputs must be >= 1; got " + numInputs + ".");
        }
        this.numInputs = numInputs;
        this.init = Objects.requireNonNull(init, "init");
        this.seed = seed;
    }

    public int getNumInputs() {
        return numInputs;
    }

    public FusionInit getInit() {
        return init;
    }

    public long getSeed() {
        return seed;
    }

    /** The names under which DL4J's parameter bookkeeping knows the inputs: x0 … x(n-1). */
    static List<String> inputNames(int n) {
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add("x" + i);
        }
        return names;
    }

    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        // defineInputs(int) does not store names in M2.x; pass them explicitly.
        params.defineInputs(inputNames(numInputs).toArray(new String[0]));
        params.addWeightParam(PARAM_W, numInputs, numInputs);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        INDArray w = params.get(PARAM_W);
        w.assign(initialW(numInputs, init, seed, w.dataType()));
    }

    /** The initial mixing matrix for an init choice: I (Concat), every column e_1 (Add), or seeded N(0, 1/n). */
    public static INDArray initialW(int n, FusionInit init, long seed, DataType dataType) {
        switch (init) {
            case IDENTITY:
                return Nd4j.eye(n).castTo(dataType);
            case ADD: {
                INDArray w = Nd4j.zeros(dataType, n, n);
                w.getRow(0).assign(1.0);
                return w;
            }
            case RANDOM: {
                Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
                return Nd4j.randn(rng, n, n).castTo(dataType).muli(1.0 / Math.sqrt(n));
            }
            default:
                throw new IllegalStateException("Unhandled fusion init " + init);
        }
    }

    /**
     * Not used: this vertex never builds a SameDiff graph (see the class comment). The forward pass lives in
     * {@link KroneckerFusion#forward}; this override only satisfies the abstract contract.
     */
    @Override
    public SDVariable defineVertex(SameDiff sameDiff, Map<String, SDVariable> layerInput,
            Map<String, SDVariable> paramTable, Map<String, SDVariable> maskVars) {
        throw new UnsupportedOperationException("KroneckerFusionVertex computes forward and backward by hand "
                + "(KroneckerFusionVertexRuntime); it defines no SameDiff graph.");
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        // The updater looks layers up by name: the config must know its vertex name.
        setName(name);
        return new KroneckerFusionVertexRuntime(this, graph, name, idx, paramsView, initializeParams, networkDatatype);
    }

    @Override
    public int minVertexInputs() {
        return numInputs;
    }

    @Override
    public int maxVertexInputs() {
        return numInputs;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != numInputs) {
            throw new InvalidInputTypeException("KroneckerFusionVertex expects " + numInputs + " inputs; got "
                    + vertexInputs.length + ".");
        }
        InputType first = vertexInputs[0];
        for (int i = 1; i < vertexInputs.length; i++) {
            if (!vertexInputs[i].equals(first)) {
                throw new InvalidInputTypeException("KroneckerFusionVertex: input " + i + " is " + vertexInputs[i]
                        + " but input 0 is " + first + "; all sources must have the same type and size.");
            }
        }
        if (first instanceof InputType.InputTypeFeedForward) {
            return InputType.feedForward(((InputType.InputTypeFeedForward) first).getSize() * numInputs);
        }
        if (first instanceof InputType.InputTypeConvolutional) {
            InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) first;
            return InputType.convolutional(c.getHeight(), c.getWidth(), c.getChannels() * numInputs, c.getFormat());
        }
        throw new InvalidInputTypeException("KroneckerFusionVertex supports feed-forward [B, r] and convolutional "
                + "[B, C, H, W] inputs; got " + first + ".");
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
            int minibatchSize) {
        // Per-example masks pass through unchanged: fusion mixes sources, never examples.
        if (maskArrays == null || maskArrays.length == 0) {
            return new Pair<>(null, currentMaskState);
        }
        return new Pair<>(maskArrays[0], currentMaskState);
    }

    @Override
    public GraphVertex clone() {
        // Deep copy: dl4j-spark workers clone configurations, and a shared updater breaks them.
        KroneckerFusionVertex c = new KroneckerFusionVertex(numInputs, init, seed);
        c.setName(getName());
        c.updater = updater == null ? null : updater.clone();
        c.biasUpdater = biasUpdater == null ? null : biasUpdater.clone();
        c.regularization = cloneAll(regularization);
        c.regularizationBias = cloneAll(regularizationBias);
        c.gradientNormalization = gradientNormalization;
        c.gradientNormalizationThreshold = gradientNormalizationThreshold;
        c.dataType = dataType;
        return c;
    }

    private static List<Regularization> cloneAll(List<Regularization> in) {
        if (in == null) {
            return null;
        }
        List<Regularization> out = new ArrayList<>(in.size());
        for (Regularization r : in) {
            out.add(r.clone());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof KroneckerFusionVertex) || !super.equals(o)) {
            return false;
        }
        KroneckerFusionVertex other = (KroneckerFusionVertex) o;
        return numInputs == other.numInputs && seed == other.seed && init == other.init;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), numInputs, init, seed);
    }

    @Override
    public String toString() {
        return "KroneckerFusionVertex(n=" + numInputs + ", init=" + init + ", seed=" + seed + ")";
    }

}

package org.kpff.core.backbone;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.kpff.core.engine.OneDnnConvolution;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Norm2;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * A convolution without activation (the one batch norm follows), whose backward pass does not run the convolution
 * forward a second time.
 *
 * <p>DL4J 1.0.0-M2.1's {@code ConvolutionLayer.backpropGradient} recomputes the layer's pre-activation (a whole
 * forward convolution, oneDNN or im2col + GEMM) only to take the activation's derivative at it. The identity's
 * derivative does not read it: {@code ActivationIdentity.backprop(z, eps)} checks that the shapes agree and returns
 * {@code eps}. This layer hands the incoming gradient, which has the pre-activation's shape, to that call instead,
 * so one of the four convolution-sized operations of a training step (forward, recomputed forward, gradient of the
 * input, gradient of the weights) is gone; everything else, helpers included, is DL4J's own code, and gradients are
 * the same bit for bit ({@code LinearConvolutionTest}).
 *
 * <p>Serialised like any DL4J layer (its class name in the network JSON), so checkpoints of it restore as it.
 */
public class LinearConvolution extends ConvolutionLayer {

    private static final long serialVersionUID = 1L;

    /** For JSON deserialisation. */
    public LinearConvolution() {
    }

    /**
     * A k×k convolution without bias or activation.
     *
     * @param kernel kernel side
     * @param stride stride in both directions
     * @param nOut   output channels
     */
    public LinearConvolution(int kernel, int stride, int nOut) {
        super(validated(new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(nOut)
                .hasBias(false).activation(new ActivationIdentity())));
    }

    /**
     * Whether the backward pass returns the gradient of the input (true, DL4J's behaviour). False for the layer fed
     * by the image: nobody reads that gradient (DL4J's ComputationGraph accepts none for a network input), and on the
     * CPU backend in float32 the weight gradient alone is then computed by oneDNN directly
     * ({@link org.kpff.core.engine.DirectWeightGradient}); elsewhere DL4J's path runs as for any layer. Kept in the
     * network's JSON, so checkpoints restore it.
     */
    private boolean inputGradient = true;

    public boolean isInputGradient() {
        return inputGradient;
    }

    public void setInputGradient(boolean inputGradient) {
        this.inputGradient = inputGradient;
    }

    /** This layer, returning no input gradient (for the layer fed by the network's input). */
    public LinearConvolution withoutInputGradient() {
        this.inputGradient = false;
        return this;
    }

    private static ConvolutionLayer.Builder validated(ConvolutionLayer.Builder b) {
        ConvolutionUtils.validateCnnKernelStridePadding(b.getKernelSize(), b.getStride(), b.getPadding());
        return b;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        if (!(getActivationFn() instanceof ActivationIdentity)) {
            throw new IllegalStateException("LinearConvolution '" + getLayerName() + "' has activation "
                    + getActivationFn() + "; it is only valid with the identity (its backward pass relies on it)");
        }
        return Runtimes.wire(new Runtime(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** Backward passes a layer handed straight to the project's oneDNN helper (-1: not this class's runtime). */
    public static long helperPasses(Layer layer) {
        return layer instanceof Runtime r ? r.helperPasses() : -1;
    }

    /** DL4J's convolution runtime, less the recomputed forward pass in backprop. */
    static final class Runtime extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {

        private static final long serialVersionUID = 1L;

        private long helperPasses;
        /** The L2 term's norm of the weights, and the weights' array it was made for. */
        private transient Norm2 norm;
        private transient INDArray normOf;

        /** The gradient of the backward pass in progress, null outside it. */
        private transient INDArray backpropEpsilon;

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /**
         * The direct weight gradient's primitives, for a layer without input gradient that runs the fast path (it has
         * its oneDNN helper: a network built on the plain engine stays on DL4J's path throughout, as its engine name
         * says); created on first use.
         */
        private transient org.kpff.core.engine.DirectWeightGradient direct;

        /** Whether a backward pass of this layer has gone through the direct weight gradient. */
        boolean usedDirectGradient() {
            return direct != null;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            LinearConvolution conf = (LinearConvolution) layerConf();
            INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
            if (!conf.isInputGradient() && helper != null && conf.getCnn2dDataFormat() == CNN2DFormat.NCHW
                    && !hasBias() && org.kpff.core.engine.DirectWeightGradient.usable(input, epsilon, weightGradView)) {
                int[] kernel = conf.getKernelSize();
                int[] strides = conf.getStride();
                int[] dilation = conf.getDilation();
                int[] inSize = {(int) input.size(2), (int) input.size(3)};
                int[] outSize = {(int) epsilon.size(2), (int) epsilon.size(3)};
                int[] low = ConvolutionUtils.getSameModeTopLeftPadding(outSize, inSize, kernel, strides, dilation);
                int[] high = ConvolutionUtils.getSameModeBottomRightPadding(outSize, inSize, kernel, strides,
                        dilation);
                if (direct == null) {
                    direct = new org.kpff.core.engine.DirectWeightGradient();
                }
                direct.compute(input, epsilon, weightGradView, kernel, strides, low, high);
                Gradient g = new DefaultGradient();
                g.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
                weightNoiseParams.clear();
                return new Pair<>(g, null);
            }
            if (helper instanceof OneDnnConvolution && !hasBias()
                    && conf.getCnn2dDataFormat() == CNN2DFormat.NCHW && conf.getWeightNoise() == null
                    && conf.getIDropout() == null && conf.getActivationFn() instanceof ActivationIdentity
                    && input != null && input.dataType() == dataType && epsilon.dataType() == dataType) {
                return helperBackprop(conf, epsilon, weightGradView, workspaceMgr);
            }
            backpropEpsilon = epsilon;
            try {
                return super.backpropGradient(epsilon, workspaceMgr);
            } finally {
                backpropEpsilon = null;
            }
        }

        /**
         * DL4J's L2 term of the loss ({@code l2 / 2 * ||W||^2}, the weights being this layer's only parameter), its
         * norm computed by one reduction op made once for the weights' array rather than a new op and result per
         * step (two ND4J buffers per layer and step); the same op on the same array, so the same value. Anything but
         * a single L2 on the weights is DL4J's.
         */
        @Override
        public double calcRegularizationScore(boolean backpropParamsOnly) {
            INDArray w = params.get(ConvolutionParamInitializer.WEIGHT_KEY);
            List<Regularization> rs = layerConf().getRegularizationByParam(ConvolutionParamInitializer.WEIGHT_KEY);
            if (hasBias() || w == null || params.size() != 1 || rs == null || rs.size() != 1
                    || rs.get(0).getClass() != L2Regularization.class) {
                return super.calcRegularizationScore(backpropParamsOnly);
            }
            if (normOf != w) {
                try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    norm = new Norm2(w, Nd4j.scalar(w.dataType(), 0.0), Integer.MAX_VALUE);
                }
                normOf = w;
            }
            double n = Nd4j.getExecutioner().exec(norm).getDouble(0);
            return ((L2Regularization) rs.get(0)).getL2().valueAt(getIterationCount(), getEpochCount()) * 0.5 * n * n;
        }

        /** Backward passes handed straight to the project's convolution helper. */
        long helperPasses() {
            return helperPasses;
        }

        /**
         * DL4J's backward pass on its helper, for the project's oneDNN helper: the same call with the same arguments
         * (the identity's derivative is the incoming gradient; no bias, no weight noise, no dropout), without the
         * rank-2 view of the weight gradient DL4J makes first and only its own im2col path reads (five ND4J buffers
         * per layer and step).
         */
        private Pair<Gradient, INDArray> helperBackprop(LinearConvolution conf, INDArray epsilon,
                INDArray weightGradView, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
            int[] kernel = conf.getKernelSize();
            int[] strides = conf.getStride();
            int[] dilation = conf.getDilation();
            int[] pad;
            if (convolutionMode == ConvolutionMode.Same) {
                int[] outSize = ConvolutionUtils.getOutputSize(input, kernel, strides, null, convolutionMode,
                        dilation, CNN2DFormat.NCHW);
                pad = ConvolutionUtils.getSameModeTopLeftPadding(outSize,
                        new int[] {(int) input.size(2), (int) input.size(3)}, kernel, strides, dilation);
            } else {
                pad = conf.getPadding();
                ConvolutionUtils.getOutputSize(input, kernel, strides, pad, convolutionMode, dilation,
                        CNN2DFormat.NCHW);
            }
            helperPasses++;
            return helper.backpropGradient(input, weights, null, epsilon, kernel, strides, pad, null,
                    weightGradView, conf.getActivationFn(), conf.getCudnnAlgoMode(), conf.getCudnnBwdFilterAlgo(),
                    conf.getCudnnBwdDataAlgo(), convolutionMode, dilation, CNN2DFormat.NCHW, workspaceMgr);
        }

        /**
         * Within {@link #backpropGradient}, DL4J asks for the pre-activation (and, on its plain path, the im2col
         * matrix to reuse) only for the activation's derivative. Answers with the incoming gradient, same shape and
         * layout; the plain path then builds its im2col matrix itself, as it does when none is handed back.
         */
        @Override
        protected Pair<INDArray, INDArray> preOutput4d(boolean training, boolean forBackprop,
                LayerWorkspaceMgr workspaceMgr) {
            if (forBackprop && backpropEpsilon != null) {
                return new Pair<>(backpropEpsilon, null);
            }
            return super.preOutput4d(training, forBackprop, workspaceMgr);
        }
    }
}

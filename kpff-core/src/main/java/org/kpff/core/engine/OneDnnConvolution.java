package org.kpff.core.engine;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A convolution layer's helper that calls oneDNN directly, its primitives, memory descriptors and reorders made once
 * per shape and pointed at each call's buffers.
 *
 * <p>DL4J's own oneDNN helper ({@code MKLDNNConvHelper}) calls libnd4j's {@code conv2d} / {@code conv2d_bp} custom
 * ops, which build the oneDNN primitive, its descriptors and the reorders between DL4J's plain layout and oneDNN's
 * blocked one on every call: at the project's small shapes that set-up costs more than the convolution. This helper
 * keeps, per layer and per input shape, the forward primitive, the backward-data and backward-weights primitives
 * (direct algorithm, created with the forward one as their hint, as oneDNN asks), the memories in oneDNN's preferred
 * layouts (their buffers in the thread's {@link OneDnnScratch}: they live only during a call) and the reorders. DL4J's arrays are described with their real strides, so a permuted or strided incoming
 * gradient needs no copy of its own, and the weight gradient is written straight into DL4J's gradient view.
 *
 * <p>What it does not take (a data type other than float32, NHWC, a configuration whose right/bottom padding would be
 * negative) goes to DL4J's helper it replaces, announced once per reason; DL4J's helper in turn declines non-float32
 * arrays, so such networks run DL4J's plain path, as {@link ComputeEngine#of} reports. Installed on the layers by
 * {@link OneDnnHelpers}. Not thread-safe: a layer runs one pass at a time.
 */
public final class OneDnnConvolution implements ConvolutionHelper {

    private static final Logger LOG = LoggerFactory.getLogger(OneDnnConvolution.class);
    private static final java.util.Set<String> ANNOUNCED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final ConvolutionHelper fallback;
    private final boolean layerHasBias;
    private final engine cpu = OneDnnHelpers.cpu();
    private final stream stream = new stream(cpu);
    private final Map<String, Forward> forward = new HashMap<>();
    private final Map<String, Backward> backward = new HashMap<>();
    private long calls;
    private long backwardCalls;

    /**
     * @param fallback DL4J's helper this one replaces, for what this one does not take
     * @param hasBias  whether the layer has a bias (DL4J hands a helper a zero dummy bias when it has none)
     */
    public OneDnnConvolution(ConvolutionHelper fallback, boolean hasBias) {
        this.fallback = fallback;
        this.layerHasBias = hasBias;
    }

    /** How many forward and backward passes this helper has run itself (not handed to its fallback). */
    public long calls() {
        return calls;
    }

    /** How many of those were backward passes. */
    public long backwardCalls() {
        return backwardCalls;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap();
    }

    @Override
    public INDArray activate(INDArray z, IActivation afn, boolean training) {
        return afn.getActivation(z, training);
    }

    @Override
    public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad,
            ConvolutionLayer.AlgoMode mode, ConvolutionLayer.FwdAlgo fwdAlgo, ConvolutionMode convolutionMode,
            int[] dilation, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        long[] out = outputSize(input, kernel, strides, pad, convolutionMode, dilation);
        String declined = declined(input, weights, format, out);
        if (declined != null) {
            announce(declined);
            return fallback.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, convolutionMode,
                    dilation, format, workspaceMgr);
        }
        long[] yShape = {input.size(0), weights.size(0), out[0], out[1]};
        INDArray b = layerHasBias ? bias : null; // not DL4J's zero dummy bias: no addition of zeros
        Geometry g = new Geometry(input, weights, b != null, yShape, strides, pad, dilation);
        if (g.high[0] < 0 || g.high[1] < 0) {
            announce("a negative bottom/right padding " + Arrays.toString(g.high));
            return fallback.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, convolutionMode,
                    dilation, format, workspaceMgr);
        }
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, yShape);
        String key = g.key + OneDnnArray.layoutKey(input) + OneDnnArray.layoutKey(weights)
                + (b == null ? "" : OneDnnArray.layoutKey(b));
        Forward f = forward.computeIfAbsent(key, k -> new Forward(g, input, weights, b, y));
        f.run(input, weights, b, y);
        calls++;
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
            int[] kernel, int[] strides, int[] pad, INDArray biasGradView, INDArray weightGradView, IActivation afn,
            ConvolutionLayer.AlgoMode mode, ConvolutionLayer.BwdFilterAlgo bwdFilterAlgo,
            ConvolutionLayer.BwdDataAlgo bwdDataAlgo, ConvolutionMode convolutionMode, int[] dilation,
            CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        long[] out = {delta.size(2), delta.size(3)};
        String declined = declined(input, weights, format, out);
        if (declined == null && delta.dataType() != DataType.FLOAT) {
            declined = "an incoming gradient of type " + delta.dataType();
        }
        if (declined != null) {
            announce(declined);
            return fallback(input, weights, bias, delta, kernel, strides, pad, biasGradView, weightGradView, afn, mode,
                    bwdFilterAlgo, bwdDataAlgo, convolutionMode, dilation, format, workspaceMgr);
        }
        // DL4J passes no bias for a layer without one (and, for a helper that is not its own oneDNN helper, a dummy
        // bias gradient, which is then left alone).
        boolean hasBias = layerHasBias && bias != null;
        Geometry g = new Geometry(input, weights, hasBias, delta.shape(), strides, pad, dilation);
        if (g.high[0] < 0 || g.high[1] < 0) {
            announce("a negative bottom/right padding " + Arrays.toString(g.high));
            return fallback(input, weights, bias, delta, kernel, strides, pad, biasGradView, weightGradView, afn, mode,
                    bwdFilterAlgo, bwdDataAlgo, convolutionMode, dilation, format, workspaceMgr);
        }
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape());
        String key = g.key + OneDnnArray.layoutKey(input) + OneDnnArray.layoutKey(weights)
                + OneDnnArray.layoutKey(delta) + OneDnnArray.layoutKey(weightGradView)
                + (hasBias ? OneDnnArray.layoutKey(biasGradView) : "");
        INDArray db = hasBias ? biasGradView : null;
        Backward b = backward.computeIfAbsent(key, k -> new Backward(g, input, weights, delta, dx, weightGradView,
                db));
        b.run(input, weights, delta, dx, weightGradView, db);
        calls++;
        backwardCalls++;
        Gradient grad = new DefaultGradient();
        if (hasBias) {
            grad.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        }
        grad.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
        return new Pair<>(grad, dx);
    }

    /**
     * DL4J's helper's backward pass. DL4J gives a helper other than its own a dummy bias gradient when the layer has
     * no bias; its own helper expects none then.
     */
    private Pair<Gradient, INDArray> fallback(INDArray input, INDArray weights, INDArray bias, INDArray delta,
            int[] kernel, int[] strides, int[] pad, INDArray biasGradView, INDArray weightGradView, IActivation afn,
            ConvolutionLayer.AlgoMode mode, ConvolutionLayer.BwdFilterAlgo bwdFilterAlgo,
            ConvolutionLayer.BwdDataAlgo bwdDataAlgo, ConvolutionMode convolutionMode, int[] dilation,
            CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        return fallback.backpropGradient(input, weights, bias, delta, kernel, strides, pad,
                layerHasBias ? biasGradView : null, weightGradView, afn, mode, bwdFilterAlgo, bwdDataAlgo,
                convolutionMode, dilation, format, workspaceMgr);
    }

    /** Why this helper does not take a call (null when it does). */
    private static String declined(INDArray input, INDArray weights, CNN2DFormat format, long[] out) {
        if (input.dataType() != DataType.FLOAT || weights.dataType() != DataType.FLOAT) {
            return "data type " + input.dataType() + " (this helper is float32 only)";
        }
        if (format != CNN2DFormat.NCHW) {
            return "data format " + format + " (this helper takes NCHW)";
        }
        if (input.rank() != 4 || out[0] < 1 || out[1] < 1) {
            return "input shape " + Arrays.toString(input.shape());
        }
        return null;
    }

    private static void announce(String why) {
        if (ANNOUNCED.add(why)) {
            LOG.warn("KPFF oneDNN convolution: {}: this call runs DL4J's helper (libnd4j's conv2d) instead", why);
        }
    }

    /** The output's spatial size, as DL4J's layer computes it. */
    private static long[] outputSize(INDArray input, int[] kernel, int[] strides, int[] pad, ConvolutionMode mode,
            int[] dilation) {
        int[] o = org.deeplearning4j.util.ConvolutionUtils.getOutputSize(input, kernel, strides,
                mode == ConvolutionMode.Same ? null : pad, mode, dilation, CNN2DFormat.NCHW);
        return new long[] {o[0], o[1]};
    }

    /** Strides, dilations (oneDNN counts from 0) and both paddings of one convolution, with its descriptors. */
    private static final class Geometry {
        final long[] stride;
        final long[] dilate;
        final long[] low;
        final long[] high;
        final String key;
        private final long[] xShape;
        private final long[] wShape;
        private final long[] yShape;
        private final boolean bias;
        memory.desc srcAny;
        memory.desc weightsAny;
        memory.desc biasPlain;
        memory.desc dstAny;

        Geometry(INDArray x, INDArray w, boolean bias, long[] yShape, int[] strides, int[] pad, int[] dilation) {
            stride = new long[] {strides[0], strides[1]};
            dilate = new long[] {dilation[0] - 1, dilation[1] - 1};
            low = new long[] {pad[0], pad[1]};
            high = new long[2];
            for (int i = 0; i < 2; i++) {
                // The last output position's window ends at (out-1)*s + (k-1)*d - low; the input ends at in-1.
                long extent = (yShape[2 + i] - 1) * strides[i] + (w.size(2 + i) - 1) * dilation[i] + 1;
                high[i] = extent - x.size(2 + i) - low[i];
            }
            this.xShape = x.shape();
            this.wShape = w.shape();
            this.yShape = yShape;
            this.bias = bias;
            key = Arrays.toString(x.shape()) + Arrays.toString(w.shape()) + Arrays.toString(yShape) + bias
                    + Arrays.toString(stride) + Arrays.toString(dilate) + Arrays.toString(low)
                    + Arrays.toString(high);
        }

        /** This geometry with its oneDNN descriptors (native objects) made, once: for a new plan, not every call. */
        Geometry described() {
            if (srcAny == null) {
                srcAny = any(xShape);
                weightsAny = any(wShape);
                biasPlain = bias ? new memory.desc(new long[] {wShape[0]}, memory.data_type.f32,
                        memory.format_tag.x) : null;
                dstAny = any(yShape);
            }
            return this;
        }

        private static memory.desc any(long[] dims) {
            return new memory.desc(dims, memory.data_type.f32, memory.format_tag.any);
        }

        convolution_forward.primitive_desc forward(engine cpu) {
            described();
            convolution_forward.desc d = biasPlain == null
                    ? new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_direct, srcAny,
                            weightsAny, dstAny, stride, dilate, low, high)
                    : new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_direct, srcAny,
                            weightsAny, biasPlain, dstAny, stride, dilate, low, high);
            return new convolution_forward.primitive_desc(d, cpu);
        }
    }

    /** The forward primitive of one shape with its arrays. */
    private final class Forward {
        private final convolution_forward primitive;
        private final OneDnnArray x;
        private final OneDnnArray w;
        private final OneDnnArray b;
        private final OneDnnArray y;
        private final IntMemoryMap args = new IntMemoryMap();

        Forward(Geometry g, INDArray input, INDArray weights, INDArray bias, INDArray output) {
            convolution_forward.primitive_desc pd = g.forward(cpu);
            primitive = new convolution_forward(pd);
            x = OneDnnArray.input(cpu, input, pd.src_desc());
            w = OneDnnArray.input(cpu, weights, pd.weights_desc());
            b = bias == null ? null : OneDnnArray.input(cpu, bias.reshape(bias.length()), pd.bias_desc());
            y = OneDnnArray.output(cpu, output, pd.dst_desc());
            args.put(DNNL_ARG_SRC, x.forPrimitive());
            args.put(DNNL_ARG_WEIGHTS, w.forPrimitive());
            if (b != null) {
                args.put(DNNL_ARG_BIAS, b.forPrimitive());
            }
            args.put(DNNL_ARG_DST, y.forPrimitive());
        }

        void run(INDArray input, INDArray weights, INDArray bias, INDArray output) {
            x.point(input);
            w.point(weights);
            y.point(output);
            OneDnnArray.placeAll(x, w, b, y);
            x.in(stream);
            w.in(stream);
            if (b != null) {
                b.point(bias);
                b.in(stream);
            }
            primitive.execute(stream, args);
            y.out(stream);
            stream._wait();
        }
    }

    /** The backward-data and backward-weights primitives of one shape with their arrays. */
    private final class Backward {
        private final convolution_backward_data data;
        private final convolution_backward_weights weights;
        private final OneDnnArray x;
        private final OneDnnArray w;
        private final OneDnnArray dyForData;
        private final OneDnnArray dyForWeights;
        private final OneDnnArray dx;
        private final OneDnnArray dw;
        private final OneDnnArray db;
        private final IntMemoryMap dataArgs = new IntMemoryMap();
        private final IntMemoryMap weightsArgs = new IntMemoryMap();

        Backward(Geometry g, INDArray input, INDArray weightsArray, INDArray delta, INDArray inputGrad,
                INDArray weightGrad, INDArray biasGrad) {
            convolution_forward.primitive_desc hint = g.forward(cpu); // also makes g's descriptors
            convolution_backward_data.primitive_desc pdData = new convolution_backward_data.primitive_desc(
                    new convolution_backward_data.desc(algorithm.convolution_direct, g.srcAny, g.weightsAny, g.dstAny,
                            g.stride, g.dilate, g.low, g.high), cpu, hint);
            convolution_backward_weights.desc dw = g.biasPlain == null
                    ? new convolution_backward_weights.desc(algorithm.convolution_direct, g.srcAny, g.weightsAny,
                            g.dstAny, g.stride, g.dilate, g.low, g.high)
                    : new convolution_backward_weights.desc(algorithm.convolution_direct, g.srcAny, g.weightsAny,
                            g.biasPlain, g.dstAny, g.stride, g.dilate, g.low, g.high);
            convolution_backward_weights.primitive_desc pdWeights = new convolution_backward_weights.primitive_desc(
                    dw, cpu, hint);
            data = new convolution_backward_data(pdData);
            weights = new convolution_backward_weights(pdWeights);
            x = OneDnnArray.input(cpu, input, pdWeights.src_desc());
            w = OneDnnArray.input(cpu, weightsArray, pdData.weights_desc());
            dyForData = OneDnnArray.input(cpu, delta, pdData.diff_dst_desc());
            // Both primitives usually want the incoming gradient in the same layout: then it is reordered once.
            dyForWeights = pdWeights.diff_dst_desc().equals(pdData.diff_dst_desc()) ? dyForData
                    : OneDnnArray.input(cpu, delta, pdWeights.diff_dst_desc());
            dx = OneDnnArray.output(cpu, inputGrad, pdData.diff_src_desc());
            this.dw = OneDnnArray.output(cpu, weightGrad, pdWeights.diff_weights_desc());
            db = biasGrad == null ? null
                    : OneDnnArray.output(cpu, biasGrad.reshape(biasGrad.length()), pdWeights.diff_bias_desc());
            dataArgs.put(DNNL_ARG_DIFF_DST, dyForData.forPrimitive());
            dataArgs.put(DNNL_ARG_WEIGHTS, w.forPrimitive());
            dataArgs.put(DNNL_ARG_DIFF_SRC, dx.forPrimitive());
            weightsArgs.put(DNNL_ARG_SRC, x.forPrimitive());
            weightsArgs.put(DNNL_ARG_DIFF_DST, dyForWeights.forPrimitive());
            weightsArgs.put(DNNL_ARG_DIFF_WEIGHTS, this.dw.forPrimitive());
            if (db != null) {
                weightsArgs.put(DNNL_ARG_DIFF_BIAS, db.forPrimitive());
            }
        }

        void run(INDArray input, INDArray weightsArray, INDArray delta, INDArray inputGrad, INDArray weightGrad,
                INDArray biasGrad) {
            x.point(input);
            w.point(weightsArray);
            dyForData.point(delta);
            dyForWeights.point(delta);
            dx.point(inputGrad);
            dw.point(weightGrad);
            if (db != null) {
                db.point(biasGrad);
            }
            OneDnnArray.placeAll(x, w, dyForData, dyForWeights, dx, dw, db);
            x.in(stream);
            w.in(stream);
            dyForData.in(stream);
            if (dyForWeights != dyForData) {
                dyForWeights.in(stream);
            }
            data.execute(stream, dataArgs);
            weights.execute(stream, weightsArgs);
            dx.out(stream);
            dw.out(stream);
            if (db != null) {
                db.out(stream);
            }
            stream._wait();
        }
    }
}

package org.kpff.core.engine;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingHelper;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A max-pooling layer's helper that calls oneDNN directly, its primitives and reorders made once per shape and
 * pointed at each call's buffers.
 *
 * <p>DL4J's oneDNN helper ({@code MKLDNNSubsamplingHelper}) calls libnd4j's {@code maxpool2d} / {@code maxpool2d_bp}
 * custom ops, which build the oneDNN primitives on every call; {@code maxpool2d_bp} also runs the forward pooling
 * again to find each window's maximum. In a profile of Inception at 32 px they took a fifth of the training step.
 * This helper keeps, per layer and per input shape, the inference primitive, the training-forward primitive with
 * oneDNN's workspace (where each window's maximum is) and the backward primitive. DL4J 1.0.0-M2.1's
 * {@code SubsamplingLayer.activate} runs {@code maxpool2d} itself and never calls a helper; the backbones' max
 * pooling is {@link org.kpff.core.backbone.MaxPooling}, whose forward pass calls this helper, so a training forward
 * pass leaves its workspace for the backward pass that follows (same input buffer and shape), which then only
 * scatters the gradient. DL4J hands a pooling helper's backward pass only the layer's input and the incoming
 * gradient, so without that workspace (DL4J's own layer, an older checkpoint) the backward pass runs the forward
 * pooling first, as {@code maxpool2d_bp} does, its result and workspace living only during the call in the
 * thread's {@link OneDnnScratch}. Windows follow DL4J's 'same' padding (top/left half, rounded down) or the layer's
 * padding; padded positions never win a window, as in libnd4j's oneDNN ops.
 *
 * <p>What it does not take (average or p-norm pooling, dilation, a data type other than float32, NHWC, a padding
 * that would be negative) goes to DL4J's helper it replaces, announced once per reason. Installed on the layers by
 * {@link OneDnnHelpers}. Not thread-safe: a layer runs one pass at a time.
 */
public final class OneDnnPooling implements SubsamplingHelper {

    private static final Logger LOG = LoggerFactory.getLogger(OneDnnPooling.class);
    private static final java.util.Set<String> ANNOUNCED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final SubsamplingHelper fallback;
    private final engine cpu = OneDnnHelpers.cpu();
    private final stream stream = new stream(cpu);
    private final Map<String, Forward> forward = new HashMap<>();
    private final Map<String, Backward> backward = new HashMap<>();
    private final Map<String, Training> trainingPlans = new HashMap<>();
    /** The training forward pass whose workspace the next backward pass may use, and the input it pooled. */
    private Training pending;
    private long pendingInput;
    private long calls;
    private long backwardCalls;
    private long fromWorkspace;

    /** @param fallback DL4J's helper this one replaces, for what this one does not take */
    public OneDnnPooling(SubsamplingHelper fallback) {
        this.fallback = fallback;
    }

    /** DL4J's helper behind this one. */
    SubsamplingHelper fallback() {
        return fallback;
    }

    /** How many forward and backward passes this helper has run itself (not handed to its fallback). */
    public long calls() {
        return calls;
    }

    /** How many of those were backward passes. */
    public long backwardCalls() {
        return backwardCalls;
    }

    /** How many backward passes used the workspace of the training forward pass before them (no pooling again). */
    public long backwardFromForward() {
        return fromWorkspace;
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
    public INDArray activate(INDArray input, boolean training, int[] kernel, int[] strides, int[] pad,
            PoolingType poolingType, ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
            LayerWorkspaceMgr workspaceMgr) {
        Geometry g = geometry(input, null, kernel, strides, pad, poolingType, convolutionMode, dilation, format);
        if (g == null) {
            return fallback.activate(input, training, kernel, strides, pad, poolingType, convolutionMode, dilation,
                    format, workspaceMgr);
        }
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, g.yShape);
        String key = g.key + OneDnnArray.layoutKey(input);
        if (training) {
            // The training primitive also writes oneDNN's workspace (where each window's maximum is), kept for this
            // layer's next backward pass on the same input.
            Training t = trainingPlans.computeIfAbsent(key, k -> new Training(g, input, y));
            t.run(input, y);
            pending = t;
            pendingInput = OneDnnArray.address(input).address();
        } else {
            pending = null;
            Forward f = forward.computeIfAbsent(key, k -> new Forward(g, input, y));
            f.run(input, y);
        }
        calls++;
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, int[] kernel, int[] strides,
            int[] pad, PoolingType poolingType, ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
            LayerWorkspaceMgr workspaceMgr) {
        Geometry g = geometry(input, epsilon, kernel, strides, pad, poolingType, convolutionMode, dilation, format);
        if (g == null) {
            return fallback.backpropGradient(input, epsilon, kernel, strides, pad, poolingType, convolutionMode,
                    dilation, format, workspaceMgr);
        }
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape());
        String inputKey = g.key + OneDnnArray.layoutKey(input);
        Training t = pending;
        pending = null;
        if (t != null && t.key.equals(inputKey) && pendingInput == OneDnnArray.address(input).address()) {
            t.backward(epsilon, dx);
            fromWorkspace++;
        } else {
            String key = inputKey + OneDnnArray.layoutKey(epsilon);
            Backward b = backward.computeIfAbsent(key, k -> new Backward(g, input, epsilon, dx));
            b.run(input, epsilon, dx);
        }
        calls++;
        backwardCalls++;
        return new Pair<>(new DefaultGradient(), dx);
    }

    /** The call's windows, or null (announced) when this helper does not take it. */
    private static Geometry geometry(INDArray x, INDArray dy, int[] kernel, int[] strides, int[] pad,
            PoolingType type, ConvolutionMode mode, int[] dilation, CNN2DFormat format) {
        String declined = null;
        if (type != PoolingType.MAX) {
            declined = type + " pooling (this helper takes max pooling)";
        } else if (x.dataType() != DataType.FLOAT || (dy != null && dy.dataType() != DataType.FLOAT)) {
            declined = "data type " + (x.dataType() != DataType.FLOAT ? x.dataType() : dy.dataType())
                    + " (this helper is float32 only)";
        } else if (format != CNN2DFormat.NCHW) {
            declined = "data format " + format + " (this helper takes NCHW)";
        } else if (dilation != null && (dilation[0] != 1 || dilation[1] != 1)) {
            declined = "dilation " + Arrays.toString(dilation);
        } else if (x.rank() != 4) {
            declined = "input shape " + Arrays.toString(x.shape());
        }
        Geometry g = null;
        if (declined == null) {
            int[] out = ConvolutionUtils.getOutputSize(x, kernel, strides, mode == ConvolutionMode.Same ? null : pad,
                    mode, new int[] {1, 1}, CNN2DFormat.NCHW);
            g = new Geometry(x, kernel, strides, mode == ConvolutionMode.Same ? null : pad, out);
            if (out[0] < 1 || out[1] < 1 || g.low[0] < 0 || g.low[1] < 0 || g.high[0] < 0 || g.high[1] < 0) {
                declined = "input " + Arrays.toString(x.shape()) + " with padding " + Arrays.toString(g.low) + "/"
                        + Arrays.toString(g.high);
            } else if (dy != null && !Arrays.equals(dy.shape(), g.yShape)) {
                declined = "an incoming gradient of shape " + Arrays.toString(dy.shape()) + " for an output of "
                        + Arrays.toString(g.yShape);
            }
        }
        if (declined != null) {
            if (ANNOUNCED.add(declined)) {
                LOG.warn("KPFF oneDNN pooling: {}: this call runs DL4J's helper (libnd4j's pooling op) instead",
                        declined);
            }
            return null;
        }
        return g;
    }

    /** Kernel, strides and both paddings of one pooling, with its descriptors. */
    private static final class Geometry {
        final long[] kernel;
        final long[] stride;
        final long[] low;
        final long[] high;
        final long[] yShape;
        final String key;
        private final long[] xShape;
        // Native descriptors, made only when a plan is made (see described()), not on every call.
        memory.desc srcPlain;
        memory.desc dstAny;

        /** @param pad the layer's padding, or null for DL4J's 'same' mode (top/left half of the total, rounded down) */
        Geometry(INDArray x, int[] k, int[] s, int[] pad, int[] out) {
            kernel = new long[] {k[0], k[1]};
            stride = new long[] {s[0], s[1]};
            low = new long[2];
            high = new long[2];
            for (int i = 0; i < 2; i++) {
                // The last window ends at (out-1)*s + k - low; the input ends at in - 1.
                long total = (long) (out[i] - 1) * s[i] + k[i] - x.size(2 + i);
                low[i] = pad == null ? Math.max(total, 0) / 2 : pad[i];
                high[i] = total - low[i];
            }
            yShape = new long[] {x.size(0), x.size(1), out[0], out[1]};
            xShape = x.shape();
            key = Arrays.toString(x.shape()) + Arrays.toString(yShape) + Arrays.toString(kernel)
                    + Arrays.toString(stride) + Arrays.toString(low) + Arrays.toString(high);
        }

        /** This geometry with its oneDNN descriptors made (once). */
        Geometry described() {
            if (srcPlain == null) {
                // oneDNN's pooling takes no 'any' source layout: the source (and its gradient) plain NCHW, the
                // result's layout the primitive's choice.
                srcPlain = new memory.desc(xShape, memory.data_type.f32, memory.format_tag.nchw);
                dstAny = new memory.desc(yShape, memory.data_type.f32, memory.format_tag.any);
            }
            return this;
        }

        pooling_forward.primitive_desc forward(engine cpu, prop_kind kind) {
            described();
            return new pooling_forward.primitive_desc(new pooling_forward.desc(kind, algorithm.pooling_max, srcPlain,
                    dstAny, stride, kernel, low, high), cpu);
        }
    }

    /** The inference primitive of one shape with its arrays. */
    private final class Forward {
        private final pooling_forward primitive;
        private final OneDnnArray x;
        private final OneDnnArray y;
        private final IntMemoryMap args = new IntMemoryMap();

        Forward(Geometry g, INDArray input, INDArray output) {
            pooling_forward.primitive_desc pd = g.forward(cpu, prop_kind.forward_inference);
            primitive = new pooling_forward(pd);
            x = OneDnnArray.input(cpu, input, pd.src_desc());
            y = OneDnnArray.output(cpu, output, pd.dst_desc());
            args.put(DNNL_ARG_SRC, x.forPrimitive());
            args.put(DNNL_ARG_DST, y.forPrimitive());
        }

        void run(INDArray input, INDArray output) {
            x.point(input);
            y.point(output);
            OneDnnArray.placeAll(x, y);
            x.in(stream);
            primitive.execute(stream, args);
            y.out(stream);
            stream._wait();
        }
    }

    /** The training-forward and backward primitives of one shape, with the forward's result and workspace. */
    private final class Backward {
        private final pooling_forward forwardTraining;
        private final pooling_backward primitive;
        private final OneDnnArray x;
        private final OneDnnArray y;
        private final OneDnnArray workspace;
        private final OneDnnArray dy;
        private final OneDnnArray dx;
        private final IntMemoryMap forwardArgs = new IntMemoryMap();
        private final IntMemoryMap backwardArgs = new IntMemoryMap();

        Backward(Geometry g, INDArray input, INDArray delta, INDArray inputGrad) {
            pooling_forward.primitive_desc hint = g.forward(cpu, prop_kind.forward_training); // makes g's descriptors
            pooling_backward.primitive_desc pd = new pooling_backward.primitive_desc(new pooling_backward.desc(
                    algorithm.pooling_max, g.srcPlain, g.dstAny, g.stride, g.kernel, g.low, g.high), cpu, hint);
            forwardTraining = new pooling_forward(hint);
            primitive = new pooling_backward(pd);
            x = OneDnnArray.input(cpu, input, hint.src_desc());
            y = OneDnnArray.temporary(cpu, hint.dst_desc());
            workspace = OneDnnArray.temporary(cpu, hint.workspace_desc());
            dy = OneDnnArray.input(cpu, delta, pd.diff_dst_desc());
            dx = OneDnnArray.output(cpu, inputGrad, pd.diff_src_desc());
            forwardArgs.put(DNNL_ARG_SRC, x.forPrimitive());
            forwardArgs.put(DNNL_ARG_DST, y.forPrimitive());
            forwardArgs.put(DNNL_ARG_WORKSPACE, workspace.forPrimitive());
            backwardArgs.put(DNNL_ARG_DIFF_DST, dy.forPrimitive());
            backwardArgs.put(DNNL_ARG_WORKSPACE, workspace.forPrimitive());
            backwardArgs.put(DNNL_ARG_DIFF_SRC, dx.forPrimitive());
        }

        void run(INDArray input, INDArray delta, INDArray inputGrad) {
            x.point(input);
            dy.point(delta);
            dx.point(inputGrad);
            OneDnnArray.placeAll(x, y, workspace, dy, dx);
            x.in(stream);
            forwardTraining.execute(stream, forwardArgs);
            dy.in(stream);
            primitive.execute(stream, backwardArgs);
            dx.out(stream);
            stream._wait();
        }
    }

    /**
     * The training-forward primitive of one input shape, its workspace kept between the forward pass and the
     * backward pass that follows it (one per layer: DL4J runs a layer's passes one at a time), and the backward
     * primitives reading that workspace, per incoming gradient layout.
     */
    private final class Training {
        private final String key;
        private final Geometry g;
        private final pooling_forward.primitive_desc hint;
        private final pooling_forward primitive;
        private final OneDnnArray x;
        private final OneDnnArray y;
        private final memory workspace;
        private final IntMemoryMap args = new IntMemoryMap();
        private final Map<String, FromWorkspace> backward = new HashMap<>();

        Training(Geometry g, INDArray input, INDArray output) {
            this.key = g.key + OneDnnArray.layoutKey(input);
            this.g = g;
            hint = g.forward(cpu, prop_kind.forward_training);
            primitive = new pooling_forward(hint);
            x = OneDnnArray.input(cpu, input, hint.src_desc());
            y = OneDnnArray.output(cpu, output, hint.dst_desc());
            workspace = new memory(hint.workspace_desc(), cpu); // oneDNN's own buffer, freed with the helper
            args.put(DNNL_ARG_SRC, x.forPrimitive());
            args.put(DNNL_ARG_DST, y.forPrimitive());
            args.put(DNNL_ARG_WORKSPACE, workspace);
        }

        void run(INDArray input, INDArray output) {
            x.point(input);
            y.point(output);
            OneDnnArray.placeAll(x, y);
            x.in(stream);
            primitive.execute(stream, args);
            y.out(stream);
            stream._wait();
        }

        void backward(INDArray delta, INDArray inputGrad) {
            FromWorkspace b = backward.computeIfAbsent(OneDnnArray.layoutKey(delta) + OneDnnArray.layoutKey(inputGrad),
                    k -> new FromWorkspace(delta, inputGrad));
            b.run(delta, inputGrad);
        }

        /** The backward primitive reading {@link #workspace}. */
        private final class FromWorkspace {
            private final pooling_backward primitive;
            private final OneDnnArray dy;
            private final OneDnnArray dx;
            private final IntMemoryMap args = new IntMemoryMap();

            FromWorkspace(INDArray delta, INDArray inputGrad) {
                pooling_backward.primitive_desc pd = new pooling_backward.primitive_desc(new pooling_backward.desc(
                        algorithm.pooling_max, g.srcPlain, g.dstAny, g.stride, g.kernel, g.low, g.high), cpu, hint);
                primitive = new pooling_backward(pd);
                dy = OneDnnArray.input(cpu, delta, pd.diff_dst_desc());
                dx = OneDnnArray.output(cpu, inputGrad, pd.diff_src_desc());
                args.put(DNNL_ARG_DIFF_DST, dy.forPrimitive());
                args.put(DNNL_ARG_WORKSPACE, workspace);
                args.put(DNNL_ARG_DIFF_SRC, dx.forPrimitive());
            }

            void run(INDArray delta, INDArray inputGrad) {
                dy.point(delta);
                dx.point(inputGrad);
                OneDnnArray.placeAll(dy, dx);
                dy.in(stream);
                primitive.execute(stream, args);
                dx.out(stream);
                stream._wait();
            }
        }
    }
}

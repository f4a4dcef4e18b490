package org.kpff.core.engine;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A convolution's weight gradient alone, computed by oneDNN called directly through JavaCPP's {@code dnnl} presets:
 * for the layer fed by the image, whose input gradient nobody reads. libnd4j's {@code conv2d_bp}, which DL4J's
 * oneDNN helper calls, always computes that input gradient too, with a reorder of the whole image batch: 26–131 ms
 * of AlexNet's step at 64 px and about 1.8 s of its 6.3 s step at 224 px; this takes 3–9 ms and 0.08–0.2 s, with
 * the same gradient ({@code FirstConvGradientBenchmark}, {@code FirstLayerGradientTest}).
 *
 * <p>One instance per layer: the primitive (direct algorithm, oneDNN's preferred layouts) is created per input
 * shape and reused, with its reorders (pointed at each call's buffers); the image and the output gradient are
 * reordered into oneDNN's layouts on each call and the result back into DL4J's [oC, iC, kH, kW]. CPU backend and
 * float32 only ({@link #usable}); on CUDA the layer stays on cuDNN through libnd4j, announced once. The presets'
 * oneDNN runs on the OpenMP runtime ND4J loaded (JavaCPP reuses that {@code libgomp.so.1} rather than loading the
 * presets' copy), so the thread count set for ND4J on the calling thread bounds it too
 * ({@code FirstLayerGradientTest}).
 */
public final class DirectWeightGradient {

    private static final Logger LOG = LoggerFactory.getLogger(DirectWeightGradient.class);
    private static final boolean AVAILABLE = probe();

    private final Map<String, Plan> plans = new HashMap<>();

    private static boolean probe() {
        // ND4J's backend (and its libgomp) loads first, so the presets' oneDNN binds to that OpenMP runtime.
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        if (!backend.toLowerCase(java.util.Locale.ROOT).contains("cpu")) {
            LOG.info("ND4J backend {}: the first convolution's backward pass stays on libnd4j's conv2d_bp (cuDNN), "
                    + "which also computes the unused gradient of the image", backend);
            return false;
        }
        try {
            new engine(engine.kind.cpu, 0).close();
            return true;
        } catch (Throwable t) {
            LOG.warn("oneDNN's presets cannot load ({}): the first convolution's backward pass stays on libnd4j's "
                    + "conv2d_bp, which also computes the unused gradient of the image", t.toString());
            return false;
        }
    }

    /** Whether oneDNN's presets loaded on the CPU backend (announced once when not). */
    public static boolean available() {
        return AVAILABLE;
    }

    /** Whether the direct path can compute this layer's gradient: CPU backend, float32, plain NCHW arrays. */
    public static boolean usable(INDArray input, INDArray outputGradient, INDArray weightGradient) {
        return AVAILABLE && input.dataType() == DataType.FLOAT && outputGradient.dataType() == DataType.FLOAT
                && weightGradient.dataType() == DataType.FLOAT && input.rank() == 4 && outputGradient.rank() == 4;
    }

    /**
     * Writes the gradient of the loss w.r.t. the weights [oC, iC, kH, kW] into {@code weightGradient}.
     *
     * @param input          the layer's input, [n, iC, h, w]
     * @param outputGradient the gradient at the layer's output, [n, oC, oh, ow]
     * @param weightGradient where the result goes (a view into DL4J's gradient array is fine)
     * @param kernel         kH, kW
     * @param stride         sH, sW
     * @param padLow         top, left padding
     * @param padHigh        bottom, right padding
     */
    public void compute(INDArray input, INDArray outputGradient, INDArray weightGradient, int[] kernel, int[] stride,
            int[] padLow, int[] padHigh) {
        INDArray x = plain(input);
        INDArray dy = plain(outputGradient);
        boolean direct = weightGradient.ordering() == 'c' && weightGradient.offset() == 0
                && Shape.hasDefaultStridesForShape(weightGradient);
        INDArray dw = direct ? weightGradient : Nd4j.create(DataType.FLOAT, weightGradient.shape());
        String key = Arrays.toString(x.shape()) + Arrays.toString(dw.shape()) + Arrays.toString(stride)
                + Arrays.toString(padLow) + Arrays.toString(padHigh);
        Plan plan = plans.computeIfAbsent(key, k -> new Plan(x.shape(), dw.shape(), dy.shape(), stride, padLow,
                padHigh));
        plan.run(x, dy, dw);
        if (!direct) {
            weightGradient.assign(dw);
        }
    }

    private static INDArray plain(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }

    /** Primitives and reorders for one shape. */
    private static final class Plan {
        private final engine cpu = new engine(engine.kind.cpu, 0);
        private final stream stream = new stream(cpu);
        private final memory.desc xUser;
        private final memory.desc dyUser;
        private final memory.desc dwUser;
        private final convolution_backward_weights.primitive_desc backward;
        private final convolution_backward_weights primitive;
        private final memory xInner;
        private final memory dyInner;
        private final memory dwInner;
        private final IntMemoryMap arguments = new IntMemoryMap();

        Plan(long[] xDims, long[] wDims, long[] yDims, int[] stride, int[] low, int[] high) {
            memory.desc xAny = new memory.desc(xDims, memory.data_type.f32, memory.format_tag.any);
            memory.desc wAny = new memory.desc(wDims, memory.data_type.f32, memory.format_tag.any);
            memory.desc yAny = new memory.desc(yDims, memory.data_type.f32, memory.format_tag.any);
            long[] s = {stride[0], stride[1]};
            long[] l = {low[0], low[1]};
            long[] h = {high[0], high[1]};
            convolution_forward.primitive_desc forward = new convolution_forward.primitive_desc(
                    new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_direct, xAny, wAny,
                            yAny, s, l, h), cpu);
            backward = new convolution_backward_weights.primitive_desc(new convolution_backward_weights.desc(
                    algorithm.convolution_direct, xAny, wAny, yAny, s, l, h), cpu, forward);
            primitive = new convolution_backward_weights(backward);
            xUser = new memory.desc(xDims, memory.data_type.f32, memory.format_tag.nchw);
            dyUser = new memory.desc(yDims, memory.data_type.f32, memory.format_tag.nchw);
            dwUser = new memory.desc(wDims, memory.data_type.f32, memory.format_tag.oihw);
            xInner = new memory(backward.src_desc(), cpu);
            dyInner = new memory(backward.diff_dst_desc(), cpu);
            dwInner = new memory(backward.diff_weights_desc(), cpu);
            arguments.put(DNNL_ARG_SRC, xInner);
            arguments.put(DNNL_ARG_DIFF_DST, dyInner);
            arguments.put(DNNL_ARG_DIFF_WEIGHTS, dwInner);
        }

        /** DL4J-side memories and their reorders: made on the first call, then only pointed at new buffers. */
        private memory xu;
        private memory dyu;
        private memory dwu;
        private reorder toX;
        private reorder toDy;
        private reorder fromDw;

        void run(INDArray x, INDArray dy, INDArray dw) {
            if (xu == null) {
                xu = new memory(xUser, cpu, x.data().addressPointer());
                dyu = new memory(dyUser, cpu, dy.data().addressPointer());
                dwu = new memory(dwUser, cpu, dw.data().addressPointer());
                toX = new reorder(xu, xInner);
                toDy = new reorder(dyu, dyInner);
                fromDw = new reorder(dwInner, dwu);
            } else {
                xu.set_data_handle(x.data().addressPointer());
                dyu.set_data_handle(dy.data().addressPointer());
                dwu.set_data_handle(dw.data().addressPointer());
            }
            toX.execute(stream, xu, xInner);
            toDy.execute(stream, dyu, dyInner);
            primitive.execute(stream, arguments);
            fromDw.execute(stream, dwInner, dwu);
            stream._wait();
        }
    }
}
